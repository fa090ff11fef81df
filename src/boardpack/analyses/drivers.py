"""What drove a move in net income, where another source says: the jobs a fleet ran, the hours a
practice worked, the units a property let, the bookings and visits the channels brought, and for a
cost, a spike or a possible duplicate payment the expense audit found. Plain figures from the data,
for the commentary's sentences; nothing is inferred beyond them."""

from __future__ import annotations

from decimal import Decimal

from boardpack import figures
from boardpack.config import Entity
from boardpack.model import Portfolio, Results
from boardpack.period import Period

Said = tuple[str, str]  # a clause, and the file it comes from


def explain(portfolio: Portfolio, results: Results, move, before: Period | None) -> Said:
    """The clauses that explain `move` (a bridge.Move) against `before` (None: against the budget,
    so the period's own figures), joined; and the files they come from."""
    entity = next((e for e in portfolio.workspace.settings.entities if e.id == move.entity), None)
    if move.revenue:
        found = [f(portfolio, entity, before) for f in (jobs, hours, units, bookings)]
    else:
        found = [spike(portfolio, results, move), duplicate(portfolio, results, move)]
    said = [s for s in found if s]
    return "; ".join(s[0] for s in said), ", ".join(dict.fromkeys(s[1] for s in said))


def compared(now, then, one: str, many: str) -> str:
    return f"{now:,} {one if now == 1 else many}" + ("" if then is None else f" against {then:,}")


def jobs(portfolio: Portfolio, entity: Entity | None, before: Period | None) -> Said | None:
    if entity is None or entity.fleet is None:
        return None

    def count(period: Period) -> int:
        return sum(
            1
            for j in portfolio.jobs
            if j.entity == entity.id and period.start <= j.date <= period.end
        )

    now = count(portfolio.period)
    return compared(now, before and count(before), "job", "jobs"), entity.fleet.jobs


def hours(portfolio: Portfolio, entity: Entity | None, before: Period | None) -> Said | None:
    if entity is None or entity.practice is None:
        return None

    def worked(period: Period) -> Decimal:
        return sum(
            (
                t.hours
                for t in portfolio.timesheets
                if t.entity == entity.id and period.start <= t.date <= period.end
            ),
            Decimal(0),
        )

    then = before and worked(before)
    said = compared(worked(portfolio.period), then, "hour worked", "hours worked")
    return said, entity.practice.timesheets


def units(portfolio: Portfolio, entity: Entity | None, before: Period | None) -> Said | None:
    if entity is None or entity.property is None:
        return None
    own = [u for u in portfolio.units if u.entity == entity.id]

    def let(period: Period) -> str:
        return f"{sum(1 for u in own if u.occupied_on(period.end))} of {len(own)}"

    then = f" against {let(before)}" if before else ""
    return f"{let(portfolio.period)} units let{then}", entity.property.units


def bookings(portfolio: Portfolio, entity: Entity | None, before: Period | None) -> Said | None:
    channels = portfolio.workspace.settings.sources.channels
    if entity is None or channels is None:
        return None

    def brought(period: Period) -> tuple[int, int] | None:
        months = [
            c
            for c in portfolio.channels
            if c.entity == entity.id and period.start.replace(day=1) <= c.month <= period.end
        ]
        return (sum(c.bookings for c in months), sum(c.visits for c in months)) if months else None

    now = brought(portfolio.period)
    if now is None:
        return None
    then = before and brought(before)
    said = f"{now[0]:,} bookings from {now[1]:,} visits" + (
        f" against {then[0]:,} from {then[1]:,}" if then else ""
    )
    return said, channels.path


def spike(portfolio: Portfolio, results: Results, move) -> Said | None:
    if any(
        f.area == "expenses" and f.title == f"Spending spike: {move.account}"
        for f in results.findings
    ):
        return "the expense audit flags a spending spike on the account", "expense audit"
    return None


def duplicate(portfolio: Portfolio, results: Results, move) -> Said | None:
    """A possible duplicate payment whose payee and amount are booked to this venture and account in
    the period."""
    table = results.tables.get("accounting.duplicate_payments")
    period = portfolio.period
    for row in table.rows if table else ():
        (found,) = portfolio.db.execute(
            "SELECT count(*) FROM ledger WHERE trim(counterparty) = ? AND amount = ?"
            " AND account = ? AND entity IS NOT DISTINCT FROM ? AND date BETWEEN ? AND ?",
            (
                row["counterparty"],
                -row["amount"],
                move.account,
                move.entity,
                period.start,
                period.end,
            ),
        ).fetchone()
        if found:
            return (
                f"including a possible duplicate payment of {figures.said(row['amount'], '')} to"
                f" {row['counterparty']} ({row['first']} and {row['second']})",
                "expense audit",
            )
    return None
