"""A beancount ledger into a DuckDB table shaped like the CSV ones (`LEDGER_COLUMNS` plus
`problem`).

beancount's own loader parses, books and validates the file (balance assertions, unbalanced
transactions, impossible dates): its errors are the user's, reported as `file:line: message`.
Each posting outside the cash accounts becomes one row with its sign turned to boardpack's
(money in positive): income postings are positive, expenses negative, and the sum of a
transaction's rows is what it did to cash. A posting's weight (units, or cost for a lot) is
converted to the organization's currency at the ledger's own price on that date; a commodity
with no such price (vacation hours, retirement-contribution units) is left out of money and
counted in `unpriced`, which the Accounting report lists.
"""

from __future__ import annotations

import calendar
import csv
import fnmatch
import gc
import glob
import tempfile
from collections import Counter
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

from boardpack.config import LedgerSource, SettingError, Workspace, typed_account
from boardpack.errors import SourceProblem, WorkspaceError
from boardpack.files import inside
from boardpack.period import EARLIEST, add_months

CENT = Decimal("0.01")
BUDGET_CEILING = 10**12  # a budget line at or above this is a typo (the ledger holds 16 digits)
SERVICE = ("service-start", "service-end")


def load(
    db: duckdb.DuckDBPyConnection,
    table: str,
    path: Path,
    shown: str,
    spec: LedgerSource,
    ws: Workspace,
    latest: date = date.max,
) -> tuple[list[SourceProblem], Counter]:
    """Load one beancount file (and its includes) into `table`; return its problems, unpriced
    commodities, fava budget lines and what its `open` directives say each account is."""
    try:
        import beancount  # noqa: F401
    except ImportError:
        raise WorkspaceError(
            f"{shown}: reading beancount ledgers needs the beancount package: "
            "pip install 'boardpack[beancount]'"
        ) from None
    with collector_paused():
        return _load(db, table, path, shown, spec, ws, latest)


@contextmanager
def collector_paused():
    """The books load with Python's cycle collector paused, and back on after.

    beancount makes millions of small objects (entries, postings, amounts) and next to no cycles.
    The collector, run every 700 new objects, would go over the whole heap again and again, for
    nothing it could free (bench/beancount_build.py measures the load against beancount's own).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load(db, table, path, shown, spec, ws, latest):
    from beancount.core import convert, data, prices

    entries, errors = load_books(path, shown, spec, ws.root)
    where = _Where(ws.root, shown)
    problems = [
        SourceProblem(*where(getattr(e, "source", None)), said(str(e.message))) for e in errors
    ]

    org = ws.settings.organization.currency
    known = {e.id for e in ws.settings.entities}
    price_map = prices.build_price_map(entries)
    # account -> (is it cash, its entity): worked out once each
    accounts: dict[str, tuple[bool, str | None]] = {}

    def account(name: str) -> tuple[bool, str | None]:
        if name not in accounts:
            accounts[name] = (
                any(fnmatch.fnmatchcase(name, c) for c in spec.cash_accounts),
                spec.entity or _entity(name, spec, known),
            )
        return accounts[name]

    budget, found = budget_lines(entries, org, account, where, latest)
    problems += found
    unpriced: Counter = Counter()
    rows = []
    cash: list[tuple] = []  # each cash posting in the organization's currency, by account
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        # a posting whose own account names no entity (Equity:Opening) takes the transaction's first
        # one
        fallback = next(filter(None, (account(p.account)[1] for p in entry.postings)), None)
        for posting in entry.postings:  # a transfer between cash accounts too
            weight = convert.get_weight(posting)
            if account(posting.account)[0] and weight.currency == org:
                cash.append(
                    (
                        entry.date,
                        account(posting.account)[1] or fallback,
                        posting.account,
                        weight.number.quantize(CENT),
                    )
                )
        kept = [p for p in entry.postings if not account(p.account)[0]]
        if not kept:
            continue
        moved_cash = len(kept) < len(entry.postings)  # a card purchase moves none
        for posting in kept:
            meta = posting.meta or {}
            file, line = where(meta if "lineno" in meta else entry.meta)
            weight = convert.get_weight(posting)
            if weight.currency == org:
                amount = weight.number
            else:
                _, price = prices.get_price(price_map, (weight.currency, org), entry.date)
                if price is None:
                    unpriced[weight.currency] += 1
                    continue
                amount = weight.number * price
            service = [meta.get(k, entry.meta.get(k)) for k in SERVICE]
            days = [_day(v) for v in service]
            entity = account(posting.account)[1] or fallback
            problem = _problem(entity, posting.account, spec, known, service, days) or implausible(
                entry.date, latest
            )
            rows.append(
                (
                    entry.date,
                    entity,
                    posting.account,
                    (-amount).quantize(CENT),
                    org,
                    entry.payee,
                    entry.narration or None,
                    *days,
                    file,
                    line,
                    -posting.units.number,
                    posting.units.currency,
                    None,
                    None,
                    moved_cash,
                    problem,
                )
            )
    _insert(db, table, rows)
    _insert(db, f"{table}_cash", cash, CASH_COLUMNS)
    problems += [SourceProblem(r[9], r[10], r[-1]) for r in rows if r[-1]]
    types, found = declared_types(entries, where)
    return problems + found, unpriced, budget, types


def declared_types(entries, where) -> tuple[dict, list[SourceProblem]]:
    """What an `open` directive's metadata says its account is (`type: "loan"`, and for deferred
    revenue `earned_into: "Income:Consulting"`), as `[accounts]` would; a type the account cannot
    have is a problem on the directive's line."""
    from beancount.core import data
    from pydantic import ValidationError

    types, problems = {}, []
    for entry in entries:
        if isinstance(entry, data.Open) and "type" in entry.meta:
            spec = {k: entry.meta[k] for k in ("type", "earned_into") if k in entry.meta}
            try:
                types[entry.account] = typed_account(entry.account, spec)
            except (ValidationError, SettingError) as exc:
                said = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
                problems.append(SourceProblem(*where(entry.meta), f"{entry.account} {said}"))
    return types, problems


# a fava budget's amount a month, per its interval's amount (a day's, a week's by the month's days)
PER_MONTH = {
    "daily": lambda days: Decimal(days),
    "weekly": lambda days: Decimal(days) / 7,
    "monthly": lambda days: Decimal(1),
    "quarterly": lambda days: Decimal(1) / 3,
    "yearly": lambda days: Decimal(1) / 12,
}


def said(message: str) -> str:
    """A beancount error on one line; a plugin's failure as its last line (`ValueError: …`), not
    the traceback beancount puts in the message."""
    head, marker, trace = message.partition("Traceback (most recent call last):")
    if marker:
        last = next((ln.strip() for ln in reversed(trace.splitlines()) if ln.strip()), "")
        message = f"{head}{last}"
    return " ".join(message.split())


def budget_lines(entries, org: str, account, where, latest: date) -> tuple[list, list]:
    """fava's `custom "budget" Account "monthly" 500.00 USD` entries as budget lines, a month each:
    a budget runs from its date's month until the account's next one, or to the end of the year
    as-of; its amount is turned into the month's (a day's times the month's days, a year's
    twelfth), in cents."""
    from beancount.core import data

    from boardpack.model import BudgetLine

    found = sorted(
        (e for e in entries if isinstance(e, data.Custom) and e.type == "budget"),
        key=lambda e: (str(e.values[0].value) if e.values else "", e.date),
    )
    until = date(min(latest, date(9998, 1, 1)).year, 12, 1)  # latest: a year past as-of
    lines, problems = [], []
    for i, entry in enumerate(found):
        file, line = where(entry.meta)
        values = [v.value for v in entry.values]
        if (
            len(values) != 3
            or not isinstance(values[0], str)
            or values[1] not in PER_MONTH
            or not hasattr(values[2], "currency")
        ):
            problems.append(
                SourceProblem(
                    file,
                    line,
                    'a budget is written custom "budget" Expenses:… "monthly" 500.00 USD'
                    f" (the interval one of {', '.join(PER_MONTH)})",
                )
            )
            continue
        name, interval, amount = values
        if not (
            amount.number is not None
            and amount.number.is_finite()
            and abs(amount.number) < BUDGET_CEILING
            and EARLIEST <= entry.date <= latest
        ):
            problems.append(
                SourceProblem(
                    file,
                    line,
                    f"a budget of {str(amount.number)[:40]} {amount.currency} from {entry.date}:"
                    f" a budget is under {BUDGET_CEILING:,} a {interval} and dated from"
                    f" {EARLIEST} to {latest} (a wrong number of digits, or a wrong year?)",
                )
            )
            continue
        if not name.startswith(("Income:", "Expenses:")) or amount.currency != org:
            problems.append(
                SourceProblem(
                    file,
                    line,
                    f"a budget for {name} in {amount.currency}: budgets are for Income and"
                    f" Expenses accounts, in the organization's currency ({org})",
                )
            )
            continue
        following = next((e.date for e in found[i + 1 :] if e.values[0].value == name), None)
        month = entry.date.replace(day=1)
        last = add_months(following, -1) if following else until  # the next one takes its month
        while month <= last:
            days = calendar.monthrange(month.year, month.month)[1]
            lines.append(
                BudgetLine(
                    month=month,
                    entity=account(name)[1],
                    account=name,
                    amount=abs(amount.number * PER_MONTH[interval](days)).quantize(CENT),
                    source=f"{file}:{line}",
                )
            )
            month = add_months(month, 1)
    return lines, problems


def load_books(path: Path, shown: str, spec: LedgerSource, root: Path) -> tuple[list, list]:
    """beancount's loader, step by step, with nothing from the workspace run as code.

    The steps are beancount's own (`loader._load`): parse every file, book, run the plugins,
    validate. What differs is what it refuses first: an included file outside the workspace or
    encrypted (decrypting runs gpg), `insert_pythonpath` (it would import code kept beside the
    books), a plugin not on the allow-list (beancount's own `beancount.plugins.*` and the source's
    `plugins`), and a plugin that would be imported from inside the workspace. No pickle cache
    either: loading a pickle runs code.
    """
    from beancount import loader
    from beancount.core import data
    from beancount.ops import validation
    from beancount.parser import booking, options, parser

    entries, errors, files, top, others = [], [], [], None, []
    pending, seen = [path.resolve()], set()
    while pending:
        file = pending.pop(0)
        if file in seen:
            continue
        seen.add(file)
        refuse_file(file, shown, root)
        found, found_errors, found_options = parser.parse_file(str(file))
        entries += found
        errors += found_errors
        files.append(str(file))
        if top is None:
            top = found_options
        else:
            others.append(found_options)
        if found_options.get("insert_pythonpath"):
            raise WorkspaceError(
                f'{shown_path(file, root)}: option "insert_pythonpath" would import code kept '
                "beside the books, which boardpack never runs: remove the option"
            )
        for pattern in found_options["include"]:
            matched = sorted(glob.glob(str(file.parent / pattern), recursive=True))
            if not matched:
                errors.append(
                    loader.LoadError(
                        {"filename": str(file), "lineno": 0}, f'include "{pattern}" matches no file'
                    )
                )
            pending += [Path(m).resolve() for m in matched]
    options_map = top or options.OPTIONS_DEFAULTS.copy()
    options_map["include"] = files
    options_map = loader.aggregate_options_map(options_map, others)
    options_map["pythonpath"] = []
    for folder in options_map.get("documents", []):
        refuse_outside((path.parent / folder).resolve(), f'{shown}: option "documents"', root)
    for name, _ in options_map["plugin"]:
        refuse_plugin(name, shown, spec, root)
    entries.sort(key=data.entry_sortkey)
    entries, booking_errors = booking.book(entries, options_map)
    errors += booking_errors
    entries, errors = loader.run_transformations(entries, errors, options_map, None)
    errors += validation.validate(entries, options_map, None, None)
    return entries, errors


def shown_path(file: Path, root: Path) -> str:
    return (
        str(file.relative_to(root.resolve())) if file.is_relative_to(root.resolve()) else str(file)
    )


def refuse_outside(file: Path, what: str, root: Path) -> None:
    inside(root, str(file), what)


def refuse_file(file: Path, shown: str, root: Path) -> None:
    from beancount.utils import encryption

    refuse_outside(file, f"{shown}: include", root)
    if file.suffix in (".gpg", ".asc") or (
        file.is_file() and encryption.is_encrypted_file(str(file))
    ):
        raise WorkspaceError(
            f"{shown_path(file, root)}: an encrypted ledger would be decrypted by running gpg, "
            "which boardpack never does: decrypt it yourself into the workspace"
        )


def refuse_plugin(name: str, shown: str, spec: LedgerSource, root: Path) -> None:
    """beancount's own plugins, and those the source lists, when they are installed outside the
    workspace."""
    import importlib.util

    allowed = name.startswith("beancount.plugins.") or name in spec.plugins
    if not allowed:
        raise WorkspaceError(
            f'{shown}: plugin "{name}" is not allowed: boardpack runs beancount\'s own plugins '
            f'(beancount.plugins.*) and those you list on this source: plugins = ["{name}"] '
            "(an installed package, never a file in the workspace)"
        )
    try:
        found = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        found = None
    if found is None:
        raise WorkspaceError(
            f'{shown}: plugin "{name}" is not installed: pip install the package that provides '
            "it, or remove the plugin line"
        )
    origin = Path(found.origin).resolve() if found.origin else None
    if origin is not None and origin.is_relative_to(root.resolve()):
        raise WorkspaceError(
            f'{shown}: plugin "{name}" would be imported from {origin}, inside the workspace; '
            "boardpack runs only installed plugins, never code kept in a workspace"
        )


def _entity(account: str, spec: LedgerSource, known: set[str]) -> str | None:
    parts = account.split(":")
    n = spec.entity_account_component
    if n is None or n > len(parts):
        return None
    candidate = parts[n - 1].lower()
    return candidate if candidate in known else None


def _problem(entity, account, spec, known, service: list, days: list) -> str | None:
    if entity is None:
        return (
            f"no entity for {account}: part {spec.entity_account_component} of none of this"
            f" transaction's accounts is a declared entity (known: {', '.join(sorted(known))})"
        )
    for key, value, day in zip(SERVICE, service, days):
        if value is not None and day is None:
            return f"{key} {value!r} is not a date (YYYY-MM-DD)"
    if None not in days and days[1] < days[0]:
        return f"service-end {days[1]} is before service-start {days[0]}"
    return None


def implausible(day: date, latest: date) -> str | None:
    if day < EARLIEST:
        return f"dated {day}, before 1900: a wrong year?"
    return f"dated {day}, over a year in the future: a wrong year?" if day > latest else None


def _day(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


class _Where:
    """A beancount `meta` (filename, lineno) as the path shown to the user and the line."""

    def __init__(self, root: Path, shown: str):
        self.root, self.shown, self.paths = root, shown, {}

    def __call__(self, meta) -> tuple[str, int | None]:
        name = meta.get("filename") if meta else None
        if not name or str(name).startswith("<"):
            return self.shown, None
        if name not in self.paths:  # a few files, many postings: work each path out once
            file = Path(name)
            self.paths[name] = (
                str(file.relative_to(self.root)) if file.is_relative_to(self.root) else str(file)
            )
        return self.paths[name], meta.get("lineno")


ROW_COLUMNS = """{
    'date': 'DATE', 'entity': 'VARCHAR', 'account': 'VARCHAR', 'amount': 'DECIMAL(18, 2)',
    'currency': 'VARCHAR', 'counterparty': 'VARCHAR', 'memo': 'VARCHAR', 'service_start': 'DATE',
    'service_end': 'DATE', 'source_file': 'VARCHAR', 'source_line': 'BIGINT',
    'original_amount': 'DECIMAL(28, 8)', 'original_currency': 'VARCHAR',
    'quantity': 'DECIMAL(18, 4)', 'rule': 'INTEGER', 'moved_cash': 'BOOLEAN',
    'problem': 'VARCHAR'}"""
# the cash postings themselves, for each cash account's own line on the balance sheet
CASH_COLUMNS = (
    "{'date': 'DATE', 'entity': 'VARCHAR', 'account': 'VARCHAR', 'amount': 'DECIMAL(18, 2)'}"
)


def _insert(
    db: duckdb.DuckDBPyConnection, table: str, rows: list[tuple], columns: str = ROW_COLUMNS
) -> None:
    """Rows into DuckDB through a CSV file: far faster than row-by-row inserts, and exact (text
    decimals)."""
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", newline="", suffix=".csv", delete=False
    ) as handle:
        csv.writer(handle).writerows(rows)
    try:
        db.execute(
            f"""CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM read_csv(?, header = false,
            auto_detect = false, delim = ',', quote = '"', escape = '"', columns = {columns})""",
            (handle.name,),
        )
    finally:
        Path(handle.name).unlink(missing_ok=True)
