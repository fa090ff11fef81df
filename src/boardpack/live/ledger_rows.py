"""Ledger rows from live sources (a SQL query, a DynamoDB table of shape "ledger", the payment
processor's balance transactions): each part's
rows written from the period's snapshot as a CSV beside it, and read by the ledger source like any
bank export — categorized by the same rules, in the same `ledger` view. A row that does not read
is named by its line and left out (on_error = "skip"): the rest are the ledger."""

from __future__ import annotations

import csv
from pathlib import Path

from boardpack.config import LEDGER_FIELDS, LedgerColumns, LedgerSource, SqlSource
from boardpack.errors import LiveError
from boardpack.live.pulls import parts, snapshot
from boardpack.live.snapshots import PROBLEM, location
from boardpack.model import Portfolio


def live_ledgers(portfolio: Portfolio) -> tuple[list[LedgerSource], list[str]]:
    """A ledger source for each ledger-shaped part, and what an optional one that could not be
    pulled leaves out; a required one that could not be pulled raises its LiveError."""
    ws, found, gaps = portfolio.workspace, [], []
    for spec in ws.settings.sources.live():
        shaped = spec.records() == "ledger" or (
            isinstance(spec, SqlSource) and any(q.shape == "ledger" for q in spec.queries)
        )
        if not shaped:
            continue
        try:
            rows = snapshot(portfolio, spec).rows
        except LiveError as exc:
            if not spec.optional:
                raise
            gaps.append(f"{spec.name}'s ledger rows (optional, not read: {exc})")
            continue
        for part in parts(spec, rows):
            if part.shape != "ledger":
                continue
            records = [r for r in part.rows if PROBLEM not in r]
            fields = [f for f in LEDGER_FIELDS if any(r.get(f) for r in records)]
            fields += [f for f in ("date", "amount") if f not in fields]
            path = ws.state("snapshots", spec.name, f"{portfolio.period.label}.{part.label}.csv")
            kept = location(ws, spec.name, portfolio.period.label)
            if not path.is_file() or path.stat().st_mtime < kept.stat().st_mtime:
                write(path, records, fields)  # once a snapshot, not every build
            columns = {f: f for f in fields if f != "entity" or part.entity is None}
            found.append(
                LedgerSource(
                    path=str(path.relative_to(ws.root)),
                    name=f"{part.label} (live)",
                    entity=part.entity,
                    columns=LedgerColumns(**columns),
                    on_error="skip",
                )
            )
    return found, gaps


def write(path: Path, records: list[dict[str, str]], fields: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(fields)
        for r in records:
            cells = {f: r.get(f, "") for f in fields}
            cells["date"] = cells["date"][:10]  # a timestamp's day, as it is written
            writer.writerow(cells.values())
