"""An SES v2 endpoint for bench/delivery_rate.py: 50 ms of latency per call,
`TooManyRequestsException: Maximum sending rate exceeded.` (429) above a rate counted in recipients
over a sliding second, and a real SES reply (`{"MessageId": ...}`) for the rest, whose Message-IDs
it keeps to count duplicates.

It answers SendEmail itself rather than forwarding to moto_server: on this 2-core machine
moto_server accepts about 130 sends a second one at a time and about 170 sixteen at once
(bench/moto_capacity.py), below the 200/s under test, so forwarding would measure moto rather than
the sender.

Usage: python bench/ses_endpoint.py RATE LATENCY
(prints its URL, then serves; GET /stats for counts)
"""

from __future__ import annotations

import base64
import json
import re
import sys
import threading
import time
import uuid
from collections import Counter, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


class Endpoint:
    def __init__(self, rate: float, latency: float):
        self.rate, self.latency = rate, latency
        self.window: deque[float] = deque()
        self.lock = threading.Lock()
        self.throttled = 0
        self.message_ids: Counter[bytes] = Counter()
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = (
                True  # headers and body go out as separate writes: no 40 ms Nagle stall
            )

            def reply(self, status: int, body: dict, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                ids = endpoint.message_ids
                self.reply(
                    200,
                    {
                        "throttled": endpoint.throttled,
                        "accepted": sum(ids.values()),
                        "distinct": len(ids),
                        "duplicated": sum(1 for n in ids.values() if n > 1),
                    },
                )

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                time.sleep(endpoint.latency)
                if self.path != "/v2/email/outbound-emails":
                    self.reply(
                        404,
                        {"message": "only SendEmail is served here"},
                        {"x-amzn-ErrorType": "UnknownOperationException"},
                    )
                elif not endpoint.admit(len(body["Destination"]["ToAddresses"])):
                    self.reply(
                        429,
                        {"message": "Maximum sending rate exceeded."},
                        {"x-amzn-ErrorType": "TooManyRequestsException"},
                    )
                else:
                    raw = base64.b64decode(body["Content"]["Raw"]["Data"])
                    found = MESSAGE_ID.search(raw)
                    with endpoint.lock:
                        endpoint.message_ids[found.group(1) if found else b"?"] += 1
                    self.reply(200, {"MessageId": f"bench-{uuid.uuid4()}"})

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def admit(self, recipients: int) -> bool:
        with self.lock:
            now = time.monotonic()
            while self.window and self.window[0] <= now - 1.0:
                self.window.popleft()
            if len(self.window) + recipients > self.rate:
                self.throttled += 1
                return False
            self.window.extend([now] * recipients)
            return True


if __name__ == "__main__":
    endpoint = Endpoint(float(sys.argv[1]), float(sys.argv[2]))
    print(endpoint.url, flush=True)
    endpoint.server.serve_forever()
