"""What changed for you (issue 24, part 4): each message opens with what changed since the last pack
its recipients were sent, from the audit trail — the figures past their threshold, the findings new
and resolved — and a recipient never sent the report is told this one is the baseline. Through the
real audit store (SQLite here, DynamoDB below), the real message bytes and the preview."""

from __future__ import annotations

import email
import json
import re
from datetime import date
from decimal import Decimal
from email import policy

from boardpack.config import VarianceThreshold, load_workspace
from boardpack.delivery.plan import plan_messages
from boardpack.model import Metric
from boardpack.pipeline import build_pack
from boardpack.preview import Preview
from boardpack.reports.changes import History, Sent
from tests.conftest import (
    GENERATED_AT,
    LEDGER,
    TOML,
    aws,  # noqa: F401 (a fixture)
    moto_server,  # noqa: F401 (a fixture)
    run_cli,
    ses_toml,
    write_workspace,
)
from tests.delivery.test_send_cli import clients

# November: a large sale (revenue 1,200 → 9,000), so October's loss and break-even findings go
NOVEMBER = LEDGER + "2026-11-05,Acme,November sale,9000.00,Income:Sales\n"
NEW_CC = 'cc = ["owner@example.com", "new@example.com"]'


def opening(raw: bytes) -> str:
    """The plain-text part of a message, from its first section to 'In brief'."""
    text = email.message_from_bytes(raw, policy=policy.default).get_body(("plain",)).get_content()
    start = text.index("WHAT CHANGED FOR YOU")
    assert start < text.index("IN BRIEF") < text.index("KEY NUMBERS")  # it leads the message
    return " ".join(text[start : text.index("IN BRIEF")].split())


def sent_october_then_november(root, toml: str = TOML) -> None:
    """October sent to cfo@ and owner@; then November's books, and new@ added to the CFO's copy."""
    done = run_cli("send", "-w", str(root), "--as-of", "2026-11-15")
    assert done.returncode == 0, done.stderr
    november_books(root, toml)


def november_books(root, toml: str) -> None:
    (root / "ledger/bank.csv").write_text(NOVEMBER)
    (root / "boardpack.toml").write_text(toml.replace('cc = ["owner@example.com"]', NEW_CC))


def november(root):
    ws = load_workspace(root, environ={})
    pack = build_pack(ws, date(2026, 12, 15), generated_at=GENERATED_AT)
    messages, _ = plan_messages(ws, pack.documents, GENERATED_AT, history=pack.history)
    return pack, {m.key.report: m for m in messages}, [m for m in messages if m.key.report == "cfo"]


def test_an_old_and_a_new_recipient_each_read_their_own_changes(tmp_path):
    root = write_workspace(tmp_path / "ws")
    sent_october_then_november(root)
    pack, by_report, _ = november(root)
    cfo = next(d for d in pack.documents if d.id == "cfo")
    said = opening(by_report["cfo"].raw)
    revenue = cfo.footnote_number("finance.revenue")
    # one message (its recipients together, as the delivery key has them): a paragraph for each
    assert said.startswith(
        "WHAT CHANGED FOR YOU -------------------- For cfo@example.com, owner@example.com: since"
        " the last one you were sent, for October 2026: "
    )
    # revenue is a key number: its move since October is in its tile, so it is counted, not said
    assert "15 figures moved past their threshold: 3 key numbers in the tiles and 12 more (the" in (
        said
    )
    assert f"Revenue: 9,000.00 USD [{revenue}]" not in said
    assert "Revenue — Small Co: 9,000.00 USD" in said
    assert (
        "Resolved: Decision rule failed: Net income is positive; Revenue is below break-even."
        in said
    )
    assert said.endswith(
        "For new@example.com: this is the first CFO report you have been sent: everything below"
        " is the baseline. From the next one on, this space says what changed since."
    )
    # the CEO report's reader is told what is new in it, with its severity
    ceo = opening(by_report["ceo"].raw)
    assert "New: Small Co had no visits on any channel in November 2026 (medium)." in ceo
    assert "For " not in ceo  # one reader, one history: no names
    # the report files `build` writes are the report itself, the same for everyone
    opened = [d.id for d in pack.documents if d.sections[0].id == "changes"]
    assert pack.documents and opened == []


def test_separate_messages_tell_each_reader_only_their_own(tmp_path):
    toml = TOML.replace("[delivery]\n", "[delivery]\nseparate = true\n")
    root = write_workspace(tmp_path / "ws", toml)
    sent_october_then_november(root, toml)
    _, _, cfo = november(root)
    by_address = {m.recipients.to[0]: m for m in cfo}
    assert set(by_address) == {"cfo@example.com", "owner@example.com", "new@example.com"}
    old, new = opening(by_address["cfo@example.com"].raw), opening(
        by_address["new@example.com"].raw
    )
    assert "Since the last one you were sent, for October 2026" in old
    assert "first CFO report" not in old and "new@example.com" not in old
    assert "This is the first CFO report you have been sent" in new
    assert "October 2026" not in new
    # the audit trail hashes what each reader read
    assert (
        by_address["cfo@example.com"].content_hash == by_address["owner@example.com"].content_hash
    )
    assert by_address["cfo@example.com"].content_hash != by_address["new@example.com"].content_hash


def test_the_preview_shows_each_recipient_their_own_opening(tmp_path):
    toml = TOML.replace("[delivery]\n", "[delivery]\nseparate = true\n")
    root = write_workspace(tmp_path / "ws", toml)
    sent_october_then_november(root, toml)
    view = Preview(load_workspace(root, environ={}), as_of=date(2026, 12, 15)).view("2026-11")
    letters = {letter.label: letter.body("plain") for letter in view.letters["cfo"]}
    assert "Since the last one you were sent, for October 2026" in letters["owner@example.com"]
    assert "This is the first CFO report" in letters["new@example.com"]


def test_a_first_pack_is_everyones_baseline_and_an_unreadable_store_leaves_it_out(tmp_path):
    root = write_workspace(tmp_path / "ws")
    ws = load_workspace(root, environ={})
    pack = build_pack(ws, date(2026, 11, 15), generated_at=GENERATED_AT)
    messages, _ = plan_messages(ws, pack.documents, GENERATED_AT, history=pack.history)
    cfo = opening(next(m for m in messages if m.key.report == "cfo").raw)
    assert "For " not in cfo and "This is the first CFO report" in cfo
    # a store that cannot be read: the pack still builds, without an opening it cannot vouch for
    (ws.state_dir).mkdir(parents=True, exist_ok=True)
    (ws.state_dir / "audit.sqlite").write_bytes(b"not a database" * 100)
    pack = build_pack(ws, date(2026, 11, 15), generated_at=GENERATED_AT)
    assert pack.history is None
    messages, _ = plan_messages(ws, pack.documents, GENERATED_AT, history=pack.history)
    assert messages and [m for m in messages if b"WHAT CHANGED FOR YOU" in m.raw] == []


def metric(value, unit="USD", status=None, id="m") -> Metric:
    return Metric(id=id, label="M", value=value, unit=unit, provenance=(), status=status)


def test_a_figure_is_listed_only_past_its_threshold():
    history = History({}, {}, frozenset(), VarianceThreshold())  # 500.00 and 10%

    def past(now: Metric, then: str, status=None) -> bool:
        return history.past(now, Sent("October 2026", {"m": [then, status]}, {}, {}))

    assert past(metric(Decimal("1600.00")), "1000.00")  # 600 and 60%
    assert not past(metric(Decimal("1400.00")), "1000.00")  # 40%, but 400 is under 500
    assert not past(metric(Decimal("10600.00")), "10000.00")  # 600, but 6% is under 10%
    assert past(metric(Decimal("600.00")), "0.00")  # from nothing: any share
    assert past(metric(2, unit="findings"), "1")  # not money: the percent alone
    assert not past(metric(Decimal("10.5"), unit="months"), "10.0")
    assert past(metric(Decimal("1000.00"), status="bad"), "1000.00", "good")  # crossed its target
    assert not past(metric(date(2027, 3, 1), unit=""), "2027-02-01")  # a date: its status only
    assert not past(metric(Decimal("1600.00"), id="other"), "1000.00")  # not in that pack


def test_the_dynamodb_audit_store_carries_follow_through_and_changes_across_three_packs(
    tmp_path, aws  # noqa: F811
):
    (ses,) = clients(aws, "ses")
    ses.verify_email_identity(EmailAddress="reports@example.com")
    toml = ses_toml(extra='[audit]\nstore = "dynamodb"\ntable = "bp-audit"\n')
    root = write_workspace(tmp_path / "ws", toml)

    def send(as_of: str) -> dict[str, bytes]:
        before = len(aws.sent_raw())
        done = run_cli("send", "-w", str(root), "--as-of", as_of, env=aws.env())
        assert done.returncode == 0, done.stderr
        return {
            email.message_from_string(m["raw_data"])["X-Boardpack-Delivery"].split("/")[1]: (
                m["raw_data"].encode()
            )
            for m in aws.sent_raw()[before:]
        }

    october = send("2026-11-15")
    assert "This is the first CEO report" in opening(october["ceo"])
    november_books(root, toml)
    (root / "notes/co.md").write_text(
        (root / "notes/co.md")
        .read_text()
        .replace("- [ ] @cfo Renegotiate", "- [x] @cfo Renegotiate")
    )
    nov = send("2026-12-15")
    ceo = opening(nov["ceo"])
    assert "Since the last one you were sent, for October 2026" in ceo
    assert "Resolved: Decision rule failed: Net income is positive" in ceo
    text = email.message_from_bytes(nov["ceo"], policy=policy.default).get_body(("plain",))
    said = " ".join(text.get_content().split())
    assert re.search(r"Since the October 2026 pack: [1-9]\d* actions? \[\d+\] done", said)
    # December: the supplier risk is in its third pack, as DynamoDB recorded the two before
    out = tmp_path / "out"
    built = run_cli(
        "build", "-w", str(root), "--as-of", "2027-01-15", "--role", "ceo", "--format", "json",
        "--out", str(out), env=aws.env(),
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    doc = json.loads((out / "2026-12" / "ceo.json").read_text())
    found = [
        i
        for s in doc["sections"]
        for b in s["blocks"]
        if b["type"] == "findings"
        for i in b["items"]
        if i["title"].startswith("Key supplier")
    ]
    assert [(i["status"], i["age"]) for i in found] == [("recurring", 3)]
    # its action keeps the due date October's pack gave it, as DynamoDB recorded it: slipped — the
    # report says so with the finding, the one place it shows the action
    (step,) = [i["step"] for i in found]
    assert (step["due"], step["status"], step["days_late"]) == ("2026-11-29", "slipped", 47)
    assert not [
        i
        for s in doc["sections"]
        for b in s["blocks"]
        if b["type"] == "actions"
        for i in b["items"]
        if i["title"].startswith("Key supplier")
    ]


def test_a_pack_sent_before_reports_were_recorded_is_said_so(pack):
    """An upgrade: the store says who was sent September, not what its reports showed."""
    cfo = next(d for d in pack.documents if d.id == "cfo")
    history = History.of(
        [], {("cfo", "a@example.com"): "2026-09"}, {"2026-09": "September 2026"}, frozenset(),
        VarianceThreshold(),
    )  # fmt: skip
    (line,) = history.section(cfo, ("a@example.com",)).blocks
    assert line.text == (
        "The last one you were sent was for September 2026, and the audit store has no record of"
        " what it showed: everything below is the baseline."
    )


def test_a_key_numbers_move_is_said_when_its_tile_does_not_say_it(pack):
    """A reader last sent August: the tiles' moves are since September, so what changed since
    August says the key numbers' moves too; a reader last sent September has them in the tiles."""
    from boardpack.model import PackEntry

    cfo = next(d for d in pack.documents if d.id == "cfo")
    cash = next(m for m in cfo.headline if m.id == "finance.cash_balance")
    burn = next(m for m in cfo.footnotes if m.id == "finance.gross_burn")

    def told(label: str, title: str) -> list[str]:
        recorded = [
            PackEntry(label, "metric", cash.id, json.dumps([str(cash.value * 2), None])),
            PackEntry(label, "metric", burn.id, json.dumps([str(burn.value * 2), None])),
            PackEntry(label, "report", "cfo", json.dumps({"metrics": [cash.id, burn.id],
                                                          "findings": []})),
        ]  # fmt: skip
        history = History.of(
            recorded, {("cfo", "a@example.com"): label}, {label: title}, frozenset(),
            VarianceThreshold(),
        )  # fmt: skip
        return [b.text for b in history.section(cfo, ("a@example.com",)).blocks]

    assert cfo.previous_title == "September 2026"
    september = told("2026-09", "September 2026")
    assert september[0].startswith(
        "Since the last one you were sent, for September 2026: 2 figures moved past their"
        " threshold: 1 key number in the tiles and 1 more (below),"
    )
    # (the findings the report shows are new to this reader, whose record has none)
    assert [line.split(":")[0] for line in september[1:]] == ["Gross burn (monthly)", "New"]
    august = told("2026-08", "August 2026")
    assert august[0].startswith("Since the last one you were sent, for August 2026: 2 figures")
    assert [line.split(":")[0] for line in august[1:]] == [
        "Cash balance",
        "Gross burn (monthly)",
        "New",
    ]
