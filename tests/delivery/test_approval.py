"""Approval (issue 25, part 1): a held pack waits for an approver; the approvers get the very
messages as drafts; `approve` sends exactly what was drafted, or nothing; `reject` drops it; the
window releases or alerts. Through the real command line, the outbox and the real audit stores."""

from __future__ import annotations

import email
import json
from datetime import date, timedelta
from email import policy

import pytest

from boardpack.config import load_workspace
from boardpack.period import period_before
from boardpack.pipeline import now_in, settle_held
from tests.conftest import (
    LEDGER,
    TOML,
    aws,  # noqa: F401 (a fixture)
    moto_server,  # noqa: F401 (a fixture)
    run_cli,
    ses_toml,
    write_workspace,
)
from tests.delivery.test_send_cli import clients

AS_OF = ("--as-of", "2026-11-15")  # October's pack
APPROVAL = '\n[approval]\napprovers = ["Boss <boss@example.com>"]\nwindow = "48h"\n'


def outbox(root) -> dict[str, email.message.EmailMessage]:
    """The messages in the outbox for October, by report id (a draft's: draft.<report>)."""
    found = {}
    for path in sorted((root / "outbox" / "2026-10").glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        found[message["X-Boardpack-Delivery"].split("/")[1]] = message
    return found


def states(root, env=None) -> dict[str, str]:
    runs = json.loads(run_cli("runs", "-w", str(root), "--json", env=env).stdout)
    return {d["report"]: d["state"] for d in runs["deliveries"]}


def plain(message) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


@pytest.fixture
def held(tmp_path):
    root = write_workspace(tmp_path / "ws", TOML + APPROVAL)
    sent = run_cli("send", "-w", str(root), *AS_OF)
    assert sent.returncode == 0, sent.stderr
    assert "awaiting approval" in sent.stdout
    return root


def test_a_held_pack_goes_to_the_approvers_as_drafts_and_out_once_approved(held):
    drafts = outbox(held)
    assert set(drafts) == {"draft.ceo", "draft.cfo"}  # nobody else has been sent anything
    assert states(held) == {
        "ceo": "held",
        "cfo": "held",
        "draft.ceo": "sent",
        "draft.cfo": "sent",
    }
    draft = drafts["draft.cfo"]
    assert (draft["To"], draft["Cc"]) == ("Boss <boss@example.com>", None)
    assert draft["Subject"] == (
        "[Draft for approval] Small Co CFO report, October 2026: net -1.4k USD, cash 14.8k USD"
    )
    banner = plain(draft).split("\n\n", 1)[0]
    assert "as cfo@example.com, owner@example.com will receive it" in banner
    assert "boardpack approve 2026-10 --report cfo" in banner
    assert "DRAFT FOR APPROVAL" in draft.get_body(("html",)).get_content()

    approved = run_cli("approve", "2026-10", "-w", str(held), "--report", "cfo", "--by", "Ana")
    assert approved.returncode == 0, approved.stderr
    sent = outbox(held)["cfo"]
    assert (sent["To"], sent["Cc"]) == ("cfo@example.com", "owner@example.com")
    # exactly what was drafted: the same text, the banner aside
    assert plain(sent) == plain(draft).split("\n\n", 1)[1]
    assert sent["Message-ID"] != draft["Message-ID"]
    assert states(held)["cfo"] == "sent" and states(held)["ceo"] == "held"
    runs = json.loads(run_cli("runs", "-w", str(held), "--json").stdout)
    assert runs["runs"][0]["command"] == "approve"
    # a send of the period after the approval sends nothing twice, and drafts nothing anew
    again = run_cli("send", "-w", str(held), *AS_OF)
    assert "already sent" in again.stdout and len(outbox(held)) == 3
    # nothing left held for the CFO: said plainly, exit 2
    twice = run_cli("approve", "2026-10", "-w", str(held), "--report", "cfo")
    assert twice.returncode == 2
    assert "nothing is held for approval in 2026-10 for cfo" in twice.stderr


def test_a_rejected_report_is_drafted_anew_once_fixed_and_a_changed_one_is_never_approved(held):
    rejected = run_cli("reject", "2026-10", "-w", str(held), "--report", "ceo", "--by", "Ana")
    assert rejected.returncode == 0 and "rejected by Ana" in rejected.stdout
    assert states(held)["ceo"] == "rejected"
    # the books are fixed (a missing sale): the CFO's held draft no longer shows what would go
    (held / "ledger/bank.csv").write_text(
        LEDGER + "2026-10-30,Acme,Late October sale,800.00,Income:Sales\n"
    )
    changed = run_cli("approve", "2026-10", "-w", str(held), "--report", "cfo")
    assert changed.returncode == 2
    assert "the cfo report changed since the draft" in changed.stderr
    assert "cfo" not in outbox(held)  # nothing was sent
    # a send drafts the rejected report again, with its new content, for a new decision
    again = run_cli("send", "-w", str(held), *AS_OF)
    assert again.returncode == 0, again.stderr
    assert states(held)["ceo"] == "held"
    drafts = list((held / "outbox" / "2026-10").glob("draft.ceo-*.eml"))
    assert len(drafts) == 2  # the first draft and the one of the fixed books
    run_cli("reject", "2026-10", "-w", str(held), "--report", "cfo")
    assert run_cli("approve", "2026-10", "-w", str(held)).returncode == 0
    # what went out is the fixed pack: October's loss less the late sale
    assert "Net income was -600 USD" in " ".join(plain(outbox(held)["ceo"]).split())


def test_a_second_run_while_held_drafts_the_newest_and_approve_sends_it(held):
    """The next send (or scheduled fire) while the pack is held builds it anew: the approvers get
    the new draft (and so does the audit copy), and approving sends that newest draft, not the
    first."""
    (held / "ledger/bank.csv").write_text(
        LEDGER + "2026-10-30,Acme,Late October sale,800.00,Income:Sales\n"
    )
    again = run_cli("send", "-w", str(held), *AS_OF)
    assert again.returncode == 0, again.stderr
    assert len(list((held / "outbox" / "2026-10").glob("draft.cfo-*.eml"))) == 2
    approved = run_cli("approve", "2026-10", "-w", str(held), "--report", "cfo")
    assert approved.returncode == 0, approved.stderr
    sent = plain(outbox(held)["cfo"])
    assert "Net income was -600.00 USD" in " ".join(sent.split())  # the fixed books (CFO: cents)
    index = [
        json.loads(line)
        for line in (held / "outbox" / "index.jsonl").read_text().split("\n")
        if line
    ]
    drafts = [e for e in index if e["report"].startswith("draft.")]
    assert drafts and all("audit@example.com" in e["recipients"] for e in drafts)


def test_hold_on_holds_only_when_a_condition_applies(tmp_path):
    calm = write_workspace(
        tmp_path / "calm", TOML + APPROVAL + '[approval.hold_on]\nseverity = "critical"\n'
    )
    sent = run_cli("send", "-w", str(calm), *AS_OF)
    assert sent.returncode == 0 and "awaiting approval" not in sent.stdout
    assert set(outbox(calm)) == {"ceo", "cfo"}  # no critical finding: straight out
    worried = write_workspace(
        tmp_path / "worried", TOML + APPROVAL + '[approval.hold_on]\nseverity = "high"\n'
    )
    assert run_cli("send", "-w", str(worried), *AS_OF).returncode == 0
    banner = plain(outbox(worried)["draft.cfo"]).split("\n\n", 1)[0]
    assert "Held because: " in banner and "findings of high severity or worse" in banner


@pytest.mark.parametrize("auto_release", [True, False])
def test_the_window_releases_or_alerts(held, auto_release, monkeypatch):
    toml = (held / "boardpack.toml").read_text()
    extra = "auto_release = true\n" if auto_release else ""
    (held / "boardpack.toml").write_text(
        toml.replace('window = "48h"\n', 'window = "48h"\n' + extra)
        + '[alerts]\nemail = "owner@example.com"\n'
    )
    ws = load_workspace(held, environ={})
    october = period_before(date(2026, 11, 15), "month")
    assert settle_held(ws, october, now_in(ws) + timedelta(hours=47)) == []  # within the window
    said = settle_held(ws, october, now_in(ws) + timedelta(hours=49))
    if auto_release:
        assert said == ["2026-10: released after 48h without a decision: 2 sent"]
        assert states(held)["cfo"] == "sent" and {"ceo", "cfo"} <= set(outbox(held))
    else:
        assert len(said) == 1 and "held past 48h; alert: email owner@example.com: sent" in said[0]
        assert states(held)["cfo"] == "held"
        alert = [
            email.message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in (held / "outbox").rglob("*.eml")
            if b"needs attention" in p.read_bytes() or b"need attention" in p.read_bytes()
        ]
        assert alert and "boardpack approve 2026-10" in plain(alert[0])
        # the window starts again: no second alert before another 48 hours
        assert settle_held(ws, october, now_in(ws) + timedelta(hours=47)) == []


@pytest.mark.parametrize(
    "args, words",
    [
        (("approve", "October"), "'October' is not a period"),
        (("approve", "2026-09"), "nothing is held for approval in 2026-09"),
        (("reject", "2026-10", "--by", "Ana\nBcc: x@evil.example"), "--by: contains a line break"),
    ],
)
def test_bad_approvals_are_refused_and_change_nothing(held, args, words):
    done = run_cli(*args, "-w", str(held))
    assert done.returncode == 2 and words in done.stderr and "Traceback" not in done.stderr
    assert states(held)["cfo"] == "held"


def test_a_window_that_is_not_a_duration_is_named(tmp_path):
    root = write_workspace(tmp_path / "ws", TOML + APPROVAL.replace('"48h"', '"two days"'))
    done = run_cli("check", "-w", str(root), *AS_OF)
    assert done.returncode == 2 and "approval.window" in done.stderr


def test_held_then_approved_through_dynamodb_and_ses(tmp_path, aws):  # noqa: F811
    (ses,) = clients(aws, "ses")
    ses.verify_email_identity(EmailAddress="reports@example.com")
    root = write_workspace(
        tmp_path / "ws",
        ses_toml(extra='[audit]\nstore = "dynamodb"\ntable = "bp-audit"\n' + APPROVAL),
    )
    env = aws.env()
    assert run_cli("send", "-w", str(root), *AS_OF, env=env).returncode == 0
    subjects = [
        email.message_from_string(m["raw_data"], policy=policy.default)["Subject"]
        for m in aws.sent_raw()
    ]
    assert sorted(subjects) == [
        "[Draft for approval] Small Co CEO report, October 2026: net -1.4k USD, cash 14.8k USD",
        "[Draft for approval] Small Co CFO report, October 2026: net -1.4k USD, cash 14.8k USD",
    ]
    assert states(root, env)["cfo"] == "held"
    approved = run_cli("approve", "2026-10", "-w", str(root), "--by", "Ana", env=env)
    assert approved.returncode == 0, approved.stderr
    assert len(aws.sent_raw()) == 4 and states(root, env)["cfo"] == "sent"
    assert run_cli("approve", "2026-10", "-w", str(root), env=env).returncode == 2


def test_the_local_scheduler_looks_at_held_deliveries_between_fires(held):
    from datetime import UTC, datetime

    from boardpack.schedule.local import Scheduler
    from tests.schedule.test_local import FakeClock

    toml = (
        (held / "boardpack.toml")
        .read_text()
        .replace('window = "48h"\n', 'window = "48h"\nauto_release = true\n')
    )
    (held / "boardpack.toml").write_text(toml + '\n[schedule]\ncron = "0 7 2 * *"\n')
    said: list[str] = []
    # an hour past the window, while the scheduler waits for its next fire
    clock = FakeClock(datetime.now(UTC) + timedelta(hours=49))
    Scheduler.for_workspace(held, clock, say=said.append).sleep_until(
        clock.now() + timedelta(hours=2)
    )
    assert said == ["2026-10: released after 48h without a decision: 2 sent"]
    assert states(held)["ceo"] == "sent"
