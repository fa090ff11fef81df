"""Year on year (issue 23, part 2): each metric beside the same period a year earlier, where the
ledger reaches back to it, in every form of the report."""

from __future__ import annotations

import json
from decimal import Decimal

from boardpack.config import load_workspace
from boardpack.pipeline import build_pack
from boardpack.render import render
from boardpack.reports.plain import plain
from tests.conftest import AS_OF, GENERATED_AT, LEDGER, write_workspace

# October 2025 sold 800 and paid 2,000 rent; the conftest ledger's October 2026 sold 1,200
YEAR_AGO = """\
2025-10-05,Acme,Last October,800.00,Income:Sales
2025-10-10,Landlord,Rent,-2000.00,Expenses:Rent
"""


def cfo_pack(tmp_path, ledger):
    root = write_workspace(tmp_path / "ws", files={"ledger/bank.csv": ledger})
    return build_pack(load_workspace(root, environ={}), AS_OF, ["cfo"], GENERATED_AT)


def cfo(tmp_path, ledger):
    return cfo_pack(tmp_path, ledger).documents[0]


def test_a_metric_shows_its_move_against_the_same_month_last_year(tmp_path):
    header, rows = LEDGER.split("\n", 1)
    doc = cfo(tmp_path, f"{header}\n{YEAR_AGO}{rows}")
    assert doc.year_earlier_title == "October 2025"
    assert doc.year_earlier["finance.revenue"] == Decimal("800.00")
    revenue = next(m for m in plain(doc)["headline"] if m["id"] == "finance.revenue")
    assert revenue["change_on_year"] == Decimal("400.00")
    text = " ".join(render(doc, "txt").split())  # as read, not as wrapped at 78 columns
    assert "▲ 400.00 USD against October 2025" in text
    assert "▲ 400.00 USD against October 2025" in render(doc, "md")
    assert "▲ 400.00 USD against October 2025" in render(doc, "html")
    items = [
        i
        for s in json.loads(render(doc, "json"))["sections"]
        for b in s["blocks"]
        if b["type"] == "metrics"
        for i in b["items"]
    ]
    assert next(i for i in items if i["id"] == "finance.revenue")["year_earlier"] == "800.00"


def test_no_year_earlier_where_the_ledger_does_not_reach_back(tmp_path):
    doc = cfo(tmp_path, LEDGER)  # starts in July 2026
    assert doc.year_earlier == {}
    assert "against October 2025" not in render(doc, "txt")
