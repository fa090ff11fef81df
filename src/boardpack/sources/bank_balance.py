"""A bank export tied to the bank's own figures: the running balance it prints on each row, and the
closing balances of its statements (`statement_balances`, as beancount's `balance` directive).

Every amount here is in the file's own currency, as the bank wrote it: `original_amount` less the
fee the bank took on the same row (`original_fee`), which is how much the balance moved.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import duckdb

from boardpack.config import LedgerSource
from boardpack.currencies import minor_units
from boardpack.errors import SourceProblem
from boardpack.model import TieOut

BREAKS_SHOWN = 20  # rows where the running balance breaks, named one by one
CASH = "original_amount - original_fee"
# the bank's rows, not fee rows made of them
OWN_ROWS = "problem IS NULL AND original_fee IS NOT NULL"


def shown(value: Decimal, currency: str) -> str:
    """An amount with its currency's decimal places and thousands separators."""
    return f"{value.quantize(Decimal(1).scaleb(-minor_units(currency))):,}"


def newest_first(db: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether the file lists its rows newest first (its first row is dated after its last)."""
    first, last = db.execute(
        f"SELECT arg_min(date, source_line), arg_max(date, source_line) FROM {table}"
        f" WHERE {OWN_ROWS}"
    ).fetchone()
    return first is not None and first > last


def as_card_account(db: duckdb.DuckDBPyConnection, table: str) -> None:
    """A card's balance column as the card account's balance: negative when money is owed. Most
    card exports print what is owed as a positive number (turned here), some as a negative one
    (kept): a card is owed far more often than in credit, so the usual sign tells which."""
    (usual,) = db.execute(f"SELECT median(balance) FROM {table} WHERE balance NOTNULL").fetchone()
    if usual is not None and usual > 0:
        db.execute(f"UPDATE {table}_rows SET balance = -balance")


def running_balance(
    db: duckdb.DuckDBPyConnection, table: str, shown_as: str, currency: str
) -> list[SourceProblem]:
    """Each row whose balance is not the previous balance plus the row's amount, named once where
    the break is; or, when the balance mostly moves opposite to the amounts, one message saying the
    signs look inverted."""
    order = "source_line DESC" if newest_first(db, table) else "source_line"
    steps = f"""
        WITH ordered AS (
            SELECT source_line, balance, cash, row_number() OVER (ORDER BY {order}) AS seq,
                   sum(cash) OVER (ORDER BY {order} ROWS UNBOUNDED PRECEDING) AS running
            FROM (SELECT *, {CASH} AS cash FROM {table} WHERE {OWN_ROWS})
        ), shown AS (  -- the opening balance each row's balance implies
            SELECT *, balance - running AS implied FROM ordered WHERE balance IS NOT NULL
        )
        SELECT *, lag(implied) OVER (ORDER BY seq) AS before,
               balance - lag(balance) OVER (ORDER BY seq) AS moved
        FROM shown"""
    breaks = db.execute(
        f"""SELECT source_line, balance, before + running AS expected FROM ({steps})
            WHERE before IS NOT NULL AND implied <> before ORDER BY seq LIMIT {BREAKS_SHOWN}"""
    ).fetchall()
    if not breaks:
        return []
    inverted, moves = db.execute(
        f"""SELECT count(*) FILTER (WHERE moved = -cash), count(*) FROM ({steps})
            WHERE moved IS NOT NULL AND cash <> 0"""
    ).fetchone()
    if inverted * 2 > moves:
        return [
            SourceProblem(
                shown_as,
                breaks[0][0],
                f"amounts look inverted: the balance moves opposite to the amount on {inverted} of"
                f' {moves} rows; set sign = "inverted" on this source (or debit_sign, or swap the'
                " direction values)",
            )
        ]
    return [
        SourceProblem(
            shown_as,
            line,
            f"balance {shown(balance, currency)} is not the previous balance plus this row"
            f" ({shown(expected, currency)}), off by {shown(balance - expected, currency)}: a row"
            " missing, doubled or wrong just before or on this line",
        )
        for line, balance, expected in breaks
    ]


def account_balances(
    db: duckdb.DuckDBPyConnection,
    tables: list[str],
    spec: LedgerSource,
    currency: str,
    period_end: date,
) -> tuple[Decimal | None, list[SourceProblem], list[TieOut]]:
    """One bank account's files together: the opening balance the bank's figures imply (None when
    it prints none), what disagrees with `opening_balance` or a statement balance, and the tie-out
    of the period's end and of each statement balance up to it."""
    name = spec.name or spec.path
    if not spec.columns.balance and not spec.statement_balances:  # nothing of the bank's to tie to
        day, moved = db.execute(
            "SELECT max(date), sum(cash) FROM ("
            + " UNION ALL ".join(
                f"SELECT date, {CASH} AS cash FROM {t} WHERE {OWN_ROWS}" for t in tables
            )
            + ") WHERE date <= ?",
            (period_end,),
        ).fetchone()
        if day is None:
            return None, [], []
        return None, [], [tie_out(spec, currency, day, spec.opening_balance + moved, None)]
    rows = " UNION ALL ".join(
        f"SELECT date, balance, {CASH} AS cash, {n} AS file,"
        f" {'-' if newest_first(db, table) else ''}source_line AS position"
        f" FROM {table} WHERE {OWN_ROWS}"
        for n, table in enumerate(tables)
    )
    db.execute(f"""CREATE OR REPLACE TEMP TABLE account_rows AS
            SELECT date, balance, sum(cash) OVER (ORDER BY date, file, position
                                                  ROWS UNBOUNDED PRECEDING) AS running,
                   row_number() OVER (ORDER BY date, file, position) AS seq
            FROM ({rows})""")
    implied = db.execute(
        "SELECT balance - running FROM account_rows WHERE balance IS NOT NULL ORDER BY seq LIMIT 1"
    ).fetchone()
    implied = implied[0] if implied else None
    problems = []
    declared = "opening_balance" in spec.model_fields_set
    if implied is not None and declared and implied != spec.opening_balance:
        problems.append(
            SourceProblem(
                name,
                None,
                f"the bank's balances imply an opening balance of {shown(implied, currency)}, but"
                f" opening_balance = {shown(spec.opening_balance, currency)}: correct it, or remove"
                " it and the bank's figure is used",
            )
        )
    opening = spec.opening_balance if declared or implied is None else implied

    # what the rows add up to at each statement's day, all the statements in one join
    days = sorted({s.date for s in spec.statement_balances})
    running_at = dict(
        db.execute(
            """WITH daily AS (
                   SELECT date, arg_max(running, seq) AS running FROM account_rows GROUP BY date)
               SELECT s.day, d.running FROM (SELECT unnest($days::DATE[]) AS day) s
               ASOF LEFT JOIN daily d ON s.day >= d.date""",
            {"days": days},
        ).fetchall()
        if days
        else ()
    )
    tie_outs = []
    for statement in spec.statement_balances:
        ledger = opening + (running_at[statement.date] or 0)
        if ledger != statement.balance:
            problems.append(
                SourceProblem(
                    name,
                    None,
                    f"statement balance on {statement.date}: the bank says"
                    f" {shown(statement.balance, currency)}, the ledger"
                    f" {shown(ledger, currency)} (off by"
                    f" {shown(ledger - statement.balance, currency)}): a row missing or doubled"
                    " before that day, or the wrong opening_balance",
                )
            )
        if statement.date <= period_end:
            tie_outs.append(tie_out(spec, currency, statement.date, ledger, statement.balance))
    last = db.execute(
        "SELECT date, balance, running FROM account_rows WHERE date <= ? ORDER BY seq DESC LIMIT 1",
        (period_end,),
    ).fetchone()
    if last is not None and not any(t.date in (period_end, last[0]) for t in tie_outs):
        day, balance, running = last
        tie_outs.append(tie_out(spec, currency, day, opening + running, balance, "balance column"))
    db.execute("DROP TABLE account_rows")
    return (implied if not declared else None), problems, tie_outs


def tie_out(
    spec: LedgerSource,
    currency: str,
    day: date,
    ledger: Decimal,
    bank: Decimal | None,
    evidence: str = "statement",
) -> TieOut:
    return TieOut(
        account=spec.name or spec.path,
        entity=spec.entity,
        currency=currency,
        date=day,
        ledger=ledger,
        bank=bank,
        evidence=evidence if bank is not None else "no balance in the export",
    )
