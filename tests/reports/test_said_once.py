"""Each thing once, and sentences a person would write (issue 38, parts 3 and 9): the CFO's moves
once (the bridge's table and chart; the sentences only what drove them), what the workspace's
settings need out of every executive's shortfalls and agenda and in one line of the full report,
actions that read on their own, rules as rules."""

from __future__ import annotations

import re

from boardpack.render import render
from boardpack.reports.document import FindingsBlock, TextBlock, actions_in, findings_in
from boardpack.reports.edit import edited
from boardpack.reports.setup import WORKSPACE_OWNER
from tests.conftest import run_cli


def doc_of(pack, rid):
    return next(d for d in pack.documents if d.id == rid)


def test_the_cfo_reads_each_move_once_and_the_sentences_say_what_drove_them(demo_pack):
    cfo = doc_of(demo_pack, "cfo")
    said = next(s for s in cfo.sections if s.id == "finance.commentary")
    texts = [b.text for b in said.blocks if isinstance(b, TextBlock)]
    assert texts and len(texts) == len(set(texts))
    # no sentence restates a move's size: the bridge's table and chart give it
    assert not any(re.search(r"\b(rose|fell)\b", t) for t in texts)
    # each says what another source says drove it, once for a venture's moves it drove together
    assert texts[0] == (
        "Harbor Charters: Income:Charters against September 2026: 53 bookings from 2,678 visits"
        " against 70 from 3,390."
    )
    rows = demo_pack.results.tables["finance.commentary"].rows
    assert {r["why"] for r in rows if r["why"] and r["material"]} == {
        t.rpartition(": ")[2][:-1] for t in texts
    }
    # the CEO, with no bridge table, reads the three largest moves whole
    ceo = next(s for s in doc_of(demo_pack, "ceo").sections if s.id == "executive.commentary")
    assert [b.text.split(" against ")[0] for b in ceo.blocks] == [
        "Harbor Charters: Income:Charters revenue fell 11,550 USD",  # its deposits earned in it
        "Northpoint Advisory: Income:Consulting revenue rose 7,298 USD",
        "Ridgeline Hauling: Income:Hauling revenue fell 6,550 USD",
    ]


def test_what_the_workspace_settings_need_is_not_an_executives_to_do(demo_pack):
    """The demo's chart of accounts misses an account: `Add a [[chart]] line` is for whoever keeps
    boardpack.toml — not the CEO's shortfall or agenda, nor the board's; one line ends their full
    reports; the Accounting Officer, whose chart it is, still sees the finding."""
    (chart,) = [f for f in demo_pack.results.findings if f.setup]
    assert chart.title.startswith("Accounts not in the chart of accounts")
    assert not any(chart.action in a.title for a in demo_pack.results.agenda)
    for rid in ("ceo", "board", "entity-hauling"):
        doc = doc_of(demo_pack, rid)
        assert chart.id not in {f.id for f in findings_in(doc.sections)}, rid
        assert not any("[[chart]]" in a.title for a in actions_in(doc.sections)), rid
        assert "boardpack.toml" not in " ".join(
            b.text for s in doc.sections for b in s.blocks if isinstance(b, TextBlock)
        )
        (line,) = [s for s in doc.sections if s.id == WORKSPACE_OWNER]
        assert line.blocks[0].text == (
            "Accounts not in the chart of accounts: 1. `boardpack check` says how."
        )
        # the email leaves it to the full report
        assert WORKSPACE_OWNER not in [s.id for s in edited(doc).doc.sections]
    accounting = doc_of(demo_pack, "accounting")
    assert chart.id in {f.id for f in findings_in(accounting.sections)}
    assert not any(s.id == WORKSPACE_OWNER for s in accounting.sections)
    # the count of findings the CEO reads is of findings the CEO can act on
    open_findings = demo_pack.results.metrics["executive.open_findings"].value
    assert open_findings == sum(
        1
        for f in demo_pack.results.findings
        if not f.setup and f.severity in ("critical", "high", "medium")
    )


def test_check_tells_the_workspace_owner_what_to_fix(demo_sent):
    root, _ = demo_sent
    done = run_cli("check", "-w", str(root), "--as-of", "2026-11-22")
    said = done.stdout + done.stderr
    assert "for the workspace owner: Accounts not in the chart of accounts: 1: Add a [[chart]]" in (
        " ".join(said.split())
    )


def test_an_action_reads_on_its_own(demo_pack):
    """The committed key's action says what and where: an agenda line needs no finding above it."""
    (key,) = [
        f
        for f in demo_pack.results.findings
        if f.title == "1 cloud or private-key credential committed to northpoint-api"
    ]
    assert key.action.startswith(
        "Revoke and rotate the AWS Access Key committed to northpoint-api today"
    )
    cto = render(doc_of(demo_pack, "cto"), "txt")
    assert "Revoke and rotate it" not in cto
    # and the CEO's shortfall gives it with who acts and by when, as the agenda has it
    ceo = doc_of(demo_pack, "ceo")
    (shown,) = [
        f
        for s in ceo.sections
        for b in s.blocks
        if isinstance(b, FindingsBlock)
        for f in b.items
        if f.id == key.id
    ]
    step = next(a for a in demo_pack.results.agenda if a.finding == key.id)
    assert (shown.step.owner, shown.step.due) == ("cto", step.due)
