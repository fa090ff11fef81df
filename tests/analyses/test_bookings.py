"""A bookings venture (issue 40, part 1): a charter business's bookings file — the order book by
week ahead, utilization per vessel, revenue per booking, cancellations, and its deposits reconciled
line by line with the deposit liability in the books. October 2026, worked by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from boardpack.config import load_workspace
from boardpack.pipeline import build_pack
from tests.conftest import AS_OF, GENERATED_AT, run_cli, write_workspace

TOML = """\
[organization]
name = "Bay Co"
timezone = "America/Los_Angeles"

[[entities]]
id = "boats"
name = "Bay Charters"
kind = "bookings"
unit = "charter"
assets = [
  { kind = "vessel", name = "Sea Lark" },
  { kind = "vessel", name = "Wind Dancer" },
]
[entities.bookings]
path = "bookings.csv"
columns = { booking_date = "Booked", service_date = "Sail date" }

[[sources.ledger]]
path = "ledger/bank.csv"
entity = "boats"
[sources.ledger.columns]
date = "Date"
amount = "Amount"
account = "Account"
counterparty = "Payee"
memo = "Memo"
service_start = "From"
service_end = "To"

[delivery]
transport = "outbox"
from = "reports@example.com"
"""
BOOKINGS = """\
Booked,Sail date,asset,customer,channel,amount,deposit,status
2026-09-01,2026-10-05,Sea Lark,J. Alvarez,website,1200.00,360.00,completed
2026-10-02,2026-10-20,Wind Dancer,M. Chen,google,2400.00,720.00,completed
2026-10-03,2026-10-20,Sea Lark,P. Okafor,website,1800.00,540.00,cancelled
2026-10-10,2026-11-14,Sea Lark,S. Larsen,website,1450.00,435.00,confirmed
2026-10-12,2026-11-21,Wind Dancer,R. Patel,listing-platforms,2200.00,660.00,confirmed
2026-10-15,2026-12-05,Sea Lark,K. Brooks,website,1200.00,360.00,cancelled
2026-10-30,2026-11-02,Wind Dancer,T. Nguyen,google,1800.00,0,confirmed
"""
# the deposits as the bank received them (held until the sail date), and the balances on the day
LEDGER = """\
Date,Payee,Memo,Amount,Account,From,To
2026-09-01,FareHarbor,DEPOSIT J. Alvarez,360.00,Liabilities:Customer Deposits,2026-10-05,2026-10-05
2026-10-02,FareHarbor,DEPOSIT M. Chen,720.00,Liabilities:Customer Deposits,2026-10-20,2026-10-20
2026-10-05,FareHarbor,BALANCE J. Alvarez,840.00,Income:Charters,2026-10-05,2026-10-05
2026-10-10,FareHarbor,DEPOSIT S. Larsen,435.00,Liabilities:Customer Deposits,2026-11-14,2026-11-14
2026-10-15,FareHarbor,DEPOSIT K. Brooks,360.00,Liabilities:Customer Deposits,2026-12-05,2026-12-05
2026-10-20,FareHarbor,BALANCE M. Chen,1680.00,Income:Charters,2026-10-20,2026-10-20
2026-10-25,FareHarbor,DEPOSIT walk-up,500.00,Liabilities:Customer Deposits,2026-11-30,2026-11-30
"""


def build(tmp_path, bookings=BOOKINGS):
    root = write_workspace(
        tmp_path / "ws",
        TOML,
        {"bookings.csv": bookings, "ledger/bank.csv": LEDGER, "notes/co.md": None},
    )
    return root, build_pack(load_workspace(root, environ={}), AS_OF, generated_at=GENERATED_AT)


def test_the_months_bookings_utilization_and_revenue_per_booking(tmp_path):
    _, pack = build(tmp_path)
    value = {k: m.value for k, m in pack.results.metrics.items() if k.startswith("boats.")}
    # made in October and not cancelled: Chen, Larsen, Patel, Nguyen
    assert value["boats.bookings"] == 4
    assert value["boats.booked_value"] == Decimal("7850.00")
    # served in October: Alvarez and Chen, 2 vessel-days of 62
    assert value["boats.served_value"] == Decimal("3600.00")
    assert value["boats.revenue_per_booking"] == Decimal("1800.00")
    assert value["boats.utilization"] == Decimal("3.2")
    assert value["boats.cancellations"] == 1  # Okafor's; Brooks's sail date is in December
    # what the bookings served were sold for is the books' revenue of the month
    assert pack.results.metrics["finance.revenue.boats"].value == value["boats.served_value"]
    per_asset = {r["asset"]: r for r in pack.results.tables["boats.utilization"].rows}
    assert (per_asset["Wind Dancer"]["days"], per_asset["Wind Dancer"]["revenue"]) == (
        1,
        Decimal("2400.00"),
    )


def test_the_order_book_by_week_ahead(tmp_path):
    _, pack = build(tmp_path)
    rows = [
        (r["week"], r["bookings"], r["value"], r["deposits"])
        for r in pack.results.tables["boats.order_book"].rows
    ]
    assert rows == [
        ("2026-11-02", 1, Decimal("1800.00"), Decimal("0.00")),
        ("2026-11-09", 1, Decimal("1450.00"), Decimal("435.00")),
        ("2026-11-16", 1, Decimal("2200.00"), Decimal("660.00")),
        ("Total", 3, Decimal("5450.00"), Decimal("1095.00")),
    ]


def test_deposits_are_reconciled_line_by_line_with_the_books(tmp_path):
    _, pack = build(tmp_path)
    rows = [
        (r["service"], r["customer"], r["amount"], r["state"])
        for r in pack.results.tables["boats.deposits_reconciliation"].rows
    ]
    assert rows == [
        ("2026-11-21", "R. Patel", Decimal("660.00"), "booking with a deposit, none in the books"),
        ("2026-11-30", "", Decimal("500.00"), "held in the books, no booking"),
        ("2026-12-05", "K. Brooks", Decimal("360.00"), "cancelled, deposit still held"),
        ("2026-11-14", "S. Larsen", Decimal("435.00"), "held against a booking"),
    ]
    (found,) = [f for f in pack.results.findings if f.entity == "boats" and "deposit" in f.title]
    assert found.title == "Bay Charters: 3 deposits the bookings and the books do not agree on"
    docs = {d.id: d for d in pack.documents}
    sections = [s.id for s in docs["entity-boats"].sections]
    assert {"boats.order_book", "boats.utilization", "boats.deposits"} <= set(sections)
    # its customers are the bookings' guests, not the booking platform the bank names
    customers = [r["customer"] for r in pack.results.tables["boats.customers"].rows]
    assert customers == ["M. Chen", "J. Alvarez"] and "boats.customers" in sections


@pytest.mark.parametrize(
    "change, said",
    [
        (("2026-10-02,2026-10-20", "2026-10-22,2026-10-20"), "bookings.csv:3: Sail date 2026-10-20"
         " is before Booked 2026-10-22"),  # fmt: skip
        ((",completed\n2026-10-03", ",done\n2026-10-03"), "bookings.csv:3: status 'done' is not"),
        (("Wind Dancer,M. Chen", "Dawn Treader,M. Chen"), "asset 'Dawn Treader' is not one of"),
        (("2026-10-30,2026-11-02", "30/10/2026,2026-11-02"), "Booked '30/10/2026' does not match"),
        (("2400.00,720.00", "2400.00,2720.00"), "bookings.csv:3: deposit 2720.00 is more than"
         " amount 2400.00"),  # fmt: skip
        (("2400.00,720.00", "-2400.00,720.00"), "bookings.csv:3: amount '-2400.00' must be at"
         " least zero"),  # fmt: skip
        (("status\n", "state\n"), "bookings.csv:1: columns status are missing"),
    ],
)
def test_a_bad_booking_is_named_by_its_line_and_nothing_is_sent(tmp_path, change, said):
    root = write_workspace(
        tmp_path / "ws",
        TOML,
        {
            "bookings.csv": BOOKINGS.replace(*change),
            "ledger/bank.csv": LEDGER,
            "notes/co.md": None,
        },
    )
    result = run_cli("check", "-w", str(root), "--as-of", "2026-11-15")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert said in result.stderr, result.stderr


def test_a_notes_kpi_the_bookings_disagree_with_is_shown_beside_them(tmp_path):
    """The bookings file is the count; the handoff note's own figure is named beside it."""
    note = "---\nentity: boats\ntitle: Bay Charters handoff\nkpis:\n  bookings: 6\n---\n# Bay\n"
    toml = TOML + (
        '[sources.notes]\npaths = ["notes/*.md"]\n'
        '[[kpis]]\nid = "boats.bookings"\nlabel = "Charter bookings"\ntarget = "8"\n'
    )
    root = write_workspace(
        tmp_path / "ws",
        toml,
        {
            "bookings.csv": BOOKINGS,
            "ledger/bank.csv": LEDGER,
            "notes/boats.md": note,
            "notes/co.md": None,
        },
    )
    pack = build_pack(load_workspace(root, environ={}), AS_OF, generated_at=GENERATED_AT)
    (row,) = pack.results.tables["executive.kpis"].rows
    assert row["value"] == 4
    assert row["source"] == "metric boats.bookings; notes/boats.md says 6"


def test_bookings_served_that_the_books_do_not_show_paid_are_a_finding(tmp_path):
    """Chen's balance of 1,680 never reached the bank: the books' October revenue is 1,920 against
    3,600 served — 1,680 apart, past both the 500 and the 10% of [finance] variance_threshold."""
    root = write_workspace(
        tmp_path / "ws",
        TOML,
        {
            "bookings.csv": BOOKINGS,
            "ledger/bank.csv": "".join(
                line for line in LEDGER.splitlines(keepends=True) if "BALANCE M. Chen" not in line
            ),
            "notes/co.md": None,
        },
    )
    pack = build_pack(load_workspace(root, environ={}), AS_OF, generated_at=GENERATED_AT)
    assert pack.results.metrics["finance.revenue.boats"].value == Decimal("1920.00")
    (found,) = [f for f in pack.results.findings if "books' revenue differ" in f.title]
    assert found.title == (
        "Bay Charters: the bookings served and the books' revenue differ by 1,680 USD"
    )
    _, agreeing = build(tmp_path / "agree")
    assert not [f for f in agreeing.results.findings if "books' revenue differ" in f.title]


CHANNELS = """\
entity,channel,month,impressions,visits,leads,bookings,revenue,spend
boats,website,2026-10,9000,500,30,9,20000.00,100.00
boats,google,2026-10,4000,300,10,2,4000.00,200.00
"""


def with_channels(tmp_path, ledger=LEDGER):
    root = write_workspace(
        tmp_path / "ws",
        TOML + '[sources.channels]\npath = "channels.csv"\n',
        {
            "bookings.csv": BOOKINGS,
            "ledger/bank.csv": ledger,
            "channels.csv": CHANNELS,
            "notes/co.md": None,
        },
    )
    return build_pack(load_workspace(root, environ={}), AS_OF, generated_at=GENERATED_AT)


def test_the_cmo_counts_the_bookings_files_bookings_not_the_channels_models(tmp_path):
    """October's bookings by channel from the bookings file — google 2 (Chen, Nguyen), website 1,
    listing-platforms 1 (a channel the channels file does not know: kept, named); the channels
    file gives only visits, leads and spend (300 in all: 75 a booking); what each channel's
    bookings have paid is collected."""
    pack = with_channels(tmp_path)
    rows = {r["channel"]: r for r in pack.results.tables["marketing.channels"].rows}
    assert (rows["google"]["bookings"], rows["google"]["revenue"]) == (2, Decimal("4200.00"))
    assert (rows["website"]["bookings"], rows["website"]["visits"]) == (1, 500)
    assert rows["listing-platforms"]["bookings"] == 1
    # collected: Chen's completed 2,400 and Nguyen's deposit of 0; Larsen's deposit; Patel's
    assert [rows[c]["collected"] for c in ("google", "website", "listing-platforms")] == [
        Decimal("2400.00"),
        Decimal("435.00"),
        Decimal("660.00"),
    ]
    assert "not the channels file: listing-platforms" in pack.results.tables[
        "marketing.channels"
    ].note
    m = {k: v.value for k, v in pack.results.metrics.items() if k.startswith("marketing.")}
    assert (m["marketing.bookings"], m["marketing.channel_revenue"]) == (4, Decimal("7850.00"))
    assert m["marketing.cost_per_booking"] == Decimal("75.00")
    cmo = next(d for d in pack.documents if d.id == "cmo")
    assert [k.id for k in cmo.headline] == [
        "marketing.bookings",
        "marketing.channel_revenue",
        "marketing.spend",
        "marketing.cost_per_booking",
    ]
    (row,) = pack.results.tables["marketing.channels_vs_books"].rows
    assert (row["booked"], row["collected"], row["books"], row["state"]) == (
        Decimal("7850.00"),
        Decimal("3600.00"),
        Decimal("3600.00"),
        "agree",
    )


def test_channel_revenue_the_books_do_not_show_is_a_finding(tmp_path):
    ledger = "".join(ln for ln in LEDGER.splitlines(keepends=True) if "BALANCE M. Chen" not in ln)
    pack = with_channels(tmp_path, ledger)
    (row,) = pack.results.tables["marketing.channels_vs_books"].rows
    assert (row["gap"], row["state"]) == (Decimal("1680.00"), "apart")
    (found,) = [f for f in pack.results.findings if f.title.startswith("Channel revenue and")]
    assert "Bay Charters: 3,600 USD by the channels, 1,920 USD in the books" in found.evidence


def test_an_asset_booked_twice_for_one_day_is_a_finding(tmp_path):
    """Larsen's sail on Sea Lark is moved to 20 October, the day Okafor's booking of Sea Lark was
    cancelled (left out) — no clash; then also Nguyen's Wind Dancer onto Chen's day: a clash."""
    moved = BOOKINGS.replace("2026-10-10,2026-11-14,Sea Lark", "2026-10-10,2026-10-20,Sea Lark")
    _, pack = build(tmp_path / "a", moved)
    assert not [f for f in pack.results.findings if "booked more than once" in f.title]
    clash = moved.replace("2026-10-30,2026-11-02,Wind Dancer", "2026-10-01,2026-10-20,Wind Dancer")
    _, pack = build(tmp_path / "b", clash)
    (found,) = [f for f in pack.results.findings if "booked more than once" in f.title]
    assert found.title == "Bay Charters: 1 day with an asset booked more than once"
    assert found.evidence == "Wind Dancer on 2026-10-20: M. Chen, T. Nguyen"
