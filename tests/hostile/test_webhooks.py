"""Classes 7 and 9 of the second trial: a webhook (or a mail server) cannot hold a run, and a
webhook cannot show its secret.

A service that answers a byte at a time never sets off a per-read timeout; every POST (a chat card,
an alert), every SMTP connection and each message on it has a deadline for the whole exchange
instead, and a card or a message that went out before it passed is `unknown`, never sent twice. A
service that echoes the URL it was sent — its secret token — in an error has that echo cut out of
what the delivery records and prints, whatever its case.
"""

from __future__ import annotations

import json
import time

import pytest

from boardpack import alerts
from boardpack.alerts import alert_for, send_alert
from boardpack.audit.keys import DeliveryKey
from boardpack.config import load_workspace
from boardpack.delivery.http_post import PostFailed, post
from boardpack.delivery.message import OutgoingMessage, Recipients
from boardpack.delivery.transports.base import AmbiguousError
from boardpack.delivery.transports.webhook import WebhookTransport
from tests.conftest import TOML, run_cli, write_workspace
from tests.servers import ChatServer, DripServer

AS_OF = ("--as-of", "2026-11-15")


@pytest.fixture
def drip():
    server = DripServer()
    yield server
    server.stop()


def card(to: str = "slack.x@webhook.invalid") -> OutgoingMessage:
    return OutgoingMessage(
        key=DeliveryKey("2026-10", "cfo", "abc"),
        sender="reports@example.com",
        recipients=Recipients((to,)),
        subject="card",
        message_id="<m@example.com>",
        content_hash="h",
        raw=b'{"text": "card"}',
    )


def test_a_post_to_a_server_that_answers_a_byte_at_a_time_ends_at_its_deadline(drip):
    started = time.monotonic()
    with pytest.raises(PostFailed) as failed:
        post(drip.url, b"{}", {"Content-Type": "application/json"}, seconds=1.0)
    assert time.monotonic() - started < 3
    assert failed.value.sent and "no answer within 1 s" in str(failed.value)
    assert "drip-s3cr3t" not in str(failed.value)


def test_a_card_held_by_a_slow_answer_is_unknown_at_the_deadline(drip):
    """It went out: it may have been posted, so it is held, never sent again blindly."""
    to = "slack.x@webhook.invalid"
    transport = WebhookTransport({to: drip.url}, timeout=1.0)
    started = time.monotonic()
    with pytest.raises(AmbiguousError, match="may have been posted") as held:
        transport.send(card(to))
    assert time.monotonic() - started < 3 and "drip-s3cr3t" not in str(held.value)


def test_an_alert_webhook_that_answers_a_byte_at_a_time_is_recorded_as_failed(
    drip, tmp_path, monkeypatch
):
    monkeypatch.setattr(alerts, "WEBHOOK_SECONDS", 1.0)
    ws = load_workspace(
        write_workspace(tmp_path / "ws", TOML + f'[alerts]\nwebhook = "{drip.url}"\n'), environ={}
    )
    started = time.monotonic()
    said = send_alert(ws, alert_for("Co", "2026-10", "r", build_errors=["x"]))
    assert time.monotonic() - started < 3
    assert "FAILED (the webhook gave no answer: no answer within 1 s)" in said
    assert "drip-s3cr3t" not in said


@pytest.mark.parametrize(
    "echo",
    [
        "{url}",
        "{path}",
        "{upper}",
        "invalid token: {token}",
        "bad hook %2Fservices%2FT0%2FB0%2Fs3cr3t-t0ken",
    ],
)
def test_a_service_that_echoes_its_url_has_the_echo_cut_out(tmp_path, echo):
    slack = ChatServer([(400, {}, b"")])
    try:
        path = slack.url.split("/", 3)[3]
        said = echo.format(
            url=slack.url, path=f"/{path}", upper=slack.url.upper(), token="s3cr3t-t0ken"
        )
        slack.script = [(400, {}, json.dumps({"error": said}).encode())]
        toml = TOML.replace(
            'cc = ["owner@example.com"]\n', 'cc = ["owner@example.com"]\nslack = true\n'
        )
        root = write_workspace(tmp_path / "ws", toml)
        env = {"BOARDPACK_SLACK_WEBHOOK": slack.url}
        sent = run_cli("send", "-w", str(root), *AS_OF, env=env)
        runs = run_cli("runs", "-w", str(root), "--json", env=env)
    finally:
        slack.stop()
    assert slack.received, sent.stdout + sent.stderr
    shown = (sent.stdout + sent.stderr + runs.stdout + runs.stderr).lower()
    assert "refused the card (400" in shown
    assert "s3cr3t-t0ken" not in shown
    audit = (root / ".boardpack" / "audit.sqlite").read_bytes().lower()
    assert b"s3cr3t-t0ken" not in audit


class DripSmtp:
    """A mail server on loopback that greets at once (or, with `greet=False`, a byte at a time),
    answers EHLO, MAIL and RCPT, then answers DATA a byte at a time."""

    def __init__(self, greet: bool = True):
        import socket
        import threading

        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.greet, self.stopped = greet, threading.Event()
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self) -> None:
        import threading

        while not self.stopped.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self.talk, args=(conn,), daemon=True).start()

    def drip(self, conn, text: bytes) -> None:
        for byte in text * 1000:
            if self.stopped.wait(0.2):
                return
            conn.sendall(bytes([byte]))

    def talk(self, conn) -> None:
        with conn, conn.makefile("rb") as lines:
            try:
                if not self.greet:
                    return self.drip(conn, b"220-slow\r\n")
                conn.sendall(b"220 drip ESMTP\r\n")
                for line in lines:
                    if line.upper().startswith((b"EHLO", b"HELO")):
                        conn.sendall(b"250 drip\r\n")
                    elif line.upper().startswith((b"MAIL", b"RCPT")):
                        conn.sendall(b"250 ok\r\n")
                    elif line.upper().startswith(b"DATA"):
                        conn.sendall(b"354 go on\r\n")
                    elif line == b".\r\n":
                        return self.drip(conn, b"250-still thinking\r\n")
            except OSError:
                return

    def stop(self) -> None:
        self.stopped.set()
        self.listener.close()


@pytest.mark.parametrize("greet", [False, True], ids=["a greeting", "the reply to DATA"])
def test_an_smtp_server_that_answers_a_byte_at_a_time_is_stopped_at_the_deadline(
    greet, monkeypatch, tmp_path
):
    """Before DATA nothing was taken: retried later. After the message went out, it may have been
    taken: unknown, never sent again blindly."""
    from boardpack.config import SmtpSettings
    from boardpack.delivery.transports import smtp
    from boardpack.delivery.transports.base import RetryableError
    from tests.delivery.messages import message

    monkeypatch.setattr(smtp, "EXCHANGE_SECONDS", 1.0)
    server = DripSmtp(greet)
    transport = smtp.SmtpTransport(
        SmtpSettings(host="127.0.0.1", port=server.port, security="none", timeout=30)
    )
    started = time.monotonic()
    try:
        with pytest.raises(AmbiguousError if greet else RetryableError, match="SMTP|connection"):
            transport.send(message(0))
    finally:
        transport.close()
        server.stop()
    assert time.monotonic() - started < 5
