"""A file that holds several cash accounts (issue 39, part 1): `columns.cash_account` names the
account each row moved; each account has its own line on the balance sheet and ties out to its own
balance column, its opening balance from that column."""

from __future__ import annotations

from decimal import Decimal

from boardpack.config import load_workspace
from boardpack.pipeline import build_pack
from tests.conftest import AS_OF, GENERATED_AT, run_cli, write_workspace

TOML = """\
[organization]
name = "Bay Co"
timezone = "America/Los_Angeles"

[[entities]]
id = "boats"
name = "Bay Boats"
kind = "charter"

[[sources.ledger]]
path = "ledger/accounts.csv"
entity = "boats"
{extra}
[sources.ledger.columns]
date = "Date"
amount = "Amount"
account = "Category"
counterparty = "Payee"
balance = "Balance"
cash_account = "Account Name"

[sources.ledger.categories]
"Transfer" = "Assets:Transfers"

[delivery]
transport = "outbox"
from = "reports@example.com"
"""
# Checking opened at 1,000, Savings at 2,000; 1,000 moved from one to the other in October
ACCOUNTS = """\
Date,Account Name,Payee,Amount,Category,Balance
2026-09-01,Checking,Guest,5000.00,Income:Charters,6000.00
2026-09-02,Savings,Bank,10.00,Income:Interest,2010.00
2026-10-01,Checking,Own,-1000.00,Transfer,5000.00
2026-10-01,Savings,Own,1000.00,Transfer,3010.00
2026-10-15,Checking,Fuel Dock,-200.00,Expenses:Fuel,4800.00
"""


def workspace(tmp_path, rows=ACCOUNTS, extra=""):
    return write_workspace(
        tmp_path / "ws",
        TOML.format(extra=extra),
        {"ledger/accounts.csv": rows, "notes/co.md": None},
    )


def test_each_cash_account_of_one_file_ties_out_and_shows_on_its_own(tmp_path):
    pack = build_pack(
        load_workspace(workspace(tmp_path), environ={}), AS_OF, generated_at=GENERATED_AT
    )
    sheet = {r["item"]: r["amount"] for r in pack.results.tables["accounting.balance_sheet"].rows}
    assert sheet["Cash — Checking"] == Decimal("4800.00")
    assert sheet["Cash — Savings"] == Decimal("3010.00")
    assert sheet["Unexplained (money no account explains)"] == 0
    assert sheet.get("Assets:Transfers", 0) == 0  # the two sides of the move net to nothing
    assert pack.results.metrics["finance.cash_balance"].value == Decimal("7810.00")
    ties = {t.account: (t.ledger, t.bank) for t in pack.portfolio.tie_outs}
    assert ties == {
        "Checking": (Decimal("4800.00"), Decimal("4800.00")),
        "Savings": (Decimal("3010.00"), Decimal("3010.00")),
    }
    assert pack.portfolio.opening_cash == Decimal("3000.00")


def test_a_break_in_one_accounts_balance_is_named_by_its_line(tmp_path):
    root = workspace(tmp_path, ACCOUNTS.replace("3010.00", "3000.00"))
    result = run_cli("check", "-w", str(root), "--as-of", "2026-11-15")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "ledger/accounts.csv:5:" in result.stderr
    assert "ledger/accounts.csv:6:" not in result.stderr  # Checking's own balances still tie


def test_a_row_without_its_cash_account_is_named(tmp_path):
    root = workspace(tmp_path, ACCOUNTS.replace("2026-10-15,Checking,", "2026-10-15,,"))
    result = run_cli("check", "-w", str(root), "--as-of", "2026-11-15")
    assert result.returncode == 2
    assert "ledger/accounts.csv:6: no cash account in column Account Name" in result.stderr


def test_an_opening_balance_for_a_file_of_several_accounts_is_refused(tmp_path):
    root = workspace(tmp_path, extra='opening_balance = "100.00"')
    result = run_cli("check", "-w", str(root), "--as-of", "2026-11-15")
    assert result.returncode == 2 and "columns.cash_account" in result.stderr


PAYPAL = """\
[[sources.ledger]]
path = "ledger/paypal.csv"
entity = "boats"
fee_sign = "negative"
[sources.ledger.columns]
date = "Date"
amount = "Gross"
fee = "Fee"
net = "Net"
balance = "Balance"
currency = "Currency"
cash_account = "Currency"
memo = "Type"

[sources.rates]
path = "rates.csv"

[[rules]]
pattern = "Currency Conversion"
field = "memo"
account = "Assets:Transfers"
"""
# a balance per currency, as PayPal prints one: 100 USD turned into 90 EUR, then a EUR payment
MULTI = """\
Date,Type,Currency,Gross,Fee,Net,Balance
2026-10-02,Website Payment,USD,500.00,-15.00,485.00,985.00
2026-10-05,General Currency Conversion,USD,-100.00,0.00,-100.00,885.00
2026-10-05,General Currency Conversion,EUR,90.00,0.00,90.00,140.00
2026-10-09,Website Payment,EUR,60.00,-2.00,58.00,198.00
"""


def test_a_processor_export_with_a_balance_per_currency_ties_out_each(tmp_path):
    toml = TOML.split("[[sources.ledger]]")[0] + PAYPAL + "\n[delivery]\ntransport = \"outbox\"\n"
    root = write_workspace(
        tmp_path / "ws",
        toml + 'from = "reports@example.com"\n',
        {
            "ledger/paypal.csv": MULTI,
            "rates.csv": "date,currency,rate\n2026-01-01,EUR,1.10\n",
            "notes/co.md": None,
        },
    )
    pack = build_pack(load_workspace(root, environ={}), AS_OF, generated_at=GENERATED_AT)
    ties = {t.account: (t.currency, t.ledger, t.bank) for t in pack.portfolio.tie_outs}
    # each currency's opening from its own balances: 500 USD and 50 EUR
    assert ties == {
        "USD": ("USD", Decimal("885.00"), Decimal("885.00")),
        "EUR": ("EUR", Decimal("198.00"), Decimal("198.00")),
    }
    assert not pack.portfolio.sources["ledger"].problems
