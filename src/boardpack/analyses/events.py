"""What the business's own systems recorded (a live source of shape "events"): each venture's
events of the period by type, beside the period before — metrics `<entity>.events.<type>` and the
table `operations.events`."""

from __future__ import annotations

import re
from collections import Counter

from boardpack.analyses.ledger_sql import percent
from boardpack.model import Column, MetricsFrom, Portfolio, Results, Table

SLUG = re.compile(r"[^a-z0-9]+")


def analyse(portfolio: Portfolio, results: Results) -> None:
    if not portfolio.events:
        return
    period, before = portfolio.period, portfolio.period.previous()
    now: Counter[tuple[str, str]] = Counter()
    then: Counter[tuple[str, str]] = Counter()
    for e in portfolio.events:
        if period.start <= e.date <= period.end:
            now[e.entity, e.type] += e.count
        elif before.start <= e.date <= before.end:
            then[e.entity, e.type] += e.count
    names = {e.id: e.name for e in portfolio.workspace.settings.entities}
    sources = tuple(
        s.name
        for s in portfolio.workspace.settings.sources.live()
        if s.records() == "events" and portfolio.fresh(s.name)
    )
    metric = MetricsFrom(sources)
    for (entity, kind), count in sorted(now.items()):
        results.add(
            metric(
                id=f"{entity}.events.{slug(kind)}",
                label=f"{kind} — {names[entity]}",
                value=count,
                unit="events",
                note=f"{kind} recorded in {period.title}",
            )
        )
    results.add(
        Table(
            id="operations.events",
            title=f"Events recorded, {period.title}",
            columns=(
                Column.text("venture", "Venture"),
                Column.text("type", "Event"),
                Column.number("count", period.title),
                Column.number("before", before.title),
                Column.number("change", "Change %"),
            ),
            rows=tuple(
                {
                    "venture": names[entity],
                    "type": kind,
                    "count": now[entity, kind],
                    "before": then[entity, kind],
                    "change": (
                        percent(now[entity, kind] - then[entity, kind], then[entity, kind])
                        if then[entity, kind]
                        else None
                    ),
                }
                for entity, kind in sorted(set(now) | set(then))
            ),
            provenance=sources,
        )
    )


def slug(kind: str) -> str:
    """An event type as a metric id's last part: "Claim filed" is claim_filed."""
    return SLUG.sub("_", kind.casefold()).strip("_") or "other"
