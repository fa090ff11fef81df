"""Clients from the books: each venture's customers by their share of its last twelve months'
revenue, their first and last engagement, who is new and who is lost — from the ledger's payees,
or for a bookings venture from its bookings (the ledger's payee there is the booking platform).

Names are compared as the reconciliation compares them (`customer_key`: "Cedar & Co." is "Cedar
&Co"), so one customer spelled two ways is one row, its other spellings listed. A handoff note
that states a customer's share ("Bluefin Logistics is 45% of revenue") more than CONTRADICTED
points from the books' is a finding.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from boardpack.analyses.ledger_sql import (
    ZERO,
    ledger_files,
    money,
    percent,
    summarized,
    ventures_by_name,
)
from boardpack.analyses.reconciliation import customer_key
from boardpack.config import Entity
from boardpack.model import Column, Finding, MetricsFrom, Portfolio, Results, Table
from boardpack.period import add_months, month_start

MONTHS = 12
LOST_MONTHS = 3  # no revenue in the last three months (and some in the twelve): lost
CONTRADICTED = Decimal(5)  # points
LEGEND = f"New: first engaged in {{period}}; lost: no revenue in the last {LOST_MONTHS} months."
SHARE = re.compile(r"([0-9]{1,3}(?:\.[0-9])?) ?%")


@dataclass
class Customer:
    names: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # spelling -> rows
    revenue: Decimal = ZERO  # in the last twelve months
    first: date | None = None
    last: date | None = None

    def add(self, name: str, rows: int, recent: Decimal, first: date, last: date) -> None:
        """One spelling's rows: how many, their revenue of the last twelve months, their first
        and last day."""
        self.names[name] += rows
        self.revenue += recent
        self.first = min(filter(None, (self.first, first)))
        self.last = max(filter(None, (self.last, last)))

    @property
    def name(self) -> str:
        """Its most used spelling."""
        return max(sorted(self.names), key=lambda n: self.names[n])


def analyse(portfolio: Portfolio, results: Results) -> None:
    if not portfolio.fresh("ledger"):
        return
    summary, with_customers = [], []
    for entity in portfolio.workspace.settings.entities:
        found = customers(portfolio, entity)
        if any(c.revenue > 0 for c in found.values()):
            summary.append(report(portfolio, results, entity, found))
            with_customers.append(entity)
    if summary:
        results.add(
            Table(
                id="finance.customer_concentration",
                title=f"Customers by venture, the last {MONTHS} months",
                columns=(
                    Column.text("venture", "Venture"),
                    Column.number("customers", "Customers"),
                    Column.text("largest", "Largest"),
                    Column.number("share", "Its share %"),
                    Column.number("top3", "Top 3 %"),
                    Column.number("new", "New"),
                    Column.number("lost", "Lost"),
                ),
                rows=tuple(summary),
                provenance=ledger_files(portfolio),
                note=(
                    "Each venture's customers in full in its own report"
                    + ("" if all(e.has_report() for e in with_customers) else ", or below")
                    + ". "
                    + LEGEND.format(period=portfolio.period.title)
                ),
            )
        )


def customers(portfolio: Portfolio, entity: Entity) -> dict[str, Customer]:
    """The venture's customers by name key, from its first revenue to the period's end."""
    end = portfolio.period.end
    since = add_months(month_start(end), -(MONTHS - 1))
    if entity.bookings is not None and portfolio.fresh("bookings"):
        rows = [
            (b.customer, 1, b.amount if b.service >= since else ZERO, b.service, b.service)
            for b in portfolio.bookings
            if b.entity == entity.id and b.status != "cancelled" and b.service <= end
        ]
    else:  # each spelling summed in DuckDB, from the revenue by month and payee (one scan)
        rows = portfolio.db.execute(
            f"""SELECT counterparty, sum(entries),
                       coalesce(sum(amount) FILTER (month >= $since), 0), min(first), max(last)
                FROM {revenue_by_payee(portfolio)}
                WHERE entity = $entity AND month <= $end GROUP BY 1""",
            {"entity": entity.id, "end": end, "since": since},
        ).fetchall()
    ventures = {customer_key(name) for name in ventures_by_name(portfolio)}
    found: dict[str, Customer] = defaultdict(Customer)
    for name, *spelt in rows:
        key = customer_key(name)
        if key and key not in ventures:  # a charge between ventures is no customer's
            found[key].add(name, *spelt)
    return found


def revenue_by_payee(portfolio: Portfolio) -> str:
    """The books' revenue by month, venture and payee, with each one's rows and first and last day:
    made on first use, read by every period's customers (the comparisons' too)."""
    return summarized(
        portfolio,
        "revenue_by_payee",
        """SELECT date_trunc('month', date)::DATE AS month, entity,
                  trim(counterparty) AS counterparty, count(*) AS entries, sum(amount) AS amount,
                  min(date) AS first, max(date) AS last
           FROM books WHERE account LIKE 'Income:%' AND amount > 0
             AND coalesce(trim(counterparty), '') <> '' GROUP BY ALL""",
    )


def report(
    portfolio: Portfolio, results: Results, entity: Entity, found: dict[str, Customer]
) -> dict:
    """The venture's customers table and its largest customer's share; its line of the pack's
    `finance.customer_concentration`."""
    period, currency = portfolio.period, portfolio.currency
    total = sum((c.revenue for c in found.values()), ZERO)
    lost_since = add_months(month_start(period.end), -(LOST_MONTHS - 1))
    ranked = sorted(found.values(), key=lambda c: (-c.revenue, c.name))
    source = (entity.bookings.origin,) if entity.bookings is not None else ledger_files(portfolio)
    rows = [
        {
            "customer": c.name,
            "revenue": money(c.revenue),
            "share": percent(c.revenue, total),
            "engaged": f"{c.first:%Y-%m} – {c.last:%Y-%m}",
            "state": (
                "new"
                if c.first >= period.start
                else "lost"
                if c.last < lost_since and c.revenue > 0
                else ""
            ),
            "also": ", ".join(n for n in sorted(c.names) if n != c.name),
        }
        for c in ranked
        if c.revenue > 0 or c.last >= lost_since
    ]
    top = rows[0]
    results.add(
        MetricsFrom(source)(
            id=f"{entity.id}.top_customer_share",
            label="Largest customer's share",
            value=top["share"],
            unit="%",
            note=f"{top['customer']}, of the last {MONTHS} months' revenue",
        ),
        Table(
            id=f"{entity.id}.customers",
            title=f"{entity.name}: customers, the last {MONTHS} months ({currency})",
            columns=(
                Column.text("customer", "Customer"),
                Column.number("revenue", "Revenue"),
                Column.number("share", "Share %"),
                Column.text("engaged", "First – last"),
                Column.text("state", "New / lost"),
                # only when a customer is written more than one way
                *((Column.text("also", "Also written"),) if any(r["also"] for r in rows) else ()),
            ),
            rows=tuple(rows),
            provenance=source,
            note=LEGEND.format(period=period.title),
        ),
    )
    contradicted(portfolio, results, entity, {customer_key(r["customer"]): r for r in rows})
    paying = [r for r in rows if r["revenue"] > 0]
    return {
        "venture": entity.name,
        "customers": len(paying),
        "largest": top["customer"],
        "share": top["share"],
        "top3": percent(sum((r["revenue"] for r in paying[:3]), ZERO), total),
        "new": sum(r["state"] == "new" for r in rows),
        "lost": sum(r["state"] == "lost" for r in rows),
    }


def contradicted(portfolio: Portfolio, results: Results, entity: Entity, rows: dict) -> None:
    """A share a handoff note states for a customer (in a risk's or an action's title) that the
    books' share differs from by more than CONTRADICTED points."""
    for note in (n for n in portfolio.notes if n.entity == entity.id):
        for said in [r.title for r in note.risks] + [a.title for a in note.actions]:
            stated = SHARE.search(said)
            named = [k for k in rows if len(k) >= 4 and k in customer_key(said)]
            if stated is None or len(named) != 1:
                continue
            row = rows[named[0]]
            if row["share"] is None or abs(Decimal(stated[1]) - row["share"]) <= CONTRADICTED:
                continue
            results.add(
                Finding(
                    severity="medium",
                    area="finance",
                    entity=entity.id,
                    title=f"{row['customer']}: {note.path} says {stated[1]}%, the books"
                    f" {row['share']}%",
                    evidence=(
                        f"{row['customer']} brought {row['revenue']:,} {portfolio.currency} of the"
                        f" last {MONTHS} months' revenue ({row['share']}%); the note says"
                        f" “{said}”."
                    ),
                    action="Correct the note, or the books if a payment is booked to another name.",
                    source=note.path,
                )
            )
