"""Clients from the books (issue 40, part 3): each venture's customers by their share of the last
twelve months' revenue, first and last engagement, new and lost; one customer spelled two ways is
one; a note's share the books contradict by more than 5 points is a finding. Worked by hand."""

from __future__ import annotations

from decimal import Decimal

from boardpack.config import load_workspace
from boardpack.pipeline import build_pack
from tests.conftest import AS_OF, GENERATED_AT, write_workspace

TOML = """\
[organization]
name = "Advice Co"
timezone = "America/Los_Angeles"

[[entities]]
id = "advice"
name = "Advice Co"
kind = "services"

[[sources.ledger]]
path = "bank.csv"
entity = "advice"
[sources.ledger.columns]
date = "Date"
amount = "Amount"
account = "Account"
counterparty = "Payee"

[sources.notes]
paths = ["notes/*.md"]

[delivery]
transport = "outbox"
from = "reports@example.com"
"""
# the last twelve months (November 2025 – October 2026): Bluefin 6,000 (two spellings), Cedar 3,000
# (last paid in July: lost), Alder 1,000 (first in October: new); Dunmore paid only in 2024
LEDGER = """\
Date,Payee,Amount,Account
2024-06-10,Dunmore County,5000.00,Income:Consulting
2026-02-10,Bluefin Logistics,3000.00,Income:Consulting
2026-05-10,Cedar & Co,1500.00,Income:Consulting
2026-07-10,Cedar & Co.,1500.00,Income:Consulting
2026-09-10,BLUEFIN LOGISTICS LLC,3000.00,Income:Consulting
2026-10-12,Alder Health,1000.00,Income:Consulting
2026-10-20,Landlord,-900.00,Expenses:Rent
"""
NOTE = """\
---
entity: advice
title: Advice Co handoff
risks:
  - title: Bluefin Logistics is 45% of consulting revenue
    severity: medium
    area: finance
    action: Win another anchor client
---
# Advice Co
"""


def test_customers_by_share_new_and_lost_and_a_contradicted_note(tmp_path):
    root = write_workspace(
        tmp_path / "ws", TOML, {"bank.csv": LEDGER, "notes/advice.md": NOTE, "notes/co.md": None}
    )
    pack = build_pack(load_workspace(root, environ={}), AS_OF, generated_at=GENERATED_AT)
    rows = [
        (r["customer"], r["revenue"], r["share"], r["engaged"], r["state"], r["also"])
        for r in pack.results.tables["advice.customers"].rows
    ]
    assert rows == [
        ("BLUEFIN LOGISTICS LLC", Decimal("6000.00"), Decimal("60.0"), "2026-02 – 2026-09", "",
         "Bluefin Logistics"),
        ("Cedar & Co", Decimal("3000.00"), Decimal("30.0"), "2026-05 – 2026-07", "lost",
         "Cedar & Co."),
        ("Alder Health", Decimal("1000.00"), Decimal("10.0"), "2026-10 – 2026-10", "new", ""),
    ]  # fmt: skip
    assert pack.results.metrics["advice.top_customer_share"].value == Decimal("60.0")
    (found,) = [f for f in pack.results.findings if "the books" in f.title]
    assert found.title == "BLUEFIN LOGISTICS LLC: notes/advice.md says 45%, the books 60.0%"


def test_a_note_within_five_points_of_the_books_is_no_finding(tmp_path):
    root = write_workspace(
        tmp_path / "ws",
        TOML,
        {"bank.csv": LEDGER, "notes/advice.md": NOTE.replace("45%", "58%"), "notes/co.md": None},
    )
    pack = build_pack(load_workspace(root, environ={}), AS_OF, generated_at=GENERATED_AT)
    assert not [f for f in pack.results.findings if "the books" in f.title]


def test_the_cfo_sees_each_ventures_concentration_and_the_customers_no_report_shows(tmp_path):
    """Advice Co has no venture report ([entities.practice] is not set): its customers are in the
    CFO's section whole; the concentration line: 3 paying, Bluefin 60%, top three 100%, Alder new,
    Cedar lost."""
    root = write_workspace(
        tmp_path / "ws", TOML, {"bank.csv": LEDGER, "notes/advice.md": NOTE, "notes/co.md": None}
    )
    pack = build_pack(load_workspace(root, environ={}), AS_OF, generated_at=GENERATED_AT)
    (line,) = pack.results.tables["finance.customer_concentration"].rows
    assert line == {
        "venture": "Advice Co",
        "customers": 3,
        "largest": "BLUEFIN LOGISTICS LLC",
        "share": Decimal("60.0"),
        "top3": Decimal("100.0"),
        "new": 1,
        "lost": 1,
    }
    assert not any(d.id == "entity-advice" for d in pack.documents)
    # one venture, its customers in full: the concentration line would only repeat them
    assert shown_in_cfo(pack) == ["advice.customers"]


def shown_in_cfo(pack) -> list[str]:
    cfo = next(d for d in pack.documents if d.id == "cfo")
    (section,) = [s for s in cfo.sections if s.id == "finance.customers"]
    return [b.table.id for b in section.blocks]


def test_beside_a_venture_with_its_own_report_both_lines_and_the_unreported_list(tmp_path):
    """A second venture, a practice with its own report (its customers there): the CFO sees both
    ventures' lines, then Advice Co's customers, which no other report shows."""
    toml = TOML + (
        '\n[[entities]]\nid = "law"\nname = "Law Co"\nkind = "services"\n'
        '[entities.practice]\ntimesheets = "hours.csv"\nclients = ["Orca Bank"]\n\n'
        '[[sources.ledger]]\npath = "law.csv"\nentity = "law"\n'
        '[sources.ledger.columns]\ndate = "Date"\namount = "Amount"\naccount = "Account"\n'
        'counterparty = "Payee"\n'
    )
    law = "Date,Payee,Amount,Account\n2026-10-03,Orca Bank,2500.00,Income:Legal\n"
    hours = "client,date,hours,rate\nOrca Bank,2026-10-03,10,250\n"
    root = write_workspace(
        tmp_path / "ws",
        toml,
        {
            "bank.csv": LEDGER,
            "law.csv": law,
            "hours.csv": hours,
            "notes/advice.md": NOTE,
            "notes/co.md": None,
        },
    )
    pack = build_pack(load_workspace(root, environ={}), AS_OF, generated_at=GENERATED_AT)
    summary = pack.results.tables["finance.customer_concentration"]
    assert [(r["venture"], r["largest"], r["share"]) for r in summary.rows] == [
        ("Advice Co", "BLUEFIN LOGISTICS LLC", Decimal("60.0")),
        ("Law Co", "Orca Bank", Decimal("100.0")),
    ]
    assert summary.note.startswith("Each venture's customers in full in its own report, or below.")
    assert shown_in_cfo(pack) == ["finance.customer_concentration", "advice.customers"]
    assert "law.customers" in [s.id for s in next(
        d for d in pack.documents if d.id == "entity-law"
    ).sections]
