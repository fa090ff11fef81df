"""The email a report is sent as (reports/edit.py): within its screens, sections by rank, each whole
or shortened or left to the full report, which the closing line names."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from boardpack.reports import length
from boardpack.reports.document import (
    APPENDIX,
    TO_APPENDIX,
    ActionsBlock,
    FindingsBlock,
    MetricsBlock,
    Section,
    TableBlock,
    TextBlock,
)
from boardpack.reports.edit import FULL_REPORT, edited, full_report_name, material_rows
from boardpack.reports.plain import plain
from tests.reports.documents import action, document, finding, metric, table

WORDS = "A sentence of the kind a report is made of, long enough to wrap on a phone. "


def prose(sid: str, paragraphs: int) -> Section:
    """A section of `paragraphs` text blocks (about 66 px each on a phone)."""
    return Section(id=sid, title=sid.title(), blocks=(TextBlock(text=WORDS),) * paragraphs)


def estimated(doc) -> float:
    """The email's height to its closing line, as the editor estimates it."""
    data = plain(doc)
    shown = [s for s in data["sections"] if s["id"] != FULL_REPORT]
    return length.head(data) + length.key_numbers(data) + sum(map(length.section, shown))


def test_a_report_without_a_budget_is_sent_whole():
    doc = document(prose("a", 50))
    assert edited(doc).doc is doc and not edited(doc).cut


def test_a_report_that_fits_is_sent_whole_with_each_key_number_once():
    cash = metric("finance.cash_balance")
    doc = document(
        Section(id="glance", title="Glance", blocks=(MetricsBlock(items=(cash, metric("a.b"))),)),
        prose("story", 2),
        headline=(cash,),
        screens=3,
    )
    email = edited(doc)
    assert not email.cut and not email.left_out
    assert [s.id for s in email.doc.sections] == ["glance", "story"]  # no closing line
    (glance,) = email.doc.sections[0].blocks
    assert [m.id for m in glance.items] == ["a.b"]  # the cash balance is in the tiles
    assert [m.id for m in doc.sections[0].blocks[0].items] == ["finance.cash_balance", "a.b"]


def test_sections_go_by_rank_until_the_budget_and_the_closing_line_names_the_rest():
    doc = document(
        prose("first", 10),
        prose("second", 30),  # too long for what is left, even shortened (text is not shortened)
        prose("third", 5),  # fits after the second is left out
        prose("fourth", 30),
        screens=2,
    )
    email = edited(doc)
    assert [s.id for s in email.doc.sections] == ["first", "third", FULL_REPORT]
    assert email.left_out == ("Second", "Fourth") and email.cut and not email.over
    (line,) = email.doc.sections[-1].blocks
    assert line.text == (
        f"Attached as {full_report_name(doc)}: this report whole, every table with all its rows."
        " It also has Second, Fourth."
    )
    assert estimated(email.doc) <= 2 * length.SCREEN * length.MARGIN


def test_the_first_section_is_kept_even_alone_longer_than_the_budget():
    email = edited(document(prose("long", 60), prose("next", 1), screens=1))
    assert [s.id for s in email.doc.sections] == ["long", FULL_REPORT] and email.over
    assert email.left_out == ("Next",)


def test_lists_are_shortened_to_their_first_and_the_rest_counted():
    found = tuple(finding(f"finding {n}", severity="high", evidence=WORDS * 2) for n in range(12))
    doc = document(
        Section(id="risks", title="Risks", blocks=(FindingsBlock(items=found),)), screens=2
    )
    email = edited(doc)
    kept, said = email.doc.sections[0].blocks
    assert kept.items == found[: len(kept.items)] and len(kept.items) in (1, 3)
    assert said.text == f"And {12 - len(kept.items)} more findings in the full report."


def test_the_agenda_s_appendix_stays_in_the_full_report_and_is_counted():
    todo = tuple(action(f"step {n}") for n in range(1, 41))
    agenda = Section(id="executive.agenda", title="Agenda", blocks=(
        ActionsBlock(items=todo[:10]), TextBlock(text=f"30 more actions {TO_APPENDIX}"),
    ))  # fmt: skip
    rest = Section(id=APPENDIX, title="Appendix: 30 more actions", blocks=(
        ActionsBlock(items=todo[10:]),))  # fmt: skip
    email = edited(document(agenda, rest, screens=1))
    assert [s.id for s in email.doc.sections] == ["executive.agenda", FULL_REPORT]
    shown, said = email.doc.sections[0].blocks
    assert said.text == f"And {40 - len(shown.items)} more actions in the full report."
    assert TO_APPENDIX not in str(email.doc.sections)


def months(*labels: str):
    return table(
        *({"client": label, "amount": Decimal(n)} for n, label in enumerate(labels, start=1))
    )


def test_a_table_by_month_keeps_the_months_up_to_the_one_reported():
    history = months(*(f"2026-{m:02d}" for m in range(1, 13)))  # to December; October reported
    doc = document()
    kept = [r["client"] for r in material_rows(history, doc, 3)]
    assert kept == ["2026-08", "2026-09", "2026-10"]
    forecast = months("2026-11", "2026-12", "2027-01", "2027-02")
    assert [r["client"] for r in material_rows(forecast, doc, 2)] == ["2026-11", "2026-12"]


def test_another_table_keeps_its_period_and_totals_then_the_largest_amounts():
    rows = table(
        {"client": "Small", "amount": Decimal("5")},
        {"client": "October 2026", "amount": Decimal("1")},  # the period reported
        {"client": "Large", "amount": Decimal("-900")},  # large by its size
        {"client": "Middle", "amount": Decimal("50")},
        {"client": "Total", "amount": Decimal("10")},
    )
    kept = material_rows(rows, document(), 3)
    assert [r["client"] for r in kept] == ["October 2026", "Large", "Total"]
    assert [r["client"] for r in material_rows(rows, document(), 4)] == [
        "October 2026", "Large", "Middle", "Total",
    ]  # fmt: skip


def test_a_shortened_table_says_how_many_rows_the_full_report_has():
    big = replace(months(*(f"2025-{m:02d}" for m in range(1, 13))), title="By month")
    doc = document(
        Section(id="t", title="T", blocks=(TableBlock(table=big),)),
        prose("after", 12),
        screens=2,
    )
    shown = edited(doc).doc.sections[0].blocks
    assert len(shown[0].table.rows) in (3, 5)
    assert shown[1].text == f"And {12 - len(shown[0].table.rows)} more rows in the full report."
