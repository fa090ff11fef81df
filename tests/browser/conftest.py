"""A real Chromium, driven by Playwright: the distribution's browser, installed where it is missing.

Playwright's own browser download needs the internet; the distribution's package is what a closed
machine can install, so Playwright drives that through `executable_path`.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

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
    """The browser's path; else None and the reason (tests/system-packages.sh installs it)."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path, ""
    return None, "no Chromium on PATH: run tests/system-packages.sh (the test command does)"


def installed_font(family: str) -> bool:
    """Whether fontconfig knows the font (tests/system-packages.sh installs DejaVu)."""
    if not shutil.which("fc-list"):
        return False
    listed = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True)
    return family in listed.stdout


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
        """The whole page, as a JPEG: for a person to look at, and half the time of a PNG."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.jpg"
        self.page.screenshot(path=str(path), full_page=True, type="jpeg", quality=80)
        return path


@pytest.fixture(scope="session")
def demo_workspace(demo_sent) -> Path:
    return demo_sent[0]
