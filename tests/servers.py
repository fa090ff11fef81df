"""Real servers on loopback for tests and benchmarks: moto_server (AWS) and aiosmtpd (SMTP)."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import glob
import json
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    """aiosmtpd's Controller cannot bind port 0 itself, so pick a free port first."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# moto_server as its command line starts it, but serving one request at a time when asked: moto's
# backends take no locks, so concurrent conditional writes can both succeed, where DynamoDB itself
# evaluates each condition atomically. One request at a time restores that guarantee.
SERIAL_MOTO = """
import os, sys
from moto.ses import models
sandbox = models.SESQuota.__init__
def production_quota(self, sent):
    sandbox(self, sent)
    if os.environ.get("MOTO_SES_DAILY_QUOTA"):  # a production account, not the sandbox's 200 a day
        self.max_send_rate, self.max24_hour_send = 1000, int(os.environ["MOTO_SES_DAILY_QUOTA"])
models.SESQuota.__init__ = production_quota
# What moto cannot be told through its API: the root user's MFA and access keys (constants in its
# IAM account summary), and AWS Backup's resource selections (not emulated; these three calls follow
# the service's shapes, which botocore validates on both sides).
from moto.iam import models as iam
summary = iam.AccountSummary.__init__
def root_user(self, backend):
    summary(self, backend)
    self._account_mfa_enabled = int(os.environ.get("MOTO_ROOT_MFA", "0"))
    self._account_access_keys_present = int(os.environ.get("MOTO_ROOT_ACCESS_KEYS", "0"))
iam.AccountSummary.__init__ = root_user
import json, uuid
from moto.backup.responses import BackupResponse
SELECTIONS = {}
def create_backup_selection(self):
    plan, body = self.uri_match["backupPlanId"], json.loads(self.body)
    sid = str(uuid.uuid4())
    SELECTIONS.setdefault(plan, {})[sid] = body["BackupSelection"]
    return json.dumps({"SelectionId": sid, "BackupPlanId": plan})
def list_backup_selections(self):
    plan = self.uri_match["backupPlanId"]
    return json.dumps({"BackupSelectionsList": [
        {"SelectionId": sid, "SelectionName": chosen["SelectionName"], "BackupPlanId": plan}
        for sid, chosen in SELECTIONS.get(plan, {}).items()]})
def get_backup_selection(self):
    plan, sid = self.uri_match["backupPlanId"], self.uri_match["selectionId"]
    return json.dumps({"BackupSelection": SELECTIONS[plan][sid], "SelectionId": sid,
                       "BackupPlanId": plan})
BackupResponse.create_backup_selection = create_backup_selection
BackupResponse.list_backup_selections = list_backup_selections
BackupResponse.get_backup_selection = get_backup_selection
import time
from moto.sqs import models as sqs
# moto's SQS asks for the time now, through two datetimes, for every message on every receive: with
# a thousand jobs queued that made the emulator the fan-out test's bottleneck. time.time() is the
# same figure.
sqs.unix_time_millis = lambda: time.time() * 1000.0
from moto.server import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from moto.server import run_simple
moto = DomainDispatcherApplication(create_backend_app)
# A test's own settings of the above (MOTO_ROOT_MFA, MOTO_ROOT_ACCESS_KEYS, MOTO_SES_DAILY_QUOTA),
# read as each backend is made: POSTed as JSON to /boardpack/settings, forgotten at the next reset,
# so one warm server serves every test (a new one costs seconds: moto imports a service's backend
# on its first call)
SET = set()
def application(environ, start_response):
    path, post = environ.get("PATH_INFO"), environ.get("REQUEST_METHOD") == "POST"
    if post and path == "/boardpack/settings":
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        settings = json.loads(body)
        os.environ.update(settings)
        SET.update(settings)
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b"{}"]
    if post and path == "/moto-api/reset":
        for name in SET:
            os.environ.pop(name, None)
        SET.clear()
    return moto(environ, start_response)
run_simple("127.0.0.1", int(sys.argv[1]), application, threaded=False,
           request_handler=MotoRequestHandler)
"""


class MotoServer:
    """A real `moto_server` process; `reset()` empties every backend between tests."""

    def __init__(self, serial: bool = True):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = (
            ["-c", SERIAL_MOTO, str(self.port)]
            if serial
            else ["-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)]
        )
        self.process = subprocess.Popen(
            [sys.executable, *command],
            # without the thousands of public AMIs moto ships: an account's own images are listed
            # by paging through them all (a thousand pages, 20 s a test)
            env={**os.environ, "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/moto-api/data.json", timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.1)

    def reset(self) -> None:
        """Every backend emptied, the test's own settings forgotten, IAM enforcement off."""
        self.post("/moto-api/reset", b"")
        self.post("/moto-api/reset-auth", b"inf")

    def configure(self, **settings: str) -> None:
        """Settings read as each backend is made, until the next reset (the serial server's
        own: SERIAL_MOTO)."""
        self.post("/boardpack/settings", json.dumps(settings).encode())

    def enforce_iam_after(self, calls: int) -> None:
        """IAM policies enforced once `calls` more requests are served (moto's own switch)."""
        self.post("/moto-api/reset-auth", str(calls).encode())

    def post(self, path: str, body: bytes) -> None:
        urllib.request.urlopen(
            # not a form's content type, which would hide the body from moto's handler
            urllib.request.Request(
                f"{self.url}{path}", body, {"Content-Type": "text/plain"}, method="POST"
            )
        ).read()

    def data(self) -> dict:
        return json.load(urllib.request.urlopen(f"{self.url}/moto-api/data.json"))

    def sent_raw(self) -> list[dict]:
        """Every raw message SES accepted, as moto recorded it."""
        return self.data()["ses"]["RawMessage"]

    def env(self, region: str = "us-east-1") -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": region,
        }

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


@dataclass
class Received:
    sender: str
    recipients: list[str]
    data: bytes

    @property
    def message_id(self) -> str:
        return email.message_from_bytes(self.data)["Message-ID"]


@dataclass
class Behaviour:
    """How the server answers; tests change it between sends."""

    refuse_rcpt: dict[str, str] = field(default_factory=dict)  # address -> "550 no such user"
    data_reply: str | None = None  # e.g. "451 try later"; None: accept
    data_delay: float = 0.0  # seconds to sit on DATA before answering (a timeout after DATA)


class Handler:
    def __init__(self):
        self.received: list[Received] = []
        self.behaviour = Behaviour()
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.behaviour.refuse_rcpt:
            return self.behaviour.refuse_rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.behaviour.data_delay:
            await asyncio.sleep(self.behaviour.data_delay)
        if self.behaviour.data_reply:
            return self.behaviour.data_reply
        with self.lock:
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
            )
        return "250 Message accepted for delivery"


class SmtpServer:
    """A real aiosmtpd server on 127.0.0.1: plain, STARTTLS (with `tls`) and AUTH (with `login`)."""

    def __init__(self, tls: ssl.SSLContext | None = None, login: tuple[str, str] | None = None):
        self.handler = Handler()
        self.port = free_port()
        kwargs = {}
        if tls:
            kwargs |= {"tls_context": tls, "require_starttls": True}
        if login:
            kwargs |= {"authenticator": self._authenticator(login), "auth_required": True}
        else:
            kwargs |= {"auth_require_tls": False}
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, ready_timeout=10, **kwargs
        )
        self.controller.start()

    @staticmethod
    def _authenticator(login):
        def check(server, session, envelope, mechanism, auth_data):
            ok = (
                isinstance(auth_data, LoginPassword)
                and (auth_data.login.decode(), auth_data.password.decode()) == login
            )
            return AuthResult(success=ok, handled=False)

        return check

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    @property
    def behaviour(self) -> Behaviour:
        return self.handler.behaviour

    def stop(self) -> None:
        self.controller.stop()


def self_signed(folder: Path) -> tuple[ssl.SSLContext, Path]:
    """A server TLS context for 127.0.0.1 and the CA file a client must trust for it."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context, cert_file


class WebhookServer:
    """An HTTP endpoint on loopback that records the JSON POSTed to it (answering `status`)."""

    def __init__(self, status: int = 204):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        received = self.received = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(outer.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.status = status
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/secret-token-123"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class DripServer:
    """An HTTP server on loopback that reads a request, then answers one byte every `every` seconds
    for ever: a socket timeout (per read) never fires on it."""

    def __init__(self, every: float = 0.2):
        import socket

        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/hooks/drip-s3cr3t"
        self.every, self.stopped = every, threading.Event()
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self) -> None:
        while not self.stopped.is_set():
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self.drip, args=(connection,), daemon=True).start()

    def drip(self, connection) -> None:
        with connection:
            connection.recv(65536)
            for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"x" * 100000:
                if self.stopped.wait(self.every):
                    return
                try:
                    connection.sendall(bytes([byte]))
                except OSError:
                    return

    def stop(self) -> None:
        self.stopped.set()
        self.listener.close()


class DnsServer:
    """A DNS server on loopback (UDP), answering TXT questions from `zone` ({name: [text, ...]})
    and NXDOMAIN for any other name; built with dnspython's own message code."""

    def __init__(self, zone: dict[str, list[str]]):
        import socket
        import threading

        self.zone = {name.rstrip(".").lower(): texts for name, texts in zone.items()}
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"
        self.questions: list[str] = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        import dns.message
        import dns.rcode
        import dns.rdataclass
        import dns.rdatatype
        import dns.rrset

        while True:
            try:
                data, peer = self.sock.recvfrom(4096)
            except OSError:
                return  # closed
            query = dns.message.from_wire(data)
            response = dns.message.make_response(query)
            question = query.question[0]
            name = question.name.to_text().rstrip(".").lower()
            self.questions.append(name)
            if name not in self.zone:
                response.set_rcode(dns.rcode.NXDOMAIN)
            elif question.rdtype == dns.rdatatype.TXT:
                quoted = ['"' + t.replace('"', '\\"') + '"' for t in self.zone[name]]
                response.answer.append(
                    dns.rrset.from_text(question.name, 60, dns.rdataclass.IN, "TXT", *quoted)
                )
            try:
                self.sock.sendto(response.to_wire(), peer)
            except OSError:
                return  # closed while answering

    def stop(self) -> None:
        self.sock.close()


class ChatServer:
    """A chat service's incoming webhook on loopback: each POST gets the next answer of `script`
    (then the last one again) — (status, headers, body), or "drop" to read the card and close the
    connection without an answer. Records every card it read."""

    def __init__(self, script: list):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.script, self.received, self.times, self.keys = list(script), [], [], []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                outer.received.append(
                    json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                )
                outer.times.append(time.monotonic())
                outer.keys.append(self.headers.get("X-Boardpack-Delivery", ""))
                step = outer.script.pop(0) if len(outer.script) > 1 else outer.script[0]
                if step == "drop":
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                status, headers, body = step
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/services/T0/B0/s3cr3t-t0ken"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class PostgresServer:
    """A real PostgreSQL server on loopback, in a folder of its own (Debian's `postgresql`
    package, installed by tests/system-packages.sh); run as the `postgres` user when the tests run
    as root, which initdb refuses. Local connections are trusted, TCP ones need the password."""

    PASSWORD = "pg-s3cret-for-tests"

    def __init__(self):
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not found:
            raise RuntimeError("PostgreSQL is not installed: run tests/system-packages.sh")
        bindir = Path(found[-1]).parent
        self.folder = Path(tempfile.mkdtemp(prefix="boardpack-pg-"))
        run_as: list[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.folder, user.pw_uid, user.pw_gid)
            run_as = ["runuser", "-u", "postgres", "--"]
        data = self.folder / "data"
        subprocess.run(
            [*run_as, str(bindir / "initdb"), "-D", str(data), "-U", "boardpack", "-E", "UTF8",
             "--locale=C", "--auth-local=trust", "--auth-host=scram-sha-256"],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        self.port = free_port()
        self.process = subprocess.Popen(
            [*run_as, str(bindir / "postgres"), "-D", str(data), "-h", "127.0.0.1",
             "-p", str(self.port), "-k", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        import psycopg

        deadline = time.monotonic() + 60
        while True:
            try:
                with psycopg.connect(
                    host=str(self.folder), port=self.port, user="boardpack", dbname="postgres"
                ) as db:
                    db.execute(f"ALTER ROLE boardpack PASSWORD '{self.PASSWORD}'")
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise RuntimeError("PostgreSQL did not start") from None
                time.sleep(0.2)

    def url(self, password: str | None = None) -> str:
        return (
            f"postgresql://boardpack:{password or self.PASSWORD}@127.0.0.1:{self.port}/postgres"
        )

    def execute(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as db:
            db.execute(sql)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)
        shutil.rmtree(self.folder, ignore_errors=True)


class StripeServer:
    """A local server on loopback answering `GET /v1/balance_transactions` as Stripe's API does
    (the list object and balance transaction shapes of its OpenAPI fixtures): newest first, the
    `created` bounds and `starting_after` cursor, `limit`; a key it does not know refused as an
    expired one is (401, code api_key_expired); `throttle` 429s with a Retry-After first; a 500
    after `fail_after` pages. `requests` records each list call's query."""

    GOOD_KEY = "sk_test_51Hboardpack0localserverkey"

    def __init__(self):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import parse_qs, urlsplit

        self.transactions: list[dict] = []
        self.requests: list[dict[str, str]] = []
        self.throttle, self.fail_after, self.pages = 0, None, 0
        self.sorted: list[dict] | None = None
        self.position: dict[str, int] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urlsplit(self.path)
                if parts.path != "/v1/balance_transactions":
                    return self.reply(404, {"error": {"type": "invalid_request_error"}})
                if self.headers.get("Authorization") != f"Bearer {server.GOOD_KEY}":
                    return self.reply(401, {"error": {
                        "code": "api_key_expired", "type": "invalid_request_error",
                        "message": "Expired API Key provided: sk_test_****5678"}})  # fmt: skip
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                server.requests.append(query)
                if server.throttle:
                    server.throttle -= 1
                    return self.reply(429, {"error": {
                        "code": "rate_limit", "type": "invalid_request_error",
                        "message": "Too many requests hit the API too quickly."}},
                        {"Retry-After": "1"})  # fmt: skip
                if server.fail_after is not None and server.pages >= server.fail_after:
                    server.fail_after = None
                    return self.reply(500, {"error": {"type": "api_error", "message": "oops"}})
                server.pages += 1
                newest_first = server.newest_first()
                at = 0
                if "starting_after" in query:
                    at = server.position[query["starting_after"]] + 1
                low = int(query.get("created[gte]", 0))
                high = int(query.get("created[lt]", 2**40))
                limit = int(query.get("limit", 10))
                found = []
                for t in newest_first[at:]:
                    if t["created"] < low:
                        break
                    if t["created"] < high:
                        found.append(t)
                        if len(found) > limit:
                            break
                more, page = len(found) > limit, found[:limit]
                self.reply(200, {"object": "list", "url": "/v1/balance_transactions",
                                 "has_more": more, "data": page})  # fmt: skip

            def reply(self, status: int, body: dict, headers: dict | None = None):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_port}"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def newest_first(self) -> list[dict]:
        """The transactions as the API lists them, sorted once after each addition."""
        if self.sorted is None:
            self.sorted = sorted(self.transactions, key=lambda t: (-t["created"], t["id"]))
            self.position = {t["id"]: i for i, t in enumerate(self.sorted)}
        return self.sorted

    def add(self, n: int, created: int, kind: str, amount: int, fee: int = 0, text: str = ""):
        self.sorted = None
        self.transactions.append({
            "id": f"txn_{n:06d}", "object": "balance_transaction", "amount": amount,
            "available_on": created + 2 * 86400, "created": created, "currency": "usd",
            "description": text or None, "exchange_rate": None, "fee": fee,
            "fee_details": [{"amount": fee, "application": None, "currency": "usd",
                             "description": "Stripe processing fees", "type": "stripe_fee"}]
            if fee else [],
            "net": amount - fee, "reporting_category": kind, "source": f"ch_{n:06d}",
            "status": "available", "type": kind,
        })  # fmt: skip

    def stop(self) -> None:
        self.http.shutdown()
