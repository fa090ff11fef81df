"""What each balance-sheet account is: cash, receivable, payable, deferred revenue, loan, fixed
asset, equity, owner money or opening balances.

The type comes from `[accounts]` in boardpack.toml, else from the account's beancount `open`
directive (`type: "loan"`), else it is guessed from the name as before types existed (a
`Liabilities:…Loan…` is a loan). The cash-flow statement, burn and the forecast all read the
type, so a loan is financing however it is named; `check` lists the guesses so that they can be
said.

The types go into DuckDB as the macro `account_type(account)` (NULL for income and expenses), so
that every query reads one answer.
"""

from __future__ import annotations

import duckdb

from boardpack.config import AccountSpec
from boardpack.model import guessed_type


def build(
    db: duckdb.DuckDBPyConnection,
    declared: dict[str, AccountSpec],
    from_ledger: dict[str, AccountSpec],
    also: list[str],
) -> dict[str, tuple[str, str]]:
    """Type every account the ledger names (and `also`: the opening balances' accounts): account ->
    (type, how it is known: "said", "guessed", or "unused" for one said that nothing names).
    Creates `account_type(account)` and `earned_into_account` (deferred-revenue account -> the
    income account it is said to be earned into)."""
    ledger = db.execute("SELECT DISTINCT account FROM ledger WHERE account NOTNULL").fetchall()
    named = {a for (a,) in ledger} | set(also)
    types: dict[str, tuple[str, str]] = {}
    for account in sorted({*named, *declared, *from_ledger}):
        spec = declared.get(account) or from_ledger.get(account)
        if spec is not None:
            types[account] = (spec.type, "said" if account in named else "unused")
        elif (kind := guessed_type(account)) is not None:
            types[account] = (kind, "guessed")
    earned = {
        a: s.earned_into for a, s in {**from_ledger, **declared}.items() if s.earned_into
    }
    # The maps are the connection's variables, not a table's rows: a query binds a variable as a
    # constant, where a subquery in a macro is planned again at every use. The macros are the
    # connection's own too (TEMP): another connection finds neither, and fails, rather than reading
    # every account's type as NULL. Typed: an empty map's NULL values are INTEGER to the bundle's
    # DuckDB.
    db.execute(
        "SET VARIABLE account_types = map($a::VARCHAR[], $t::VARCHAR[])",
        {"a": list(types) or [""], "t": [t for t, _ in types.values()] or [None]},
    )
    db.execute(
        "SET VARIABLE earned_into = map($e::VARCHAR[], $i::VARCHAR[])",
        {"e": list(earned) or [""], "i": list(earned.values()) or [None]},
    )
    db.execute(
        """CREATE OR REPLACE TEMP MACRO account_type(acct) AS
           map_extract(getvariable('account_types'), acct)[1]"""
    )
    db.execute(
        """CREATE OR REPLACE TEMP MACRO earned_into_account(acct) AS
           map_extract(getvariable('earned_into'), acct)[1]"""
    )
    return types
