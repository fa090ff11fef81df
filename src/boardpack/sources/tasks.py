"""Task boards (`[sources.tasks] paths`): exports of GitHub Issues (the API's JSON), a Trello board
(its JSON), Jira (its CSV) and a plain CSV (`title,status,owner,due,labels,entity`), read as work
with owners and due dates, beside the notes' to-do items. The format is told by the file's shape,
or named with `format`; a shape none of them has is refused, naming the file.
"""

from __future__ import annotations

import csv
import glob
import io
import json
from dataclasses import dataclass
from datetime import date

from boardpack.config import Workspace, inside
from boardpack.errors import WorkspaceError
from boardpack.model import Portfolio, SourceStatus

PLAIN = ("title", "status", "owner", "due", "labels", "entity")
DONE = ("done", "closed", "resolved", "complete", "completed")


@dataclass(frozen=True)
class Task:
    title: str
    status: str  # open | blocked | done
    owner: str | None
    due: date | None
    labels: tuple[str, ...]
    entity: str | None
    source: str  # file:line, or file#key
    url: str = ""


def status_of(text: str, labels: tuple[str, ...] = ()) -> str:
    word = text.strip().lower()
    if any(word.startswith(d) for d in DONE):
        return "done"
    if "blocked" in word or "blocked" in (label.lower() for label in labels):
        return "blocked"
    return "open"


def day(text) -> date | None:
    return date.fromisoformat(str(text)[:10]) if text else None


def shape(path: str, text: str) -> str:
    if path.endswith(".json"):
        data = json.loads(text)
        if isinstance(data, list) and all(isinstance(i, dict) and "state" in i for i in data):
            return "github"
        if isinstance(data, dict) and isinstance(data.get("cards"), list):
            return "trello"
    elif path.endswith(".csv"):
        header = {h.strip() for h in next(csv.reader(io.StringIO(text)), [])}
        if set(PLAIN) <= header:
            return "csv"
        if {"Summary", "Status"} <= header:
            return "jira"
    raise ValueError(
        "not a task-board export boardpack knows: GitHub Issues JSON (a list of issues), Trello"
        f" board JSON (with cards), Jira CSV (Summary, Status…) or a CSV with {','.join(PLAIN)}"
    )


def github(text: str, path: str) -> list[Task]:
    tasks = []
    for issue in json.loads(text):
        labels = tuple(str(lb.get("name", "")) for lb in issue.get("labels") or [])
        assignee = (issue.get("assignee") or {}).get("login")
        tasks.append(
            Task(
                title=str(issue.get("title", "")),
                status=status_of(str(issue.get("state", "")), labels),
                owner=assignee,
                due=day((issue.get("milestone") or {}).get("due_on")),
                labels=labels,
                entity=None,
                source=f"{path}#{issue.get('number', '?')}",
                url=str(issue.get("html_url") or ""),
            )
        )
    return tasks


def trello(text: str, path: str) -> list[Task]:
    board = json.loads(text)
    lists = {x.get("id"): str(x.get("name", "")) for x in board.get("lists") or []}
    members = {m.get("id"): m.get("username") for m in board.get("members") or []}
    tasks = []
    for card in board["cards"]:
        labels = tuple(str(lb.get("name", "")) for lb in card.get("labels") or [])
        listed = lists.get(card.get("idList"), "")
        tasks.append(
            Task(
                title=str(card.get("name", "")),
                status="done" if card.get("closed") else status_of(listed, labels),
                owner=next((members.get(i) for i in card.get("idMembers") or []), None),
                due=day(card.get("due")),
                labels=labels,
                entity=None,
                source=f"{path}#{card.get('idShort', card.get('id', '?'))}",
                url=str(card.get("shortUrl") or ""),
            )
        )
    return tasks


def rows(text: str):
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader)]
    for row in reader:
        if any(cell.strip() for cell in row):
            yield reader.line_num, header, row


def jira(text: str, path: str) -> list[Task]:
    tasks = []
    for line, header, row in rows(text):
        cells = list(zip(header, row))
        get = dict(cells)  # the first of each column; Labels repeats
        labels = tuple(v for k, v in cells if k == "Labels" and v.strip())
        tasks.append(
            Task(
                title=get.get("Summary", ""),
                status=status_of(get.get("Status", ""), labels),
                owner=get.get("Assignee") or None,
                due=day(get.get("Due Date") or get.get("Due date")),
                labels=labels,
                entity=None,
                source=f"{path}:{line}",
            )
        )
    return tasks


def plain(text: str, path: str) -> list[Task]:
    tasks = []
    for line, header, row in rows(text):
        get = dict(zip(header, (c.strip() for c in row)))
        labels = tuple(x.strip() for x in get["labels"].split(";") if x.strip())
        tasks.append(
            Task(
                title=get["title"],
                status=status_of(get["status"], labels),
                owner=get["owner"] or None,
                due=day(get["due"]),
                labels=labels,
                entity=get["entity"] or None,
                source=f"{path}:{line}",
            )
        )
    return tasks


READERS = {"github": github, "trello": trello, "jira": jira, "csv": plain}


def placed(task: Task, ws: Workspace, entity: str | None, owners: dict[str, str]) -> Task:
    """The venture (its own column, a label naming a venture, else the source's) and the owner
    (as `owners` maps a board's user names to roles)."""
    known = {e.id for e in ws.settings.entities}
    named = task.entity or next(
        (lb.removeprefix("entity:") for lb in task.labels if lb.removeprefix("entity:") in known),
        entity,
    )
    owner = owners.get(task.owner, task.owner) if task.owner else None
    return Task(**{**vars(task), "entity": named, "owner": owner})


class TaskBoards:
    name = "tasks"

    def read(self, portfolio: Portfolio) -> SourceStatus:
        ws = portfolio.workspace
        spec = ws.settings.sources.tasks
        status = SourceStatus(name=self.name, configured=spec is not None, stale_after_days=31)
        if spec is None:
            return status
        status.optional = spec.optional
        for pattern in spec.paths:
            matched = sorted(glob.glob(str(inside(ws.root, pattern, "sources.tasks.paths"))))
            if not matched:
                raise WorkspaceError(f"sources.tasks.paths: {pattern!r} matches no file")
            for found in matched:
                path = inside(ws.root, found, "sources.tasks.paths")
                shown = path.relative_to(ws.root.resolve()).as_posix()
                try:
                    text = path.read_text(encoding="utf-8-sig")
                    kind = spec.format if spec.format != "auto" else shape(shown, text)
                    read = READERS[kind](text, shown)
                except (ValueError, KeyError, TypeError, AttributeError, StopIteration) as exc:
                    raise WorkspaceError(f"{shown}: {exc}") from None
                portfolio.tasks += [placed(t, ws, spec.entity, spec.owners) for t in read]
                status.paths.append(shown)
                status.freshness = max(
                    status.freshness or date.min, date.fromtimestamp(path.stat().st_mtime)
                )
        status.records = len(portfolio.tasks)
        return status


source = TaskBoards()
