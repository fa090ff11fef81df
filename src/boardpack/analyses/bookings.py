"""A bookings venture's own report (a charter business, rooms, vehicles booked by the day): the
order book by week ahead, utilization of each asset, revenue per booking, cancellations, and the
deposits its bookings hold reconciled line by line with the deposit liability in the books.

Utilization = days an asset was served (a booking not cancelled, served in the period) ÷ days in
the period. A booking made in the period counts in `bookings` and `booked_value` unless cancelled.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from boardpack.analyses.ledger_sql import ZERO, money, percent
from boardpack.config import Entity
from boardpack.figures import plural, said
from boardpack.model import Booking, Column, Finding, MetricsFrom, Portfolio, Results, Table

ORDER_BOOK_WEEKS = 13
HELD = "held against a booking"
NO_BOOKING = "held in the books, no booking"
NOT_BOOKED = "booking with a deposit, none in the books"
CANCELLED = "cancelled, deposit still held"


def analyse(portfolio: Portfolio, results: Results) -> None:
    if not portfolio.fresh("bookings"):
        return
    for entity in portfolio.workspace.settings.entities:
        if entity.bookings is not None:
            own = [b for b in portfolio.bookings if b.entity == entity.id]
            venture(portfolio, results, entity, own)
            if portfolio.fresh("ledger"):
                deposits(portfolio, results, entity, own)


def venture(portfolio: Portfolio, results: Results, entity: Entity, bookings: list[Booking]):
    period, currency = portfolio.period, portfolio.currency
    metric = MetricsFrom((entity.bookings.origin,))
    made = [b for b in bookings if period.start <= b.booked <= period.end]
    kept = [b for b in made if b.status != "cancelled"]
    served = served_in(bookings, period)
    cancelled = [
        b for b in bookings if period.start <= b.service <= period.end and b.status == "cancelled"
    ]
    value = sum((b.amount for b in served), ZERO)
    assets = entity.bookable()
    days = {(b.asset, b.service) for b in served}
    results.add(
        metric(
            id=f"{entity.id}.bookings",
            label="Bookings made",
            value=len(kept),
            unit="bookings",
            note=f"made in {period.title}, not cancelled",
        ),
        metric(
            id=f"{entity.id}.booked_value",
            label="Value booked",
            value=money(sum((b.amount for b in kept), ZERO)),
            unit=currency,
            note=f"of the bookings made in {period.title}",
        ),
        metric(
            id=f"{entity.id}.utilization",
            label="Utilization",
            value=percent(len(days), len(assets) * period.days),
            unit="%",
            note=f"days served of {len(assets) * period.days} ({plural(len(assets), 'asset')})",
        ),
        metric(
            id=f"{entity.id}.revenue_per_booking",
            label="Revenue per booking",
            value=money(value / len(served)) if served else None,
            unit=currency,
            note=f"{plural(len(served), 'booking')} served in {period.title}",
        ),
        metric(
            id=f"{entity.id}.served_value",
            label="Value of bookings served",
            value=money(value),
            unit=currency,
            note="what the bookings served in the period were sold for",
        ),
        metric(
            id=f"{entity.id}.cancellations",
            label="Cancellations",
            value=len(cancelled),
            unit="bookings",
            note=f"of bookings for {period.title}",
        ),
        *served_against_books(portfolio, results, entity, value),
        *booked_twice(entity, bookings, period.start),
        order_book(entity, bookings, period.end, currency),
        Table(
            id=f"{entity.id}.utilization",
            title=f"Utilization by asset, {period.title}",
            columns=(
                Column.text("asset", "Asset"),
                Column.number("days", "Days served"),
                Column.number("utilization", "Utilization %"),
                Column.number("bookings", "Bookings"),
                Column.number("revenue", "Revenue"),
            ),
            rows=tuple(
                {
                    "asset": asset,
                    "days": sum(1 for a, _ in days if a == asset),
                    "utilization": percent(sum(1 for a, _ in days if a == asset), period.days),
                    "bookings": sum(1 for b in served if b.asset == asset),
                    "revenue": money(sum((b.amount for b in served if b.asset == asset), ZERO)),
                }
                for asset in assets
            ),
            provenance=(entity.bookings.origin,),
            note=f"of {period.days} days; cancelled bookings left out",
        ),
    )


def served_in(bookings: list[Booking], period) -> list[Booking]:
    """The bookings served in the period: not cancelled, their service day in it."""
    return [
        b for b in bookings if period.start <= b.service <= period.end and b.status != "cancelled"
    ]


def booked_twice(entity: Entity, bookings: list[Booking], since: date) -> list[Finding]:
    """An asset booked more than once for one day, from the period on (cancelled ones left out):
    a vessel cannot sail two charters at once, so one booking is wrong or one guest will be let
    down."""
    days: dict[tuple[str, date], list[Booking]] = defaultdict(list)
    for b in bookings:
        if b.service >= since and b.status != "cancelled":
            days[b.asset, b.service].append(b)
    twice = sorted((k, v) for k, v in days.items() if len(v) > 1)
    if not twice:
        return []
    return [
        Finding(
            severity="medium",
            area="operations",
            entity=entity.id,
            title=f"{entity.name}: {plural(len(twice), 'day')} with an asset booked more than once",
            evidence="; ".join(
                f"{asset} on {day}: {', '.join(b.customer for b in found)}"
                for (asset, day), found in twice[:5]
            )
            + ("…" if len(twice) > 5 else ""),
            action="Move one booking to another asset or day, or mark the one that is not real"
            " cancelled.",
            source=entity.bookings.origin,
        )
    ]


def served_against_books(
    portfolio: Portfolio, results: Results, entity: Entity, served: Decimal
) -> list[Finding]:
    """What the bookings served were sold for against the venture's revenue in the books: a gap
    past `[finance] variance_threshold` (both its amount and its percent) is a finding."""
    books = results.metrics.get(f"finance.revenue.{entity.id}")
    if books is None or books.value is None:
        return []
    gap = money(served - books.value)
    threshold = portfolio.workspace.settings.finance.variance_threshold
    if abs(gap) < threshold.amount or abs(gap) * 100 < threshold.percent * abs(books.value):
        return []
    currency = portfolio.currency
    return [
        Finding(
            severity="medium",
            area="accounting",
            entity=entity.id,
            title=f"{entity.name}: the bookings served and the books' revenue differ by"
            f" {said(abs(gap), currency)}",
            evidence=(
                f"Bookings served in {portfolio.period.title}: {said(served, currency)}; revenue"
                f" in the books: {said(books.value, currency)}."
            ),
            action=(
                "Find the bookings not paid for (or not marked cancelled) and the money booked to"
                " no booking."
            ),
            source=entity.bookings.origin,
        )
    ]


def order_book(entity: Entity, bookings: list[Booking], end: date, currency: str) -> Table:
    """What is booked after the period, by the week of service (weeks from Monday), the weeks
    beyond the thirteenth together."""
    ahead = [b for b in bookings if b.service > end and b.booked <= end and b.status != "cancelled"]
    first = end + timedelta(days=1)
    monday = first - timedelta(days=first.weekday())
    horizon = monday + timedelta(weeks=ORDER_BOOK_WEEKS)
    weeks: dict[str, list[Booking]] = defaultdict(list)
    for b in sorted(ahead, key=lambda b: b.service):
        start = b.service - timedelta(days=b.service.weekday())
        weeks[f"{start:%Y-%m-%d}" if start < horizon else "later"].append(b)
    rows = [
        {
            "week": week,
            "bookings": len(found),
            "value": money(sum((b.amount for b in found), ZERO)),
            "deposits": money(sum((b.deposit for b in found), ZERO)),
        }
        for week, found in weeks.items()
    ]
    rows.append(
        {
            "week": "Total",
            "bookings": len(ahead),
            "value": money(sum((b.amount for b in ahead), ZERO)),
            "deposits": money(sum((b.deposit for b in ahead), ZERO)),
        }
    )
    return Table(
        id=f"{entity.id}.order_book",
        title=f"Order book after {end:%d %b %Y} ({currency})",
        columns=(
            Column.text("week", "Week of"),
            Column.number("bookings", "Bookings"),
            Column.number("value", "Value"),
            Column.number("deposits", "Deposits"),
        ),
        rows=tuple(rows),
        provenance=(entity.bookings.origin,),
        note="bookings made by the period's end for service after it, cancelled ones left out",
    )


def deposits(portfolio: Portfolio, results: Results, entity: Entity, bookings: list[Booking]):
    """The deposits the books hold at the period's end (rows into a deferred-revenue account for a
    service after it) against the bookings' deposits for a service after it, matched one to one on
    the service day and the amount (the customer's name in the row first)."""
    end, currency = portfolio.period.end, portfolio.currency
    held = portfolio.db.execute(
        """SELECT coalesce(service_start, service_end), amount,
                  concat_ws(' ', counterparty, memo), source_file || ':' || source_line
           FROM ledger WHERE entity = $entity AND amount > 0 AND date <= $end
             AND account_type(account) = 'deferred_revenue'
             AND coalesce(service_start, service_end) > $end ORDER BY 1, 4""",
        {"entity": entity.id, "end": end},
    ).fetchall()
    waiting = [b for b in bookings if b.service > end and b.booked <= end and b.deposit > 0]
    rows = []
    for service, amount, text, where in held:
        same = [b for b in waiting if b.service == service and b.deposit == amount]
        named = [b for b in same if b.customer.casefold() in (text or "").casefold()]
        match = (named or same or [None])[0]
        if match is not None:
            waiting.remove(match)
        state = (
            NO_BOOKING if match is None else CANCELLED if match.status == "cancelled" else HELD
        )
        rows.append(row(service, amount, state, match, where))
    rows += [
        row(b.service, b.deposit, NOT_BOOKED, b, "") for b in waiting if b.status != "cancelled"
    ]
    rows.sort(key=lambda r: (r["state"] == HELD, r["service"]))
    off = [r for r in rows if r["state"] != HELD]
    in_books = sum((r["amount"] for r in rows if r["state"] != NOT_BOOKED), ZERO)
    results.add(
        Table(
            id=f"{entity.id}.deposits_reconciliation",
            title=f"Deposits held at {end:%d %b %Y}: bookings against the books ({currency})",
            columns=(
                Column.text("service", "Service"),
                Column.text("customer", "Customer"),
                Column.number("amount", "Deposit"),
                Column.text("state", "State"),
                Column.text("where", "In the books"),
            ),
            rows=tuple(rows),
            provenance=(entity.bookings.origin, *portfolio.sources["ledger"].paths),
            note=(
                f"{said(in_books, currency)} held in the books; {plural(len(off), 'line')} not"
                " matched one to one"
            ),
        )
    )
    if off:
        results.add(
            Finding(
                severity="medium",
                area="accounting",
                entity=entity.id,
                title=f"{entity.name}: {plural(len(off), 'deposit')} the bookings and the books"
                " do not agree on",
                evidence="; ".join(
                    f"{r['service']} {said(r['amount'], currency)}: {r['state']}" for r in off[:5]
                )
                + ("…" if len(off) > 5 else ""),
                action=(
                    "Book each booking's deposit to the deposit account with its service date, and"
                    " refund or earn the deposit of each cancelled booking."
                ),
                source=entity.bookings.origin,
            )
        )


def row(service: date, amount: Decimal, state: str, booking: Booking | None, where: str) -> dict:
    return {
        "service": service.isoformat(),
        "customer": booking.customer if booking else "",
        "amount": money(amount),
        "state": state,
        "where": where,
    }

