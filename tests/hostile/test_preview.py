"""Class 10: the preview answers every request. A bad query value or path is a 400 or 404 page,
another Host a 403, a method it does not serve a 501 — never a dropped connection, a traceback or a
file from outside.
"""

from __future__ import annotations

import socket
import threading

import pytest

from boardpack.config import load_workspace
from boardpack.preview import serve
from tests.conftest import AS_OF, TOML, write_workspace

LONG_QUERY = "&".join(f"f{n}=1" for n in range(1000))
# (case, the raw request, the status it must get)
CASES = [
    ("a unicode digit as the recipient", "GET /2026-10/cfo?to=%C2%B2", 400),
    ("a recipient number of twenty digits", "GET /2026-10/cfo?to=99999999999999999999", 400),
    ("a negative recipient", "GET /2026-10/cfo?to=-1", 400),
    ("a recipient that is not UTF-8", "GET /2026-10/cfo?to=%ff%fe", 400),
    ("a recipient past the last", "GET /2026-10/cfo?to=7", 404),
    ("a thousand query fields", f"GET /2026-10/cfo?{LONG_QUERY}", 400),
    ("an unknown form", "GET /2026-10/cfo?form=%00", 200),
    ("a unicode digit in the path", "GET /2026-10/cfo/%C2%B2/message.html", 404),
    ("a part number of twenty digits", "GET /2026-10/cfo/0/part/99999999999999999999", 404),
    ("a part past the last", "GET /2026-10/cfo/0/part/99", 404),
    ("a parent path", "GET /../../etc/passwd", 404),
    ("an encoded parent path", "GET /%2e%2e/%2e%2e/etc/passwd", 404),
    ("a parent path inside a period", "GET /2026-10/../../boardpack.toml", 404),
    ("a NUL in the path", "GET /2026-10%00/cfo", 404),
    ("a month that does not exist", "GET /2026-13", 404),
    ("a report that does not exist", "GET /2026-10/nobody", 404),
    ("a very long path", "GET /" + "x" * 8000, 404),
    ("a request line past the server's limit", "GET /" + "x" * 70_000, 414),
    ("another Host", "GET / HTTP/1.1\r\nHost: evil.example:80", 403),
    ("no Host at all", "GET / HTTP/1.0", 403),
    ("a POST", "POST /2026-10/cfo HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0", 501),
    ("a request line that is not HTTP", "GARBAGE", 400),
    ("a header without a colon", "GET / HTTP/1.1\r\nHost: {host}\r\nnonsense", 200),
    ("the message as it would go", "GET /2026-10/cfo/0/message.eml", 200),
    ("the index", "GET /", 200),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = write_workspace(tmp_path_factory.mktemp("preview") / "ws", TOML)
    httpd = serve(load_workspace(root, environ={}), 0, AS_OF)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def ask(host: str, request: str) -> bytes:
    """The raw answer to a raw request (a Host header added unless the request has its own)."""
    request = request.format(host=host)
    if " HTTP/" not in request.split("\r\n")[0] and request != "GARBAGE":
        request += " HTTP/1.1"
    if "\r\n" not in request and request != "GARBAGE" and "HTTP/1.0" not in request:
        request += f"\r\nHost: {host}"
    with socket.create_connection(("127.0.0.1", int(host.split(":")[1])), timeout=60) as conn:
        conn.sendall(request.encode("latin-1") + b"\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    return answer


@pytest.mark.parametrize(
    "request_line, status", [(r, s) for _, r, s in CASES], ids=[c for c, _, _ in CASES]
)
def test_every_request_gets_an_answer(server, request_line, status):
    answer = ask(server, request_line)
    assert answer, "the connection was dropped without an answer"
    first = answer.split(b"\r\n", 1)[0].decode("latin-1")
    if first.startswith("HTTP/"):
        assert first.split()[1] == str(status), first
    else:  # a request that is not HTTP/1.x is answered the HTTP/0.9 way: the page alone
        assert f"Error code: {status}".encode() in answer
    assert b"Traceback" not in answer and b"root:" not in answer and b"[organization]" not in answer
    assert ask(server, "GET /").startswith(b"HTTP/1.0 200"), "the server stopped answering"


def test_a_connection_that_never_says_anything_is_closed(tmp_path, monkeypatch):
    """Without a request line the connection is closed after the handler's timeout, not held by a
    thread for ever."""
    import time

    from boardpack.preview import Handler

    monkeypatch.setattr(Handler, "timeout", 1.0)
    httpd = serve(load_workspace(write_workspace(tmp_path / "ws", TOML), environ={}), 0, AS_OF)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", httpd.server_address[1]), timeout=30) as conn:
            assert conn.recv(100) == b""  # closed by the server
        assert time.monotonic() - started < 10
    finally:
        httpd.shutdown()
        httpd.server_close()
