"""The workspace's small hand-kept CSV files (channels, rent rolls, jobs, timesheets): read whole, every bad
row reported with its line, nothing kept from a file that has one."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TypeVar

from boardpack.errors import SourceErrors, SourceProblem, WorkspaceError

T = TypeVar("T")


def read_rows(root: Path, relative: str, key: str, header: tuple[str, ...],
              parse: Callable[[dict[str, str], str], T]) -> list[T]:
    """`parse(row, "path:line")` for every row; a ValueError it raises becomes that line's problem.

    `key` is the setting that names the file, for the message when the file is missing.
    """
    path = root / relative
    if not path.is_file():
        raise WorkspaceError(f"{key} = {relative!r}: no such file under {root}; fix the path or create the file")
    parsed, problems = [], []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [h for h in header if h not in (reader.fieldnames or [])]
        if missing:
            raise WorkspaceError(f"{relative}:1: columns {', '.join(missing)} are missing; "
                                 f"the header must be {','.join(header)}")
        for row in reader:
            cells = {k: (v or "").strip() for k, v in row.items() if k is not None}
            if not any(cells.values()):
                continue  # a blank line
            try:
                parsed.append(parse(cells, f"{relative}:{reader.line_num}"))
            except ValueError as exc:
                problems.append(SourceProblem(relative, reader.line_num, str(exc)))
    if problems:
        raise SourceErrors(problems)
    return parsed


def day(text: str, column: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{column} {text!r} is not a date: write it as YYYY-MM-DD") from None


def amount(text: str, column: str, default: str | None = None, positive: bool = False) -> Decimal:
    """An exact non-negative number (a thousands comma is allowed); `positive` also refuses zero."""
    if not text and default is not None:
        text = default
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"{column} {text!r} is not a number") from None
    if not value.is_finite() or value < 0 or (positive and value == 0):
        raise ValueError(f"{column} {text!r} must be {'more than' if positive else 'at least'} zero")
    return value
