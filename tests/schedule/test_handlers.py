"""The Lambda handlers against a real moto_server, with the payloads AWS sends: an EventBridge
Scheduler input, SNS-wrapped SES events, SQS batches. SES sends, the DynamoDB audit store records,
alerts are read back through an SQS subscription to the alert topic."""

import json

import pytest

from boardpack.aws import handlers
from boardpack.aws.slots import BadEvent
from boardpack.errors import WorkspaceError
from tests.conftest import ses_toml, write_workspace
from tests.delivery.ses_events import bounce_event
from tests.schedule.conftest import SLOT, Context


def workspace(tmp_path, name="ws"):
    return write_workspace(
        tmp_path / name, ses_toml()
    )  # its own [audit] and [alerts] are replaced on AWS


def test_the_scheduled_run_sends_through_ses_records_in_dynamodb_and_runs_each_slot_once(
    cloud, aws, tmp_path, monkeypatch
):
    bundled = workspace(tmp_path)
    bundled.chmod(0o555)  # read-only, as the bundle is on Lambda
    monkeypatch.setenv("BOARDPACK_WORKSPACE", str(bundled))
    try:
        result = handlers.scheduled_run({"scheduled_time": SLOT, "attempt": "1"}, Context())
        again = handlers.scheduled_run(
            {"scheduled_time": SLOT, "attempt": "1"}, Context()
        )  # at-least-once
    finally:
        bundled.chmod(0o755)
    assert result["status"] == "ok" and result["summary"] == "2026-10: 2 sent"
    assert again["status"] == "taken"
    assert len(aws.sent_raw()) == 2
    store = cloud.store()
    (fire,) = store.fires()
    assert (fire.slot, fire.owner, fire.status) == (
        "2026-11-02T14:00:00+00:00",
        f"lambda:{Context.aws_request_id}",
        "ok",
    )
    assert {d.state for d in store.deliveries("2026-10")} == {"sent"}
    assert not (bundled / ".boardpack").exists()  # state went to the writable copy


def test_a_failed_scheduled_run_alerts_and_its_retry_completes_it(
    cloud, aws, tmp_path, monkeypatch
):
    ws = workspace(tmp_path)
    ledger = (ws / "ledger" / "bank.csv").read_text()
    (ws / "ledger" / "bank.csv").unlink()
    monkeypatch.setenv("BOARDPACK_WORKSPACE", cloud.upload(ws, "harbor/"))
    failed = handlers.scheduled_run({"scheduled_time": SLOT}, Context())
    assert failed["status"] == "error" and "ledger/bank.csv" in failed["summary"]
    (alert,) = cloud.alerts()
    assert "ledger/bank.csv" in alert and aws.sent_raw() == []
    cloud.s3.put_object(Bucket="packs", Key="harbor/ledger/bank.csv", Body=ledger.encode())
    retried = handlers.scheduled_run({"scheduled_time": SLOT, "attempt": "2"}, Context())
    assert retried["status"] == "ok" and len(aws.sent_raw()) == 2
    (fire,) = cloud.store().fires()
    assert fire.status == "ok" and fire.detail.startswith("EventBridge Scheduler, attempt 2")


def test_the_ses_events_handler_suppresses_a_hard_bounce_from_an_sns_lambda_event(
    cloud, tmp_path, monkeypatch
):
    monkeypatch.setenv("BOARDPACK_WORKSPACE", str(workspace(tmp_path)))
    handlers.scheduled_run({"scheduled_time": SLOT}, Context())
    ceo = next(d for d in cloud.store().deliveries("2026-10") if d.key.report == "ceo")
    envelope = {
        "Type": "Notification",
        "MessageId": "sns-1",
        "TopicArn": "arn:aws:sns:us-east-1:123456789012:ses",
        "Message": json.dumps(bounce_event(ceo.transport_id, "owner@example.com")),
    }
    event = {"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0", "Sns": envelope}]}
    result = handlers.ses_events(event, Context())
    assert (result["matched"], result["suppressed"]) == (1, ["owner@example.com"])
    assert cloud.store().suppressed() == {"owner@example.com"}
    assert handlers.ses_events(event, Context())["duplicates"] == 1


@pytest.mark.parametrize(
    "event, message",
    [
        ("tick", "the event is a str, not an object with scheduled_time"),
        ({"detail-type": "Scheduled Event"}, "no scheduled_time .* its keys: detail-type"),
        ({"scheduled_time": "soon"}, "scheduled_time 'soon' is not an ISO 8601 time"),
    ],
)
def test_a_malformed_event_is_refused_before_anything_runs(
    cloud, aws, tmp_path, monkeypatch, event, message
):
    monkeypatch.setenv("BOARDPACK_WORKSPACE", str(workspace(tmp_path)))
    with pytest.raises(BadEvent, match=message):
        handlers.scheduled_run(event, Context())
    assert aws.sent_raw() == [] and cloud.store().fires() == []


def test_a_missing_s3_workspace_is_an_error_naming_it(cloud, monkeypatch):
    monkeypatch.setenv("BOARDPACK_WORKSPACE", "s3://packs/nobody/")
    with pytest.raises(WorkspaceError, match=r"s3://packs/nobody/: no boardpack.toml there"):
        handlers.scheduled_run({"scheduled_time": SLOT}, Context())
    monkeypatch.setenv("BOARDPACK_WORKSPACE", "s3://no-such-bucket/ws/")
    with pytest.raises(WorkspaceError, match="the bucket 'no-such-bucket' does not exist"):
        handlers.scheduled_run({"scheduled_time": SLOT}, Context())
    monkeypatch.delenv("BOARDPACK_WORKSPACE")
    with pytest.raises(WorkspaceError, match="BOARDPACK_WORKSPACE is not set"):
        handlers.scheduled_run({"scheduled_time": SLOT}, Context())


def sqs_event(sqs, queue: str) -> tuple[dict, list[dict]]:
    """What Lambda's event source mapping hands the function: a batch of up to 10 records."""
    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "eventSource": "aws:sqs",
            }
            for m in messages
        ]
    }, messages


def test_the_planner_enqueues_a_job_per_portfolio_and_report_and_the_worker_sends_each_once(
    cloud, aws, tmp_path, monkeypatch
):
    sqs = cloud.sqs
    jobs = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    dead = sqs.create_queue(QueueName="jobs-dead")["QueueUrl"]
    for name in ("acme", "bolt"):
        cloud.upload(workspace(tmp_path, name), f"portfolios/{name}/")
    broken = workspace(tmp_path, "crow")
    (broken / "boardpack.toml").write_text((broken / "boardpack.toml").read_text() + "\n[bogus]\n")
    cloud.upload(broken, "portfolios/crow/")
    monkeypatch.setenv("BOARDPACK_PORTFOLIOS", "s3://packs/portfolios/")
    monkeypatch.setenv("BOARDPACK_JOB_QUEUE", jobs)
    monkeypatch.setenv("BOARDPACK_DEAD_LETTERS", dead)

    planned = handlers.plan({"scheduled_time": SLOT}, Context())
    assert planned["jobs"] == 4  # two portfolios × their two addressed reports (ceo, cfo)
    assert len(planned["skipped"]) == 1 and planned["skipped"][0].startswith("crow: ")
    (alert,) = cloud.alerts()
    assert "crow" in alert and "bogus: unknown key" in alert

    cloud.s3.delete_object(
        Bucket="packs", Key="portfolios/bolt/boardpack.toml"
    )  # bolt leaves meanwhile
    event, messages = sqs_event(sqs, jobs)
    duplicate = dict(event["Records"][0], messageId="redelivered")  # SQS delivers at least once
    malformed = {
        "messageId": "junk",
        "receiptHandle": "x",
        "body": "{not json",
        "eventSource": "aws:sqs",
    }
    result = handlers.work({"Records": event["Records"] + [duplicate, malformed]}, Context())
    assert result == {"batchItemFailures": []}
    assert sorted(json.loads(m["Body"])["portfolio"] for m in messages) == [
        "acme",
        "acme",
        "bolt",
        "bolt",
    ]
    assert len(aws.sent_raw()) == 2  # acme's two reports, once each
    assert {d.key.report for d in cloud.store("acme").deliveries("2026-10")} == {"ceo", "cfo"}
    assert cloud.store("bolt").deliveries() == []

    letters = sqs.receive_message(
        QueueUrl=dead, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
    )["Messages"]
    reasons = sorted(m["MessageAttributes"]["reason"]["StringValue"] for m in letters)
    assert len(reasons) == 3
    assert reasons[0].startswith("not a boardpack job: the body is not JSON")
    assert all(
        r.startswith(
            "portfolio 'bolt' no longer exists: s3://packs/portfolios/bolt/: no boardpack.toml"
        )
        for r in reasons[1:]
    )


def test_a_job_for_a_report_the_portfolio_no_longer_has_is_dead_lettered(
    cloud, aws, tmp_path, monkeypatch
):
    dead = cloud.sqs.create_queue(QueueName="jobs-dead")["QueueUrl"]
    monkeypatch.setenv("BOARDPACK_DEAD_LETTERS", dead)
    uri = cloud.upload(workspace(tmp_path, "acme"), "portfolios/acme/")
    records = [
        {
            "messageId": f"m{n}",
            "receiptHandle": "r",
            "eventSource": "aws:sqs",
            "body": json.dumps(
                {"portfolio": "acme", "workspace": uri, "report": report, "slot": SLOT}
            ),
        }
        for n, report in enumerate(("cfo", "cmo"))
    ]  # acme has no [roles.cmo]
    assert handlers.work({"Records": records}, Context()) == {
        "batchItemFailures": [{"itemIdentifier": "m0"}]
    }
    (letter,) = cloud.sqs.receive_message(QueueUrl=dead, MessageAttributeNames=["All"])["Messages"]
    assert (
        letter["MessageAttributes"]["reason"]["StringValue"]
        == "portfolio 'acme' has no report 'cmo' any more"
    )
    assert handlers.work({"Records": records[:1]}, Context()) == {
        "batchItemFailures": []
    }  # offered again: sent
    assert len(aws.sent_raw()) == 1


def test_the_watch_handler_alerts_once_through_ses_and_dynamodb(cloud, aws, tmp_path, monkeypatch):
    from tests.test_watch import RULE

    root = write_workspace(tmp_path / "ws", ses_toml() + RULE)
    monkeypatch.setenv("BOARDPACK_WORKSPACE", str(root))
    first = handlers.watch({}, Context())
    again = handlers.watch({}, Context())
    assert (first["rules"], first["firing"], first["summary"]) == (1, 1, "1 sent")
    assert again["summary"] == "1 already sent" and len(aws.sent_raw()) == 1
    (state,) = cloud.store().watch_states().values()
    assert state["firing"] and state["episode"] == 1


def test_a_live_sources_snapshot_is_kept_in_s3_and_every_later_run_builds_from_it(
    cloud, aws, tmp_path, monkeypatch
):
    """Issue 41, part 6, on AWS: the run pulls CloudWatch once and keeps the snapshot beside the
    workspace in S3; a later run on a cold worker (its disk empty) brings it back with the
    workspace and builds the same pack, though CloudWatch has changed since."""
    import shutil
    from datetime import date, datetime

    import boto3

    from boardpack import pipeline
    from boardpack.aws.workspace import the_workspace
    from boardpack.live.pulls import refresh
    from tests.sources.test_live import CLOUDWATCH

    ws = write_workspace(tmp_path / "ws", ses_toml() + CLOUDWATCH)
    monkeypatch.setenv("BOARDPACK_WORKSPACE", cloud.upload(ws, "harbor/"))
    assert handlers.scheduled_run({"scheduled_time": SLOT}, Context())["status"] == "ok"
    key = "harbor/.boardpack/snapshots/services/2026-10.jsonl.gz"
    assert cloud.s3.head_object(Bucket="packs", Key=key)["ContentLength"] > 0
    boto3.client("cloudwatch").put_metric_data(
        Namespace="AWS/ApiGateway",
        MetricData=[{"MetricName": "5XXError", "Value": 40,
                     "Dimensions": [{"Name": "ApiName", "Value": "bookings"}],
                     "Timestamp": datetime(2026, 10, 5, 10)}],
    )  # fmt: skip
    shutil.rmtree(tmp_path / "lambda-tmp")  # a cold worker
    pack = pipeline.build_pack(the_workspace(), date(2026, 11, 2))
    assert pack.results.metrics["technology.services.api_errors"].value is None  # as pulled
    refresh(the_workspace(), pack.period, date(2026, 11, 2))  # `boardpack pull`: on purpose
    again = pipeline.build_pack(the_workspace(), date(2026, 11, 2))
    assert again.results.metrics["technology.services.api_errors"].value == 40
