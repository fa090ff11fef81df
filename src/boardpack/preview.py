"""`boardpack preview`: a loopback web server showing each report exactly as each recipient would
receive it.

The messages shown are the ones `send` would build (`plan_messages`), parsed back from their bytes:
what the page shows is what the mail client would get. Nothing is sent and nothing is recorded.
"""

from __future__ import annotations

import email
import errno
import re
import threading
import traceback
from dataclasses import dataclass
from datetime import date, timedelta
from email import policy
from email.message import EmailMessage
from functools import cached_property
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

from boardpack.config import Workspace
from boardpack.delivery.message import OutgoingMessage
from boardpack.delivery.plan import plan_messages
from boardpack.errors import BoardpackError, WorkspaceError
from boardpack.figures import plural
from boardpack.period import Period, period_before
from boardpack.pipeline import Pack, build_pack, now_in
from boardpack.render.html import pages
from boardpack.reports.document import Document
from boardpack.reports.plain import plain

CID = re.compile(r"cid:([^\"')\s]+)")  # a reference to a part of the message, in its HTML
PERIODS = 12  # the latest complete period and the ones before it
# The message's HTML runs in a frame that may load nothing but its own parts: no scripts, no remote
# images.
MESSAGE_CSP = (
    "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; frame-ancestors 'self'"
)


@dataclass
class Letter:
    """One message as its recipient gets it, parsed from the bytes that would be sent."""

    message: OutgoingMessage

    @cached_property
    def parsed(self) -> EmailMessage:
        return email.message_from_bytes(self.message.raw, policy=policy.default)

    @property
    def label(self) -> str:
        r = self.message.recipients
        return ", ".join(r.to + r.cc)

    def body(self, kind: str) -> str:
        part = self.parsed.get_body(preferencelist=(kind,))
        return (
            part.get_content()
            if part is not None and part.get_content_type() == f"text/{kind}"
            else ""
        )

    @cached_property
    def parts(self) -> list[EmailMessage]:
        """The parts besides the bodies: attachments and inline images, by position."""
        bodies = {id(self.parsed.get_body(preferencelist=(k,))) for k in ("plain", "html")}
        return [p for p in self.parsed.walk() if not p.is_multipart() and id(p) not in bodies]

    def html(self, base: str) -> str:
        """The HTML part, its `cid:` references pointed at this server's copies of those parts."""
        by_cid = {
            p["Content-ID"].strip("<>"): i for i, p in enumerate(self.parts) if p["Content-ID"]
        }
        return CID.sub(
            lambda m: f"{base}part/{by_cid[m[1]]}" if m[1] in by_cid else m[0], self.body("html")
        )


@dataclass
class PeriodView:
    period: Period
    pack: Pack
    letters: dict[str, list[Letter]]  # report id -> one per recipient set
    unaddressed: list[str]

    def document(self, report: str) -> Document:
        return next(d for d in self.pack.documents if d.id == report)


class Preview:
    """The workspace's packs, built on first view and kept: the latest complete period and the ones
    before."""

    def __init__(self, workspace: Workspace, as_of: date | None = None, periods: int = PERIODS):
        self.workspace = workspace
        self.as_of = as_of or now_in(workspace).date()
        latest = period_before(self.as_of, workspace.settings.organization.period)
        self.periods = [latest]
        while len(self.periods) < periods:
            self.periods.append(self.periods[-1].previous())
        self._views: dict[str, PeriodView] = {}
        self._lock = threading.Lock()

    def view(self, label: str) -> PeriodView | None:
        period = next((p for p in self.periods if p.label == label), None)
        if period is None:
            return None
        with self._lock:  # one build per period, however many tabs ask at once
            if label not in self._views:
                # the latest as `send` would build it today; an earlier one as its scheduled send
                # did, the day after
                as_of = self.as_of if period == self.periods[0] else period.end + timedelta(days=1)
                pack = build_pack(self.workspace, as_of)
                messages, unaddressed = plan_messages(
                    self.workspace, pack.documents, now_in(self.workspace), history=pack.history
                )
                letters: dict[str, list[Letter]] = {}
                for m in messages:
                    letters.setdefault(m.key.report, []).append(Letter(m))
                self._views[label] = PeriodView(
                    period=period, pack=pack, letters=letters, unaddressed=unaddressed
                )
            return self._views[label]


def index(text: str) -> int | None:
    """A small ASCII number from a URL, or None (not "²", not a thousand digits)."""
    return int(text) if text.isascii() and text.isdecimal() and len(text) <= 6 else None


class Handler(BaseHTTPRequestHandler):
    preview: Preview  # set on the server's subclass
    server_version = "boardpack-preview"
    timeout = 10.0  # seconds a connection may wait to say something (its request line, a header)

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass  # the terminal shows the URL, not a line per request

    def do_GET(self):
        # A page on another site could otherwise reach this server through a name it controls (DNS
        # rebinding).
        port = self.server.server_address[1]
        if self.headers.get("Host") not in {f"127.0.0.1:{port}", f"localhost:{port}"}:
            return self.send(HTTPStatus.FORBIDDEN, "text/plain", b"only http://127.0.0.1 may ask")
        try:
            url = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(url.query, max_num_fields=20).items()}
        # a malformed URL or too many fields: say so, never drop the connection
        except ValueError as exc:
            return self.page(HTTPStatus.BAD_REQUEST, "error.html.j2", error=f"a bad request: {exc}")
        parts = [p for p in url.path.split("/") if p]
        try:
            self.route(parts, query)
        except BoardpackError as exc:
            self.page(HTTPStatus.UNPROCESSABLE_ENTITY, "error.html.j2", error=str(exc))
        except Exception as exc:  # every request gets an answer, even boardpack's own mistake
            traceback.print_exc()
            self.page(
                HTTPStatus.INTERNAL_SERVER_ERROR,
                "error.html.j2",
                error=(
                    f"boardpack could not show this page ({type(exc).__name__}); the terminal has"
                    " the details"
                ),
            )

    def route(self, parts: list[str], query: dict[str, str]) -> None:
        preview = self.preview
        if not parts:
            return self.page(HTTPStatus.OK, "index.html.j2", periods=preview.periods)
        view = preview.view(parts[0])
        if view is None:
            return self.not_found(f"no period {parts[0]}")
        if len(parts) == 1:
            return self.page(HTTPStatus.OK, "period.html.j2", view=view)
        letters = view.letters.get(parts[1])
        if letters is None:
            return self.not_found(f"no report {parts[1]} in {view.period.label}")
        if len(parts) == 2:
            n = index(query.get("to", "0"))
            if n is None:
                return self.page(
                    HTTPStatus.BAD_REQUEST, "error.html.j2", error="?to= takes a recipient number"
                )
            if n >= len(letters):
                return self.not_found(
                    f"the {parts[1]} report has {plural(len(letters), 'recipient set')}"
                )
            form = query.get("form") if query.get("form") in ("phone", "text") else "html"
            return self.page(
                HTTPStatus.OK,
                "report.html.j2",
                view=view,
                doc=plain(view.document(parts[1])),
                letters=letters,
                n=n,
                letter=letters[n],
                form=form,
            )
        n = index(parts[2])
        if n is None or n >= len(letters):
            return self.not_found("no such recipient set")
        letter, base = letters[n], f"/{quote(parts[0])}/{quote(parts[1])}/{n}/"
        match parts[3:]:
            case ["message.html"]:
                return self.send(
                    HTTPStatus.OK,
                    "text/html; charset=utf-8",
                    letter.html(base).encode(),
                    {"Content-Security-Policy": MESSAGE_CSP},
                )
            case ["message.eml"]:
                name = f"{parts[1]}-{parts[0]}.eml"
                return self.send(
                    HTTPStatus.OK,
                    "message/rfc822",
                    letter.message.raw,
                    {"Content-Disposition": f'attachment; filename="{name}"'},
                )
            case ["part", i] if (k := index(i)) is not None and k < len(letter.parts):
                part = letter.parts[k]
                return self.send(
                    HTTPStatus.OK,
                    part.get_content_type(),
                    part.get_payload(decode=True),
                    {"Content-Security-Policy": MESSAGE_CSP},
                )
        return self.not_found("no such page")

    def page(self, status: HTTPStatus, template: str, **context) -> None:
        html = (
            pages()
            .get_template(f"preview/{template}")
            .render(workspace=self.preview.workspace, **context)
        )
        self.send(status, "text/html; charset=utf-8", html.encode())

    def not_found(self, why: str) -> None:
        self.page(HTTPStatus.NOT_FOUND, "error.html.j2", error=why)

    def send(
        self,
        status: HTTPStatus,
        content_type: str,
        body: bytes,
        headers: dict[str, str] | None = None,
    ):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


def serve(workspace: Workspace, port: int, as_of: date | None = None) -> ThreadingHTTPServer:
    """A server bound to 127.0.0.1 only (port 0: any free port); the caller runs `serve_forever`."""
    handler = type("PreviewHandler", (Handler,), {"preview": Preview(workspace, as_of)})
    try:
        return ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise WorkspaceError(
                f"port {port} on 127.0.0.1 is already in use: choose another with --port N "
                "(--port 0 takes any free one)"
            ) from None
        if exc.errno == errno.EACCES:
            raise WorkspaceError(
                f"port {port} needs privileges: choose one above 1023 with --port N"
            ) from None
        raise
