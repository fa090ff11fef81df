"""Delivery rate: 1,000 SES sends through an endpoint that adds 50 ms to every call and throttles anything
over the configured rate — the dispatcher beside a plain one-at-a-time loop.

The endpoint is a small HTTP proxy in front of a real moto_server: it sleeps 50 ms, counts recipients
over a sliding one-second window, answers `TooManyRequestsException: Maximum sending rate exceeded.`
(429) above the rate, and forwards the rest to moto, which records them.

Usage: python bench/delivery_rate.py [MESSAGES] [RATE]
"""

from __future__ import annotations

import json
import sys
import tempfile
import threading
import time
import urllib.request
from collections import deque
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from boardpack.audit.sqlite import SqliteAuditStore  # noqa: E402
from boardpack.aws import NO_RETRIES  # noqa: E402
from boardpack.config import SesSettings  # noqa: E402
from boardpack.delivery.dispatcher import Dispatcher, Policy  # noqa: E402
from boardpack.delivery.message import DeliveryKey, Recipients, build_message  # noqa: E402
from boardpack.delivery.transports.ses import SesTransport  # noqa: E402
from tests.servers import MotoServer  # noqa: E402

LATENCY = 0.050


class Endpoint:
    def __init__(self, upstream: str, rate: float):
        self.upstream, self.rate = upstream, rate
        self.window: deque[float] = deque()
        self.lock = threading.Lock()
        self.throttled = self.accepted = 0
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                time.sleep(LATENCY)
                if self.path.startswith("/v2/email/outbound-emails") and not endpoint.admit(body):
                    reply = json.dumps({"message": "Maximum sending rate exceeded."}).encode()
                    self.send_response(429)
                    self.send_header("x-amzn-ErrorType", "TooManyRequestsException")
                    self.send_header("Content-Length", str(len(reply)))
                    self.end_headers()
                    self.wfile.write(reply)
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                request = urllib.request.Request(endpoint.upstream + self.path, data=body, headers=headers,
                                                 method="POST")
                with urllib.request.urlopen(request) as upstream:
                    data, status, kind = upstream.read(), upstream.status, upstream.headers.get("Content-Type", "")
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def admit(self, body: bytes) -> bool:
        recipients = len(json.loads(body)["Destination"]["ToAddresses"])
        with self.lock:
            now = time.monotonic()
            while self.window and self.window[0] <= now - 1.0:
                self.window.popleft()
            if len(self.window) + recipients > self.rate:
                self.throttled += 1
                return False
            self.window.extend([now] * recipients)
            self.accepted += 1
            return True

    def stop(self):
        self.server.shutdown()


def messages(n: int, tag: str):
    out = []
    for i in range(n):
        recipients = Recipients((f"r{i}@example.com",))
        key = DeliveryKey.of("2026-10", f"{tag}{i}", recipients)
        out.append(build_message(key, "reports@example.com", recipients, f"Report {i}", "text", "<p>html</p>", "h",
                                 datetime(2026, 11, 1, tzinfo=UTC)))
    return out


def client(url: str, config=None):
    return boto3.client("sesv2", endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing", config=config)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    rate = float(sys.argv[2]) if len(sys.argv) > 2 else 200
    moto = MotoServer(serial=False)
    try:
        boto3.client("ses", endpoint_url=moto.url, region_name="us-east-1", aws_access_key_id="testing",
                     aws_secret_access_key="testing").verify_email_identity(EmailAddress="reports@example.com")
        endpoint = Endpoint(moto.url, rate)

        ses = SesTransport(SesSettings(max_send_rate=rate), client(endpoint.url, NO_RETRIES),
                           boto3.client("ses", endpoint_url=endpoint.url, region_name="us-east-1",
                                        aws_access_key_id="testing", aws_secret_access_key="testing",
                                        config=NO_RETRIES))
        # a production account's quota (moto always reports the sandbox's 200 a day at 1/s)
        ses.quota = lambda: {"Max24HourSend": 1_000_000.0, "MaxSendRate": rate, "SentLast24Hours": 0.0}
        with tempfile.TemporaryDirectory() as folder:
            store = SqliteAuditStore(Path(folder) / "audit.sqlite")
            store.start_run("bench", "send", "2026-10")
            batch = messages(n, "d")
            started = time.monotonic()
            report = Dispatcher(store, ses, "bench", policy=Policy(concurrency=32, retry_delay=0.2)).dispatch(batch)
            elapsed = time.monotonic() - started
            sent = sum(o.state == "sent" for o in report.outcomes)
            dispatcher = {"messages": n, "sent": sent, "seconds": round(elapsed, 2),
                          "messages/s": round(sent / elapsed, 1), "of configured rate": round(sent / elapsed / rate, 3),
                          "throttled by the endpoint": endpoint.throttled, "retries": report.retries}
        throttled_before = endpoint.throttled
        plain = client(endpoint.url)  # the obvious way: boto3 defaults, one call after another
        started = time.monotonic()
        for m in messages(n, "p"):
            plain.send_email(FromEmailAddress="reports@example.com", Destination={"ToAddresses": list(m.envelope)},
                             Content={"Raw": {"Data": m.raw}})
        elapsed_plain = time.monotonic() - started
        loop = {"messages": n, "seconds": round(elapsed_plain, 2), "messages/s": round(n / elapsed_plain, 1),
                "of configured rate": round(n / elapsed_plain / rate, 3),
                "throttled by the endpoint": endpoint.throttled - throttled_before}
        recorded = len(moto.sent_raw())
        print(json.dumps({"configured rate (recipients/s)": rate, "latency per call (ms)": LATENCY * 1000,
                          "dispatcher": dispatcher, "plain loop": loop,
                          "dispatcher / plain loop": round(dispatcher["messages/s"] / loop["messages/s"], 1),
                          "messages moto recorded": recorded}, indent=2))
        endpoint.stop()
    finally:
        moto.stop()


if __name__ == "__main__":
    main()
