"""Revenue recognition: money received for a service in a later period is deferred revenue until the
service is given, then earned straight-line by day over the service period
(service_start..service_end).

Cents are allocated by rounding what is earned *through* each day and taking differences, so the
periods of one receipt always add up to exactly what was received.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from boardpack.analyses.ledger_sql import CENT, ZERO, ledger_files, money
from boardpack.model import Column, Finding, MetricsFrom, Portfolio, Results, Table

AHEAD = 6  # periods shown in the recognition schedule; the rest are one "later" row


def earned_through(amount: Decimal, start: date, end: date, day: date) -> Decimal:
    """What of `amount` is earned by the end of `day`, for a service from `start` to `end`
    (inclusive)."""
    if day < start:
        return ZERO
    if day >= end:
        return amount
    return (amount * ((day - start).days + 1) / ((end - start).days + 1)).quantize(
        CENT, ROUND_HALF_EVEN
    )


def earned_between(amount: Decimal, start: date, end: date, first: date, last: date) -> Decimal:
    return earned_through(amount, start, end, last) - earned_through(
        amount, start, end, first - timedelta(days=1)
    )


def analyse(portfolio: Portfolio, results: Results) -> None:
    if not portfolio.fresh("ledger"):
        return
    period, provenance = portfolio.period, ledger_files(portfolio)
    metric = MetricsFrom(provenance)
    currency = portfolio.currency
    receipts = portfolio.db.execute(
        """
        SELECT date, account, counterparty, amount, coalesce(service_start, service_end),
               coalesce(service_end, service_start), source_file || ':' || source_line
        FROM ledger
        WHERE amount > 0 AND coalesce(service_start, service_end) IS NOT NULL AND date <= ?
        ORDER BY date, source_file, source_line""",
        (period.end,),
    ).fetchall()
    recognized = sum(
        (earned_between(a, s, e, period.start, period.end) for _, _, _, a, s, e, _ in receipts),
        ZERO,
    )
    deferred = sum(
        (a - earned_through(a, s, e, period.end) for _, _, _, a, s, e, _ in receipts), ZERO
    )
    schedule, upcoming = [], period
    for _ in range(AHEAD):
        upcoming = upcoming.following()
        amount = sum(
            (
                earned_between(a, s, e, upcoming.start, upcoming.end)
                for _, _, _, a, s, e, _ in receipts
            ),
            ZERO,
        )
        schedule.append({"period": upcoming.label, "amount": money(amount)})
    later = deferred - sum((r["amount"] for r in schedule), ZERO)
    if later:
        schedule.append({"period": f"after {upcoming.label}", "amount": money(later)})
    results.add(
        metric(
            id="accounting.deferred_revenue",
            label="Deferred revenue",
            value=money(deferred),
            unit=currency,
            note=f"received for service after {period.end:%d %b %Y}, not yet earned",
        ),
        metric(
            id="accounting.revenue_recognized",
            label="Prepaid revenue earned this period",
            value=money(recognized),
            unit=currency,
            note=f"service given in {period.title} for money received with a service period",
        ),
        Table(
            id="accounting.recognition_schedule",
            title=f"When today's deferred revenue will be earned ({currency})",
            columns=(Column.text("period", "Period"), Column.number("amount", "Earned")),
            rows=tuple(r for r in schedule if r["amount"]),
            provenance=provenance,
        ),
    )
    early = [
        (d, c, a, s, w)
        for d, account, c, a, s, _, w in receipts
        if (account or "").startswith("Income:") and d < s and period.start <= d <= period.end
    ]
    if early:
        total = money(sum((a for _, _, a, _, _ in early), ZERO))
        first = early[0]
        results.add(
            Finding(
                severity="medium",
                area="accounting",
                title=f"Income booked before the service: {len(early)}",
                evidence=(
                    f"{total:,} {currency} booked to Income in {period.title} for service that"
                    f" starts later (first: {first[1] or 'unknown payee'} {first[2]} on {first[0]},"
                    f" service from {first[3]}; {first[4]})."
                ),
                action=(
                    "Book receipts for future service to Liabilities:Deferred Revenue; the income"
                    " statement now shows them as earned."
                ),
                source=provenance[0],
            )
        )
