"""Class 4: notifications change nothing they cannot prove. A bounce or complaint suppresses an
address only when it is about a message this workspace sent and names one of its recipients; the
audit and alert addresses are never suppressed (the owner is alerted instead); malformed input is
refused whole, before anything is stored; in a Lambda batch each record stands alone."""

from __future__ import annotations

import contextlib
import io
import json
import sqlite3
from pathlib import Path

import pytest

from boardpack import cli
from boardpack.audit.sqlite import SqliteAuditStore
from boardpack.feedback.events import ingest, lambda_records
from tests.conftest import TOML, write_workspace
from tests.delivery.ses_events import bounce_event, complaint_notification
from tests.hostile.corpus import AS_OF, Case, append, problems_of, run_case

ALERTS = append('[alerts]\nemail = "ops@example.com"\n')


def send_first(ws: Path) -> None:
    """The pack goes out once (to the outbox), so notifications have real messages to be about."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        with contextlib.suppress(SystemExit):
            cli.main(["send", *AS_OF, "-w", str(ws)])


def message_id(ws: Path, recipient: str) -> str:
    with contextlib.closing(sqlite3.connect(ws / ".boardpack" / "audit.sqlite")) as db:
        rows = db.execute(
            "SELECT recipients, transport_id FROM deliveries WHERE state = 'sent'"
        ).fetchall()
    return next(tid for recipients, tid in rows if recipient in recipients.split("\n"))


def stored(ws: Path) -> tuple[int, set[str]]:
    path = ws / ".boardpack" / "audit.sqlite"
    if not path.is_file():
        return 0, set()
    with contextlib.closing(sqlite3.connect(path)) as db:
        return (
            db.execute("SELECT count(*) FROM events").fetchone()[0],
            {a for (a,) in db.execute("SELECT address FROM suppressions")},
        )


class About:
    """A notification written after the send, about one of the messages sent (or another)."""

    def __init__(self, build, recipient_of: str | None = "cfo@example.com"):
        self.build, self.recipient_of = build, recipient_of

    def __call__(self, ws: Path) -> None:
        send_first(ws)
        ident = message_id(ws, self.recipient_of) if self.recipient_of else "never-sent-by-us"
        (ws / "notes.json").write_text(json.dumps(self.build(ident)))


def notification(
    id: str,
    about: About | None,
    *says: str,
    code: int = 0,
    stdin: bytes = b"",
    toml=None,
    files: dict | None = None,
) -> Case:
    argv = ("events", "ingest", "-" if stdin or about is None else "{ws}/notes.json")
    return Case(
        id, "notifications", argv, toml, files or {}, about, code, says, sends=True, stdin=stdin
    )


def nested(depth: int) -> bytes:
    return b'{"eventType": "Bounce", "mail": ' + b"[" * depth + b"]" * depth + b"}"


# (case, addresses that must be suppressed afterwards, and whether any event may be stored)
CASES = [
    (
        notification(
            "a bounce about a message never sent here",
            About(lambda i: bounce_event(i, "cfo@example.com"), None),
            "no delivery has the SES message id never-sent-by-us",
        ),
        set(),
        True,
    ),
    (
        notification(
            "a complaint naming someone the message was not sent to",
            About(lambda i: complaint_notification(i, "ceo-stranger@example.com")),
        ),
        set(),
        True,
    ),
    (
        notification(
            "a bounce for the audit copy's address",
            About(lambda i: bounce_event(i, "audit@example.com")),
            "audit@example.com bounced or complained",
            "alert: email ops@example.com: sent",
            toml=ALERTS,
        ),
        set(),
        True,
    ),
    (
        notification(
            "a complaint for the alert address",
            About(lambda i: complaint_notification(i, "ops@example.com")),
            toml=lambda t: ALERTS(t).replace(
                'bcc = ["audit@example.com"]', 'bcc = ["ops@example.com"]'
            ),
        ),
        set(),
        True,
    ),
    (
        notification(
            "a hard bounce for a real recipient (suppressed)",
            About(lambda i: bounce_event(i, "cfo@example.com")),
            "suppressed: cfo@example.com",
        ),
        {"cfo@example.com"},
        True,
    ),
    (
        notification(
            "a soft bounce for a real recipient",
            About(lambda i: bounce_event(i, "cfo@example.com", "Transient")),
        ),
        set(),
        True,
    ),
    (
        notification(
            "recipients as a string",
            About(
                lambda i: {
                    **bounce_event(i, "cfo@example.com"),
                    "bounce": {"bounceType": "Permanent", "bouncedRecipients": "cfo@example.com"},
                }
            ),
            "bouncedRecipients",
            code=2,
        ),
        set(),
        False,
    ),
    (
        notification(
            "a message id that is a number",
            None,
            "mail.messageId",
            code=2,
            stdin=json.dumps(bounce_event("x", "cfo@example.com")).replace('"x"', "12345").encode(),
        ),
        set(),
        False,
    ),
    (
        notification(
            "an address that is a number",
            About(
                lambda i: {
                    **bounce_event(i, "cfo@example.com"),
                    "bounce": {
                        "bounceType": "Permanent",
                        "bouncedRecipients": [{"emailAddress": 7}],
                    },
                }
            ),
            "emailAddress",
            code=2,
        ),
        set(),
        False,
    ),
    (
        notification(
            "nested ten thousand deep", None, "nested deeper", code=2, stdin=nested(10_000)
        ),
        set(),
        False,
    ),
    (
        notification("nested forty deep", None, "nested deeper", code=2, stdin=nested(40)),
        set(),
        False,
    ),
    (
        notification("over ten megabytes", None, "is more than", code=2, stdin=b" " * 10_000_001),
        set(),
        False,
    ),
    (
        notification("not UTF-8", None, "not UTF-8", code=2, stdin=b'{"eventType": "\xff\xfe"}'),
        set(),
        False,
    ),
    (notification("binary", None, code=2, stdin=bytes(range(256))), set(), False),
    (
        notification(
            "one good and one bad: none stored",
            About(lambda i: [bounce_event(i, "cfo@example.com"), {"eventType": "Bounce"}]),
            "notification 2",
            code=2,
        ),
        set(),
        False,
    ),
    (
        notification(
            "Records that are not a list",
            None,
            "Records is not a list",
            code=2,
            stdin=b'{"Records": 5}',
        ),
        set(),
        False,
    ),
    (
        notification(
            "an SNS envelope holding bad JSON",
            None,
            "not valid JSON inside the envelope",
            code=2,
            stdin=b'{"Type": "Notification", "Message": "{oops"}',
        ),
        set(),
        False,
    ),
    (
        notification(
            "JSON Lines with a bad second line",
            None,
            "<stdin>:2:",
            code=2,
            stdin=b'{"eventType": "Delivery", "mail": {"messageId": "a"}}\n{"eventType": \n',
        ),
        set(),
        False,
    ),
    (
        notification(
            "five thousand recipients",
            About(
                lambda i: {
                    **bounce_event(i, "cfo@example.com"),
                    "bounce": {
                        "bounceType": "Permanent",
                        "bouncedRecipients": [
                            {"emailAddress": f"u{n}@example.com"} for n in range(5000)
                        ],
                    },
                }
            ),
            "bouncedRecipients",
            code=2,
        ),
        set(),
        False,
    ),
    (
        notification(
            "a huge address",
            About(lambda i: bounce_event(i, "a" * 5000 + "@example.com")),
            "emailAddress",
            code=2,
        ),
        set(),
        False,
    ),
    (
        notification(
            "no mail object", None, "mail", code=2, stdin=b'{"notificationType": "Bounce"}'
        ),
        set(),
        False,
    ),
    (
        notification(
            "an SNS subscription confirmation is never fetched",
            None,
            "never fetches it",
            stdin=json.dumps(
                {
                    "Type": "SubscriptionConfirmation",
                    "TopicArn": "arn:aws:sns:us-east-1:1:t",
                    "SubscribeURL": "http://127.0.0.1:9/confirm",
                    "Message": "x",
                }
            ).encode(),
        ),
        set(),
        False,
    ),
]


@pytest.mark.parametrize("case, suppressed, stores", CASES, ids=[c.id for c, _, _ in CASES])
def test_a_notification_changes_only_what_it_proves(case, suppressed, stores, tmp_path):
    outcome = run_case(case, tmp_path)
    assert problems_of(case, outcome, tmp_path / "ws") == []
    events, addresses = stored(tmp_path / "ws")
    assert addresses == suppressed
    if not stores:
        assert events == 0, "a refused file stored some of its events"


def test_a_lambda_batch_keeps_good_records_and_reports_the_bad_one(tmp_path):
    """SQS records one by one: the good one stored, the bad ones named for a retry, the stranger
    skipped."""
    ws = tmp_path / "ws"
    write_workspace(ws, TOML)
    send_first(ws)
    good = bounce_event(message_id(ws, "cfo@example.com"), "cfo@example.com")
    records = [
        {"messageId": "m-good", "body": json.dumps(good)},
        {"messageId": "m-bad", "body": json.dumps({**good, "mail": {"messageId": 42}})},
        {"messageId": "m-other", "body": json.dumps({"hello": "world"})},
        {"messageId": "m-broken", "body": "{not json"},
    ]
    events, skipped, failed = lambda_records({"Records": records})
    assert failed == ["m-bad", "m-broken"] and len(events) == 1
    assert any("not an SES notification" in note for note in skipped)
    store = SqliteAuditStore(ws / ".boardpack" / "audit.sqlite")
    try:
        result = ingest(store, events, skipped)
    finally:
        store.close()
    assert result.suppressed == ["cfo@example.com"] and stored(ws) == (1, {"cfo@example.com"})
