"""CMO analyses: who is visible where (venture × channel), channel economics and funnels,
email-blast ROI, which listing platform to add next, and the 30/60/90-day milestones that follow
from the gaps."""

from __future__ import annotations

import fnmatch
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from boardpack.analyses.bookings import served_in
from boardpack.analyses.ledger_sql import TENTH, ZERO, ledger_files, money, payee_summary, percent
from boardpack.analyses.reconciliation import customer_key
from boardpack.figures import plural, said
from boardpack.model import (
    Action,
    ChannelMonth,
    Column,
    Finding,
    Metric,
    MetricsFrom,
    Portfolio,
    Results,
    Status,
    Table,
)
from boardpack.period import month_start, trailing_months

Z95 = 1.959963984540054  # the standard normal's 97.5th percentile
FUNNEL_MONTHS = 3  # small samples: the funnel pools the last three months


def analyse(portfolio: Portfolio, results: Results) -> None:
    milestones: list[Milestone] = []
    if portfolio.fresh("channels"):
        milestones += channels(portfolio, results)
        milestones += funnels(portfolio, results)
    milestones += blasts(portfolio, results)
    milestones += platforms(portfolio, results)
    plan(portfolio, results, milestones)


def channels(portfolio: Portfolio, results: Results) -> list[Milestone]:
    settings = portfolio.workspace.settings
    period = portfolio.period
    provenance = tuple(portfolio.sources["channels"].paths)
    in_period = [
        c for c in portfolio.channels if month_start(period.start) <= c.month <= period.end
    ]
    names = sorted({c.channel for c in portfolio.channels})
    visits: dict[tuple[str, str], int] = defaultdict(int)
    for c in in_period:
        visits[c.entity, c.channel] += c.visits
    mk = settings.marketing

    def state(n: int) -> str:
        if n >= mk.active_visits:
            return "active"
        return "weak" if n >= mk.weak_visits else "absent"

    matrix = tuple(
        {"entity": e.name, **{ch: state(visits[e.id, ch]) for ch in names}}
        for e in settings.entities
    )
    results.add(
        Table(
            id="marketing.channel_matrix",
            title="Visibility by venture and channel",
            columns=(Column.text("entity", "Venture"), *(Column.text(ch, ch) for ch in names)),
            rows=matrix,
            provenance=provenance,
            note=(
                f"{period.title} visits: active ≥ {mk.active_visits}, weak ≥ {mk.weak_visits}, else"
                " absent"
            ),
        )
    )
    milestones = []
    for e in settings.entities:
        weak = sorted(
            (ch for ch in names if state(visits[e.id, ch]) == "weak"),
            key=lambda ch: -visits[e.id, ch],
        )
        if weak and not any(state(visits[e.id, ch]) == "active" for ch in names):
            results.add(
                Finding(
                    severity="low",
                    area="marketing",
                    title=f"{e.name} has no active channel",
                    evidence=(
                        f"{', '.join(weak)}: fewer than {mk.active_visits} visits in"
                        f" {period.title}."
                    ),
                    action=f"Bring {weak[0]} to {mk.active_visits} visits a month.",
                    entity=e.id,
                    source=provenance[0],
                )
            )
            milestones.append(
                Milestone(
                    60,
                    f"Bring {e.name}'s {weak[0]} channel to {mk.active_visits} visits a month",
                    f"no active channel; {weak[0]} had {visits[e.id, weak[0]]} visits",
                    e.id,
                )
            )
        if not weak and all(visits[e.id, ch] < mk.weak_visits for ch in names):
            results.add(
                Finding(
                    severity="medium",
                    area="marketing",
                    title=f"{e.name} had no visits on any channel in {period.title}",
                    evidence=f"No channel row for {e.id} shows a visit in {provenance[0]}.",
                    action="Give it at least one active channel (a listing, the website or email).",
                    entity=e.id,
                    source=provenance[0],
                )
            )
            milestones.append(
                Milestone(30, f"Give {e.name} one active channel", "no visits on any channel", e.id)
            )

    totals: dict[str, dict[str, Decimal | int]] = defaultdict(lambda: defaultdict(int))
    booked = booked_by_channel(portfolio)  # where a bookings file has the real ones
    for c in in_period:
        t = totals[c.channel]
        own = ("visits", "leads", "spend") if c.entity in booked else STAGES
        for key in own:
            t[key] += getattr(c, key)
    unknown = sorted({ch for by in booked.values() for ch in by} - set(names))
    for by in booked.values():
        for ch, (count, value, collected) in by.items():
            totals[ch]["bookings"] += count
            totals[ch]["revenue"] += value
            totals[ch]["collected"] += collected
    paid = ledger_spend(portfolio)  # where the ledger books a channel's spend, its figure wins
    reported = {ch: Decimal(totals[ch]["spend"]) for ch in paid}
    for ch, amount in paid.items():
        totals[ch]["spend"] = amount
    rows = []
    for ch in names + unknown + sorted(set(paid) - set(names) - set(unknown)):
        t = totals[ch]
        spend, bookings = Decimal(t["spend"]), t["bookings"]
        rows.append(
            {
                "channel": ch,
                "visits": t["visits"],
                "leads": t["leads"],
                "bookings": bookings,
                "revenue": money(Decimal(t["revenue"])),
                **(
                    {"collected": money(Decimal(t["collected"])) if "collected" in t else None}
                    if booked
                    else {}
                ),
                "spend": money(spend),
                "cost_per_booking": money(spend / bookings) if bookings else None,
                "return_on_spend": (
                    (Decimal(t["revenue"]) / spend).quantize(Decimal("0.01")) if spend else None
                ),
            }
        )
    spend = sum((Decimal(t["spend"]) for t in totals.values()), ZERO)
    count = sum(t["bookings"] for t in totals.values())
    metric = MetricsFrom(
        provenance
        + tuple(b.origin for b in booking_files(portfolio))
        + (ledger_files(portfolio) if paid else ())
    )
    results.add(
        metric(
            id="marketing.bookings",
            label="Bookings",
            value=count,
            unit="bookings",
            note=f"through every channel, {period.title}"
            + (": the bookings files' for their ventures" if booked else ""),
        ),
        metric(
            id="marketing.channel_revenue",
            label="Booked through the channels",
            value=money(sum((Decimal(t["revenue"]) for t in totals.values()), ZERO)),
            unit=portfolio.currency,
            note=f"the value of the bookings made in {period.title}",
        ),
        metric(
            id="marketing.spend",
            label="Marketing spend",
            value=money(spend),
            unit=portfolio.currency,
            note=f"every channel, {period.title}"
            + (f"; {', '.join(sorted(paid))} as the ledger paid it" if paid else ""),
        ),
        metric(
            id="marketing.cost_per_booking",
            label="Cost per booking",
            value=money(spend / count) if count else None,
            unit=portfolio.currency,
            note="marketing spend ÷ bookings",
        ),
    )
    channels_vs_books(portfolio, results, in_period, booked)
    results.add(
        Table(
            id="marketing.channels",
            title=f"Channel results, {period.title}",
            columns=(
                Column.text("channel", "Channel"),
                Column.number("visits", "Visits"),
                Column.number("leads", "Leads"),
                Column.number("bookings", "Bookings"),
                Column.number("revenue", "Revenue"),
                # what the bookings have paid so far: only a bookings file knows
                *((Column.number("collected", "Collected"),) if booked else ()),
                Column.number("spend", "Spend"),
                Column.number("cost_per_booking", "Cost / booking"),
                Column.number("return_on_spend", "Revenue / spend"),
            ),
            rows=tuple(rows),
            provenance=provenance,
            note=" ".join(
                filter(
                    None,
                    (
                        booked
                        and "Bookings, revenue and collected (a completed booking's price, else"
                        " its deposit) from the bookings files where a venture has one; visits"
                        " and leads from the channels file.",
                        unknown
                        and f"In the bookings but not the channels file: {', '.join(unknown)}.",
                        paid and spend_note(paid, reported, portfolio.currency),
                    ),
                )
            ),
        )
    )
    return milestones


STAGES = ("visits", "leads", "bookings", "revenue", "spend")


def ledger_spend(portfolio: Portfolio) -> dict[str, Decimal]:
    """What the ledger paid in the period for each channel `[marketing] spend_accounts` maps: the
    rows of its accounts (and its payee, compared as the reconciliation compares names)."""
    mapped = portfolio.workspace.settings.marketing.spend_accounts
    if not mapped or not portfolio.fresh("ledger"):
        return {}
    period = portfolio.period
    rows = portfolio.db.execute(
        f"""SELECT account, coalesce(counterparty, ''), -sum(amount)
            FROM {payee_summary(portfolio, period.start, period.end)}
            WHERE account LIKE 'Expenses:%' AND date BETWEEN $start AND $end
            GROUP BY ALL""",
        {"start": period.start, "end": period.end},
    ).fetchall()
    paid = {}
    for channel, spend in mapped.items():
        payee = spend.payee and customer_key(spend.payee)
        paid[channel] = money(
            sum(
                (
                    amount
                    for account, counterparty, amount in rows
                    if any(fnmatch.fnmatchcase(account, g) for g in spend.accounts)
                    and (payee is None or customer_key(counterparty) == payee)
                ),
                ZERO,
            )
        )
    return paid


def spend_note(paid: dict[str, Decimal], reported: dict[str, Decimal], currency: str) -> str:
    """Which channels' spend is the ledger's, and what the channels file said where it differs."""
    differs = [
        f"{ch} {said(reported[ch], currency)}" for ch in sorted(paid) if reported[ch] != paid[ch]
    ]
    return (
        f"Spend for {', '.join(sorted(paid))} as the ledger paid it ([marketing] spend_accounts)"
        + (f"; the channels file said {', '.join(differs)}." if differs else ".")
    )


def booking_files(portfolio: Portfolio) -> list:
    return [e.bookings for e in portfolio.workspace.settings.entities if e.bookings is not None]


def booked_by_channel(portfolio: Portfolio) -> dict[str, dict[str, tuple[int, Decimal, Decimal]]]:
    """Each bookings venture's bookings made in the period by channel (not cancelled): count,
    value, and collected (a completed booking's price, else its deposit). Empty without a
    bookings source."""
    if not portfolio.fresh("bookings"):
        return {}
    period = portfolio.period
    found: dict[str, dict[str, tuple[int, Decimal, Decimal]]] = {
        e.id: {} for e in portfolio.workspace.settings.entities if e.bookings is not None
    }
    for b in portfolio.bookings:
        if period.start <= b.booked <= period.end and b.status != "cancelled":
            channel = b.channel or "unknown"
            count, value, collected = found[b.entity].get(channel, (0, ZERO, ZERO))
            found[b.entity][channel] = (
                count + 1,
                value + b.amount,
                collected + (b.amount if b.status == "completed" else b.deposit),
            )
    return found


def channels_vs_books(
    portfolio: Portfolio, results: Results, in_period: list[ChannelMonth], booked: dict
) -> None:
    """Each venture's channel revenue of the period against its revenue in the books: "booked"
    (the channels' — the bookings file's where there is one), "served" (a bookings venture's
    bookings served in the period: what the books earn), "in the books"
    (`finance.revenue.<venture>`). Served, else booked, against the books: a gap past both parts
    of `[finance] variance_threshold` is a finding, one for all the ventures apart."""
    threshold = portfolio.workspace.settings.finance.variance_threshold
    currency, period = portfolio.currency, portfolio.period
    rows = []
    for e in portfolio.workspace.settings.entities:
        books = results.metrics.get(f"finance.revenue.{e.id}")
        if e.id in booked:
            value = sum((v for _, v, _ in booked[e.id].values()), ZERO)
            own = [b for b in portfolio.bookings if b.entity == e.id]
            collected = money(sum((b.amount for b in served_in(own, period)), ZERO))
        else:
            value = sum((c.revenue for c in in_period if c.entity == e.id), ZERO)
            collected = None
        if not value and collected is None:  # no channel says it brought this venture money
            continue
        in_books = books.value if books is not None else None
        compared = collected if collected is not None else money(value)
        gap = money(compared - in_books) if in_books is not None else None
        material = (
            gap is not None
            and abs(gap) >= threshold.amount
            and abs(gap) * 100 >= threshold.percent * abs(in_books or compared)
        )
        rows.append(
            {
                "venture": e.name,
                "booked": money(value),
                "collected": collected,
                "books": in_books,
                "gap": gap,
                "state": "apart" if material else "agree",
            }
        )
    apart = [r for r in rows if r["state"] == "apart"]
    if apart:
        results.add(
            Finding(
                severity="medium",
                area="marketing",
                title=f"Channel revenue and the books disagree for {plural(len(apart), 'venture')}",
                evidence="; ".join(
                    f"{r['venture']}: {said(r['collected'] or r['booked'], currency)} by the"
                    f" channels, {said(r['books'], currency)} in the books"
                    for r in apart
                )
                + ".",
                action=(
                    "Check the channels file's revenue against the bookings and the bank, or"
                    " add the venture's bookings file so the channels count its real bookings."
                ),
                source=(portfolio.sources["channels"].paths or [""])[0],
            )
        )
    results.add(
        Table(
            id="marketing.channels_vs_books",
            title=f"Channel revenue against the books, {period.title} ({currency})",
            columns=(
                Column.text("venture", "Venture"),
                Column.number("booked", "Booked"),
                Column.number("collected", "Served"),
                Column.number("books", "In the books"),
                Column.number("gap", "Gap"),
                Column.text("state", "State"),
            ),
            rows=tuple(rows),
            provenance=tuple(portfolio.sources["channels"].paths),
            note="Booked: the value of bookings made in the period; in the books: the revenue"
            " earned in it.",
        )
    )


def blasts(portfolio: Portfolio, results: Results) -> list[Milestone]:
    """Expected revenue = size × deliverability × open × click × conversion × average order value.
    """
    settings = portfolio.workspace.settings
    currency = portfolio.currency
    rows = []
    for lst in settings.marketing.lists:
        where = (f"boardpack.toml [[marketing.lists]] {lst.name}",)
        orders = lst.size * lst.deliverability * lst.open * lst.click * lst.conversion
        revenue = money(orders * lst.average_order_value)
        roi = ((revenue - lst.cost) / lst.cost).quantize(Decimal("0.01")) if lst.cost else None
        results.add(
            Metric(
                id=f"marketing.blast_revenue.{lst.name}",
                label=f"Forecast: blast revenue — {lst.name}",
                value=revenue,
                unit=currency,
                provenance=where,
                note=(
                    f"{lst.size} × {lst.deliverability} × {lst.open} × {lst.click} ×"
                    f" {lst.conversion} × {lst.average_order_value:,}"
                ),
            ),
            Metric(
                id=f"marketing.blast_roi.{lst.name}",
                label=f"Forecast: blast ROI — {lst.name}",
                value=roi,
                unit="×",
                provenance=where,
                status=return_status(roi),
                note=(
                    "(expected revenue − cost) / cost"
                    if lst.cost
                    else "no cost: ROI is not defined"
                ),
            ),
        )
        rows.append(
            {
                "list": lst.name,
                "entity": lst.entity,
                "size": lst.size,
                "orders": orders.quantize(Decimal("0.1")),
                "revenue": revenue,
                "cost": money(lst.cost),
                "roi": roi,
            }
        )
    if rows:
        results.add(
            Table(
                id="marketing.email_blasts",
                title="Email blast model",
                columns=(
                    Column.text("list", "List"),
                    Column.text("entity", "Venture"),
                    Column.number("size", "Size"),
                    Column.number("orders", "Expected orders"),
                    Column.number("revenue", "Expected revenue"),
                    Column.number("cost", "Cost"),
                    Column.number("roi", "ROI"),
                ),
                rows=tuple(rows),
                provenance=("boardpack.toml [[marketing.lists]]",),
            )
        )
    best = max(rows, key=lambda r: r["revenue"] - r["cost"], default=None)
    if best and best["revenue"] - best["cost"] > ZERO:
        results.add(
            Finding(
                severity="low",
                area="marketing",
                title=(
                    f"An email blast to {best['list']} is expected to return "
                    f"{best['revenue']:,} {currency}"
                ),
                evidence=(
                    f"Modelled from the list's size and rates; cost {best['cost']:,} {currency}."
                ),
                action=f"Schedule a blast to {best['list']} this month.",
                entity=best["entity"],
            )
        )
    return [
        Milestone(
            30,
            f"Send the {r['list']} email blast",
            f"expected {r['revenue']:,} {currency} for {r['cost']:,} {currency}",
            r["entity"],
        )
        for r in rows
        if r["revenue"] > r["cost"]
    ]


def wilson(successes: int, trials: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval for a proportion: unlike p ± z·se it stays inside 0–1 and is honest
    for the small counts a small business has (3 bookings from 40 leads)."""
    if trials == 0:
        return None
    p = successes / trials
    z2n = z * z / trials
    centre = (p + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * math.sqrt(p * (1 - p) / trials + z2n / (4 * trials))
    return max(0.0, centre - half), min(1.0, centre + half)


def rate_text(successes: int, trials: int) -> str | None:
    """`6.5% (5.0–8.3)`: the rate and its 95% interval, in percent."""
    bounds = wilson(successes, trials)
    if bounds is None:
        return None
    low, high = (Decimal(repr(b * 100)).quantize(TENTH) for b in bounds)
    return f"{percent(successes, trials)}% ({low}–{high})"


@dataclass(frozen=True)
class Milestone:
    days: int  # 30, 60 or 90
    title: str
    why: str
    entity: str | None


def funnels(portfolio: Portfolio, results: Results) -> list[Milestone]:
    """Visit → lead → booking per venture and channel over the last three months, with Wilson 95%
    intervals; next month projected at the months' average visits."""
    settings = portfolio.workspace.settings
    currency = portfolio.currency
    first, last = trailing_months(portfolio.period.end, FUNNEL_MONTHS)
    window: dict[tuple[str, str], list[ChannelMonth]] = defaultdict(list)
    for c in portfolio.channels:
        if first <= c.month <= last:
            window[c.entity, c.channel].append(c)
    names = {e.id: e.name for e in settings.entities}
    all_visits = sum(c.visits for rows in window.values() for c in rows)
    all_leads = sum(c.leads for rows in window.values() for c in rows)
    rows, milestones = [], []
    order = {entity: i for i, entity in enumerate(names)}
    for (entity, channel), months in sorted(
        window.items(), key=lambda kv: (order[kv[0][0]], kv[0][1])
    ):
        visits, leads, bookings = (
            sum(getattr(c, k) for c in months) for k in ("visits", "leads", "bookings")
        )
        revenue, spend = sum((c.revenue for c in months), ZERO), sum(
            (c.spend for c in months), ZERO
        )
        per_month = Decimal(visits) / FUNNEL_MONTHS
        booking_rate = wilson(bookings, visits)
        projected = (per_month * bookings / visits).quantize(TENTH) if visits else Decimal("0.0")
        value = revenue / bookings if bookings else None
        span = (
            None
            if booking_rate is None
            else "–".join(str((per_month * Decimal(repr(b))).quantize(TENTH)) for b in booking_rate)
        )
        # without bookings a booking is worth nothing known: none projected is still nothing
        if value is not None:
            projected_revenue = money(projected * value)
        else:
            projected_revenue = ZERO if projected == 0 else None
        rows.append(
            {
                "entity": names[entity],
                "channel": channel,
                "visits": visits,
                "leads": leads,
                "bookings": bookings,
                "visit_lead": rate_text(leads, visits),
                "lead_booking": rate_text(bookings, leads),
                "projected": f"{projected} ({span})" if span else str(projected),
                "projected_revenue": projected_revenue,
            }
        )
        if spend > 0 and bookings == 0:
            milestones.append(
                Milestone(
                    days=30,
                    title=f"Stop or fix {channel} for {names[entity]}",
                    why=f"{spend:,} {currency} spent over {FUNNEL_MONTHS} months for no booking",
                    entity=entity,
                )
            )
        lead_rate = wilson(leads, visits)
        if lead_rate and all_visits and lead_rate[1] < all_leads / all_visits:
            milestones.append(
                Milestone(
                    days=90,
                    title=f"Rework the {channel} landing page for {names[entity]}",
                    why=(
                        f"visit → lead {percent(leads, visits)}%, below the portfolio's "
                        f"{percent(all_leads, all_visits)}% with 95% confidence"
                    ),
                    entity=entity,
                )
            )
    note = (
        f"{first:%b %Y}–{last:%b %Y} pooled. Rates with their 95% Wilson intervals in brackets."
        " Next month: these months' average visits × the visit → booking rate (range: its"
        " interval) × revenue per booking."
    )
    results.add(
        Table(
            id="marketing.funnel",
            title="Funnel by venture and channel",
            columns=(
                Column.text("entity", "Venture"),
                Column.text("channel", "Channel"),
                Column.number("visits", "Visits"),
                Column.number("leads", "Leads"),
                Column.number("bookings", "Bookings"),
                Column.number("visit_lead", "Visit → lead"),
                Column.number("lead_booking", "Lead → booking"),
                Column.number("projected", "Bookings next month"),
                Column.number("projected_revenue", f"Revenue next month ({currency})"),
            ),
            rows=tuple(rows),
            provenance=tuple(portfolio.sources["channels"].paths),
            note=note,
        )
    )
    return milestones


def platforms(portfolio: Portfolio, results: Results) -> list[Milestone]:
    """Listing platforms ranked by expected net monthly revenue per hour of set-up effort."""
    settings = portfolio.workspace.settings
    if not settings.marketing.platforms:
        return []
    currency = portfolio.currency
    names = {e.id: e.name for e in settings.entities}
    first, last = trailing_months(portfolio.period.end, 12)
    live = {
        (c.entity, c.channel.casefold())
        for c in portfolio.channels
        if month_start(portfolio.period.start) <= c.month <= portfolio.period.end and c.visits > 0
    }
    # ranked: (platform, row) pairs, so the milestones know the platform's entity
    ranked, other = (
        [],
        [],
    )
    for p in settings.marketing.platforms:
        row = {
            "rank": None,
            "platform": p.name,
            "entity": names[p.entity],
            "net_monthly": None,
            "per_hour": None,
        }
        if (p.entity, p.name.casefold()) in live:
            other.append(
                row | {
                    "reasoning": f"already live: {p.name} shows visits in {portfolio.period.title}"
                }
            )
            continue
        value, basis = p.average_booking_value, "set on the platform"
        if value is None:
            done = [
                c for c in portfolio.channels if c.entity == p.entity and first <= c.month <= last
            ]
            booked = sum(c.bookings for c in done)
            if booked:
                value = money(sum((c.revenue for c in done), ZERO) / booked)
                basis = f"{names[p.entity]}'s revenue per booking, last 12 months"
        if value is None:
            other.append(
                row | {"reasoning": "no booking value: set average_booking_value on the platform"}
            )
            continue
        kept = Decimal(1) - p.commission_percent / 100
        net = money(p.monthly_bookings * (value * kept - p.booking_fee) - p.monthly_fee)
        row |= {
            "net_monthly": net,
            "per_hour": money(net / p.setup_hours),
            "reasoning": (
                f"{p.monthly_bookings} bookings × ({value:,} × (1 − {p.commission_percent}%) −"
                f" {p.booking_fee:,}) − {p.monthly_fee:,} a month = {net:,}; ÷ {p.setup_hours} h"
                f" set-up ({basis})"
            ),
        }
        if net > 0:
            ranked.append((p, row))
        else:
            other.append(row)
    ranked.sort(key=lambda pr: (-pr[1]["per_hour"], pr[0].name))
    rows = [row | {"rank": i} for i, (_, row) in enumerate(ranked, 1)] + other
    results.add(
        Table(
            id="marketing.platforms",
            title="Listing platforms, in the order to add them",
            columns=(
                Column.number("rank", "#"),
                Column.text("platform", "Platform"),
                Column.text("entity", "Venture"),
                Column.number("net_monthly", f"Net a month ({currency})"),
                Column.number("per_hour", f"Per set-up hour ({currency})"),
                Column.text("reasoning", "Reasoning"),
            ),
            rows=tuple(rows),
            provenance=("boardpack.toml [[marketing.platforms]]",),
            note=(
                "Net a month = bookings × (booking value × (1 − commission) − booking fee) −"
                " monthly fee; ranked by net a month per hour of set-up. Unranked: live already, no"
                " value, or a loss."
            ),
        )
    )
    # one new platform a month: the set-up effort is the constraint
    return [
        Milestone(
            days=days,
            title=f"List {names[p.entity]} on {p.name}",
            why=(
                f"rank {i}: {row['net_monthly']:,} {currency} a month expected, {row['per_hour']:,}"
                " per set-up hour"
            ),
            entity=p.entity,
        )
        for i, (days, (p, row)) in enumerate(zip((30, 60, 90), ranked), 1)
    ]


def plan(portfolio: Portfolio, results: Results, milestones: list[Milestone]) -> None:
    """The milestones in date order; each is also an action for the CMO (the 30-day ones reach the
    CEO agenda)."""
    if not milestones:
        return
    ordered = sorted(milestones, key=lambda m: m.days)
    rows = []
    for m in ordered:
        due = portfolio.as_of + timedelta(days=m.days)
        rows.append({"by": due, "milestone": m.title, "why": m.why})
        results.add(
            Action(
                priority=3,
                owner="cmo",
                title=m.title,
                due=due,
                entity=m.entity,
                source="marketing milestones",
            )
        )
    results.add(
        Table(
            id="marketing.milestones",
            title="30/60/90-day milestones",
            columns=(
                Column.text("by", "By"),
                Column.text("milestone", "Milestone"),
                Column.text("why", "Why"),
            ),
            rows=tuple(rows),
            provenance=("marketing analysis",),
            note=(
                "From the gaps above: unprofitable spend, blasts worth sending, "
                "the next listing platforms, funnels below the portfolio's rate."
            ),
        )
    )


def return_status(roi: Decimal | None) -> Status | None:
    """A blast that returns more than it costs is good; one that does not, bad."""
    if roi is None:
        return None
    return "good" if roi > 0 else "bad"
