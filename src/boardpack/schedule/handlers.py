"""The AWS Lambda handlers, for the Python runtime. The generated CloudFormation template wires them up.

    boardpack.schedule.handlers.scheduled_run   EventBridge Scheduler → the pack for the period before the
                                                 scheduled time: SES, the DynamoDB audit store, SNS alerts
    boardpack.schedule.handlers.ses_events      SES events through SNS (or SQS) → events, suppression list
    boardpack.schedule.handlers.plan            EventBridge Scheduler → one SQS job per portfolio and report
    boardpack.schedule.handlers.work            SQS jobs → build and send that report, idempotently

The function's environment says where things are:

    BOARDPACK_WORKSPACE          the workspace: a folder (bundled with the function) or s3://bucket/prefix/
    BOARDPACK_AUDIT_TABLE        the DynamoDB audit table        ┐ these replace the workspace's own [delivery],
    BOARDPACK_ALERT_TOPIC        the SNS alert topic's ARN       │ [audit] and [alerts] choices, so one workspace
    BOARDPACK_CONFIGURATION_SET  the SES configuration set       ┘ runs locally and on AWS unchanged
    BOARDPACK_PORTFOLIOS         plan: s3://bucket/prefix/, one sub-folder (a workspace) per portfolio
    BOARDPACK_JOB_QUEUE          plan: the jobs queue's URL
    BOARDPACK_DEAD_LETTERS       work: the dead-letter queue's URL, for jobs that can never succeed

A job that can never succeed (malformed, or its portfolio or report is gone) goes straight to the
dead-letter queue with its reason as a message attribute; one that failed for a passing reason is
returned as a batch item failure, so SQS offers it again (and dead-letters it after maxReceiveCount).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.exceptions import ClientError

from boardpack import aws, pipeline
from boardpack.config import WORKSPACE_FILE, Workspace, load_workspace
from boardpack.delivery.plan import recipients_for
from boardpack.errors import WorkspaceError
from boardpack.reports.roles import report_specs, workspace_sections
from boardpack.schedule.fire import fire, local_day

log = logging.getLogger("boardpack")
log.setLevel(logging.INFO)


class BadEvent(WorkspaceError):
    """An invocation's event is not what this handler takes: retrying will not help."""


class PortfolioGone(WorkspaceError):
    pass


class UnknownReports(WorkspaceError):
    def __init__(self, reports: set[str]):
        super().__init__(f"unknown reports: {', '.join(sorted(reports))}")
        self.reports = reports


# -- the workspace ------------------------------------------------------------------------------------------


def client(service: str):
    """A client for the function's own region (Lambda sets AWS_REGION); AWS_ENDPOINT_URL is honoured by boto3."""
    return boto3.client(service, region_name=os.environ.get("AWS_REGION") or None)


def cache_root() -> Path:
    return Path(os.environ.get("BOARDPACK_CACHE") or tempfile.gettempdir()) / "boardpack"


def s3_location(uri: str) -> tuple[str, str]:
    parts = urlsplit(uri)
    if parts.scheme != "s3" or not parts.netloc:
        raise WorkspaceError(f"{uri!r} is not an S3 location: write it as s3://bucket/prefix/")
    return parts.netloc, parts.path.lstrip("/").rstrip("/") + "/" if parts.path.strip("/") else ""


def fetch(uri: str, only: str | None = None) -> Path:
    """A local copy of the workspace at `uri`, refreshed from S3 where an object changed (ETags), so a warm
    function downloads only what is new. A folder is copied once to a writable place (the bundle is
    read-only on Lambda, and the workspace keeps state beside it)."""
    local = cache_root() / hashlib.sha256(uri.encode()).hexdigest()[:16]
    if not uri.startswith("s3://"):
        source = Path(uri)
        if not (source / WORKSPACE_FILE).is_file():
            raise WorkspaceError(f"BOARDPACK_WORKSPACE = {uri!r}: no {WORKSPACE_FILE} there")
        if os.access(source, os.W_OK):
            return source
        if not local.exists():
            shutil.copytree(source, local)
        return local
    bucket, prefix = s3_location(uri)
    s3 = client("s3")
    try:
        objects = [o for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
                   for o in page.get("Contents", []) if not o["Key"].endswith("/")]
        names = {o["Key"][len(prefix):]: o for o in objects}
        if WORKSPACE_FILE not in names:
            raise PortfolioGone(f"{uri}: no {WORKSPACE_FILE} there (is the bucket and prefix right, or was the "
                                "workspace removed?)")
        manifest_file = local / ".boardpack-s3.json"
        manifest = json.loads(manifest_file.read_text()) if manifest_file.is_file() else {}
        wanted = {name: o for name, o in names.items() if only is None or name == only}
        for name, o in wanted.items():
            path = local / name
            if manifest.get(name) != o["ETag"] or not path.is_file():
                path.parent.mkdir(parents=True, exist_ok=True)
                s3.download_file(bucket, o["Key"], str(path))
                manifest[name] = o["ETag"]
        for name in set(manifest) - set(names):  # removed from S3: removed here
            (local / name).unlink(missing_ok=True)
            del manifest[name]
        manifest_file.write_text(json.dumps(manifest))
    except ClientError as exc:
        if aws.error_code(exc) == "NoSuchBucket":
            raise PortfolioGone(f"{uri}: the bucket {bucket!r} does not exist") from None
        raise
    return local


def on_aws(workspace: Workspace, environ: dict[str, str] | None = None, scope: str | None = None) -> Workspace:
    """The workspace as it runs on AWS: the function's table, topic and configuration set replace its own
    [delivery], [audit] and [alerts] choices; `scope` keeps a portfolio's records apart in a shared table."""
    env = os.environ if environ is None else environ
    s = workspace.settings
    delivery = s.delivery.model_copy(update={"transport": "ses", "ses": s.delivery.ses.model_copy(update={
        "configuration_set": env.get("BOARDPACK_CONFIGURATION_SET") or s.delivery.ses.configuration_set})})
    audit = s.audit.model_copy(update={"store": "dynamodb", "table": env.get("BOARDPACK_AUDIT_TABLE") or s.audit.table,
                                       "scope": s.audit.scope if scope is None else scope})
    alerts = s.alerts.model_copy(update={"sns_topic_arn": env.get("BOARDPACK_ALERT_TOPIC") or s.alerts.sns_topic_arn})
    return replace(workspace, settings=s.model_copy(update={"delivery": delivery, "audit": audit, "alerts": alerts}))


def the_workspace() -> Workspace:
    uri = os.environ.get("BOARDPACK_WORKSPACE")
    if not uri:
        raise WorkspaceError("BOARDPACK_WORKSPACE is not set: the function needs its workspace (a folder in the "
                             "bundle, or s3://bucket/prefix/)")
    return on_aws(load_workspace(fetch(uri)))


def owner_of(context: Any) -> str:
    return f"lambda:{getattr(context, 'aws_request_id', None) or os.getpid()}"


# -- the scheduled run --------------------------------------------------------------------------------------


def scheduled_time(event: Any) -> datetime:
    """When this invocation was due: the template passes EventBridge Scheduler's `<aws.scheduler.scheduled-time>`
    as `scheduled_time`; an EventBridge rule's event has `time`. Using it, not the clock, means a retry an hour
    later still reports the same period."""
    if not isinstance(event, dict):
        raise BadEvent(f"the event is a {type(event).__name__}, not an object with scheduled_time")
    text = event.get("scheduled_time") or event.get("time")
    if not isinstance(text, str):
        raise BadEvent("the event has no scheduled_time (EventBridge Scheduler: Input {\"scheduled_time\": "
                       "\"<aws.scheduler.scheduled-time>\"}) and no time (an EventBridge rule's event); "
                       f"its keys: {', '.join(sorted(map(str, event))) or 'none'}")
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BadEvent(f"scheduled_time {text!r} is not an ISO 8601 time such as 2026-11-02T14:00:00Z") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def not_due(workspace: Workspace, slot: datetime) -> str | None:
    """Why a weekday fire is not the business day (EventBridge fires every weekday for a business_day schedule)."""
    from boardpack.schedule.triggers import BusinessDayTrigger, trigger_for

    org = workspace.settings.organization
    if workspace.settings.schedule.business_day is None:
        return None
    trigger = trigger_for(workspace.settings.schedule, org.timezone, org.period)
    assert isinstance(trigger, BusinessDayTrigger)
    day = local_day(workspace, slot)
    return None if trigger.fires_on(day) else f"{day} is not {trigger.describe()}"


def scheduled_run(event: Any, context: Any = None) -> dict:
    slot = scheduled_time(event)
    workspace = the_workspace()
    if reason := not_due(workspace, slot):
        return {"slot": slot.isoformat(), "status": "skipped", "summary": reason, "run_id": ""}
    attempt = event.get("attempt")
    detail = f"EventBridge Scheduler, attempt {attempt}" if attempt and attempt != "1" else ""
    result = fire(workspace, slot, owner_of(context), detail, retake_failed=True)
    log.info("fire %s: %s: %s", slot.isoformat(), result.status, result.summary)
    return {"slot": slot.isoformat(), "status": result.status, "summary": result.summary, "run_id": result.run_id}


# -- SES events ---------------------------------------------------------------------------------------------


def ses_events(event: Any, context: Any = None) -> dict:
    """For a function subscribed to the SES event topic (SNS) or a queue behind it (SQS): each record alone,
    a bad one returned in `batchItemFailures` while the good ones are kept."""
    from boardpack.delivery.events import ingest, lambda_records, protected_addresses

    events, skipped, failed = lambda_records(event)
    for note in skipped:
        print(f"skipped: {note}")
    table = os.environ.get("BOARDPACK_AUDIT_TABLE")
    workspace = None
    if os.environ.get("BOARDPACK_WORKSPACE") or not table:
        workspace = the_workspace()
        store = pipeline.audit_store(workspace)
    else:  # a fan-out deployment: events and suppressions are shared by every portfolio in the table
        from boardpack.audit.dynamodb import DynamoAuditStore

        store = DynamoAuditStore(client("dynamodb"), table)
    protected = protected_addresses(workspace) if workspace else frozenset()
    try:
        result = ingest(store, events, skipped, protected)
    finally:
        store.close()
    if result.protected and workspace:
        from boardpack.alerts import bounced_protected

        print(f"alert: {bounced_protected(workspace, result.protected)}")
    return {"events": result.events, "duplicates": result.duplicates, "matched": result.matched,
            "unmatched": result.unmatched, "suppressed": result.suppressed, "protected": result.protected,
            "skipped": result.skipped, "batchItemFailures": [{"itemIdentifier": i} for i in failed]}


# -- fan-out: the planner and the worker ----------------------------------------------------------------------


def portfolios(root: str) -> dict[str, str]:
    """Each sub-folder of `root` holding a boardpack.toml: {portfolio id: its s3:// URI}."""
    bucket, prefix = s3_location(root)
    s3 = client("s3")
    found = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix, Delimiter="/"):
        for common in page.get("CommonPrefixes", []):
            name = common["Prefix"][len(prefix):].rstrip("/")
            found[name] = f"s3://{bucket}/{common['Prefix']}"
    return found


def addressed_reports(workspace: Workspace) -> list[str]:
    return [spec.id for spec in report_specs(workspace, workspace_sections(workspace))
            if recipients_for(workspace, spec.id) is not None]


def plan(event: Any, context: Any = None) -> dict:
    """Enqueue one job per portfolio and report. A portfolio whose workspace does not load is left out and
    named in the deployment's alert; the others go ahead."""
    slot = scheduled_time(event)
    root, queue = os.environ.get("BOARDPACK_PORTFOLIOS"), os.environ.get("BOARDPACK_JOB_QUEUE")
    if not root or not queue:
        raise WorkspaceError("the planner needs BOARDPACK_PORTFOLIOS (s3://bucket/prefix/) and BOARDPACK_JOB_QUEUE")
    jobs, skipped = [], []
    for portfolio, uri in sorted(portfolios(root).items()):
        try:
            workspace = load_workspace(fetch(uri, only=WORKSPACE_FILE))
            if not_due(workspace, slot):  # a business_day portfolio on another weekday
                continue
            reports = addressed_reports(workspace)
        except WorkspaceError as exc:
            skipped.append(f"{portfolio}: {exc}")
            continue
        jobs += [{"portfolio": portfolio, "workspace": uri, "report": r, "slot": slot.isoformat()} for r in reports]
    sqs = client("sqs")
    for start in range(0, len(jobs), 10):
        batch = jobs[start:start + 10]
        reply = sqs.send_message_batch(QueueUrl=queue, Entries=[
            {"Id": str(n), "MessageBody": json.dumps(job)} for n, job in enumerate(batch)])
        if reply.get("Failed"):
            raise WorkspaceError(f"SQS refused {len(reply['Failed'])} jobs: {reply['Failed'][0].get('Message')}")
    if skipped:
        _deployment_alert(f"{len(skipped)} portfolio(s) not planned for {slot.isoformat()}", skipped)
    log.info("planned %d jobs for %d portfolios (%d skipped)", len(jobs), len({j['portfolio'] for j in jobs}),
             len(skipped))
    return {"jobs": len(jobs), "skipped": skipped}


def _deployment_alert(subject: str, lines: list[str]) -> None:
    topic = os.environ.get("BOARDPACK_ALERT_TOPIC")
    if topic:
        client("sns").publish(TopicArn=topic, Subject=f"[boardpack] {subject}"[:100],
                                    Message="\n".join(f"- {line}" for line in lines))


class Job(dict):
    KEYS = ("portfolio", "workspace", "report", "slot")

    @classmethod
    def of(cls, record: Any) -> Job:
        try:
            body = json.loads(record["body"])
        except (TypeError, KeyError, json.JSONDecodeError) as exc:
            raise BadEvent(f"not a boardpack job: the body is not JSON ({exc})") from None
        missing = [k for k in cls.KEYS if not isinstance(body, dict) or not isinstance(body.get(k), str)]
        if missing:
            raise BadEvent(f"not a boardpack job: missing {', '.join(missing)}")
        scheduled_time({"scheduled_time": body["slot"]})
        return cls(body)


def work(event: Any, context: Any = None) -> dict:
    """Process a batch of jobs. Jobs of one portfolio and slot share one build; each report is sent at most
    once however often its job arrives, because every delivery is claimed in the audit store first."""
    records = event.get("Records") if isinstance(event, dict) else None
    if not isinstance(records, list):
        raise BadEvent("not an SQS event: no Records")
    failures, groups = [], defaultdict(list)
    for record in records:
        try:
            job = Job.of(record)
        except BadEvent as exc:
            dead_letter(record, str(exc))
            continue
        groups[(job["portfolio"], job["workspace"], job["slot"])].append((record, job))
    for (portfolio, uri, slot), items in groups.items():
        try:
            _send_reports(portfolio, uri, datetime.fromisoformat(slot), [job["report"] for _, job in items], context)
        except PortfolioGone as exc:
            for record, _ in items:
                dead_letter(record, f"portfolio {portfolio!r} no longer exists: {exc}")
        except UnknownReports as exc:
            for record, job in items:
                if job["report"] in exc.reports:
                    dead_letter(record, f"portfolio {portfolio!r} has no report {job['report']!r} any more")
                else:
                    failures.append(record["messageId"])  # offered again, without the bad one
        except WorkspaceError as exc:  # its boardpack.toml no longer loads: only its owner can fix that
            for record, _ in items:
                dead_letter(record, f"portfolio {portfolio!r}: {exc}")
        except Exception as exc:  # passing (throttling, a network fault) or not: SQS offers the jobs again,
            log.exception("portfolio %s: %s; the jobs will be retried", portfolio, exc)  # then dead-letters them
            failures += [record["messageId"] for record, _ in items]
    return {"batchItemFailures": [{"itemIdentifier": m} for m in failures]}


def _send_reports(portfolio: str, uri: str, slot: datetime, reports: list[str], context: Any) -> None:
    workspace = on_aws(load_workspace(fetch(uri)), scope=portfolio)
    gone = set(reports) - set(addressed_reports(workspace))
    if gone:
        raise UnknownReports(gone)
    as_of = local_day(workspace, slot)
    try:
        pack = pipeline.build_pack(workspace, as_of, reports)
        result = pipeline.send_pack(pack, reports, run_id=pipeline.new_run_id(), command="worker")
    except WorkspaceError as exc:  # the portfolio's own input is bad: its owner hears of it; retrying won't help
        alert = pipeline.record_build_error(workspace, as_of, exc, command="worker")
        log.warning("portfolio %s: could not build (%s); alert: %s", portfolio, exc, alert)
        return
    log.info("portfolio %s %s: %s", portfolio, ",".join(reports), result.report.summary())


def dead_letter(record: dict, reason: str) -> None:
    """Straight to the dead-letter queue, with the reason beside the original body."""
    queue = os.environ.get("BOARDPACK_DEAD_LETTERS")
    if not queue:
        raise WorkspaceError(f"a job can never succeed ({reason}), and BOARDPACK_DEAD_LETTERS is not set")
    record = record if isinstance(record, dict) else {}
    body, source = record.get("body"), str(record.get("messageId", "?"))
    client("sqs").send_message(QueueUrl=queue, MessageBody=body if isinstance(body, str) and body else "{}",
                               MessageAttributes={"reason": {"DataType": "String", "StringValue": reason[:1000]},
                                                  "source_message_id": {"DataType": "String", "StringValue": source}})
    log.warning("dead-lettered %s: %s", source, reason)
