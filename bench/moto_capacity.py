"""How many SES sends a second moto_server itself accepts here, one at a time and 16 at once — why
bench/delivery_rate.py answers SES itself instead of forwarding to moto.

Usage: python bench/moto_capacity.py [MESSAGES]
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.delivery_rate import messages  # noqa: E402
from tests.servers import MotoServer  # noqa: E402


def send_all(client, batch, threads: int) -> float:
    """Messages per second for `batch`, sent by `threads` threads sharing one client."""

    def work(part):
        for m in part:
            client.send_email(
                FromEmailAddress="reports@example.com",
                Destination={"ToAddresses": list(m.envelope)},
                Content={"Raw": {"Data": m.raw}},
            )

    workers = [threading.Thread(target=work, args=(batch[i::threads],)) for i in range(threads)]
    started = time.monotonic()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return len(batch) / (time.monotonic() - started)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    moto = MotoServer(serial=False)  # as moto_server's own command line starts it: threaded
    try:
        args = {
            "endpoint_url": moto.url,
            "region_name": "us-east-1",
            "aws_access_key_id": "testing",
            "aws_secret_access_key": "testing",
        }
        boto3.client("ses", **args).verify_email_identity(EmailAddress="reports@example.com")
        client = boto3.client("sesv2", **args)
        one = send_all(client, messages(n, "a"), 1)
        many = send_all(client, messages(n, "b"), 16)
        print(
            f"moto_server, {n} SES v2 SendEmail calls each: one at a time {one:.1f}/s, 16 at once"
            f" {many:.1f}/s"
        )
    finally:
        moto.stop()


if __name__ == "__main__":
    main()
