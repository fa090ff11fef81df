"""Account types, not name patterns (issue 39, part 2): what `[accounts]` (or a beancount `open`
directive) says an account is decides where its money falls — a loan is financing in the cash-flow
statement, outside burn and in the forecast's loan service, however it is named; `check` lists the
asset and liability accounts typed from their names alone."""

from __future__ import annotations

from decimal import Decimal

import pytest

from boardpack.config import load_workspace
from boardpack.errors import WorkspaceError
from boardpack.model import guessed_type
from boardpack.pipeline import build_pack, doubts
from tests.analyses.test_statements import LEDGER, TOML, rows
from tests.conftest import AS_OF, GENERATED_AT, run_cli, write_workspace

# the truck loan of the hand-worked ledger, named as a bank names it: nothing in the name says loan
RENAMED = LEDGER.replace("Liabilities:Loans:Truck", "Liabilities:Harbor Bank")
OPENING = TOML.format(basis="accrual").replace("Liabilities:Loans:Truck", "Liabilities:Harbor Bank")


def build(tmp_path, toml: str, ledger: str = RENAMED):
    root = write_workspace(
        tmp_path / "ws", toml, {"ledger/bank.csv": ledger, "notes/co.md": None}
    )
    return build_pack(load_workspace(root, environ={}), AS_OF, generated_at=GENERATED_AT)


def test_a_loan_said_to_be_one_is_financing_however_it_is_named(tmp_path):
    said = build(tmp_path / "said", OPENING + '[accounts]\n"Liabilities:Harbor Bank" = "loan"\n')
    flow = rows(said, "accounting.cash_flow")
    # October: 1,000 of principal repaid, as in the hand-worked statement under its usual name
    assert flow["+ loans taken less principal repaid"]["amount"] == Decimal("-1000.00")
    assert flow["+ increase in cards, payables and other liabilities"]["amount"] == Decimal(
        "900.00"
    )
    assert not [w for w in doubts(said) if "Harbor Bank" in w]
    # not said: the name reads as a payable — operating — and check lists it to be said
    guessed = build(tmp_path / "guessed", OPENING)
    flow = rows(guessed, "accounting.cash_flow")
    assert flow["+ loans taken less principal repaid"]["amount"] == Decimal("0.00")
    assert flow["+ increase in cards, payables and other liabilities"]["amount"] == Decimal(
        "-100.00"
    )
    (warning,) = [w for w in doubts(guessed) if "typed from the name alone" in w]
    assert "Liabilities:Harbor Bank (payable)" in warning
    assert "Assets:Equipment:Motor (fixed_asset)" in warning
    # either way the statement adds up to the change in cash
    for pack in (said, guessed):
        flow = rows(pack, "accounting.cash_flow")
        assert flow["Change in cash"]["amount"] == Decimal("-2650.00")


def test_loan_principal_is_outside_burn_and_inside_the_forecasts_loan_service(tmp_path):
    """Burn is operating money only: the 1,000 of principal in October counts in burn when the
    account reads as a payable, and not once it is said to be a loan (the mortgage the same)."""
    said = build(tmp_path / "said", OPENING + '[accounts]\n"Liabilities:Harbor Bank" = "loan"\n')
    guessed = build(tmp_path / "guessed", OPENING)
    burn, guessed_burn = (p.results.metrics["finance.net_burn"].value for p in (said, guessed))
    # three months Aug–Oct: the principal adds 1,000 / 3 to the payable's burn
    assert abs(guessed_burn - burn - Decimal(1000) / 3) < Decimal("0.01")
    mortgage = build(
        tmp_path / "mortgage",
        OPENING.replace("Harbor Bank", "Mortgage"),
        RENAMED.replace("Harbor Bank", "Mortgage"),
    )
    assert mortgage.results.metrics["finance.net_burn"].value == burn
    flow = rows(mortgage, "accounting.cash_flow")
    assert flow["+ loans taken less principal repaid"]["amount"] == Decimal("-1000.00")


def test_share_capital_is_equity_apart_from_the_owners_money(tmp_path):
    toml = OPENING + '[accounts]\n"Liabilities:Harbor Bank" = "loan"\n"Equity:Shares" = "equity"\n'
    ledger = RENAMED + "2026-10-30,trucks,Investor,Shares issued,2000.00,Equity:Shares,,\n"
    pack = build(tmp_path, toml, ledger)
    sheet = {k: r["amount"] for k, r in rows(pack, "accounting.balance_sheet").items()}
    assert sheet["Equity: share capital and other equity"] == Decimal("2000.00")
    assert sheet["Equity: owner contributions less draws"] == Decimal("3500.00")
    flow = rows(pack, "accounting.cash_flow")
    assert flow["+ capital raised less returned"]["amount"] == Decimal("2000.00")
    assert flow["Change in cash"]["amount"] == Decimal("-650.00")


def test_an_account_said_that_nothing_names_is_a_warning(tmp_path):
    pack = build(
        tmp_path,
        OPENING
        + '[accounts]\n"Liabilities:Harbor Bank" = "loan"\n"Liabilities:Harbour Bnk" = "loan"\n',
    )
    (warning,) = [w for w in doubts(pack) if "Harbour Bnk" in w]
    assert "no ledger row or opening balance names this account" in warning


@pytest.mark.parametrize(
    "entry, said",
    [
        ('"Income:Charters" = "loan"', "only Assets:…, Liabilities:… and Equity:… accounts"),
        ('"Liabilities:Harbor Bank" = "cash"', "is one of: payable, deferred_revenue, loan"),
        ('"Liabilities:Harbor Bank" = "mortgage"', "Input should be 'cash'"),
        (
            '"Liabilities:Harbor Bank" = { type = "loan", earned_into = "Income:Charters" }',
            "earned_into: is for a deferred-revenue account",
        ),
        (
            '"Liabilities:Deposits" = { type = "deferred_revenue", earned_into = "Charters" }',
            "should match pattern",
        ),
    ],
)
def test_a_type_the_account_cannot_have_is_refused_by_its_key(tmp_path, entry, said):
    root = write_workspace(
        tmp_path / "ws",
        OPENING + f"[accounts]\n{entry}\n",
        {"ledger/bank.csv": RENAMED, "notes/co.md": None},
    )
    with pytest.raises(WorkspaceError) as caught:
        load_workspace(root, environ={})
    assert "accounts" in str(caught.value) and said in str(caught.value)
    result = run_cli("check", "-w", str(root), "--as-of", "2026-11-15")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "boardpack.toml:" in result.stderr and said in result.stderr


def test_a_deposit_is_earned_into_the_income_account_it_is_said_to_be(tmp_path):
    """The 600 deposit for a charter on 10 November, earned that day: into the account named by
    `earned_into`, not the venture's largest revenue account."""
    toml = OPENING + (
        '[accounts]\n"Liabilities:Harbor Bank" = "loan"\n'
        '"Liabilities:Customer Deposits" = { type = "deferred_revenue",'
        ' earned_into = "Income:Charter Deposits" }\n'
    )
    pack = build(tmp_path, toml)
    earned = pack.portfolio.db.execute(
        "SELECT account, sum(amount) FROM books WHERE received <> date GROUP BY account"
    ).fetchall()
    assert earned == [("Income:Charter Deposits", Decimal("600.00"))]


@pytest.mark.parametrize(
    "account, kind",
    [
        ("Liabilities:Bank Loan", "loan"),  # operating before types: only Loans:… was a loan
        ("Liabilities:Loans:Truck", "loan"),
        ("Liabilities:Mortgage", "loan"),
        ("Liabilities:Line of Credit", "loan"),
        ("Liabilities:Customer Deposits", "deferred_revenue"),
        ("Liabilities:Card", "payable"),
        ("Assets:Accounts Receivable", "receivable"),
        ("Assets:Savings", "cash"),
        ("Assets:Equipment:Motor", "fixed_asset"),
        ("Equity:Opening-Balances", "opening"),
        ("Equity:Owner", "owner"),
        ("Income:Charters", None),
    ],
)
def test_a_type_not_said_is_guessed_from_the_name_as_before(account, kind):
    assert guessed_type(account) == kind
