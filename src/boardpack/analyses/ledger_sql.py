"""Shared ledger vocabulary for the analyses: which rows count as what."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from boardpack.model import CENT, Portfolio

ZERO = Decimal("0.00")
BOOKS = "books"  # profit and loss on the organization's basis (sources/books.py)
INCOME = "account LIKE 'Income:%'"
EXPENSE = "account LIKE 'Expenses:%'"
# Owner money, transfers between own accounts, assets bought and loan principal are not operating
# cash flow; what is owed and owing in the course of business (and income and expenses) is. By the
# account's type (sources/account_types.py), not its name.
OPERATING = (
    "(account IS NULL OR coalesce(account_type(account), 'payable')"
    " IN ('receivable', 'payable', 'deferred_revenue'))"
)
LOAN = "account_type(account) = 'loan'"


# what each table's monthly summary keeps besides the month: every column a sum's `where` reads
SUMMARY_KEYS = {
    "ledger": "entity, account, moved_cash",
    BOOKS: "entity, account",
    "books_cash": "entity, account",
    "books_accrual": "entity, account",
}


def summary(portfolio: Portfolio, table: str, start: date | None, *ends: date) -> str:
    """What to read for sums of `table` from start (or the beginning) through each of `ends`: its
    monthly summary when each span is whole months, else the table itself.

    The summary has one row a month, venture, account and sign (each sign summed apart, so
    `amount < 0` selects the same money as on the rows), `date` the month's first day. It is made
    on first use and read by every later sum over whole months, so the analyses of a period (and
    of the two they are compared with) scan the rows once, not once a figure. The tables do not
    change once the sources are read."""
    if table not in SUMMARY_KEYS or not whole_months(start, *ends):
        return table
    keys = SUMMARY_KEYS[table]
    rows = by_payee(portfolio) if table == "ledger" else table  # the ledger's: one scan for both
    return summarized(
        portfolio,
        f"{table}_by_month",
        f"""SELECT date_trunc('month', date)::DATE AS date, {keys}, sum(amount) AS amount
            FROM {rows} GROUP BY date_trunc('month', date), {keys}, sign(amount)""",
    )


PAYEE_COLUMNS = "entity, trim(counterparty) AS counterparty, account, moved_cash"


def payee_summary(portfolio: Portfolio, start: date, end: date) -> str:
    """The `ledger` from start through end by month, venture, payee (its counterparty trimmed),
    account and sign, with how many rows (`entries`) and a day of the month they fell on (`day`):
    for what is found per payee and month. Over a span that is not whole months, the rows
    themselves in the same columns."""
    if not whole_months(start, end):
        return f"(SELECT date, {PAYEE_COLUMNS}, amount, 1 AS entries, day(date) AS day FROM ledger)"
    return by_payee(portfolio)


def by_payee(portfolio: Portfolio) -> str:
    """The payee summary, made from one scan of the ledger on first use."""
    return summarized(
        portfolio,
        "ledger_by_payee",
        f"""SELECT date_trunc('month', date)::DATE AS date, {PAYEE_COLUMNS}, sum(amount) AS amount,
                   count(*) AS entries, any_value(day(date)) AS day
            FROM ledger GROUP BY 1, 2, 3, 4, 5, sign(amount)""",
    )


def summarized(portfolio: Portfolio, name: str, query: str) -> str:
    """The table `name` made from `query` once per portfolio (asking DuckDB whether it exists would
    bind the query each time: a millisecond a figure)."""
    if name not in portfolio.summaries:
        portfolio.db.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {query}")
        portfolio.summaries.add(name)
    return name


def whole_months(start: date | None, *ends: date) -> bool:
    """Whether each span from start (or the beginning) through an end is whole calendar months."""
    return (start is None or start.day == 1) and all(
        (e + timedelta(days=1)).day == 1 for e in ends
    )


def total(
    portfolio: Portfolio,
    where: str,
    start: date | None,
    end: date,
    params: tuple = (),
    table: str = "ledger",
) -> Decimal:
    """Sum of amounts matching `where` (on the columns of SUMMARY_KEYS and `amount`) between start
    and end (inclusive): of the `ledger` (money as it moved), or of the `books` (profit and loss on
    the organization's basis)."""
    source = summary(portfolio, table, start, end)
    if source != table:  # whole months: the months of the summary, asked once for every span
        months = month_sums(portfolio, source, where, params)
        return sum(
            (v for m, v in months.items() if (start is None or m >= start) and m <= end), ZERO
        ).quantize(CENT)
    lower = "date >= ? AND " if start else ""
    args = ((start,) if start else ()) + (end,) + params
    [(value,)] = portfolio.db.execute(
        f"SELECT sum(amount) FROM {source} WHERE {lower} date <= ? AND ({where})", args
    ).fetchall()
    return (value or ZERO).quantize(CENT)


def month_sums(portfolio: Portfolio, source: str, where: str, params: tuple) -> dict[date, Decimal]:
    """The sum of the rows of a monthly summary matching `where`, each month (its first day)."""
    key = (source, where, repr(params))
    if key not in portfolio.month_sums:
        portfolio.month_sums[key] = {
            month: value or ZERO
            for month, value in portfolio.db.execute(
                f"SELECT date, sum(amount) FROM {source} WHERE ({where}) GROUP BY date", params
            ).fetchall()
        }
    return portfolio.month_sums[key]


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


def ventures_by_name(portfolio: Portfolio) -> dict[str, str]:
    """Each venture's name and aliases (without case) -> its id: a row whose counterparty is one
    of them, booked by another venture, is a charge between ventures."""
    return {
        alias.strip().casefold(): e.id
        for e in portfolio.workspace.settings.entities
        for alias in (e.name, *e.aliases)
    }


def charged_between_ventures(portfolio: Portfolio, start: date, end: date) -> Decimal:
    """The income one venture booked from another between start and end (inclusive): counted in
    each venture's revenue, eliminated from the business's."""
    if len(portfolio.workspace.settings.entities) < 2:
        return ZERO
    names = ventures_by_name(portfolio)
    rows = portfolio.db.execute(
        "SELECT entity, counterparty, sum(amount) FROM books WHERE account LIKE 'Income:%'"
        " AND counterparty IS NOT NULL AND date BETWEEN ? AND ? GROUP BY ALL",
        (start, end),
    ).fetchall()
    charged = [
        amount
        for venture, counterparty, amount in rows
        if names.get(counterparty.strip().casefold(), venture) != venture
    ]
    return sum(charged, ZERO).quantize(CENT)
