"""Task boards (issue 26, part 6): GitHub Issues, Trello, Jira and a plain CSV, read as work with
owners and due dates beside the notes' to-dos; an item a note already lists is one item; overdue
and blocked work by venture for the CEO and the CTO; an unknown shape is named."""

from __future__ import annotations

import json
from datetime import date

from boardpack.config import load_workspace
from boardpack.pipeline import build_pack
from tests.conftest import GENERATED_AT, NOTE, TOML, run_cli, write_workspace

TASKS = '\n[sources.tasks]\npaths = ["boards/*"]\nentity = "co"\nowners = {{ lee = "cto" }}\n'
GITHUB = [
    {
        "number": 7,
        "title": "Rotate the API keys",  # the note's own to-do: one item
        "state": "open",
        "assignee": {"login": "lee"},
        "milestone": {"due_on": "2026-12-30T00:00:00Z"},
        "labels": [],
        "html_url": "https://github.com/co/app/issues/7",
    },
    {"number": 8, "title": "Upgrade Django", "state": "open", "assignee": {"login": "lee"},
     "milestone": {"due_on": "2026-11-01T00:00:00Z"}, "labels": [{"name": "security"}]},
    {"number": 9, "title": "Old thing", "state": "closed", "assignee": None, "labels": []},
]  # fmt: skip
TRELLO = {
    "lists": [{"id": "L1", "name": "Blocked"}, {"id": "L2", "name": "Done"}],
    "members": [{"id": "M1", "username": "sam"}],
    "cards": [
        {"id": "c1", "idShort": 3, "name": "Sign the lease", "closed": False, "idList": "L1",
         "idMembers": ["M1"], "due": None, "labels": []},
        {"id": "c2", "idShort": 4, "name": "Filed", "closed": False, "idList": "L2",
         "idMembers": [], "due": None, "labels": []},
    ],
}  # fmt: skip
JIRA = (
    "Summary,Issue key,Status,Assignee,Due Date,Labels,Labels\n"
    "Fix the invoice export,CO-12,In Progress,ana,2026-11-10,finance,\n"
    "Ship the app,CO-13,Done,ana,2026-10-01,,\n"
)
PLAIN = (
    "title,status,owner,due,labels,entity\n"
    "Renew the domain,todo,cfo,2026-11-05,,co\n"
    "Plan Q1,todo,ceo,2027-01-10,,\n"
)


def pack_of(tmp_path, files=None):
    boards = {
        "boards/issues.json": json.dumps(GITHUB),
        "boards/trello.json": json.dumps(TRELLO),
        "boards/jira.csv": JIRA,
        "boards/plain.csv": PLAIN,
    }
    root = write_workspace(tmp_path / "ws", TOML + TASKS.replace("{{", "{").replace("}}", "}"),
                           boards | (files or {}))  # fmt: skip
    return build_pack(
        load_workspace(root, environ={}), date(2026, 11, 15), generated_at=GENERATED_AT
    )


def test_every_format_is_read_and_an_item_a_note_lists_is_one_item(tmp_path):
    pack = pack_of(tmp_path)
    titles = [a.title for a in pack.results.actions]
    assert titles.count("Rotate the API keys") == 1  # the note's and the board's: one
    rotate = next(a for a in pack.results.actions if a.title == "Rotate the API keys")
    assert rotate.source == "notes/co.md:17; boards/issues.json#7"
    upgrade = next(a for a in pack.results.actions if a.title == "Upgrade Django")
    assert (upgrade.owner, upgrade.due) == ("cto", date(2026, 11, 1))  # lee is the CTO
    assert "Sign the lease (@sam)" in titles and "Fix the invoice export (@ana)" in titles
    assert "Old thing" not in titles and "Ship the app" not in titles and "Filed" not in titles
    rows = {r["item"]: r for r in pack.results.tables["executive.tasks"].rows}
    assert set(rows) == {
        "Upgrade Django",
        "Sign the lease",
        "Fix the invoice export",
        "Renew the domain",
    }
    assert rows["Sign the lease"]["state"] == "blocked"
    assert rows["Fix the invoice export"]["source"] == "boards/jira.csv:2"
    for role in ("ceo", "cto"):
        doc = next(d for d in pack.documents if d.id == role)
        assert "executive.tasks" in [s.id for s in doc.sections]


def test_an_export_of_an_unknown_shape_is_named(tmp_path):
    root = write_workspace(
        tmp_path / "ws",
        TOML + '\n[sources.tasks]\npaths = ["boards/*"]\n',
        {"boards/x.json": '{"items": []}'},
    )
    done = run_cli("check", "-w", str(root), "--as-of", "2026-11-15")
    assert done.returncode == 2 and "boards/x.json: not a task-board export" in done.stderr


def test_a_workspace_without_boards_keeps_its_reports(tmp_path):
    root = write_workspace(tmp_path / "ws", TOML, {"notes/co.md": NOTE})
    pack = build_pack(load_workspace(root, environ={}), date(2026, 11, 15))
    assert pack.documents
    assert [d.id for d in pack.documents if "executive.tasks" in [s.id for s in d.sections]] == []
