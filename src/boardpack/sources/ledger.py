"""Bank and bookkeeping CSV exports into the DuckDB `ledger` table.

DuckDB reads each file (as text, so that nothing is silently coerced) and one SQL pass parses
dates and amounts, applies the categorization rules and flags bad rows with their line numbers.
Line numbers assume one record per line, which bank exports are.
"""

from __future__ import annotations

import codecs
import csv
import tempfile
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
LEDGER_COLUMNS = ("date", "entity", "account", "amount", "currency", "counterparty", "memo", "service_start",
                  "service_end", "source_file", "source_line", "original_amount", "original_currency", "quantity", "rule")
# `amount` is always in the organization's currency; a row in another currency keeps what the file said
# in `original_amount` and `original_currency`, converted at the rate in force on its date. `quantity` is units
# sold on an income row (NULL: one); `rule` the number of the categorization rule that gave the account.
MONEY = r"[+-]?[0-9]{1,16}(\.[0-9]{1,2})?"


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
        status = SourceStatus(name=self.name, configured=bool(specs), stale_after_days=10)
        if not specs:
            return status
        db = portfolio.db
        problems: list[SourceProblem] = []
        parts: list[str] = []
        rates = load_rates(db, ws)
        # rows dated before 1900 or over a year past as-of and today have a wrong year: problems, left out
        latest = latest_plausible(portfolio.as_of)
        portfolio.rules = rules = load_rules(db, ws)
        for index, spec in enumerate(specs):
            files = [str(f) for f in ws.glob(spec.path, f"sources.ledger[{index}].path")]
            if not files:
                raise WorkspaceError(
                    f"sources.ledger[{index}].path = {spec.path!r} matches no file under {ws.root}: "
                    "check the path (it is relative to the workspace) or remove the source"
                )
            for file in files:
                relative = str(Path(file).relative_to(ws.root)) if Path(file).is_relative_to(ws.root) else file
                status.paths.append(relative)
                parts.append(f"ledger_file_{len(parts)}")
                if spec.format == "beancount":
                    found, unpriced = beancount_ledger.load(db, parts[-1], Path(file), relative, spec, ws, latest)
                    portfolio.unpriced.update(unpriced)
                else:
                    found = load_file(db, parts[-1], Path(file), relative, spec, ws, rates, rules, latest)
                if found and spec.on_error == "fail":
                    raise SourceErrors(found + [SourceProblem(
                        relative, None, 'fix the rows above, or set on_error = "skip" on this source to leave them out')])
                problems += found
            portfolio.opening_balances.append((spec.entity, spec.opening_balance, spec.name or spec.path))
        columns = ", ".join(LEDGER_COLUMNS)
        db.execute("CREATE OR REPLACE VIEW ledger AS "
                   + " UNION ALL ".join(f"SELECT {columns} FROM {part} WHERE problem IS NULL" for part in parts))
        # a row dated after as-of is not yet news: it cannot make the ledger look current
        count, newest = db.execute("SELECT count(*), max(date) FILTER (WHERE date <= ?) FROM ledger",
                                   (portfolio.as_of,)).fetchall()[0]
        if count == 0:
            raise WorkspaceError(
                f"the ledger is empty: {', '.join(status.paths)} hold no transactions; "
                "export the bank statements for the period or fix the path"
            )
        status.records, status.freshness, status.problems = count, newest, problems
        return status


def load_file(db: duckdb.DuckDBPyConnection, table: str, path: Path, shown: str, spec: LedgerSource,
              ws: Workspace, rates: str | None = None, rules: list[Rule] = (),
              latest: date = date.max) -> list[SourceProblem]:
    """Parse one CSV into `table`; return its bad rows (which the ledger view leaves out)."""
    cols = spec.columns
    header = read_header(path, shown, spec)
    wanted = cols.fields() | ({"entity": spec.entity_column} if spec.entity_column else {})
    missing = [h for h in wanted.values() if h not in header]
    if missing:
        fix = (f"the profile {spec.profile!r} expects {', '.join(map(repr, wanted.values()))}: rename the columns "
               "under [sources.ledger.columns]" if spec.profile else "Fix [sources.ledger.columns] to match the header")
        raise WorkspaceError(f"{shown}:1: columns {', '.join(map(repr, missing))} not found; the file has "
                             f"{', '.join(map(repr, header))}. {fix}.")
    with utf8_copy(path, spec.encoding) as readable:
        line = read_raw(db, readable, shown, spec, header)

    org = ws.settings.organization
    text = lambda field: f"nullif(trim({q(getattr(cols, field))}), '')" if getattr(cols, field) else "NULL::VARCHAR"
    raw_text = lambda field: f"coalesce({q(getattr(cols, field))}, '')"
    entity = lit(spec.entity) if spec.entity else f"trim({q(spec.entity_column or cols.entity)})"
    currency = f"upper(trim({q(cols.currency)}))" if cols.currency else lit(spec.currency or org.currency)
    date_fmt = lit(cols.date_format)
    as_date = lambda field: f"try_strptime(trim({q(getattr(cols, field))}), {date_fmt})::DATE"
    money = lambda field: money_sql(q(getattr(cols, field)), spec.decimal)
    if cols.amount:
        amount = money("amount")
        amount_problem = "'amount \"' || raw_amount || '\" is not a number'"
        raw_amount = raw_text("amount")
    else:
        debit, credit = money("debit"), money("credit")
        blank = lambda c: f"coalesce(trim({q(c)}), '') = ''"
        amount = (f"CASE WHEN NOT ({blank(cols.debit)} AND {blank(cols.credit)}) "
                  f"AND ({blank(cols.debit)} OR {debit} IS NOT NULL) AND ({blank(cols.credit)} OR {credit} IS NOT NULL) "
                  f"THEN coalesce({credit}, 0) - coalesce({debit}, 0) END")
        amount_problem = "'debit / credit \"' || raw_amount || '\" is not one amount'"
        raw_amount = f"{raw_text('debit')} || ' / ' || {raw_text('credit')}"
    if spec.sign == "inverted":
        amount = f"-({amount})"
    # the first rule whose pattern matches a row without an account: its number, for the fired-rules report
    fields = {"memo": "memo", "counterparty": "counterparty", "any": "concat_ws(' ', counterparty, memo)"}
    rule = ("CASE WHEN raw_account IS NOT NULL THEN NULL " + " ".join(
        f"WHEN regexp_matches(coalesce({fields[r.field]}, ''), {lit('(?i)' + r.pattern)}) THEN {r.number}"
        for r in rules) + " END") if rules else "NULL::INTEGER"
    account = (f"coalesce(raw_account, CASE rule {' '.join(f'WHEN {r.number} THEN {lit(r.account)}' for r in rules)} "
               "END)") if rules else "raw_account"
    service = {f: (as_date(f) if getattr(cols, f) else "NULL::DATE") for f in ("service_start", "service_end")}
    known = [e.id for e in ws.settings.entities]

    # each value is parsed once (inner select); the checks below only look at the results
    checks = [
        ("date IS NULL", f"'date \"' || raw_date || '\" does not match date_format {cols.date_format}'"),
        (f"date < {lit(str(EARLIEST))} OR date > {lit(str(latest))}",
         "'dated ' || date || ', ' || CASE WHEN date < " + lit(str(EARLIEST)) + " THEN 'before 1900' "
         "ELSE 'over a year in the future' END || ': a wrong year?'"),
        ("amount IS NULL", amount_problem),
        (f"entity IS NULL OR entity NOT IN ({', '.join(map(lit, known))})",
         f"'entity \"' || coalesce(entity, '') || '\" is not declared in [[entities]] (known: {', '.join(known)})'"),
        (f"currency <> {lit(org.currency)} AND rate IS NULL",
         f"'no exchange rate for ' || currency || ' on or before ' || date || ' in {rates}: add a row "
         f"' || date || ',' || currency || ',<{org.currency} per ' || currency || '>'" if rates else
         f"'currency ' || currency || ' differs from the organization currency {org.currency} "
         "and no exchange rate is configured: add [sources.rates] path = \"rates.csv\"'"),
    ]
    raw = {"date": raw_text("date"), "amount": raw_amount}
    parsed = {"fee": money("fee") if cols.fee else "0::DECIMAL(18, 2)",
              "net": money("net") if cols.net else "NULL::DECIMAL(18, 2)",
              "quantity": f"TRY_CAST(trim({q(cols.quantity)}) AS DECIMAL(18, 4))" if cols.quantity else "NULL::DECIMAL(18, 4)"}
    for field in ("service_start", "service_end", "fee", "net", "quantity"):
        if getattr(cols, field):
            raw[field] = raw_text(field)
            what = "does not match date_format " + cols.date_format if field.startswith("service") else "is not a number"
            checks.append((f"raw_{field} <> '' AND {field} IS NULL", f"'{field} \"' || raw_{field} || '\" {what}'"))
    checks.append(("service_end < service_start", "'service_end is before service_start'"))
    if cols.net:
        checks.append(("amount - fee <> net", "'gross ' || amount || ' - fee ' || fee || ' is not net ' || net"))
    problem = "CASE " + " ".join(f"WHEN {cond} THEN {msg}" for cond, msg in checks) + " END"
    raw_columns = ", ".join(f"raw_{f}" for f in raw)
    try:
        # the raw text is only for the messages: computed for `problem`, never stored
        rated = ("SELECT x.*, r.rate FROM x ASOF LEFT JOIN rates r ON x.currency = r.currency AND x.date >= r.date"
                 if rates else "SELECT *, NULL::DECIMAL(18, 8) AS rate FROM x")  # no join when nothing converts
        convert = lambda value: (f"CASE WHEN currency = {lit(org.currency)} THEN {value} "
                                 f"ELSE CAST({value} * rate AS DECIMAL(18, 2)) END")
        # converted exactly: DECIMAL amount × DECIMAL rate, rounded once, to the cent
        db.execute(f"""CREATE OR REPLACE TEMP TABLE {table} AS
            SELECT * EXCLUDE ({raw_columns}, raw_account, rule, rate, amount, currency, fee, net),
                   {account} AS account, rule, {convert('amount')} AS amount,
                   {lit(org.currency)} AS currency, amount AS original_amount, currency AS original_currency,
                   {convert('fee')} AS fee, {problem} AS problem, {lit(shown)} AS source_file FROM (
                WITH x AS (
                    SELECT *, {rule} AS rule FROM (
                        SELECT {line} AS source_line, {as_date('date')} AS date, {entity} AS entity,
                               {text('account')} AS raw_account, {amount} AS amount, {currency} AS currency,
                               {text('counterparty')} AS counterparty, {text('memo')} AS memo,
                               {service['service_start']} AS service_start, {service['service_end']} AS service_end,
                               {parsed['fee']} AS fee, {parsed['net']} AS net, {parsed['quantity']} AS quantity,
                               {', '.join(f"{expr} AS raw_{f}" for f, expr in raw.items())}
                        FROM raw))
                {rated})""")
    except duckdb.Error as exc:
        raise WorkspaceError(f"{shown}: could not be parsed: {str(exc).splitlines()[0]}") from None
    if cols.fee:
        # a processor's fee is an expense of its own, on the same line: gross in, fee out, net to cash
        columns = ", ".join(c for c in LEDGER_COLUMNS if c not in ("account", "amount", "rule", "quantity"))
        db.execute(f"""INSERT INTO {table} BY NAME
            SELECT {columns}, {lit(spec.fee_account)} AS account, -fee AS amount, NULL AS rule, NULL AS quantity,
                   problem, 0 AS fee
            FROM {table} WHERE fee <> 0""")
    bad = db.execute(f"SELECT DISTINCT source_line, problem FROM {table} WHERE problem IS NOT NULL "
                     "ORDER BY source_line LIMIT 200").fetchall()
    db.execute("DROP TABLE raw")
    return [SourceProblem(shown, line, message) for line, message in bad]


def read_raw(db: duckdb.DuckDBPyConnection, readable: Path, shown: str, spec: LedgerSource,
             header: list[str]) -> str:
    """The file as text into the temp table `raw`; returns the SQL for a record's physical line."""
    starts = None
    try:
        _read_csv(db, readable, spec.delimiter)
        if [c.strip() for (c, *_) in db.execute("DESCRIBE raw").fetchall()] != header:
            raise duckdb.InvalidInputException("the sniffer read other columns than the header's")
    except duckdb.Error:  # name the row that broke it, or read a valid file DuckDB's sniffer could not
        copy, starts = rewritten(readable, shown, "utf-8-sig", spec.delimiter)
        try:
            _read_csv(db, copy, spec.delimiter)
        except duckdb.Error as exc:
            raise WorkspaceError(f"{shown}: cannot be read as CSV ({str(exc).splitlines()[0]}); check delimiter "
                                 f"and encoding (now {spec.delimiter!r}, {spec.encoding!r})") from None
        finally:
            copy.unlink(missing_ok=True)
    records = db.execute("SELECT count(*) FROM raw").fetchone()[0]
    if starts is None and physical_lines(readable) != records + 1:  # quoted newlines or blank lines
        starts = record_starts(readable, "utf-8-sig", spec.delimiter)
    if starts is None or len(starts) != records + 1:
        return "rowid + 2"  # one line per record, after the header
    db.execute("CREATE OR REPLACE TEMP TABLE record_lines AS "
               "SELECT unnest(?::BIGINT[]) AS line, unnest(range(?)) AS record", (starts[1:], records))
    return "(SELECT line FROM record_lines WHERE record_lines.record = raw.rowid)"


def _read_csv(db: duckdb.DuckDBPyConnection, file: Path, delimiter: str) -> None:
    db.execute("CREATE OR REPLACE TEMP TABLE raw AS SELECT * FROM read_csv(?, all_varchar = true, header = true, "
               """delim = ?, quote = '"', escape = '"')""", (str(file), delimiter))


def money_sql(column: str, decimal: str) -> str:
    """SQL that turns a bank's amount text into DECIMAL(18,2), or NULL when it is not an amount.

    Accepts currency symbols, spaces, thousands separators in groups of three and (parentheses) for
    negatives; refuses what it would have to guess at (`1,2,3`, `1.2.3`), more than two decimal places
    (rounding would change the books) and more than 16 digits before the point (DECIMAL(18,2)'s limit).
    """
    thousands = "," if decimal == "." else "."
    sep, dec = (f"\\{c}" for c in (thousands, decimal))
    grouped = f"[+-]?([0-9]{{1,16}}|[0-9]{{1,3}}({sep}[0-9]{{3}}){{1,5}})({dec}[0-9]{{1,2}})?"
    # the common case needs no clean-up (with a decimal comma, only a whole number is already plain)
    plain = f"regexp_full_match({column}, '{MONEY if decimal == '.' else '[+-]?[0-9]{1,16}'}')"
    bare = f"regexp_replace(trim(regexp_replace({column}, '[$€£()]', '', 'g')), '^([+-])\\s+', '\\1')"
    spaced = f"regexp_replace({bare}, '\\s+', '{thousands}', 'g')"  # 1 234,56: a space groups thousands
    body = f"replace(replace({spaced}, '{thousands}', ''), '{decimal}', '.')"
    negative = f"CASE WHEN trim({column}) LIKE '(%)' THEN -1 ELSE 1 END"
    return (f"CASE WHEN {plain} THEN CAST({column} AS DECIMAL(18, 2)) "
            f"WHEN regexp_full_match({spaced}, '{grouped}') THEN CAST({body} AS DECIMAL(18, 2)) * {negative} END")


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


source = LedgerCsv()


def load_rates(db: duckdb.DuckDBPyConnection, ws: Workspace) -> str | None:
    """`[sources.rates]` into the temp table `rates` (currency, date, rate); its path as shown, or None."""
    spec = ws.settings.sources.rates
    if spec is None:
        return None
    path, shown = ws.path(spec.path, "sources.rates.path"), spec.path
    if not path.is_file():
        raise WorkspaceError(f"sources.rates.path = {spec.path!r}: no such file under {ws.root}")
    try:
        db.execute(f"CREATE OR REPLACE TEMP TABLE rates_raw AS SELECT * FROM read_csv({lit(str(path))}, "
                   "all_varchar = true, header = true)")
    except duckdb.Error as exc:
        raise WorkspaceError(f"{shown}: cannot be read as CSV ({str(exc).splitlines()[0]})") from None
    header = [row[0] for row in db.execute("DESCRIBE rates_raw").fetchall()]
    if [h.strip().lower() for h in header] != ["date", "currency", "rate"]:
        raise WorkspaceError(f"{shown}:1: the header is {', '.join(header)}; expected date, currency, rate")
    db.execute(f"""CREATE OR REPLACE TEMP TABLE rates AS
        SELECT rowid + 2 AS line, try_strptime(trim({q(header[0])}), '%Y-%m-%d')::DATE AS date,
               upper(trim({q(header[1])})) AS currency, TRY_CAST(trim({q(header[2])}) AS DECIMAL(18, 8)) AS rate,
               {q(header[0])} AS raw_date, {q(header[2])} AS raw_rate
        FROM rates_raw""")
    bad = db.execute("""
        SELECT line, CASE WHEN date IS NULL THEN 'date "' || coalesce(raw_date, '') || '" is not YYYY-MM-DD'
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
