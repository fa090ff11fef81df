"""What technology costs in the books (issue 40, part 4): the CTO sees the ledger's technology
accounts by payee and venture whether or not an AWS account is connected — the period's total,
each payee's typical month and the month its charge last changed."""

from __future__ import annotations

from decimal import Decimal

from boardpack.config import load_workspace
from boardpack.pipeline import build_pack
from tests.conftest import AS_OF, GENERATED_AT, run_cli, write_workspace

TOML = """\
[organization]
name = "Net Co"
timezone = "America/Los_Angeles"

[[entities]]
id = "app"
name = "App Co"
kind = "software"

[[sources.ledger]]
path = "bank.csv"
entity = "app"
[sources.ledger.columns]
date = "Date"
amount = "Amount"
account = "Account"
counterparty = "Payee"

[delivery]
transport = "outbox"
from = "reports@example.com"
"""
# AWS monthly, its bill up in October; a SaaS plan raised in September; rent is not technology
LEDGER = "Date,Payee,Amount,Account\n" + "".join(
    f"2026-{m:02d}-03,Amazon Web Services,-{aws},Expenses:Cloud:AWS\n"
    f"2026-{m:02d}-12,Linear,-{saas},Expenses:Software\n"
    f"2026-{m:02d}-01,Landlord,-2000.00,Expenses:Rent\n"
    f"2026-{m:02d}-15,Customer,9000.00,Income:Subscriptions\n"
    for m, aws, saas in (
        (6, "200.00", "40.00"),
        (7, "200.00", "40.00"),
        (8, "200.00", "40.00"),
        (9, "200.00", "48.00"),
        (10, "260.00", "48.00"),
    )
)


def build(tmp_path, toml=TOML):
    root = write_workspace(tmp_path / "ws", toml, {"bank.csv": LEDGER, "notes/co.md": None})
    return build_pack(load_workspace(root, environ={}), AS_OF, generated_at=GENERATED_AT)


def test_the_books_technology_cost_by_payee_without_an_aws_account(tmp_path):
    pack = build(tmp_path)
    assert pack.portfolio.cloud is None
    assert pack.results.metrics["cloud_cost.ledger"].value == Decimal("308.00")  # 260 + 48
    rows = {r["payee"]: r for r in pack.results.tables["cloud_cost.ledger_by_payee"].rows}
    assert set(rows) == {"Amazon Web Services", "Linear"}  # rent is not technology
    aws, linear = rows["Amazon Web Services"], rows["Linear"]
    assert (aws["period"], aws["monthly"], aws["changed"]) == (
        Decimal("260.00"),
        Decimal("200.00"),
        "2026-10: 200.00 → 260.00",
    )
    # the plan raised in September: its typical month is still the old price
    assert (linear["monthly"], linear["changed"]) == (Decimal("40.00"), "2026-09: 40.00 → 48.00")
    cto = next(d for d in pack.documents if d.id == "cto")
    assert "technology.ledger_cost" in {s.id for s in cto.sections}


def test_the_cto_names_the_technology_accounts(tmp_path):
    pack = build(tmp_path, TOML + '[reports.cto]\ncost_accounts = ["Expenses:Cloud*"]\n')
    assert pack.results.metrics["cloud_cost.ledger"].value == Decimal("260.00")
    assert [r["payee"] for r in pack.results.tables["cloud_cost.ledger_by_payee"].rows] == [
        "Amazon Web Services"
    ]


def test_cost_accounts_are_the_ctos_alone(tmp_path):
    root = write_workspace(
        tmp_path / "ws",
        TOML + '[reports.cfo]\ncost_accounts = ["Expenses:Cloud*"]\n',
        {"bank.csv": LEDGER, "notes/co.md": None},
    )
    result = run_cli("check", "-w", str(root), "--as-of", "2026-11-15")
    assert result.returncode == 2 and "reports.cfo.cost_accounts" in result.stderr
    assert "[reports.cto]" in result.stderr
