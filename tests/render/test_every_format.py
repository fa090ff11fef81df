"""Every format shows everything (issue 37): generated documents — every block type, empty sections,
tables without rows, metrics without a value, findings without an action, actions without a date —
rendered as text, Markdown, HTML and XLSX, and every word of the document is found in each.

Each text of a generated document that a reader is shown is a word of its own (`w17`), so a renderer
that drops a field, a block or an item is caught by the word it did not write. (A finding's area and
venture, and every id, are data: the JSON form and the workbook hold them, the letter does not.)
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boardpack.model import Action, Column, Finding, Metric, Table
from boardpack.render.html import render_html
from boardpack.render.markdown import render_markdown
from boardpack.render.text import render_text
from boardpack.render.xlsx import render_xlsx
from boardpack.reports.document import (
    ActionsBlock,
    ChartBlock,
    Document,
    FindingsBlock,
    MetricsBlock,
    Section,
    SourceLine,
    TableBlock,
    TextBlock,
)
from boardpack.reports.plain import json_form, plain

AS_OF = date(2026, 11, 15)
VALUES = st.one_of(
    st.none(),
    st.integers(-10**6, 10**6),
    st.decimals(min_value=-10**6, max_value=10**6, places=2, allow_nan=False),
)


@dataclass
class Words:
    """Each text a document holds, unique, and every one of them, to look for."""

    count: itertools.count = field(default_factory=itertools.count)
    said: list[str] = field(default_factory=list)

    def __call__(self) -> str:
        word = f"w{next(self.count)}"
        self.said.append(word)
        return word

    def unsaid(self) -> str:
        """An id: unique, and not looked for (formats show labels, not ids)."""
        return f"id{next(self.count)}"


@st.composite
def documents(draw) -> tuple[Document, list[str]]:
    word = Words()
    metrics: list[Metric] = []

    def metric() -> Metric:
        found = Metric(
            id=f"m.{word.unsaid()}",
            label=word(),
            value=draw(VALUES),
            unit=draw(st.sampled_from(["", "USD", "%", "months"])),
            provenance=(word(),),
            target=draw(st.none() | st.decimals(min_value=0, max_value=10**4, places=2)),
            status=draw(st.sampled_from([None, "good", "warn", "bad"])),
            note=draw(st.sampled_from(["", "computed"])),
        )
        metrics.append(found)
        return found

    def block(kind: str):
        count = draw(st.integers(0 if kind == "table" else 1, 3))
        if kind == "metrics":
            return MetricsBlock(items=tuple(metric() for _ in range(count)))
        if kind == "table":
            # a table with no rows says so instead of its columns' names (reports/plain.NO_ROWS)
            label = word if count else word.unsaid
            columns = [Column.text("name", label()), Column.number("amount", label())]
            rows = tuple({"name": word(), "amount": draw(VALUES)} for _ in range(count))
            note = word() if draw(st.booleans()) else ""
            table = Table(id=f"t.{word.unsaid()}", title=word(), columns=tuple(columns), rows=rows,
                          note=note)  # fmt: skip
            return TableBlock(table=table)
        if kind == "findings":
            return FindingsBlock(
                items=tuple(
                    Finding(
                        severity=draw(st.sampled_from(["critical", "high", "medium", "low"])),
                        area="security",  # a data field (JSON, the workbook), not the letter's
                        title=word(),
                        evidence=word(),
                        action=word() if draw(st.booleans()) else "",
                        status=draw(st.sampled_from([None, "new", "recurring"])),
                        age=2,
                    )
                    for _ in range(count)
                )
            )
        if kind == "actions":
            return ActionsBlock(
                items=tuple(
                    Action(
                        priority=n,
                        owner=word(),
                        title=word(),
                        due=draw(st.none() | st.dates(date(2026, 1, 1), date(2027, 12, 31))),
                    )
                    for n in range(count)
                )
            )
        if kind == "chart":
            # one series is named by the chart's title (only a legend of several names each)
            series = (word(), word()) if draw(st.booleans()) else ("amount",)
            values = st.decimals(min_value=0, max_value=10**5, places=2)
            rows = tuple((word(), tuple(draw(values) for _ in series)) for _ in range(count))
            note = word() if draw(st.booleans()) else ""
            return ChartBlock(id=f"c.{word.unsaid()}", title=word(), unit="USD", series=series,
                              rows=rows, note=note)  # fmt: skip
        return TextBlock(text=word(), tone=draw(st.sampled_from(["info", "warn"])))

    kinds = st.sampled_from(["metrics", "table", "findings", "actions", "chart", "text"])
    sections = tuple(
        Section(id=f"s{n}", title=word(), blocks=tuple(block(k) for k in draw(st.lists(kinds))))
        for n in range(draw(st.integers(1, 4)))
    )
    headline = tuple(metric() for _ in range(draw(st.integers(0, 2))))
    doc = Document(
        id="cfo",
        title=word(),
        subject=word(),
        organization=word(),
        ventures=(word(),),
        period="2026-10",
        period_title="October 2026",
        as_of=AS_OF,
        generated_at=datetime(2026, 11, 15, 6, tzinfo=UTC),
        sources=(SourceLine(name=word(), state="fresh", freshness=None, records=1, paths=(),
                            problems=0),),  # fmt: skip
        sections=sections,
        footnotes=tuple(dict.fromkeys([*headline, *metrics])),
        headline=headline,
        previous={m.id: Decimal(1) for m in metrics[::2]},
        previous_title="September 2026",
    )
    return doc, word.said


def workbook_text(doc: Document) -> str:
    book = openpyxl.load_workbook(BytesIO(render_xlsx(doc, "USD")))
    return "\n".join(
        str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value
    )


FORMATS = {
    "text": render_text,
    "markdown": render_markdown,
    "html": lambda doc: render_html(doc),
    "xlsx": workbook_text,
}
# what a format leaves out by design, of the document's own fields (never a block or an item): the
# letter's subject is the email's, and the workbook is the data, not the letter around it
LEFT_OUT = {
    "text": {"subject", "ventures"},
    "markdown": {"subject", "ventures", "organization"},
    "xlsx": {"subject", "organization", "ventures", "sources"},
}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_every_format_shows_every_block_and_item(generated):
    doc, words = generated
    data = plain(doc)
    for name, render in FORMATS.items():
        shown = render(doc)
        left_out = {
            w for key in LEFT_OUT.get(name, ()) for w in words if w in str(data.get(key))
        } - {data["title"]}
        missing = [w for w in words if w not in left_out and not contains(shown, w)]
        assert missing == [], f"{name} leaves out {missing}"


def contains(shown: str, word: str) -> bool:
    """`word` as a whole word (w1 is not found inside w12), in any case (text writes titles in
    capitals)."""
    shown = shown.lower()
    at = shown.find(word)
    while at >= 0:
        end = at + len(word)
        if not (end < len(shown) and shown[end].isdigit()):
            return True
        at = shown.find(word, end)
    return False


@settings(max_examples=40, deadline=None)
@given(documents())
def test_the_json_form_is_made_from_the_plain_form_and_only_adds(generated):
    """Every block and item of the plain form is in the JSON form, in order."""
    doc, _ = generated
    data, form = plain(doc), json_form(plain(doc))
    assert [s["id"] for s in form["sections"]] == [s["id"] for s in data["sections"]]
    for plain_section, json_section in zip(data["sections"], form["sections"], strict=True):
        for b, j in zip(plain_section["blocks"], json_section["blocks"], strict=True):
            assert b["type"] == j["type"]
            assert len(b.get("items", [])) == len(j.get("items", []))
