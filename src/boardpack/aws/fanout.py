"""Fan-out for many portfolios: the planner enqueues one SQS job per portfolio and report, the
worker builds each portfolio once per batch and sends its reports, idempotently (every delivery is
claimed first).

A job that can never succeed (malformed, or its portfolio or report is gone) goes straight to the
dead-letter queue with its reason as a message attribute; one that failed for a passing reason is
returned as a batch item failure, so SQS offers it again (and dead-letters it after
maxReceiveCount).
"""

from __future__ import annotations

import json
import logging
import os
from collections import defaultdict
from datetime import datetime
from typing import Any

from boardpack import pipeline
from boardpack.aws.slots import BadEvent, not_due, scheduled_time
from boardpack.aws.workspace import PortfolioGone, fetch, on_aws, s3_location
from boardpack.aws_clients import function_client
from boardpack.config import WORKSPACE_FILE, Workspace, load_workspace
from boardpack.delivery.plan import recipients_for
from boardpack.errors import WorkspaceError
from boardpack.figures import plural
from boardpack.reports.roles import report_specs, workspace_sections
from boardpack.schedule.fire import local_day

log = logging.getLogger("boardpack")


class UnknownReports(WorkspaceError):
    def __init__(self, reports: set[str]):
        super().__init__(f"unknown reports: {', '.join(sorted(reports))}")
        self.reports = reports


def portfolios(root: str) -> dict[str, str]:
    """Each sub-folder of `root` holding a boardpack.toml: {portfolio id: its s3:// URI}."""
    bucket, prefix = s3_location(root)
    s3 = function_client("s3")
    found = {}
    for page in s3.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, Prefix=prefix, Delimiter="/"
    ):
        for common in page.get("CommonPrefixes", []):
            name = common["Prefix"][len(prefix) :].rstrip("/")
            found[name] = f"s3://{bucket}/{common['Prefix']}"
    return found


def addressed_reports(workspace: Workspace) -> list[str]:
    return [
        spec.id
        for spec in report_specs(workspace, workspace_sections(workspace))
        if recipients_for(workspace, spec.id) is not None
    ]


def plan(event: Any) -> dict:
    """Enqueue one job per portfolio and report. A portfolio whose workspace does not load is left
    out and named in the deployment's alert; the others go ahead."""
    slot = scheduled_time(event)
    root, queue = os.environ.get("BOARDPACK_PORTFOLIOS"), os.environ.get("BOARDPACK_JOB_QUEUE")
    if not root or not queue:
        raise WorkspaceError(
            "the planner needs BOARDPACK_PORTFOLIOS (s3://bucket/prefix/) and BOARDPACK_JOB_QUEUE"
        )
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
        jobs += [
            {"portfolio": portfolio, "workspace": uri, "report": r, "slot": slot.isoformat()}
            for r in reports
        ]
    sqs = function_client("sqs")
    for start in range(0, len(jobs), 10):
        batch = jobs[start : start + 10]
        reply = sqs.send_message_batch(
            QueueUrl=queue,
            Entries=[{"Id": str(n), "MessageBody": json.dumps(job)} for n, job in enumerate(batch)],
        )
        if reply.get("Failed"):
            raise WorkspaceError(
                f"SQS refused {len(reply['Failed'])} jobs: {reply['Failed'][0].get('Message')}"
            )
    if skipped:
        _deployment_alert(
            f"{plural(len(skipped), 'portfolio')} not planned for {slot.isoformat()}", skipped
        )
    log.info(
        "planned %d jobs for %d portfolios (%d skipped)",
        len(jobs),
        len({j["portfolio"] for j in jobs}),
        len(skipped),
    )
    return {"jobs": len(jobs), "skipped": skipped}


def _deployment_alert(subject: str, lines: list[str]) -> None:
    topic = os.environ.get("BOARDPACK_ALERT_TOPIC")
    if topic:
        function_client("sns").publish(
            TopicArn=topic,
            Subject=f"[boardpack] {subject}"[:100],
            Message="\n".join(f"- {line}" for line in lines),
        )


class Job(dict):
    KEYS = ("portfolio", "workspace", "report", "slot")

    @classmethod
    def of(cls, record: Any) -> Job:
        try:
            body = json.loads(record["body"])
        except (TypeError, KeyError, ValueError) as exc:
            raise BadEvent(f"not a boardpack job: the body is not JSON ({exc})") from None
        except RecursionError:
            raise BadEvent("not a boardpack job: the body is nested thousands deep") from None
        missing = [
            k for k in cls.KEYS if not isinstance(body, dict) or not isinstance(body.get(k), str)
        ]
        if missing:
            raise BadEvent(f"not a boardpack job: missing {', '.join(missing)}")
        scheduled_time({"scheduled_time": body["slot"]})
        return cls(body)


def work(event: Any) -> dict:
    """Process a batch of jobs. Jobs of one portfolio and slot share one build; each report is sent
    at most once however often its job arrives, because every delivery is claimed in the audit store
    first.
    """
    records = event.get("Records") if isinstance(event, dict) else None
    if not isinstance(records, list):
        raise BadEvent("not an SQS event: no Records")
    failures, groups = [], defaultdict(list)
    for record in records:
        try:
            job = Job.of(record)
            if not isinstance(record.get("messageId"), str):
                raise BadEvent("not an SQS record: it has no messageId")
        except BadEvent as exc:  # it can never succeed: dead-lettered, never retried
            dead_letter(record, str(exc))
            continue
        groups[(job["portfolio"], job["workspace"], job["slot"])].append((record, job))
    for (portfolio, uri, slot), items in groups.items():
        try:
            _send_reports(
                portfolio, uri, datetime.fromisoformat(slot), [job["report"] for _, job in items]
            )
        except PortfolioGone as exc:
            for record, _ in items:
                dead_letter(record, f"portfolio {portfolio!r} no longer exists: {exc}")
        except UnknownReports as exc:
            for record, job in items:
                if job["report"] in exc.reports:
                    dead_letter(
                        record, f"portfolio {portfolio!r} has no report {job['report']!r} any more"
                    )
                else:
                    failures.append(record["messageId"])  # offered again, without the bad one
        # its boardpack.toml no longer loads: only its owner can fix that
        except WorkspaceError as exc:
            for record, _ in items:
                dead_letter(record, f"portfolio {portfolio!r}: {exc}")
        # passing (throttling, a network fault) or not: SQS offers the jobs again,
        except Exception as exc:
            # then dead-letters them
            log.exception("portfolio %s: %s; the jobs will be retried", portfolio, exc)
            failures += [record["messageId"] for record, _ in items]
    return {"batchItemFailures": [{"itemIdentifier": m} for m in failures]}


def _send_reports(portfolio: str, uri: str, slot: datetime, reports: list[str]) -> None:
    workspace = on_aws(load_workspace(fetch(uri)), scope=portfolio, uri=uri)
    gone = set(reports) - set(addressed_reports(workspace))
    if gone:
        raise UnknownReports(gone)
    as_of = local_day(workspace, slot)
    try:
        pack = pipeline.build_pack(workspace, as_of, reports)
        result = pipeline.send_pack(pack, reports, run_id=pipeline.new_run_id(), command="worker")
    # the portfolio's own input is bad: its owner hears of it; retrying won't help
    except WorkspaceError as exc:
        alert = pipeline.record_build_error(workspace, as_of, exc, command="worker")
        log.warning("portfolio %s: could not build (%s); alert: %s", portfolio, exc, alert)
        return
    log.info("portfolio %s %s: %s", portfolio, ",".join(reports), result.report.summary())


def dead_letter(record: dict, reason: str) -> None:
    """Straight to the dead-letter queue, with the reason beside the original body."""
    queue = os.environ.get("BOARDPACK_DEAD_LETTERS")
    if not queue:
        raise WorkspaceError(
            f"a job can never succeed ({reason}), and BOARDPACK_DEAD_LETTERS is not set"
        )
    record = record if isinstance(record, dict) else {}
    body, source = record.get("body"), str(record.get("messageId", "?"))
    function_client("sqs").send_message(
        QueueUrl=queue,
        MessageBody=body if isinstance(body, str) and body else "{}",
        MessageAttributes={
            "reason": {"DataType": "String", "StringValue": reason[:1000]},
            "source_message_id": {"DataType": "String", "StringValue": source},
        },
    )
    log.warning("dead-lettered %s: %s", source, reason)
