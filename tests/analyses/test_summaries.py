"""The monthly summaries the analyses read instead of every ledger row: a sum over whole months
from a summary is the sum over the rows, on every table and filter the analyses use; a span that
is not whole months reads the rows."""

from __future__ import annotations

from datetime import date

import pytest

from boardpack.analyses.ledger_sql import (
    BOOKS,
    EXPENSE,
    INCOME,
    OPERATING,
    payee_summary,
    summary,
    total,
)
from boardpack.config import load_workspace
from boardpack.pipeline import build_pack
from tests.conftest import AS_OF, GENERATED_AT, LEDGER, write_workspace

WHERE = [
    "true",
    INCOME,
    EXPENSE,
    f"{OPERATING} AND amount < 0",
    f"{OPERATING} AND amount > 0 AND entity = 'rental'",
    f"{OPERATING} AND amount < 0 AND moved_cash",
    "account IS NULL",
]
SPANS = [
    (None, date(2026, 10, 31)),
    (date(2026, 10, 1), date(2026, 10, 31)),
    (date(2025, 11, 1), date(2026, 10, 31)),
    (date(2026, 8, 1), date(2026, 9, 30)),
]


def by_rows(portfolio, table, where, start, end):
    lower = f"date >= DATE '{start}' AND " if start else ""
    [(value,)] = portfolio.db.execute(
        f"SELECT coalesce(sum(amount), 0) FROM {table} WHERE {lower} date <= ? AND ({where})",
        (end,),
    ).fetchall()
    return value


# refunds: money both ways in one month, venture and account (each sign is summed apart)
REFUNDS = """\
2026-10-12,Acme,October refund,-200.00,Income:Sales
2026-10-22,Supplier,Returned materials,150.00,Expenses:Materials
2026-09-28,Landlord,Deposit back,500.00,Expenses:Rent
"""


@pytest.fixture(scope="module")
def refunds(tmp_path_factory):
    root = write_workspace(
        tmp_path_factory.mktemp("refunds") / "ws", files={"ledger/bank.csv": LEDGER + REFUNDS}
    )
    return build_pack(load_workspace(root, environ={}), AS_OF, generated_at=GENERATED_AT)


@pytest.fixture(params=["demo", "refunds"])
def portfolio(request, demo_pack, refunds):
    """The demo (money earned over service periods) and a ledger with refunds."""
    return (demo_pack if request.param == "demo" else refunds).portfolio


@pytest.mark.parametrize("start, end", SPANS)
def test_a_sum_over_whole_months_is_the_sum_over_the_rows(portfolio, start, end):
    assert summary(portfolio, "ledger", start, end) == "ledger_by_month"
    for table in ("ledger", BOOKS, "books_cash", "books_accrual"):
        for where in WHERE:
            if "moved_cash" in where and table != "ledger":
                continue  # only the ledger knows which rows moved cash
            expected = by_rows(portfolio, table, where, start, end)
            assert total(portfolio, where, start, end, table=table) == expected, (table, where)


def test_the_ledgers_have_what_a_summary_could_get_wrong(demo_pack, refunds):
    """Both signs in one month, venture and account; money earned over a service period."""
    (mixed,) = refunds.portfolio.db.execute(
        "SELECT count(*) FROM (SELECT 1 FROM ledger GROUP BY date_trunc('month', date), entity,"
        " account HAVING min(amount) < 0 AND max(amount) > 0)"
    ).fetchone()
    (earned,) = demo_pack.portfolio.db.execute("SELECT count(*) FROM earned_days").fetchone()
    assert mixed == 3 and earned


def test_a_span_that_is_not_whole_months_reads_the_rows(demo_pack):
    portfolio = demo_pack.portfolio
    assert summary(portfolio, "ledger", date(2026, 10, 5), date(2026, 10, 31)) == "ledger"
    assert summary(portfolio, BOOKS, None, date(2026, 10, 31), date(2026, 11, 15)) == BOOKS
    assert summary(portfolio, "budget", None, date(2026, 10, 31)) == "budget"  # not summarized
    week = (date(2026, 10, 19), date(2026, 10, 25))
    assert total(portfolio, EXPENSE, *week) == by_rows(portfolio, "ledger", EXPENSE, *week)


def test_the_payee_summary_is_the_rows_by_payee_and_month(portfolio):
    """The same query over the summary and over the rows (a span of part months) agrees."""
    query = (
        "SELECT entity, counterparty, account, date_trunc('month', date) AS month, sum(amount),"
        " sum(entries), CASE WHEN sum(entries) = 1 THEN min(day) END FROM {} WHERE amount < 0"
        " AND date BETWEEN DATE '2025-12-01' AND DATE '2026-10-31' GROUP BY ALL ORDER BY ALL"
    )
    whole = payee_summary(portfolio, date(2025, 12, 1), date(2026, 10, 31))
    rows = payee_summary(portfolio, date(2025, 12, 2), date(2026, 10, 31))
    assert whole == "ledger_by_payee" and rows.startswith("(SELECT")
    summed = portfolio.db.execute(query.format(whole)).fetchall()
    assert summed and summed == portfolio.db.execute(query.format(rows)).fetchall()


def test_the_payee_summary_counts_rows_and_money_each_way_as_the_rows_do(portfolio):
    """What the Accounting report's coverage reads from it: rows, money in and out, by account
    (uncategorized ones too) from the beginning through a month's end."""
    query = (
        "SELECT entity, account, sum(entries), sum(amount) FILTER (amount < 0), sum(amount)"
        " FILTER (amount > 0) FROM {} WHERE date <= DATE '2026-10-31' GROUP BY ALL ORDER BY ALL"
    )
    whole = payee_summary(portfolio, date(2026, 10, 1), date(2026, 10, 31))
    rows = payee_summary(portfolio, date(2026, 10, 2), date(2026, 10, 31))
    summed = portfolio.db.execute(query.format(whole)).fetchall()
    assert any(account is None for _, account, *_ in summed)
    assert summed == portfolio.db.execute(query.format(rows)).fetchall()
