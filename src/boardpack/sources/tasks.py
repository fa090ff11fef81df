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
from collections.abc import Callable
from datetime import date

from boardpack.config import Workspace
from boardpack.errors import WorkspaceError
from boardpack.files import inside, read_bytes
from boardpack.model import Portfolio, SourceStatus, Task

PLAIN = ("title", "status", "owner", "due", "labels", "entity")
EXPORT_BYTES = 50_000_000  # one export file
MAX_TASKS = 20_000  # items across the boards: more is an archive, not this period's work
DONE = ("done", "closed", "resolved", "complete", "completed")


def status_of(text: str, labels: tuple[str, ...] = ()) -> str:
    word = text.strip().lower()
    if any(word.startswith(d) for d in DONE):
        return "done"
    if "blocked" in word or "blocked" in (label.lower() for label in labels):
        return "blocked"
    return "open"


def day(text) -> date | None:
    return date.fromisoformat(str(text)[:10]) if text else None


def loaded(text: str):
    """An export's JSON; nested thousands deep is not a board."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("JSON nested thousands deep: not a task-board export") from None


def shape(path: str, text: str) -> str:
    if path.endswith(".json"):
        data = loaded(text)
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


def item(where: str, read: Callable[[], Task]) -> Task:
    """One item of an export, or a `ValueError` naming it (`board.json#12: …`)."""
    try:
        return read()
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        why = f"{type(exc).__name__}: {exc}" if isinstance(exc, (KeyError, TypeError)) else exc
        raise ValueError(f"{where[:200]}: {str(why)[:200]}") from None


def place(path: str, obj, n: int, *keys: str) -> str:
    """`board.json#12`: the item's own number or id where it has one, else its position."""
    found = next((obj[k] for k in keys if isinstance(obj, dict) and obj.get(k) is not None), None)
    return f"{path}#{str(found)[:40] if isinstance(found, (str, int)) else n}"


def github(text: str, path: str) -> list[Task]:
    issues = loaded(text)
    if not isinstance(issues, list):
        raise ValueError("a GitHub Issues export is a JSON list of issues")
    return [
        item(where, lambda i=i, where=where: github_issue(i, where))
        for n, i in enumerate(issues, start=1)
        for where in [place(path, i, n, "number")]
    ]


def github_issue(issue: dict, source: str) -> Task:
    if not isinstance(issue, dict):
        raise ValueError("not a JSON object")
    labels = tuple(str(lb.get("name", "")) for lb in issue.get("labels") or [])
    assignee = (issue.get("assignee") or {}).get("login")
    return Task(
        title=str(issue.get("title", "")),
        status=status_of(str(issue.get("state", "")), labels),
        owner=assignee if isinstance(assignee, str) else None,
        due=day((issue.get("milestone") or {}).get("due_on")),
        labels=labels,
        entity=None,
        source=source,
        url=str(issue.get("html_url") or ""),
    )


def trello(text: str, path: str) -> list[Task]:
    board = loaded(text)
    lists = {x.get("id"): str(x.get("name", "")) for x in board.get("lists") or []}
    members = {m.get("id"): m.get("username") for m in board.get("members") or []}
    return [
        item(where, lambda c=c, where=where: trello_card(c, where, lists, members))
        for n, c in enumerate(board["cards"], start=1)
        for where in [place(path, c, n, "idShort", "id")]
    ]


def trello_card(card: dict, source: str, lists: dict, members: dict) -> Task:
    if not isinstance(card, dict):
        raise ValueError("not a JSON object")
    labels = tuple(str(lb.get("name", "")) for lb in card.get("labels") or [])
    listed = lists.get(card.get("idList"), "")
    owner = next((members.get(i) for i in card.get("idMembers") or []), None)
    return Task(
        title=str(card.get("name", "")),
        status="done" if card.get("closed") else status_of(listed, labels),
        owner=owner if isinstance(owner, str) else None,
        due=day(card.get("due")),
        labels=labels,
        entity=None,
        source=source,
        url=str(card.get("shortUrl") or ""),
    )


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
            item(
                f"{path}:{line}",
                lambda get=get, labels=labels, line=line: Task(
                    title=get.get("Summary", ""),
                    status=status_of(get.get("Status", ""), labels),
                    owner=get.get("Assignee") or None,
                    due=day(get.get("Due Date") or get.get("Due date")),
                    labels=labels,
                    entity=None,
                    source=f"{path}:{line}",
                ),
            )
        )
    return tasks


def plain(text: str, path: str) -> list[Task]:
    tasks = []
    for line, header, row in rows(text):
        get = dict(zip(header, (c.strip() for c in row)))
        labels = tuple(x.strip() for x in get.get("labels", "").split(";") if x.strip())
        tasks.append(
            item(
                f"{path}:{line}",
                lambda get=get, labels=labels, line=line: Task(
                    title=get["title"],
                    status=status_of(get["status"], labels),
                    owner=get["owner"] or None,
                    due=day(get["due"]),
                    labels=labels,
                    entity=get["entity"] or None,
                    source=f"{path}:{line}",
                ),
            )
        )
    return tasks


READERS = {"github": github, "trello": trello, "jira": jira, "csv": plain}


def placed(task: Task, ws: Workspace, entity: str | None, owners: dict[str, str]) -> Task:
    """The venture (its own column, a label naming a venture, else the source's) and the owner
    (as `owners` maps a board's user names to roles). A venture its column names that is not
    declared is refused, naming the item."""
    known = {e.id for e in ws.settings.entities}
    if task.entity and task.entity not in known:
        raise ValueError(
            f"{task.source}: entity {task.entity[:60]!r} is not declared in [[entities]] (known: "
            f"{', '.join(sorted(known))})"
        )
    venture = task.entity or next(
        (lb.removeprefix("entity:") for lb in task.labels if lb.removeprefix("entity:") in known),
        entity,
    )
    owner = owners.get(task.owner, task.owner) if task.owner else None
    return Task(**{**vars(task), "entity": venture, "owner": owner})


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
                    text = read_bytes(path, "sources.tasks.paths", EXPORT_BYTES).decode("utf-8-sig")
                    kind = spec.format if spec.format != "auto" else shape(shown, text)
                    read = READERS[kind](text, shown)
                    portfolio.tasks += [placed(t, ws, spec.entity, spec.owners) for t in read]
                except UnicodeDecodeError as exc:
                    raise WorkspaceError(f"{shown}: not UTF-8 text ({exc.reason})") from None
                except (ValueError, KeyError, TypeError, AttributeError, StopIteration) as exc:
                    raise WorkspaceError(f"{shown}: {str(exc)[:500]}") from None
                if len(portfolio.tasks) > MAX_TASKS:
                    raise WorkspaceError(
                        f"sources.tasks: {shown} brings the boards to {len(portfolio.tasks):,} "
                        f"items, more than the {MAX_TASKS:,} a pack reads: export the open items "
                        "(or one board per file, fewer files)"
                    )
                status.paths.append(shown)
                status.freshness = max(
                    status.freshness or date.min, date.fromtimestamp(path.stat().st_mtime)
                )
        status.records = len(portfolio.tasks)
        return status


source = TaskBoards()
