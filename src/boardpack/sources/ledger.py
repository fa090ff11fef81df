"""Bank and bookkeeping CSV exports into the DuckDB `ledger` table.

DuckDB reads each file (as text, so that nothing is silently coerced) and one SQL pass parses
dates and amounts, applies the categorization rules and flags bad rows with their line numbers.
Line numbers assume one record per line, which bank exports are.
"""

from __future__ import annotations

import codecs
import csv
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb

from boardpack.config import LedgerSource, Workspace
from boardpack.errors import SourceErrors, SourceProblem, WorkspaceError
from boardpack.model import Portfolio, SourceStatus
from boardpack.period import EARLIEST, latest_plausible
from boardpack.sources import beancount_ledger
from boardpack.sources.categories import Rule, load_rules
from boardpack.sources.csv_lines import physical_lines, record_starts, rewritten

# The `ledger` the analyses read: one row per transaction, money in positive, money out negative,
# account NULL when uncategorized. It is a view over one parsed table per file (no copy), each
# row kept only when nothing was wrong with it.
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
)
# `amount` is always in the organization's currency; a row in another currency keeps what the file
# said
# in `original_amount` and `original_currency`, converted at the rate in force on its date.
# `quantity` is units
# sold on an income row (NULL: one); `rule` the number of the categorization rule that gave the
# account.
MONEY = r"[+-]?[0-9]{1,16}(\.[0-9]{1,2})?"


def identifier(name: str) -> str:
    """A column name from the file, quoted as an SQL identifier (names cannot be parameters)."""
    return '"' + name.replace('"', '""') + '"'


class LedgerCsv:
    name = "ledger"

    def read(self, portfolio: Portfolio) -> SourceStatus:
        ws = portfolio.workspace
        specs = ws.settings.sources.ledger
        status = SourceStatus(name=self.name, configured=bool(specs), stale_after_days=10)
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
        for index, spec in enumerate(specs):
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
                    found, unpriced = beancount_ledger.load(
                        db, parts[-1], Path(file), relative, spec, ws, latest
                    )
                    portfolio.unpriced.update(unpriced)
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
            portfolio.opening_balances.append(
                (spec.entity, spec.opening_balance, spec.name or spec.path)
            )
        columns = ", ".join(LEDGER_COLUMNS)
        db.execute(
            "CREATE OR REPLACE VIEW ledger AS "
            + " UNION ALL ".join(
                f"SELECT {columns} FROM {part} WHERE problem IS NULL" for part in parts
            )
        )
        # a row dated after as-of is not yet news: it cannot make the ledger look current
        count, newest = db.execute(
            "SELECT count(*), max(date) FILTER (WHERE date <= ?) FROM ledger", (portfolio.as_of,)
        ).fetchall()[0]
        if count == 0:
            raise WorkspaceError(
                f"the ledger is empty: {', '.join(status.paths)} hold no transactions; "
                "export the bank statements for the period or fix the path"
            )
        status.records, status.freshness, status.problems = count, newest, problems
        return status


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
    header = read_header(path, shown, spec)
    wanted = cols.fields() | ({"entity": spec.entity_column} if spec.entity_column else {})
    missing = [h for h in wanted.values() if h not in header]
    if missing:
        fix = (
            f"the profile {spec.profile!r} expects {', '.join(map(repr, wanted.values()))}: rename"
            " the columns under [sources.ledger.columns]"
            if spec.profile
            else "Fix [sources.ledger.columns] to match the header"
        )
        raise WorkspaceError(
            f"{shown}:1: columns {', '.join(map(repr, missing))} not found; the file has "
            f"{', '.join(map(repr, header))}. {fix}."
        )
    with utf8_copy(path, spec.encoding) as readable:
        line = read_raw(db, readable, shown, spec, header)

    sql = ParseSql(spec, line, ws.settings.organization.currency)
    parsed = sql.parsed()
    problem = sql.problem(ws, rates, latest)
    raw_columns = ", ".join(f"raw_{f}" for f in sql.raw)
    try:
        # the raw text is only for the messages: computed for `problem`, never stored
        db.execute(
            f"""CREATE OR REPLACE TEMP TABLE {table} AS
            SELECT * EXCLUDE ({raw_columns}, raw_account, rule, rate, amount, currency, fee, net),
                   {sql.account(rules)} AS account, rule, {sql.converted("amount")} AS amount,
                   $currency AS currency, amount AS original_amount, currency AS original_currency,
                   {sql.converted("fee")} AS fee, {problem} AS problem, $file AS source_file FROM (
                WITH x AS (SELECT *, {sql.rule(rules)} AS rule FROM ({parsed} FROM raw))
                {rated(rates)})""",
            sql.params | {"file": shown},
        )
    except duckdb.Error as exc:
        raise WorkspaceError(f"{shown}: could not be parsed: {str(exc).splitlines()[0]}") from None
    if cols.fee:
        # a processor's fee is an expense of its own, on the same line: gross in, fee out, net to
        # cash
        columns = ", ".join(
            c for c in LEDGER_COLUMNS if c not in ("account", "amount", "rule", "quantity")
        )
        db.execute(
            f"""INSERT INTO {table} BY NAME
            SELECT {columns}, ? AS account, -fee AS amount, NULL AS rule, NULL AS quantity, problem,
                   0 AS fee
            FROM {table} WHERE fee <> 0""",
            (spec.fee_account,),
        )
    bad = db.execute(
        f"SELECT DISTINCT source_line, problem FROM {table} WHERE problem IS NOT NULL "
        "ORDER BY source_line LIMIT 200"
    ).fetchall()
    db.execute("DROP TABLE raw")
    return [SourceProblem(shown, line, message) for line, message in bad]


class ParseSql:
    """The SQL that parses one CSV ledger's text columns, a named function per fragment. Column
    names are quoted identifiers; every value from the workspace (an entity, a date format, a rule's
    pattern) is a `$name` parameter in `params`, never pasted into the SQL."""

    def __init__(self, spec: LedgerSource, line: str, organization_currency: str):
        self.spec, self.cols, self.line = spec, spec.columns, line
        self.params: dict[str, object] = {
            "currency": organization_currency,
            "date_format": spec.columns.date_format,
        }
        self.raw = {"date": self.raw_text("date")}  # the text behind each value a problem quotes

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
        """Money in positive, out negative: one signed column, or debit and credit."""
        cols = self.cols
        if cols.amount:
            self.raw["amount"] = self.raw_text("amount")
            signed = self.money("amount")
        else:
            self.raw["amount"] = f"{self.raw_text('debit')} || ' / ' || {self.raw_text('credit')}"
            debit, credit = self.money("debit"), self.money("credit")
            blank_debit, blank_credit = blank(cols.debit), blank(cols.credit)
            signed = (
                f"CASE WHEN NOT ({blank_debit} AND {blank_credit}) AND ({blank_debit} OR {debit} IS"
                f" NOT NULL) AND ({blank_credit} OR {credit} IS NOT NULL) THEN coalesce({credit},"
                f" 0) - coalesce({debit}, 0) END"
            )
        return f"-({signed})" if self.spec.sign == "inverted" else signed

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

    def parsed(self) -> str:
        """Each value parsed once (the checks only look at the results), with the text the messages
        quote."""
        values = {
            "source_line": self.line,
            "date": self.as_date("date"),
            "entity": self.entity(),
            "raw_account": self.text("account"),
            "amount": self.amount(),
            "currency": self.file_currency(),
            "counterparty": self.text("counterparty"),
            "memo": self.text("memo"),
            **{
                f: self.optional(f, self.as_date, "NULL::DATE")
                for f in ("service_start", "service_end")
            },
            "fee": self.optional("fee", self.money, "0::DECIMAL(18, 2)"),
            "net": self.optional("net", self.money, "NULL::DECIMAL(18, 2)"),
            "quantity": self.optional("quantity", self.quantity, "NULL::DECIMAL(18, 4)"),
        }
        return "SELECT " + ", ".join(
            [
                *(f"{sql} AS {name}" for name, sql in values.items()),
                *(f"{sql} AS raw_{name}" for name, sql in self.raw.items()),
            ]
        )

    def rule(self, rules: list[Rule]) -> str:
        """The first rule whose pattern matches a row without an account: its number, for the
        fired-rules report."""
        if not rules:
            return "NULL::INTEGER"
        fields = {
            "memo": "memo",
            "counterparty": "counterparty",
            "any": "concat_ws(' ', counterparty, memo)",
        }
        tests = [
            f"WHEN regexp_matches(coalesce({fields[r.field]}, ''),"
            f" {self.param(f'pattern_{r.number}', '(?i)' + r.pattern)}) THEN {r.number}"
            for r in rules
        ]
        return f"CASE WHEN raw_account IS NOT NULL THEN NULL {' '.join(tests)} END"

    def account(self, rules: list[Rule]) -> str:
        if not rules:
            return "raw_account"
        chosen = " ".join(
            f"WHEN {r.number} THEN {self.param(f'account_{r.number}', r.account)}" for r in rules
        )
        return f"coalesce(raw_account, CASE rule {chosen} END)"

    def converted(self, value: str) -> str:
        """In the organization's currency, exactly: DECIMAL amount × DECIMAL rate, rounded once, to
        the cent."""
        return (
            f"CASE WHEN currency = $currency THEN {value} ELSE CAST({value} * rate AS DECIMAL(18,"
            " 2)) END"
        )

    def problem(self, ws: Workspace, rates: str | None, latest: date) -> str:
        """What is wrong with a row, in words, or NULL: the first check that fails. Call after
        `parsed`."""
        cols, org = self.cols, self.params["currency"]
        no_rate = (
            f"'no exchange rate for ' || currency || ' on or before ' || date || ' in {rates}: add"
            f" a row ' || date || ',' || currency || ',<{org} per ' || currency || '>'"
            if rates
            else (
                f"'currency ' || currency || ' differs from the organization currency {org} and no"
                ' exchange rate is configured: add [sources.rates] path = "rates.csv"\''
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
            (
                "amount IS NULL",
                (
                    "'amount \"' || raw_amount || '\" is not a number'"
                    if cols.amount
                    else "'debit / credit \"' || raw_amount || '\" is not one amount'"
                ),
            ),
            (
                "entity IS NULL OR NOT list_contains($known, entity)",
                (
                    "'entity \"' || coalesce(entity, '') || '\" is not declared in [[entities]]"
                    " (known: ' || array_to_string($known, ', ') || ')'"
                ),
            ),
            ("currency <> $currency AND rate IS NULL", no_rate),
        ]
        for field in ("service_start", "service_end", "fee", "net", "quantity"):
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
                    "'gross ' || amount || ' - fee ' || fee || ' is not net ' || net",
                )
            )
        self.params |= {
            "earliest": EARLIEST,
            "latest": latest,
            "known": [e.id for e in ws.settings.entities],
        }
        return (
            "CASE "
            + " ".join(f"WHEN {condition} THEN {message}" for condition, message in checks)
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


def read_raw(
    db: duckdb.DuckDBPyConnection, readable: Path, shown: str, spec: LedgerSource, header: list[str]
) -> str:
    """The file as text into the temp table `raw`; returns the SQL for a record's physical line."""
    starts = None
    try:
        _read_csv(db, readable, spec.delimiter)
        if [c.strip() for (c, *_) in db.execute("DESCRIBE raw").fetchall()] != header:
            raise duckdb.InvalidInputException("the sniffer read other columns than the header's")
    # name the row that broke it, or read a valid file DuckDB's sniffer could not
    except duckdb.Error:
        copy, starts = rewritten(readable, shown, "utf-8-sig", spec.delimiter)
        try:
            _read_csv(db, copy, spec.delimiter)
        except duckdb.Error as exc:
            raise WorkspaceError(
                f"{shown}: cannot be read as CSV ({str(exc).splitlines()[0]}); check delimiter "
                f"and encoding (now {spec.delimiter!r}, {spec.encoding!r})"
            ) from None
        finally:
            copy.unlink(missing_ok=True)
    records = db.execute("SELECT count(*) FROM raw").fetchone()[0]
    if starts is None and physical_lines(readable) != records + 1:  # quoted newlines or blank lines
        starts = record_starts(readable, "utf-8-sig", spec.delimiter)
    if starts is None or len(starts) != records + 1:
        return "rowid + 2"  # one line per record, after the header
    db.execute(
        "CREATE OR REPLACE TEMP TABLE record_lines AS "
        "SELECT unnest(?::BIGINT[]) AS line, unnest(range(?)) AS record",
        (starts[1:], records),
    )
    return "(SELECT line FROM record_lines WHERE record_lines.record = raw.rowid)"


def _read_csv(db: duckdb.DuckDBPyConnection, file: Path, delimiter: str) -> None:
    db.execute(
        "CREATE OR REPLACE TEMP TABLE raw AS SELECT * FROM read_csv(?, all_varchar = true, header ="
        " true, "
        """delim = ?, quote = '"', escape = '"')""",
        (str(file), delimiter),
    )


def money_sql(column: str, decimal: str) -> str:
    """SQL that turns a bank's amount text into DECIMAL(18,2), or NULL when it is not an amount.

    Accepts currency symbols, spaces, thousands separators in groups of three and (parentheses) for
    negatives; refuses what it would have to guess at (`1,2,3`, `1.2.3`), more than two decimal
    places (rounding would change the books) and more than 16 digits before the point
    (DECIMAL(18,2)'s limit).
    """
    thousands = "," if decimal == "." else "."
    sep, dec = (f"\\{c}" for c in (thousands, decimal))
    grouped = f"[+-]?([0-9]{{1,16}}|[0-9]{{1,3}}({sep}[0-9]{{3}}){{1,5}})({dec}[0-9]{{1,2}})?"
    # the common case needs no clean-up (with a decimal comma, only a whole number is already plain)
    plain = f"regexp_full_match({column}, '{MONEY if decimal == '.' else '[+-]?[0-9]{1,16}'}')"
    bare = (
        f"regexp_replace(trim(regexp_replace({column}, '[$€£()]', '', 'g')), '^([+-])\\s+', '\\1')"
    )
    spaced = (  # 1 234,56: a space groups thousands
        f"regexp_replace({bare}, '\\s+', '{thousands}', 'g')"
    )
    body = f"replace(replace({spaced}, '{thousands}', ''), '{decimal}', '.')"
    negative = f"CASE WHEN trim({column}) LIKE '(%)' THEN -1 ELSE 1 END"
    return (
        f"CASE WHEN {plain} THEN CAST({column} AS DECIMAL(18, 2)) WHEN regexp_full_match({spaced},"
        f" '{grouped}') THEN CAST({body} AS DECIMAL(18, 2)) * {negative} END"
    )


def read_header(path: Path, shown: str, spec: LedgerSource) -> list[str]:
    encoding = "utf-8-sig" if spec.encoding.startswith("utf-8") else spec.encoding
    try:
        with path.open(encoding=encoding, newline="") as handle:
            return [h.strip() for h in next(csv.reader(handle, delimiter=spec.delimiter), [])]
    except UnicodeDecodeError:
        raise WorkspaceError(
            f'{shown}: not valid {spec.encoding}; set encoding = "cp1252" (or the file\'s real '
            "encoding) on this ledger source"
        ) from None


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
            raise WorkspaceError(
                f"{self.path}: not valid {self.encoding} ({exc.reason}); "
                "set encoding to the file's real encoding"
            ) from None
        return Path(self.temp.name)

    def __exit__(self, *exc) -> None:
        if self.temp:
            Path(self.temp.name).unlink(missing_ok=True)


source = LedgerCsv()


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
