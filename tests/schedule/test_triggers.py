"""Fire times: cron and business-day triggers, across daylight-saving changes, through `schedule
next`."""

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from boardpack.config import Schedule
from boardpack.schedule.triggers import (
    BusinessDayTrigger,
    CronTrigger,
    ScheduleError,
    fires,
    instant,
    trigger_for,
)
from tests.conftest import TOML, run_cli, write_workspace

LA, LONDON = ZoneInfo("America/Los_Angeles"), ZoneInfo("Europe/London")


def upcoming(trigger, start, n):
    return [slot.isoformat() for _, slot in zip(range(n), fires(trigger, start))]


def test_a_time_the_clocks_skip_fires_once_when_the_gap_ends_los_angeles():
    # 8 March 2026: 02:00 PST becomes 03:00 PDT; 02:00 and 02:30 do not exist that day
    trigger = CronTrigger("*/30 2 * * *", LA)
    assert upcoming(trigger, datetime(2026, 3, 7, 12, tzinfo=LA), 4) == [
        "2026-03-08T03:00:00-07:00",
        "2026-03-09T02:00:00-07:00",
        "2026-03-09T02:30:00-07:00",
        "2026-03-10T02:00:00-07:00",
    ]


def test_a_time_that_happens_twice_fires_once_los_angeles():
    # 1 November 2026: 01:00–02:00 happens in PDT, then again in PST
    assert upcoming(CronTrigger("30 1 * * *", LA), datetime(2026, 10, 31, 12, tzinfo=LA), 2) == [
        "2026-11-01T01:30:00-07:00",
        "2026-11-02T01:30:00-08:00",
    ]
    assert upcoming(CronTrigger("0 * * * *", LA), datetime(2026, 11, 1, 0, 30, tzinfo=LA), 3) == [
        "2026-11-01T01:00:00-07:00",
        "2026-11-01T02:00:00-08:00",
        "2026-11-01T03:00:00-08:00",
    ]


def test_starting_inside_the_repeated_hour_does_not_fire_its_first_half_again():
    second_0110 = datetime(
        2026, 11, 1, 1, 10, tzinfo=LA, fold=1
    )  # 01:10 PST, after the clocks went back
    assert upcoming(CronTrigger("30 1 * * *", LA), second_0110, 1) == ["2026-11-02T01:30:00-08:00"]


def test_london_changes_at_one_in_the_morning_both_ways():
    spring = CronTrigger("30 1 * * *", LONDON)  # 29 March 2026: 01:00 GMT becomes 02:00 BST
    assert upcoming(spring, datetime(2026, 3, 28, 12, tzinfo=LONDON), 2) == [
        "2026-03-29T02:00:00+01:00",
        "2026-03-30T01:30:00+01:00",
    ]
    autumn = CronTrigger("15 1 * * SUN", LONDON)  # 25 October 2026: 02:00 BST becomes 01:00 GMT
    assert upcoming(autumn, datetime(2026, 10, 20, tzinfo=LONDON), 2) == [
        "2026-10-25T01:15:00+01:00",
        "2026-11-01T01:15:00+00:00",
    ]


def test_instant_finds_the_end_of_the_gap_to_the_second():
    assert instant(datetime(2026, 3, 8, 2, 45), LA).isoformat() == "2026-03-08T03:00:00-07:00"
    assert instant(datetime(2026, 3, 8, 1, 59, 59), LA).isoformat() == "2026-03-08T01:59:59-08:00"


def test_business_day_skips_weekends_and_the_workspace_holidays():
    trigger = BusinessDayTrigger(
        day=3, at=time(6, 0), holidays=frozenset({date(2027, 1, 1)}), period="month", zone=LA
    )
    # December 2026: Tue 1, Wed 2, Thu 3. January 2027: Fri 1 is a holiday; Mon 4, Tue 5, Wed 6.
    assert upcoming(trigger, datetime(2026, 11, 22, tzinfo=LA), 3) == [
        "2026-12-03T06:00:00-08:00",
        "2027-01-06T06:00:00-08:00",
        "2027-02-03T06:00:00-08:00",
    ]
    # the fire for November is still ahead on 2 December
    assert trigger.after(datetime(2026, 12, 2, 12, tzinfo=LA)).date() == date(2026, 12, 3)
    assert trigger.before(datetime(2026, 12, 2, 12, tzinfo=LA)).date() == date(2026, 11, 4)


def test_business_day_after_a_week_and_a_quarter():
    week = BusinessDayTrigger(
        day=1, at=time(7, 30), holidays=frozenset(), period="week", zone=LONDON
    )
    assert upcoming(
        week, datetime(2026, 11, 22, tzinfo=LONDON), 2
    ) == [  # Sunday: the week ends tonight
        "2026-11-23T07:30:00+00:00",
        "2026-11-30T07:30:00+00:00",
    ]
    quarter = BusinessDayTrigger(day=2, at=time(6), holidays=frozenset(), period="quarter", zone=LA)
    # Friday 1 January counts: no holiday list here
    assert upcoming(quarter, datetime(2026, 11, 22, tzinfo=LA), 1) == ["2027-01-04T06:00:00-08:00"]


def test_holidays_that_push_a_business_day_out_of_its_month_are_an_error_naming_the_month():
    holidays = frozenset(date(2027, 2, d) for d in (1, 2))  # February 2027 has 20 weekdays
    trigger = BusinessDayTrigger(day=20, at=time(6), holidays=holidays, period="month", zone=LA)
    with pytest.raises(
        ScheduleError, match=r"business_day = 20: February 2027 has fewer business days"
    ):
        list(zip(range(6), fires(trigger, datetime(2026, 11, 22, tzinfo=LA))))


def test_cron_and_business_day_cannot_both_be_given_and_a_schedule_is_needed():
    with pytest.raises(ValueError, match="cron or business_day, not both"):
        Schedule(cron="0 6 * * MON", business_day=3)
    with pytest.raises(ScheduleError, match=r"add \[schedule\]"):
        trigger_for(Schedule(), "UTC", "month")


def workspace(tmp_path, schedule: str, organization: str = ""):
    toml = TOML.replace(
        'timezone = "America/Los_Angeles"\n', f'timezone = "America/Los_Angeles"\n{organization}'
    )
    return write_workspace(tmp_path / "ws", toml + "\n[schedule]\n" + schedule)


def test_schedule_next_prints_iso_times_with_offsets_and_the_period_each_reports(tmp_path):
    root = workspace(tmp_path, 'cron = "0 6 * * MON"\n')
    result = run_cli("schedule", "next", "-w", str(root), "--from", "2026-10-20", "--count", "3")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "2026-10-26T06:00:00-07:00  2026-09",
        "2026-11-02T06:00:00-08:00  2026-10",
        "2026-11-09T06:00:00-08:00  2026-10",
    ]
    assert "cron '0 6 * * MON' in America/Los_Angeles" in result.stderr


def test_schedule_next_with_a_business_day_and_holidays(tmp_path):
    root = workspace(tmp_path, 'business_day = 3\nat = "07:15"\nholidays = [2026-12-02]\n')
    result = run_cli(
        "schedule", "next", "-w", str(root), "--from", "2026-11-22T00:00", "--count", "2"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "2026-12-04T07:15:00-08:00  2026-11",
        "2027-01-05T07:15:00-08:00  2026-12",
    ]


@pytest.mark.parametrize(
    "schedule, organization, message",
    [
        ('cron = "0 6 * MON"\n', "", r"schedule.cron = '0 6 \* MON' has 4 fields; cron takes five"),
        ('cron = "0 25 * * *"\n', "", r"'0 25 \* \* \*' is not a valid cron expression"),
        ('cron = "0 6 30 2 *"\n', "", r"never fires"),
        (
            "business_day = 21\n",
            "",
            r"schedule.business_day = 21: beyond the month .* choose 1 to 20",
        ),
        (
            "business_day = 6\n",
            'period = "week"\n',
            r"business_day = 6: beyond the week .* choose 1 to 5",
        ),
        ("business_day = 0\n", "", r"schedule.business_day"),
        (
            'cron = "0 6 * * MON"\ncrom = "x"\n',
            "",
            r"schedule.crom: unknown key; did you mean 'cron'\?",
        ),
    ],
)
def test_bad_schedules_are_exit_2_at_their_line(tmp_path, schedule, organization, message):
    root = workspace(tmp_path, schedule, organization)
    result = run_cli("schedule", "next", "-w", str(root))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{root / 'boardpack.toml'}:" in result.stderr
    assert re.search(message, result.stderr), result.stderr


def test_an_unknown_time_zone_and_a_bad_from_are_exit_2(tmp_path):
    root = workspace(tmp_path, 'cron = "0 6 * * MON"\n')
    toml = root / "boardpack.toml"
    toml.write_text(toml.read_text().replace("America/Los_Angeles", "America/Springfield"))
    result = run_cli("schedule", "next", "-w", str(root))
    assert (
        result.returncode == 2
        and "America/Springfield" in result.stderr
        and "Traceback" not in result.stderr
    )
    root = workspace(tmp_path / "b", 'cron = "0 6 * * MON"\n')
    result = run_cli("schedule", "next", "-w", str(root), "--from", "next tuesday")
    assert result.returncode == 2 and "--from 'next tuesday' is not a date or time" in result.stderr
    assert not result.stdout
