"""Forecast against actual: what the pack sent for the period before forecast for the period just
closed (recorded in the audit store when it was sent), beside what happened; and the forecast's
error on the period-end cash over the last periods.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from boardpack.analyses.forecast import FORECAST
from boardpack.analyses.ledger_sql import LOAN, OPERATING, ledger_files, money, percent, total
from boardpack.model import Column, MetricsFrom, Portfolio, Results, Table
from boardpack.period import Period

CHECKED = 6  # periods whose period-end cash forecast is checked, this one included


def analyse(portfolio: Portfolio, results: Results) -> None:
    if not portfolio.fresh("ledger") or portfolio.recorded is None:
        return
    period = portfolio.period
    made = defaultdict(dict)  # made_in -> (series, target) -> value
    for e in portfolio.recorded:
        if e.series.partition(".")[0] in FORECAST:  # others are followup's, and the reports'
            made[e.made_in][(e.series, e.target)] = Decimal(e.value)
    rows = this_period(portfolio, made.get(period.previous().label, {}))
    checked, errors = [], []
    earlier = period.following()
    for _ in range(CHECKED):  # this period and the ones before it
        earlier = earlier.previous()
        forecast = made.get(earlier.previous().label, {}).get(("cash", earlier.label))
        if forecast is not None:
            actual = cash_on(portfolio, earlier.end)
            checked.append(row(earlier, f"Cash at the end of {earlier.title}", forecast, actual))
            if actual:
                errors.append(abs(actual - forecast) / abs(actual) * 100)
    if not rows and not checked:
        return
    provenance = ("audit store", *ledger_files(portfolio))
    metric = MetricsFrom(provenance)
    results.add(
        Table(
            id="finance.forecast_vs_actual",
            title=f"Forecast against actual ({portfolio.currency})",
            columns=(
                Column.text("period", "Period"),
                Column.text("item", "Item"),
                Column.number("forecast", "Forecast"),
                Column.number("actual", "Actual"),
                Column.number("error", "Actual − forecast"),
                Column.number("error_percent", "Error %"),
            ),
            rows=tuple(rows + checked),
            provenance=provenance,
            note=(
                "What each pack forecast when it was sent, from the audit store, beside the books"
                " now; error % is of the actual."
            ),
        )
    )
    if errors:
        results.add(
            metric(
                id="finance.forecast_error",
                label="Forecast error, period-end cash",
                value=(sum(errors, Decimal(0)) / len(errors)).quantize(Decimal("0.1")),
                unit="%",
                note=(
                    f"mean absolute error of the period-end cash forecast, {len(errors)} of the"
                    f" last {CHECKED} periods, in percent of the actual"
                ),
            )
        )


def row(period: Period, item: str, forecast: Decimal, actual: Decimal) -> dict:
    return {
        "period": period.label,
        "item": item,
        "forecast": money(forecast),
        "actual": money(actual),
        "error": money(actual - forecast),
        "error_percent": percent(actual - forecast, abs(actual)),
    }


def this_period(portfolio: Portfolio, forecast: dict[tuple[str, str], Decimal]) -> list[dict]:
    """Each figure forecast for the period just closed, beside the books (but its closing cash,
    which the periods' list has)."""
    period, label = portfolio.period, portfolio.period.label
    names = {e.id: e.name for e in portfolio.workspace.settings.entities}
    out = []
    for (series, target), value in sorted(forecast.items()):
        if series == "cash.week":
            first = date.fromisoformat(target)
            last = first + timedelta(days=6)
            if period.start <= first and last <= period.end:
                item = f"Cash at the end of the week from {first}"
                out.append(row(period, item, value, cash_on(portfolio, last)))
            continue
        if target != label:
            continue
        kind, _, entity = series.partition(".")
        if kind in ("receipts", "payments"):
            actual = flows(portfolio, kind, entity or None)
            whose = f" — {names.get(entity, entity)}" if entity else ""
            out.append(row(period, f"{kind.capitalize()}{whose}", value, actual))
        elif kind == "bookings":
            booked = sum(
                c.bookings
                for c in portfolio.channels
                if c.entity == entity and c.month == period.start.replace(day=1)
            )
            out.append(
                row(period, f"Bookings — {names.get(entity, entity)}", value, Decimal(booked))
            )
    return out


def cash_on(portfolio: Portfolio, day: date) -> Decimal:
    """The cash balance at the end of `day`, as finance.cash_balance counts it."""
    return money(portfolio.opening_cash + total(portfolio, "true", None, day))


def flows(portfolio: Portfolio, kind: str, entity: str | None) -> Decimal:
    """The period's receipts or payments as the forecast counts them (operating money, and loan
    service among the payments), all ventures or one."""
    period = portfolio.period
    which = (
        f"({OPERATING}) AND amount > 0"
        if kind == "receipts"
        else f"({OPERATING} OR {LOAN}) AND amount < 0"
    )
    mine, params = (" AND entity = ?", (entity,)) if entity else ("", ())
    amount = total(portfolio, which + mine, period.start, period.end, params)
    return amount if kind == "receipts" else -amount
