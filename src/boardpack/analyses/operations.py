"""What the handoff notes say: risks become findings, open `- [ ]` items become actions."""

from __future__ import annotations

from boardpack.config import ROLE_IDS
from boardpack.model import Action, Finding, Portfolio, Results

STATUS_SEVERITY = {"red": "high", "amber": "medium"}


def analyse(portfolio: Portfolio, results: Results) -> None:
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
