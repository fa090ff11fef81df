"""A credit card's export (issue 39, part 1): `kind = "credit_card"` — its balance is owed, a
liability on the balance sheet, not cash; a purchase is an expense when it is made and cash when
the card is paid; the payment is a transfer, counted once, from the bank's export. Worked by hand:
the card owed 200 before its rows, 300 of fuel in September, 150 of supplies in October, paid 500
from the bank on 20 October: 150 owed at the end of October."""

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
name = "Bay Boats"
kind = "charter"

[[sources.ledger]]
path = "ledger/bank.csv"
name = "Checking"
entity = "boats"
opening_balance = "1000.00"
[sources.ledger.columns]
date = "Date"
amount = "Amount"
account = "Account"
counterparty = "Payee"
balance = "Balance"

[[sources.ledger]]
path = "ledger/card.csv"
kind = "credit_card"
name = "Visa"
entity = "boats"
{card}
[sources.ledger.columns]
date = "Date"
amount = "Amount"
account = "Category"
counterparty = "Payee"
{balance}
[sources.ledger.categories]
"Payment" = "Liabilities:Credit Card:Visa"

[accounts]
"Liabilities:Credit Card:Visa" = "payable"

[delivery]
transport = "outbox"
from = "reports@example.com"
"""
BANK = """\
Date,Payee,Amount,Account,Balance
2026-09-01,Guest,5000.00,Income:Charters,6000.00
2026-10-20,Visa,-500.00,Liabilities:Credit Card:Visa,5500.00
"""
# what the card's export prints as its balance: what is owed
CARD = """\
Date,Payee,Amount,Category,Balance
2026-09-10,Fuel Dock,-300.00,Expenses:Fuel,500.00
2026-10-05,Chandlery,-150.00,Expenses:Supplies,650.00
2026-10-20,Payment received,500.00,Payment,150.00
"""


def build(tmp_path, card=CARD, opening="", balance='balance = "Balance"'):
    root = write_workspace(
        tmp_path / "ws",
        TOML.format(card=opening, balance=balance),
        {"ledger/bank.csv": BANK, "ledger/card.csv": card, "notes/co.md": None},
    )
    return root, build_pack(load_workspace(root, environ={}), AS_OF, generated_at=GENERATED_AT)


@pytest.mark.parametrize(
    "card, opening, balance",
    [
        (CARD, "", 'balance = "Balance"'),  # the opening owed from the card's own balances
        # a card export that prints what is owed as a negative number
        (CARD.replace(",500.00\n", ",-500.00\n").replace(",650.00", ",-650.00")
         .replace(",150.00\n", ",-150.00\n"), "", 'balance = "Balance"'),  # fmt: skip
        # no balance column: the opening owed as given, positive
        (CARD, 'opening_balance = "200.00"', ""),
    ],
)
def test_a_cards_balance_is_owed_and_its_payment_is_counted_once(tmp_path, card, opening, balance):
    _, pack = build(tmp_path, card, opening, balance)
    sheet = {
        r["item"]: r["amount"] for r in pack.results.tables["accounting.balance_sheet"].rows
    }
    assert sheet["Cash — Checking"] == Decimal("5500.00")
    assert not [item for item in sheet if "Visa" in item and item.startswith(("Cash", "Bank"))]
    assert sheet["Liabilities:Credit Card:Visa"] == Decimal("150.00")
    assert sheet["Unexplained (money no account explains)"] == 0
    metrics = pack.results.metrics
    assert metrics["finance.cash_balance"].value == Decimal("5500.00")
    assert metrics["accounting.overdraft"].value == 0
    # October: 150 of supplies on the card is its expense; the 500 paid is its cash
    flow = {r["item"]: r["amount"] for r in pack.results.tables["accounting.cash_flow"].rows}
    assert flow["Net income"] == Decimal("-150.00")
    assert flow["+ increase in cards, payables and other liabilities"] == Decimal("-350.00")
    assert flow["Change in cash"] == Decimal("-500.00")
    # burn is cash: the 500 paid to the card, once (August to October), not the purchases too
    assert metrics["finance.gross_burn"].value == Decimal("166.67")
    expenses = pack.portfolio.db.execute(
        "SELECT account, sum(amount) FROM books WHERE account LIKE 'Expenses:%' GROUP BY 1"
        " ORDER BY 1"
    ).fetchall()
    assert expenses == [
        ("Expenses:Fuel", Decimal("-300.00")),
        ("Expenses:Supplies", Decimal("-150.00")),
    ]
    assert not pack.portfolio.sources["ledger"].problems


def test_a_card_balance_that_breaks_is_named_by_its_line(tmp_path):
    root = write_workspace(
        tmp_path / "ws",
        TOML.format(card="", balance='balance = "Balance"'),
        {
            "ledger/bank.csv": BANK,
            "ledger/card.csv": CARD.replace("650.00", "640.00"),
            "notes/co.md": None,
        },
    )
    result = run_cli("check", "-w", str(root), "--as-of", "2026-11-15")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "ledger/card.csv:3:" in result.stderr


def test_a_card_is_a_csv_export_and_its_account_a_liability(tmp_path):
    for bad, said in (
        ('account = "Expenses:Visa"', "should match pattern"),
        ('kind = "debit_card"', "kind"),
    ):
        root = write_workspace(
            tmp_path / bad[:4],
            TOML.format(card=bad, balance="").replace(
                'kind = "credit_card"\n', "", bad[:4] == "kind"
            ),
            {"ledger/bank.csv": BANK, "ledger/card.csv": CARD, "notes/co.md": None},
        )
        result = run_cli("check", "-w", str(root), "--as-of", "2026-11-15")
        assert result.returncode == 2 and said in result.stderr, result.stderr
