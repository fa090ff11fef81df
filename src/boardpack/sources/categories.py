"""Categorization rules: `[[rules]]` in boardpack.toml, then the rows of `[sources.rules]` (a CSV).

A row without an account takes the account of the first rule whose pattern matches its memo,
counterparty or either; a rule with `override = true` sets the account of rows that have one too
(the first such rule that matches wins, and `check` warns of rows two of them claim). Patterns
are case-insensitive and run inside DuckDB, which uses RE2: each one is compiled there at load
time, so look-behind or a back-reference is an error naming its line, not a failure halfway
through a ledger.
"""

from __future__ import annotations

import csv

import duckdb

from boardpack.config import Workspace
from boardpack.errors import SourceErrors, SourceProblem, WorkspaceError
from boardpack.model import Rule

FIELDS = ("memo", "counterparty", "any")
HEADER = ["pattern", "account", "field"]


def load_rules(db: duckdb.DuckDBPyConnection, ws: Workspace) -> list[Rule]:
    rules = [
        Rule(
            number=i,
            pattern=r.pattern,
            account=r.account,
            field=r.field,
            file="boardpack.toml",
            line=ws.line_of("rules", i - 1, "pattern"),
            override=r.override,
        )
        for i, r in enumerate(ws.settings.rules, start=1)
    ]
    problems: list[SourceProblem] = []
    spec = ws.settings.sources.rules
    if spec is not None:
        rules += _read_file(ws, spec.path, len(rules), problems)
    for rule in rules:
        try:
            db.execute("SELECT regexp_matches('', ?)", ("(?i)" + rule.pattern,)).fetchall()
        except duckdb.Error as exc:
            reason = str(exc).splitlines()[0].split(": ", 1)[-1]
            problems.append(
                SourceProblem(
                    rule.file if rule.line else rule.where,
                    rule.line,
                    f"pattern {rule.pattern!r} is not a valid RE2 regular expression ({reason}); "
                    "look-behind and back-references are not supported",
                )
            )
    if problems:
        raise SourceErrors(problems)
    return rules


def _read_file(
    ws: Workspace, relative: str, before: int, problems: list[SourceProblem]
) -> list[Rule]:
    path = ws.path(relative, "sources.rules.path")
    if not path.is_file():
        raise WorkspaceError(f"sources.rules.path = {relative!r}: no such file under {ws.root}")
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            lines = list(csv.reader(handle))
    except UnicodeDecodeError as exc:
        raise WorkspaceError(
            f"{relative}: not valid UTF-8 ({exc.reason}); save the rules file as UTF-8"
        ) from None
    header = [h.strip().lower() for h in (lines[0] if lines else [])]
    if header not in (HEADER, HEADER[:2]):
        raise WorkspaceError(
            f"{relative}:1: the header is {', '.join(header) or '(empty)'}; "
            "expected pattern, account (and optionally field)"
        )
    rules = []
    for number, row in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        pattern, account, field = ([c.strip() for c in row] + ["", "", ""])[:3]
        field = field or "any"
        if len(row) > len(header):
            problems.append(
                SourceProblem(
                    relative,
                    number,
                    f"{len(row)} cells, the header has {len(header)}: "
                    "quote a pattern that contains a comma",
                )
            )
        elif not pattern or not account:
            problems.append(
                SourceProblem(relative, number, "pattern and account are both required")
            )
        elif field not in FIELDS:
            problems.append(
                SourceProblem(
                    relative, number, f"field {field!r} is not one of {', '.join(FIELDS)}"
                )
            )
        else:
            rules.append(
                Rule(
                    number=before + len(rules) + 1,
                    pattern=pattern,
                    account=account,
                    field=field,
                    file=relative,
                    line=number,
                )
            )
    return rules
