"""Renderers: a report Document to HTML email, plain text, Markdown and JSON. They never read a
source."""

from __future__ import annotations

import json

from boardpack.render.branding import PLAIN, Brand
from boardpack.render.html import render_html
from boardpack.render.markdown import render_markdown
from boardpack.render.text import render_text
from boardpack.reports.document import Document, to_json

FORMATS = ("html", "txt", "md", "json")
BINARY_FORMATS = ("xlsx",)  # `build --format xlsx`: written as bytes (render.xlsx)


def render_json(doc: Document) -> str:
    # "<" escaped so the JSON is safe to embed in an HTML page as well
    return json.dumps(to_json(doc), indent=2, ensure_ascii=False).replace("<", "\\u003c") + "\n"


RENDERERS = {
    "html": lambda doc, brand: render_html(doc, brand=brand),
    "txt": lambda doc, brand: render_text(doc, brand.footer),
    "md": lambda doc, brand: render_markdown(doc),
    "json": lambda doc, brand: render_json(doc),
}


def render(doc: Document, fmt: str, brand: Brand = PLAIN) -> str:
    """A report in one format; the brand (logo, colours, footer, templates) shapes the HTML and the
    text."""
    return RENDERERS[fmt](doc, brand)
