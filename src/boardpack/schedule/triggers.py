"""Fire times: a cron expression or the Nth business day after a period closes, in the
organization's time zone.

Both walk wall-clock time and then ask the time zone when that wall time happens, so daylight-saving
changes behave as people expect: a time the clocks skip fires once when the gap ends; a time that
happens twice fires once, the first time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from croniter import croniter

from boardpack.errors import WorkspaceError
from boardpack.period import Period, PeriodKind, month_end, period_containing

if TYPE_CHECKING:  # config validates cron expressions with this module
    from boardpack.config import Schedule

WEEKEND = (5, 6)


class ScheduleError(WorkspaceError):
    pass


def instant(wall: datetime, zone: ZoneInfo) -> datetime:
    """When a wall-clock time happens in `zone`: the first of two in a repeated hour; in a skipped
    hour, the moment the clocks jump (the gap's end)."""
    first = wall.replace(tzinfo=zone, fold=0)
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall:
        return first
    # Skipped: fold=0 reads it with the offset before the change, fold=1 with the one after, so the
    # change lies between the two readings. Find its second (offsets change on whole seconds).
    lo = int(wall.replace(tzinfo=zone, fold=1).timestamp())
    hi = int(first.timestamp())
    lo, hi = min(lo, hi), max(lo, hi)
    before = datetime.fromtimestamp(lo, zone).utcoffset()
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, zone).utcoffset() == before:
            lo = mid
        else:
            hi = mid
    return datetime.fromtimestamp(hi, zone)


def later(a: datetime, b: datetime) -> bool:
    """a after b, as instants (Python compares two times in the same zone by wall clock, ignoring
    `fold`)."""
    return a.astimezone(UTC) > b.astimezone(UTC)


@dataclass(frozen=True)
class CronTrigger:
    expression: str
    zone: ZoneInfo

    def after(self, moment: datetime) -> datetime:
        """The first fire strictly after `moment`."""
        walk = croniter(self.expression, moment.astimezone(self.zone).replace(tzinfo=None, fold=0))
        for _ in range(10_000):  # a repeated hour can put a few wall times behind `moment`
            fire = instant(walk.get_next(datetime), self.zone)
            if later(fire, moment):
                return fire
        raise ScheduleError(
            f"cron {self.expression!r}: no fire time found after {moment.isoformat()}"
        )

    def before(self, moment: datetime) -> datetime:
        """The last fire at or before `moment`."""
        wall = moment.astimezone(self.zone).replace(tzinfo=None, fold=0) + timedelta(seconds=1)
        walk = croniter(self.expression, wall)
        for _ in range(10_000):
            fire = instant(walk.get_prev(datetime), self.zone)
            if not later(fire, moment):
                return fire
        raise ScheduleError(
            f"cron {self.expression!r}: no fire time found before {moment.isoformat()}"
        )

    def describe(self) -> str:
        return f"cron {self.expression!r} in {self.zone.key}"


@dataclass(frozen=True)
class BusinessDayTrigger:
    """The `day`-th business day after each period closes, at `at`; weekends and `holidays` are
    skipped."""

    day: int
    at: time
    holidays: frozenset[date]
    period: PeriodKind
    zone: ZoneInfo

    def fire_day(self, period: Period) -> date:
        d, counted = period.end, 0
        while counted < self.day:
            d += timedelta(days=1)
            if d.weekday() not in WEEKEND and d not in self.holidays:
                counted += 1
        first = period.end + timedelta(days=1)
        limit = period.following().end if self.period == "week" else month_end(first)
        if d > limit:
            what = "week" if self.period == "week" else first.strftime("%B %Y")
            raise ScheduleError(
                f"business_day = {self.day}: {what} has fewer business days than that once weekends"
                f" and holidays are skipped (the {self.day}th would be {d}); choose a smaller"
                " business_day"
            )
        return d

    def fires_on(self, day: date) -> bool:
        return self.fire_day(period_containing(day, self.period).previous()) == day

    def after(self, moment: datetime) -> datetime:
        local = moment.astimezone(self.zone).date()
        period = period_containing(local, self.period).previous()
        while True:
            fire = instant(datetime.combine(self.fire_day(period), self.at), self.zone)
            if later(fire, moment):
                return fire
            period = period.following()

    def before(self, moment: datetime) -> datetime:
        period = period_containing(moment.astimezone(self.zone).date(), self.period)
        while True:
            fire = instant(datetime.combine(self.fire_day(period), self.at), self.zone)
            if not later(fire, moment):
                return fire
            period = period.previous()

    def describe(self) -> str:
        return (
            f"business day {self.day} after each {self.period} closes, at {self.at:%H:%M}"
            f" {self.zone.key}"
        )


Trigger = CronTrigger | BusinessDayTrigger


def trigger_for(schedule: Schedule, zone: str, period: PeriodKind) -> Trigger:
    if schedule.business_day is not None:
        return BusinessDayTrigger(
            day=schedule.business_day,
            at=schedule.at,
            holidays=frozenset(schedule.holidays),
            period=period,
            zone=ZoneInfo(zone),
        )
    if schedule.cron is None:
        raise ScheduleError(
            'no schedule: add [schedule] with cron = "0 6 * * MON" or business_day = 3 to '
            "boardpack.toml"
        )
    return CronTrigger(schedule.cron, ZoneInfo(zone))


def fires(trigger: Trigger, start: datetime) -> Iterator[datetime]:
    """Every fire strictly after `start`, in order."""
    moment = start
    while True:
        moment = trigger.after(moment)
        yield moment
