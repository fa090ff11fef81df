"""Renderers: a report Document to HTML email, plain text, Markdown and JSON. They never read a
source.

The renderers themselves are imported when a report is first rendered, so that what only needs the
names of the formats (the command line's options) loads none of them.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from boardpack.render.branding import Brand
    from boardpack.reports.document import Document

FORMATS = ("html", "txt", "md", "json")
BINARY_FORMATS = ("xlsx",)  # `build --format xlsx`: written as bytes (render.xlsx)


def render_json(doc: Document) -> str:
    from boardpack.reports.plain import json_form, plain

    # "<" escaped so the JSON is safe to embed in an HTML page as well
    form = json_form(plain(doc, whole=True))
    return json.dumps(form, indent=2, ensure_ascii=False).replace("<", "\\u003c") + "\n"


def render(doc: Document, fmt: str, brand: Brand | None = None) -> str:
    """A report in one format; the brand (logo, colours, footer, templates) shapes the HTML and the
    text."""
    from boardpack.render.branding import PLAIN
    from boardpack.render.html import render_html
    from boardpack.render.markdown import render_markdown
    from boardpack.render.text import render_text

    brand = brand or PLAIN
    renderers = {
        "html": lambda: render_html(doc, brand=brand),
        "txt": lambda: render_text(doc, brand.footer),
        "md": lambda: render_markdown(doc),
        "json": lambda: render_json(doc),
    }
    return renderers[fmt]()
