"""One firing of the schedule, wherever it runs (the local scheduler, a Lambda function): claim the
slot in the audit store, work out the period from the fire time, build, send, record the outcome,
alert if needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from boardpack import pipeline
from boardpack.config import Workspace
from boardpack.delivery.transports.base import Transport
from boardpack.errors import WorkspaceError
from boardpack.period import period_before


def slot_key(slot: datetime) -> str:
    """The audit store's name for a slot: UTC, so slots sort as text whatever the time zone."""
    return slot.astimezone(UTC).isoformat()


def local_day(workspace: Workspace, slot: datetime) -> date:
    """The slot's date in the organization's time zone: the pack covers the last complete period
    before it."""
    return slot.astimezone(ZoneInfo(workspace.settings.organization.timezone)).date()


@dataclass(frozen=True)
class FireResult:
    slot: datetime
    status: str  # ok | attention | error | taken (someone else has run, or is running, this slot)
    summary: str
    run_id: str = ""


def fire(
    workspace: Workspace,
    slot: datetime,
    owner: str,
    detail: str = "",
    retake: tuple[str, ...] = (),
    transport: Transport | None = None,
    retake_failed: bool = False,
) -> FireResult:
    """Run the pack for the period before `slot` (in the organization's time zone), at most once per
    slot.

    A delivery already sent for that period is not sent again, so re-running a slot (after a crash,
    or a repeated invocation) only completes what is missing.
    """
    run_id = pipeline.new_run_id()
    store = pipeline.audit_store(workspace)
    try:
        if not store.claim_fire(slot_key(slot), owner, run_id, detail, retake, retake_failed):
            return FireResult(
                slot, "taken", "this slot has already been run, or is running elsewhere"
            )
        try:
            status, summary = _run(workspace, slot, run_id, transport)
        except BaseException as exc:
            store.finish_fire(slot_key(slot), "error", f"{type(exc).__name__}: {exc}".rstrip(": "))
            raise
        store.finish_fire(slot_key(slot), status, summary)
        return FireResult(slot=slot, status=status, summary=summary, run_id=run_id)
    finally:
        store.close()


def _run(
    workspace: Workspace, slot: datetime, run_id: str, transport: Transport | None
) -> tuple[str, str]:
    as_of = local_day(workspace, slot)
    try:  # bad input stops a run before anything is sent (and before send_pack records it)
        settled = pipeline.settle_held(
            workspace,
            period_before(as_of, workspace.settings.organization.period),
            pipeline.now_in(workspace),
        )
        pack = pipeline.build_pack(workspace, as_of)
        result = pipeline.send_pack(pack, transport=transport, run_id=run_id, command="schedule")
    except WorkspaceError as exc:  # the owner hears of it: nobody waits for a pack that never comes
        alert = pipeline.record_build_error(workspace, as_of, exc, run_id, "schedule")
        return "error", f"could not build the pack: {exc} (alert: {alert})"
    summary = "".join(f"{line}; " for line in settled)
    summary += f"{pack.period.label}: {result.report.summary()}" + (
        f" (alert: {result.alert})" if result.alert else ""
    )
    return ("ok" if result.report.ok else "attention"), summary
