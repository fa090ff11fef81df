"""A fleet's own report: utilization per vehicle, revenue and margin per job and per vehicle, booked
jobs.

Utilization = working days on which the vehicle had a job ÷ working days in the period (a weekend
job, when weekends are not working days, earns its revenue but is not counted as a day of
utilization).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from boardpack.analyses.ledger_sql import ZERO, money, percent
from boardpack.config import Entity
from boardpack.model import Column, Finding, Job, MetricsFrom, Portfolio, Results, Table

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
    provenance = (entity.fleet.jobs,)
    metric = MetricsFrom(provenance)
    working = {i for i, d in enumerate(WEEKDAYS) if d in entity.fleet.working_days}
    days = [period.start + timedelta(n) for n in range(period.days)]
    working_days = sum(d.weekday() in working for d in days)
    done = sorted(
        (j for j in jobs if period.start <= j.date <= period.end), key=lambda j: (j.date, j.vehicle)
    )
    by_vehicle: dict[str, list[Job]] = defaultdict(list)
    for j in done:
        by_vehicle[j.vehicle].append(j)
    rows = [vehicle_row(v, by_vehicle[v], working, working_days) for v in entity.vehicles()]
    busy_total = sum(row["days"] for row in rows)
    for row in rows:
        if not row["jobs"]:
            results.add(
                Finding(
                    severity="medium",
                    area="operations",
                    title=f"{entity.name}: {row['vehicle']} had no jobs in {period.title}",
                    evidence=(
                        f"0 of {working_days} working days; its loan, insurance and parking still"
                        " cost money."
                    ),
                    action="Put it on the next jobs, rent it out, or sell it.",
                    entity=entity.id,
                    source=provenance[0],
                )
            )
    capacity = len(entity.vehicles()) * working_days
    utilization = percent(busy_total, capacity)
    revenue = sum((j.revenue for j in done), ZERO)
    margin = revenue - sum((j.direct_cost for j in done), ZERO)
    booked = sorted(
        (j for j in jobs if as_of <= j.date <= as_of + timedelta(days=PIPELINE_DAYS)),
        key=lambda j: (j.date, j.vehicle),
    )
    results.add(
        metric(
            id=f"{entity.id}.utilization",
            label="Fleet utilization",
            value=utilization,
            unit="%",
            note=(
                f"vehicle working days with a job ÷ ({len(entity.vehicles())} vehicles ×"
                f" {working_days} working days): {busy_total} ÷ {capacity}"
            ),
        ),
        metric(
            id=f"{entity.id}.jobs",
            label="Jobs done",
            value=len(done),
            unit="jobs",
        ),
        metric(
            id=f"{entity.id}.job_revenue",
            label="Job revenue",
            value=money(revenue),
            unit=currency,
            note=(
                f"jobs done in {period.title}, from the job sheets; the money received is in the"
                " ledger (see Operations against the ledger)"
            ),
        ),
        metric(
            id=f"{entity.id}.job_margin",
            label="Job margin",
            value=money(margin),
            unit=currency,
            note="revenue − direct cost (fuel, driver, tipping fees), before overheads",
        ),
        metric(
            id=f"{entity.id}.margin_percent",
            label="Margin",
            value=percent(margin, revenue),
            unit="%",
            note="job margin ÷ job revenue",
        ),
        metric(
            id=f"{entity.id}.revenue_per_job",
            label="Revenue per job",
            value=money(revenue / len(done)) if done else None,
            unit=currency,
        ),
        metric(
            id=f"{entity.id}.margin_per_job",
            label="Margin per job",
            value=money(margin / len(done)) if done else None,
            unit=currency,
        ),
        metric(
            id=f"{entity.id}.pipeline_jobs",
            label=f"Jobs booked, next {PIPELINE_DAYS} days",
            value=len(booked),
            unit="jobs",
            note=f"dated {as_of} to {as_of + timedelta(days=PIPELINE_DAYS)}",
        ),
        metric(
            id=f"{entity.id}.pipeline_revenue",
            label="Booked revenue",
            value=money(sum((j.revenue for j in booked), ZERO)),
            unit=currency,
        ),
    )
    results.add(
        Table(
            id=f"{entity.id}.vehicles",
            title=f"Vehicles, {period.title}",
            columns=(
                Column.text("vehicle", "Vehicle"),
                Column.number("jobs", "Jobs"),
                Column.number("days", "Days"),
                Column.number("utilization", "Used %"),
                Column.number("revenue", "Revenue"),
                Column.number("margin", "Margin"),
                Column.number("margin_pct", "Margin %"),
                Column.number("per_hour", "Per hour"),
            ),
            rows=tuple(rows),
            provenance=provenance,
            note=(
                f"Money in {currency}. Days: working days with a job, of {working_days} "
                f"({', '.join(entity.fleet.working_days)}). Per hour: revenue per hour on jobs."
            ),
        )
    )
    money_note = f"Money in {currency}; margin = revenue − direct cost."
    results.add(
        Table(
            id=f"{entity.id}.jobs",
            title=f"Jobs, {period.title}",
            columns=JOB_COLUMNS,
            rows=tuple(job_row(j) for j in done),
            provenance=provenance,
            note=money_note,
        )
    )
    results.add(
        Table(
            id=f"{entity.id}.pipeline",
            title=f"Booked jobs, next {PIPELINE_DAYS} days",
            columns=JOB_COLUMNS,
            rows=tuple(job_row(j) for j in booked),
            provenance=provenance,
            note=money_note,
        )
    )
    results.add(*(losing_job(entity, j, currency) for j in done if j.revenue < j.direct_cost))


def vehicle_row(vehicle: str, jobs: list[Job], working: set[int], working_days: int) -> dict:
    """One vehicle's period: its jobs, its working days with a job, what they earned."""
    busy = len({j.date for j in jobs if j.date.weekday() in working})
    revenue = sum((j.revenue for j in jobs), ZERO)
    margin = revenue - sum((j.direct_cost for j in jobs), ZERO)
    hours = sum((j.hours for j in jobs), Decimal(0))
    return {
        "vehicle": vehicle,
        "jobs": len(jobs),
        "days": busy,
        "utilization": percent(busy, working_days),
        "revenue": money(revenue),
        "margin": money(margin),
        "margin_pct": percent(margin, revenue),
        "per_hour": money(revenue / hours) if hours else None,
    }


def losing_job(entity: Entity, job: Job, currency: str) -> Finding:
    return Finding(
        severity="low",
        area="finance",
        title=f"{entity.name}: a job for {job.customer} on {job.date} lost money",
        evidence=(
            f"revenue {money(job.revenue):,} {currency}, direct cost"
            f" {money(job.direct_cost):,} {currency}."
        ),
        action="Re-price this kind of job or its customer.",
        entity=entity.id,
        source=job.source,
    )


JOB_COLUMNS = (
    Column.text("date", "Date"),
    Column.text("vehicle", "Vehicle"),
    Column.text("customer", "Customer"),
    Column.number("revenue", "Revenue"),
    Column.number("margin", "Margin"),
    Column.number("margin_pct", "Margin %"),
)


def job_row(j: Job) -> dict:
    margin = j.revenue - j.direct_cost
    return {
        "date": j.date,
        "vehicle": j.vehicle,
        "customer": j.customer,
        "revenue": money(j.revenue),
        "margin": money(margin),
        "margin_pct": percent(margin, j.revenue),
    }
