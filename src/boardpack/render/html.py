"""HTML email: a Jinja2 template with autoescape, its CSS inlined so that Gmail and Outlook keep it."""

from __future__ import annotations

from functools import cache

import css_inline
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from boardpack.render.values import cell_text, footnote_text, value_text
from boardpack.reports.document import Document


@cache
def environment() -> Environment:
    env = Environment(loader=PackageLoader("boardpack.render", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(value=value_text, cell=cell_text, footnote=footnote_text)
    return env


@cache
def inliner() -> css_inline.CSSInliner:
    return css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)


def render_html(doc: Document) -> str:
    html = environment().get_template("report.html.j2").render(doc=doc)
    return inliner().inline(html)
