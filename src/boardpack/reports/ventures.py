"""The venture reports: `entity-<id>` for each entity whose kind has its own operating model and
whose data is configured ([entities.property], [entities.fleet], [entities.practice],
[entities.bookings]). Their
sections are made per entity, with ids `<entity id>.<part>`, so a custom report can use them like
any other section."""

from __future__ import annotations

from dataclasses import dataclass, replace

from boardpack.config import Entity, Settings
from boardpack.model import Portfolio, Results
from boardpack.reports.document import ActionsBlock, Block, FindingsBlock, TableBlock, TextBlock
from boardpack.reports.sections import SectionSpec, both, metrics, tables


@dataclass(frozen=True)
class Part:
    name: str
    title: str
    needs: tuple[str, ...]
    analysis: str
    metrics: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()
    empty: str = ""
    # the pack-wide metrics about this venture it shows too ("finance.revenue.{id}")
    shared: tuple[str, ...] = ()


CUSTOMERS = Part(
    name="customers",
    title="Customers",
    needs=("ledger",),
    analysis="customers",
    metrics=("top_customer_share",),
    tables=("customers",),
)
PARTS: dict[str, tuple[Part, ...]] = {
    "real_estate": (
        Part(
            name="rent_roll",
            title="Rent roll and occupancy",
            needs=("rent_roll",),
            analysis="real_estate",
            metrics=("occupancy", "rent_roll", "deposits_held", "leases_ending"),
            tables=("rent_roll",),
        ),
        Part(
            name="income",
            title="NOI and cash flow",
            needs=("ledger",),
            analysis="real_estate",
            metrics=(
                "rental_income",
                "operating_expenses",
                "noi",
                "noi_annualized",
                "cap_rate",
                "noi_trailing_12m",
                "debt_service",
                "cash_flow",
            ),
        ),
        Part(
            name="maintenance",
            title="Maintenance backlog",
            needs=("notes",),
            analysis="real_estate",
            metrics=("maintenance_open",),
            tables=("maintenance",),
            empty="No open maintenance items in the notes.",
        ),
        Part(
            name="reconciliation",
            title="Operations against the ledger",
            needs=("rent_roll", "ledger"),
            analysis="reconciliation",
            metrics=("unreconciled",),
            tables=("reconciliation",),
            shared=("finance.revenue.{id}",),
        ),
    ),
    "logistics": (
        Part(
            name="fleet",
            title="Fleet utilization",
            needs=("jobs",),
            analysis="logistics",
            metrics=(
                "utilization",
                "jobs",
                "job_revenue",
                "job_margin",
                "margin_percent",
                "revenue_per_job",
                "margin_per_job",
            ),
            tables=("vehicles",),
        ),
        Part(
            name="jobs",
            title="Jobs and margin",
            needs=("jobs",),
            analysis="logistics",
            metrics=(),
            tables=("jobs",),
            empty="No jobs in this period.",
        ),
        Part(
            name="pipeline",
            title="Booked jobs",
            needs=("jobs",),
            analysis="logistics",
            metrics=("pipeline_jobs", "pipeline_revenue"),
            tables=("pipeline",),
            empty="No jobs are booked.",
        ),
        Part(
            name="reconciliation",
            title="Operations against the ledger",
            needs=("jobs", "ledger"),
            analysis="reconciliation",
            metrics=("unreconciled",),
            tables=("reconciliation",),
            shared=("finance.revenue.{id}",),
        ),
    ),
    "bookings": (
        Part(
            name="order_book",
            title="Order book",
            needs=("bookings",),
            analysis="bookings",
            metrics=("bookings", "booked_value"),
            tables=("order_book",),
            empty="Nothing is booked after the period.",
        ),
        Part(
            name="utilization",
            title="Utilization and revenue per booking",
            needs=("bookings",),
            analysis="bookings",
            metrics=("utilization", "revenue_per_booking", "served_value", "cancellations"),
            tables=("utilization",),
            shared=("finance.revenue.{id}",),
        ),
        Part(
            name="deposits",
            title="Deposits against the books",
            needs=("bookings", "ledger"),
            analysis="bookings",
            tables=("deposits_reconciliation",),
            empty="No deposit is held for a booking after the period.",
        ),
    ),
    "services": (
        Part(
            name="billing",
            title="Billable and invoiced",
            needs=("timesheets", "ledger"),
            analysis="client_services",
            metrics=("billable_hours", "billable", "invoiced", "unbilled"),
            tables=("billing",),
        ),
        Part(
            name="aging",
            title="Receivables aging",
            needs=("timesheets", "ledger"),
            analysis="client_services",
            metrics=(),
            tables=("aging",),
        ),
        Part(
            name="reconciliation",
            title="Operations against the ledger",
            needs=("timesheets", "ledger"),
            analysis="reconciliation",
            metrics=("unreconciled",),
            tables=("reconciliation",),
            shared=("finance.revenue.{id}",),
        ),
    ),
}


def venture_sections(settings: Settings) -> list[SectionSpec]:
    specs = []
    for e in settings.entities:
        if not e.has_report():
            continue
        for part in (*PARTS[e.kind], CUSTOMERS):
            build = both(
                metrics(
                    *(f"{e.id}.{m}" for m in part.metrics),
                    *(m.format(id=e.id) for m in part.shared),
                ),
                tables(*(f"{e.id}.{t}" for t in part.tables), empty=part.empty),
            )
            specs.append(
                SectionSpec(
                    f"{e.id}.{part.name}",
                    part.title,
                    build,
                    needs=part.needs,
                    analysis=part.analysis,
                )
            )
        specs.append(
            SectionSpec(
                f"{e.id}.plan",
                "Budget and change",
                both(own_budget(e), tables(f"finance.bridge.{e.id}")),
                needs=("ledger",),
                analysis="bridge",
            )
        )
        specs.append(SectionSpec(f"{e.id}.findings", f"Findings for {e.name}", findings_for(e)))
        specs.append(
            SectionSpec(
                f"{e.id}.decisions", "Decisions needed", decisions_for(e), analysis="executive"
            )
        )
    return specs


def decisions_for(entity: Entity):
    """The venture's own decisions needed: its notes', and its findings' that are a choice."""

    def build(results: Results, portfolio: Portfolio) -> list[Block]:
        asked = tuple(
            a for a in (*results.decisions, *results.agenda) if a.decision and a.entity == entity.id
        )
        if asked:
            return [ActionsBlock(items=asked)]
        return [TextBlock(text=f"Nothing for {entity.name} is waiting on a decision.")]

    return build


def own_budget(entity: Entity):
    """The budget lines of this venture alone (`finance.budget_vs_actual.<id>`)."""

    def build(results: Results, portfolio: Portfolio) -> list[Block]:
        table = results.tables.get("finance.budget_vs_actual")
        rows = tuple(r for r in (table.rows if table else ()) if r["entity"] == entity.id)
        if not rows:
            return []
        own = replace(
            table,
            id=f"{table.id}.{entity.id}",
            title=table.title.replace(
                "Budget against actual", f"{entity.name}: budget against actual"
            ),
            rows=rows,
        )
        return [TableBlock(table=own)]

    return build


def findings_for(entity: Entity):
    def build(results: Results, portfolio: Portfolio) -> list[Block]:
        found = tuple(f for f in results.ranked_findings() if f.entity == entity.id)
        return (
            [FindingsBlock(items=found)]
            if found
            else [TextBlock(text=f"No findings for {entity.name}.")]
        )

    return build


def venture_reports(settings: Settings) -> list[tuple[str, str, tuple[str, ...]]]:
    """(report id, title, section ids) for each venture report."""
    return [
        (
            f"entity-{e.id}",
            f"{e.name} report",
            (
                f"{e.id}.decisions",
                *(f"{e.id}.{p.name}" for p in (*PARTS[e.kind], CUSTOMERS)),
                f"{e.id}.plan",
                f"{e.id}.findings",
            ),
        )
        for e in settings.entities
        if e.has_report()
    ]
