"""The live sources as the pack sees them: each its own line in the data line ("orders to
2026-11-21 (fresh; live, pulled …, snapshot 3f2a9c1b)"), each unreadable on its own (the pack
stops, or goes without it where `optional = true`). Rows of shape "events" become the
portfolio's events here; rows of shape "bookings" are read by their venture's bookings source.

An item that does not fit its shape is named by its key and left out; the rest are read."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from boardpack.config import EVENT_FIELDS, LiveSource
from boardpack.csv_file import count, day
from boardpack.errors import LiveError, SourceProblem
from boardpack.live.snapshots import ITEM, PROBLEM
from boardpack.model import Event, Portfolio, Signal, SourceStatus

if TYPE_CHECKING:
    from boardpack.live.pulls import Part

STALE_AFTER_DAYS = 10


class LiveSources:
    name = "live"

    def read(self, portfolio: Portfolio) -> None:
        """A status for each live source, set on the portfolio by its own name."""
        for spec in portfolio.workspace.settings.sources.live():
            portfolio.sources[spec.name] = self.one(portfolio, spec)

    def one(self, portfolio: Portfolio, spec: LiveSource) -> SourceStatus:
        from boardpack.live.pulls import parts, snapshot  # boto3: only where one is used

        status = SourceStatus(
            name=spec.name,
            configured=True,
            optional=spec.optional,
            stale_after_days=STALE_AFTER_DAYS,
        )
        try:
            found = snapshot(portfolio, spec)
        except LiveError as exc:
            status.error = str(exc)
            return status
        status.paths.append(f"{spec.name} ({found.said()})")
        status.snapshot = found.said()
        status.records = len(found.rows)
        # read through the day before the as-of date, unless it was pulled before then
        status.freshness = min(found.pulled_at.date(), portfolio.as_of - timedelta(days=1))
        ventures = {e.id for e in portfolio.workspace.settings.entities}
        for part in parts(spec, found.rows):
            if part.shape == "signals":
                portfolio.signals += [
                    Signal(
                        source=spec.name,
                        metric=r["metric"],
                        span=r["span"],
                        value=Decimal(r["value"]) if r["value"] else None,
                    )
                    for r in part.rows
                ]
            elif part.shape == "events":
                portfolio.events += events(part, status, ventures)
            elif part.shape == "ledger":  # read by the ledger; a type no account is named here
                status.problems += [
                    SourceProblem(
                        spec.name,
                        None,
                        f"{r.get('id', '')}: type {r['type']!r} is not mapped: kept uncategorized;"
                        f' map it: [sources.stripe] accounts = {{ {r["type"]} = "…" }}',
                    )
                    for r in part.rows
                    if r.get("type") and not r.get("account")
                ]
        return status


def events(part: Part, status: SourceStatus, ventures: set[str]) -> list[Event]:
    """Each row an event; a line the pull left out, or a row that is no event, a problem."""
    found = []
    for n, row in enumerate(part.rows, start=1):
        if PROBLEM in row:
            status.problems.append(SourceProblem(status.name, None, row[PROBLEM]))
            continue
        where = f"item {row[ITEM]}" if ITEM in row else f"{part.label}: row {n}"
        try:
            found.append(event(part, row, ventures, where))
        except ValueError as exc:
            status.problems.append(SourceProblem(status.name, None, f"{where}: {exc}"))
    return found


def event(part: Part, row: dict[str, str], ventures: set[str], where: str) -> Event:
    text, named = {f: row.get(f, "") for f in EVENT_FIELDS}, part.named
    when: date = day(text["date"][:10], named("date"))
    if not text["type"]:
        raise ValueError(f"{named('type')} is empty: each event has a type")
    entity = text["entity"] or part.entity
    if not entity:
        raise ValueError(f"{named('entity')} is empty and the source names no entity: say whose")
    if entity not in ventures:
        raise ValueError(f"{named('entity')} {entity!r} is not a declared entity")
    return Event(
        entity=entity,
        date=when,
        type=text["type"],
        count=count(text["count"] or "1", named("count")),
        source=f"{part.label}: {where}",
    )


source = LiveSources()
