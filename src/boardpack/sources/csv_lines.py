"""Physical line numbers for a CSV file's records, as a person counts them in an editor.

DuckDB numbers records, not lines: a quoted field holding a newline, a blank line or a header row
spread over two lines moves every later record's line. Most exports have none of these, so the fast
path is a count: when the file has exactly one line per record, record n is on line n + 1 (after the
header). Only a file where the count differs is read once more, by Python's csv reader, which knows
where each record starts. The same reader diagnoses a file DuckDB refuses: a row with more or fewer
cells than the header is named by its line; a file that is valid CSV but confuses DuckDB's dialect
sniffer (mixed line endings) is rewritten once, uniformly, for DuckDB to read.
"""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

from boardpack.errors import SourceErrors, SourceProblem

CHUNK = 1 << 20


def physical_lines(path: Path) -> int:
    """Lines in the file, the last one counted even without a final newline (a lone CR ends a line
    too)."""
    count, last = 0, b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            count += chunk.count(b"\n")
            # CRLF, or a lone CR (old Mac): most files have neither, and skip this
            if b"\r" in chunk:
                count += chunk.count(b"\r") - chunk.count(b"\r\n")
            count -= last == b"\r" and chunk.startswith(b"\n")  # a CRLF split across two chunks
            last = chunk[-1:]
    return count + (last not in (b"\n", b"\r"))


def record_starts(path: Path, encoding: str, delimiter: str) -> list[int]:
    """The line each record starts on, the header's first; blank lines are not records."""
    starts = []
    with path.open(encoding=encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        end = 0
        for row in reader:
            if row:
                starts.append(end + 1)
            end = reader.line_num
    return starts


def rewritten(
    path: Path, shown: str, encoding: str, delimiter: str, offset: int = 0
) -> tuple[Path, list[int]]:
    """A uniform copy of a CSV that DuckDB could not read (LF endings, every field quoted), and the
    line each record started on; a row whose cell count differs from the header's is a `file:line`
    problem instead (`offset` more than its line in `path`: the file it is a copy of).
    """
    problems, starts = [], []
    target = tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", newline="", suffix=".csv", delete=False
    )
    with path.open(encoding=encoding, newline="") as handle, target:
        reader = csv.reader(handle, delimiter=delimiter)
        writer = csv.writer(target, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator="\n")
        width, end = None, 0
        for row in reader:
            line, end = end + 1, reader.line_num
            if not row:
                continue
            width = width if width is not None else len(row)
            if len(row) != width and len(problems) < SourceErrors.SHOWN:
                problems.append(
                    SourceProblem(
                        shown,
                        line + offset,
                        f"this row has {len(row)} cells and the header has "
                        f"{width}: a missing or extra delimiter, or a quote "
                        "left open",
                    )
                )
            starts.append(line)
            writer.writerow(row)
    if problems:
        Path(target.name).unlink(missing_ok=True)
        raise SourceErrors(problems)
    return Path(target.name), starts
