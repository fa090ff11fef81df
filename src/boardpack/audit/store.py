"""The audit store's interface, which every store (SQLite, DynamoDB) implements.

A delivery moves `planned → sending → sent | failed | unknown`. `claim` is the only way into
`sending` and is atomic, so two processes can never both send the same delivery. `unknown`
means the transport may have accepted the message but we cannot prove it: held, never re-sent
blindly. Under `[approval]` a delivery is planned `held`; `move` releases it to `planned`
(approved) or drops it to `rejected` — a later run may hold it again, with what it would send
then. A later run that holds a delivery still held with other content replaces that content (and
the day it was built as of): what waits for approval is always the newest draft.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal, Protocol

from boardpack.audit.keys import DeliveryKey
from boardpack.model import PackEntry

State = Literal["planned", "held", "sending", "sent", "failed", "unknown", "rejected"]
STATES: tuple[State, ...] = ("planned", "held", "sending", "sent", "failed", "unknown", "rejected")
CLAIMABLE: tuple[State, ...] = ("planned", "failed")


def packed(entries: list[PackEntry]) -> str:
    """A pack's entries as one JSON text, as both stores keep them (one row, one item: atomic)."""
    if len(entries) > PACK_LIMIT:
        raise ValueError(f"{len(entries)} entries to record: at most {PACK_LIMIT}")
    return json.dumps([[e.series, e.target, e.value] for e in entries], separators=(",", ":"))


def unpacked(made_in: str, text: str) -> list[PackEntry]:
    return [PackEntry(made_in, *entry) for entry in json.loads(text)]


def now() -> str:
    """Timestamps in every store: UTC, ISO 8601, milliseconds (they sort as text)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Intent:
    """What a run means to send, recorded before anything is sent."""

    key: DeliveryKey
    recipients: tuple[str, ...]
    subject: str
    message_id: str
    content_hash: str
    # the audit copy's and the alerts' addresses among the recipients: kept with the delivery, so
    # that a complaint about it never suppresses them, whichever deployment reads the notification
    protected: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeliveryRecord:
    key: DeliveryKey
    state: State
    recipients: tuple[str, ...]
    subject: str
    message_id: str
    content_hash: str
    attempts: int
    updated_at: str
    detail: str
    transport_id: str
    owner: str


@dataclass(frozen=True)
class Transition:
    key: DeliveryKey
    from_state: State | None
    to_state: State
    at: str
    run_id: str
    detail: str


@dataclass(frozen=True)
class RunRecord:
    id: str
    command: str
    period: str
    started_at: str
    finished_at: str | None
    status: str
    summary: str
    alert: str = ""  # what became of the run's alert: sent to where, or why it could not be
    owner: str = ""  # the process that runs it (host:pid), for a run left running by a kill

    def orphaned(self, at: datetime) -> bool:
        """Still `running`, though its process is gone (on this host), or it began longer ago
        than any run takes (elsewhere: a Lambda function lives 15 minutes at most)."""
        if self.status != "running":
            return False
        began = datetime.fromisoformat(self.started_at)
        return (at - began) > LONGEST_RUN or bool(self.owner) and not owner_alive(self.owner)


LONGEST_RUN = timedelta(hours=24)
INTERRUPTED = (
    "the process stopped before the run finished (killed, or the machine went down); each "
    "delivery's own state is below"
)


def this_owner() -> str:
    """The process, as the store records who claimed a delivery or started a run."""
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_alive(owner: str) -> bool:
    """Whether the process that claimed a delivery may still send it (another host: assume so)."""
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


def settle_orphaned_runs(store: AuditStore, at: datetime | None = None) -> list[str]:
    """Runs left `running` by a process that is gone, closed as `interrupted`; their ids."""
    at = at or datetime.now(UTC)
    orphans = [r for r in store.runs(200) if r.orphaned(at)]
    for run in orphans:
        store.finish_run(run.id, "interrupted", INTERRUPTED)
    return [r.id for r in orphans]


@dataclass(frozen=True)
class FireRecord:
    """One firing of the schedule: the slot it was due at, and what became of it."""

    # when it was due, UTC ISO 8601: one record per slot, so a slot never runs twice at once
    slot: str
    owner: str  # the process (or Lambda request) running it
    run_id: str
    started_at: str
    finished_at: str | None
    status: str  # running | ok | attention | error
    detail: str  # e.g. "catch-up: 3 slots were missed while stopped"


@dataclass(frozen=True)
class DeliveryEvent:
    """What the mail provider later said about a message: a bounce, a complaint, a delivery."""

    id: str  # unique per notification, so ingesting the same file twice changes nothing
    kind: str  # bounce | complaint | delivery | reject | delay | send | open | click | ...
    transport_id: str  # the provider's message id (SES MessageId)
    recipients: tuple[str, ...]
    at: str
    permanent: bool  # a hard bounce or a complaint: stop sending to these recipients
    detail: str = ""


@dataclass(frozen=True)
class EventOutcome:
    """What recording one notification did."""

    key: DeliveryKey | None  # the delivery it is about, or None: not a message this workspace sent
    new: bool  # False: already recorded, so nothing changed
    suppressed: tuple[str, ...] = ()  # recipients of that delivery now on the suppression list
    protected: tuple[
        str, ...
    ] = ()  # audit or alert addresses it named: never suppressed, alerted on


def to_suppress(
    event: DeliveryEvent, sent_to: set[str], protected: frozenset[str] | set[str]
) -> tuple[tuple, tuple]:
    """(suppressed, protected): a hard bounce or complaint suppresses only the recipients of the
    message it is about, and never an audit or alert address (the workspace's, or those its
    delivery recorded), which it names instead."""
    if not event.permanent:
        return (), ()
    named = list(dict.fromkeys(a.lower() for a in event.recipients if a.lower() in sent_to))
    return tuple(a for a in named if a not in protected), tuple(a for a in named if a in protected)


@dataclass(frozen=True)
class Suppression:
    address: str
    reason: str  # bounce | complaint
    at: str
    detail: str


PACK_LIMIT = 5000  # entries a pack may record (one DynamoDB item of at most 400 KB holds them)


class AuditStore(Protocol):
    def start_run(self, run_id: str, command: str, period: str) -> None: ...

    def finish_run(self, run_id: str, status: str, summary: str) -> None: ...

    def plan(self, intents: list[Intent], run_id: str, hold: str = "") -> list[State]:
        """Record each intent (once per key); return each delivery's current state. With `hold`
        (why), a new delivery is planned `held`, and a `rejected` one (or one still held with other
        content) is held with this intent's content."""

    def move(
        self,
        key: DeliveryKey,
        before: State,
        after: State,
        run_id: str,
        detail: str = "",
        content_hash: str = "",
    ) -> bool:
        """Atomically move a delivery from `before` to `after`: held to planned or rejected,
        rejected to held with a new `content_hash`. False if it is not in `before`."""

    def claim(
        self, key: DeliveryKey, run_id: str, owner: str, include_unknown: bool = False
    ) -> bool:
        """Atomically move a planned or failed (or, asked explicitly, unknown) delivery to
        `sending`; False if someone else has it."""

    def record(
        self, key: DeliveryKey, state: State, run_id: str, detail: str = "", transport_id: str = ""
    ) -> None: ...

    def deliveries(self, period: str | None = None) -> list[DeliveryRecord]: ...

    def transitions(self, key: DeliveryKey) -> list[Transition]: ...

    def runs(self, limit: int = 20) -> list[RunRecord]: ...

    def set_alert(self, run_id: str, alert: str) -> None: ...

    def claim_fire(
        self,
        slot: str,
        owner: str,
        run_id: str,
        detail: str = "",
        retake: tuple[str, ...] = (),
        retake_failed: bool = False,
    ) -> bool:
        """Record that `owner` runs the fire due at `slot`; False if the slot is already recorded,
        unless its owner is one of `retake` (a crashed scheduler's) or, with `retake_failed`, it
        ended in error: then it is taken over, atomically."""

    def finish_fire(self, slot: str, status: str, detail: str = "") -> None: ...

    def fires(self, limit: int = 20) -> list[FireRecord]:
        """Newest slot first."""

    def record_events(
        self, events: list[DeliveryEvent], protected: frozenset[str] = frozenset()
    ) -> list[EventOutcome]:
        """Store each event once; a new hard bounce or complaint about a message this store sent
        suppresses the recipients of that message it names (`to_suppress`). SQLite stores all of
        them or none.
        """

    def suppress(self, address: str, reason: str, at: str, detail: str = "") -> None: ...

    def suppressed(self) -> set[str]: ...

    def suppressions(self) -> list[Suppression]: ...

    def unsuppress(self, address: str) -> bool: ...

    def record_pack(self, made_in: str, entries: list[PackEntry]) -> bool:
        """Keep what the pack of `made_in` recorded, all or nothing; the first recording of a period
        stands (what the board was sent). False if that period's is already recorded."""

    def pack_entries(self, made_in: list[str]) -> list[PackEntry]:
        """What the packs of these periods recorded, by period, series and target."""

    def watch_state(self, rule: str) -> tuple[dict | None, int]:
        """A `[[watch]]` rule's state (its episodes) and its version; (None, 0) if never seen."""

    def set_watch_state(self, rule: str, state: dict, version: int) -> bool:
        """Store the rule's new state if it is still at `version` (0: new); False if another run
        changed it meanwhile (read it again)."""

    def watch_states(self) -> dict[str, dict]:
        """Every rule's state, for the pack's list of alerts."""

    def prune_transitions(self, before: str) -> int:
        """Remove the history rows of deliveries older than `before` (a `now()` timestamp); the
        deliveries themselves, and so what was sent, stay. How many went."""

    def close(self) -> None: ...
