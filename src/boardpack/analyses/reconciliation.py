"""Cross-source reconciliation: what a venture's operations data says it earned in the period (job
sheets, timesheets, the rent roll) beside the money the ledger shows coming in from the same
customers, one line a customer, with the difference.

A customer is matched by name, ignoring case, punctuation and a trailing company suffix ("Acme
Builders" is "ACME BUILDERS INC"), or by the one name that is part of the other ("Tenant: L.
Moreno"). "Earned, not collected" is work done in the period not yet paid
for in it (an invoice outstanding, or paid late); "collected, not explained" is money in from a
customer the operations data has no work for.
"""

from __future__ import annotations

import re
from datetime import date
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


def rent_due(portfolio: Portfolio, entity: Entity) -> dict[str, tuple[str, Decimal]]:
    """Each tenant's rent due in the period: the monthly rent for each first of a month in it."""
    period = portfolio.period
    firsts = [
        date(year, month, 1)
        for year in range(period.start.year, period.end.year + 1)
        for month in range(1, 13)
        if period.start <= date(year, month, 1) <= period.end
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


def earned(portfolio: Portfolio, entity: Entity) -> tuple[str, str, dict[str, tuple[str, Decimal]]]:
    """What the operations data says the venture earned in the period, by customer: the data's
    name, its file, and the amounts ("" and "" when the venture has no operations data)."""
    period = portfolio.period
    found: dict[str, tuple[str, Decimal]] = {}

    def add(name: str, amount: Decimal) -> None:
        shown, before = found.get(customer_key(name), (name, ZERO))
        found[customer_key(name)] = (shown, before + amount)

    if entity.fleet is not None:
        for job in portfolio.jobs:
            if job.entity == entity.id and period.start <= job.date <= period.end:
                add(job.customer, job.revenue)
        return "the job sheets", entity.fleet.jobs, found
    if entity.practice is not None:
        for entry in portfolio.timesheets:
            if entry.entity == entity.id and period.start <= entry.date <= period.end:
                add(entry.client, entry.value)
        return "the timesheets", entity.practice.timesheets, found
    if entity.property is not None:
        return "the rent roll", entity.property.units, rent_due(portfolio, entity)
    return "", "", found


def analyse(portfolio: Portfolio, results: Results) -> None:
    if not portfolio.fresh("ledger"):
        return
    period, currency = portfolio.period, portfolio.currency
    for entity in portfolio.workspace.settings.entities:
        what, path, work = earned(portfolio, entity)
        if not what:
            continue
        received: dict[str, tuple[str, Decimal]] = {}
        for counterparty, amount in portfolio.db.execute(
            "SELECT coalesce(counterparty, ''), sum(amount) FROM ledger WHERE entity = ? AND"
            f" {INCOME} AND amount > 0 AND date BETWEEN ? AND ? GROUP BY 1",
            (entity.id, period.start, period.end),
        ).fetchall():
            key = same_customer(customer_key(counterparty), work)
            shown, before = received.get(key, (counterparty, ZERO))
            received[key] = (shown, before + amount)
        rows = []
        for key in sorted(set(work) | set(received), key=lambda k: (work.get(k) or received[k])[0]):
            name = (work.get(key) or received[key])[0] or "(no counterparty)"
            done = work.get(key, ("", ZERO))[1]
            paid = received.get(key, ("", ZERO))[1]
            state = match_state(done, paid)
            rows.append(
                {
                    "customer": name,
                    "earned": money(done),
                    "received": money(paid),
                    "difference": money(done - paid),
                    "state": state,
                }
            )
        total_done = sum((r["earned"] for r in rows), ZERO)
        total_paid = sum((r["received"] for r in rows), ZERO)
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
            amount = sum((r["received"] for r in unexplained), ZERO)
            results.add(
                Finding(
                    severity="medium",
                    area="reconciliation",
                    title=f"{entity.name}: {amount:,} {currency} came in with no work in {what}",
                    evidence=", ".join(f"{r['customer']} {r['received']:,}" for r in unexplained)
                    + ".",
                    action=f"Add the missing work to {what}, or correct the payer.",
                    entity=entity.id,
                    source=provenance[0],
                )
            )


def match_state(done: Decimal, paid: Decimal) -> str:
    """How the work a customer's records show stands against the money they paid."""
    if done == paid:
        return "matched"
    if not done:
        return "collected, not explained"
    return "earned, not collected" if done > paid else "collected beyond the work"
