"""A period's snapshot of each live source: read from the workspace's state when one was pulled,
else pulled now and kept — so every later build of the period uses the same rows. `refresh` pulls
again on purpose (`boardpack pull`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from boardpack.config import (
    LIVE_SHAPES,
    CloudWatchSource,
    DynamoDBSource,
    LiveSource,
    S3LogsSource,
    SqlSource,
    StripeSource,
    Workspace,
)
from boardpack.errors import LiveError, WorkspaceError
from boardpack.live import cloudwatch, dynamodb, s3_logs, sql, stripe_balance
from boardpack.live.snapshots import ITEM, PROBLEM, Snapshot, store, stored
from boardpack.live.sql import QUERY
from boardpack.model import Portfolio
from boardpack.period import Period, add_months, month_start


def snapshot(portfolio: Portfolio, spec: LiveSource) -> Snapshot:
    """The source's snapshot for the portfolio's period, pulled once a build (its failure too)."""
    if spec.name not in portfolio.live:
        try:
            portfolio.live[spec.name] = stored(
                portfolio.workspace, spec.name, portfolio.period.label
            ) or pull(portfolio.workspace, spec, portfolio.period, portfolio.as_of)
        except LiveError as exc:
            portfolio.live[spec.name] = exc
    found = portfolio.live[spec.name]
    if isinstance(found, LiveError):
        raise found
    return found  # type: ignore[return-value]


@dataclass(frozen=True)
class Part:
    """Rows of one shape from a live source (a SQL source has one a query), each keyed by its
    field's name."""

    label: str  # "orders", "sales-db.payments"
    shape: str  # "bookings", "events", "ledger", "signals"
    entity: str | None  # whose, where the rows do not say
    rows: list[dict[str, str]]
    names: dict[str, str] = field(default_factory=dict)  # a field -> its column, as the source says

    def named(self, field: str) -> str:
        return self.names.get(field, field)


def parts(spec: LiveSource, rows: list[dict[str, str]]) -> list[Part]:
    if isinstance(spec, SqlSource):
        return [
            Part(f"{spec.name}.{q.name}", q.shape, q.entity, of(q.name, rows))
            for q in spec.queries
        ]
    if isinstance(spec, DynamoDBSource):  # its attributes, read as the shape's fields
        named = [
            {f: r.get(spec.attribute(f), "") for f in LIVE_SHAPES[spec.shape]} | keyed(r)
            for r in rows
        ]
        names = {f: spec.attribute(f) for f in LIVE_SHAPES[spec.shape]}
        return [Part(spec.name, spec.shape, spec.entity, named, names)]
    return [Part(spec.name, spec.records(), getattr(spec, "account_entity", None), rows)]


def of(query: str, rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [r for r in rows if r[QUERY] == query]


def keyed(row: dict[str, str]) -> dict[str, str]:
    return {k: row[k] for k in (ITEM, PROBLEM) if k in row}


def window(spec: LiveSource, period: Period, as_of: date) -> tuple[date, date]:
    """From `history_months` before the period through the day before the as-of date."""
    first = add_months(month_start(period.start), -getattr(spec, "history_months", 0))
    return first, as_of - timedelta(days=1)


def pull(workspace: Workspace, spec: LiveSource, period: Period, as_of: date) -> Snapshot:
    if isinstance(spec, CloudWatchSource):
        rows = cloudwatch.pull(workspace, spec, period)
    elif isinstance(spec, S3LogsSource):
        rows = s3_logs.pull(workspace, spec, period)
    elif isinstance(spec, SqlSource):
        rows = sql.pull(workspace, spec, *window(spec, period, as_of))
    elif isinstance(spec, StripeSource):  # from the period before's, and a cut-short pull's pages
        before = stored(workspace, spec.name, period.previous().label)
        cursor = workspace.state("snapshots", spec.name, f"{period.label}.cursor.jsonl")
        rows = stripe_balance.pull(workspace, spec, *window(spec, period, as_of), before, cursor)
        snapshot = store(workspace, spec.name, period.label, rows, datetime.now(UTC))
        cursor.unlink(missing_ok=True)
        return snapshot
    else:
        assert isinstance(spec, DynamoDBSource)
        rows = dynamodb.pull(workspace, spec, *window(spec, period, as_of))
    return store(workspace, spec.name, period.label, rows, datetime.now(UTC))


def refresh(
    workspace: Workspace, period: Period, as_of: date, names: list[str] | None = None
) -> list[Snapshot | tuple[str, str]]:
    """Pull the named live sources (all by default) again for the period: each new snapshot, or
    (name, why) for one that could not be pulled — its old snapshot, if any, kept."""
    live = {s.name: s for s in workspace.settings.sources.live()}
    for name in names or []:
        if name not in live:
            raise WorkspaceError(
                f"--source {name!r}: no live source has that name"
                + (f"; the live sources: {', '.join(live)}" if live else "; none is configured")
            )
    if not live:
        raise WorkspaceError(
            "no live source is configured: add [[sources.dynamodb]] to boardpack.toml (README:"
            " live sources)"
        )
    done: list[Snapshot | tuple[str, str]] = []
    for name in names or list(live):
        try:
            done.append(pull(workspace, live[name], period, as_of))
        except LiveError as exc:
            done.append((name, str(exc)))
    return done
