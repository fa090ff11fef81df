"""The dispatcher's batch loop, in milliseconds: a MockTransport says what each send does, and a
clock that moves only when the loop waits replaces the wall clock. Retry, stop, quota and pace are
checked exactly, with both bounds; the moto and aiosmtpd tests keep the wire."""

from __future__ import annotations

import threading
from bisect import bisect_left

import pytest

from boardpack.audit.sqlite import SqliteAuditStore
from boardpack.delivery.dispatcher import Dispatcher, Policy
from boardpack.delivery.transports.base import (
    Allowance,
    MockTransport,
    PermanentError,
    Receipt,
    RetryableError,
    StopError,
)
from tests.delivery.messages import messages


class StepClock:
    """Time that passes only when the loop sleeps."""

    def __init__(self):
        self.t, self.lock = 0.0, threading.Lock()

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.t += seconds


@pytest.fixture
def store(tmp_path):
    opened = SqliteAuditStore(tmp_path / "audit.sqlite")
    yield opened
    opened.close()


def dispatch(store, clock, handler, batch, allowance=None, **policy):
    transport = MockTransport(handler, allowance)
    settings = Policy(concurrency=1, **policy)
    return Dispatcher(store, transport, "run", policy=settings, clock=clock).dispatch(batch)


def test_a_retryable_error_is_retried_with_backoff_then_sent(store):
    clock, calls = StepClock(), []

    def handler(message):
        calls.append(clock.now())
        if len(calls) < 3:
            raise RetryableError("throttled")
        return Receipt(transport_id="id-1")

    (outcome,) = dispatch(store, clock, handler, messages(1), retry_delay=1.0).outcomes
    assert outcome.state == "sent" and len(calls) == 3
    # backoff: 1 s then 2 s, each times a jitter of 0.5 to 1.0
    assert 0.5 <= calls[1] - calls[0] <= 1.0 + 1e-9
    assert 1.0 <= calls[2] - calls[1] <= 2.0 + 1e-9


def test_a_retryable_error_that_never_clears_fails_after_the_last_attempt(store):
    clock, calls = StepClock(), []

    def handler(message):
        calls.append(message.key)
        raise RetryableError("throttled")

    report = dispatch(store, clock, handler, messages(1), max_attempts=3, retry_delay=0.5)
    assert [o.state for o in report.outcomes] == ["failed"] and len(calls) == 3
    assert "gave up after 3 attempts" in report.outcomes[0].detail and report.retries == 3


def test_a_stop_halts_the_batch_and_leaves_the_rest_planned(store):
    clock, sent = StepClock(), []

    def handler(message):
        if sent:
            raise StopError("daily quota used up")
        sent.append(message.key)
        return Receipt(transport_id="id")

    report = dispatch(store, clock, handler, messages(4))
    assert [o.state for o in report.outcomes] == ["sent", "planned", "planned", "planned"]
    assert report.stopped == "daily quota used up" and len(sent) == 1
    assert [d.state for d in store.deliveries("2026-10")].count("planned") == 3


def test_a_permanent_error_fails_that_message_and_the_batch_goes_on(store):
    def handler(message):
        if message.key.report == "report1":
            raise PermanentError("rejected")
        return Receipt(transport_id="id")

    report = dispatch(store, StepClock(), handler, messages(3))
    assert [o.state for o in report.outcomes] == ["sent", "failed", "sent"]


def test_what_does_not_fit_the_quota_waits_in_priority_order(store):
    sent = []

    def handler(message):
        sent.append(message.key.report)
        return Receipt(transport_id="id")

    # each message has two recipients (its own and the audit copy): a quota of 5 fits two messages
    report = dispatch(store, StepClock(), handler, messages(4), Allowance(remaining_today=5))
    assert sent == ["report0", "report1"]
    assert [o.state for o in report.outcomes] == ["sent", "sent", "planned", "planned"]
    assert "24-hour sending quota" in report.stopped


def test_the_pace_keeps_every_second_within_the_rate(store):
    clock, sends = StepClock(), []

    def handler(message):
        sends.append((clock.now(), len(message.envelope)))
        return Receipt(transport_id="id")

    rate = 4.0  # recipients a second; each message has two
    report = dispatch(store, clock, handler, messages(20), Allowance(max_send_rate=rate))
    assert [o.state for o in report.outcomes] == ["sent"] * 20
    times = [t for t, _ in sends]
    for start, (t, _) in enumerate(sends):
        in_window = sum(n for _, n in sends[start : bisect_left(times, t + 1.0 - 1e-9)])
        assert in_window <= rate
    total = sum(n for _, n in sends)
    # the whole batch at about the rate
    assert total / rate * 0.9 <= times[-1] <= total / (0.95 * rate)
