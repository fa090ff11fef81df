"""The books on one accounting basis: the `ledger` (money as it moved) restated for profit and loss.

A receipt with a service period (`service_start`..`service_end`) is money for a service. On the
cash basis it is revenue the day it arrives, whatever its account (a charter deposit booked to
`Liabilities:Customer Deposits` too). On the accrual basis it is earned straight-line by day over
its service period: one row per day, in whole cents, rounded half to even on what is earned
*through* each day so that the days of one receipt add up to exactly what was received (the same
rule as the revenue recognition schedule). Every other row is the same on both bases. Units sold
(`quantity`) are counted on the rows that are not receipts for a service: a deposit is not a sale.

`books_cash` and `books_accrual` are views (the earned days are one small table); `books` is the
one the organization reports on. Profit and loss reads `books`; cash, burn and the balance of an
account read `ledger`.
"""

from __future__ import annotations

import duckdb

from boardpack.model import EARNED_ACCOUNT, SERVICE_RECEIPT

COLUMNS = "date, entity, account, amount, quantity, counterparty, memo, source_file, source_line"


def earned_into(db: duckdb.DuckDBPyConnection) -> None:
    """Where a receipt held in a liability (a deposit, a retainer) is earned: the income account
    the liability is said to be earned into (`earned_into`, sources/account_types.py), else the
    venture's own revenue account — the income account that took the most of its money — else an
    income account named after the liability."""
    db.execute(
        """CREATE OR REPLACE TEMP TABLE earned_into AS
           SELECT entity, arg_max(account, total) AS account FROM (
               SELECT entity, account, sum(amount) AS total FROM ledger
               WHERE account LIKE 'Income:%' AND amount > 0 GROUP BY ALL)
           GROUP BY entity"""
    )
    # one map, venture -> account: a variable, bound as a constant (sources/account_types.py)
    db.execute(
        """SET VARIABLE earned_by_venture = (SELECT map(list(entity), list(account))
           FROM earned_into WHERE entity IS NOT NULL)"""
    )
    db.execute(
        """CREATE OR REPLACE TEMP MACRO earned_account(acct, venture) AS
           CASE WHEN acct IS NULL OR acct LIKE 'Income:%' THEN acct
                ELSE coalesce(earned_into_account(acct),
                              map_extract(getvariable('earned_by_venture'), venture)[1],
                              'Income:' || split_part(acct, ':', -1)) END"""
    )


def build_books(db: duckdb.DuckDBPyConnection, basis: str | None) -> tuple[str, str]:
    """Create the views; return the basis the books are on and why it is that one."""
    earned_into(db)
    db.execute(
        f"""CREATE OR REPLACE VIEW books_cash AS
            SELECT date, entity,
                   CASE WHEN {SERVICE_RECEIPT} THEN {EARNED_ACCOUNT} ELSE account END AS account,
                   amount, CASE WHEN {SERVICE_RECEIPT} THEN coalesce(quantity, 0) ELSE quantity END
                   AS quantity, counterparty, memo, source_file, source_line, date AS received
            FROM ledger"""
    )
    db.execute(
        f"""CREATE OR REPLACE TEMP TABLE earned_days AS
            WITH receipts AS (
                SELECT *, coalesce(service_start, service_end) AS first_day,
                       coalesce(service_end, service_start) AS last_day,
                       CAST(amount * 100 AS HUGEINT) AS cents
                FROM ledger WHERE {SERVICE_RECEIPT}
            ), days AS (
                SELECT *, unnest(generate_series(first_day, last_day, INTERVAL 1 DAY))::DATE AS day,
                       (last_day - first_day + 1) AS length
                FROM receipts
            ), through AS (  -- cents earned through each day, rounded half to even
                SELECT *, cents * (day - first_day + 1) // length AS whole,
                       cents * (day - first_day + 1) % length AS rest
                FROM days
            ), rounded AS (
                SELECT *, whole + CASE WHEN 2 * rest > length
                                         OR (2 * rest = length AND whole % 2 = 1)
                                       THEN 1 ELSE 0 END AS earned
                FROM through
            )
            SELECT day AS date, entity, {EARNED_ACCOUNT} AS account,
                   CAST((earned - coalesce(lag(earned) OVER (
                       PARTITION BY source_file, source_line ORDER BY day), 0)) / 100
                       AS DECIMAL(18, 2)) AS amount, 0 AS quantity,
                   counterparty, memo, source_file, source_line, date AS received
            FROM rounded"""
    )
    db.execute(
        f"""CREATE OR REPLACE VIEW books_accrual AS
            SELECT {COLUMNS}, date AS received FROM ledger WHERE NOT {SERVICE_RECEIPT}
            UNION ALL SELECT * FROM earned_days WHERE amount <> 0"""
    )
    if basis is None:
        (found,) = db.execute(f"SELECT count(*) FROM ledger WHERE {SERVICE_RECEIPT}").fetchone()
        basis, why = (
            ("accrual", "the ledger has service periods to earn revenue over")
            if found
            else ("cash", "the ledger has no service periods to earn revenue over")
        )
    else:
        why = "[organization] basis in boardpack.toml"
    db.execute(f"CREATE OR REPLACE VIEW books AS SELECT * FROM books_{basis}")
    return basis, why
