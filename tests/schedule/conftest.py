"""The AWS side of a deployment, on a real moto_server, for the handler and bundle tests."""

import json
from pathlib import Path

import boto3
import pytest

from boardpack.audit.dynamodb import DynamoAuditStore

SLOT = "2026-11-02T14:00:00Z"  # Monday 06:00 in Los Angeles: October's pack


class Context:
    aws_request_id = "7d3c9a52-0000-4000-8000-000000000001"


@pytest.fixture
def cloud(aws, monkeypatch, tmp_path):
    """The AWS side of a deployment, as the template would create it."""
    for name, value in aws.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", aws.env()["AWS_REGION"])
    monkeypatch.setenv("BOARDPACK_CACHE", str(tmp_path / "lambda-tmp"))
    ses, sns, sqs, s3 = (boto3.client(s) for s in ("ses", "sns", "sqs", "s3"))
    ses.verify_domain_identity(Domain="example.com")
    topic = sns.create_topic(Name="boardpack-alerts")["TopicArn"]
    inbox = sqs.create_queue(QueueName="alert-inbox")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=inbox, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    s3.create_bucket(Bucket="packs")
    monkeypatch.setenv("BOARDPACK_AUDIT_TABLE", "boardpack-audit")
    monkeypatch.setenv("BOARDPACK_ALERT_TOPIC", topic)

    class Cloud:
        def alerts(self) -> list[str]:
            messages = sqs.receive_message(QueueUrl=inbox, MaxNumberOfMessages=10).get(
                "Messages", []
            )
            return [json.loads(m["Body"])["Message"] for m in messages]

        def store(self, scope: str = "") -> DynamoAuditStore:
            store = DynamoAuditStore(boto3.client("dynamodb"), "boardpack-audit", scope)
            store.ensure_table()
            return store

        def upload(self, folder: Path, prefix: str) -> str:
            for path in folder.rglob("*"):
                if path.is_file():
                    s3.upload_file(str(path), "packs", f"{prefix}{path.relative_to(folder)}")
            return f"s3://packs/{prefix}"

    Cloud.s3, Cloud.sqs = s3, sqs
    return Cloud()
