"""The AWS Lambda handlers, for the Python runtime: thin functions the generated template wires up.

    scheduled_run   EventBridge Scheduler → the pack for the period before the scheduled time:
                    SES, the DynamoDB audit store, SNS alerts
    ses_events      SES events through SNS (or SQS) → events, suppression list
    plan            EventBridge Scheduler → one SQS job per portfolio and report
    work            SQS jobs → build and send that report, idempotently
    approve         a function URL → the approval page of a held pack's link
    watch           EventBridge Scheduler, each morning → held deliveries past their approval
                    window, then the [[watch]] rules, one alert per episode

The function's environment says where things are:

    BOARDPACK_WORKSPACE          the workspace: a folder (bundled with the function) or
                                 s3://bucket/prefix/
    BOARDPACK_AUDIT_TABLE        the DynamoDB audit table    ┐ these replace the workspace's own
    BOARDPACK_ALERT_TOPIC        the SNS alert topic's ARN   │ [delivery], [audit] and [alerts], so
    BOARDPACK_CONFIGURATION_SET  the SES configuration set   ┘ one workspace runs here and on AWS
    BOARDPACK_PORTFOLIOS         plan: s3://bucket/prefix/, a sub-folder (workspace) per portfolio
    BOARDPACK_JOB_QUEUE          plan: the jobs queue's URL
    BOARDPACK_DEAD_LETTERS       work: the dead-letter queue's URL, for jobs that can never succeed
    BOARDPACK_APPROVAL_URL       the approval page's function URL, for the drafts' links
    BOARDPACK_APPROVAL_SECRET    the key that signs and checks those links (a template parameter)
"""

from __future__ import annotations

import logging
import os
from typing import Any

from boardpack import collect_seldom, pipeline
from boardpack.aws import fanout
from boardpack.aws.slots import not_due, owner_of, scheduled_time
from boardpack.aws.workspace import the_workspace
from boardpack.aws_clients import function_client
from boardpack.schedule.fire import fire

log = logging.getLogger("boardpack")
log.setLevel(logging.INFO)
collect_seldom()


def scheduled_run(event: Any, context: Any = None) -> dict:
    slot = scheduled_time(event)
    workspace = the_workspace()
    if reason := not_due(workspace, slot):
        return {"slot": slot.isoformat(), "status": "skipped", "summary": reason, "run_id": ""}
    attempt = event.get("attempt")
    detail = f"EventBridge Scheduler, attempt {attempt}" if attempt and attempt != "1" else ""
    result = fire(workspace, slot, owner_of(context), detail, retake_failed=True)
    log.info("fire %s: %s: %s", slot.isoformat(), result.status, result.summary)
    return {
        "slot": slot.isoformat(),
        "status": result.status,
        "summary": result.summary,
        "run_id": result.run_id,
    }


def ses_events(event: Any, context: Any = None) -> dict:
    """For a function subscribed to the SES event topic (SNS) or a queue behind it (SQS): each
    record alone, a bad one returned in `batchItemFailures` while the good ones are kept."""
    from boardpack.feedback.events import ingest, lambda_records, protected_addresses

    events, skipped, failed = lambda_records(event)
    for note in skipped:
        print(f"skipped: {note}")
    table = os.environ.get("BOARDPACK_AUDIT_TABLE")
    workspace = None
    if os.environ.get("BOARDPACK_WORKSPACE") or not table:
        workspace = the_workspace()
        store = pipeline.audit_store(workspace)
    # a fan-out deployment: events and suppressions are shared by every portfolio in the table
    else:
        from boardpack.audit.dynamodb import DynamoAuditStore

        store = DynamoAuditStore(function_client("dynamodb"), table)
    protected = protected_addresses(workspace) if workspace else frozenset()
    try:
        result = ingest(store, events, skipped, protected)
    finally:
        store.close()
    if result.protected and workspace:
        from boardpack.alerts import bounced_protected

        print(f"alert: {bounced_protected(workspace, result.protected)}")
    return {
        "events": result.events,
        "duplicates": result.duplicates,
        "matched": result.matched,
        "unmatched": result.unmatched,
        "suppressed": result.suppressed,
        "protected": result.protected,
        "skipped": result.skipped,
        "batchItemFailures": [{"itemIdentifier": i} for i in failed],
    }


def plan(event: Any, context: Any = None) -> dict:
    """Enqueue one job per portfolio and report (see `fanout.plan`)."""
    return fanout.plan(event)


def work(event: Any, context: Any = None) -> dict:
    """Build and send the reports of a batch of jobs (see `fanout.work`)."""
    return fanout.work(event)


def watch(event: Any, context: Any = None) -> dict:
    """EventBridge Scheduler, each morning → the deliveries held past their approval window
    (released or alerted on), then the [[watch]] rules on the books as they stand."""
    from boardpack.period import period_before
    from boardpack.watching import watch as watch_now

    workspace = the_workspace()
    now = pipeline.now_in(workspace)
    period = period_before(now.date(), workspace.settings.organization.period)
    settled = pipeline.settle_held(workspace, period, now)
    done, report = watch_now(workspace, now.date())
    firing = sum(1 for e in done if e.state["firing"])
    log.info("watch: %d rules, %d firing: %s", len(done), firing, report.summary())
    return {"rules": len(done), "firing": firing, "summary": report.summary(), "held": settled}


def approve(event: Any, context: Any = None) -> dict:
    """A Lambda function URL: the approval page of a held pack (see `approve_page`)."""
    from boardpack.aws.approve_page import handle

    return handle(event)
