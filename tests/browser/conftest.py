"""A real Chromium, driven by Playwright: the distribution's browser, installed where it is missing.

Playwright's own browser download needs the internet; the distribution's package is what a closed
machine can install, so Playwright drives that through `executable_path`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_cli

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "browser"
# Headless, and nothing of Chromium's own talking to Google: this machine's network is closed, and a
# test
# that counts the page's requests must see only the page's.
# (Playwright adds --headless, and starts each launch on a new empty profile of its own.)
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium() -> tuple[str | None, str]:
    """The browser's path, installing Debian's package where it is missing; else None and the
    reason."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path, ""
    if not shutil.which("apt-get"):
        return None, "no Chromium on PATH, and no apt-get to install it with"
    if os.geteuid() != 0:
        return None, "no Chromium on PATH, and installing it needs root (apt-get install chromium)"
    env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium"]
    done = subprocess.run(install, env=env, capture_output=True, text=True)
    if done.returncode != 0:  # a fresh machine may not have read its package lists yet
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True)
        done = subprocess.run(install, env=env, capture_output=True, text=True)
    if done.returncode != 0 or not (path := shutil.which("chromium")):
        return None, f"apt-get install chromium failed: {done.stderr.strip()[-300:]}"
    return path, ""


def installed_font(family: str) -> bool:
    """Whether fontconfig knows the font, installing DejaVu (fonts-dejavu-core) where it is missing.
    """

    def known() -> bool:
        listed = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True)
        return family in listed.stdout

    if shutil.which("fc-list") and known():
        return True
    if shutil.which("apt-get") and os.geteuid() == 0:
        env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(
            [
                "apt-get",
                "install",
                "-y",
                "-q",
                "--no-install-recommends",
                "fonts-dejavu-core",
                "fontconfig",
            ],
            env=env,
            capture_output=True,
        )
    return bool(shutil.which("fc-list")) and known()


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')"
    )
    path, why = chromium()
    if path is None:
        pytest.skip(f"browser tests need Chromium: {why}")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=FLAGS)
        yield browser
        browser.close()


class Visit:
    """A page at one width that records every request it makes."""

    def __init__(self, browser, width: int, color_scheme: str = "light"):
        self.context = browser.new_context(
            viewport={"width": width, "height": 900}, color_scheme=color_scheme
        )
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.context.close()

    def overflow(self) -> dict:
        """How far the page scrolls sideways, and the elements that reach past the viewport's right
        edge."""
        return self.page.evaluate("""() => {
            const width = document.documentElement.clientWidth;
            const box = e => e.getBoundingClientRect();
            const wide = [...document.querySelectorAll('body *')]
                .filter(e => box(e).right > width + 0.5 || box(e).left < -0.5)
                .map(e => `${e.tagName.toLowerCase()}.${e.className}: `
                          + `${Math.round(box(e).right)}px`);
            return {scroll: document.documentElement.scrollWidth - width, wide: wide.slice(0, 5)};
        }""")

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture(scope="session")
def demo_workspace(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("browser") / "demo"
    done = run_cli("demo", str(root), "--as-of", "2026-11-22")
    assert done.returncode == 0, done.stderr
    return root
