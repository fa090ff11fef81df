"""CEO analyses, run last: asset inventory, KPIs against targets, ranked shortfalls, 30-day agenda.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from boardpack.analyses.actions import action_for
from boardpack.figures import is_money, said
from boardpack.model import (
    SEVERITY_RANK,
    Action,
    Column,
    Finding,
    Metric,
    Portfolio,
    Repository,
    Results,
    Table,
    stable_id,
)

AGENDA_DAYS = 30
AGENDA_SEVERITIES = ("critical", "high", "medium")


def analyse(portfolio: Portfolio, results: Results) -> None:
    results.add(assets(portfolio, results), kpis(portfolio, results))
    # where to act on each finding: its own link, else the one [links.findings] gives its area
    by_area = portfolio.workspace.settings.links.findings
    results.findings[:] = [
        replace(f, url=f.url or by_area.get(f.area, "")) for f in results.findings
    ]
    results.agenda = agenda(portfolio, results)
    # one action, one text, owner and date in every report: the CTO's as the agenda merged them
    merged_as = {(a.title, a.entity): a for a in results.agenda}
    results.actions[:] = [merged_as.get((a.title, a.entity), a) for a in results.actions]
    results.decisions = [
        Action(
            priority=1,
            owner=d.owner or "ceo",
            title=d.title,
            due=d.due,
            entity=d.entity,
            source=d.source,
            id=stable_id("decision", d.entity, d.title),
            decision=True,
        )
        for note in portfolio.notes
        for d in note.decisions
    ]
    results.add(
        Metric(
            id="executive.open_findings",
            label="Findings of medium severity or worse",
            value=sum(1 for f in results.ranked_findings() if SEVERITY_RANK[f.severity] <= 2),
            unit="findings",
            provenance=tuple(sorted({f.area for f in results.findings})),
            note="every analysis's findings, critical to medium",
        )
    )


def concerns(finding: Finding, entity_id: str | None, asset: str) -> bool:
    """Whether a finding is about the asset: it names it as its asset, or (naming none) it is the
    same venture's and its title names the asset ("Truck 3 had no jobs in October")."""
    if finding.asset:
        return finding.asset == asset and finding.entity == entity_id
    return finding.entity == entity_id and entity_id is not None and names(finding.title, asset)


def names(text: str, word: str) -> bool:
    """Whether `text` holds `word` as a whole word or phrase ("Truck 3", not "Truck 31")."""
    start = text.find(word)
    while start != -1 and word:
        end = start + len(word)
        before, after = text[start - 1 : start], text[end : end + 1]
        if not before.isalnum() and not after.isalnum():
            return True
        start = text.find(word, start + 1)
    return False


def assets(portfolio: Portfolio, results: Results) -> Table:
    """Every asset by venture — declared, and found in the repositories and the AWS account — with
    the open findings that concern it, so the CEO sees the same findings the CTO does, attached to
    what they own.
    """
    ranked = [f for f in results.ranked_findings() if f.severity != "info"]
    repos = {(r.entity, r.path): r for r in portfolio.repositories}
    cloud = portfolio.cloud.resources if portfolio.cloud else []
    rows = []

    def add(entity_id: str | None, venture: str, kind: str, name: str, note: str) -> None:
        found = [f for f in ranked if concerns(f, entity_id, name)]
        rows.append(
            {
                "entity": venture,
                "kind": kind,
                "asset": name,
                "note": note,
                "open_findings": len(found),
                "worst": found[0].severity if found else "—",
            }
        )

    for e in portfolio.workspace.settings.entities:
        start = len(rows)
        for a in e.assets:
            add(e.id, e.name, a.kind, a.name, a.note)
        for path in e.repos:
            add(e.id, e.name, "repository", path, repository_note(repos.get((e.id, path))))
        zones = {r.name for r in cloud if r.service == "route53" and r.entity == e.id}
        for domain in sorted(set(e.domains) | zones):
            add(e.id, e.name, "domain", domain, "Route53 hosted zone" if domain in zones else "")
        for r in cloud:
            if r.entity == e.id and r.service != "route53":
                add(e.id, e.name, "cloud", r.name, f"{r.service} {r.kind}, {r.region}")
        if len(rows) == start:
            add(e.id, e.name, "—", "no assets recorded", "")
    for r in cloud:
        if r.entity is None:
            add(
                None,
                "Unassigned",
                "cloud",
                r.name,
                f"{r.service} {r.kind}, {r.region}: no entity tag",
            )
    # the assets with findings first, the most serious first; each row keeps its note for the JSON
    ordered = sorted(
        enumerate(rows),
        key=lambda r: (
            r[1]["open_findings"] == 0,
            SEVERITY_RANK.get(r[1]["worst"], 9),
            -r[1]["open_findings"],
            r[0],
        ),
    )
    return Table(
        id="executive.assets",
        title="Assets by venture, those with findings first",
        columns=(
            Column.text("entity", "Venture"),
            Column.text("asset", "Asset"),
            Column.text("kind", "Kind"),
            Column.number("open_findings", "Open findings"),
            Column.text("worst", "Most serious"),
        ),
        rows=tuple(r for _, r in ordered),
        provenance=("boardpack.toml [[entities]]",)
        + (("git",) if repos else ())
        + (("AWS account",) if cloud else ()),
    )


def kpis(portfolio: Portfolio, results: Results) -> Table:
    """Each KPI's value comes from a metric of the same id, else from a handoff note's `kpis:`; a
    note that says otherwise than the metric is named beside it, with its figure."""
    from_notes = {}
    for note in portfolio.notes:
        for key, value in note.kpis.items():
            from_notes[f"{note.entity}.{key}" if note.entity else key] = (value, note.path)
    rows = []
    for kpi in portfolio.workspace.settings.kpis:
        metric = results.metrics.get(kpi.id)
        if metric is not None and metric.value is not None:
            value, where = Decimal(metric.value), f"metric {metric.id}"
            noted, path = from_notes.get(kpi.id, (value, ""))
            if Decimal(noted) != value:
                where += f"; {path} says {noted}"
        elif kpi.id in from_notes:
            value, where = from_notes[kpi.id]
        else:
            value, where = None, ""
        status = kpi_status(value, kpi.target, kpi.direction)
        rows.append(
            {
                "kpi": kpi.label,
                "value": value,
                "target": kpi.target,
                "unit": kpi.unit,
                "status": status,
                "source": where or "no data",
            }
        )
        if value is None:
            results.add(
                Finding(
                    severity="low",
                    area="operations",
                    title=f"KPI '{kpi.label}' has no data",
                    evidence=f"No metric {kpi.id} and no note records it under kpis:.",
                    action=(
                        "Record it in the venture's handoff note front matter, or drop the target."
                    ),
                )
            )
        elif status == "bad":
            results.add(
                Finding(
                    severity="medium",
                    area="operations",
                    title=f"KPI '{kpi.label}' is off target",
                    evidence=(
                        f"{with_unit(value, kpi.unit)} against a target of "
                        f"{kpi.direction.replace('_', ' ')} {with_unit(kpi.target, kpi.unit)}."
                    ),
                    action="Agree a plan to bring it back on target.",
                    entity=kpi.id.split(".")[0] if "." in kpi.id else None,
                    source=where,
                )
            )
    return Table(
        id="executive.kpis",
        title="KPIs against targets",
        columns=(
            Column.text("kpi", "KPI"),
            Column.number("value", "Value"),
            Column.number("target", "Target"),
            Column.text("unit", "Unit"),
            Column.text("status", "Status"),
            Column.text("source", "Source"),
        ),
        rows=tuple(rows),
        provenance=("boardpack.toml [[kpis]]",),
    )


def with_unit(value: Decimal, unit: str) -> str:
    """A KPI's figure in a sentence: money to the whole unit (`1,200 USD`), the rest as given."""
    if is_money(unit):
        return said(value, unit)
    return f"{value}%" if unit == "%" else f"{value} {unit}".strip()


def repository_note(repo: Repository | None) -> str:
    """A repository's line in the asset inventory: where its HEAD is, or why it was not read."""
    if repo is None:
        return "not read"
    if not repo.head:
        return repo.problem or ""
    return f"{repo.branch or 'detached'} @ {repo.head[:7]}, last commit {repo.last_commit}"


def kpi_status(value: Decimal | None, target: Decimal, direction: str) -> str:
    if value is None:
        return "no data"
    met = value >= target if direction == "at_least" else value <= target
    if met:
        return "good"
    near = (
        value >= target * Decimal("0.9")
        if direction == "at_least"
        else value <= target * Decimal("1.1")
    )
    return "warn" if near else "bad"


def agenda(portfolio: Portfolio, results: Results) -> list[Action]:
    """Actions due within 30 days of the as-of date (and anything overdue), most serious first,
    then by due date.

    Findings of medium severity or worse become actions too, owned by their area's role and due
    sooner the more serious they are. One thing to do is one action: a note's to-do and a finding
    that say the same thing are merged (both sources kept), and findings that ask the same
    boilerplate step (a KPI's recovery plan, an amber note's review) become one line naming them.
    """
    start = portfolio.as_of
    horizon = start + timedelta(days=AGENDA_DAYS)
    # the CTO's actions are findings' too
    seen = {a.finding for a in results.actions}
    derived: list[Action] = []
    by_step: dict[str, list[tuple[Finding, Action]]] = {}
    for f in (f for f in results.findings if not f.setup):  # the workspace's settings: check's
        action = action_for(f, start)
        if f.severity in AGENDA_SEVERITIES and action.finding not in seen:
            by_step.setdefault(f.action, []).append((f, action))
    for step, found in by_step.items():
        if len(found) == 1:
            ((f, action),) = found
            # the finding says what the action is about: "Agree a recovery plan" alone could be any
            derived.append(replace(action, title=f"{f.title.rstrip('.')}: {action.title}"))
        else:  # one line for the boilerplate step, naming what it is for, at its most urgent
            first = min((a for _, a in found), key=lambda a: (a.priority, a.due))
            subjects = ", ".join(subject(f) for f, _ in found)
            derived.append(
                replace(
                    first,
                    title=f"{step.rstrip('.')}: {subjects}",
                    entity=None,
                    source="; ".join(dict.fromkeys(a.source for _, a in found)),
                    finding="",  # several findings' step
                )
            )
    chosen = [
        replace(a, due=a.due or horizon)
        for a in merged(
            results.actions,
            derived,
            {item.source for note in portfolio.notes for item in note.actions},
        )
        if a.due is None or a.due <= horizon
    ]
    chosen.sort(key=lambda a: (a.priority, a.due, a.title))
    return chosen


KPI_OFF = re.compile(r"KPI '(.+)' is off target")


def subject(finding: Finding) -> str:
    """What a boilerplate step is for, in a word or two: the KPI's label, else the finding."""
    found = KPI_OFF.fullmatch(finding.title)
    return found.group(1) if found else finding.title.rstrip(".")


WORD = re.compile(r"[a-z0-9]+")
STOP = frozenset("a an and the to of on for in with before it its is be by at or from".split())


def words(text: str) -> set[str]:
    return {w for w in WORD.findall(text.lower()) if w not in STOP}


def same_step(a: Action, b: Action) -> bool:
    """Whether two actions ask the same thing: one's words nearly all among the other's ("Enable MFA
    on the AWS root user" and "...: Enable MFA on the root user and store the recovery codes")."""
    x, y = words(a.title.rpartition(": ")[2] or a.title), words(
        b.title.rpartition(": ")[2] or b.title
    )
    shared = len(x & y)
    return shared >= 3 and shared >= 0.75 * min(len(x), len(y))


def merged(actions: list[Action], derived: list[Action], todos: set[str]) -> list[Action]:
    """The analyses' actions and the findings', each note to-do (by its source, in `todos`) that
    says what one of them says merged into it: its title and severity, the earlier due date, both
    sources. Two to-dos are never merged, nor two findings' actions: they are different things."""
    out = list(derived) + [a for a in actions if a.source not in todos]
    for todo in (a for a in actions if a.source in todos):
        twin = next((i for i, a in enumerate(out) if same_step(a, todo)), None)
        if twin is None:
            out.append(todo)
            continue
        a = out[twin]
        dues = [d for d in (a.due, todo.due) if d]
        out[twin] = replace(
            a,
            priority=min(a.priority, todo.priority),
            due=min(dues) if dues else None,
            source=f"{a.source}; {todo.source}",
        )
    return out
