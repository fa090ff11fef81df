"""One walk over the blocks for every format: text and Markdown are written block by block in the
HTML template's order, and a block type no format can forget. Golden files for a venture report and
a whole email.
"""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest

from boardpack.delivery.plan import plan_messages
from boardpack.render import render
from boardpack.render.text import TextWriter
from boardpack.render.walk import BLOCK_TYPES, Writer
from boardpack.reports.document import Block
from boardpack.reports.edit import edited
from tests.conftest import GENERATED_AT

TEMPLATE = (
    Path(__file__).resolve().parents[2]
    / "src"
    / "boardpack"
    / "render"
    / "templates"
    / "report.html.j2"
)


def test_every_block_type_is_a_method_of_every_writer_and_a_branch_of_the_html_template():
    types = {
        (
            typing.get_args(cls.__annotations__["type"])[0]
            if isinstance(cls.__annotations__["type"], type)
            else cls.__dataclass_fields__["type"].default
        )
        for cls in typing.get_args(Block)
    }
    assert types == set(BLOCK_TYPES)
    assert set(BLOCK_TYPES) <= Writer.__abstractmethods__
    branches = set(re.findall(r'block\.type == "(\w+)"', TEMPLATE.read_text()))
    assert branches == set(BLOCK_TYPES) - {
        "text"
    }  # text is the template's last branch, its {% else %}


def test_a_format_that_forgets_a_block_type_cannot_be_built():
    class Forgetful(TextWriter):
        chart = Writer.chart  # as if the format had never written charts

    with pytest.raises(TypeError, match="chart"):
        Forgetful(None)


@pytest.mark.parametrize("fmt", ["txt", "md"])
def test_text_and_markdown_show_the_blocks_in_the_html_order(pack, fmt):
    for doc in pack.documents:
        headings = [s.title for s in doc.sections] + [
            b.table.title for s in doc.sections for b in s.blocks if b.type == "table"
        ]
        html, other = render(doc, "html"), render(doc, fmt)
        order = sorted(
            headings,
            key=lambda h: html.find(">" + h.replace("&", "&amp;").replace("'", "&#39;") + "</h"),
        )
        # as a heading: the summary's sentences may name a section too
        text = other.upper()
        places = [
            (
                min(
                    i
                    for i in (text.find(f"## {h}\n"), text.find(f"**{h}**"))
                    if i >= 0
                )
                if fmt == "md"
                else max(text.find(f"\n{h}\n-"), text.find(f"\n{h}:"))  # a title, underlined
            )
            for h in (h.upper().replace("&", "&amp;") if fmt == "md" else h.upper() for h in order)
        ]
        assert all(p >= 0 for p in places) and places == sorted(places), doc.id


def test_markdown_has_the_key_numbers_with_their_change_and_the_chart_notes(pack):
    cfo = next(d for d in pack.documents if d.id == "cfo")
    text = render(cfo, "md")
    assert (
        "## Key numbers" in text
        and "since September 2026" in text.split("## Key numbers")[1].split("##")[0]
    )
    notes = [b.note for s in cfo.sections for b in s.blocks if b.type == "chart" and b.note]
    assert notes and all(note in text for note in notes)


@pytest.mark.parametrize("fmt", ["txt", "md"])
@pytest.mark.parametrize("report", ["ceo", "board"])
@pytest.mark.parametrize("email", [False, True], ids=["whole", "email"])
def test_golden_demo_executive_reports(demo_pack, golden, fmt, report, email):
    """The demo's CEO report and board summary as a new user first reads them — whole, and as the
    email its recipients get — reviewed by reading them. A secret's fingerprint is keyed per
    workspace (never the same twice): it is masked."""
    doc = next(d for d in demo_pack.documents if d.id == report)
    text = render(edited(doc).doc if email else doc, fmt)
    name = f"demo-{report}{'-email' if email else ''}.{fmt}"
    golden(name, re.sub(r"(fingerprint\s+)[0-9a-f]{16}", r"\1<keyed>", text))


def test_golden_venture_report(demo_pack, golden):
    golden(
        "entity-rental.txt",
        render(next(d for d in demo_pack.documents if d.id == "entity-rental"), "txt"),
    )


def test_golden_email(pack, golden):
    """The whole message as it goes: headers, the text and HTML parts (MIME boundaries are random).
    """
    (cfo,), _ = plan_messages(
        pack.workspace, [d for d in pack.documents if d.id == "cfo"], GENERATED_AT
    )
    text = cfo.raw.decode().replace("\r\n", "\n")  # SMTP line endings; the file keeps its own
    for boundary in set(re.findall(r'boundary="([^"]+)"', text)):
        text = text.replace(boundary, "<BOUNDARY>")
    golden("cfo.eml", text)
