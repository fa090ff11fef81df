"""Fan-out at scale: 20 portfolios × 5 reports (FANOUT_PORTFOLIOS=200 for the full size, about two
minutes here), planned onto SQS and consumed by 4 worker processes at once, with a fifth of the jobs
delivered twice on purpose. Every delivery is sent exactly once.

Each worker does what Lambda's SQS event source mapping does for the function: receive a batch of up
to ten, call `handlers.work`, delete what it did not report as failed. Everything else is real:
moto_server (S3, SQS, DynamoDB, SES), the audit store's conditional writes, separate processes
racing for jobs.

Each portfolio names its own audit table here ([audit] table), rather than sharing the stack's one
table with scopes (tests/audit covers scopes): moto's TransactWriteItems deep-copies the whole table
before every transaction, so one table of 6,000 items makes the emulator, not boardpack, the
bottleneck.
"""

import json
import os
import subprocess
import sys
from collections import Counter

import boto3
import pytest

from boardpack.audit.dynamodb import DynamoAuditStore
from boardpack.aws import handlers

PORTFOLIOS = int(os.environ.get("FANOUT_PORTFOLIOS", 20))
ROLES = ("ceo", "cfo", "cto", "cmo", "accounting")
WORKERS = 4
TWICE = PORTFOLIOS * len(ROLES) // 5 // 10 * 10  # in whole batches of ten

WORKER = """
import json, os, sys, boto3
from boardpack.aws import handlers
sqs, queue, idle = boto3.client("sqs"), os.environ["BOARDPACK_JOB_QUEUE"], 0
while idle < 3:  # the queue stayed empty three polls running: done
    reply = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=0)
    messages = reply.get("Messages", [])
    if not messages:
        idle += 1
        continue
    idle = 0
    event = {"Records": [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"],
                          "body": m["Body"], "eventSource": "aws:sqs"} for m in messages]}
    failed = {f["itemIdentifier"] for f in handlers.work(event)["batchItemFailures"]}
    done = [m for m in messages if m["MessageId"] not in failed]
    if done:
        entries = [{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(done)]
        sqs.delete_message_batch(QueueUrl=queue, Entries=entries)
"""


def portfolio_toml(n: int) -> str:
    roles = "".join(f'[roles.{r}]\nto = ["{r}@p{n:03d}.example.com"]\n' for r in ROLES)
    return f"""\
[organization]
name = "Portfolio {n}"
timezone = "America/Los_Angeles"

[[entities]]
id = "main"
name = "Portfolio {n} LLC"
kind = "services"

[[sources.ledger]]
path = "bank.csv"
entity = "main"
[sources.ledger.columns]
date = "Date"
amount = "Amount"
account = "Account"
counterparty = "Payee"
memo = "Memo"

{roles}
[audit]
table = "audit-p{n:03d}"

[delivery]
transport = "ses"
from = "reports@example.com"
concurrency = 2
[delivery.ses]
max_send_rate = 1000
"""


LEDGER = """\
Date,Payee,Memo,Amount,Account
2026-09-05,Client,September work,{a}.00,Income:Services
2026-10-05,Client,October work,{b}.00,Income:Services
2026-10-10,Landlord,Rent,-900.00,Expenses:Rent
"""


@pytest.fixture
def production_ses(aws):
    aws.configure(MOTO_SES_DAILY_QUOTA="100000")  # out of the sandbox's 200 a day
    return aws


def test_many_portfolios_by_4_workers_with_duplicate_jobs_send_every_delivery_exactly_once(
    production_ses, tmp_path, monkeypatch
):
    env = production_ses.env() | {"AWS_DEFAULT_REGION": "us-east-1"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    s3, sqs, ses = (boto3.client(s) for s in ("s3", "sqs", "ses"))
    ses.verify_domain_identity(Domain="example.com")
    s3.create_bucket(Bucket="clients")
    for n in range(PORTFOLIOS):
        s3.put_object(
            Bucket="clients", Key=f"all/p{n:03d}/boardpack.toml", Body=portfolio_toml(n).encode()
        )
        s3.put_object(
            Bucket="clients",
            Key=f"all/p{n:03d}/bank.csv",
            Body=LEDGER.format(a=1000 + n, b=2000 + n).encode(),
        )
    dead = sqs.create_queue(QueueName="jobs-dead")["QueueUrl"]
    jobs = sqs.create_queue(QueueName="jobs", Attributes={"VisibilityTimeout": "300"})["QueueUrl"]
    monkeypatch.setenv("BOARDPACK_PORTFOLIOS", "s3://clients/all/")
    monkeypatch.setenv("BOARDPACK_JOB_QUEUE", jobs)
    monkeypatch.setenv("BOARDPACK_DEAD_LETTERS", dead)
    for n in range(PORTFOLIOS):  # each portfolio's own table (see the module's docstring)
        DynamoAuditStore(boto3.client("dynamodb"), f"audit-p{n:03d}").ensure_table()

    assert handlers.plan({"scheduled_time": "2026-11-02T14:00:00Z"})["jobs"] == PORTFOLIOS * len(
        ROLES
    )
    resent: list[str] = []  # the same job again, as SQS's at-least-once delivery may hand it over
    while len(resent) < TWICE:
        batch = sqs.receive_message(QueueUrl=jobs, MaxNumberOfMessages=10, VisibilityTimeout=0)[
            "Messages"
        ]
        resent += [m["Body"] for m in batch]
    for start in range(0, TWICE, 10):
        sqs.send_message_batch(
            QueueUrl=jobs,
            Entries=[
                {"Id": str(n), "MessageBody": body}
                for n, body in enumerate(resent[start : start + 10])
            ],
        )

    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER],
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "BOARDPACK_CACHE": str(tmp_path / f"worker-{w}")},
        )
        for w in range(WORKERS)
    ]
    for w in workers:
        _, errors = w.communicate(timeout=900)
        assert w.returncode == 0, errors[-3000:]

    sent = production_ses.sent_raw()
    per_recipient = Counter(
        address for m in sent for address in set(m["destinations"])
    )  # moto lists each twice
    assert len(per_recipient) == PORTFOLIOS * len(ROLES)
    assert set(per_recipient.values()) == {1}  # every delivery exactly once
    assert len(sent) == PORTFOLIOS * len(ROLES)
    for n in (0, PORTFOLIOS // 2, PORTFOLIOS - 1):
        store = DynamoAuditStore(boto3.client("dynamodb"), f"audit-p{n:03d}", f"p{n:03d}")
        assert sorted((d.key.report, d.state) for d in store.deliveries("2026-10")) == sorted(
            (r, "sent") for r in ROLES
        )
    assert sqs.receive_message(QueueUrl=dead).get("Messages") is None
    assert (
        sqs.get_queue_attributes(QueueUrl=jobs, AttributeNames=["All"])["Attributes"][
            "ApproximateNumberOfMessages"
        ]
        == "0"
    )
    # the duplicated jobs were jobs of the planned portfolios (each sent once, as checked above)
    planned = {f"p{n:03d}" for n in range(PORTFOLIOS)}
    assert len(resent) == TWICE and {json.loads(body)["portfolio"] for body in resent} <= planned
