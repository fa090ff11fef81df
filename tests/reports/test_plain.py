"""The plain-data form of a report, on its own: what it says where there is nothing, how a figure
and its moves read, a finding's and an action's standing — and every format showing the same thing
for each of the bad inputs (issue 37)."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest

from boardpack.figures import NO_DATA
from boardpack.model import direction
from boardpack.render.html import render_html
from boardpack.render.markdown import render_markdown
from boardpack.render.text import render_text
from boardpack.render.xlsx import render_xlsx
from boardpack.reports.document import (
    NO_DATA_TEXT,
    NO_ROWS,
    ActionsBlock,
    ChartBlock,
    FindingsBlock,
    MetricsBlock,
    Section,
    TableBlock,
)
from boardpack.reports.plain import content_hash, json_form, plain, standing
from tests.reports.documents import AS_OF, action, document, finding, metric, table


def bad_inputs():
    """A document with an empty section, a table and a chart with no rows, a metric with no value,
    a finding with no action and an action with no due date."""
    nothing = metric("finance.runway", value=None, unit="months", label="Runway")
    chart = ChartBlock(id="finance.trend", title="Cash by month", unit="USD", series=("cash",),
                       rows=())  # fmt: skip
    return document(
        Section(id="empty", title="Nothing here", blocks=()),
        Section(
            id="figures",
            title="Figures",
            blocks=(
                MetricsBlock(items=(nothing,)),
                TableBlock(table=table()),
                chart,
                FindingsBlock(items=(finding("Key in a repository", action=""),)),
                ActionsBlock(items=(action("Agree the budget", due=None),)),
            ),
        ),
        footnotes=(nothing,),
    )


def html_text(doc) -> str:
    body = render_html(doc)
    body = re.sub(r"<style.*?</style>", "", body[body.find("<body") :], flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def workbook_text(doc) -> str:
    book = openpyxl.load_workbook(BytesIO(render_xlsx(doc, "USD")))
    return "\n".join(
        str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value
    )


FORMATS = {
    "text": lambda doc: " ".join(render_text(doc).split()),
    "markdown": lambda doc: " ".join(render_markdown(doc).split()),
    "html": html_text,
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_bad_input_reads_the_same_in_every_format(fmt):
    shown = FORMATS[fmt](bad_inputs())
    # the empty section says so, under its title
    assert re.search(r"nothing here\W+" + re.escape(NO_DATA_TEXT), shown, re.I), shown
    # the table and the chart with no rows: their titles, and that they have none (no empty grid)
    assert re.search(r"Open invoices\W+" + re.escape(NO_ROWS), shown), shown
    assert re.search(r"Cash by month\W+\(USD\)\W+" + re.escape(NO_ROWS), shown), shown
    assert "Client" not in shown
    # the metric with no value: its label, then a dash
    assert re.search(r"Runway\W*(\[1\]|1)?\W*" + NO_DATA, shown), shown
    # the finding with no action: no arrow; the action with no date: a dash for it
    assert "→" not in shown and "->" not in shown
    assert re.search(r"Agree the budget\W+cfo\W+(due )?" + NO_DATA, shown), shown


def test_the_workbook_says_the_same_for_each_bad_input():
    shown = workbook_text(bad_inputs())
    assert f"Nothing here\ntext\n{NO_DATA_TEXT}" in shown
    assert f"Open invoices: {NO_ROWS}" in shown and f"Cash by month: {NO_ROWS}" in shown
    assert f"Runway: {NO_DATA}" in shown  # on the Report sheet, and the Figures sheet shows it
    assert f"Runway\n{NO_DATA}\nmonths" in shown
    findings = openpyxl.load_workbook(BytesIO(render_xlsx(bad_inputs(), "USD")))["Findings"]
    header, row = [r for r in findings.iter_rows(min_row=2, values_only=True)][:2]
    assert row[header.index("Action")] is None  # no action: an empty cell, not a made-up one
    actions = openpyxl.load_workbook(BytesIO(render_xlsx(bad_inputs(), "USD")))["Actions"]
    header, row = [r for r in actions.iter_rows(min_row=2, values_only=True)][:2]
    assert row[header.index("Due")] == NO_DATA


def test_the_plain_form_of_nothing():
    data = plain(bad_inputs())
    empty, figures = data["sections"]
    assert empty["blocks"] == [{"type": "text", "text": NO_DATA_TEXT, "tone": "info"}]
    by_type = {b["type"]: b for b in figures["blocks"]}
    assert by_type["table"]["table"]["rows"] == [] and by_type["table"]["table"]["empty"] == NO_ROWS
    assert by_type["chart"]["empty"] == NO_ROWS
    (runway,) = by_type["metrics"]["items"]
    assert (runway["value"], runway["shown"], runway["moves"]) == (None, NO_DATA, [])
    (found,) = by_type["findings"]["items"]
    assert (found["action"], found["standing"]) == ("", "")
    (todo,) = by_type["actions"]["items"]
    assert (todo["due"], todo["due_shown"], todo["overdue"]) == (None, NO_DATA, False)
    # the JSON form keeps the table by its id, with no rows; the section says it has nothing
    form = json_form(data)
    table_json = next(b for b in form["sections"][1]["blocks"] if b["type"] == "table")
    assert (table_json["id"], table_json["rows"]) == ("finance.invoices", [])
    assert form["sections"][0]["blocks"][0]["text"] == NO_DATA_TEXT


def test_a_table_with_rows_says_nothing_of_empty_rows():
    row = {"client": "Bluefin", "amount": Decimal("10.00")}
    doc = document(Section(id="s", title="S", blocks=(TableBlock(table=table(row)),)))
    data = plain(doc)["sections"][0]["blocks"][0]["table"]
    assert data["empty"] == "" and data["rows"] == [row]
    assert NO_ROWS not in render_text(doc) and "Bluefin" in render_text(doc)


def test_a_figure_reads_with_its_moves_against_each_earlier_period():
    cash = metric("finance.cash", Decimal("1200.00"))
    doc = document(
        Section(id="s", title="S", blocks=(MetricsBlock(items=(cash,)),)),
        footnotes=(cash,),
        previous={"finance.cash": Decimal("1000.00")},
        year_earlier={"finance.cash": Decimal("1500.00")},
    )
    (shown,) = plain(doc)["sections"][0]["blocks"][0]["items"]
    assert shown["shown"] == "1,200.00 USD" and shown["footnote"] == 1
    assert (shown["change"], shown["change_on_year"]) == (Decimal("200.00"), Decimal("-300.00"))
    assert shown["moves"] == [
        "▲ 200.00 USD since September 2026, better",
        "▼ 300.00 USD against October 2025, worse",
    ]
    assert (shown["direction"], shown["direction_on_year"]) == ("better", "worse")
    assert shown["footnote_text"] == "Cash (finance.cash): Source: ledger"


def test_a_date_or_a_missing_earlier_value_has_no_move():
    due = metric("finance.cash_low_date", date(2027, 3, 1), unit="")
    doc = document(
        Section(id="s", title="S", blocks=(MetricsBlock(items=(due,)),)),
        footnotes=(due,),
        previous={"finance.cash_low_date": date(2027, 2, 1)},
    )
    (shown,) = plain(doc)["sections"][0]["blocks"][0]["items"]
    assert (shown["change"], shown["moves"]) == (None, [])


def test_footnotes_are_numbered_in_the_order_they_are_given():
    first, second = metric("a.one"), metric("a.two")
    doc = document(
        Section(id="s", title="S", blocks=(MetricsBlock(items=(second, first)),)),
        footnotes=(first, second),
    )
    items = plain(doc)["sections"][0]["blocks"][0]["items"]
    assert [(m["id"], m["footnote"]) for m in items] == [("a.two", 2), ("a.one", 1)]


@pytest.mark.parametrize(
    ("status", "age", "said"),
    [("new", 1, "new"), ("recurring", 3, "open 3 periods"), (None, 0, "")],
)
def test_a_finding_s_standing(status, age, said):
    assert standing(finding(status=status, age=age)) == said


def test_an_action_is_late_only_after_its_due_date_and_says_by_how_many_days():
    doc = document(
        Section(id="s", title="S", blocks=(ActionsBlock(items=(
            action("yesterday", due=date(2026, 11, 14)),
            action("last month", due=date(2026, 10, 13)),
            action("today", due=AS_OF),
            action("soon", due=date(2026, 12, 1)),
        )),)),  # fmt: skip
    )
    items = plain(doc)["sections"][0]["blocks"][0]["items"]
    assert [(a["title"], a["priority"], a["overdue"], a["late_shown"]) for a in items] == [
        ("yesterday", 1, True, "1 day late"),
        ("last month", 2, True, "33 days late"),
        ("today", 3, False, ""),
        ("soon", 4, False, ""),
    ]
    for fmt, shown in FORMATS.items():
        said = shown(doc)
        assert "1 day late" in said.lower() and "33 days late" in said.lower(), fmt
        assert said.lower().count(" late") == 2, fmt  # the two past their date, no other


def test_the_content_hash_is_of_what_is_read_not_when_it_was_made():
    doc = bad_inputs()
    later = document(*doc.sections, footnotes=doc.footnotes,
                     generated_at=doc.generated_at.replace(hour=9))  # fmt: skip
    assert content_hash(later) == content_hash(doc)
    retitled = document(*doc.sections, footnotes=doc.footnotes, title="CFO report, again")
    assert content_hash(retitled) != content_hash(doc)


def test_the_plain_form_is_made_once_a_document_and_a_changed_copy_has_its_own():
    """Every format, the editor and the hash read the one walk of a document; a copy with a change
    (dataclasses.replace, as the editor makes) is walked anew, and the original keeps its own."""
    doc = bad_inputs()
    shown, whole = plain(doc), plain(doc, whole=True)
    assert plain(doc) is shown and plain(doc, whole=True) is whole and shown is not whole
    retitled = replace(doc, title="CFO report, again", sections=doc.sections[:1])
    assert plain(retitled)["title"] == "CFO report, again"
    assert len(plain(retitled)["sections"]) == 1
    assert plain(doc)["title"] == "CFO report" and len(plain(doc)["sections"]) > 1


@pytest.mark.parametrize(
    ("id", "up"),
    [
        ("finance.revenue", "better"),
        ("finance.cash_balance", "better"),
        ("hauling.margin_percent", "better"),
        ("finance.runway_months", "better"),
        ("executive.actions_done", "better"),
        ("finance.net_burn", "worse"),
        ("rental.operating_expenses", "worse"),
        ("cloud.cost", "worse"),
        ("executive.open_findings", "worse"),
        ("executive.actions_slipped", "worse"),
        ("technology.lead_time_days", "worse"),
        ("finance.break_even_revenue", "worse"),  # a revenue, but a higher bar to clear
        ("finance.net_income_gap", "worse"),
        ("accounting.cash_flow_investing", "neutral"),  # cash, but neither way better
        ("accounting.deferred_revenue", "neutral"),
        ("finance.net_income_budget", "neutral"),
        ("plugin.visitors_seen_twice", "neutral"),  # words no rule knows: shown, not judged
    ],
)
def test_a_change_is_better_worse_or_neutral_by_the_figure_s_direction(id, up):
    opposite = {"better": "worse", "worse": "better", "neutral": "neutral"}
    assert direction(metric(id), Decimal("5")) == up
    assert direction(metric(id), Decimal("-5")) == opposite[up]
    assert direction(metric(id), Decimal("0")) == "neutral"
    assert direction(metric(id), None) is None


def test_a_metric_may_say_which_way_is_better_itself():
    assert direction(metric("plugin.visitors", better="more"), 3) == "better"
    assert direction(metric("finance.revenue", better="less"), 3) == "worse"


def test_every_format_says_better_or_worse_in_words_and_html_adds_colour():
    cost = metric("finance.net_burn", Decimal("8185.76"), label="Net burn")
    doc = document(
        Section(id="s", title="S", blocks=(MetricsBlock(items=(cost,)),)),
        footnotes=(cost,),
        headline=(cost,),  # the key numbers, where every format shows a figure's moves
        previous={"finance.net_burn": Decimal("5000.00")},
    )
    for fmt, shown in FORMATS.items():
        assert "▲ 3,185.76 USD since September 2026, worse" in shown(doc), fmt
    assert 'class="tile-change move-worse"' in render_html(doc)
    (block,) = json_form(plain(doc, whole=True))["sections"][0]["blocks"]
    assert block["items"][0]["direction"] == "worse"


def test_each_key_number_once_for_its_reader_and_whole_in_the_json_form(demo_pack):
    """The CEO's tiles are not said again in "The period at a glance" in any format a person reads;
    the JSON form (the data) keeps every section's figures."""
    ceo = next(d for d in demo_pack.documents if d.id == "ceo")
    key = [m.id for m in ceo.headline]
    assert key == [
        "finance.cash_balance",
        "finance.runway_months",
        "finance.revenue",
        "accounting.net_income",
    ]

    def shown(data):
        return [
            m["id"]
            for s in data["sections"]
            for b in s["blocks"]
            if b["type"] == "metrics"
            for m in b["items"]
        ]

    assert not set(key) & set(shown(plain(ceo)))
    assert set(shown(plain(ceo))) >= {"finance.net_burn", "executive.open_findings"}
    assert set(key) <= set(shown(json_form(plain(ceo, whole=True))))
    text = render_text(ceo)
    for label in ("Cash balance [1]", "Runway [2]", "Revenue [3]", "Net income [4]"):
        assert text.count(label) == 1, label
