"""HTML email: a Jinja2 template with autoescape, its CSS inlined so that Gmail and Outlook keep it."""

from __future__ import annotations

from functools import cache

import css_inline
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from boardpack.render.values import cell_text, change_text, footnote_text, value_text
from boardpack.reports.document import Document

HTML_LIMIT = 100_000  # bytes; Gmail clips at 102 KB


@cache
def environment() -> Environment:
    env = Environment(loader=PackageLoader("boardpack.render", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(value=value_text, cell=cell_text, footnote=footnote_text, change=change_text)
    return env


@cache
def inliner() -> css_inline.CSSInliner:
    # at-rules (dark mode, the phone layout) cannot be inlined: they stay in a <style> the clients that can, read
    return css_inline.CSSInliner(keep_style_tags=False, keep_at_rules=True, minify_css=True,
                                 load_remote_stylesheets=False)


def render_html(doc: Document, rows: int | None = None) -> str:
    """The report as HTML email; with `rows`, each table cut to that many rows, the rest said to be attached."""
    html = environment().get_template("report.html.j2").render(doc=doc, rows=rows)
    return inliner().inline(html)


def email_html(doc: Document) -> tuple[str, str | None]:
    """The HTML part, and the full report to attach when the part would be clipped: Gmail cuts a message's
    HTML after 102 KB and hides the rest behind a link few people follow."""
    full = render_html(doc)
    if len(full.encode()) <= HTML_LIMIT:
        return full, None
    for rows in (10, 5, 0):
        short = render_html(doc, rows)
        if len(short.encode()) <= HTML_LIMIT:
            break
    return short, full
