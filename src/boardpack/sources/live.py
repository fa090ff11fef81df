"""The live sources as the pack sees them: each its own line in the data line ("orders to
2026-11-21 (fresh; live, pulled …, snapshot 3f2a9c1b)"), each unreadable on its own (the pack
stops, or goes without it where `optional = true`). Rows of shape "events" become the
portfolio's events here; rows of shape "bookings" are read by their venture's bookings source.

An item that does not fit its shape is named by its key and left out; the rest are read."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from boardpack.config import CloudWatchSource, DynamoDBSource, LiveSource
from boardpack.csv_file import count, day
from boardpack.errors import LiveError, SourceProblem
from boardpack.live.snapshots import ITEM, PROBLEM
from boardpack.model import Event, Portfolio, Signal, SourceStatus

STALE_AFTER_DAYS = 10


class LiveSources:
    name = "live"

    def read(self, portfolio: Portfolio) -> None:
        """A status for each live source, set on the portfolio by its own name."""
        for spec in portfolio.workspace.settings.sources.live():
            portfolio.sources[spec.name] = self.one(portfolio, spec)

    def one(self, portfolio: Portfolio, spec: LiveSource) -> SourceStatus:
        from boardpack.live.pulls import snapshot  # boto3, only where a live source is used

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
        if isinstance(spec, CloudWatchSource):
            portfolio.signals += [
                Signal(
                    source=spec.name,
                    metric=r["metric"],
                    span=r["span"],
                    value=Decimal(r["value"]) if r["value"] else None,
                )
                for r in found.rows
            ]
        if spec.records() == "events":
            ventures = {e.id for e in portfolio.workspace.settings.entities}
            portfolio.events += events(spec, found.rows, status, ventures)
        return status


def events(
    spec: LiveSource, rows: list[dict[str, str]], status: SourceStatus, ventures: set[str]
) -> list[Event]:
    """Each row an event; a line the pull left out, or a row that is no event, a problem."""
    found = []
    for n, row in enumerate(rows, start=1):
        if PROBLEM in row:
            status.problems.append(SourceProblem(spec.name, None, row[PROBLEM]))
            continue
        where = f"item {row[ITEM]}" if ITEM in row else f"row {n} of the query"
        try:
            found.append(event(spec, row, ventures, where))
        except ValueError as exc:
            status.problems.append(SourceProblem(spec.name, None, f"{where}: {exc}"))
    return found


def event(spec: LiveSource, row: dict[str, str], ventures: set[str], where: str) -> Event:
    named = spec.attribute if isinstance(spec, DynamoDBSource) else str  # a query names its own
    text = {f: row.get(named(f), "") for f in ("date", "type", "entity", "count")}
    when: date = day(text["date"][:10], named("date"))
    if not text["type"]:
        raise ValueError(f"{named('type')} is empty: each event has a type")
    entity = text["entity"] or getattr(spec, "entity", None)
    if not entity:
        raise ValueError(f"{named('entity')} is empty and the source names no entity: say whose")
    if entity not in ventures:
        raise ValueError(f"{named('entity')} {entity!r} is not a declared entity")
    return Event(
        entity=entity,
        date=when,
        type=text["type"],
        count=count(text["count"] or "1", named("count")),
        source=f"{spec.name}: {where}",
    )


source = LiveSources()
