"""Delivery rate: 1,000 SES sends through an endpoint that adds 50 ms to every call and throttles
anything over the configured rate — the dispatcher beside a plain one-at-a-time loop.

The endpoint (bench/ses_endpoint.py, its own process) sleeps 50 ms per call, counts recipients over
a sliding one-second window, answers `TooManyRequestsException: Maximum sending rate exceeded.`
(429) above the rate, and accepts the rest, counting Message-IDs (so a duplicate would show). Both
senders run the real boto3 client over real HTTP.

Usage: python bench/delivery_rate.py [MESSAGES] [RATE]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from boardpack.audit.keys import DeliveryKey  # noqa: E402
from boardpack.audit.sqlite import SqliteAuditStore  # noqa: E402
from boardpack.aws_clients import NO_RETRIES  # noqa: E402
from boardpack.config import SesSettings  # noqa: E402
from boardpack.delivery.dispatcher import Dispatcher, Policy  # noqa: E402
from boardpack.delivery.message import Recipients, build_message  # noqa: E402
from boardpack.delivery.transports.ses import SesTransport  # noqa: E402

LATENCY = 0.050


class Endpoint:
    def __init__(self, rate: float):
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).parent / "ses_endpoint.py"),
                str(rate),
                str(LATENCY),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        self.url = self.process.stdout.readline().strip()

    def stats(self) -> dict:
        return json.load(urllib.request.urlopen(self.url + "/stats"))

    def stop(self):
        self.process.terminate()
        self.process.wait()


def messages(n: int, tag: str):
    out = []
    for i in range(n):
        recipients = Recipients((f"r{i}@example.com",))
        key = DeliveryKey.of("2026-10", f"{tag}{i}", recipients.envelope())
        out.append(
            build_message(
                key,
                "reports@example.com",
                recipients,
                f"Report {i}",
                "text",
                "<p>html</p>",
                "h",
                datetime(2026, 11, 1, tzinfo=UTC),
            )
        )
    return out


def client(url: str, config=None, service: str = "sesv2"):
    return boto3.client(
        service,
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=config,
    )


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    rate = float(sys.argv[2]) if len(sys.argv) > 2 else 200
    endpoint = Endpoint(rate)
    try:
        ses = SesTransport(
            SesSettings(max_send_rate=rate),
            client(endpoint.url, NO_RETRIES),
            client(endpoint.url, NO_RETRIES, "ses"),
        )
        # a production account's quota, as SES GetAccount would report it
        ses.quota = lambda: {
            "Max24HourSend": 1_000_000.0,
            "MaxSendRate": rate,
            "SentLast24Hours": 0.0,
        }
        batch = messages(n, "d")
        with tempfile.TemporaryDirectory() as folder:
            store = SqliteAuditStore(Path(folder) / "audit.sqlite")
            started = time.monotonic()
            report = Dispatcher(
                store, ses, "bench", policy=Policy(concurrency=32, retry_delay=0.2)
            ).dispatch(batch)
            elapsed = time.monotonic() - started
        after_dispatcher = endpoint.stats()
        sent = sum(o.state == "sent" for o in report.outcomes)
        dispatcher = {
            "sent": sent,
            "seconds": round(elapsed, 2),
            "messages/s": round(sent / elapsed, 1),
            "of configured rate": round(sent / elapsed / rate, 3),
            "throttled by the endpoint": after_dispatcher["throttled"],
            "retries": report.retries,
            "duplicated at the endpoint": after_dispatcher["duplicated"],
        }

        plain = client(
            endpoint.url
        )  # the obvious way: boto3's defaults (its own retries on), one call at a time
        batch = messages(n, "p")
        started = time.monotonic()
        for m in batch:
            plain.send_email(
                FromEmailAddress="reports@example.com",
                Destination={"ToAddresses": list(m.envelope)},
                Content={"Raw": {"Data": m.raw}},
            )
        elapsed = time.monotonic() - started
        after_loop = endpoint.stats()
        loop = {
            "sent": n,
            "seconds": round(elapsed, 2),
            "messages/s": round(n / elapsed, 1),
            "of configured rate": round(n / elapsed / rate, 3),
            "throttled by the endpoint": after_loop["throttled"] - after_dispatcher["throttled"],
        }
        print(
            json.dumps(
                {
                    "messages": n,
                    "configured rate (recipients/s)": rate,
                    "latency per call (ms)": LATENCY * 1000,
                    "dispatcher": dispatcher,
                    "plain loop": loop,
                    "dispatcher / plain loop": round(
                        dispatcher["messages/s"] / loop["messages/s"], 1
                    ),
                },
                indent=2,
            )
        )
    finally:
        endpoint.stop()


if __name__ == "__main__":
    main()
