"""Bank and bookkeeping CSV exports into the DuckDB `ledger` table.

DuckDB reads each file once (as text, so that nothing is silently coerced), straight into the parsed
rows: the same SQL pass parses dates and amounts, applies the categorization rules and flags bad
rows. A row's line is its record's place in the file (the stored table keeps the file's order), or,
where a quoted field spans lines, the line Python's csv reader says it starts on.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

from boardpack.config import LedgerSource, StatementBalance, Workspace
from boardpack.csv_file import amount, day, read_rows
from boardpack.currencies import NO_DECIMALS, SYMBOLS, THREE_DECIMALS, minor_units, symbol_pairs
from boardpack.errors import SourceErrors, SourceProblem, WorkspaceError
from boardpack.model import ACCOUNT_TYPES, CashAccount, Portfolio, Rule, SourceStatus
from boardpack.period import EARLIEST, latest_plausible
from boardpack.sources import account_types, bank_balance, beancount_ledger
from boardpack.sources.books import build_books
from boardpack.sources.categories import load_rules
from boardpack.sources.csv_lines import physical_lines, record_starts, rewritten

# The `ledger` the analyses read: one row per transaction, money in positive, money out negative,
# account NULL when uncategorized: every file's good rows. A file's view (`ledger_file_N`, which the
# tie-out and the balance sheet's cash read too) joins its parsed rows (`ledger_file_N_rows`) to the
# one row of what the whole file shares (`ledger_file_N_file`: its name, its currency, the columns
# it does not have).
#
# Up to COPIED_UP_TO rows the ledger is copied into one table: the analyses ask it a few hundred
# questions, and DuckDB plans each over the union of the files' views again. Above it the ledger
# stays a view: the copy takes as much memory again as the rows, and at a million rows the pack
# was slower with it than without (bench/ledger_build.py: 6.00x the bare load against 5.39x).
COPIED_UP_TO = 250_000
LEDGER_COLUMNS = (
    "date",
    "entity",
    "account",
    "amount",
    "currency",
    "counterparty",
    "memo",
    "service_start",
    "service_end",
    "source_file",
    "source_line",
    "original_amount",
    "original_currency",
    "quantity",
    "rule",
    "moved_cash",
)
# `amount` is always in the organization's currency; a row in another currency keeps what the file
# said in `original_amount` and `original_currency`, converted at the rate in force on its date.
# `quantity` is units sold on an income row (NULL: one); `rule` the number of the categorization
# rule that gave the account; `moved_cash` whether the row's transaction moved cash (a beancount
# card purchase does not: its expense and liability rows net to zero, and the payment is cash).
MONEY = r"[+-]?[0-9]{1,15}(\.[0-9]{1,3})?"
# DuckDB's scan of a CSV as text, its columns named (`$columns`, each VARCHAR): nothing sniffed,
# nothing coerced; its other parameters the file and the delimiter
SCAN = (
    "read_csv($csv, header = true, auto_detect = false, delim = $delimiter, quote = '\"',"
    " escape = '\"', columns = $columns)"
)
# what a stored column holds when the file has no column for it
ABSENT = {
    "service_start": "NULL::DATE",
    "service_end": "NULL::DATE",
    "balance": "NULL::DECIMAL(18, 3)",
    "quantity": "NULL::DECIMAL(18, 4)",
    "cash_account": "NULL::VARCHAR",
}


def identifier(name: str) -> str:
    """A column name from the file, quoted as an SQL identifier (names cannot be parameters)."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """Text as an SQL string literal, for a view (which takes no parameters): its quotes doubled,
    DuckDB reads no other escape in one."""
    return "'" + text.replace("'", "''") + "'"


class LedgerCsv:
    name = "ledger"

    def read(self, portfolio: Portfolio) -> SourceStatus:
        ws = portfolio.workspace
        specs, gaps = list(ws.settings.sources.ledger), []
        if any(s.records() in ("ledger", "queries") for s in ws.settings.sources.live()):
            from boardpack.live.ledger_rows import live_ledgers  # boto3: only where one is used

            live, gaps = live_ledgers(portfolio)
            specs += live
        status = SourceStatus(
            name=self.name, configured=bool(specs), stale_after_days=10, gaps=gaps
        )
        if not specs:
            return status
        db = portfolio.db
        problems: list[SourceProblem] = []
        parts: list[str] = []
        rates = load_rates(db, ws)
        # rows dated before 1900 or over a year past as-of and today have a wrong year: problems,
        # left out
        latest = latest_plausible(portfolio.as_of)
        portfolio.rules = rules = load_rules(db, ws)
        typed: dict = {}  # beancount's open directives' `type:` metadata
        for index, spec in enumerate(specs):
            of_known_kind(spec, index)
            first = len(parts)
            files = [str(f) for f in ws.glob(spec.path, f"sources.ledger[{index}].path")]
            if not files:
                raise WorkspaceError(
                    f"sources.ledger[{index}].path = {spec.path!r} matches no file under {ws.root}:"
                    " check the path (it is relative to the workspace) or remove the source"
                )
            for file in files:
                relative = (
                    str(Path(file).relative_to(ws.root))
                    if Path(file).is_relative_to(ws.root)
                    else file
                )
                status.paths.append(relative)
                parts.append(f"ledger_file_{len(parts)}")
                if spec.format == "beancount":
                    found, unpriced, budget, types = beancount_ledger.load(
                        db, parts[-1], Path(file), relative, spec, ws, latest
                    )
                    typed |= types
                    portfolio.unpriced.update(unpriced)
                    portfolio.budget += budget  # fava's custom "budget" entries
                else:
                    found = load_file(
                        db, parts[-1], Path(file), relative, spec, ws, rates, rules, latest
                    )
                if found and spec.on_error == "fail":
                    raise SourceErrors(
                        found
                        + [
                            SourceProblem(
                                relative,
                                None,
                                'fix the rows above, or set on_error = "skip" on this source to'
                                " leave them out",
                            )
                        ]
                    )
                problems += found
            if spec.columns is not None and spec.columns.cash_account:
                problems += self.each_cash_account(portfolio, spec, parts[first:])
                continue
            opening = spec.opening_balance
            if spec.format == "csv":
                opening, found = self.tie_out(portfolio, spec, parts[first:])
                problems += found
            portfolio.cash_accounts.append(
                CashAccount(
                    name=spec.name or spec.path,
                    entity=spec.entity,
                    opening=opening,
                    tables=tuple(parts[first:]),
                    postings=(
                        tuple(f"{t}_cash" for t in parts[first:])
                        if spec.format == "beancount"
                        else ()
                    ),
                    card=spec.card_account,
                )
            )
        cards = {t: a.card for a in portfolio.cash_accounts if a.card for t in a.tables}
        rows = " UNION ALL ".join(ledger_rows(part, cards.get(part)) for part in parts)
        # a row dated after as-of is not yet news: it cannot make the ledger look current
        count, newest = db.execute(
            f"SELECT count(*), max(date) FILTER (WHERE date <= ?) FROM ({rows})",
            (portfolio.as_of,),
        ).fetchone()
        kind = "TEMP TABLE" if count <= COPIED_UP_TO else "VIEW"
        db.execute(f"CREATE OR REPLACE {kind} ledger AS {rows}")
        if count == 0:
            raise WorkspaceError(
                f"the ledger is empty: {', '.join(status.paths)} hold no transactions; "
                "export the bank statements for the period or fix the path"
            )
        status.records, status.freshness, status.problems = count, newest, problems
        portfolio.account_types = account_types.build(
            db, ws.settings.accounts, typed, [b.account for b in ws.settings.opening_balances]
        )
        portfolio.basis, portfolio.basis_reason = build_books(db, ws.settings.organization.basis)
        return status

    def each_cash_account(
        self, portfolio: Portfolio, spec: LedgerSource, tables: list[str]
    ) -> list[SourceProblem]:
        """A file of several cash accounts: each one tied out and on the balance sheet on its own,
        its opening balance from its own balance column."""
        accounts: dict[str, list[str]] = {}
        for table in tables:
            for account, view in by_cash_account(portfolio.db, table).items():
                accounts.setdefault(account, []).append(view)
        problems = []
        for account, views in accounts.items():
            kept = " UNION ".join(f"SELECT DISTINCT original_currency FROM {v}" for v in views)
            currencies = portfolio.db.execute(kept).fetchall()
            named = spec.model_copy(  # an account of one currency (a processor's, by currency)
                update={"name": account}
                | ({"currency": currencies[0][0]} if len(currencies) == 1 else {})
            )
            opening, found = self.tie_out(portfolio, named, views)
            problems += found
            portfolio.cash_accounts.append(
                CashAccount(name=account, entity=spec.entity, opening=opening, tables=tuple(views))
            )
        return problems

    @staticmethod
    def tie_out(
        portfolio: Portfolio, spec: LedgerSource, tables: list[str]
    ) -> tuple[Decimal, list[SourceProblem]]:
        """The account's opening balance (the bank's own figure when its export prints balances and
        it is in the organization's currency) and what disagrees with the bank's figures; the
        tie-out goes on the portfolio."""
        currency = spec.currency or portfolio.currency
        spec = spec.model_copy(update={"statement_balances": statements_of(portfolio, spec)})
        if spec.kind == "credit_card":  # what was owed, as the card account's (negative) balance
            owed = {"statement_balances": [
                s.model_copy(update={"balance": -s.balance}) for s in spec.statement_balances
            ]}  # fmt: skip
            if "opening_balance" in spec.model_fields_set:  # (an update counts as declared)
                owed["opening_balance"] = -spec.opening_balance
            spec = spec.model_copy(update=owed)
        implied, problems, tie_outs = bank_balance.account_balances(
            portfolio.db, tables, spec, currency, portfolio.period.end
        )
        portfolio.tie_outs += tie_outs
        if problems and spec.on_error == "fail":
            raise SourceErrors(
                problems
                + [
                    SourceProblem(
                        spec.name or spec.path,
                        None,
                        'fix the export or the statement balance, or set on_error = "skip" to'
                        " build with the difference shown in the tie-out",
                    )
                ]
            )
        use_implied = implied is not None and currency == portfolio.currency
        return (implied if use_implied else spec.opening_balance), problems


def statements_of(portfolio: Portfolio, spec: LedgerSource) -> list[StatementBalance]:
    """The source's statement balances, read from their CSV file when it names one."""
    if not isinstance(spec.statement_balances, str):
        return spec.statement_balances
    index = portfolio.workspace.settings.sources.ledger.index(spec)
    return statements(
        portfolio.workspace.root,
        spec.statement_balances,
        f"sources.ledger[{index}].statement_balances",
    )


def by_cash_account(db: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    """A file of several cash accounts (`columns.cash_account`): a view of each account's rows, by
    the account's name."""
    named = db.execute(
        f"SELECT DISTINCT cash_account FROM {table} WHERE cash_account NOTNULL ORDER BY 1"
    ).fetchall()
    views = {}
    for n, (account,) in enumerate(named):
        views[account] = f"{table}_in_{n}"
        db.execute(  # a view takes no parameters: the name as a literal, its quotes doubled
            f"CREATE OR REPLACE TEMP VIEW {views[account]} AS SELECT * FROM {table}"
            f" WHERE cash_account = {literal(account)}"
        )
    return views


def ledger_rows(part: str, card: str | None) -> str:
    """The `ledger`'s rows from one file. A credit card's moved no cash: each row is paired with
    one to the card's liability (a purchase of 50 is 50 more owed; the two net to nothing in cash,
    as a beancount card purchase does), and a payment to the card is left to the bank's export,
    where the money left."""
    columns = ", ".join(LEDGER_COLUMNS)
    if card is None:
        return f"SELECT {columns} FROM {part} WHERE problem IS NULL"
    account = literal(card)
    own = f"problem IS NULL AND account IS DISTINCT FROM {account}"
    return (
        f"SELECT {columns} FROM {part} WHERE {own} UNION ALL SELECT {columns} FROM (SELECT *"
        f" REPLACE ({account} AS account, -amount AS amount, -original_amount AS original_amount,"
        f" NULL::DATE AS service_start, NULL::DATE AS service_end, NULL AS quantity,"
        f" NULL AS rule) FROM {part} WHERE {own})"
    )


def load_file(
    db: duckdb.DuckDBPyConnection,
    table: str,
    path: Path,
    shown: str,
    spec: LedgerSource,
    ws: Workspace,
    rates: str | None = None,
    rules: list[Rule] = (),
    latest: date = date.max,
) -> list[SourceProblem]:
    """Parse one CSV into `table`; return its bad rows (which the ledger view leaves out)."""
    cols = spec.columns
    sql = ParseSql(spec, ws.settings.organization.currency)
    parsed = sql.parsed(numbered=rates is not None)
    problem = sql.problem(ws, rates, latest)
    fixed = sql.constants()
    # one pass from DuckDB's reader to the stored rows: the raw text and the helpers are only for
    # the messages, computed for `problem` and never stored; nor is what one value fills for the
    # whole file (`fixed`, kept once beside). Every record is kept, in the file's order, so that a
    # row's rowid is its record's number (a `skip_if` row is marked, not dropped) — unless a join
    # with the exchange rates reorders them: then the reader numbers each (`record`, in one thread)
    scan, record = (f"{SCAN} WITH ORDINALITY", "record") if rates else (SCAN, "rowid")
    parse = f"""CREATE OR REPLACE TEMP TABLE {table}_rows AS SELECT * EXCLUDE ({', '.join(fixed)})
        FROM (SELECT * EXCLUDE ({sql.dropped()}, amount, currency, fee, net),
               {sql.account(rules)} AS account, rule, {sql.converted("amount")} AS amount,
               $currency AS currency, amount AS original_amount, currency AS original_currency,
               {sql.converted("fee")} AS fee, fee AS original_fee, {problem} AS problem,
               true AS moved_cash, $file AS source_file FROM (
            WITH x AS (SELECT *, {sql.rule(rules)} AS rule FROM ({parsed} FROM {scan}))
            {rated(rates)}))"""
    params = sql.params | {"file": shown}
    with Readable(path, shown, spec) as (readable, offset):
        header = read_header(readable, shown, spec)
        check_columns(header, shown, spec, offset)
        lines = read_once(db, table, parse, params, readable, shown, spec, header, offset, record)
    values = ", ".join(f"{value} AS {name}" for name, value in fixed.items())
    named = {k: v for k, v in params.items() if f"${k}" in fixed.values()}
    db.execute(f"CREATE OR REPLACE TEMP TABLE {table}_file AS SELECT {values}", named)
    rows = lines + (" WHERE NOT skipped" if spec.skip_if else "")
    db.execute(f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT * FROM ({rows}), {table}_file")
    if spec.kind == "credit_card" and cols.balance:
        bank_balance.as_card_account(db, table)
    balance_problems = [
        problem
        for account in (by_cash_account(db, table) if cols.cash_account else {None: table})
        .values()
        for problem in bank_balance.running_balance(
            db, account, shown, spec.currency or sql.params["currency"]
        )
        if cols.balance
    ]
    if cols.fee:
        # a processor's fee is an expense of its own, on the same line: gross in, fee out, net to
        # cash (a table of its own, beside the file's rows: its rowids are not records)
        columns = ", ".join(
            c
            for c in (*LEDGER_COLUMNS, "cash_account")
            if c not in ("account", "amount", "rule", "quantity", *fixed)
        )
        quantity = "" if "quantity" in fixed else ", NULL AS quantity"
        db.execute(
            f"""CREATE OR REPLACE TEMP TABLE {table}_fees AS
            SELECT {columns}, ?::VARCHAR AS account, -fee AS amount, NULL::INTEGER AS rule
                   {quantity}, problem, 0::DECIMAL(18, 2) AS fee
            FROM {table} WHERE fee <> 0""",
            (spec.fee_account,),
        )
        db.execute(
            f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT * FROM ({rows}"
            f" UNION ALL BY NAME FROM {table}_fees), {table}_file"
        )
    bad = db.execute(
        f"SELECT DISTINCT source_line, problem FROM {table} WHERE problem IS NOT NULL "
        "ORDER BY source_line LIMIT 200"
    ).fetchall()
    return [SourceProblem(shown, line, message) for line, message in bad] + balance_problems


class ParseSql:
    """The SQL that parses one CSV ledger's text columns, a named function per fragment. Column
    names are quoted identifiers; every value from the workspace (an entity, a date format, a rule's
    pattern) is a `$name` parameter in `params`, never pasted into the SQL."""

    def __init__(self, spec: LedgerSource, organization_currency: str):
        self.spec, self.cols = spec, spec.columns
        self.params: dict[str, object] = {
            "currency": organization_currency,
            "date_format": spec.columns.date_format,
        }
        self.raw = {"date": self.raw_text("date")}  # the text behind each value a problem quotes
        self.helpers: dict[str, str] = {}  # values only the checks read, dropped after them
        # the decimal places of the row's currency: one figure when the file has one currency
        self.places = str(minor_units(spec.currency or organization_currency))
        if spec.columns.currency:
            self.places = places_sql("currency")
            self.params |= {
                "no_decimals": sorted(NO_DECIMALS),
                "three_decimals": sorted(THREE_DECIMALS),
            }
        self.params |= {"symbols": sorted(SYMBOLS), "symbol_pairs": symbol_pairs()}

    def param(self, name: str, value: object) -> str:
        self.params[name] = value
        return f"${name}"

    def column(self, field: str) -> str:
        return identifier(getattr(self.cols, field))

    def text(self, field: str) -> str:
        return (
            f"nullif(trim({self.column(field)}), '')"
            if getattr(self.cols, field)
            else "NULL::VARCHAR"
        )

    def raw_text(self, field: str) -> str:
        return f"coalesce({self.column(field)}, '')"

    def as_date(self, field: str) -> str:
        return f"try_strptime(trim({self.column(field)}), $date_format)::DATE"

    def money(self, field: str) -> str:
        return money_sql(self.column(field), self.spec.decimal)

    def amount(self) -> str:
        """Money in positive, out negative: one signed column, one with a direction column beside
        it, or debit and credit (money out written as a positive or a negative number)."""
        cols = self.cols
        if cols.amount and cols.direction:
            self.raw["amount"] = self.raw_text("amount")
            self.raw["direction"] = self.raw_text("direction")
            way = f"lower(trim({self.column('direction')}))"
            magnitude = f"abs({self.money('amount')})"
            self.param("direction_in", [v.strip().casefold() for v in self.spec.direction.in_])
            self.param("direction_out", [v.strip().casefold() for v in self.spec.direction.out])
            signed = (
                f"CASE WHEN list_contains($direction_in, {way}) THEN {magnitude} "
                f"WHEN list_contains($direction_out, {way}) THEN -{magnitude} END"
            )
        elif cols.amount:
            self.raw["amount"] = self.raw_text("amount")
            signed = self.money("amount")
        else:
            self.raw["amount"] = f"{self.raw_text('debit')} || ' / ' || {self.raw_text('credit')}"
            debit, credit = self.money("debit"), self.money("credit")
            money_out = f"-({debit})" if self.spec.debit_sign == "negative" else debit
            self.helpers |= {
                "money_out": money_out,
                "money_in": credit,
                "debit_text": self.raw_text("debit"),
                "credit_text": self.raw_text("credit"),
            }
            blank_debit, blank_credit = blank(cols.debit), blank(cols.credit)
            signed = (
                f"CASE WHEN NOT ({blank_debit} AND {blank_credit}) AND ({blank_debit} OR {debit} IS"
                f" NOT NULL) AND ({blank_credit} OR {credit} IS NOT NULL) THEN coalesce({credit},"
                f" 0) - coalesce({money_out}, 0) END"
            )
        written = self.column("amount" if cols.amount else "credit")
        number = plain_sql(written, self.spec.decimal)
        self.helpers["written_currency"] = code_sql(written, number)
        self.helpers["written_symbol"] = symbol_sql(written, number)
        return f"-({signed})" if self.spec.sign == "inverted" else signed

    def fee(self, field: str) -> str:
        return f"-({self.money(field)})" if self.spec.fee_sign == "negative" else self.money(field)

    def entity(self) -> str:
        if self.spec.entity:
            return self.param("entity", self.spec.entity)
        return f"trim({identifier(self.spec.entity_column or self.cols.entity)})"

    def file_currency(self) -> str:
        if self.cols.currency:
            return f"upper(trim({self.column('currency')}))"
        return self.param("file_currency", self.spec.currency or self.params["currency"])

    def optional(self, field: str, parse: Callable[[str], str], absent: str) -> str:
        """A value the file may not have (a service period, a processor's fee, units sold)."""
        if not getattr(self.cols, field):
            return absent
        self.raw[field] = self.raw_text(field)
        return parse(field)

    def quantity(self, field: str) -> str:
        return f"TRY_CAST(trim({self.column(field)}) AS DECIMAL(18, 4))"

    def parsed(self, numbered: bool = False) -> str:
        """Each value parsed once (the checks only look at the results), with the text the messages
        quote; `numbered`, each with its record's number."""
        values = {
            "date": self.as_date("date"),
            "entity": self.entity(),
            "raw_account": self.text("account"),
            "amount": self.amount(),
            "currency": self.file_currency(),
            "counterparty": self.text("counterparty"),
            "memo": self.text("memo"),
            **{
                f: self.optional(f, self.as_date, ABSENT[f])
                for f in ("service_start", "service_end")
            },
            "fee": self.optional("fee", self.fee, "0::DECIMAL(18, 3)"),
            "net": self.optional("net", self.money, "NULL::DECIMAL(18, 3)"),
            "balance": self.optional("balance", self.money, ABSENT["balance"]),
            "quantity": self.optional("quantity", self.quantity, ABSENT["quantity"]),
            "cash_account": self.optional("cash_account", self.text, ABSENT["cash_account"]),
        }
        if self.spec.skip_if:
            values["skipped"] = self.skipped()
        if numbered:  # the reader's own count, from 1
            values["record"] = "ordinality - 1"
        return "SELECT " + ", ".join(
            [
                *(f"{sql} AS {name}" for name, sql in values.items()),
                *(f"{sql} AS {name}" for name, sql in self.helpers.items()),
                *(f"{sql} AS raw_{name}" for name, sql in self.raw.items()),
            ]
        )

    def constants(self) -> dict[str, str]:
        """The stored columns one value fills for the whole file, as SQL: kept once beside the
        rows (`{table}_file`), not written on every row."""
        moved_cash = "false" if self.spec.kind == "credit_card" else "true"  # a card's is owed
        fixed = {"currency": "$currency", "moved_cash": moved_cash, "source_file": "$file"}
        if self.spec.entity:
            fixed["entity"] = "$entity"
        if not self.cols.currency:
            fixed["original_currency"] = "$file_currency"
        if not self.cols.fee:
            fixed |= {"fee": "0::DECIMAL(18, 2)", "original_fee": "0::DECIMAL(18, 3)"}
        return fixed | {f: sql for f, sql in ABSENT.items() if not getattr(self.cols, f)}

    def skipped(self) -> str:
        """`skip_if`: rows whose column holds one of the values (without case) are left out."""
        tests = []
        for n, (column, values) in enumerate(self.spec.skip_if.items()):
            listed = self.param(f"skip_{n}", [v.strip().casefold() for v in values])
            tests.append(
                f"list_contains({listed}, lower(trim(coalesce({identifier(column)}, ''))))"
            )
        return " OR ".join(tests)

    def dropped(self) -> str:
        """What the stored table leaves out of the parse: the text and the helpers of the checks."""
        return ", ".join(
            [*(f"raw_{f}" for f in self.raw), *self.helpers, "raw_account", "rule", "rate"]
        )

    def rule(self, rules: list[Rule]) -> str:
        """The first rule whose pattern matches a row without an account, or the first rule with
        `override` that matches a row with one: its number, for the fired-rules report."""
        if not rules:
            return "NULL::INTEGER"
        tests = {r.number: rule_test(r, self.param(f"pattern_{r.number}", "(?i)" + r.pattern))
                 for r in rules}  # fmt: skip
        every = " ".join(tests.values())
        overriding = " ".join(tests[r.number] for r in rules if r.override)
        if not overriding:
            return f"CASE WHEN raw_account IS NOT NULL THEN NULL {every} END"
        return (
            f"CASE WHEN raw_account IS NULL THEN (CASE {every} END)"
            f" ELSE (CASE {overriding} END) END"
        )

    def account(self, rules: list[Rule]) -> str:
        """The file's account — its category as `categories` maps it, or a bare category under the
        prefix its sign chooses — else the first matching rule's (an overriding rule's even over
        the file's), else the default for its sign."""
        written = "raw_account"
        if self.spec.category_prefix:
            money_in, money_out = self.spec.category_prefix
            self.params |= {
                "types": list(ACCOUNT_TYPES),
                "prefix_in": money_in,
                "prefix_out": money_out,
            }
            account = "regexp_replace(raw_account, '\\s*:\\s*', ':', 'g')"
            written = (
                f"CASE WHEN list_contains($types, split_part({account}, ':', 1))"
                f" AND contains({account}, ':') THEN {account} "
                f"WHEN amount >= 0 THEN $prefix_in || ':' || {account} "
                f"ELSE $prefix_out || ':' || {account} END"
            )
        if self.spec.categories:
            mapped = " ".join(
                f"WHEN {self.param(f'category_{n}', category.strip().casefold())}"
                f" THEN {self.param(f'category_account_{n}', account)}"
                for n, (category, account) in enumerate(self.spec.categories.items())
            )
            written = f"CASE lower(trim(raw_account)) {mapped} ELSE {written} END"
        if rules:
            chosen = " ".join(
                f"WHEN {r.number} THEN {self.param(f'account_{r.number}', r.account)}"
                for r in rules
            )
            # a rule fired only for a row without an account, or one it overrides
            written = f"CASE WHEN rule IS NULL THEN {written} ELSE CASE rule {chosen} END END"
        if self.spec.default_income or self.spec.default_expense:
            money_in = self.param("default_income", self.spec.default_income)
            money_out = self.param("default_expense", self.spec.default_expense)
            by_sign = f"CASE WHEN amount >= 0 THEN {money_in} ELSE {money_out} END"
            written = f"coalesce({written}, {by_sign})"
        return written

    def converted(self, value: str) -> str:
        """In the organization's currency, exactly: DECIMAL amount × DECIMAL rate, rounded once, to
        the cent."""
        return (
            f"CASE WHEN currency = $currency THEN CAST({value} AS DECIMAL(18, 2)) ELSE CAST({value}"
            " * rate AS DECIMAL(18, 2)) END"
        )

    def direction_checks(self) -> list[tuple[str, str]]:
        """A direction value that is neither in nor out."""
        if not self.cols.direction:
            return []
        return [
            (
                (
                    "NOT list_contains(list_concat($direction_in, $direction_out),"
                    " lower(trim(raw_direction)))"
                ),
                (
                    "'direction \"' || raw_direction || '\" is neither in (' ||"
                    " array_to_string($direction_in, ', ') || ') nor out (' ||"
                    " array_to_string($direction_out, ', ') || '): add it to"
                    " [sources.ledger.direction]'"
                ),
            )
        ]

    def sign_checks(self) -> list[tuple[str, str]]:
        """Debit and credit columns each hold money one way: a number with the other sign means
        the signs are read the wrong way round."""
        if self.cols.amount:
            return []
        other = "negative" if self.spec.debit_sign == "positive" else "positive"
        return [
            (
                "money_out < 0",
                f"'debit \"' || debit_text || '\" is {other}, and debit_sign = "
                f'"{self.spec.debit_sign}": set debit_sign = "{other}" if this column writes'
                f" money out as {other} numbers'",
            ),
            (
                "money_in < 0",
                (
                    "'credit \"' || credit_text || '\" is negative; money in is written"
                    ' positive: is this column a signed amount (amount = "...")?\''
                ),
            ),
        ]

    def problem(self, ws: Workspace, rates: str | None, latest: date) -> str:
        """What is wrong with a row, in words, or NULL: the first check that fails. Call after
        `parsed`."""
        cols, org = self.cols, self.params["currency"]
        entity, currency = echoed("coalesce(entity, '')"), echoed("currency")
        no_rate = (
            f"'no exchange rate for ' || {currency} || ' on or before ' || date || ' in {rates}:"
            f" add a row ' || date || ',' || {currency} || ',<{org} per ' || {currency} || '>'"
            if rates
            else (
                f"'currency ' || {currency} || ' differs from the organization currency {org} and"
                ' no exchange rate is configured: add [sources.rates] path = "rates.csv"\''
            )
        )
        checks = [
            (
                "date IS NULL",
                "'date \"' || raw_date || '\" does not match date_format ' || $date_format",
            ),
            (
                "date < $earliest OR date > $latest",
                (
                    "'dated ' || date || ', ' || CASE WHEN date < $earliest "
                    "THEN 'before 1900' ELSE 'over a year in the future' END "
                    "|| ': a wrong year?'"
                ),
            ),
            *self.direction_checks(),
            (
                "amount IS NULL",
                (
                    "'amount \"' || raw_amount || '\" is not a number'"
                    if cols.amount
                    else "'debit / credit \"' || raw_amount || '\" is not one amount'"
                ),
            ),
            *self.sign_checks(),
            (
                too_precise("amount", self.places),
                (
                    "'amount \"' || raw_amount || '\" has more decimal places than ' || currency"
                    f" || ' has (' || {self.places} || ')'"
                ),
            ),
            (
                "written_currency IS NOT NULL AND written_currency <> currency",
                (
                    "'amount \"' || raw_amount || '\" is in ' || written_currency || ', but this"
                    " row is in ' || currency || ': set currency on the source, or map a currency"
                    " column'"
                ),
            ),
            (
                "list_contains($symbols, written_symbol) AND NOT list_contains($symbol_pairs,"
                " written_symbol || ' ' || currency)",
                (
                    "'amount \"' || raw_amount || '\" is written with ' || written_symbol || ',"
                    " which is not ' || currency || ' (this row''s currency): set currency on the"
                    " source, or map a currency column'"
                ),
            ),
            (
                "entity IS NULL OR NOT list_contains($known, entity)",
                (
                    f"'entity \"' || {entity} || '\" is not declared in [[entities]] (known: ' ||"
                    " array_to_string($known, ', ') || ')'"
                ),
            ),
            ("currency <> $currency AND rate IS NULL", no_rate),
        ]
        if cols.cash_account:
            checks.append(
                (
                    "cash_account IS NULL",
                    f"'no cash account in column ' ||"
                    f" {self.param('cash_account_column', cols.cash_account)} || ': each row of"
                    " this file names the account it moved'",
                )
            )
        for field in ("fee", "net", "balance"):
            if field in self.raw:
                checks.append(
                    (
                        too_precise(field, self.places),
                        (
                            f"'{field} \"' || raw_{field} || '\" has more decimal places than ' ||"
                            " currency || ' has'"
                        ),
                    )
                )
        for field in ("service_start", "service_end", "fee", "net", "balance", "quantity"):
            if field in self.raw:
                what = (
                    "does not match date_format "
                    if field.startswith("service")
                    else "is not a number"
                )
                checks.append(
                    (
                        f"raw_{field} <> '' AND {field} IS NULL",
                        f"'{field} \"' || raw_{field} || '\" {what}'"
                        + (" || $date_format" if field.startswith("service") else ""),
                    )
                )
        checks.append(("service_end < service_start", "'service_end is before service_start'"))
        if cols.net:
            checks.append(
                (
                    "amount - fee <> net",
                    (
                        f"'gross ' || {shown('amount', self.places)} || ' - fee ' ||"
                        f" {shown('fee', self.places)} || ' is not net ' ||"
                        f" {shown('net', self.places)}"
                    ),
                )
            )
        self.params |= {
            "earliest": EARLIEST,
            "latest": latest,
            "known": [e.id for e in ws.settings.entities],
        }
        return (
            "CASE "
            + " ".join(f"WHEN {condition} THEN {quoted(message)}" for condition, message in checks)
            + " END"
        )


def blank(column: str) -> str:
    return f"coalesce(trim({identifier(column)}), '') = ''"


def rated(rates: str | None) -> str:
    """Each row with the exchange rate in force on its date; no join when nothing converts."""
    if rates:
        return (
            "SELECT x.*, r.rate FROM x ASOF LEFT JOIN rates r ON x.currency = r.currency AND x.date"
            " >= r.date"
        )
    return "SELECT *, NULL::DECIMAL(18, 8) AS rate FROM x"


def read_once(
    db: duckdb.DuckDBPyConnection,
    table: str,
    parse: str,
    params: dict[str, object],
    readable: Path,
    shown: str,
    spec: LedgerSource,
    header: list[str],
    offset: int,
    record: str = "rowid",
) -> str:
    """Run `parse` over the file (`$csv`, `$delimiter`, `$columns`) into `{table}_rows`; returns
    the SQL of those rows each with its physical line in the file (`offset` more than in
    `readable`), from its `record` (its number in the file, from 0)."""
    starts = None
    scan = {"csv": str(readable), "delimiter": spec.delimiter, "columns": varchar(header)}
    try:
        db.execute(parse, params | scan)
    # name the row that broke it, or read a valid file DuckDB's reader could not
    except duckdb.Error:
        copy, starts = rewritten(readable, shown, "utf-8-sig", spec.delimiter, offset)
        try:
            db.execute(parse, params | scan | {"csv": str(copy)})
        except duckdb.Error as exc:
            raise WorkspaceError(
                f"{shown}: cannot be read as CSV ({str(exc).splitlines()[0]}); check delimiter "
                f"and encoding (now {spec.delimiter!r}, {spec.encoding!r})"
            ) from None
        finally:
            copy.unlink(missing_ok=True)
    records = db.execute(f"SELECT count(*) FROM {table}_rows").fetchone()[0]
    if starts is None and physical_lines(readable) != records + 1:  # quoted newlines or blank lines
        starts = record_starts(readable, "utf-8-sig", spec.delimiter)
    if starts is None or len(starts) != records + 1:  # one line per record, after the header
        return f"SELECT *, {record} + {2 + offset} AS source_line FROM {table}_rows"
    db.execute(
        f"CREATE OR REPLACE TEMP TABLE {table}_lines AS "
        "SELECT unnest(?::BIGINT[]) AS line, unnest(range(?)) AS record",
        (starts[1:], records),
    )
    return (
        f"SELECT r.*, l.line + {offset} AS source_line FROM {table}_rows r"
        f" JOIN {table}_lines l ON l.record = r.{record}"
    )


def varchar(header: list[str]) -> dict[str, str]:
    """The reader's columns, each read as text: the header's names, a repeated one numbered as
    DuckDB's sniffer numbers it (Amount, Amount_1), so that the first keeps its name."""
    named: dict[str, str] = {}
    for name in header:
        unique, n = name, 0
        while unique.casefold() in (k.casefold() for k in named):
            n += 1
            unique = f"{name}_{n}"
        named[unique] = "VARCHAR"
    return named


def plain_sql(column: str, decimal: str) -> str:
    """SQL: whether the cell is a plain number (`-1234.50`), as most are: it needs no clean-up and
    has no currency written in it (with a decimal comma, only a whole number is plain)."""
    return f"regexp_full_match({column}, '{MONEY if decimal == '.' else '[+-]?[0-9]{1,15}'}')"


def money_sql(column: str, decimal: str) -> str:
    """SQL that turns a bank's amount text into DECIMAL(18,3), or NULL when it is not an amount.

    Accepts a currency symbol or a three-letter code before or after the number, spaces (and
    apostrophes) or thousands separators in groups of three, a sign before or after the number and
    (parentheses) for negatives. Refuses what it would have to guess at (`1,2,3`, `1.2.3`), more
    than three decimal places and more than 15 digits before the point (DECIMAL(18,3)'s limit).
    How many decimal places a currency may have is checked with the row (`places_sql`).
    """
    thousands = "," if decimal == "." else "."
    sep, dec = (f"\\{c}" for c in (thousands, decimal))
    grouped = f"[+-]?([0-9]{{1,15}}|[0-9]{{1,3}}({sep}[0-9]{{3}}){{1,4}})({dec}[0-9]{{1,3}})?"
    plain = plain_sql(column, decimal)
    uncoded = f"regexp_replace(trim({column}), '^[A-Z]{{3}}\\s*|\\s*[A-Z]{{3}}$', '', 'g')"
    bare = f"trim(regexp_replace({uncoded}, '[\\p{{Sc}}()]', '', 'g'))"
    signed = (  # 12,50- and - 12,50 are -12,50
        f"regexp_replace(regexp_replace({bare}, '^([0-9].*?)\\s*-$', '-\\1'), '^([+-])\\s+', '\\1')"
    )
    spaced = (  # 1 234,56 and 1'234.56: a space or an apostrophe groups thousands
        f"regexp_replace({signed}, '[\\s\\x{{00a0}}\\x{{202f}}'']+', '{thousands}', 'g')"
    )
    body = f"replace(replace({spaced}, '{thousands}', ''), '{decimal}', '.')"
    negative = f"CASE WHEN trim({column}) LIKE '(%)' THEN -1 ELSE 1 END"
    return (
        f"CASE WHEN {plain} THEN CAST({column} AS DECIMAL(18, 3)) WHEN regexp_full_match({spaced},"
        f" '{grouped}') THEN CAST({body} AS DECIMAL(18, 3)) * {negative} END"
    )


ECHOED = 60  # characters of a bad cell a problem quotes: enough to find it, never a whole file


QUOTED = re.compile(r"\b(raw_[a-z_]+|debit_text|credit_text)\b")  # a cell's text, in a message


def quoted(message: str) -> str:
    """A problem's SQL with every cell it quotes cut to `ECHOED` characters: only the rows with a
    problem pay for it."""
    return QUOTED.sub(lambda cell: echoed(cell[1]), message)


def echoed(text: str) -> str:
    """SQL: `text` cut to `ECHOED` characters, saying how long it was."""
    return (
        f"CASE WHEN length({text}) <= {ECHOED} THEN {text} ELSE left({text}, {ECHOED}) || '… ('"
        f" || length({text}) || ' characters)' END"
    )


def symbol_sql(column: str, plain: str) -> str:
    """The currency symbol written in an amount cell ("€5.00", "¥5"), or NULL. Most cells are a
    plain number (`plain`, the test the amount's parse makes too: DuckDB works it out once a row),
    then plain ASCII without a dollar sign: they skip the regular expression."""
    return (
        f"CASE WHEN {plain} THEN NULL WHEN strlen({column}) = length({column}) AND"
        f" strpos({column}, '$') = 0 THEN NULL ELSE nullif(regexp_extract({column},"
        " '\\p{Sc}'), '') END"
    )


def code_sql(column: str, plain: str) -> str:
    """The currency code written in an amount cell ("12.00 EUR"), or NULL. Most cells are a plain
    number, then without a capital letter: they skip the regular expression."""
    return (
        f"CASE WHEN {plain} THEN NULL WHEN lower({column}) = {column} THEN NULL"
        f" ELSE nullif(regexp_extract(trim({column}), '^[A-Z]{{3}}|[A-Z]{{3}}$'), '') END"
    )


def shown(value: str, places: str) -> str:
    """SQL: an amount as text with its currency's decimal places (2 unless it has 3)."""
    return (
        f"CASE {places} WHEN 3 THEN {value}::VARCHAR "
        f"ELSE CAST({value} AS DECIMAL(18, 2))::VARCHAR END"
    )


def too_precise(value: str, places: str) -> str:
    """SQL: `value` has more decimal places than the row's currency (`round` takes a constant)."""
    if places in ("0", "2", "3"):  # one currency for the whole file: no test a row
        return "false" if places == "3" else f"{value} <> round({value}, {places})"
    return (
        f"CASE {places} WHEN 0 THEN {value} <> round({value}, 0) "
        f"WHEN 2 THEN {value} <> round({value}, 2) ELSE false END"
    )


def places_sql(currency: str) -> str:
    """SQL for the decimal places an amount in `currency` may have (ISO 4217 minor units)."""
    return (
        f"CASE WHEN list_contains($no_decimals, {currency}) THEN 0 "
        f"WHEN list_contains($three_decimals, {currency}) THEN 3 ELSE 2 END"
    )


def read_header(readable: Path, shown: str, spec: LedgerSource) -> list[str]:
    """The header's names, stripped (the readable copy is UTF-8)."""
    try:
        with readable.open(encoding="utf-8-sig", newline="") as handle:
            return [h.strip() for h in next(csv.reader(handle, delimiter=spec.delimiter), [])]
    except UnicodeDecodeError:
        raise WorkspaceError(
            f'{shown}: not valid {spec.encoding}; set encoding = "cp1252" (or the file\'s real '
            "encoding) on this ledger source"
        ) from None


def mapped(spec: LedgerSource) -> dict[str, str]:
    """Ledger field -> the file's column, for each column the source maps."""
    return spec.columns.fields() | ({"entity": spec.entity_column} if spec.entity_column else {})


def check_columns(header: list[str], shown: str, spec: LedgerSource, offset: int) -> None:
    """Every column the source names is in the file, or a message that says how to fix it."""
    wanted = mapped(spec)
    missing = [h for h in wanted.values() if h not in header]
    if missing and not spec.header:
        raise WorkspaceError(
            f"{shown}:{offset + 2}: the rows have {len(header)} columns (c1 to c{len(header)}), but"
            f" [sources.ledger.columns] maps {', '.join(map(repr, missing))}: check the columns'"
            " positions, the delimiter and skip_lines"
        )
    if missing:
        fix = (
            f"the profile {spec.profile!r} expects {', '.join(map(repr, wanted.values()))}: rename"
            " the columns under [sources.ledger.columns]"
            if spec.profile
            else "Fix [sources.ledger.columns] to match the header"
        )
        raise WorkspaceError(
            f"{shown}:{offset + 1}: columns {', '.join(map(repr, missing))} not found; the file has"
            f" {', '.join(map(repr, header))}. {fix}."
        )
    if unknown := [c for c in spec.skip_if if c not in header]:
        raise WorkspaceError(
            f"{shown}:{offset + 1}: skip_if names {', '.join(map(repr, unknown))}, which the file"
            f" does not have; it has {', '.join(map(repr, header))}"
        )


class Readable:
    """The file as DuckDB reads it: UTF-8, starting at its header. The file itself when it is that
    already; otherwise a temporary copy, decoded, with its preamble (`skip_lines`) left out and,
    when it has no header, a header of positions ("c1", "c2", …) put in. Entering gives the path and
    the offset that turns a line of it into the file's own line."""

    def __init__(self, path: Path, shown: str, spec: LedgerSource):
        self.path, self.shown, self.spec, self.temp = path, shown, spec, None

    def __enter__(self) -> tuple[Path, int]:
        spec = self.spec
        if spec.encoding.startswith("utf-8") and spec.header and not spec.skip_lines:
            return self.path, 0
        self.temp = tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", newline="", suffix=".csv", delete=False
        )
        encoding = "utf-8-sig" if spec.encoding.startswith("utf-8") else spec.encoding
        try:
            # newline="": lines end at CRLF, LF or a lone CR, and keep their endings
            with self.path.open(encoding=encoding, newline="") as source, self.temp:
                lines = iter(source)
                for skipped in range(spec.skip_lines):
                    if next(lines, None) is None:
                        raise WorkspaceError(
                            f"{self.shown}: skip_lines = {spec.skip_lines}, but the file has only"
                            f" {skipped} lines: set skip_lines to the number of lines before the"
                            " header"
                        )
                if not spec.header:
                    lines = self.positions_header(lines)
                self.temp.writelines(lines)
        except UnicodeDecodeError as exc:
            self.__exit__()
            raise WorkspaceError(
                f"{self.shown}: not valid {spec.encoding} ({exc.reason}); set encoding to the"
                ' file\'s real encoding (e.g. encoding = "cp1252")'
            ) from None
        except BaseException:
            self.__exit__()
            raise
        return Path(self.temp.name), spec.skip_lines - (0 if spec.header else 1)

    def positions_header(self, lines: Iterator[str]) -> Iterator[str]:
        """A header naming the first record's columns by position, then every line as it was."""
        taken: list[str] = []

        def tap() -> Iterator[str]:
            for line in lines:
                taken.append(line)
                yield line

        first = next((row for row in csv.reader(tap(), delimiter=self.spec.delimiter) if row), None)
        if first is None:
            raise WorkspaceError(
                f"{self.shown}: no rows after line {self.spec.skip_lines}: check skip_lines"
            )
        yield self.spec.delimiter.join(f"c{n}" for n in range(1, len(first) + 1)) + "\n"
        yield from taken
        yield from lines

    def __exit__(self, *exc) -> None:
        if self.temp:
            self.temp.close()
            Path(self.temp.name).unlink(missing_ok=True)


source = LedgerCsv()


def statements(root: Path, relative: str, key: str) -> list[StatementBalance]:
    """A CSV of statement balances (date,balance: YYYY-MM-DD, a signed amount), as the source's
    `statement_balances`."""

    def parse(row: dict[str, str], where: str) -> StatementBalance:
        text = row["balance"].strip()
        value = amount(text.removeprefix("-"), "balance")
        if value != value.quantize(Decimal("0.01")):
            raise ValueError(f"balance {text!r} has more than two decimal places")
        return StatementBalance(
            date=day(row["date"].strip(), "date"), balance=-value if text.startswith("-") else value
        )

    return read_rows(root, relative, key, ("date", "balance"), parse)


def load_rates(db: duckdb.DuckDBPyConnection, ws: Workspace) -> str | None:
    """`[sources.rates]` into the temp table `rates` (currency, date, rate); its path as shown, or
    None."""
    spec = ws.settings.sources.rates
    if spec is None:
        return None
    path, shown = ws.path(spec.path, "sources.rates.path"), spec.path
    if not path.is_file():
        raise WorkspaceError(f"sources.rates.path = {spec.path!r}: no such file under {ws.root}")
    try:
        db.execute(
            "CREATE OR REPLACE TEMP TABLE rates_raw AS SELECT * FROM read_csv(?, all_varchar ="
            " true, header = true)",
            (str(path),),
        )
    except duckdb.Error as exc:
        raise WorkspaceError(
            f"{shown}: cannot be read as CSV ({str(exc).splitlines()[0]})"
        ) from None
    header = [row[0] for row in db.execute("DESCRIBE rates_raw").fetchall()]
    if [h.strip().lower() for h in header] != ["date", "currency", "rate"]:
        raise WorkspaceError(
            f"{shown}:1: the header is {', '.join(header)}; expected date, currency, rate"
        )
    day, currency, rate = (identifier(name) for name in header)
    db.execute(f"""CREATE OR REPLACE TEMP TABLE rates AS
        SELECT rowid + 2 AS line, try_strptime(trim({day}), '%Y-%m-%d')::DATE AS date,
               upper(trim({currency})) AS currency,
               TRY_CAST(trim({rate}) AS DECIMAL(18, 8)) AS rate,
               {day} AS raw_date, {rate} AS raw_rate
        FROM rates_raw""")
    bad = db.execute("""
        SELECT line, CASE
            WHEN date IS NULL THEN 'date "' || coalesce(raw_date, '') || '" is not YYYY-MM-DD'
            WHEN NOT regexp_full_match(coalesce(currency, ''), '[A-Z]{3}')
                THEN 'currency "' || coalesce(currency, '') || '" is not a three-letter code'
            ELSE 'rate "' || coalesce(raw_rate, '') || '" is not a positive number' END
        FROM rates WHERE date IS NULL OR NOT regexp_full_match(coalesce(currency, ''), '[A-Z]{3}')
                      OR rate IS NULL OR rate <= 0
        ORDER BY line LIMIT 50""").fetchall()
    db.execute("DROP TABLE rates_raw")
    if bad:
        raise SourceErrors([SourceProblem(shown, line, message) for line, message in bad])
    return shown


# what a rule's pattern is matched against
RULE_FIELDS = {
    "memo": "memo",
    "counterparty": "counterparty",
    "any": "concat_ws(' ', counterparty, memo)",
}


def rule_test(rule: Rule, pattern: str) -> str:
    """A CASE branch: the rule's number when its pattern (a bound parameter) matches the row."""
    field = RULE_FIELDS[rule.field]
    return f"WHEN regexp_matches(coalesce({field}, ''), {pattern}) THEN {rule.number}"


def of_known_kind(spec: LedgerSource, index: int) -> None:
    """Every account a source maps a category to, or gives by default, is of a kind the books know
    (Assets, Liabilities, Equity, Income, Expenses): anything else would be money no statement
    shows."""
    named = {f"categories.{c!r}": a for c, a in spec.categories.items()} | {
        key: account
        for key, account in (
            ("default_income", spec.default_income),
            ("default_expense", spec.default_expense),
        )
        if account
    }
    for key, account in named.items():
        if account.split(":")[0] not in ACCOUNT_TYPES or ":" not in account:
            raise WorkspaceError(
                f"sources.ledger[{index}].{key} = {account!r}: an account is one of"
                f" {', '.join(ACCOUNT_TYPES)} and a name below it (Assets:Savings)"
            )
