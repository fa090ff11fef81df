"""The SMTP transport against a real aiosmtpd server on loopback."""

import pytest

from boardpack.audit.sqlite import SqliteAuditStore
from boardpack.config import SmtpSettings
from boardpack.delivery.dispatcher import Dispatcher, Policy
from boardpack.delivery.transports.base import (
    AmbiguousError,
    PermanentError,
    RetryableError,
    StopError,
)
from boardpack.delivery.transports.smtp import SmtpTransport
from boardpack.errors import WorkspaceError
from tests.delivery.messages import message
from tests.servers import SmtpServer, free_port, self_signed


@pytest.fixture
def server():
    s = SmtpServer()
    yield s
    s.stop()


def transport(server, **settings):
    return SmtpTransport(
        SmtpSettings(host="127.0.0.1", port=server.port, security="none", **settings)
    )


def test_a_batch_goes_over_one_connection_with_the_envelope_and_message_id(server, tmp_path):
    smtp = transport(server)
    store = SqliteAuditStore(tmp_path / "a.sqlite")
    report = Dispatcher(store, smtp, "run", policy=Policy(concurrency=1)).dispatch(
        [message(i) for i in range(4)]
    )
    smtp.close()
    assert report.ok and len(smtp.connections) == 0
    assert [r.recipients for r in server.received] == [
        [f"r{i}@example.com", "audit@example.com"] for i in range(4)
    ]
    assert server.received[0].sender == "reports@example.com"
    assert [r.message_id for r in server.received] == [message(i).message_id for i in range(4)]
    assert (
        b"audit@example.com" not in server.received[0].data.split(b"\r\n\r\n")[0]
    )  # Bcc never in a header


def test_one_connection_per_sending_thread(server):
    smtp = transport(server)
    for i in range(3):
        smtp.send(message(i))
    assert len(smtp.connections) == 1
    smtp.close()


def test_a_recipient_refused_with_5xx_fails_that_delivery_only(server, tmp_path):
    server.behaviour.refuse_rcpt = {
        "bad@example.com": "550 5.1.1 no such user",
        "audit@example.com": "550 5.1.1 no such user",
    }
    store = SqliteAuditStore(tmp_path / "a.sqlite")
    batch = [message(0, ["bad@example.com"]), message(1)]
    report = Dispatcher(store, transport(server), "run", policy=Policy(concurrency=1)).dispatch(
        batch
    )
    assert [o.state for o in report.outcomes] == ["failed", "sent"]
    assert "550 5.1.1 no such user" in report.outcomes[0].detail
    assert (
        "audit@example.com refused" in report.outcomes[1].detail
    )  # partly refused: sent, and says to whom not


def test_4xx_is_retried_with_backoff_then_sent(server, tmp_path):
    server.behaviour.data_reply = "451 4.3.0 try again later"
    store = SqliteAuditStore(tmp_path / "a.sqlite")
    smtp = transport(server)
    calls = []
    original = smtp.send

    def send(m):
        calls.append(m.key)
        if len(calls) == 2:
            server.behaviour.data_reply = None
        return original(m)

    smtp.send = send
    report = Dispatcher(store, smtp, "run", policy=Policy(retry_delay=0.01)).dispatch([message()])
    assert report.ok and report.retries == 1 and len(calls) == 2 and len(server.received) == 1
    assert store.deliveries()[0].attempts == 1  # one claim; the retry stays within it


def test_4xx_that_never_clears_fails_after_max_attempts(server, tmp_path):
    server.behaviour.data_reply = "421 4.7.0 too busy"
    store = SqliteAuditStore(tmp_path / "a.sqlite")
    report = Dispatcher(
        store, transport(server), "run", policy=Policy(retry_delay=0.01, max_attempts=3)
    ).dispatch([message()])
    assert (
        report.outcomes[0].state == "failed"
        and "gave up after 3 attempts" in report.outcomes[0].detail
    )
    assert report.retries == 3 and server.received == []


def test_a_timeout_after_data_is_ambiguous(server):
    server.behaviour.data_delay = 2
    smtp = transport(server, timeout=0.5)
    with pytest.raises(AmbiguousError, match="during DATA"):
        smtp.send(message())


def test_5xx_after_data_is_permanent_and_4xx_retryable(server):
    server.behaviour.data_reply = "554 5.6.0 message refused"
    with pytest.raises(PermanentError, match="554"):
        transport(server).send(message())
    server.behaviour.data_reply = "452 4.3.1 insufficient storage"
    with pytest.raises(RetryableError, match="452"):
        transport(server).send(message())


def test_server_down_is_retryable_and_names_the_server():
    port = free_port()
    smtp = SmtpTransport(SmtpSettings(host="127.0.0.1", port=port, security="none", timeout=2))
    with pytest.raises(RetryableError, match=f"cannot connect to the SMTP server 127.0.0.1:{port}"):
        smtp.send(message())


def test_a_reused_connection_the_server_closed_is_reopened(server):
    smtp = transport(server)
    smtp.send(message(0))
    smtp.local.conn.sock.close()  # as if the server dropped an idle connection
    smtp.send(message(1))
    assert len(server.received) == 2


@pytest.fixture
def secure_server(tmp_path):
    context, ca = self_signed(tmp_path)
    s = SmtpServer(tls=context, login=("mailer", "s3cret-pass"))
    s.ca = ca
    yield s
    s.stop()


def test_starttls_and_auth(secure_server):
    smtp = SmtpTransport(
        SmtpSettings(host="127.0.0.1", port=secure_server.port, security="starttls"),
        "mailer",
        "s3cret-pass",
        str(secure_server.ca),
    )
    smtp.send(message())
    smtp.close()
    assert len(secure_server.received) == 1
    assert all(c.ok for c in smtp.check())


def test_wrong_credentials_stop_the_batch_and_never_show_the_password(secure_server, tmp_path):
    smtp = SmtpTransport(
        SmtpSettings(host="127.0.0.1", port=secure_server.port, security="starttls"),
        "mailer",
        "wrong-password",
        str(secure_server.ca),
    )
    with pytest.raises(StopError, match="BOARDPACK_SMTP_PASSWORD") as caught:
        smtp.send(message())
    assert "wrong-password" not in str(caught.value)
    store = SqliteAuditStore(tmp_path / "a.sqlite")
    report = Dispatcher(store, smtp, "run").dispatch([message(0), message(1), message(2)])
    assert report.stopped and "refused the login" in report.stopped
    assert {d.state for d in store.deliveries()} == {
        "planned"
    }  # nothing lost: the next run sends them
    assert secure_server.received == []


def test_an_untrusted_certificate_stops_with_the_fix(secure_server):
    smtp = SmtpTransport(
        SmtpSettings(host="127.0.0.1", port=secure_server.port, security="starttls"),
        "mailer",
        "s3cret-pass",
    )
    (line,) = smtp.check()
    assert not line.ok and "ca_file" in line.text


def test_starttls_required_but_not_offered(server):
    smtp = SmtpTransport(SmtpSettings(host="127.0.0.1", port=server.port, security="starttls"))
    with pytest.raises(StopError, match="does not offer STARTTLS"):
        smtp.send(message())


def test_a_password_is_never_sent_in_the_clear_to_a_remote_host():
    with pytest.raises(WorkspaceError, match="unencrypted"):
        SmtpTransport(SmtpSettings(host="mail.example.com", security="none"), "user", "pw")


def test_suppressed_recipients_are_left_out_of_the_envelope(server, tmp_path):
    store = SqliteAuditStore(tmp_path / "a.sqlite")
    store.suppress("gone@example.com", "bounce", "2026-11-01")
    batch = [message(0, ["gone@example.com", "kept@example.com"]), message(1, ["gone@example.com"])]
    report = Dispatcher(store, transport(server), "run", policy=Policy(concurrency=1)).dispatch(
        batch
    )
    assert [r.recipients for r in server.received] == [["kept@example.com", "audit@example.com"]]
    assert [o.state for o in report.outcomes] == ["sent", "failed"]
    assert report.suppressed == {"report0": ("gone@example.com",), "report1": ("gone@example.com",)}
    assert "every recipient is on the suppression list" in report.outcomes[1].detail
