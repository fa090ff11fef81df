"""Follow-through, run last: every finding and action gets an id from what it is about (the same
from period to period), and is set against what the pack sent for the period before recorded in
the audit store — a finding is new, recurring (with its age) or resolved; each of that pack's
actions is done (with the evidence), slipped (past due and still open, with the days late) or open.

An action keeps the due date it was first given: a finding's action is given one from the day its
pack is made, so without the first one kept, every pack would move it a month on and nothing would
ever slip. The first date is the one recorded by the oldest of the unbroken run of packs that
carried the action; one asked again after a pack without it starts anew.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

from boardpack.analyses.actions import action_id, finding_id
from boardpack.model import Action, Column, Metric, PackEntry, Portfolio, Results, Table
from boardpack.period import Period

RECALLED = 12  # periods of sent packs a pack reads back: a finding's age, the forecast's error


def recalled(period: Period) -> list[Period]:
    """The periods before this one whose packs a pack reads back, newest first."""
    periods = [period.previous()]
    while len(periods) < RECALLED:
        periods.append(periods[-1].previous())
    return periods


def entries(results: Results) -> list[PackEntry]:
    """What a sent pack records of its findings and actions (the agenda's marked), for the next
    pack to follow up and to keep each action's first due date."""
    on_agenda = {a.id for a in results.agenda}
    actions = {a.id: a for a in [*results.agenda, *results.actions]}
    return [
        PackEntry("", "finding", f.id, json.dumps({"title": f.title, "severity": f.severity}))
        for f in results.findings
    ] + [
        PackEntry(
            "",
            "action",
            a.id,
            json.dumps(
                {
                    "title": a.title,
                    "owner": a.owner,
                    "due": str(a.due or ""),
                    "agenda": a.id in on_agenda,
                }
            ),
        )
        for a in actions.values()
    ]


def first_dues(recorded: dict[str, dict[str, dict]], earlier: list[Period]) -> dict[str, date]:
    """Each recorded action's first due date: the one the oldest pack of its unbroken run gave."""
    dues: dict[str, date] = {}
    carried = set(recorded.get(earlier[0].label, {}).get("action", {}))
    for p in earlier:  # newest first
        actions = recorded.get(p.label, {}).get("action", {})
        carried &= set(actions)
        for aid in carried:
            if actions[aid].get("due"):
                dues[aid] = date.fromisoformat(actions[aid]["due"])
    return dues


def days_late(due: date | None, as_of: date) -> int | None:
    """Days past due on `as_of`; None when not past due."""
    return (as_of - due).days if due is not None and due < as_of else None


def analyse(portfolio: Portfolio, results: Results) -> None:
    period = portfolio.period
    recorded: dict[str, dict[str, dict[str, dict]]] = {}
    for e in portfolio.recorded or []:
        if e.series in ("finding", "action"):
            recorded.setdefault(e.made_in, {}).setdefault(e.series, {})[e.target] = json.loads(
                e.value
            )
    earlier = recalled(period)
    before = recorded.get(earlier[0].label)

    def age(fid: str) -> int:
        n = 1
        for p in earlier:
            if fid not in recorded.get(p.label, {}).get("finding", {}):
                break
            n += 1
        return n

    findings = []
    for f in results.findings:
        fid = finding_id(f)
        if before is None:
            findings.append(replace(f, id=fid))
        else:
            n = age(fid)
            findings.append(replace(f, id=fid, status="new" if n == 1 else "recurring", age=n))
    results.findings[:] = findings

    first = first_dues(recorded, earlier)

    def followed(a: Action) -> Action:
        aid = action_id(a)
        due = first.get(aid, a.due)
        late = days_late(due, portfolio.as_of) is not None
        return replace(a, id=aid, due=due, status="slipped" if late else "open")

    results.actions[:] = [followed(a) for a in results.actions]
    # ranked as the executive analysis ranks it, on the dates kept
    agenda = [followed(a) for a in results.agenda]
    results.agenda[:] = sorted(agenda, key=lambda a: (a.priority, a.due or date.max, a.title))
    # the CTO's ranked table says each action's date as the agenda does
    kept = {a.id: a.due for a in results.actions}
    if table := results.tables.get("technology.actions"):
        results.tables[table.id] = replace(
            table, rows=tuple(r | {"due": kept.get(r["id"], r["due"])} for r in table.rows)
        )
    if before is None:
        return
    open_now = {a.id: a for a in results.agenda + results.actions}
    ticked = {i.id: i for n in portfolio.notes for i in n.actions if i.done}
    now_found = {f.id for f in findings}
    rows = []
    asked = {aid: was for aid, was in before.get("action", {}).items() if was.get("agenda", True)}
    for aid, was in sorted(asked.items(), key=lambda x: x[1]["title"]):
        late = None
        if aid in open_now:
            now = open_now[aid]
            late = days_late(now.due, portfolio.as_of)
            status = now.status
            evidence = f"due {now.due}, still open" if late else "still on the agenda"
        elif aid in ticked:
            status, evidence = "done", f"the note's box is ticked ({ticked[aid].source})"
        else:  # the finding it answered is gone (a KPI back on target, a key rotated)
            status, evidence = "done", "no longer asked: what it answered is no longer found"
        rows.append(
            {
                "kind": "action",
                "item": was["title"],
                "owner": was["owner"],
                "due": was["due"] or None,
                "status": status,
                "days_late": late,
                "evidence": evidence,
            }
        )
    for fid, was in sorted(before.get("finding", {}).items(), key=lambda x: x[1]["title"]):
        if fid not in now_found:
            rows.append(
                {
                    "kind": "finding",
                    "item": was["title"],
                    "owner": None,
                    "due": None,
                    "status": "resolved",
                    "days_late": None,
                    "evidence": "no longer found",
                }
            )
    done = sum(1 for r in rows if r["status"] == "done")
    slipped = sum(1 for r in rows if r["status"] == "slipped")
    new_critical = sum(1 for f in findings if f.status == "new" and f.severity == "critical")
    last = f"the {earlier[0].title} pack"
    for mid, label, value, unit, note in (
        ("executive.actions_done", "Actions done", done, "actions", f"of {last}'s agenda"),
        (
            "executive.actions_slipped",
            "Actions slipped",
            slipped,
            "actions",
            f"of {last}'s agenda: past due and still open",
        ),
        (
            "executive.findings_new_critical",
            "New critical findings",
            new_critical,
            "findings",
            f"critical findings {last} did not have",
        ),
    ):
        results.add(
            Metric(
                id=mid,
                label=label,
                value=value,
                unit=unit,
                provenance=("audit store",),
                note=note,
            )
        )
    results.add(
        Table(
            id="executive.followup",
            title=f"Since the {earlier[0].title} pack",
            columns=(
                Column.text("item", "Action or finding"),
                Column.text("owner", "Owner"),
                Column.text("due", "Due"),
                Column.text("status", "Now"),
                Column.number("days_late", "Days late"),
                Column.text("evidence", "Evidence"),
            ),
            rows=tuple(rows),
            provenance=("audit store",),
            note="What the last pack sent asked and found, and what became of it.",
        ),
    )
