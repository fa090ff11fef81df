"""Classes 6 and 8 of the second trial: the Lambda batch handlers on a real moto_server.

- A fan-out deployment reads notifications with no single workspace to ask; the audit copy of each
  delivery is recorded with it, so a complaint about it never suppresses that address.
- In an SES-event batch each record stands alone: one nested thousands deep, or of the wrong shape,
  is returned in `batchItemFailures` while the good one is stored; a console's plain-text test
  message is skipped and logged, not failed (a retry would never make it a notification).
- The fan-out worker dead-letters a job it can never run (nested JSON, not a record, no messageId,
  an absurd slot) and still sends the good one; it never crashes the batch.
"""

from __future__ import annotations

import json

from boardpack.aws import handlers
from tests.conftest import ses_toml, write_workspace
from tests.delivery.ses_events import bounce_event, complaint_notification
from tests.schedule.conftest import SLOT, Context, cloud  # noqa: F401 - the fixture

DEEP = "[" * 10_000 + "]" * 10_000


def fan_out_send(cloud, tmp_path, monkeypatch, name: str = "acme") -> dict:  # noqa: F811
    """One portfolio's reports sent by the fan-out worker; its jobs' records."""
    dead = cloud.sqs.create_queue(QueueName="jobs-dead")["QueueUrl"]
    monkeypatch.setenv("BOARDPACK_DEAD_LETTERS", dead)
    uri = cloud.upload(write_workspace(tmp_path / name, ses_toml()), f"portfolios/{name}/")
    records = [
        {
            "messageId": f"job-{report}",
            "receiptHandle": "r",
            "eventSource": "aws:sqs",
            "body": json.dumps(
                {"portfolio": name, "workspace": uri, "report": report, "slot": SLOT}
            ),
        }
        for report in ("ceo", "cfo")
    ]
    assert handlers.work({"Records": records}, Context()) == {"batchItemFailures": []}
    return {"dead": dead, "records": records}


def sns_record(message: str, ident: str = "sns-1") -> dict:
    envelope = {"Type": "Notification", "MessageId": ident, "Message": message}
    return {"EventSource": "aws:sns", "EventVersion": "1.0", "Sns": envelope}


def test_a_fan_out_deployment_never_suppresses_the_audit_copy(cloud, aws, tmp_path, monkeypatch):  # noqa: F811
    fan_out_send(cloud, tmp_path, monkeypatch)
    cfo = next(d for d in cloud.store("acme").deliveries("2026-10") if d.key.report == "cfo")
    assert "audit@example.com" in cfo.recipients
    monkeypatch.delenv("BOARDPACK_WORKSPACE", raising=False)  # the shared notification handler
    complaint = complaint_notification(cfo.transport_id, "audit@example.com")
    complaint["complaint"]["complainedRecipients"].append({"emailAddress": "cfo@example.com"})
    result = handlers.ses_events({"Records": [sns_record(json.dumps(complaint))]}, Context())
    assert result["suppressed"] == ["cfo@example.com"]
    assert result["protected"] == ["audit@example.com"]
    assert cloud.store().suppressed() == {"cfo@example.com"}


def test_an_ses_event_batch_keeps_the_good_record_and_isolates_every_bad_one(
    cloud,  # noqa: F811
    aws,
    tmp_path,
    monkeypatch,
):
    fan_out_send(cloud, tmp_path, monkeypatch)
    ceo = next(d for d in cloud.store("acme").deliveries("2026-10") if d.key.report == "ceo")
    good = json.dumps(bounce_event(ceo.transport_id, "owner@example.com"))
    deep_inside = '{"eventType": "Bounce", "mail": ' + DEEP + "}"
    records = [
        sns_record(good, "good"),
        sns_record(deep_inside, "deep-in-sns"),
        {"messageId": "deep-in-sqs", "body": deep_inside, "eventSource": "aws:sqs"},
        {"messageId": "sns-a-string", "Sns": "not an envelope", "body": 5},
        {"EventSource": "aws:sns", "Sns": {"Type": "Notification", "MessageId": 7, "Message": []}},
        ["not", "a", "record"],
        sns_record("Hello from the SNS console", "console-test"),
        {"messageId": "sqs-console-test", "body": "test", "eventSource": "aws:sqs"},
    ]
    result = handlers.ses_events({"Records": records}, Context())
    assert (result["events"], result["suppressed"]) == (1, ["owner@example.com"])
    failed = [f["itemIdentifier"] for f in result["batchItemFailures"]]
    assert failed == ["deep-in-sns", "deep-in-sqs", "4", "5"]  # by messageId, or by position
    assert sum("plain text, not a notification" in note for note in result["skipped"]) == 3
    assert cloud.store().suppressed() == {"owner@example.com"}


def test_the_fan_out_worker_dead_letters_what_can_never_run_and_sends_the_rest(
    cloud,  # noqa: F811
    aws,
    tmp_path,
    monkeypatch,
):
    sent = fan_out_send(cloud, tmp_path / "first", monkeypatch, "acme")
    good = sent["records"][0] | {"messageId": "again"}  # sent already: nothing is sent twice
    job = json.loads(good["body"])
    records = [
        {"messageId": "deep", "receiptHandle": "r", "body": DEEP},
        "not a record",
        {"receiptHandle": "r", "body": good["body"]},  # no messageId
        {"messageId": "year-1", "body": json.dumps(job | {"slot": "0001-01-01T00:00:00+14:00"})},
        {"messageId": "bad-slot", "body": json.dumps(job | {"slot": "x" * 10_000})},
        good,
    ]
    assert handlers.work({"Records": records}, Context()) == {"batchItemFailures": []}
    letters = cloud.sqs.receive_message(
        QueueUrl=sent["dead"], MaxNumberOfMessages=10, MessageAttributeNames=["All"]
    )["Messages"]
    reasons = {m["MessageAttributes"]["source_message_id"]["StringValue"]: m for m in letters}
    assert set(reasons) == {"deep", "?", "year-1", "bad-slot"}
    said = [m["MessageAttributes"]["reason"]["StringValue"] for m in letters]
    assert any("nested thousands deep" in r for r in said)
    assert any("outside the years 1900-2999" in r for r in said)
    assert all(len(r) <= 1000 for r in said)
    assert len(aws.sent_raw()) == 2  # the first run's two reports; the repeat sent nothing


def test_an_s3_object_whose_name_climbs_out_of_the_workspace_is_refused(cloud, tmp_path):  # noqa: F811
    """A portfolio's objects are written under its own folder of the worker's cache; a key that
    climbs (`../other/`) or is absolute would write into another portfolio's."""
    from boardpack.aws.workspace import cache_root, fetch
    from boardpack.errors import WorkspaceError

    cloud.s3.put_object(Bucket="packs", Key="evil/boardpack.toml", Body=b"[organization]\n")
    cloud.s3.put_object(Bucket="packs", Key="evil/../victim/boardpack.toml", Body=b"planted")
    cloud.s3.put_object(Bucket="packs", Key="evil//etc/cron.d/x", Body=b"planted")
    try:
        fetch("s3://packs/evil/")
    except WorkspaceError as exc:
        assert "would be written outside the workspace's folder" in str(exc)
    else:
        raise AssertionError("a climbing key was written")
    planted = [p for p in cache_root().rglob("*") if p.is_file() and p.read_bytes() == b"planted"]
    assert planted == []


def test_the_bundle_s_copy_can_be_written_and_keeps_its_links(tmp_path):
    """On Lambda the bundle is read-only and its copy would keep the modes, so a source that keeps
    state beside the workspace (the secret scan's key) would fail: the copy is the owner's to
    write. A link stays a link, for the workspace's own checks to judge."""
    import os
    import stat

    from boardpack.aws.workspace import writable_copy

    bundle = write_workspace(tmp_path / "bundle", ses_toml())
    os.symlink(tmp_path / "elsewhere", bundle / "notes" / "linked.md")
    for path in sorted(bundle.rglob("*"), reverse=True):
        if not path.is_symlink():
            path.chmod(0o555 if path.is_dir() else 0o444)
    bundle.chmod(0o555)
    try:
        writable_copy(bundle, tmp_path / "copy")
    finally:
        for path in [bundle, *bundle.rglob("*")]:
            if not path.is_symlink():
                path.chmod(0o755)
    copied = [tmp_path / "copy", *(tmp_path / "copy").rglob("*")]
    assert all(p.lstat().st_mode & stat.S_IWUSR for p in copied if not p.is_symlink())
    link = tmp_path / "copy" / "notes" / "linked.md"
    assert link.is_symlink() and os.readlink(link) == str(tmp_path / "elsewhere")
