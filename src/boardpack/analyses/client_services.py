"""A practice's own report: hours worked (timesheets) against money the ledger shows each client
paid.

A bank ledger sees an invoice when it is paid, so "invoiced" is what the ledger shows received from
the client (its counterparty). What was worked and not yet received is the practice's uninvoiced
work and receivables; it is aged by the day the work was done, paying off the oldest work first.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from boardpack.analyses.ledger_sql import ZERO, ledger_files, money
from boardpack.config import Entity
from boardpack.model import (
    Column,
    Finding,
    Metric,
    MetricsFrom,
    Portfolio,
    Results,
    Table,
    TimeEntry,
)

HOURS = Decimal("0.00")  # hours show to the quarter hour: 36.00, 18.75
BILLING = ("client", "hours", "billable", "invoiced", "unbilled", "ahead")
BUCKETS = (
    ("d0_30", "0–30", 30),
    ("d31_60", "31–60", 60),
    ("d61_90", "61–90", 90),
    ("d90", "90+", None),
)


def analyse(portfolio: Portfolio, results: Results) -> None:
    if not (portfolio.fresh("timesheets") and portfolio.fresh("ledger")):
        return
    for entity in portfolio.workspace.settings.entities:
        if entity.practice is not None:
            practice(portfolio, results, entity)


def received(portfolio: Portfolio, entity: Entity, client: str, start, end) -> list[tuple]:
    """(date, amount) of money in from the client between start and end."""
    return portfolio.db.execute(
        "SELECT date, amount FROM ledger WHERE entity = ? AND amount > 0 AND"
        " lower(trim(counterparty)) = ? AND date BETWEEN ? AND ? ORDER BY date",
        (entity.id, client.casefold(), start, end),
    ).fetchall()


def aged(entries: list[TimeEntry], paid: Decimal, end) -> dict[str, Decimal]:
    """What is still owed for the work, by age at `end`: payments settle the oldest work first."""
    buckets = {key: ZERO for key, _, _ in BUCKETS}
    for entry in sorted(entries, key=lambda e: e.date):
        settled = min(paid, entry.value)
        paid -= settled
        owed = entry.value - settled
        if owed:
            age = (end - entry.date).days
            key = next(k for k, _, limit in BUCKETS if limit is None or age <= limit)
            buckets[key] += owed
    return {k: money(v) for k, v in buckets.items()}


def practice(portfolio: Portfolio, results: Results, entity: Entity) -> None:
    period = portfolio.period
    currency = portfolio.currency
    entries: dict[str, list[TimeEntry]] = defaultdict(list)
    for t in portfolio.timesheets:
        if t.entity == entity.id and t.date <= period.end:
            entries[t.client].append(t)
    rows = []
    totals = defaultdict(lambda: ZERO)
    for client in entity.practice.clients:
        worked = entries[client]
        in_period = [t for t in worked if t.date >= period.start]
        # Money from before the first logged hour paid for work the timesheets do not hold.
        since = min((t.date for t in worked), default=period.start)
        paid = received(portfolio, entity, client, since, period.end)
        billable_all = money(sum((t.value for t in worked), ZERO))
        paid_all = money(sum((a for _, a in paid), ZERO))
        row = {
            "client": client,
            "hours": sum((t.hours for t in in_period), HOURS),
            "billable": money(sum((t.value for t in in_period), ZERO)),
            "invoiced": money(sum((a for d, a in paid if d >= period.start), ZERO)),
            "unbilled": max(billable_all - paid_all, ZERO),
            "ahead": max(paid_all - billable_all, ZERO),
            **aged(worked, paid_all, period.end),
        }
        rows.append(row)
        for key in (
            "hours",
            "billable",
            "invoiced",
            "unbilled",
            "ahead",
            *(k for k, _, _ in BUCKETS),
        ):
            totals[key] += row[key]
        if worked and not paid:
            results.add(
                Finding(
                    severity="medium",
                    area="finance",
                    title=f"{entity.name}: {client} has never paid an invoice",
                    evidence=(
                        f"{billable_all:,} {currency} of work since {since}, and no money in from"
                        f" {client} in the ledger."
                    ),
                    action=f"Invoice {client} and agree payment terms.",
                    entity=entity.id,
                    source=worked[0].source,
                )
            )
        elif row["d61_90"] + row["d90"] > 0:
            results.add(
                Finding(
                    severity="medium",
                    area="finance",
                    title=f"{entity.name}: {client} owes for work over 60 days old",
                    evidence=(
                        f"{money(row['d61_90'] + row['d90']):,} {currency} of work done more than"
                        f" 60 days before {period.end} is not yet paid."
                    ),
                    action=f"Chase {client}, or invoice the work if it never was.",
                    entity=entity.id,
                    source=worked[0].source,
                )
            )
    provenance = (entity.practice.timesheets, *ledger_files(portfolio))
    metric = MetricsFrom(provenance)
    results.add(
        Metric(
            id=f"{entity.id}.billable_hours",
            label="Billable hours",
            value=totals["hours"],
            unit="hours",
            provenance=(entity.practice.timesheets,),
        ),
        Metric(
            id=f"{entity.id}.billable",
            label="Billable work",
            value=money(totals["billable"]),
            unit=currency,
            provenance=(entity.practice.timesheets,),
            note=f"hours × rate, {period.title}",
        ),
        metric(
            id=f"{entity.id}.invoiced",
            label="Invoiced (received)",
            value=money(totals["invoiced"]),
            unit=currency,
            note=f"money in from the practice's clients in the ledger, {period.title}",
        ),
        metric(
            id=f"{entity.id}.unbilled",
            label="Work not yet paid for",
            value=money(totals["unbilled"]),
            unit=currency,
            status="good" if totals["unbilled"] <= totals["billable"] else "warn",
            note=(
                f"all hours logged to {period.end} × rate − money received since each client's"
                " first logged hour"
            ),
        ),
    )
    total_row = {"client": "Total", **totals}
    results.add(
        Table(
            id=f"{entity.id}.billing",
            title=f"Billable and invoiced, {period.title}",
            columns=(
                Column.text("client", "Client"),
                Column.number("hours", "Hours"),
                Column.number("billable", f"Billable ({currency})"),
                Column.number("invoiced", f"Invoiced ({currency})"),
                Column.number("unbilled", f"Not yet paid, to date ({currency})"),
                Column.number("ahead", f"Paid ahead ({currency})"),
            ),
            rows=tuple({k: r[k] for k in BILLING} for r in rows + [total_row]),
            provenance=provenance,
        )
    )
    results.add(
        Table(
            id=f"{entity.id}.aging",
            title=f"Receivables aging on {period.end}",
            columns=(
                Column.text("client", "Client"),
                *(Column.number(key, f"{label} days") for key, label, _ in BUCKETS),
            ),
            rows=tuple(
                {k: r[k] for k in ("client", *(key for key, _, _ in BUCKETS))}
                for r in rows + [total_row]
            ),
            provenance=provenance,
            note=(
                "Work not yet paid for, by days since it was done; the oldest work is settled"
                " first."
            ),
        )
    )
