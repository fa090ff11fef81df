"""Bank and bookkeeping CSV exports into the DuckDB `ledger` table.

DuckDB reads each file (as text, so that nothing is silently coerced) and one SQL pass parses
dates and amounts, applies the categorization rules and flags bad rows with their line numbers.
Line numbers assume one record per line, which bank exports are.
"""

from __future__ import annotations

import codecs
import csv
import glob
import tempfile
from decimal import Decimal
from pathlib import Path

import duckdb

from boardpack.config import LedgerSource, Workspace
from boardpack.errors import SourceErrors, SourceProblem, WorkspaceError
from boardpack.model import Portfolio, SourceStatus

LEDGER_DDL = """
CREATE TABLE IF NOT EXISTS ledger (
    date DATE NOT NULL,
    entity VARCHAR NOT NULL,
    account VARCHAR,            -- NULL: uncategorized
    amount DECIMAL(18, 2) NOT NULL,  -- money in is positive, money out negative
    currency VARCHAR NOT NULL,
    counterparty VARCHAR,
    memo VARCHAR,
    service_start DATE,
    service_end DATE,
    source_file VARCHAR NOT NULL,
    source_line INTEGER NOT NULL
)
"""
MONEY = r"[+-]?[0-9]+(\.[0-9]{1,2})?"


def q(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def lit(text: str) -> str:
    """A quoted SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


class LedgerCsv:
    name = "ledger"

    def read(self, portfolio: Portfolio) -> SourceStatus:
        ws = portfolio.workspace
        specs = ws.settings.sources.ledger
        status = SourceStatus(self.name, configured=bool(specs), stale_after_days=10)
        if not specs:
            return status
        db = portfolio.db
        db.execute(LEDGER_DDL)
        problems: list[SourceProblem] = []
        for index, spec in enumerate(specs):
            files = sorted(glob.glob(str(ws.root / spec.path)))
            if not files:
                raise WorkspaceError(
                    f"sources.ledger[{index}].path = {spec.path!r} matches no file under {ws.root}: "
                    "check the path (it is relative to the workspace) or remove the source"
                )
            for file in files:
                relative = str(Path(file).relative_to(ws.root)) if Path(file).is_relative_to(ws.root) else file
                status.paths.append(relative)
                found = load_file(db, Path(file), relative, spec, ws)
                if found and spec.on_error == "fail":
                    raise SourceErrors(found + [SourceProblem(
                        relative, None, 'fix the rows above, or set on_error = "skip" on this source to leave them out')])
                problems += found
            portfolio.opening_balances.append((spec.entity, spec.opening_balance, spec.name or spec.path))
        count, newest = db.execute("SELECT count(*), max(date) FROM ledger").fetchone()
        if count == 0:
            raise WorkspaceError(
                f"the ledger is empty: {', '.join(status.paths)} hold no transactions; "
                "export the bank statements for the period or fix the path"
            )
        status.records, status.freshness, status.problems = count, newest, problems
        return status


def load_file(db: duckdb.DuckDBPyConnection, path: Path, shown: str, spec: LedgerSource, ws: Workspace) -> list[SourceProblem]:
    """Load one CSV into `ledger`; return its bad rows (which are never loaded)."""
    cols = spec.columns
    header = read_header(path, shown, spec)
    wanted = cols.fields() | ({"entity": spec.entity_column} if spec.entity_column else {})
    missing = [h for h in wanted.values() if h not in header]
    if missing:
        raise WorkspaceError(
            f"{shown}:1: columns {', '.join(map(repr, missing))} not found; the file has "
            f"{', '.join(map(repr, header))}. Fix [sources.ledger.columns] to match the header."
        )
    with utf8_copy(path, spec.encoding) as readable:
        try:
            db.execute(f"""
                CREATE OR REPLACE TEMP TABLE raw AS
                SELECT row_number() OVER () + 1 AS line, *
                FROM read_csv({lit(str(readable))}, all_varchar = true, header = true,
                              delim = {lit(spec.delimiter)}, quote = '"', escape = '"')""")
        except duckdb.Error as exc:
            raise WorkspaceError(f"{shown}: cannot be read as CSV ({str(exc).splitlines()[0]}); "
                                 f"check delimiter and encoding (now {spec.delimiter!r}, {spec.encoding!r})") from None

    org = ws.settings.organization
    entity = lit(spec.entity) if spec.entity else f"trim({q(spec.entity_column or cols.entity)})"
    currency = f"upper(trim({q(cols.currency)}))" if cols.currency else lit(spec.currency or org.currency)
    text = lambda field: f"nullif(trim({q(getattr(cols, field))}), '')" if getattr(cols, field) else "NULL"
    if cols.amount:
        amount = money_sql(q(cols.amount), spec.decimal)
        amount_ok = f"{amount} IS NOT NULL"
        amount_problem = f"'amount ' || coalesce('\"' || {q(cols.amount)} || '\"', 'is empty, and') || ' is not a number'"
    else:
        debit, credit = money_sql(q(cols.debit), spec.decimal), money_sql(q(cols.credit), spec.decimal)
        blank = lambda c: f"coalesce(trim({q(c)}), '') = ''"
        amount = f"coalesce({credit}, 0) - coalesce({debit}, 0)"
        amount_ok = (f"NOT ({blank(cols.debit)} AND {blank(cols.credit)}) "
                     f"AND ({blank(cols.debit)} OR {debit} IS NOT NULL) AND ({blank(cols.credit)} OR {credit} IS NOT NULL)")
        amount_problem = (f"'debit \"' || coalesce({q(cols.debit)}, '') || '\" / credit \"' || coalesce({q(cols.credit)}, '') "
                          "|| '\" is not one amount'")
    if spec.sign == "inverted":
        amount = f"-({amount})"
    date_fmt = lit(cols.date_format)
    parsed_date = f"try_strptime(trim({q(cols.date)}), {date_fmt})::DATE"
    service = {f: (f"try_strptime(trim({q(getattr(cols, f))}), {date_fmt})::DATE" if getattr(cols, f) else "NULL::DATE")
               for f in ("service_start", "service_end")}
    known = ", ".join(lit(e.id) for e in ws.settings.entities)

    checks = [
        (f"{parsed_date} IS NULL",
         f"'date \"' || coalesce({q(cols.date)}, '') || '\" does not match date_format {cols.date_format}'"),
        (f"NOT ({amount_ok})", amount_problem),
        (f"{entity} IS NULL OR {entity} NOT IN ({known})",
         f"'entity \"' || coalesce({entity}, '') || '\" is not declared in [[entities]] (known: ' || {lit(known.replace(chr(39), ''))} || ')'"),
        (f"{currency} <> {lit(org.currency)}",
         f"'currency ' || {currency} || ' differs from the organization currency {org.currency} and no exchange rate is configured'"),
    ]
    for field, expr in service.items():
        if getattr(cols, field):
            checks.append((f"{text(field)} IS NOT NULL AND {expr} IS NULL",
                           f"'{field} \"' || {q(getattr(cols, field))} || '\" does not match date_format {cols.date_format}'"))
    checks.append((f"{service['service_end']} < {service['service_start']}", "'service_end is before service_start'"))
    problem = "CASE " + " ".join(f"WHEN {cond} THEN {msg}" for cond, msg in checks) + " END"

    account = text("account")
    rules = ws.settings.rules
    if rules:
        fields = {"memo": text("memo"), "counterparty": text("counterparty")}
        fields["any"] = f"concat_ws(' ', {fields['counterparty']}, {fields['memo']})"
        whens = " ".join(f"WHEN regexp_matches(coalesce({fields[r.field]}, ''), {lit('(?i)' + r.pattern)}) THEN {lit(r.account)}"
                         for r in rules)
        account = f"coalesce({account}, CASE {whens} END)"
    try:
        db.execute(f"""CREATE OR REPLACE TEMP TABLE parsed AS
            SELECT line, {problem} AS problem, {parsed_date} AS date, {entity} AS entity, {account} AS account,
                   {amount} AS amount, {currency} AS currency, {text('counterparty')} AS counterparty,
                   {text('memo')} AS memo, {service['service_start']} AS service_start,
                   {service['service_end']} AS service_end
            FROM raw""")
    except duckdb.Error as exc:
        raise WorkspaceError(f"{shown}: the categorization rules could not be applied: {str(exc).splitlines()[0]}; "
                             "patterns use RE2 syntax (no look-behind or back-references)") from None
    bad = db.execute("SELECT line, problem FROM parsed WHERE problem IS NOT NULL ORDER BY line LIMIT 200").fetchall()
    db.execute(f"""INSERT INTO ledger SELECT date, entity, account, amount, currency, counterparty, memo,
                   service_start, service_end, {lit(shown)}, line FROM parsed WHERE problem IS NULL""")
    db.execute("DROP TABLE raw; DROP TABLE parsed")
    return [SourceProblem(shown, line, message) for line, message in bad]


def money_sql(column: str, decimal: str) -> str:
    """SQL that turns a bank's amount text into DECIMAL(18,2), or NULL when it is not an amount.

    Accepts currency symbols, spaces, thousands separators and (parentheses) for negatives.
    More than two decimal places is not an amount: rounding it would change the books.
    """
    body = f"regexp_replace(trim({column}), '[\\s$€£()]', '', 'g')"
    body = f"replace(replace({body}, '.', ''), ',', '.')" if decimal == "," else f"replace({body}, ',', '')"
    negative = f"CASE WHEN trim({column}) LIKE '(%)' THEN -1 ELSE 1 END"
    return (f"CASE WHEN regexp_full_match({body}, '{MONEY}') "
            f"THEN CAST({body} AS DECIMAL(18, 2)) * {negative} END")


def read_header(path: Path, shown: str, spec: LedgerSource) -> list[str]:
    encoding = "utf-8-sig" if spec.encoding.startswith("utf-8") else spec.encoding
    try:
        with path.open(encoding=encoding, newline="") as handle:
            return [h.strip() for h in next(csv.reader(handle, delimiter=spec.delimiter), [])]
    except UnicodeDecodeError:
        raise WorkspaceError(f"{shown}: not valid {spec.encoding}; set encoding = \"cp1252\" (or the file's real "
                             "encoding) on this ledger source") from None


class utf8_copy:
    """The file itself when it is UTF-8; otherwise a temporary UTF-8 copy that DuckDB can read."""

    def __init__(self, path: Path, encoding: str):
        self.path, self.encoding, self.temp = path, encoding, None

    def __enter__(self) -> Path:
        if self.encoding.startswith("utf-8"):
            return self.path
        self.temp = tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".csv", delete=False)
        decoder = codecs.getincrementaldecoder(self.encoding)()
        try:
            with self.path.open("rb") as source, self.temp:
                for chunk in iter(lambda: source.read(1 << 20), b""):
                    self.temp.write(decoder.decode(chunk))
                self.temp.write(decoder.decode(b"", final=True))
        except UnicodeDecodeError as exc:
            self.__exit__()
            raise WorkspaceError(f"{self.path}: not valid {self.encoding} ({exc.reason}); "
                                 "set encoding to the file's real encoding") from None
        return Path(self.temp.name)

    def __exit__(self, *exc) -> None:
        if self.temp:
            Path(self.temp.name).unlink(missing_ok=True)


def opening_cash(portfolio: Portfolio) -> Decimal:
    return sum((amount for _, amount, _ in portfolio.opening_balances), Decimal("0.00"))


source = LedgerCsv()
