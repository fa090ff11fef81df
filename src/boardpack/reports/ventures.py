"""The venture reports: `entity-<id>` for each entity whose kind has its own operating model and whose data is
configured ([entities.property], [entities.fleet], [entities.practice]). Their sections are made per entity,
with ids `<entity id>.<part>`, so a custom report can use them like any other section."""

from __future__ import annotations

from dataclasses import dataclass

from boardpack.config import Entity, Settings
from boardpack.model import Portfolio, Results
from boardpack.reports.document import Block, FindingsBlock, TextBlock
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


PARTS: dict[str, tuple[Part, ...]] = {
    "real_estate": (
        Part("rent_roll", "Rent roll and occupancy", ("rent_roll",), "real_estate",
             ("occupancy", "rent_roll", "deposits_held", "leases_ending"), ("rent_roll",)),
        Part("income", "NOI and cash flow", ("ledger",), "real_estate",
             ("rental_income", "operating_expenses", "noi", "noi_annualized", "cap_rate", "noi_trailing_12m",
              "debt_service", "cash_flow")),
        Part("maintenance", "Maintenance backlog", ("notes",), "real_estate", ("maintenance_open",), ("maintenance",),
             "No open maintenance items in the notes."),
    ),
    "logistics": (
        Part("fleet", "Fleet utilization", ("jobs",), "logistics",
             ("utilization", "jobs", "job_revenue", "job_margin", "margin_percent", "revenue_per_job",
              "margin_per_job"), ("vehicles",)),
        Part("jobs", "Jobs and margin", ("jobs",), "logistics", (), ("jobs",), "No jobs in this period."),
        Part("pipeline", "Booked jobs", ("jobs",), "logistics", ("pipeline_jobs", "pipeline_revenue"), ("pipeline",),
             "No jobs are booked."),
    ),
    "services": (
        Part("billing", "Billable and invoiced", ("timesheets", "ledger"), "client_services",
             ("billable_hours", "billable", "invoiced", "unbilled"), ("billing",)),
        Part("aging", "Receivables aging", ("timesheets", "ledger"), "client_services", (), ("aging",)),
    ),
}


def has_report(entity: Entity) -> bool:
    return any(getattr(entity, table) is not None for table in ("property", "fleet", "practice"))


def venture_sections(settings: Settings) -> list[SectionSpec]:
    specs = []
    for e in settings.entities:
        if not has_report(e):
            continue
        for part in PARTS[e.kind]:
            build = both(metrics(*(f"{e.id}.{m}" for m in part.metrics)),
                         tables(*(f"{e.id}.{t}" for t in part.tables), empty=part.empty))
            specs.append(SectionSpec(f"{e.id}.{part.name}", part.title, build, needs=part.needs, analysis=part.analysis))
        specs.append(SectionSpec(f"{e.id}.findings", f"Findings for {e.name}", findings_for(e)))
    return specs


def findings_for(entity: Entity):
    def build(results: Results, portfolio: Portfolio) -> list[Block]:
        found = tuple(f for f in results.ranked_findings() if f.entity == entity.id)
        return [FindingsBlock(found)] if found else [TextBlock(f"No findings for {entity.name}.")]
    return build


def venture_reports(settings: Settings) -> list[tuple[str, str, tuple[str, ...]]]:
    """(report id, title, section ids) for each venture report."""
    return [(f"entity-{e.id}", f"{e.name} report",
             (*(f"{e.id}.{p.name}" for p in PARTS[e.kind]), f"{e.id}.findings"))
            for e in settings.entities if has_report(e)]
