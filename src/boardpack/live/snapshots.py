"""A live source's rows for one period, kept in the workspace's state: `.boardpack/snapshots/
<source>/<period>.jsonl.gz`, a line of what it is (when it was pulled, how many rows, the SHA-256
of the rows) and then a line a row. The digest is of the rows alone, in a canonical form, so the
same rows pulled twice have the same digest."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from boardpack.config import Workspace
from boardpack.errors import WorkspaceError

SUFFIX = ".jsonl.gz"
ITEM = "@item"  # a row's own key, "attribute=value, …", for naming an item that does not fit
PROBLEM = "@problem"  # a row that is what the pull left out (a log line that is not JSON)


@dataclass(frozen=True)
class Snapshot:
    source: str
    period: str  # its label, "2026-10"
    pulled_at: datetime
    digest: str  # SHA-256 of the rows, hex
    rows: list[dict[str, str]]

    @property
    def short(self) -> str:
        return self.digest[:8]

    def said(self) -> str:
        """What it is, as a pack's data line says it."""
        return f"live, pulled {self.pulled_at:%Y-%m-%d %H:%M} UTC, snapshot {self.short}"


def canonical(row: dict[str, str]) -> bytes:
    return json.dumps(row, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest(rows: list[dict[str, str]]) -> str:
    h = hashlib.sha256()
    for row in rows:
        h.update(canonical(row) + b"\n")
    return h.hexdigest()


def location(workspace: Workspace, source: str, period: str):
    return workspace.state("snapshots", source, period + SUFFIX)


def stored(workspace: Workspace, source: str, period: str) -> Snapshot | None:
    """The period's snapshot of the source, if one was pulled; a damaged one is refused by path."""
    path = location(workspace, source, period)
    if not path.is_file():
        return None
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            head = json.loads(handle.readline())
            rows = [json.loads(line) for line in handle]
        snapshot = Snapshot(
            source=source,
            period=period,
            pulled_at=datetime.fromisoformat(head["pulled_at"]),
            digest=head["sha256"],
            rows=rows,
        )
    except (OSError, EOFError, ValueError, KeyError, TypeError) as exc:
        raise WorkspaceError(
            f"{path}: the snapshot cannot be read ({type(exc).__name__}); pull it again:"
            f" boardpack pull --source {source}"
        ) from None
    if digest(rows) != snapshot.digest:
        raise WorkspaceError(
            f"{path}: its rows do not match the digest it was stored with (changed by hand?);"
            f" pull it again: boardpack pull --source {source}"
        )
    return snapshot


def store(
    workspace: Workspace, source: str, period: str, rows: list[dict[str, str]], pulled_at: datetime
) -> Snapshot:
    """Write the snapshot whole (a new file, then renamed over the old): never half of one."""
    snapshot = Snapshot(source, period, pulled_at, digest(rows), rows)
    path = location(workspace, source, period)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    head = {"source": source, "period": period, "pulled_at": pulled_at.isoformat(),
            "rows": len(rows), "sha256": snapshot.digest}  # fmt: skip
    with gzip.open(partial, "wb", compresslevel=5) as handle:
        handle.write(canonical(head) + b"\n")
        for row in rows:
            handle.write(canonical(row) + b"\n")
    os.replace(partial, path)
    if workspace.keep is not None:
        workspace.keep(path)
    return snapshot


def cell(value: object) -> str:
    """A value as a row holds it: text (a number without an exponent, JSON for the rest)."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, date):  # a datetime too
        return value.isoformat()
    if value is None:
        return ""
    return json.dumps(value, default=str, sort_keys=True)
