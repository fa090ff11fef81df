"""A fleet's own report: utilization per vehicle, revenue and margin per job and per vehicle, booked jobs.

Utilization = working days on which the vehicle had a job ÷ working days in the period (a weekend job, when
weekends are not working days, earns its revenue but is not counted as a day of utilization).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from boardpack.analyses.ledger_sql import ZERO, money, percent
from boardpack.config import Entity
from boardpack.model import Column, Finding, Job, Metric, Portfolio, Results, Table

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PIPELINE_DAYS = 90


def analyse(portfolio: Portfolio, results: Results) -> None:
    if not portfolio.fresh("jobs"):
        return
    for entity in portfolio.workspace.settings.entities:
        if entity.fleet is not None:
            fleet(portfolio, results, entity, [j for j in portfolio.jobs if j.entity == entity.id])


def fleet(portfolio: Portfolio, results: Results, entity: Entity, jobs: list[Job]) -> None:
    period, as_of = portfolio.period, portfolio.as_of
    currency = portfolio.currency
    src = (entity.fleet.jobs,)
    working = {i for i, d in enumerate(WEEKDAYS) if d in entity.fleet.working_days}
    days = [period.start + timedelta(n) for n in range(period.days)]
    working_days = sum(d.weekday() in working for d in days)
    done = sorted((j for j in jobs if period.start <= j.date <= period.end), key=lambda j: (j.date, j.vehicle))
    by_vehicle: dict[str, list[Job]] = defaultdict(list)
    for j in done:
        by_vehicle[j.vehicle].append(j)
    rows, busy_total = [], 0
    for vehicle in entity.vehicles():
        mine = by_vehicle[vehicle]
        busy = len({j.date for j in mine if j.date.weekday() in working})
        busy_total += busy
        revenue = sum((j.revenue for j in mine), ZERO)
        margin = revenue - sum((j.direct_cost for j in mine), ZERO)
        hours = sum((j.hours for j in mine), Decimal(0))
        rows.append({"vehicle": vehicle, "jobs": len(mine), "days": busy,
                     "utilization": percent(busy, working_days),
                     "revenue": money(revenue), "margin": money(margin), "margin_pct": percent(margin, revenue),
                     "per_hour": money(revenue / hours) if hours else None})
        if not mine:
            results.add(Finding("medium", "operations", f"{entity.name}: {vehicle} had no jobs in {period.title}",
                                f"0 of {working_days} working days; its loan, insurance and parking still cost money.",
                                "Put it on the next jobs, rent it out, or sell it.", entity=entity.id, source=src[0]))
    capacity = len(entity.vehicles()) * working_days
    utilization = percent(busy_total, capacity)
    revenue = sum((j.revenue for j in done), ZERO)
    margin = revenue - sum((j.direct_cost for j in done), ZERO)
    booked = sorted((j for j in jobs if as_of <= j.date <= as_of + timedelta(days=PIPELINE_DAYS)),
                    key=lambda j: (j.date, j.vehicle))
    results.add(
        Metric(f"{entity.id}.utilization", "Fleet utilization", utilization, "%", src,
               note=f"vehicle working days with a job ÷ ({len(entity.vehicles())} vehicles × {working_days} working "
                    f"days): {busy_total} ÷ {capacity}"),
        Metric(f"{entity.id}.jobs", "Jobs done", len(done), "jobs", src),
        Metric(f"{entity.id}.job_revenue", "Job revenue", money(revenue), currency, src),
        Metric(f"{entity.id}.job_margin", "Job margin", money(margin), currency, src,
               note="revenue − direct cost (fuel, driver, tipping fees), before overheads"),
        Metric(f"{entity.id}.margin_percent", "Margin", percent(margin, revenue), "%", src,
               note="job margin ÷ job revenue"),
        Metric(f"{entity.id}.revenue_per_job", "Revenue per job", money(revenue / len(done)) if done else None,
               currency, src),
        Metric(f"{entity.id}.margin_per_job", "Margin per job", money(margin / len(done)) if done else None,
               currency, src),
        Metric(f"{entity.id}.pipeline_jobs", f"Jobs booked, next {PIPELINE_DAYS} days", len(booked), "jobs", src,
               note=f"dated {as_of} to {as_of + timedelta(days=PIPELINE_DAYS)}"),
        Metric(f"{entity.id}.pipeline_revenue", "Booked revenue", money(sum((j.revenue for j in booked), ZERO)),
               currency, src),
    )
    results.add(Table(f"{entity.id}.vehicles", f"Vehicles, {period.title}",
                      (Column("vehicle", "Vehicle"), Column("jobs", "Jobs", True), Column("days", "Days", True),
                       Column("utilization", "Used %", True), Column("revenue", "Revenue", True),
                       Column("margin", "Margin", True), Column("margin_pct", "Margin %", True),
                       Column("per_hour", "Per hour", True)), tuple(rows), src,
                      note=f"Money in {currency}. Days: working days with a job, of {working_days} "
                           f"({', '.join(entity.fleet.working_days)}). Per hour: revenue per hour on jobs."))
    money_note = f"Money in {currency}; margin = revenue − direct cost."
    results.add(Table(f"{entity.id}.jobs", f"Jobs, {period.title}", JOB_COLUMNS, tuple(job_row(j) for j in done), src,
                      note=money_note))
    results.add(Table(f"{entity.id}.pipeline", f"Booked jobs, next {PIPELINE_DAYS} days", JOB_COLUMNS,
                      tuple(job_row(j) for j in booked), src, note=money_note))
    for j in done:
        if j.revenue < j.direct_cost:
            results.add(Finding("low", "finance", f"{entity.name}: a job for {j.customer} on {j.date} lost money",
                                f"revenue {money(j.revenue):,} {currency}, direct cost {money(j.direct_cost):,} "
                                f"{currency}.",
                                "Re-price this kind of job or its customer.", entity=entity.id, source=j.source))


JOB_COLUMNS = (Column("date", "Date"), Column("vehicle", "Vehicle"), Column("customer", "Customer"),
               Column("revenue", "Revenue", True), Column("margin", "Margin", True), Column("margin_pct", "Margin %", True))


def job_row(j: Job) -> dict:
    margin = j.revenue - j.direct_cost
    return {"date": j.date, "vehicle": j.vehicle, "customer": j.customer, "revenue": money(j.revenue),
            "margin": money(margin), "margin_pct": percent(margin, j.revenue)}
