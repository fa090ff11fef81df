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
            results.add(Finding(risk.severity, risk.area, risk.title, f"Recorded in {risk.source}.",
                                risk.action or "Decide an owner and a next step.", risk.entity, risk.source))
        if note.status in STATUS_SEVERITY:
            results.add(Finding(STATUS_SEVERITY[note.status], "operations", f"{note.title}: status {note.status}",
                                f"{note.path} was last updated {note.updated}.",
                                "Review the note's risks and open items with its owner.", note.entity, note.path))
        for item in note.actions:
            if item.done:
                continue
            owner = item.owner if item.owner in ROLE_IDS else "ceo"
            title = item.title if item.owner in ROLE_IDS or not item.owner else f"{item.title} (@{item.owner})"
            results.add(Action(3, owner, title, item.due, item.entity, item.source))
