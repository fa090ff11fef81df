"""Benchmark: what the report's look costs, on the demo's nine reports (best of N).

- The PDF archive: WeasyPrint laying out the template's own <style> (what render_pdf does) beside
  the same report from the CSS-inlined email HTML (the obvious way: print the email).
- The template sandbox: the HTML report rendered from its plain data in boardpack's DataSandbox,
  within its time and size limits (what boardpack does, so that a workspace's own template cannot
  reach Python) beside a plain Environment on the same data.
- The length of each email, in Chromium at 390 x 844 px with DejaVu Sans (where Playwright and a
  Chromium are installed): its height down to its "The full report" line and whole, in phone
  screens, beside its budget, and its HTML's size — in the demo's first month and its second; and
  the whole report (what was sent before issue 38) beside it.

Usage: python bench/report_look.py [REPEATS]
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import weasyprint
from jinja2 import Environment

from boardpack.config import load_workspace
from boardpack.demo import generate
from boardpack.pipeline import build_pack
from boardpack.render.branding import brand_for
from boardpack.render.html import environment, render_html
from boardpack.render.pdf import render_pdf
from boardpack.render.sandbox import render_bounded
from boardpack.render.template_data import report_data

AS_OF = date(2026, 11, 22)


class KeysFirst(Environment):
    """Plain Jinja, reading `a.b` as a key first as the sandbox does (the data is dicts)."""

    def getattr(self, obj, attribute):
        return self.getitem(obj, attribute)


def best(repeats: int, work) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main(repeats: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "demo"
        generate(root, AS_OF)
        ws = load_workspace(root, environ={})
        brand = brand_for(ws)
        docs = build_pack(ws, AS_OF).documents
        fetcher = weasyprint.URLFetcher(allowed_protocols={"data"})

        pdf = best(repeats, lambda: [render_pdf(d, brand) for d in docs])
        inlined = [render_html(d, brand=brand) for d in docs]
        printed = best(
            repeats,
            lambda: [weasyprint.HTML(string=h, url_fetcher=fetcher).write_pdf() for h in inlined],
        )
        print(
            f"PDF archive, {len(docs)} reports: render_pdf {pdf:.2f} s"
            f" ({pdf / len(docs) * 1000:.0f} ms a report); from the inlined email HTML"
            f" {printed:.2f} s ({printed / pdf:.2f}x)"
        )

        sandboxed = environment(brand.templates)
        plain = KeysFirst(
            loader=sandboxed.loader,
            autoescape=True,
            undefined=sandboxed.undefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        plain.filters.update(sandboxed.filters)
        logo = brand.logo.src("cid")

        data = [report_data(d, brand, logo, None) for d in docs]  # the plain data templates see

        def render_all(env):
            if env is sandboxed:  # what boardpack does with a workspace's own template: every limit
                return [render_bounded(env, "report.html.j2", context) for context in data]
            return [env.get_template("report.html.j2").render(**context) for context in data]

        assert render_all(sandboxed) == render_all(plain)  # the same HTML either way
        boxed, free = best(repeats * 4, lambda: render_all(sandboxed)), best(
            repeats * 4, lambda: render_all(plain)
        )
        print(
            f"HTML template, {len(docs)} reports: sandboxed {boxed * 1000:.1f} ms, plain Jinja"
            f" {free * 1000:.1f} ms ({boxed / free:.2f}x)"
        )


FULL_REPORT_TOP = """() => {
    const line = [...document.querySelectorAll('h2')]
        .find(h => h.innerText.trim() === 'The full report');
    return {top: line ? line.getBoundingClientRect().top + window.scrollY : null,
            whole: document.documentElement.scrollHeight};
}"""


def lengths() -> None:
    """Each demo email's height and size, in two months sent one after the other."""
    import email
    import json
    import shutil
    import subprocess
    from email import policy

    from boardpack.reports.length import SCREEN

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("email lengths: skipped (playwright is not installed)")
        return
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("email lengths: skipped (no Chromium on PATH)")
        return
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as p:
        root = Path(folder) / "demo"
        generate(root, date(2026, 12, 22))
        chromium = p.chromium.launch(executable_path=browser, args=["--no-sandbox"])
        page = chromium.new_page(viewport={"width": 390, "height": SCREEN})

        def measure(html: str) -> tuple[float, float]:
            page.set_content(html)
            page.add_style_tag(content='* { font-family: "DejaVu Sans" !important; }')
            at = page.evaluate(FULL_REPORT_TOP)
            return (at["top"] or at["whole"]) / SCREEN, at["whole"] / SCREEN

        print("email lengths at 390 x 844 px (screens to the full-report line / whole; HTML size)")
        print(f"{'report':<26}{'budget':>7}  {'email':>13}  {'KB':>4}  {'whole report':>12}")
        for as_of, period in (("2026-11-22", "2026-10"), ("2026-12-22", "2026-11")):
            subprocess.run(
                [sys.executable, "-m", "boardpack", "send", "-w", str(root), "--as-of", as_of],
                check=True,
                capture_output=True,
            )
            index = (root / "outbox" / "index.jsonl").read_text().splitlines()
            ws = load_workspace(root, environ={})
            whole = {d.id: d for d in build_pack(ws, date.fromisoformat(as_of)).documents}
            for entry in map(json.loads, index):
                if not entry["file"].startswith(f"{period}/"):
                    continue
                message = email.message_from_bytes(
                    (root / "outbox" / entry["file"]).read_bytes(), policy=policy.default
                )
                html = message.get_body(("html",)).get_content()
                to_line, all_of_it = measure(html)
                before, _ = measure(render_html(whole[entry["report"]]))
                report = f"{period} {entry['report']}"
                budget = whole[entry["report"]].screens
                print(
                    f"{report:<26}{budget:>7}  {to_line:>5.2f} / {all_of_it:>5.2f}"
                    f"  {len(html.encode()) / 1024:>4.0f}  {before:>12.1f}"
                )
        chromium.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
    lengths()
