"""The one place that sends: plan, claim, send, record — under a unique delivery key.

Re-running a period sends only what is not yet `sent`. A delivery whose sending process died
between claim and outcome becomes `unknown`: held and reported, never re-sent blindly.

Sends run on a small thread pool, paced by a token bucket at the transport's send rate; every
audit-store call stays on the calling thread, so a store needs no locking of its own.
"""

from __future__ import annotations

import heapq
import itertools
import os
import random
import socket
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from boardpack.audit.store import AuditStore, Intent
from boardpack.delivery.addresses import bare
from boardpack.delivery.message import DeliveryKey, OutgoingMessage, Recipients
from boardpack.delivery.pacing import TokenBucket
from boardpack.delivery.transports.base import (
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

    @property
    def ok(self) -> bool:
        return all(o.state == "sent" for o in self.outcomes) and not self.stopped

    @property
    def suppressed(self) -> dict[str, tuple[str, ...]]:
        return {o.key.report: o.suppressed for o in self.outcomes if o.suppressed}

    def summary(self) -> str:
        counts = Counter(o.action for o in self.outcomes)
        text = ", ".join(f"{n} {action}" for action, n in sorted(counts.items())) or "nothing to send"
        return f"{text}; stopped: {self.stopped}" if self.stopped else text


def this_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_alive(owner: str) -> bool:
    """Whether the process that claimed a delivery may still be sending it (other hosts: assume so)."""
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(order=True)
class _Retry:
    not_before: float
    seq: int
    message: OutgoingMessage = field(compare=False)
    attempt: int = field(compare=False)


@dataclass
class Policy:
    concurrency: int = 8
    max_attempts: int = 5
    retry_delay: float = 1.0
    resend_unknown: bool = False


class Dispatcher:
    def __init__(self, store: AuditStore, transport: Transport, run_id: str,
                 on_progress: Callable[[Outcome], None] | None = None, policy: Policy | None = None):
        self.store, self.transport, self.run_id = store, transport, run_id
        self.owner = this_owner()
        self.on_progress = on_progress or (lambda outcome: None)
        self.policy = policy or Policy()

    def dispatch(self, messages: Sequence[OutgoingMessage]) -> DispatchReport:
        """Send `messages` in the order given (their priority)."""
        for period in {m.key.period for m in messages}:
            self.hold_orphans(period)
        suppressed = self.store.suppressed()
        states = self.store.plan([Intent(m.key, m.envelope, m.subject, m.message_id, m.content_hash)
                                  for m in messages], self.run_id)
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

    def _prepare(self, message: OutgoingMessage, state: str, suppressed: set[str]) -> OutgoingMessage | Outcome:
        """The message to send (less suppressed recipients), or why it is not sent."""
        key = message.key
        if state == "sent":
            return Outcome(key, "sent", "already sent")
        if state == "unknown" and not self.policy.resend_unknown:
            return Outcome(key, "unknown", "held", "may have been delivered already; check the recipient's "
                                                   "mailbox, then `boardpack send --resend-unknown` if it never arrived")
        if state == "sending":
            return Outcome(key, "sending", "busy", "another process is sending it")
        left_out = tuple(a for a in message.envelope if a in suppressed)
        if not left_out:
            return message
        r = message.recipients
        kept = Recipients(*(tuple(a for a in group if bare(a) not in suppressed) for group in (r.to, r.cc, r.bcc)))
        if not kept.to and not kept.cc:
            detail = (f"every recipient is on the suppression list ({', '.join(left_out)}): fix the address in "
                      "boardpack.toml or `boardpack suppression remove ADDRESS`")
            if self.store.claim(key, self.run_id, self.owner, self.policy.resend_unknown):
                self.store.record(key, "failed", self.run_id, detail)
            return Outcome(key, "failed", "failed", detail, left_out)
        return replace(message, recipients=kept)

    def _send_all(self, to_send: list[OutgoingMessage], original: dict[DeliveryKey, OutgoingMessage],
                  outcomes: dict[DeliveryKey, Outcome], report: DispatchReport) -> None:
        policy = self.policy
        try:
            allowance = self.transport.allowance()
        except StopError as exc:
            report.stopped = str(exc)
            for message in to_send:
                outcomes[message.key] = Outcome(message.key, "planned", "not sent", str(exc))
            return
        queue = list(to_send)
        if allowance.remaining_today is not None:
            queue = self._within_quota(queue, allowance.remaining_today, outcomes, report)
        bucket = TokenBucket(allowance.max_send_rate)
        workers = min(policy.concurrency, allowance.concurrency or policy.concurrency)
        retries: list[_Retry] = []
        inflight: dict[Future, tuple[OutgoingMessage, int]] = {}
        seq = itertools.count()
        queue.reverse()  # pop() from the end keeps priority order

        def finish(message: OutgoingMessage, state: str, detail: str = "", transport_id: str = "") -> None:
            self.store.record(message.key, state, self.run_id, detail, transport_id)
            action = "not sent" if state == "planned" else state
            left_out = tuple(a for a in original[message.key].envelope if a not in message.envelope)
            outcome = Outcome(message.key, state, action, detail, left_out)
            outcomes[message.key] = outcome
            self.on_progress(outcome)

        def settle(future: Future) -> bool:
            """Record one finished send; True if the batch must stop."""
            message, attempt = inflight.pop(future)
            try:
                receipt: Receipt = future.result()
            except RetryableError as exc:
                report.retries += 1
                if attempt >= policy.max_attempts:
                    finish(message, "failed", f"gave up after {attempt} attempts: {exc}")
                    return False
                delay = min(MAX_BACKOFF, policy.retry_delay * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0)
                bucket.pause(delay)
                heapq.heappush(retries, _Retry(time.monotonic() + delay, next(seq), message, attempt + 1))
            except StopError as exc:
                report.stopped = report.stopped or str(exc)
                finish(message, "planned", f"not sent: {exc}")
                return True
            except AmbiguousError as exc:
                finish(message, "unknown", str(exc))
            except DeliveryError as exc:
                finish(message, "failed", str(exc))
            except Exception as exc:  # a fault after the hand-over may mean it was sent: never re-send blindly
                finish(message, "unknown", f"{type(exc).__name__}: {exc}")
            else:
                finish(message, "sent", receipt.detail, receipt.transport_id)
            return False

        halted = False  # a StopError: hand nothing more to the transport
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="send")
        try:
            while inflight or (not halted and (queue or retries)):
                for future in [f for f in inflight if f.done()]:  # record outcomes first: the unknown window is
                    halted = settle(future) or halted              # the time between hand-over and record
                ready = bool(retries) and retries[0].not_before <= time.monotonic()
                if not halted and len(inflight) < workers and (queue or ready):
                    message, attempt = (retries[0].message, retries[0].attempt) if ready else (queue[-1], 1)
                    delay = bucket.reserve(len(message.envelope))
                    if delay:  # not yet: record whatever finishes meanwhile instead of sleeping on it
                        done, _ = wait(list(inflight), timeout=delay, return_when=FIRST_COMPLETED) if inflight \
                            else ((), time.sleep(delay))
                        for future in done:
                            halted = settle(future) or halted
                        continue
                    if ready:
                        heapq.heappop(retries)
                    else:
                        queue.pop()  # claimed only now, just before sending: a claim is held only while sending
                        if not self.store.claim(message.key, self.run_id, self.owner, policy.resend_unknown):
                            outcomes[message.key] = Outcome(message.key, "sending", "busy",
                                                            "another process is sending it")
                            continue
                    inflight[pool.submit(self.transport.send, message)] = (message, attempt)
                    continue
                if not inflight:
                    if halted or not retries:  # the outcomes just recorded were the last
                        break
                    time.sleep(max(0.0, retries[0].not_before - time.monotonic()))
                    continue
                timeout = max(0.0, retries[0].not_before - time.monotonic()) if retries and not halted else None
                done, _ = wait(list(inflight), timeout=timeout, return_when=FIRST_COMPLETED)
                for future in done:
                    halted = settle(future) or halted
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            for item in retries:  # claimed but never re-sent (stopped or interrupted): free it for the next run
                finish(item.message, "planned", f"not sent: {report.stopped or 'the run was interrupted'}")
        for message in queue:
            outcomes[message.key] = Outcome(message.key, "planned", "not sent", f"not sent: {report.stopped}")

    def _within_quota(self, queue: list[OutgoingMessage], remaining: int, outcomes: dict[DeliveryKey, Outcome],
                      report: DispatchReport) -> list[OutgoingMessage]:
        """The messages that fit in what is left of the 24-hour quota, in priority order; the rest wait."""
        fitting, used = [], 0
        for message in queue:
            if used + len(message.envelope) > remaining:
                break
            fitting.append(message)
            used += len(message.envelope)
        if len(fitting) < len(queue):
            report.stopped = (f"the 24-hour sending quota has room for {remaining} more recipients, "
                              f"fewer than this batch needs; the rest stay planned for the next run")
            for message in queue[len(fitting):]:
                outcomes[message.key] = Outcome(message.key, "planned", "not sent", report.stopped)
        return fitting

    def hold_orphans(self, period: str) -> None:
        """Claims nobody will finish become `unknown`: the owner died, or (on another host) it is long stale."""
        now = datetime.now(UTC)
        for record in self.store.deliveries(period):
            if record.state != "sending":
                continue
            if not owner_alive(record.owner):
                why = f"the process {record.owner} stopped after claiming it, before recording the outcome"
            elif now - datetime.fromisoformat(record.updated_at) > STALE_CLAIM:
                why = f"{record.owner} claimed it at {record.updated_at[:19]} and never recorded an outcome"
            else:
                continue
            self.store.record(record.key, "unknown", self.run_id, why)
