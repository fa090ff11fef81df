"""Small documents for the reports' own tests, built by hand: each test says what it holds."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from boardpack.model import Action, Column, Finding, Metric, Table
from boardpack.reports.document import Document, Section

AS_OF = date(2026, 11, 15)


def metric(id: str = "finance.cash", value=Decimal("1200.00"), unit: str = "USD", **more) -> Metric:
    fields = {"label": id.split(".")[-1].title(), "provenance": ("ledger",)} | more
    return Metric(id=id, value=value, unit=unit, **fields)


def table(*rows: dict, id: str = "finance.invoices", title: str = "Open invoices") -> Table:
    columns = (Column.text("client", "Client"), Column.number("amount", "Amount"))
    return Table(id=id, title=title, columns=columns, rows=rows)


def finding(title: str = "Key in a repository", **more) -> Finding:
    fields = {"severity": "high", "area": "security", "evidence": "app.py:3", "action": ""} | more
    return Finding(title=title, **fields)


def action(title: str = "Agree the budget", **more) -> Action:
    return Action(**({"priority": 1, "owner": "cfo", "title": title} | more))


def document(*sections: Section, **more) -> Document:
    footnotes = more.pop("footnotes", ())
    fields = {
        "id": "cfo",
        "title": "CFO report",
        "subject": "CFO report — October 2026",
        "organization": "Small Co",
        "ventures": ("Small Co",),
        "period": "2026-10",
        "period_title": "October 2026",
        "as_of": AS_OF,
        "generated_at": datetime(2026, 11, 15, 6, tzinfo=UTC),
        "sources": (),
        "previous_title": "September 2026",
        "year_earlier_title": "October 2025",
    } | more
    return Document(sections=sections, footnotes=footnotes, **fields)
