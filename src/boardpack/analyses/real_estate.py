"""A property's own report: rent roll, occupancy, leases ending, maintenance backlog, NOI, cap rate,
cash flow.

NOI = rental income − operating expenses; debt service (mortgage principal and interest) is paid out
of NOI, not counted in it, so cash flow after debt service = NOI − debt service.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from boardpack.analyses.ledger_sql import (
    BOOKS,
    EXPENSE,
    INCOME,
    ZERO,
    ledger_files,
    money,
    percent,
    total,
)
from boardpack.config import Entity
from boardpack.model import (
    Column,
    Finding,
    Metric,
    MetricsFrom,
    Portfolio,
    Results,
    Table,
    Unit,
    graded,
)
from boardpack.period import trailing_months

LEASE_HORIZON_DAYS = 90
# the note headings whose open items are the backlog
MAINTENANCE = re.compile(r"maint|repair", re.IGNORECASE)


def analyse(portfolio: Portfolio, results: Results) -> None:
    for entity in portfolio.workspace.settings.entities:
        if entity.property is None:
            continue
        if portfolio.fresh("rent_roll"):
            rent_roll(
                portfolio, results, entity, [u for u in portfolio.units if u.entity == entity.id]
            )
        if portfolio.fresh("ledger"):
            income(portfolio, results, entity)
        if portfolio.fresh("notes"):
            maintenance(portfolio, results, entity)


def occupied_days(unit: Unit, start: date, end: date) -> int:
    if not unit.tenant:
        return 0
    first = max(start, unit.lease_start or start)
    last = min(end, unit.lease_end or end)
    return max(0, (last - first).days + 1)


def rent_roll(portfolio: Portfolio, results: Results, entity: Entity, units: list[Unit]) -> None:
    period, as_of = portfolio.period, portfolio.as_of
    currency = portfolio.currency
    provenance = (entity.property.units,)
    metric = MetricsFrom(provenance)
    days = sum(occupied_days(u, period.start, period.end) for u in units)
    possible = len(units) * period.days
    occupancy = percent(days, possible)
    current = [u for u in units if u.occupied_on(as_of)]
    horizon = as_of + timedelta(days=LEASE_HORIZON_DAYS)
    ending = sorted(
        (u for u in current if u.lease_end and u.lease_end <= horizon), key=lambda u: u.lease_end
    )
    results.add(
        metric(
            id=f"{entity.id}.occupancy",
            label="Occupancy",
            value=occupancy,
            unit="%",
            status=graded(occupancy, 100, 90),
            note=(
                f"leased unit-days ÷ unit-days in {period.title}: {days} ÷ ({len(units)} ×"
                f" {period.days})"
            ),
        ),
        metric(
            id=f"{entity.id}.rent_roll",
            label="Monthly rent under lease",
            value=money(sum((u.monthly_rent for u in current), ZERO)),
            unit=currency,
            note=f"the units leased on {as_of}",
        ),
        metric(
            id=f"{entity.id}.deposits_held",
            label="Tenant deposits held",
            value=money(sum((u.deposit for u in current), ZERO)),
            unit=currency,
            note="owed back to the tenants: not income",
        ),
        metric(
            id=f"{entity.id}.leases_ending",
            label=f"Leases ending in {LEASE_HORIZON_DAYS} days",
            value=len(ending),
            unit="leases",
            status="warn" if ending else "good",
        ),
    )
    rows = [
        {
            "unit": u.unit,
            "tenant": u.tenant or "vacant",
            "lease_start": u.lease_start,
            "lease_end": u.lease_end,
            "rent": money(u.monthly_rent),
            "deposit": money(u.deposit),
            "status": status(u, as_of),
        }
        for u in units
    ]
    results.add(
        Table(
            id=f"{entity.id}.rent_roll",
            title=f"Rent roll on {as_of}",
            columns=(
                Column.text("unit", "Unit"),
                Column.text("tenant", "Tenant"),
                Column.text("lease_start", "Lease start"),
                Column.text("lease_end", "Lease end"),
                Column.number("rent", f"Rent a month ({currency})"),
                Column.number("deposit", f"Deposit ({currency})"),
                Column.text("status", "Status"),
            ),
            rows=tuple(rows),
            provenance=provenance,
            note="A vacant unit's rent is its asking rent.",
        )
    )
    for u in ending:
        left = (u.lease_end - as_of).days
        results.add(
            Finding(
                severity="medium" if left <= 30 else "low",
                area="operations",
                title=f"{entity.name} {u.unit}: the lease ends {u.lease_end}",
                evidence=(
                    f"{u.tenant}, {money(u.monthly_rent):,} {currency} a month; {left} days left."
                ),
                action="Offer a renewal now, or list the unit so it does not sit empty.",
                entity=entity.id,
                source=u.source,
            )
        )
    for u in units:
        if not u.occupied_on(as_of):
            results.add(
                Finding(
                    severity="medium",
                    area="operations",
                    title=f"{entity.name} {u.unit} is vacant",
                    evidence=(
                        f"{money(u.monthly_rent):,} {currency} a month of asking rent is not"
                        " coming in."
                    ),
                    action="List the unit, or review the asking rent against the market.",
                    entity=entity.id,
                    source=u.source,
                )
            )


def status(unit: Unit, as_of: date) -> str:
    if not unit.tenant or (unit.lease_end and unit.lease_end < as_of):
        return "vacant"
    if unit.lease_start and unit.lease_start > as_of:
        return f"leased from {unit.lease_start}"
    if unit.lease_end is None:
        return "month to month"
    left = (unit.lease_end - as_of).days
    return f"ends in {left} days" if left <= LEASE_HORIZON_DAYS else "leased"


def income(portfolio: Portfolio, results: Results, entity: Entity) -> None:
    period = portfolio.period
    currency = portfolio.currency
    globs = entity.property.debt_service_accounts
    debt = "(" + " OR ".join(["account GLOB ?"] * len(globs)) + ")"
    mine = "entity = ?"

    def noi_parts(start: date, end: date) -> tuple[Decimal, Decimal, Decimal]:
        rent = total(portfolio, f"{mine} AND {INCOME}", start, end, (entity.id,), table=BOOKS)
        opex = -total(
            portfolio, f"{mine} AND {EXPENSE} AND NOT {debt}", start, end, (entity.id, *globs)
        )
        service = -total(portfolio, f"{mine} AND {debt}", start, end, (entity.id, *globs))
        return rent, opex, service

    rent, opex, service = noi_parts(period.start, period.end)
    noi = rent - opex
    annual = noi * period.per_year
    cap = (annual * 100 / entity.property.value).quantize(Decimal("0.01"))
    first, last = trailing_months(period.end, 12)
    rent12, opex12, _ = noi_parts(first, last)
    provenance = ledger_files(portfolio)
    metric = MetricsFrom(provenance)
    where = f"ledger rows for {entity.id}, {period.title}"
    results.add(
        metric(
            id=f"{entity.id}.rental_income",
            label="Rental income",
            value=rent,
            unit=currency,
            note=f"Income:* {where}",
        ),
        metric(
            id=f"{entity.id}.operating_expenses",
            label="Operating expenses",
            value=opex,
            unit=currency,
            note=f"Expenses:* {where}, less debt service ({', '.join(globs)})",
        ),
        metric(
            id=f"{entity.id}.noi",
            label="Net operating income (NOI)",
            value=noi,
            unit=currency,
            status="good" if noi > 0 else "bad",
            note="rental income − operating expenses",
        ),
        metric(
            id=f"{entity.id}.noi_annualized",
            label="NOI, annualized",
            value=annual,
            unit=currency,
            note=f"{period.title} NOI × {period.per_year}",
        ),
        Metric(
            id=f"{entity.id}.cap_rate",
            label="Cap rate",
            value=cap,
            unit="%",
            provenance=("boardpack.toml [entities.property] value", *provenance),
            note=f"annualized NOI ÷ property value {entity.property.value:,} {currency}",
        ),
        metric(
            id=f"{entity.id}.noi_trailing_12m",
            label="NOI, last 12 months",
            value=rent12 - opex12,
            unit=currency,
            note=(
                f"{first:%b %Y}–{last:%b %Y}: evens out yearly bills (tax, insurance) a single"
                " period may carry"
            ),
        ),
        metric(
            id=f"{entity.id}.debt_service",
            label="Debt service",
            value=service,
            unit=currency,
            note=f"rows in {', '.join(globs)}: mortgage principal and interest",
        ),
        metric(
            id=f"{entity.id}.cash_flow",
            label="Cash flow after debt service",
            value=noi - service,
            unit=currency,
            status="good" if noi - service >= 0 else "bad",
            note="NOI − debt service",
        ),
    )
    if noi - service < 0:
        results.add(
            Finding(
                severity="medium",
                area="finance",
                title=f"{entity.name} did not cover its debt service in {period.title}",
                evidence=f"NOI {noi:,} {currency} against debt service {service:,} {currency}.",
                action="Check the period's one-off bills; if it recurs, review rent or refinance.",
                entity=entity.id,
            )
        )


def maintenance(portfolio: Portfolio, results: Results, entity: Entity) -> None:
    """Open items under a maintenance or repair heading in the property's notes, and its maintenance
    risks."""
    as_of = portfolio.as_of
    rows = []
    for note in portfolio.notes:
        if note.entity != entity.id:
            continue
        for item in note.actions:
            if not item.done and MAINTENANCE.search(item.heading):
                rows.append(
                    {
                        "item": item.title,
                        "due": item.due,
                        "state": due_state(item.due, as_of),
                        "source": item.source,
                    }
                )
        for risk in note.risks:
            if risk.area == "maintenance":
                rows.append(
                    {
                        "item": f"{risk.title}: {risk.action}",
                        "due": None,
                        "state": f"risk ({risk.severity})",
                        "source": risk.source,
                    }
                )
    # none open is good, any overdue bad, open ones on time a warning
    backlog = "warn" if rows else "good"
    if any(r["state"] == "overdue" for r in rows):
        backlog = "bad"
    results.add(
        Metric(
            id=f"{entity.id}.maintenance_open",
            label="Open maintenance items",
            value=len(rows),
            unit="items",
            provenance=tuple(sorted({r["source"].rsplit(":", 1)[0] for r in rows})),
            status=backlog,
        )
    )
    results.add(
        Table(
            id=f"{entity.id}.maintenance",
            title="Maintenance backlog",
            columns=(
                Column.text("item", "Item"),
                Column.text("due", "Due"),
                Column.text("state", "State"),
                Column.text("source", "Where"),
            ),
            rows=tuple(sorted(rows, key=lambda r: (r["due"] or date.max, r["item"]))),
            provenance=("notes",),
            note=(
                "Open items under a Maintenance or Repairs heading in the property's notes, "
                "and risks of area maintenance."
            ),
        )
    )


def due_state(due: date | None, as_of: date) -> str:
    if due is None:
        return "no date"
    return "overdue" if due < as_of else f"due in {(due - as_of).days} days"
