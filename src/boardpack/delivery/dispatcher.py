"""The one place that sends: plan, claim, send, record — under a unique delivery key.

Re-running a period sends only what is not yet `sent`. A delivery whose sending process died
between claim and outcome becomes `unknown`: held and reported, never re-sent blindly.
"""

from __future__ import annotations

import os
import socket
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from boardpack.audit.store import AuditStore
from boardpack.delivery.message import DeliveryKey, OutgoingMessage
from boardpack.delivery.transports.base import AmbiguousError, DeliveryError, Transport


@dataclass(frozen=True)
class Outcome:
    key: DeliveryKey
    state: str  # the delivery's state after this run
    action: str  # sent | failed | unknown | already sent | held | busy
    detail: str = ""


@dataclass
class DispatchReport:
    outcomes: list[Outcome]

    @property
    def ok(self) -> bool:
        return all(o.state == "sent" for o in self.outcomes)

    def summary(self) -> str:
        counts = Counter(o.action for o in self.outcomes)
        return ", ".join(f"{n} {action}" for action, n in sorted(counts.items())) or "nothing to send"


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


class Dispatcher:
    def __init__(self, store: AuditStore, transport: Transport, run_id: str,
                 on_progress: Callable[[Outcome], None] | None = None):
        self.store, self.transport, self.run_id = store, transport, run_id
        self.owner = this_owner()
        self.on_progress = on_progress or (lambda outcome: None)

    def dispatch(self, messages: Sequence[OutgoingMessage]) -> DispatchReport:
        for period in {m.key.period for m in messages}:
            self.hold_orphans(period)
        outcomes = []
        for message in messages:
            outcome = self.deliver(message)
            self.on_progress(outcome)
            outcomes.append(outcome)
        return DispatchReport(outcomes)

    def deliver(self, message: OutgoingMessage) -> Outcome:
        key = message.key
        state = self.store.plan(key, message.envelope, message.subject, message.message_id, message.content_hash,
                                self.run_id)
        if state == "sent":
            return Outcome(key, "sent", "already sent")
        if state == "unknown":
            return Outcome(key, "unknown", "held", "may have been delivered already; check before re-sending")
        if not self.store.claim(key, self.run_id, self.owner):
            return Outcome(key, "sending", "busy", "another process is sending it")
        try:
            receipt = self.transport.send(message)
        except AmbiguousError as exc:
            return self._record(key, "unknown", str(exc))
        except DeliveryError as exc:
            return self._record(key, "failed", str(exc))
        except Exception as exc:  # an unexpected fault may have happened after the hand-over: never re-send blindly
            return self._record(key, "unknown", f"{type(exc).__name__}: {exc}")
        return self._record(key, "sent", "", receipt.transport_id)

    def _record(self, key: DeliveryKey, state: str, detail: str, transport_id: str = "") -> Outcome:
        self.store.record(key, state, self.run_id, detail, transport_id)
        return Outcome(key, state, state, detail)

    def hold_orphans(self, period: str) -> None:
        for record in self.store.deliveries(period):
            if record.state == "sending" and not owner_alive(record.owner):
                self.store.record(record.key, "unknown", self.run_id,
                                  f"the process {record.owner} stopped after claiming it, before recording the outcome")
