"""The one place that sends: plan, claim, send, record — under a unique delivery key.

Re-running a period sends only what is not yet `sent`. A delivery whose sending process died
between claim and outcome becomes `unknown`: held and reported, never re-sent blindly.

Sends run on a small thread pool, paced by a token bucket at the transport's send rate; every
audit-store call stays on the calling thread, so a store needs no locking of its own.
"""

from __future__ import annotations

import heapq
import itertools
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Protocol

from boardpack.audit.keys import DeliveryKey
from boardpack.audit.store import AuditStore, Intent, owner_alive, this_owner
from boardpack.delivery.addresses import bare
from boardpack.delivery.message import OutgoingMessage, Recipients
from boardpack.delivery.pacing import TokenBucket
from boardpack.delivery.transports.base import (
    Allowance,
    AmbiguousError,
    DeliveryError,
    Receipt,
    RetryableError,
    StopError,
    Transport,
)

MAX_BACKOFF = 60.0
STALE_CLAIM = timedelta(hours=1)  # far beyond any send's timeouts and retries: its process is gone


@dataclass(frozen=True)
class Outcome:
    key: DeliveryKey
    state: str  # the delivery's state after this run
    action: str  # sent | failed | unknown | already sent | held | busy | not sent
    detail: str = ""
    suppressed: tuple[str, ...] = ()  # recipients left out because they bounced or complained


@dataclass
class DispatchReport:
    outcomes: list[Outcome]
    stopped: str = ""  # why the batch stopped early (quota, sending paused, credentials), if it did
    retries: int = 0  # retryable failures (throttling, 4xx) met on the way

    def add(self, other: DispatchReport) -> None:
        """Another dispatch of the same run (the drafts, the chat cards), counted in this one."""
        self.outcomes += other.outcomes
        self.stopped = self.stopped or other.stopped
        self.retries += other.retries

    @property
    def ok(self) -> bool:
        """Everything sent, or held for an approver (or rejected by one) as asked."""
        decided = ("sent", "held", "rejected")
        return all(o.state in decided for o in self.outcomes) and not self.stopped

    @property
    def suppressed(self) -> dict[str, tuple[str, ...]]:
        return {o.key.report: o.suppressed for o in self.outcomes if o.suppressed}

    def summary(self) -> str:
        counts = Counter(o.action for o in self.outcomes)
        text = (
            ", ".join(f"{n} {action}" for action, n in sorted(counts.items())) or "nothing to send"
        )
        return f"{text}; stopped: {self.stopped}" if self.stopped else text


@dataclass(order=True)
class _Retry:
    not_before: float
    seq: int
    message: OutgoingMessage = field(compare=False)
    attempt: int = field(compare=False)


class Clock(Protocol):
    """The time the batch loop waits by: the system's, or a test's that moves only when told."""

    def now(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


@dataclass
class Policy:
    concurrency: int = 8
    max_attempts: int = 5
    retry_delay: float = 1.0
    resend_unknown: bool = False
    protected: frozenset[str] = frozenset()  # the alerts' address: kept with each delivery too


class Dispatcher:
    def __init__(
        self,
        store: AuditStore,
        transport: Transport,
        run_id: str,
        on_progress: Callable[[Outcome], None] | None = None,
        policy: Policy | None = None,
        clock: Clock | None = None,
    ):
        self.store, self.transport, self.run_id = store, transport, run_id
        self.clock = clock or SystemClock()
        self.owner = this_owner()
        self.on_progress = on_progress or (lambda outcome: None)
        self.policy = policy or Policy()

    def dispatch(self, messages: Sequence[OutgoingMessage], hold: str = "") -> DispatchReport:
        """Send `messages` in the order given (their priority); with `hold` (why), plan the new
        ones held for approval instead."""
        for period in {m.key.period for m in messages}:
            self.hold_orphans(period)
        suppressed = self.store.suppressed()
        states = self.store.plan(
            [
                Intent(
                    key=m.key,
                    recipients=m.envelope,
                    subject=m.subject,
                    message_id=m.message_id,
                    content_hash=m.content_hash,
                    protected=self.protected_in(m),
                )
                for m in messages
            ],
            self.run_id,
            hold,
        )
        outcomes: dict[DeliveryKey, Outcome] = {}
        to_send: list[OutgoingMessage] = []
        for message, state in zip(messages, states, strict=True):
            early = self._prepare(message, state, suppressed)
            if isinstance(early, Outcome):
                outcomes[message.key] = early
                self.on_progress(early)
            else:
                to_send.append(early)
        report = DispatchReport([])
        if to_send:
            self._send_all(to_send, {m.key: m for m in messages}, outcomes, report)
        report.outcomes = [outcomes[m.key] for m in messages]
        return report

    def protected_in(self, message: OutgoingMessage) -> tuple[str, ...]:
        """The recipients no notification may suppress: the audit copy, and the alerts' address."""
        audit = {bare(a) for a in message.recipients.bcc}
        return tuple(a for a in message.envelope if a in audit or a in self.policy.protected)

    def _prepare(
        self, message: OutgoingMessage, state: str, suppressed: set[str]
    ) -> OutgoingMessage | Outcome:
        """The message to send (less suppressed recipients), or why it is not sent."""
        key = message.key
        if state == "sent":
            return Outcome(key, "sent", "already sent")
        if state == "held":
            return Outcome(
                key,
                "held",
                "awaiting approval",
                f"`boardpack approve {key.period} --report {key.report}` sends it",
            )
        if state == "rejected":
            return Outcome(
                key,
                "rejected",
                "rejected",
                "an approver rejected it: a run under [approval] drafts it anew",
            )
        if state == "unknown" and not self.policy.resend_unknown:
            return Outcome(
                key=key,
                state="unknown",
                action="held",
                detail=(
                    "may have been delivered already; check the recipient's "
                    "mailbox, then `boardpack send --resend-unknown` if it never arrived"
                ),
            )
        if state == "sending":
            return Outcome(
                key=key, state="sending", action="busy", detail="another process is sending it"
            )
        left_out = tuple(a for a in message.envelope if a in suppressed)
        if not left_out:
            return message
        r = message.recipients
        kept = Recipients(
            *(tuple(a for a in group if bare(a) not in suppressed) for group in (r.to, r.cc, r.bcc))
        )
        if not kept.to and not kept.cc:
            detail = (
                f"every recipient is on the suppression list ({', '.join(left_out)}): fix the"
                " address in boardpack.toml or `boardpack suppressions --remove ADDRESS`"
            )
            if self.store.claim(key, self.run_id, self.owner, self.policy.resend_unknown):
                self.store.record(key, "failed", self.run_id, detail)
            return Outcome(
                key=key, state="failed", action="failed", detail=detail, suppressed=left_out
            )
        return replace(message, recipients=kept)

    def _send_all(
        self,
        to_send: list[OutgoingMessage],
        original: dict[DeliveryKey, OutgoingMessage],
        outcomes: dict[DeliveryKey, Outcome],
        report: DispatchReport,
    ) -> None:
        try:
            allowance = self.transport.allowance()
        except StopError as exc:
            report.stopped = str(exc)
            for message in to_send:
                outcomes[message.key] = Outcome(
                    key=message.key, state="planned", action="not sent", detail=str(exc)
                )
            return
        if allowance.remaining_today is not None:
            to_send = self._within_quota(to_send, allowance.remaining_today, outcomes, report)
        _Batch(self, allowance, to_send, original, outcomes, report).run()

    def _within_quota(
        self,
        queue: list[OutgoingMessage],
        remaining: int,
        outcomes: dict[DeliveryKey, Outcome],
        report: DispatchReport,
    ) -> list[OutgoingMessage]:
        """The messages that fit in what is left of the 24-hour quota, in priority order; the rest
        wait."""
        fitting, used = [], 0
        for message in queue:
            if used + len(message.envelope) > remaining:
                break
            fitting.append(message)
            used += len(message.envelope)
        if len(fitting) < len(queue):
            report.stopped = (
                f"the 24-hour sending quota has room for {remaining} more recipients, "
                "fewer than this batch needs; the rest stay planned for the next run"
            )
            for message in queue[len(fitting) :]:
                outcomes[message.key] = Outcome(
                    key=message.key, state="planned", action="not sent", detail=report.stopped
                )
        return fitting

    def hold_orphans(self, period: str) -> None:
        """Claims nobody will finish become `unknown`: the owner died, or (on another host) it is
        long stale."""
        now = datetime.now(UTC)
        for record in self.store.deliveries(period):
            if record.state != "sending":
                continue
            if not owner_alive(record.owner):
                why = (
                    f"the process {record.owner} stopped after claiming it, before recording the"
                    " outcome"
                )
            elif now - datetime.fromisoformat(record.updated_at) > STALE_CLAIM:
                why = (
                    f"{record.owner} claimed it at {record.updated_at[:19]} and never recorded an"
                    " outcome"
                )
            else:
                continue
            self.store.record(record.key, "unknown", self.run_id, why)


class _Batch:
    """One run's sends: a queue in priority order, a thread pool, a pace, the retries waiting their
    turn.

    Outcomes are recorded on the calling thread as soon as each send finishes — also while waiting
    for the pace — because the time between a hand-over and its record is what a crash turns into
    `unknown`.
    """

    def __init__(
        self,
        dispatcher: Dispatcher,
        allowance: Allowance,
        to_send: list[OutgoingMessage],
        original: dict[DeliveryKey, OutgoingMessage],
        outcomes: dict[DeliveryKey, Outcome],
        report: DispatchReport,
    ):
        self.d, self.policy = dispatcher, dispatcher.policy
        self.original, self.outcomes, self.report = original, outcomes, report
        self.queue = list(reversed(to_send))  # pop() from the end keeps priority order
        self.retries: list[_Retry] = []
        self.inflight: dict[Future, tuple[OutgoingMessage, int]] = {}
        self.clock = dispatcher.clock
        self.bucket = TokenBucket(allowance.max_send_rate, clock=self.clock.now)
        self.workers = min(
            self.policy.concurrency, allowance.concurrency or self.policy.concurrency
        )
        self.halted = False  # after a StopError nothing more is handed to the transport
        self.seq = itertools.count()

    def run(self) -> None:
        pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="send")
        try:
            while self.inflight or (not self.halted and (self.queue or self.retries)):
                self.settle([f for f in self.inflight if f.done()])
                nxt = self.next_due()
                if nxt is not None:
                    message, attempt = nxt
                    delay = self.bucket.reserve(len(message.envelope))
                    if delay:
                        self.idle(delay)
                    elif self.take(message, attempt):
                        self.inflight[pool.submit(self.d.transport.send, message)] = (
                            message,
                            attempt,
                        )
                # nothing may start now: wait for a send to finish, or for the next retry to fall
                # due
                else:
                    due = self.retries and not self.halted
                    self.idle(
                        max(0.0, self.retries[0].not_before - self.clock.now()) if due else None
                    )
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            # claimed but never re-sent (stopped or interrupted): free it for the next run
            for item in self.retries:
                self.finish(
                    item.message,
                    "planned",
                    f"not sent: {self.report.stopped or 'the run was interrupted'}",
                )
        for message in self.queue:
            self.outcomes[message.key] = Outcome(
                key=message.key,
                state="planned",
                action="not sent",
                detail=f"not sent: {self.report.stopped}",
            )

    def next_due(self) -> tuple[OutgoingMessage, int] | None:
        """The next message to send if one may start now (room in the pool, not halted): a due retry
        first."""
        if self.halted or len(self.inflight) >= self.workers:
            return None
        if self.retries and self.retries[0].not_before <= self.clock.now():
            return self.retries[0].message, self.retries[0].attempt
        return (self.queue[-1], 1) if self.queue else None

    def take(self, message: OutgoingMessage, attempt: int) -> bool:
        """Off the queue and claimed (a retry is already ours); False if another process has it."""
        if attempt > 1:
            heapq.heappop(self.retries)
            return True
        self.queue.pop()
        if self.d.store.claim(message.key, self.d.run_id, self.d.owner, self.policy.resend_unknown):
            return True
        self.outcomes[message.key] = Outcome(
            key=message.key, state="sending", action="busy", detail="another process is sending it"
        )
        return False

    def idle(self, timeout: float | None) -> None:
        """Wait up to `timeout` for a send to finish, recording what does."""
        if not self.inflight:
            self.clock.sleep(timeout or 0)
            return
        done, _ = wait(list(self.inflight), timeout=timeout, return_when=FIRST_COMPLETED)
        self.settle(done)

    def settle(self, futures) -> None:
        for future in futures:
            message, attempt = self.inflight.pop(future)
            try:
                receipt: Receipt = future.result()
            except RetryableError as exc:
                self.report.retries += 1
                if attempt >= self.policy.max_attempts:
                    self.finish(message, "failed", f"gave up after {attempt} attempts: {exc}")
                    continue
                delay = min(
                    MAX_BACKOFF, self.policy.retry_delay * 2 ** (attempt - 1)
                ) * random.uniform(0.5, 1.0)
                delay = max(delay, exc.retry_after or 0)  # never sooner than it was asked
                self.bucket.pause(delay)
                heapq.heappush(
                    self.retries,
                    _Retry(
                        not_before=self.clock.now() + delay,
                        seq=next(self.seq),
                        message=message,
                        attempt=attempt + 1,
                    ),
                )
            except StopError as exc:
                self.report.stopped = self.report.stopped or str(exc)
                self.halted = True
                self.finish(message, "planned", f"not sent: {exc}")
            except AmbiguousError as exc:
                self.finish(message, "unknown", str(exc))
            except DeliveryError as exc:
                self.finish(message, "failed", str(exc))
            # a fault after the hand-over may mean it was sent: never re-send blindly
            except Exception as exc:
                self.finish(message, "unknown", f"{type(exc).__name__}: {exc}")
            else:
                self.finish(message, "sent", receipt.detail, receipt.transport_id)

    def finish(
        self, message: OutgoingMessage, state: str, detail: str = "", transport_id: str = ""
    ) -> None:
        self.d.store.record(message.key, state, self.d.run_id, detail, transport_id)
        left_out = tuple(
            a for a in self.original[message.key].envelope if a not in message.envelope
        )
        outcome = Outcome(
            key=message.key,
            state=state,
            action="not sent" if state == "planned" else state,
            detail=detail,
            suppressed=left_out,
        )
        self.outcomes[message.key] = outcome
        self.d.on_progress(outcome)
