"""Shared ledger vocabulary for the analyses: which rows count as what."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from boardpack.model import Portfolio

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
BOOKS = "books"  # profit and loss on the organization's basis (sources/books.py)
INCOME = "account LIKE 'Income:%'"
EXPENSE = "account LIKE 'Expenses:%'"
# Owner money, transfers between own accounts and loan principal are not operating cash flow.
OPERATING = (
    "(account IS NULL OR NOT (account LIKE 'Equity:%' OR account LIKE 'Assets:%' OR account LIKE"
    " 'Liabilities:Loans%'))"
)


def total(
    portfolio: Portfolio,
    where: str,
    start: date | None,
    end: date,
    params: tuple = (),
    table: str = "ledger",
) -> Decimal:
    """Sum of amounts matching `where` between start and end (inclusive): of the `ledger` (money as
    it moved), or of the `books` (profit and loss on the organization's basis)."""
    lower = "date >= ? AND " if start else ""
    args = ((start,) if start else ()) + (end,) + params
    [(value,)] = portfolio.db.execute(
        f"SELECT sum(amount) FROM {table} WHERE {lower} date <= ? AND ({where})", args
    ).fetchall()
    return (value or ZERO).quantize(CENT)


def reaches_back(portfolio: Portfolio, period) -> bool:
    """Whether the ledger reaches back to `period` (a Period): its first month (taken as whole, as a
    bank export's first rows seldom fall on the 1st) begins no later than the period."""
    if not portfolio.fresh("ledger"):
        return False
    first = portfolio.ledger_start
    return first is not None and first.replace(day=1) <= period.start


def ledger_files(portfolio: Portfolio) -> tuple[str, ...]:
    return tuple(portfolio.sources["ledger"].paths)


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT)


TENTH = Decimal("0.1")


def percent(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """part ÷ whole in percent, to a tenth (occupancy, utilization, margin, conversion); none of
    nothing."""
    return (Decimal(part) * 100 / whole).quantize(TENTH) if whole else None
