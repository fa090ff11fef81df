"""The dispatcher against a real SQLite store and a real outbox folder."""

import os
import subprocess
import sys

import pytest

from boardpack.audit.sqlite import SqliteAuditStore
from boardpack.audit.store import Intent
from boardpack.delivery.dispatcher import Dispatcher
from boardpack.delivery.transports.base import Allowance, AmbiguousError, PermanentError
from boardpack.delivery.transports.outbox import OutboxTransport, read_index
from tests.delivery.messages import messages


class Flaky:
    """A transport that fails as told, then hands over to the real outbox."""

    name = "flaky"

    def __init__(self, outbox, error):
        self.outbox, self.error = outbox, error

    def allowance(self):
        return Allowance()

    def send(self, message):
        if self.error:
            raise self.error
        return self.outbox.send(message)

    def close(self):
        pass


@pytest.fixture
def store(tmp_path):
    s = SqliteAuditStore(tmp_path / "audit.sqlite")
    yield s
    s.close()


def test_sending_twice_sends_nothing_the_second_time(tmp_path, store):
    outbox = OutboxTransport(tmp_path / "outbox")
    first = Dispatcher(store, outbox, "run-1").dispatch(messages())
    second = Dispatcher(store, outbox, "run-2").dispatch(messages())
    assert [o.action for o in first.outcomes] == ["sent"] * 3
    assert [o.action for o in second.outcomes] == ["already sent"] * 3
    index = read_index(tmp_path / "outbox")
    assert len(index) == 3 and len({e["message_id"] for e in index}) == 3
    assert index[0]["recipients"] == ["r0@example.com", "audit@example.com"]


def test_a_failed_delivery_is_retried_on_the_next_run(tmp_path, store):
    outbox = OutboxTransport(tmp_path / "outbox")
    failed = Dispatcher(
        store, Flaky(outbox, PermanentError("550 mailbox unavailable")), "run-1"
    ).dispatch(messages(1))
    assert failed.outcomes[0].state == "failed" and not failed.ok
    retried = Dispatcher(store, outbox, "run-2").dispatch(messages(1))
    assert retried.outcomes[0].state == "sent" and retried.ok
    assert store.deliveries()[0].attempts == 2


def test_an_ambiguous_failure_is_held_as_unknown_and_never_resent(tmp_path, store):
    outbox = OutboxTransport(tmp_path / "outbox")
    first = Dispatcher(
        store, Flaky(outbox, AmbiguousError("connection lost after DATA")), "run-1"
    ).dispatch(messages(1))
    assert first.outcomes[0].state == "unknown"
    again = Dispatcher(store, outbox, "run-2").dispatch(messages(1))
    assert again.outcomes[0].action == "held" and not again.ok
    assert read_index(tmp_path / "outbox") == []


def test_an_unexpected_transport_fault_is_unknown_not_failed(tmp_path, store):
    report = Dispatcher(store, Flaky(None, RuntimeError("boom")), "run-1").dispatch(messages(1))
    assert (
        report.outcomes[0].state == "unknown" and "RuntimeError: boom" in report.outcomes[0].detail
    )


def test_a_claim_left_by_a_dead_process_becomes_unknown(tmp_path, store):
    (message,) = messages(1)
    store.plan(
        [
            Intent(
                key=message.key,
                recipients=message.envelope,
                subject=message.subject,
                message_id=message.message_id,
                content_hash="h",
            )
        ],
        "run-0",
    )
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    store.claim(message.key, "run-0", f"{os.uname().nodename}:{dead.stdout.strip()}")
    report = Dispatcher(store, OutboxTransport(tmp_path / "outbox"), "run-1").dispatch([message])
    assert report.outcomes[0].action == "held"
    assert store.transitions(message.key)[-1].to_state == "unknown"
    assert "stopped after claiming it" in store.transitions(message.key)[-1].detail


def test_a_claim_held_by_a_live_process_is_left_alone(tmp_path, store):
    (message,) = messages(1)
    store.plan(
        [
            Intent(
                key=message.key,
                recipients=message.envelope,
                subject=message.subject,
                message_id=message.message_id,
                content_hash="h",
            )
        ],
        "run-0",
    )
    store.claim(message.key, "run-0", f"{os.uname().nodename}:{os.getppid()}")
    report = Dispatcher(store, OutboxTransport(tmp_path / "outbox"), "run-1").dispatch([message])
    assert report.outcomes[0].action == "busy" and store.deliveries()[0].state == "sending"


def test_a_claim_from_another_host_is_held_once_it_is_long_stale(tmp_path, store):
    (message,) = messages(1)
    store.plan(
        [
            Intent(
                key=message.key,
                recipients=message.envelope,
                subject=message.subject,
                message_id=message.message_id,
                content_hash="h",
            )
        ],
        "run-0",
    )
    store.claim(message.key, "run-0", "other-host:123")
    fresh = Dispatcher(store, OutboxTransport(tmp_path / "outbox"), "run-1").dispatch([message])
    assert fresh.outcomes[0].action == "busy"  # it may still be sending
    store.db.execute("UPDATE deliveries SET updated_at = '2026-01-01T00:00:00.000+00:00'")
    stale = Dispatcher(store, OutboxTransport(tmp_path / "outbox"), "run-2").dispatch([message])
    assert (
        stale.outcomes[0].action == "held"
        and "never recorded an outcome" in store.transitions(message.key)[-1].detail
    )
