"""Cross-source reconciliation: what a venture's operations data says it earned in the period (job
sheets, timesheets, the rent roll) beside the money the ledger shows coming in from the same
customers, one line a customer, with the difference.

A customer is matched by name, ignoring case, punctuation and a trailing company suffix ("Acme
Builders" is "ACME BUILDERS INC"), or by the one name that is part of the other ("Tenant: L.
Moreno"). "Earned, not collected" is work done in the period not yet paid
for in it (an invoice outstanding, or paid late). Money in beyond the period's work first pays for
the customer's unpaid work of the year before (oldest first, as the aging table has it): "paid for
earlier work"; only what is left over is "collected, not explained" (no work at all) or "collected
beyond the work".
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from boardpack.analyses.ledger_sql import INCOME, ZERO, ledger_files, money
from boardpack.config import Entity
from boardpack.model import Column, Finding, MetricsFrom, Portfolio, Results, Table

WORDS = re.compile(r"[^0-9a-z]+")
SUFFIXES = ("inc", "llc", "ltd", "co", "corp", "bv", "gmbh", "sl", "sa")


def customer_key(name: str) -> str:
    """A name as compared: lower case, letters and digits only, a company suffix dropped."""
    words = WORDS.sub(" ", name.casefold()).split()
    while len(words) > 1 and words[-1] in SUFFIXES:
        words.pop()
    return "".join(words)


def same_customer(key: str, work: dict) -> str:
    """The customer in `work` a ledger counterparty names: the same key, or the one key that is
    part of it ("Tenant: L. Moreno" is "L. Moreno"); else the counterparty's own."""
    if key in work:
        return key
    within = [k for k in work if len(k) >= 4 and (k in key or key in k)]
    return within[0] if len(within) == 1 else key


def rent_due(
    portfolio: Portfolio, entity: Entity, start: date, end: date
) -> dict[str, tuple[str, Decimal]]:
    """Each tenant's rent due between start and end: the monthly rent for each first of a month."""
    firsts = [
        date(year, month, 1)
        for year in range(start.year, end.year + 1)
        for month in range(1, 13)
        if start <= date(year, month, 1) <= end
    ]
    due: dict[str, tuple[str, Decimal]] = {}
    for unit in portfolio.units:
        if unit.entity != entity.id or not unit.tenant:
            continue
        amount = sum((unit.monthly_rent for day in firsts if unit.occupied_on(day)), ZERO)
        if amount:
            name, before = due.get(customer_key(unit.tenant), (unit.tenant, ZERO))
            due[customer_key(unit.tenant)] = (name, before + amount)
    return due


def earned(
    portfolio: Portfolio, entity: Entity, start: date | None = None, end: date | None = None
) -> tuple[str, str, dict[str, tuple[str, Decimal]]]:
    """What the operations data says the venture earned between start and end (by default, the
    period), by customer: the data's name, its file, and the amounts ("" and "" when the venture
    has no operations data)."""
    start, end = start or portfolio.period.start, end or portfolio.period.end
    found: dict[str, tuple[str, Decimal]] = {}

    def add(name: str, amount: Decimal) -> None:
        shown, before = found.get(customer_key(name), (name, ZERO))
        found[customer_key(name)] = (shown, before + amount)

    if entity.fleet is not None:
        for job in portfolio.jobs:
            if job.entity == entity.id and start <= job.date <= end:
                add(job.customer, job.revenue)
        return "the job sheets", entity.fleet.jobs, found
    if entity.practice is not None:
        for entry in portfolio.timesheets:
            if entry.entity == entity.id and start <= entry.date <= end:
                add(entry.client, entry.value)
        return "the timesheets", entity.practice.timesheets, found
    if entity.property is not None:
        return "the rent roll", entity.property.units, rent_due(portfolio, entity, start, end)
    return "", "", found


def analyse(portfolio: Portfolio, results: Results) -> None:
    if not portfolio.fresh("ledger"):
        return
    period, currency = portfolio.period, portfolio.currency
    for entity in portfolio.workspace.settings.entities:
        what, path, work = earned(portfolio, entity)
        if not what:
            continue
        received = paid_in(portfolio, entity, work, period.start, period.end)
        owed = unpaid_before(portfolio, entity, work)
        rows = []
        for key in sorted(set(work) | set(received), key=lambda k: (work.get(k) or received[k])[0]):
            name = (work.get(key) or received[key])[0] or "(no counterparty)"
            done = work.get(key, ("", ZERO))[1]
            paid = received.get(key, ("", ZERO))[1]
            earlier = min(max(paid - done, ZERO), owed.get(key, ZERO))
            state = match_state(done, paid - earlier)
            if earlier and not done and state == "matched":  # all of it for earlier work
                state = "paid for earlier work"
            rows.append(
                {
                    "customer": name,
                    "earned": money(done),
                    "received": money(paid),
                    "for_earlier": money(earlier),
                    "difference": money(done - paid + earlier),
                    "state": state,
                }
            )
        total_done = sum((r["earned"] for r in rows), ZERO)
        # what paid for earlier periods' work is not this period's to reconcile
        total_paid = sum((r["received"] - r["for_earlier"] for r in rows), ZERO)
        provenance = (path, *ledger_files(portfolio))
        metric = MetricsFrom(provenance)
        results.add(
            Table(
                id=f"{entity.id}.reconciliation",
                title=f"{entity.name}: {what} against the ledger, {period.title}",
                columns=(
                    Column.text("customer", "Customer"),
                    Column.number("earned", "Earned"),
                    Column.number("received", "Received"),
                    Column.number("for_earlier", "For earlier work"),
                    Column.number("difference", "Difference"),
                    Column.text("state", "State"),
                ),
                rows=tuple(rows),
                provenance=provenance,
                note=(
                    f"Earned: {what} ({path}). Received: money in to Income accounts of"
                    f" {entity.id} in the ledger. Money in {currency}; a customer is matched by"
                    " name."
                ),
            ),
            metric(
                id=f"{entity.id}.unreconciled",
                label="Earned less received",
                value=money(total_done - total_paid),
                unit=currency,
                status="good" if total_done == total_paid else "warn",
                note=f"{what}: {money(total_done):,}; the ledger: {money(total_paid):,}",
            ),
        )
        unexplained = [r for r in rows if r["state"] == "collected, not explained"]
        if unexplained:
            left = {r["customer"]: r["received"] - r["for_earlier"] for r in unexplained}
            amount = sum(left.values(), ZERO)
            results.add(
                Finding(
                    severity="medium",
                    area="reconciliation",
                    title=f"{entity.name}: {amount:,} {currency} came in with no work in {what}",
                    evidence=", ".join(f"{name} {paid:,}" for name, paid in left.items()) + ".",
                    action=f"Add the missing work to {what}, or correct the payer.",
                    entity=entity.id,
                    source=provenance[0],
                )
            )


EARLIER_DAYS = 365  # how far back unpaid work is looked for, as the receivables aging goes


def paid_in(
    portfolio: Portfolio, entity: Entity, work: dict, start: date, end: date
) -> dict[str, tuple[str, Decimal]]:
    """Money in to the venture's income accounts between start and end, by customer as `work`
    names them."""
    received: dict[str, tuple[str, Decimal]] = {}
    for counterparty, amount in portfolio.db.execute(
        "SELECT coalesce(counterparty, ''), sum(amount) FROM ledger WHERE entity = ? AND"
        f" {INCOME} AND amount > 0 AND date BETWEEN ? AND ? GROUP BY 1",
        (entity.id, start, end),
    ).fetchall():
        key = same_customer(customer_key(counterparty), work)
        shown, before = received.get(key, (counterparty, ZERO))
        received[key] = (shown, before + amount)
    return received


def unpaid_before(portfolio: Portfolio, entity: Entity, work: dict) -> dict[str, Decimal]:
    """Each customer's work of the year before the period not paid for before it began."""
    end = portfolio.period.start - timedelta(days=1)
    start = end - timedelta(days=EARLIER_DAYS)
    _, _, done = earned(portfolio, entity, start, end)
    paid = paid_in(portfolio, entity, done | work, start, end)
    return {
        key: done[key][1] - paid.get(key, ("", ZERO))[1]
        for key in done
        if done[key][1] > paid.get(key, ("", ZERO))[1]
    }


def match_state(done: Decimal, paid: Decimal) -> str:
    """How the work a customer's records show stands against the money they paid."""
    if done == paid:
        return "matched"
    if not done:
        return "collected, not explained"
    return "earned, not collected" if done > paid else "collected beyond the work"
