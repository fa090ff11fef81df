"""A channel's spend as the ledger paid it (issue 40, part 2): `[marketing.spend_accounts]` maps a
channel to the expense accounts (and the payee) the books pay it from; the CMO's spend and cost
per booking then use the ledger's figure, and the channels file's own is named where it differs.

Worked by hand, October 2026: the ledger pays Google 180.00 (as "GOOGLE ADS INC.", the channels
file's "Google Ads" spelled another way) and Meta 70.00, both to Expenses:Advertising, and 25.00
to Expenses:Marketing:Newsletter. The channels file says google 150.00 for 1 booking and email
10.00 for 2. Mapped: google → Expenses:Advertising paid to Google Ads = 180.00 (Meta's 70.00 is
not google's); newsletter → Expenses:Marketing:* = 25.00, a channel the channels file does not
know. Spend = 180.00 + 10.00 (email, from the channels file) + 25.00 = 215.00; bookings 1 + 2 = 3;
cost per booking 215.00 / 3 = 71.67; google's own 180.00 / 1."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest

from boardpack.config import load_workspace
from boardpack.pipeline import build_pack
from tests.conftest import AS_OF, GENERATED_AT, LEDGER, TOML, run_cli, write_workspace

PAID = LEDGER + (
    "2026-10-18,GOOGLE ADS INC.,Search campaign,-180.00,Expenses:Advertising\n"
    "2026-10-19,Meta,Boosted posts,-70.00,Expenses:Advertising\n"
    "2026-10-21,Buttondown,Newsletter plan,-25.00,Expenses:Marketing:Newsletter\n"
    "2026-09-18,GOOGLE ADS INC.,Search campaign,-999.00,Expenses:Advertising\n"  # not October's
)
CHANNELS = (
    "entity,channel,month,impressions,visits,leads,bookings,revenue,spend\n"
    "co,google,2026-10,900,300,12,1,1200.00,150.00\n"
    "co,email,2026-10,400,100,6,2,2400.00,10.00\n"
)
MAPPED = """
[marketing.spend_accounts]
google = { accounts = ["Expenses:Advertising"], payee = "Google Ads" }
newsletter = { accounts = ["Expenses:Marketing:*"] }
"""


def build(tmp_path, toml: str, ledger: str = PAID):
    root = write_workspace(
        tmp_path / "ws", toml, {"ledger/bank.csv": ledger, "marketing/channels.csv": CHANNELS}
    )
    return build_pack(load_workspace(root, environ={}), AS_OF, generated_at=GENERATED_AT)


def test_a_mapped_channel_costs_what_the_ledger_paid(tmp_path):
    pack = build(tmp_path, TOML + MAPPED)
    metrics, table = pack.results.metrics, pack.results.tables["marketing.channels"]
    rows = {r["channel"]: r for r in table.rows}
    assert rows["google"]["spend"] == Decimal("180.00")  # not the channels file's 150.00
    assert rows["google"]["cost_per_booking"] == Decimal("180.00")
    assert rows["email"]["spend"] == Decimal("10.00")  # unmapped: the channels file's
    assert rows["newsletter"]["spend"] == Decimal("25.00")  # known to the ledger alone
    assert metrics["marketing.spend"].value == Decimal("215.00")
    assert metrics["marketing.cost_per_booking"].value == Decimal("71.67")
    assert "ledger/bank.csv" in metrics["marketing.cost_per_booking"].provenance
    assert "newsletter" in table.note and "google" in table.note
    # where the two sources differ, the reader sees both figures
    assert "the channels file said google 150 USD, newsletter 0 USD" in table.note


def test_without_a_mapping_the_channels_file_says_the_spend(tmp_path):
    pack = build(tmp_path, TOML)
    rows = {r["channel"]: r for r in pack.results.tables["marketing.channels"].rows}
    assert rows["google"]["spend"] == Decimal("150.00") and "newsletter" not in rows
    assert pack.results.metrics["marketing.spend"].value == Decimal("160.00")
    assert "ledger" not in pack.results.tables["marketing.channels"].note
    # no bookings file: nothing knows what the bookings paid, so no column says so
    assert "collected" not in [c.id for c in pack.results.tables["marketing.channels"].columns]


def test_a_mapping_the_ledger_agrees_with_is_not_called_a_difference(tmp_path):
    google_only = MAPPED.split("newsletter")[0]
    pack = build(tmp_path, TOML + google_only, PAID.replace("-180.00", "-150.00"))
    note = pack.results.tables["marketing.channels"].note
    assert note.endswith("Spend for google as the ledger paid it ([marketing] spend_accounts).")


@pytest.mark.parametrize(
    "change, said",
    [
        # spend is an expense: an asset account is refused, with how to write one
        (("Expenses:Advertising", "Assets:Prepaid Ads"), "spend_accounts.google.accounts"),
        (("payee =", "vendor ="), "marketing.spend_accounts.google.vendor"),  # an unknown key
        (('accounts = ["Expenses:Marketing:*"]', "accounts = []"), "newsletter.accounts"),
    ],
)
def test_a_bad_mapping_is_refused_by_its_key(tmp_path, change, said):
    root = write_workspace(
        tmp_path / "ws",
        TOML + MAPPED.replace(*change),
        {"ledger/bank.csv": PAID, "marketing/channels.csv": CHANNELS},
    )
    result = run_cli("check", "-w", str(root), "--as-of", "2026-11-15")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert said in result.stderr, result.stderr


def test_the_demos_google_spend_is_what_its_bank_paid_google(demo_pack):
    """The demo maps google to the bank's Google Ads payments; its channels file agrees with them,
    so the CMO's spend is the bank's and no difference is named."""
    bank = demo_pack.portfolio.workspace.root / "ledger" / "harbor-bank.csv"
    with bank.open(encoding="utf-8-sig", newline="") as handle:
        paid = sum(
            -Decimal(r["Amount"])
            for r in csv.DictReader(handle)
            if r["Payee"] == "Google Ads" and r["Date"].startswith("2026-10")
        )
    rows = {r["channel"]: r for r in demo_pack.results.tables["marketing.channels"].rows}
    assert paid > 0 and rows["google"]["spend"] == paid
    assert "said" not in demo_pack.results.tables["marketing.channels"].note
    cfo = next(d for d in demo_pack.documents if d.id == "cfo")
    (section,) = [s for s in cfo.sections if s.id == "finance.customers"]
    # every demo venture has its own report: the CFO sees the concentration, not the lists again
    assert [b.table.id for b in section.blocks] == ["finance.customer_concentration"]
