"""The workspace's small hand-kept CSV files (channels, rent rolls, jobs, timesheets): read whole,
every bad row reported with its line, nothing kept from a file that has one."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from boardpack.errors import SourceErrors, SourceProblem, WorkspaceError
from boardpack.files import inside
from boardpack.terminal import control_characters

T = TypeVar("T")


def read_rows(
    root: Path,
    relative: str,
    key: str,
    header: tuple[str, ...],
    parse: Callable[[dict[str, str], str], T],
) -> list[T]:
    """`parse(row, "path:line")` for every row; a ValueError it raises becomes that line's problem.

    `key` is the setting that names the file, for the message when the file is missing or outside
    the workspace. Lines are physical lines (a quoted newline counts), and a row with more or fewer
    cells than the header is a problem of its own, never read by guesswork.
    """
    path = inside(root, relative, key)
    if not path.is_file():
        raise WorkspaceError(
            f"{key} = {relative!r}: no such file under {root}; fix the path or create the file"
        )
    parsed, problems = [], []
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            names = [h.strip() for h in next(reader, [])]
            missing = [h for h in header if h not in names]
            if missing:
                raise WorkspaceError(
                    f"{relative}:1: columns {', '.join(missing)} are missing; "
                    f"the header must be {','.join(header)}"
                )
            end = reader.line_num
            for row in reader:
                line, end = end + 1, reader.line_num
                if not any(cell.strip() for cell in row):
                    continue  # a blank line
                try:
                    if bad := control_characters("".join(row)):
                        raise ValueError(
                            f"a cell holds control characters ({', '.join(dict.fromkeys(bad))}); "
                            "remove them"
                        )
                    if len(row) != len(names):
                        raise ValueError(
                            f"this row has {len(row)} cells and the header has {len(names)}: a "
                            "missing or extra comma, or a quote left open"
                        )
                    parsed.append(
                        parse(dict(zip(names, (c.strip() for c in row))), f"{relative}:{line}")
                    )
                except ValueError as exc:
                    problems.append(SourceProblem(relative, line, str(exc)))
    except UnicodeDecodeError as exc:
        raise WorkspaceError(
            f"{relative}: not UTF-8 text ({exc.reason} at byte {exc.start:,}); save it as "
            "UTF-8 (CSV UTF-8 in a spreadsheet's Save As)"
        ) from None
    except csv.Error as exc:  # a NUL byte, a field past csv's size limit: not a text table at all
        raise WorkspaceError(f"{relative}:{end + 1}: not a CSV row ({exc})") from None
    if problems:
        raise SourceErrors(problems)
    return parsed


def day(text: str, column: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{column} {text!r} is not a date: write it as YYYY-MM-DD") from None


# digits in groups of three or none, at most 16 before the point and 4 after: 1,234.5 or 1234.5,
# never 1,2,3
NUMBER = re.compile(r"[0-9]{1,16}(\.[0-9]{1,4})?|[0-9]{1,3}(,[0-9]{3}){1,5}(\.[0-9]{1,4})?")


def count(text: str, column: str) -> int:
    """A whole number of zero or more, in plain digits, below a trillion (more is a typo, not a
    count)."""
    if not (text.isascii() and text.isdecimal() and len(text) <= 12):
        raise ValueError(
            f"{column} {text!r} is not a whole number of zero or more (at most 12 digits)"
        )
    return int(text)


def amount(text: str, column: str, default: str | None = None, positive: bool = False) -> Decimal:
    """An exact non-negative number (thousands commas in groups of three); `positive` also refuses
    zero."""
    if not text and default is not None:
        text = default
    if text.startswith("-") and NUMBER.fullmatch(text[1:]):
        raise ValueError(
            f"{column} {text!r} must be {'more than' if positive else 'at least'} zero"
        )
    if not NUMBER.fullmatch(text):
        raise ValueError(
            f"{column} {text!r} is not a number (write 1234.50 or 1,234.50; at most 16 digits"
            " before the point and 4 after)"
        )
    value = Decimal(text.replace(",", ""))
    if positive and value == 0:
        raise ValueError(f"{column} {text!r} must be more than zero")
    return value
