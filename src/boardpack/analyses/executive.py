"""CEO analyses, run last: asset inventory, KPIs against targets, ranked shortfalls, 30-day agenda."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from boardpack.model import SEVERITY_RANK, Action, Column, Finding, Metric, Portfolio, Results, Table

AGENDA_DAYS = 30
OWNER_BY_AREA = {"finance": "cfo", "accounting": "accounting", "marketing": "cmo", "technology": "cto",
                 "security": "cto", "engineering": "cto"}
DAYS_BY_SEVERITY = {"critical": 7, "high": 14, "medium": 30}


def analyse(portfolio: Portfolio, results: Results) -> None:
    results.add(assets(portfolio, results), kpis(portfolio, results))
    results.agenda = agenda(portfolio, results)
    results.add(Metric("executive.open_findings", "Findings of medium severity or worse",
                       sum(1 for f in results.findings if SEVERITY_RANK[f.severity] <= 2), "findings",
                       tuple(sorted({f.area for f in results.findings})),
                       note="every analysis's findings, critical to medium"))


def assets(portfolio: Portfolio, results: Results) -> Table:
    open_findings = Counter(f.entity for f in results.findings if f.severity != "info")
    rows = []
    for e in portfolio.workspace.settings.entities:
        items = [(a.kind, a.name, a.note) for a in e.assets]
        items += [("repository", r, "") for r in e.repos] + [("domain", d, "") for d in e.domains]
        for kind, name, note in items or [("—", "no assets recorded", "")]:
            rows.append({"entity": e.name, "kind": kind, "asset": name, "note": note,
                         "open_findings": open_findings[e.id]})
    return Table("executive.assets", "Assets by venture",
                 (Column("entity", "Venture"), Column("kind", "Kind"), Column("asset", "Asset"), Column("note", "Note"),
                  Column("open_findings", "Open findings (venture)", True)), tuple(rows),
                 ("boardpack.toml [[entities]]",))


def kpis(portfolio: Portfolio, results: Results) -> Table:
    """Each KPI's value comes from a metric of the same id, else from a handoff note's `kpis:`."""
    from_notes = {}
    for note in portfolio.notes:
        for key, value in note.kpis.items():
            from_notes[f"{note.entity}.{key}" if note.entity else key] = (value, note.path)
    rows = []
    for kpi in portfolio.workspace.settings.kpis:
        metric = results.metrics.get(kpi.id)
        if metric is not None and metric.value is not None:
            value, where = Decimal(metric.value), f"metric {metric.id}"
        elif kpi.id in from_notes:
            value, where = from_notes[kpi.id]
        else:
            value, where = None, ""
        status = kpi_status(value, kpi.target, kpi.direction)
        rows.append({"kpi": kpi.label, "value": value, "target": kpi.target, "unit": kpi.unit,
                     "status": status, "source": where or "no data"})
        if value is None:
            results.add(Finding("low", "operations", f"KPI '{kpi.label}' has no data",
                                f"No metric {kpi.id} and no note records it under kpis:.",
                                "Record it in the venture's handoff note front matter, or drop the target."))
        elif status == "bad":
            results.add(Finding("medium", "operations", f"KPI '{kpi.label}' is off target",
                                f"{with_unit(value, kpi.unit)} against a target of "
                                f"{kpi.direction.replace('_', ' ')} {with_unit(kpi.target, kpi.unit)}.", "Agree a recovery plan with the owner.",
                                kpi.id.split(".")[0] if "." in kpi.id else None, where))
    return Table("executive.kpis", "KPIs against targets",
                 (Column("kpi", "KPI"), Column("value", "Value", True), Column("target", "Target", True),
                  Column("unit", "Unit"), Column("status", "Status"), Column("source", "Source")), tuple(rows),
                 ("boardpack.toml [[kpis]]",))


def with_unit(value: Decimal, unit: str) -> str:
    return f"{value} {unit}".strip()


def kpi_status(value: Decimal | None, target: Decimal, direction: str) -> str:
    if value is None:
        return "no data"
    met = value >= target if direction == "at_least" else value <= target
    if met:
        return "good"
    near = value >= target * Decimal("0.9") if direction == "at_least" else value <= target * Decimal("1.1")
    return "warn" if near else "bad"


def agenda(portfolio: Portfolio, results: Results) -> list[Action]:
    """Actions due within 30 days of the as-of date (and anything overdue), most urgent first.

    Findings of medium severity or worse become actions too, owned by their area's role and due
    sooner the more serious they are.
    """
    start = portfolio.as_of
    horizon = start + timedelta(days=AGENDA_DAYS)
    derived = [
        Action(SEVERITY_RANK[f.severity] + 1, OWNER_BY_AREA.get(f.area, "ceo"), f.action,
               start + timedelta(days=DAYS_BY_SEVERITY[f.severity]), f.entity, f.source or f.title)
        for f in results.findings if f.severity in DAYS_BY_SEVERITY
    ]
    chosen = [replace(a, due=a.due or horizon) for a in results.actions + derived if a.due is None or a.due <= horizon]
    chosen.sort(key=lambda a: (a.due >= start, a.priority, a.due, a.title))  # overdue first
    return chosen
