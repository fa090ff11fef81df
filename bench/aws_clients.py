"""Benchmark: the AWS clients one worker job makes (SES v2 and v1 to send, DynamoDB for the audit
store) through `boardpack.aws.client` — one session per set of AWS settings, kept for the process —
beside the obvious way, a new boto3 session for every client, which reads botocore's service models
from disk each time. Making a client sends nothing, so no endpoint is needed.

Usage: python bench/aws_clients.py [JOBS]
"""

from __future__ import annotations

import sys
import time
from types import SimpleNamespace

import boto3

from boardpack import aws_clients as aws
from boardpack.environment import Environment

SERVICES = ("sesv2", "ses", "dynamodb")
ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_REGION": "us-east-1",
}


def kept(jobs: int) -> float:
    workspace = SimpleNamespace(env=Environment(dict(ENV)))
    started = time.perf_counter()
    for _ in range(jobs):
        for service in SERVICES:
            aws.client(workspace, service, None, aws.NO_RETRIES)
    return time.perf_counter() - started


def obvious(jobs: int) -> float:
    started = time.perf_counter()
    for _ in range(jobs):
        for service in SERVICES:
            boto3.Session(
                aws_access_key_id=ENV["AWS_ACCESS_KEY_ID"],
                aws_secret_access_key=ENV["AWS_SECRET_ACCESS_KEY"],
                region_name=ENV["AWS_REGION"],
            ).client(service, config=aws.NO_RETRIES)
    return time.perf_counter() - started


def main() -> None:
    jobs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    ours, theirs = kept(jobs), obvious(jobs)
    clients = jobs * len(SERVICES)
    print(f"{jobs} jobs, {clients} clients ({', '.join(SERVICES)} each)")
    print(
        f"  session kept per AWS settings: {ours:6.2f} s  {ours / clients * 1000:6.1f} ms a client"
    )
    print(
        f"  new session per client:        {theirs:6.2f} s  {theirs / clients * 1000:6.1f} ms a"
        " client"
    )
    print(f"  ratio: {theirs / ours:.1f}x")


if __name__ == "__main__":
    main()
