"""CMO analyses: who is visible where (venture × channel), channel economics, email-blast ROI."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from boardpack.analyses.ledger_sql import ZERO, money
from boardpack.model import Column, Finding, Metric, Portfolio, Results, Table
from boardpack.period import month_start


def analyse(portfolio: Portfolio, results: Results) -> None:
    if portfolio.fresh("channels"):
        channels(portfolio, results)
    blasts(portfolio, results)


def channels(portfolio: Portfolio, results: Results) -> None:
    settings = portfolio.workspace.settings
    period = portfolio.period
    src = tuple(portfolio.sources["channels"].paths)
    in_period = [c for c in portfolio.channels if month_start(period.start) <= c.month <= period.end]
    names = sorted({c.channel for c in portfolio.channels})
    visits: dict[tuple[str, str], int] = defaultdict(int)
    for c in in_period:
        visits[c.entity, c.channel] += c.visits
    mk = settings.marketing

    def state(n: int) -> str:
        return "active" if n >= mk.active_visits else "weak" if n >= mk.weak_visits else "absent"

    matrix = tuple({"entity": e.name, **{ch: state(visits[e.id, ch]) for ch in names}} for e in settings.entities)
    results.add(Table("marketing.channel_matrix", "Visibility by venture and channel",
                      (Column("entity", "Venture"), *(Column(ch, ch) for ch in names)), matrix, src,
                      note=f"{period.title} visits: active ≥ {mk.active_visits}, weak ≥ {mk.weak_visits}, else absent"))
    for e in settings.entities:
        if all(visits[e.id, ch] < mk.weak_visits for ch in names):
            results.add(Finding("medium", "marketing", f"{e.name} had no visits on any channel in {period.title}",
                                f"No channel row for {e.id} shows a visit in {src[0]}.",
                                "Give it at least one active channel (a listing, the website or email).", entity=e.id,
                                source=src[0]))

    totals: dict[str, dict[str, Decimal | int]] = defaultdict(lambda: defaultdict(int))
    for c in in_period:
        t = totals[c.channel]
        for key in ("visits", "leads", "bookings", "revenue", "spend"):
            t[key] += getattr(c, key)
    rows = []
    for ch in names:
        t = totals[ch]
        spend, bookings = Decimal(t["spend"]), t["bookings"]
        rows.append({"channel": ch, "visits": t["visits"], "leads": t["leads"], "bookings": bookings,
                     "revenue": money(Decimal(t["revenue"])), "spend": money(spend),
                     "cost_per_booking": money(spend / bookings) if bookings else None,
                     "return_on_spend": (Decimal(t["revenue"]) / spend).quantize(Decimal("0.01")) if spend else None})
    results.add(Table("marketing.channels", f"Channel results, {period.title}",
                      (Column("channel", "Channel"), Column("visits", "Visits", True), Column("leads", "Leads", True),
                       Column("bookings", "Bookings", True), Column("revenue", "Revenue", True),
                       Column("spend", "Spend", True), Column("cost_per_booking", "Cost / booking", True),
                       Column("return_on_spend", "Revenue / spend", True)), tuple(rows), src))


def blasts(portfolio: Portfolio, results: Results) -> None:
    """Expected revenue = size × deliverability × open × click × conversion × average order value."""
    settings = portfolio.workspace.settings
    currency = settings.organization.currency
    rows = []
    for lst in settings.marketing.lists:
        where = (f"boardpack.toml [[marketing.lists]] {lst.name}",)
        orders = lst.size * lst.deliverability * lst.open * lst.click * lst.conversion
        revenue = money(orders * lst.average_order_value)
        roi = ((revenue - lst.cost) / lst.cost).quantize(Decimal("0.01")) if lst.cost else None
        results.add(
            Metric(f"marketing.blast_revenue.{lst.name}", f"Expected blast revenue — {lst.name}", revenue, currency,
                   where, note=f"{lst.size} × {lst.deliverability} × {lst.open} × {lst.click} × {lst.conversion} "
                               f"× {lst.average_order_value}"),
            Metric(f"marketing.blast_roi.{lst.name}", f"Blast ROI — {lst.name}", roi, "×", where,
                   status=None if roi is None else "good" if roi > 0 else "bad",
                   note="(expected revenue − cost) / cost" if lst.cost else "no cost: ROI is not defined"),
        )
        rows.append({"list": lst.name, "entity": lst.entity, "size": lst.size,
                     "orders": orders.quantize(Decimal("0.1")), "revenue": revenue, "cost": money(lst.cost), "roi": roi})
    if rows:
        results.add(Table("marketing.email_blasts", "Email blast model",
                          (Column("list", "List"), Column("entity", "Venture"), Column("size", "Size", True),
                           Column("orders", "Expected orders", True), Column("revenue", "Expected revenue", True),
                           Column("cost", "Cost", True), Column("roi", "ROI", True)), tuple(rows),
                          ("boardpack.toml [[marketing.lists]]",)))
    best = max(rows, key=lambda r: r["revenue"] - r["cost"], default=None)
    if best and best["revenue"] - best["cost"] > ZERO:
        results.add(Finding("low", "marketing", f"An email blast to {best['list']} is expected to return "
                                                f"{best['revenue']} {currency}",
                            f"Modelled from the list's size and rates; cost {best['cost']} {currency}.",
                            f"Schedule a blast to {best['list']} this month.", entity=best["entity"]))
