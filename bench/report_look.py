"""Benchmark: what the report's look costs, on the demo's nine reports (best of N).

- The PDF archive: WeasyPrint laying out the template's own <style> (what render_pdf does) beside
  the same report from the CSS-inlined email HTML (the obvious way: print the email).
- The template sandbox: the HTML report rendered from its plain data in boardpack's DataSandbox,
  within its time and size limits (what boardpack does, so that a workspace's own template cannot
  reach Python) beside a plain Environment on the same data.

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


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
