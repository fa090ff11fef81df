"""When an invocation was due, and whether that day is a business day for the workspace."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from boardpack.config import Workspace
from boardpack.errors import WorkspaceError
from boardpack.schedule.fire import local_day


class BadEvent(WorkspaceError):
    """An invocation's event is not what this handler takes: retrying will not help."""


def scheduled_time(event: Any) -> datetime:
    """When this invocation was due: the template passes EventBridge Scheduler's
    `<aws.scheduler.scheduled-time>` as `scheduled_time`; an EventBridge rule's event has `time`.
    Using it, not the clock, means a retry an hour later still reports the same period."""
    if not isinstance(event, dict):
        raise BadEvent(f"the event is a {type(event).__name__}, not an object with scheduled_time")
    text = event.get("scheduled_time") or event.get("time")
    if not isinstance(text, str):
        raise BadEvent(
            'the event has no scheduled_time (EventBridge Scheduler: Input {"scheduled_time": '
            '"<aws.scheduler.scheduled-time>"}) and no time (an EventBridge rule\'s event); '
            f"its keys: {', '.join(sorted(map(str, event))) or 'none'}"
        )
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BadEvent(
            f"scheduled_time {text[:40]!r} is not an ISO 8601 time such as 2026-11-02T14:00:00Z"
        ) from None
    if not 1900 <= moment.year <= 2999:  # as --as-of: a period the books could hold
        raise BadEvent(f"scheduled_time {text!r} is outside the years 1900-2999")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def not_due(workspace: Workspace, slot: datetime) -> str | None:
    """Why a weekday fire is not the business day (EventBridge fires every weekday for a
    business_day schedule)."""
    from boardpack.schedule.triggers import BusinessDayTrigger, trigger_for

    org = workspace.settings.organization
    if workspace.settings.schedule.business_day is None:
        return None
    trigger = trigger_for(workspace.settings.schedule, org.timezone, org.period)
    assert isinstance(trigger, BusinessDayTrigger)
    day = local_day(workspace, slot)
    return None if trigger.fires_on(day) else f"{day} is not {trigger.describe()}"


def owner_of(context: Any) -> str:
    return f"lambda:{getattr(context, 'aws_request_id', None) or os.getpid()}"
