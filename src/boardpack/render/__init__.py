"""Renderers: a report Document to HTML email, plain text, Markdown and JSON. They never read a source."""

from __future__ import annotations

import json

from boardpack.render.html import render_html
from boardpack.render.markdown import render_markdown
from boardpack.render.text import render_text
from boardpack.reports.document import Document, to_json

FORMATS = ("html", "txt", "md", "json")


def render_json(doc: Document) -> str:
    # "<" escaped so the JSON is safe to embed in an HTML page as well
    return json.dumps(to_json(doc), indent=2, ensure_ascii=False).replace("<", "\\u003c") + "\n"


RENDERERS = {"html": render_html, "txt": render_text, "md": render_markdown, "json": render_json}


def render(doc: Document, fmt: str) -> str:
    return RENDERERS[fmt](doc)
