"""SMTP (smtplib): plain, STARTTLS or implicit TLS; one connection per sending thread, reused for
the batch.

The envelope is sent step by step (MAIL, RCPT each, DATA) so a failure is classified by where it
happened: before DATA nothing was accepted (retry or fail); once DATA is under way a lost
connection or a timeout may mean the server took the message, so it is `unknown`. The socket's
timeout bounds each read; connecting and each message's whole exchange also have a deadline
(`EXCHANGE_SECONDS`), so a server that answers a byte at a time cannot hold the run.
"""

from __future__ import annotations

import smtplib
import ssl
import threading

from boardpack.config import SmtpSettings, Workspace
from boardpack.delivery.addresses import bare
from boardpack.delivery.http_post import Deadline
from boardpack.delivery.message import OutgoingMessage
from boardpack.delivery.transports.base import (
    Allowance,
    AmbiguousError,
    Check,
    DeliveryError,
    PermanentError,
    Receipt,
    RetryableError,
    StopError,
)
from boardpack.errors import WorkspaceError

DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}
EXCHANGE_SECONDS = 300.0  # connecting (to AUTH), or one message (MAIL to the reply to DATA)
LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def reply(code: int, text: bytes | str) -> str:
    return f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}".strip()


def refusal(code: int, text: bytes | str, what: str) -> RetryableError | PermanentError:
    """4xx: try again later; 5xx (or anything else): this message will never be accepted as it is.
    """
    cls = RetryableError if 400 <= code < 500 else PermanentError
    return cls(f"the SMTP server refused {what}: {reply(code, text)}")


class SmtpTransport:
    name = "smtp"

    def __init__(
        self,
        settings: SmtpSettings,
        username: str | None = None,
        password: str | None = None,
        ca_file: str | None = None,
    ):
        self.settings = settings
        self.port = settings.port or DEFAULT_PORTS[settings.security]
        self.username, self.password = username, password
        self.ca_file = ca_file
        if username and settings.security == "none" and settings.host not in LOOPBACK:
            raise WorkspaceError(
                'delivery.smtp.security = "none" would send the SMTP password unencrypted to '
                f'{settings.host}: use "starttls" or "ssl"'
            )
        self.local = threading.local()
        self.connections: list[smtplib.SMTP] = []
        self.lock = threading.Lock()

    @classmethod
    def for_workspace(cls, workspace: Workspace) -> SmtpTransport:
        settings = workspace.settings.delivery.smtp
        assert settings is not None  # the config requires [delivery.smtp] for this transport
        ca_file = (
            str(workspace.path(settings.ca_file, "delivery.smtp.ca_file"))
            if settings.ca_file
            else None
        )
        return cls(
            settings,
            workspace.env.get("BOARDPACK_SMTP_USERNAME"),
            workspace.env.get("BOARDPACK_SMTP_PASSWORD"),
            ca_file,
        )

    @property
    def where(self) -> str:
        return f"{self.settings.host}:{self.port}"

    def allowance(self) -> Allowance:
        return Allowance(max_send_rate=self.settings.max_send_rate)

    def tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_file)

    def connect(self) -> smtplib.SMTP:
        """Connect, EHLO, STARTTLS, AUTH — raising the vocabulary's errors with the fix."""
        s = self.settings
        if s.security == "ssl":
            conn = smtplib.SMTP_SSL(timeout=s.timeout, context=self.tls())
        else:
            conn = smtplib.SMTP(timeout=s.timeout)
        # the constructor would connect before a deadline could watch it; connecting here, the name
        # STARTTLS checks the certificate against is set as the constructor would set it
        conn._host = s.host
        deadline = Deadline(conn, EXCHANGE_SECONDS)
        try:
            conn.connect(s.host, self.port)
            conn.ehlo()
            if s.security == "starttls":
                if not conn.has_extn("starttls"):
                    conn.close()
                    raise StopError(
                        f"the SMTP server {self.where} does not offer STARTTLS: set "
                        'delivery.smtp.security = "ssl" (port 465) or check the port'
                    )
                conn.starttls(context=self.tls())
                conn.ehlo()
            if self.username:
                conn.login(self.username, self.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            raise StopError(
                f"the SMTP server {self.where} refused the login"
                f" ({reply(exc.smtp_code, exc.smtp_error)}): check BOARDPACK_SMTP_USERNAME and"
                " BOARDPACK_SMTP_PASSWORD"
            ) from None
        except smtplib.SMTPNotSupportedError:
            raise StopError(
                f"the SMTP server {self.where} does not offer AUTH on this connection: unset "
                'BOARDPACK_SMTP_USERNAME, or use security = "starttls" or "ssl"'
            ) from None
        except ssl.SSLError as exc:
            raise StopError(
                f"TLS with {self.where} failed ({exc.reason or exc}): check the host name and port,"
                " or set delivery.smtp.ca_file for a private certificate authority"
            ) from None
        # refused, unreachable, timed out: nothing was sent
        except (
            smtplib.SMTPException,
            OSError,
        ) as exc:
            late = f"no answer within {EXCHANGE_SECONDS:g} s" if deadline.passed.is_set() else ""
            raise RetryableError(
                f"cannot connect to the SMTP server {self.where}: "
                f"{late or exc or type(exc).__name__}"
            ) from None
        finally:
            deadline.cancel()
        return conn

    def connection(self) -> smtplib.SMTP:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = self.connect()
            with self.lock:
                self.connections.append(conn)
        return conn

    def drop(self) -> None:
        conn, self.local.conn = getattr(self.local, "conn", None), None
        if conn is not None:
            try:
                conn.close()
            except OSError:
                pass

    def send(self, message: OutgoingMessage) -> Receipt:
        deadlines: list[Deadline] = []  # one for each connection the message is tried on
        try:
            return self.exchange(message, deadlines)
        finally:
            for deadline in deadlines:
                deadline.cancel()

    def exchange(self, message: OutgoingMessage, deadlines: list[Deadline]) -> Receipt:
        for fresh in (False, True):
            try:
                conn = self.connection()
                deadlines.append(Deadline(conn, EXCHANGE_SECONDS))
                refused = self.envelope(conn, message)
                break
            except DeliveryError:
                raise
            # e.g. an idle connection the server closed
            except smtplib.SMTPServerDisconnected as exc:
                self.drop()
                if fresh:
                    raise RetryableError(
                        f"the SMTP server {self.where} closed the connection before the message "
                        f"was sent: {exc}"
                    ) from None
            except (OSError, smtplib.SMTPException) as exc:  # before DATA: nothing was accepted
                self.drop()
                raise RetryableError(
                    f"the SMTP connection to {self.where} failed before the message was sent: "
                    f"{exc or type(exc).__name__}"
                ) from None
        try:
            code, text = conn.data(message.raw)
        except smtplib.SMTPDataError as exc:  # the server answered: it did not take the message
            self.reset(conn)
            raise refusal(exc.smtp_code, exc.smtp_error, "the message") from None
        except (OSError, smtplib.SMTPException) as exc:
            self.drop()
            raise AmbiguousError(
                f"the connection to {self.where} was lost or timed out during DATA "
                f"({exc or type(exc).__name__}); the server may have accepted the message"
            ) from None
        if code != 250:  # the server answered after the data: it did not take the message
            self.reset(conn)
            raise refusal(code, text, "the message")
        detail = "; ".join(f"{a} refused: {reply(c, t)}" for a, (c, t) in refused.items())
        return Receipt(reply(code, text), detail)

    def reset(self, conn: smtplib.SMTP) -> None:
        try:
            conn.rset()
        except (OSError, smtplib.SMTPException):
            self.drop()

    def envelope(
        self, conn: smtplib.SMTP, message: OutgoingMessage
    ) -> dict[str, tuple[int, bytes]]:
        """MAIL FROM and RCPT TO; the recipients refused (if some, not all, were)."""
        code, text = conn.mail(bare(message.sender))
        if code != 250:
            self.reset(conn)
            raise refusal(code, text, f"the sender {bare(message.sender)}")
        refused = {}
        for address in message.envelope:
            code, text = conn.rcpt(address)
            if code not in (250, 251):
                refused[address] = (code, text)
        if len(refused) == len(message.envelope):
            self.reset(conn)
            (address, (code, text)), *_ = refused.items()
            worst = max(c for c, _ in refused.values())  # any 5xx makes the whole refusal permanent
            raise refusal(worst, text, f"every recipient (first: {address}, {code})")
        return refused

    def preflight(self, sender: str) -> list[str]:
        return []  # a refused sender shows at the first message, which is its own check

    def check(self, sender: str = "", recipients: list[str] = ()) -> list[Check]:
        """Connect, EHLO, STARTTLS and AUTH as a send would; one line per step."""
        try:
            conn = self.connect()
        except (StopError, RetryableError) as exc:
            return [Check(False, str(exc))]
        steps = [Check(True, f"connected to {self.where} ({self.settings.security})")]
        if self.username:
            steps.append(Check(True, f"logged in as {self.username}"))
        try:
            conn.quit()
        except (smtplib.SMTPException, OSError):
            pass
        return steps

    def close(self) -> None:
        for conn in self.connections:
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                conn.close()
        self.connections.clear()
