"""One HTTP(S) POST with a deadline for the whole exchange: a chat card, a webhook alert.

A socket timeout bounds each read, not the request: a server that answers a byte at a time holds
a `urlopen` for as long as it likes. Here a timer closes the connection when the deadline passes,
wherever the exchange is (connecting, sending, or reading the answer), and the caller learns
whether the body had gone out. No redirect is followed, and the URL (a webhook's secret) is kept
out of every error: the caller says which service it was.
"""

from __future__ import annotations

import http.client
import re
import socket
import ssl
import threading
from dataclasses import dataclass
from email.message import Message
from urllib.parse import quote, urlsplit

ANSWER_BYTES = 2000  # what a service says back: enough for its error, never its whole page


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Message
    body: bytes


class PostFailed(Exception):
    """No answer: `sent` says whether the request had gone out (it may then have been acted on)."""

    def __init__(self, reason: str, sent: bool):
        super().__init__(reason)
        self.sent = sent


def post(url: str, body: bytes, headers: dict[str, str], seconds: float) -> Answer:
    """POST `body` to `url`, all of it — connecting, sending, the answer — within `seconds`."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PostFailed("not an http(s) URL", sent=False)
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(
            parts.hostname, parts.port, timeout=seconds, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=seconds)
    deadline = Deadline(connection, seconds)
    sent = False
    try:
        connection.request(
            "POST", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""), body, headers
        )
        sent = True
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read(ANSWER_BYTES))
    except (OSError, http.client.HTTPException, ValueError) as exc:
        why = f"no answer within {seconds:g} s" if deadline.passed.is_set() else described(exc)
        raise PostFailed(why, sent) from None
    finally:
        deadline.cancel()
        connection.close()


class Deadline:
    """Closes the connection's socket once `seconds` have passed: a blocked read or write ends."""

    def __init__(self, connection: http.client.HTTPConnection, seconds: float):
        self.connection, self.passed = connection, threading.Event()
        self.timer = threading.Timer(seconds, self.stop)
        self.timer.daemon = True
        self.timer.start()

    def stop(self) -> None:
        self.passed.set()
        if self.connection.sock is not None:
            try:
                self.connection.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cancel(self) -> None:
        self.timer.cancel()


def described(exc: BaseException) -> str:
    """The error's kind, and its words where they cannot hold the URL."""
    if isinstance(exc, (ConnectionError, TimeoutError, socket.gaierror, ssl.SSLError)):
        return f"{type(exc).__name__}: {exc.strerror or exc}" if exc.args else type(exc).__name__
    return type(exc).__name__


def without_url(text: str, url: str) -> str:
    """`text` with the URL cut out — whole, its path, its query and each long piece of them (a
    token), as written or percent-encoded, in any case: a service that echoes what it was sent
    must not put the secret into a delivery's record."""
    parts = urlsplit(url)
    pieces = {url, parts.path, parts.query}
    pieces |= {p for p in re.split(r"[/?&=]", f"{parts.path}?{parts.query}") if len(p) >= 6}
    pieces |= {quote(p, safe="") for p in pieces}
    for piece in sorted(filter(None, pieces), key=len, reverse=True):
        text = re.sub(re.escape(piece), "…", text, flags=re.IGNORECASE)
    return text
