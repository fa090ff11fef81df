"""The local scheduler with a controllable clock, and as real processes (the lock, SIGTERM, a
crash)."""

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from boardpack.audit.sqlite import SqliteAuditStore
from boardpack.config import load_workspace
from boardpack.delivery.transports.outbox import read_index
from boardpack.schedule.fire import fire
from boardpack.schedule.local import Scheduler
from tests.conftest import TOML, write_workspace

LA, LONDON = ZoneInfo("America/Los_Angeles"), ZoneInfo("Europe/London")
FIVE_ROLES = """
[roles.cto]
to = ["cto@example.com"]
[roles.cmo]
to = ["cmo@example.com"]
[roles.accounting]
to = ["books@example.com"]
"""


class FakeClock:
    """Time moves only when the scheduler waits."""

    def __init__(self, start: datetime):
        self.t = start

    def now(self) -> datetime:
        return self.t

    def wait(self, seconds: float) -> bool:
        self.t += timedelta(seconds=seconds)
        return False


def workspace(tmp_path, schedule: str, zone: str = "America/Los_Angeles", extra: str = "") -> Path:
    toml = TOML.replace("America/Los_Angeles", zone).replace(
        "[delivery]\n", "[delivery]\nconcurrency = 1\n"
    )
    return write_workspace(tmp_path / "ws", toml + extra + "\n[schedule]\n" + schedule)


def scheduler(root: Path, start: datetime, lines: list[str] | None = None) -> Scheduler:
    clock = FakeClock(start.astimezone(UTC))
    return Scheduler.for_workspace(root, clock, say=(lines if lines is not None else []).append)


def fires_of(root: Path):
    store = SqliteAuditStore(root / ".boardpack" / "audit.sqlite")
    try:
        return list(reversed(store.fires())), store.deliveries()
    finally:
        store.close()


def test_fires_across_the_spring_gap_in_los_angeles_and_records_each(tmp_path):
    root = workspace(tmp_path, 'cron = "30 2 * * *"\n')
    ran = scheduler(root, datetime(2026, 3, 7, 0, 0, tzinfo=LA)).run(max_fires=3)
    assert ran == 3
    recorded, deliveries = fires_of(root)
    assert [datetime.fromisoformat(f.slot).astimezone(LA).isoformat() for f in recorded] == [
        "2026-03-07T02:30:00-08:00",
        "2026-03-08T03:00:00-07:00",
        "2026-03-09T02:30:00-07:00",
    ]
    assert [f.status for f in recorded] == ["ok", "ok", "ok"]
    assert [f.detail for f in recorded] == [
        "2026-02: 2 sent",
        "2026-02: 2 already sent",
        "2026-02: 2 already sent",
    ]
    assert {(d.key.period, d.state) for d in deliveries} == {("2026-02", "sent")}
    assert len(read_index(root / "outbox")) == 2  # the same period again is not sent again


def test_fires_once_in_the_repeated_hour_in_london(tmp_path):
    root = workspace(tmp_path, 'cron = "30 1 * * *"\n', zone="Europe/London")
    scheduler(root, datetime(2026, 10, 24, 12, tzinfo=LONDON)).run(max_fires=2)
    recorded, _ = fires_of(root)
    assert [datetime.fromisoformat(f.slot).astimezone(LONDON).isoformat() for f in recorded] == [
        "2026-10-25T01:30:00+01:00",
        "2026-10-26T01:30:00+00:00",
    ]


def test_downtime_over_three_slots_catches_up_once_for_the_latest(tmp_path):
    root = workspace(tmp_path, 'cron = "0 6 * * MON"\n')
    scheduler(root, datetime(2026, 10, 25, 12, tzinfo=LA)).run(
        max_fires=1
    )  # Monday 26 October: September's pack
    lines = []
    back = scheduler(
        root, datetime(2026, 11, 18, 9, tzinfo=LA), lines
    )  # stopped over 2, 9 and 16 November
    assert back.run(max_fires=1) == 1
    recorded, deliveries = fires_of(root)
    assert [datetime.fromisoformat(f.slot).astimezone(LA).date().isoformat() for f in recorded] == [
        "2026-10-26",
        "2026-11-16",
    ]
    assert recorded[1].detail.startswith(
        "catch-up: 3 slots missed while stopped, run once for the latest; 2026-10: 2 sent"
    )
    assert {d.key.period for d in deliveries} == {"2026-09", "2026-10"}  # no period lost
    assert any("catch-up: 3 slots" in line for line in lines)


def test_a_fresh_scheduler_does_not_replay_history(tmp_path):
    root = workspace(tmp_path, 'cron = "0 6 * * MON"\n')
    clock_start = datetime(2026, 11, 18, 9, tzinfo=LA)
    s = scheduler(root, clock_start)
    assert s.catch_up() == 0
    assert fires_of(root)[0] == []


def test_a_second_scheduler_for_the_same_slot_does_nothing(tmp_path):
    root = workspace(tmp_path, 'cron = "0 6 * * MON"\n')
    ws, slot = load_workspace(root), datetime(2026, 11, 2, 6, tzinfo=LA)
    first = fire(ws, slot, "host-a:1")
    second = fire(ws, slot, "host-b:2")
    assert (first.status, second.status) == ("ok", "taken")
    assert len(read_index(root / "outbox")) == 2


def test_a_broken_workspace_at_fire_time_is_reported_and_the_scheduler_goes_on(tmp_path):
    root = workspace(tmp_path, 'cron = "0 6 * * *"\n')
    lines = []
    s = scheduler(root, datetime(2026, 11, 2, 5, tzinfo=LA), lines)
    (root / "boardpack.toml").write_text((root / "boardpack.toml").read_text() + "\n[bogus]\n")
    assert s.run(max_fires=2) == 2
    assert (
        sum(
            "error: the workspace did not load, so nothing was sent or recorded" in line
            for line in lines
        )
        == 2
    )
    assert not (root / "outbox").exists()


def test_a_build_error_at_fire_time_is_recorded_and_alerted(tmp_path):
    root = workspace(
        tmp_path, 'cron = "0 6 * * *"\n', extra='\n[alerts]\nwebhook = "http://127.0.0.1:9/hook"\n'
    )
    (root / "ledger" / "bank.csv").unlink()
    scheduler(root, datetime(2026, 11, 2, 5, tzinfo=LA)).run(max_fires=1)
    (recorded,), _ = fires_of(root)
    assert recorded.status == "error" and "could not build the pack" in recorded.detail
    assert (
        "ledger/bank.csv" in recorded.detail
        and "webhook http://127.0.0.1/…: FAILED" in recorded.detail
    )
    store = SqliteAuditStore(root / ".boardpack" / "audit.sqlite")
    (run,) = store.runs()
    store.close()
    assert (run.id, run.command, run.status) == (recorded.run_id, "schedule", "error")


CRASHING_SCHEDULER = """
import os, sys
from datetime import datetime, timedelta, UTC
from pathlib import Path
from boardpack.delivery.transports.outbox import OutboxTransport
from boardpack.schedule.fire import fire
from boardpack.schedule.local import Scheduler

class Clock:
    t = datetime.fromisoformat(sys.argv[2])
    def now(self): return self.t
    def wait(self, seconds):
        self.t += timedelta(seconds=seconds)
        return False

class CrashOnThirdSend:
    def __init__(self, inner): self.inner, self.sent = inner, 0
    def __getattr__(self, name): return getattr(self.inner, name)
    def send(self, message):
        self.sent += 1
        if self.sent == 3:
            os._exit(9)  # the power goes: no cleanup, no finally
        return self.inner.send(message)

s = Scheduler.for_workspace(Path(sys.argv[1]), Clock())
def crashing_fire(ws, *args):
    return fire(ws, *args, transport=CrashOnThirdSend(OutboxTransport.for_workspace(ws)))
s.fire_slot = crashing_fire
s.run(max_fires=1)
"""


def test_a_crash_mid_run_loses_no_period_and_sends_nothing_twice(tmp_path):
    root = workspace(tmp_path, 'cron = "0 6 * * MON"\n', extra=FIVE_ROLES)
    start = datetime(2026, 11, 2, 5, 59, tzinfo=LA).isoformat()
    crashed = subprocess.run(
        [sys.executable, "-c", CRASHING_SCHEDULER, str(root), start],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert crashed.returncode == 9, crashed.stderr
    (recorded,), deliveries = fires_of(root)
    assert recorded.status == "running"  # the crashed process never finished it
    crashed_owner = recorded.owner
    assert sorted(d.state for d in deliveries) == ["planned", "planned", "sending", "sent", "sent"]

    lines = []
    restarted = scheduler(root, datetime(2026, 11, 2, 6, 5, tzinfo=LA), lines)
    assert restarted.run(max_fires=1) == 1
    (recorded,), deliveries = fires_of(root)
    assert recorded.owner == restarted.owner and recorded.status == "attention"
    assert recorded.detail.startswith(
        f"re-run: {crashed_owner} stopped during this fire; 2026-10: "
    )
    states = {d.key.report: d.state for d in deliveries}
    assert sorted(states.values()) == [
        "sent",
        "sent",
        "sent",
        "sent",
        "unknown",
    ]  # the one in flight is held
    outbox = [entry["report"] for entry in read_index(root / "outbox")]
    assert sorted(outbox) == sorted(
        r for r, state in states.items() if state == "sent"
    )  # each once
    assert len(outbox) == 4


def start_scheduler(root: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "boardpack", "schedule", "run", "-w", str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BOARDPACK_"))},
    )
    line = process.stderr.readline()
    assert "scheduler started" in line, line + process.stderr.read()
    return process


def test_the_scheduler_never_overlaps_itself_survives_a_kill_and_stops_on_sigterm(tmp_path):
    root = workspace(tmp_path, 'cron = "0 6 1 1 *"\n')  # never due during the test
    first = start_scheduler(root)
    try:
        second = subprocess.run(
            [sys.executable, "-m", "boardpack", "schedule", "run", "-w", str(root)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 2
        assert (
            "another `boardpack schedule run` is running" in second.stderr
            and "Traceback" not in second.stderr
        )
        first.kill()  # SIGKILL: no chance to clean up
        first.wait(10)
        third = start_scheduler(root)  # the kernel released the lock with the process
        time.sleep(0.5)
        third.send_signal(signal.SIGTERM)
        assert third.wait(30) == 0
        assert "stopped" in third.stderr.read()
    finally:
        if first.poll() is None:
            first.kill()
