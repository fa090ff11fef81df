"""The first screen (issue 38, part 7): the decisions needed — from the notes' `- [decision] …`
items and `## Decisions` sections, and from findings whose action is the owners' choice — and the
owner's commentary (`commentary/<period>.md`, `commentary/<period>/<report>.md`) as safe Markdown.
Each action said once: a shortfall shows its action with who and when, and the agenda the rest."""

from __future__ import annotations

import json
import os

import pytest

from boardpack.config import load_workspace
from boardpack.pipeline import build_pack
from boardpack.render import render
from boardpack.reports.document import FindingsBlock, TextBlock, actions_in
from boardpack.reports.roles import DECIDED_ABOVE
from tests.conftest import AS_OF, GENERATED_AT, NOTE, run_cli, write_workspace

DECIDING = NOTE + (
    "- [decision] @ceo Sell the second van, or keep it for the spring (due 2026-11-30)\n"
    "- [decision] Open on Saturdays\n"
    "\n## Decisions\n\n"
    "- Raise prices 5% in January, or hold them\n"
    "- [x] Move the office (decided)\n"
    "- [ ] @cfo Pick a new bank (due 2026-12-10)\n"
)


def built(root, roles=None):
    return build_pack(
        load_workspace(root, environ={}), AS_OF, roles, generated_at=GENERATED_AT
    )  # fmt: skip


def section(doc, sid):
    return next(s for s in doc.sections if s.id == sid)


def test_decisions_come_from_the_notes_and_from_findings_that_are_a_choice(tmp_path):
    root = write_workspace(tmp_path / "ws", files={"notes/co.md": DECIDING})
    pack = built(root, ["ceo"])
    (ceo,) = pack.documents
    # right after In brief: the first ranked section
    assert [s.id for s in ceo.sections[:2]] == ["summary", "executive.decisions"]
    asked = section(ceo, "executive.decisions").blocks[0].items
    titles = [a.title for a in asked]
    # a `[decision]` item (owner and due read as a to-do's), one with neither, the `## Decisions`
    # section's items (a plain one, and an open box; a ticked one is decided and not shown)
    assert titles[:4] == [
        "Sell the second van, or keep it for the spring",
        "Open on Saturdays",
        "Raise prices 5% in January, or hold them",
        "Pick a new bank",
    ]
    first = asked[0]
    assert (first.owner, str(first.due), first.source) == ("ceo", "2026-11-30", "notes/co.md:20")
    assert (asked[1].owner, asked[1].due) == ("ceo", None)  # the CEO's, undated
    assert not any("Move the office" in t for t in titles)
    # a decision is not a to-do: the agenda and follow-through do not carry it
    assert not any("Pick a new bank" in a.title for a in pack.results.agenda)
    # the failed decision rule is the owners' choice: a decision, with the finding's words
    (rule,) = [a for a in asked if a.title.startswith("Decision rule failed: Net income")]
    assert rule.owner == "cfo" and rule.decision and rule in pack.results.agenda
    # said once: the shortfall points to it, and the agenda leaves it out
    shortfall = next(
        f
        for f in section(ceo, "executive.shortfalls").blocks[0].items
        if f.title == "Decision rule failed: Net income is positive"
    )
    assert shortfall.action == DECIDED_ABOVE
    agenda = [a.id for a in actions_in((section(ceo, "executive.agenda"),))]
    assert rule.id not in agenda


def test_a_shortfall_shows_its_action_with_who_and_when_and_the_agenda_the_rest(pack):
    ceo = next(d for d in pack.documents if d.id == "ceo")
    shown = [
        f
        for b in section(ceo, "executive.shortfalls").blocks
        if isinstance(b, FindingsBlock)
        for f in b.items
        if f.step is not None
    ]
    assert shown, "the shortfalls show their actions"
    agenda = actions_in((section(ceo, "executive.agenda"),))
    # no action twice in the report
    ids = [a.id for a in actions_in(ceo.sections)] + [f.step.id for f in shown]
    assert len(ids) == len(set(ids))
    # each action shown with a finding is the agenda's own: its owner and due date
    by_id = {a.id: a for a in pack.results.agenda}
    for f in shown:
        assert (f.step.owner, f.step.due) == (by_id[f.step.id].owner, by_id[f.step.id].due)
    assert agenda  # the to-dos of the note remain
    text = " ".join(render(ceo, "txt").split())
    for f in shown:
        assert f"{f.action} — {f.step.owner}, due {f.step.due}" in text


def test_the_same_action_has_the_same_owner_and_date_in_the_ceo_and_cto_reports(demo_pack):
    """The MFA action: the CEO's agenda merges the runbook's to-do (due two days on) into the
    finding's action; the CTO's ranked table gives the same date."""
    ceo, cto = (next(d for d in demo_pack.documents if d.id == r) for r in ("ceo", "cto"))
    mfa = [a for a in demo_pack.results.agenda if "MFA on the root user" in a.title]
    assert len(mfa) == 1
    (row,) = [
        r
        for r in demo_pack.results.tables["technology.actions"].rows
        if "MFA on the root user" in r["action"]
    ]
    assert (row["id"], row["due"]) == (mfa[0].id, mfa[0].due)
    # and the CEO report shows it once, with that date
    steps = [
        f.step
        for f in (
            f
            for s in ceo.sections
            for b in s.blocks
            if isinstance(b, FindingsBlock)
            for f in b.items
        )
        if f.step and f.step.id == mfa[0].id
    ]
    assert [s.due for s in steps] == [mfa[0].due]
    assert f"due {mfa[0].due}" in render(cto, "txt")


def test_a_decision_item_without_text_is_refused_by_file_and_line(tmp_path):
    root = write_workspace(
        tmp_path / "ws", files={"notes/co.md": NOTE + "- [decision]   \n- [decision] @ceo\n"}
    )
    done = run_cli("build", "-w", str(root), "--as-of", "2026-11-15")
    assert done.returncode == 2
    assert "notes/co.md:20: a decision item without text" in done.stderr
    assert "notes/co.md:21: a decision item without text" in done.stderr
    assert "Traceback" not in done.stderr


COMMENTARY = """\
# October

A **slow** month for the shop, as every October: see [the plan](https://example.com/plan).

<script>alert(1)</script>

- Hire in *January*, not before.<img src="https://tracker.example/p.gif">
- ![chart](https://tracker.example/chart.png)
"""


def test_the_owners_commentary_is_shown_as_its_words_and_nothing_runs(tmp_path):
    root = write_workspace(tmp_path / "ws", files={"commentary/2026-10.md": COMMENTARY})
    pack = built(root)
    for doc in pack.documents:  # the period's file: every report
        said = section(doc, "commentary")
        assert [b.text for b in said.blocks if isinstance(b, TextBlock)] == [
            "October",
            "A slow month for the shop, as every October: see the plan"
            " (https://example.com/plan).",
            "• Hire in January, not before.",
            "• chart",
        ]
    ceo = next(d for d in pack.documents if d.id == "ceo")
    # after the decisions needed, before the rest
    ids = [s.id for s in ceo.sections]
    assert ids.index("commentary") == ids.index("executive.decisions") + 1
    html = render(ceo, "html")
    # nothing of its HTML reaches a report: no script, no image, no link to follow
    assert "alert(1)" not in html and "tracker.example" not in html
    assert '<a href="https://example.com/plan"' not in html
    assert "A slow month for the shop" in html
    # check says what was left out (the script and the inline image tag), and where
    done = run_cli("check", "-w", str(root), "--as-of", "2026-11-15")
    assert "commentary/2026-10.md: 2 pieces of HTML not shown" in done.stdout + done.stderr


def test_a_reports_own_commentary_is_read_instead_of_the_periods(tmp_path):
    root = write_workspace(
        tmp_path / "ws",
        files={
            "commentary/2026-10.md": "For everyone.\n",
            "commentary/2026-10/cfo.md": "For the CFO: the bank covenant is tight.\n",
        },
    )
    docs = {d.id: d for d in built(root).documents}
    assert section(docs["cfo"], "commentary").blocks[0].text == (
        "For the CFO: the bank covenant is tight."
    )
    assert section(docs["ceo"], "commentary").blocks[0].text == "For everyone."
    # a month with no file has no commentary section
    later = build_pack(load_workspace(root, environ={}), AS_OF.replace(month=12))
    assert not any(s.id == "commentary" for d in later.documents for s in d.sections)
    # and the JSON form carries it like any section
    doc = json.loads(render(docs["cfo"], "json"))
    assert "commentary" in [s["id"] for s in doc["sections"]]


@pytest.mark.parametrize(
    ("files", "said"),
    [
        (
            {"commentary/2026-10.md": b"Caf\xe9 takings were up.\n"},
            "commentary/2026-10.md: not valid UTF-8 (byte 3); save the commentary as UTF-8",
        ),
        (
            {"commentary/2026-10/ceoo.md": "Typo in the name.\n"},
            "commentary/2026-10/ceoo.md: there is no report 'ceoo'; name the file after one of",
        ),
        (
            {"commentary/2026-10.md": "x" * 100_001},
            "(commentary) is 100,001 bytes, over the 100,000",
        ),
    ],
)
def test_a_commentary_that_cannot_be_read_is_refused_by_name(tmp_path, files, said):
    root = write_workspace(tmp_path / "ws", files=files)
    done = run_cli("send", "-w", str(root), "--as-of", "2026-11-15")
    assert done.returncode == 2, done.stdout
    assert said in done.stderr and "Traceback" not in done.stderr
    assert not (root / "outbox").exists() or not any((root / "outbox").iterdir())


def test_a_commentary_that_is_not_a_file_is_refused_not_waited_on(tmp_path):
    root = write_workspace(tmp_path / "ws")
    (root / "commentary").mkdir()
    os.mkfifo(root / "commentary" / "2026-10.md")  # a read would block forever
    done = run_cli("build", "-w", str(root), "--as-of", "2026-11-15", timeout=60)
    assert done.returncode == 2
    assert "commentary/2026-10.md (commentary) is a FIFO (named pipe), not a file" in done.stderr
    # and a folder where a report's file would be
    (root / "commentary" / "2026-10.md").unlink()
    (root / "commentary" / "2026-10" / "cfo.md").mkdir(parents=True)
    done = run_cli("build", "-w", str(root), "--as-of", "2026-11-15", timeout=60)
    assert done.returncode == 2
    assert "commentary/2026-10/cfo.md (commentary) is a directory, not a file" in done.stderr


def test_a_commentary_linked_outside_the_workspace_is_refused(tmp_path):
    outside = tmp_path / "secret.md"
    outside.write_text("The owner's private notes.\n")
    root = write_workspace(tmp_path / "ws")
    (root / "commentary").mkdir()
    os.symlink(outside, root / "commentary" / "2026-10.md")
    done = run_cli("build", "-w", str(root), "--as-of", "2026-11-15")
    assert done.returncode == 2
    assert "outside the workspace" in done.stderr
    assert "private notes" not in done.stdout + done.stderr


def test_a_venture_report_opens_with_its_own_decisions(demo_pack):
    """The consulting note's `## Decisions` item is Northpoint Advisory's: its report opens with it
    (after In brief); the charters decision is not its to make."""
    consulting = next(d for d in demo_pack.documents if d.id == "entity-consulting")
    assert consulting.sections[1].id == "consulting.decisions"
    (asked,) = consulting.sections[1].blocks[0].items
    assert asked.title.startswith("Bid the county contract") and asked.entity == "consulting"
    hauling = next(d for d in demo_pack.documents if d.id == "entity-hauling")
    said = next(s for s in hauling.sections if s.id == "hauling.decisions")
    assert [b.text for b in said.blocks] == [
        "Nothing for Ridgeline Hauling is waiting on a decision."
    ]
    # the CEO's lists every decision of the pack, the venture's too
    ceo = next(d for d in demo_pack.documents if d.id == "ceo")
    titles = [a.title for a in ceo.sections[1].blocks[0].items]
    assert asked.title in titles and any("Wind Dancer" in t for t in titles)
