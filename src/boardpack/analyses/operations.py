"""What the handoff notes say: risks become findings, open `- [ ]` items become actions."""

from __future__ import annotations

from dataclasses import replace

from boardpack.config import ROLE_IDS
from boardpack.model import Action, Column, Finding, Portfolio, Results, Table, stable_id

STATUS_SEVERITY = {"red": "high", "amber": "medium"}


def analyse(portfolio: Portfolio, results: Results) -> None:
    notes(portfolio, results)
    tasks(portfolio, results)


def tasks(portfolio: Portfolio, results: Results) -> None:
    """Open board items become actions beside the notes' to-dos; an item a note already lists is
    the note's action, with the board named among its sources. Overdue and blocked work, by
    venture, is a table for the CEO and the CTO."""
    if not portfolio.fresh("tasks"):
        return
    names = {e.id: e.name for e in portfolio.workspace.settings.entities}
    by_id = {a.id: i for i, a in enumerate(results.actions) if a.id}
    noted = {i.id for n in portfolio.notes for i in n.actions}  # done or not: tracked there
    rows = []
    for t in portfolio.tasks:
        if t.status == "done":
            continue
        tid = stable_id("to-do", t.entity, t.title)
        late = t.due is not None and t.due < portfolio.as_of
        if late or t.status == "blocked":
            rows.append(
                {
                    "venture": names.get(t.entity, "—") if t.entity else "—",
                    "item": t.title,
                    "owner": t.owner,
                    "due": t.due,
                    "state": "blocked" if t.status == "blocked" else "overdue",
                    "source": t.source,
                }
            )
        if tid in by_id:
            i = by_id[tid]
            results.actions[i] = replace(
                results.actions[i], source=f"{results.actions[i].source}; {t.source}"
            )
            continue
        if tid in noted:
            continue  # ticked in its note: done there
        owner = t.owner if t.owner in ROLE_IDS else "ceo"
        title = t.title if t.owner in ROLE_IDS or not t.owner else f"{t.title} (@{t.owner})"
        results.add(
            Action(
                priority=2 if t.status == "blocked" else 3,
                owner=owner,
                title=title,
                due=t.due,
                entity=t.entity,
                source=t.source,
                id=tid,
                url=t.url,
            )
        )
    results.add(
        Table(
            id="executive.tasks",
            title="Overdue and blocked work on the task boards",
            columns=(
                Column.text("venture", "Venture"),
                Column.text("item", "Item"),
                Column.text("owner", "Owner"),
                Column.text("due", "Due"),
                Column.text("state", "State"),
                Column.text("source", "Where"),
            ),
            rows=tuple(sorted(rows, key=lambda r: (r["venture"], str(r["due"] or "")))),
            provenance=tuple(portfolio.sources["tasks"].paths),
        )
    )


def notes(portfolio: Portfolio, results: Results) -> None:
    if not portfolio.fresh("notes"):
        return
    for note in portfolio.notes:
        for risk in note.risks:
            results.add(
                Finding(
                    severity=risk.severity,
                    area=risk.area,
                    title=risk.title,
                    evidence=f"Recorded in {risk.source}.",
                    action=risk.action or "Decide an owner and a next step.",
                    entity=risk.entity,
                    source=risk.source,
                    url=risk.url,
                )
            )
        if note.status in STATUS_SEVERITY:
            results.add(
                Finding(
                    severity=STATUS_SEVERITY[note.status],
                    area="operations",
                    title=f"{note.title}: status {note.status}",
                    evidence=f"{note.path} was last updated {note.updated}.",
                    action="Review the note's risks and open items with its owner.",
                    entity=note.entity,
                    source=note.path,
                )
            )
        for item in note.actions:
            if item.done:
                continue
            owner = item.owner if item.owner in ROLE_IDS else "ceo"
            title = (
                item.title
                if item.owner in ROLE_IDS or not item.owner
                else f"{item.title} (@{item.owner})"
            )
            results.add(
                Action(
                    priority=3,
                    owner=owner,
                    title=title,
                    due=item.due,
                    entity=item.entity,
                    source=item.source,
                    id=item.id,
                    url=item.url,
                )
            )
