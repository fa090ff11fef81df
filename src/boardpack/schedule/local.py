"""`boardpack schedule run`: a long-running process that fires on the workspace's schedule.

- It never overlaps itself: it holds an OS file lock for as long as it runs, and the kernel releases
  the lock when the process dies, however it dies, so a crash never leaves a stale lock behind.
- Each fire is recorded in the audit store, one record per slot.
- After downtime it catches up once, for the latest missed slot (a pack covers the last complete
  period, so one run brings everything up to date); a slot whose scheduler died mid-run is run
  again, and since deliveries are idempotent, that only completes what is missing.
- SIGTERM stops it cleanly: between fires at once, during a fire once that fire is recorded.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import islice, takewhile
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from filelock import FileLock, Timeout

from boardpack import pipeline, watching
from boardpack.audit.store import owner_alive, this_owner
from boardpack.config import Workspace, load_workspace
from boardpack.errors import BoardpackError, WorkspaceError
from boardpack.period import EARLIEST, LATEST, period_before
from boardpack.schedule.fire import FireResult, fire, slot_key
from boardpack.schedule.triggers import Trigger, fires, instant, later, trigger_for

# seconds: the clock is read again at least this often (a laptop may sleep, the clock be set)
MAX_NAP = 60.0
SETTLE_EVERY = 3600.0  # seconds between looks for deliveries held past their approval window
LOOKAHEAD = 24  # fires checked at start, so that a schedule that breaks in a later month fails now
MISSED_SHOWN = 1000  # missed slots are counted up to this, for the record


class Clock(Protocol):
    def now(self) -> datetime: ...

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`; True if asked to stop meanwhile."""


@dataclass
class SystemClock:
    stopping: threading.Event = field(default_factory=threading.Event)

    def now(self) -> datetime:
        return datetime.now(UTC)

    def wait(self, seconds: float) -> bool:
        return self.stopping.wait(max(seconds, 0))


@dataclass
class Scheduler:
    workspace: Workspace  # as loaded at start; each fire reads boardpack.toml afresh
    trigger: Trigger
    clock: Clock
    say: Callable[[str], None] = print
    owner: str = field(default_factory=this_owner)
    fire_slot: Callable[..., FireResult] = fire  # tests wrap it to crash mid-run
    settled_at: datetime | None = None
    watched_on: date | None = None  # the day `boardpack watch` last ran here

    @classmethod
    def for_workspace(
        cls, root: Path, clock: Clock, say: Callable[[str], None] = print
    ) -> Scheduler:
        ws = load_workspace(root)
        org = ws.settings.organization
        trigger = trigger_for(ws.settings.schedule, org.timezone, org.period)
        upcoming = fires(trigger, clock.now())
        for _ in range(LOOKAHEAD):
            next(upcoming)  # a business day that a month's holidays push out of it raises here
        return cls(ws, trigger, clock, say)

    def lock(self) -> FileLock:
        return FileLock(self.workspace.state("scheduler.lock"))

    def run(self, max_fires: int | None = None) -> int:
        """Fire until stopped (or after `max_fires`); the number of fires run."""
        self.workspace.state().mkdir(parents=True, exist_ok=True)
        lock = self.lock()
        try:
            lock.acquire(timeout=0)
        except Timeout:
            raise WorkspaceError(
                f"another `boardpack schedule run` is running for {self.workspace.root} (it holds "
                f"{lock.lock_file}); stop it first"
            ) from None
        try:
            self.say(f"scheduler started: {self.trigger.describe()}")
            count = self.catch_up()
            while max_fires is None or count < max_fires:
                slot = self.trigger.after(self.clock.now())
                self.say(f"next fire: {slot.isoformat()}")
                if self.sleep_until(slot):
                    self.say("stopped")
                    break
                self.run_slot(slot)
                count += 1
            return count
        finally:
            lock.release()

    def sleep_until(self, moment: datetime) -> bool:
        while (left := (moment - self.clock.now()).total_seconds()) > 0:
            self.settle()
            if self.clock.wait(min(left, MAX_NAP)):
                return True
        return False

    def catch_up(self) -> int:
        """At start: re-run a slot whose scheduler died mid-run, then run once for the latest missed
        slot."""
        store = pipeline.audit_store(self.workspace)
        try:
            last = next(iter(store.fires(1)), None)
        finally:
            store.close()
        if last is None:
            return 0  # never fired here: start from now
        count = 0
        last_slot = datetime.fromisoformat(last.slot)
        if last.status == "running" and last.owner != self.owner and not owner_alive(last.owner):
            self.run_slot(
                last_slot, f"re-run: {last.owner} stopped during this fire", retake=(last.owner,)
            )
            count += 1
        latest = self.trigger.before(self.clock.now())
        if later(latest, last_slot):
            # walk only the missed slots (a stopped minutely schedule must not cost a thousand
            # steps), compared
            # as instants: two times of one zone compare by wall clock, which a repeated hour gets
            # wrong
            missed = sum(
                1
                for _ in islice(
                    takewhile(lambda slot: not later(slot, latest), fires(self.trigger, last_slot)),
                    MISSED_SHOWN,
                )
            )
            shown = f"{missed}+" if missed == MISSED_SHOWN else str(missed)
            self.run_slot(
                latest,
                f"catch-up: {shown} slot{'s' if missed != 1 else ''} missed while stopped, run once"
                " for the latest",
            )
            count += 1
        return count

    def settle(self) -> None:
        """Between fires, once an hour: held deliveries past their [approval] window are released
        or alerted on (pipeline.settle_held); once a day, the [[watch]] rules are evaluated."""
        now = self.clock.now()
        settings = self.workspace.settings
        if (settings.approval is None and not settings.watch) or (
            self.settled_at and (now - self.settled_at).total_seconds() < SETTLE_EVERY
        ):
            return
        self.settled_at = now
        try:
            ws = load_workspace(self.workspace.root)
            today = now.astimezone(ZoneInfo(ws.settings.organization.timezone)).date()
            period = period_before(today, ws.settings.organization.period)
            for line in pipeline.settle_held(ws, period, now):
                self.say(line)
            if ws.settings.watch and self.watched_on != today:  # once a day: [[watch]]
                self.watched_on = today
                done, report = watching.watch(ws, today)
                self.say(f"watch {today}: {len(done)} rules; {report.summary()}")
        except (BoardpackError, OSError) as exc:  # the scheduler carries on, and says why
            self.say(f"could not settle held deliveries or watch: {exc}")

    def run_slot(
        self, slot: datetime, detail: str = "", retake: tuple[str, ...] = ()
    ) -> FireResult:
        self.say(f"firing {slot.isoformat()}" + (f" ({detail})" if detail else ""))
        try:
            # read afresh: the owner may have edited it since the last fire
            ws = load_workspace(self.workspace.root)
        except WorkspaceError as exc:  # nothing can be sent or recorded; the scheduler carries on
            result = FireResult(
                slot, "error", f"the workspace did not load, so nothing was sent or recorded: {exc}"
            )
        else:
            result = self.fire_slot(ws, slot, self.owner, detail, retake)
        self.say(f"{slot_key(slot)}: {result.status}: {result.summary}")
        return result


def parse_moment(text: str, zone: str) -> datetime:
    """`--from`: an ISO 8601 date or date-time; without an offset it is read in the organization's
    time zone."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise WorkspaceError(
            f"--from {text[:40]!r} is not a date or time: write it as 2026-11-02 or "
            "2026-11-02T06:00 (optionally with an offset, e.g. -08:00)"
        ) from None
    if not EARLIEST.year <= moment.year <= LATEST.year - 1:  # a year of fires must fit after it
        raise WorkspaceError(
            f"--from {text}: a schedule fires for the periods of the books, so start between "
            f"{EARLIEST} and the end of {LATEST.year - 1}"
        )
    return moment if moment.tzinfo else instant(moment, ZoneInfo(zone))
