"""How a finding becomes an action: owned by its area's role, due sooner the more serious it is.

Shared by the CTO's ranked engineering actions and the CEO's agenda, so both give the same owner and
date.
"""

from __future__ import annotations

from datetime import date, timedelta

from boardpack.model import SEVERITY_RANK, Action, Finding, stable_id

OWNER_BY_AREA = {
    "finance": "cfo",
    "overdraft": "cfo",
    "accounting": "accounting",
    "marketing": "cmo",
    "technology": "cto",
    "security": "cto",
    "engineering": "cto",
    "dependency": "cto",
    "accessibility": "cto",
    "local_search": "cmo",
}
DAYS_BY_SEVERITY = {"critical": 7, "high": 14, "medium": 30, "low": 60, "info": 90}


def action_for(finding: Finding, start: date) -> Action:
    return Action(
        priority=SEVERITY_RANK[finding.severity] + 1,
        owner=OWNER_BY_AREA.get(finding.area, "ceo"),
        title=finding.action,
        due=start + timedelta(days=DAYS_BY_SEVERITY[finding.severity]),
        entity=finding.entity,
        source=finding.source or finding.title,
        url=finding.url,
        finding=finding_id(finding),
        decision=finding.decision,
    )


def action_id(a: Action) -> str:
    """An action's id: who does what for which venture, not its figures or dates."""
    return a.id or stable_id("action", a.owner, a.entity, a.title)


def finding_id(f: Finding) -> str:
    """A finding's id: what it is about (its area, venture, asset and title), not its figures."""
    return f.id or stable_id("finding", f.area, f.entity, f.asset, f.title)
