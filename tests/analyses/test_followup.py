"""Follow-through (issue 24, part 3) across three packs, through the real audit store: each
finding new, recurring (with its age) or resolved; each action of the last pack done (with its
evidence), slipped or open; ids that survive a change of figures."""

from __future__ import annotations

import json
from datetime import date

import pytest

from boardpack.config import load_workspace
from boardpack.errors import SourceErrors
from boardpack.model import Finding, stable_id
from boardpack.pipeline import build_pack
from boardpack.render import render
from tests.conftest import GENERATED_AT, NOTE, run_cli, write_workspace

FILED = NOTE.replace("- [ ] Unowned item", "- [ ] @cfo File the quarterly return (due 2026-11-30)")


def send(root, as_of: str):
    done = run_cli("send", "-w", str(root), "--as-of", as_of)
    assert done.returncode == 0, done.stderr


def test_findings_and_actions_are_followed_up_pack_after_pack(tmp_path):
    root = write_workspace(tmp_path / "ws", files={"notes/co.md": FILED})
    first = build_pack(load_workspace(root, environ={}), date(2026, 11, 15), ["ceo"])
    # with no earlier pack recorded, nothing is new or recurring yet
    assert {f.status for f in first.results.findings} == {None}
    send(root, "2026-11-15")
    # November: the lease is renegotiated (its box ticked); the return is not filed, past due
    (root / "notes/co.md").write_text(
        FILED.replace("- [ ] @cfo Renegotiate", "- [x] @cfo Renegotiate")
    )
    second = build_pack(load_workspace(root, environ={}), date(2026, 12, 15), ["ceo"])
    rows = {r["item"]: r for r in second.results.tables["executive.followup"].rows}
    lease = rows["Renegotiate the lease"]
    assert (lease["status"], lease["evidence"]) == (
        "done",
        "the note's box is ticked (notes/co.md:16)",
    )
    assert rows["File the quarterly return"]["status"] == "slipped"
    # a finding's action keeps the due date October's pack gave it (15 November + 14 days for a
    # high finding): December's pack does not move it a month on, so it has slipped, 16 days late
    step = "Key supplier <b>may</b> close: Find a second supplier"
    assert (rows[step]["due"], rows[step]["status"], rows[step]["days_late"]) == (
        "2026-11-29", "slipped", 16,
    )  # fmt: skip
    (again,) = [a for a in second.results.agenda if a.title == step]
    assert (again.due, again.status) == (date(2026, 11, 29), "slipped")
    supplier = next(f for f in second.results.findings if f.title.startswith("Key supplier"))
    assert (supplier.status, supplier.age) == ("recurring", 2)
    metrics = second.results.metrics
    assert metrics["executive.actions_done"].value >= 1
    # every action of October's agenda past its due date and still open counts
    slipped = [r["item"] for r in rows.values() if r["status"] == "slipped"]
    assert len(slipped) == 5 and "File the quarterly return" in slipped and step in slipped
    assert metrics["executive.actions_slipped"].value == len(slipped)
    ceo = second.documents[0]
    assert "Since the October 2026 pack:" in ceo.sections[0].blocks[0].text
    # the JSON form carries each finding's id, status and age, each action's id and status
    doc = json.loads(render(ceo, "json"))
    items = [
        i
        for s in doc["sections"]
        for b in s["blocks"]
        if b["type"] == "findings"
        for i in b["items"]
    ]
    found = next(i for i in items if i["title"].startswith("Key supplier"))
    assert (found["id"], found["status"], found["age"]) == (supplier.id, "recurring", 2)
    acts = [
        i
        for s in doc["sections"]
        for b in s["blocks"]
        if b["type"] == "actions"
        for i in b["items"]
    ]
    assert {a["status"] for a in acts} <= {"open", "slipped"} and all(a["id"] for a in acts)
    send(root, "2026-12-15")
    # December: the supplier risk is in its third pack; the note drops it, so it resolves next
    third = build_pack(load_workspace(root, environ={}), date(2027, 1, 15), ["ceo"])
    supplier = next(f for f in third.results.findings if f.title.startswith("Key supplier"))
    assert (supplier.status, supplier.age) == ("recurring", 3)
    # still the date it was first given, two packs on
    rows = {r["item"]: r for r in third.results.tables["executive.followup"].rows}
    assert (rows[step]["due"], rows[step]["days_late"]) == ("2026-11-29", 47)


def test_a_resolved_finding_is_said_resolved(tmp_path):
    root = write_workspace(tmp_path / "ws", files={"notes/co.md": FILED})
    send(root, "2026-11-15")
    risk = "risks:\n  - title: Key supplier <b>may</b> close\n    severity: high\n"
    risk += "    area: operations\n    action: Find a second supplier\n"
    assert risk in FILED
    (root / "notes/co.md").write_text(FILED.replace(risk, ""))
    second = build_pack(load_workspace(root, environ={}), date(2026, 12, 15), ["ceo"])
    rows = {r["item"]: r for r in second.results.tables["executive.followup"].rows}
    assert rows["Key supplier <b>may</b> close"]["status"] == "resolved"
    assert rows["Key supplier <b>may</b> close: Find a second supplier"]["status"] == "done"


def test_an_id_is_what_a_finding_is_about_not_its_figures():
    def finding(title):
        return Finding(severity="high", area="accounting", title=title, evidence="", action="")

    a = stable_id("finding", "accounting", None, "", "Possible duplicate payments: 2")
    b = stable_id("finding", "accounting", None, "", "Possible duplicate payments: 3")
    assert a == b
    assert stable_id("x", "Uncategorized transactions in October 2026: 1") == stable_id(
        "x", "Uncategorized transactions in November 2026: 4"
    )
    assert stable_id("x", "Truck 3 had no jobs") == stable_id("x", "Truck 2 had no jobs")
    assert stable_id("x", "Spending spike: Expenses:Fuel") != stable_id(
        "x", "Spending spike: Expenses:Rent"
    )
    assert finding("A").id == ""  # the analysis gives the id, not the finding itself


def test_two_open_to_dos_that_read_the_same_are_refused(tmp_path):
    note = NOTE.replace(
        "- [ ] Unowned item",
        "- [ ] @cfo Pay the 2026 Q3 tax (due 2026-11-30)\n- [ ] @cfo Pay the 2026 Q4 tax",
    )
    root = write_workspace(tmp_path / "ws", files={"notes/co.md": note})
    with pytest.raises(SourceErrors) as raised:
        build_pack(load_workspace(root, environ={}), date(2026, 11, 15), generated_at=GENERATED_AT)
    assert "notes/co.md:20: this to-do reads the same as notes/co.md:19" in str(raised.value)
