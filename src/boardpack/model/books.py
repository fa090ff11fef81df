"""The books' vocabulary: bank accounts and their tie-outs, budget lines, the account types, and
the SQL the books views and the statements share.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal

CENT = Decimal("0.01")
# The first part of every ledger account: what kind of account it is (beancount's five).
ACCOUNT_TYPES = ("Assets", "Liabilities", "Equity", "Income", "Expenses")
# an account's type when nothing says it (sources/account_types.py): under each part of the chart,
# the first whose words its name holds (compared without case); no words: the rest
GUESSES = {
    "Assets": (
        (("receivable",), "receivable"),
        (("cash", "checking", "savings", "bank", "current account", "transfer"), "cash"),
        ((), "fixed_asset"),
    ),
    "Liabilities": (
        (("loan", "mortgage", "credit line", "line of credit", "note payable", "notes payable"),
         "loan"),  # fmt: skip
        (("deferred", "deposit", "unearned", "retainer", "prepaid", "prepayment"),
         "deferred_revenue"),  # fmt: skip
        ((), "payable"),
    ),
    "Equity": ((("opening",), "opening"), ((), "owner")),
}


def guessed_type(account: str) -> str | None:
    """The type an account's name suggests; None for income and expense accounts."""
    top, _, rest = account.partition(":")
    name = rest.casefold()
    for words, kind in GUESSES.get(top, ()):
        if not words or any(word in name for word in words):
            return kind
    return None
# a receipt for a service over a period (its revenue is earned over it, on the accrual basis)
SERVICE_RECEIPT = "(amount > 0 AND coalesce(service_start, service_end) IS NOT NULL)"
# the income account a receipt for a service is revenue in: its own, or — a deposit or a
# prepayment held in a liability — the venture's own revenue account (the macro sources/books.py
# makes: so budget lines, tax lines and KPIs see the revenue where they look for it)
EARNED_ACCOUNT = "earned_account(account, entity)"


@dataclass(frozen=True, kw_only=True)
class CashAccount:
    """A bank or processor account a ledger source reads: its opening balance (in the organization's
    currency) and the DuckDB tables of its rows (one a file). A beancount source is one, for all its
    cash accounts."""

    name: str  # the source's name, or its path
    entity: str | None  # None: its rows name their entities
    opening: Decimal
    tables: tuple[str, ...]
    # beancount: tables of the cash postings themselves (date, entity, account, amount), so each
    # cash account has its own line
    postings: tuple[str, ...] = ()
    # a credit card: its liability account; its balance is owed, not cash (`opening` what was owed
    # before its first row, as a negative balance)
    card: str | None = None


@dataclass(frozen=True, kw_only=True)
class TieOut:
    """A bank account's balance as the ledger has it beside the bank's own figure for the same day
    (its running balance column, or a closing balance from its statement), in the account's
    currency."""

    account: str  # the ledger source's name, or its path
    entity: str | None
    currency: str
    date: date
    ledger: Decimal
    bank: Decimal | None  # None: the export shows no balance to tie to
    evidence: str  # where the bank's figure comes from: "balance column", "statement"…

    @property
    def difference(self) -> Decimal | None:
        return None if self.bank is None else self.ledger - self.bank


@dataclass(frozen=True, kw_only=True)
class BudgetLine:
    """One month of a budget line (a quarter's or a year's spread evenly over its months)."""

    month: date  # its first day
    entity: str | None  # None: the whole organization
    account: str  # covers the accounts below it
    amount: Decimal  # as written: income and expenses both positive
    source: str  # path:line


def spread(total: Decimal, months: list[date]) -> list[Decimal]:
    """`total` over `months` evenly, in cents, the last month taking what is left."""
    each = (total / len(months)).quantize(CENT, ROUND_DOWN)
    return [each] * (len(months) - 1) + [total - each * (len(months) - 1)]
