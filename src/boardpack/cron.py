"""The cron check `boardpack.toml` needs at load, kept apart from the scheduler so settings import
no scheduling code."""

from __future__ import annotations

from datetime import datetime

from croniter import CroniterBadDateError, croniter


def cron_problem(expression: str) -> str | None:
    """What is wrong with a cron expression, or None. Five fields, as cron and EventBridge both read
    them."""
    fields = expression.split()
    if len(fields) != 5:
        return (
            f"{expression!r} has {len(fields)} fields; cron takes five: minute hour day-of-month"
            ' month day-of-week, e.g. "0 6 * * MON"'
        )
    if not croniter.is_valid(expression):
        return (
            f"{expression!r} is not a valid cron expression (minute hour day-of-month month"
            " day-of-week)"
        )
    try:
        croniter(expression, datetime(2000, 1, 1)).get_next(datetime)
    except CroniterBadDateError:
        return f"{expression!r} never fires (no such date)"
    return None
