"""Property-based fuzzing of every parser of outside input: whatever comes in, the answer is a value
or a clear error of boardpack's own (exit 2 at the command line), never another exception."""

from __future__ import annotations

import json
import socket
import string
import threading

import duckdb
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from boardpack.config import load_workspace
from boardpack.csv_file import amount, count, day, read_rows
from boardpack.delivery.addresses import checked_mailbox
from boardpack.errors import WorkspaceError
from boardpack.feedback.events import collect, parse
from boardpack.preview import serve
from boardpack.sources.ledger import money_sql
from boardpack.sources.notes import read_note
from tests.conftest import AS_OF, TOML, write_workspace

FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=25,
)
SES_KEYS = st.sampled_from(
    [
        "notificationType",
        "eventType",
        "mail",
        "messageId",
        "destination",
        "bounce",
        "bounceType",
        "bouncedRecipients",
        "emailAddress",
        "complaint",
        "complainedRecipients",
        "Records",
        "Sns",
        "body",
        "Message",
        "Type",
        "delivery",
        "recipients",
    ]
)
SES_LIKE = st.recursive(
    st.text(max_size=30) | st.integers() | st.none(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(SES_KEYS, inner, max_size=5),
    max_leaves=30,
)


@FUZZ
@given(text=st.text(max_size=400))
def test_any_boardpack_toml_loads_or_is_a_clear_error(tmp_path, text):
    (tmp_path / "boardpack.toml").write_text(text, encoding="utf-8")
    try:
        load_workspace(tmp_path, environ={})
    except WorkspaceError as exc:
        assert "boardpack.toml" in str(exc)


@FUZZ
@given(
    key=st.sampled_from(
        [
            "currency",
            "timezone",
            "period",
            "name",
            "kind",
            "path",
            "to",
            "from",
            "target",
            "size",
            "open",
            "cost",
            "date",
            "amount",
        ]
    ),
    value=st.text(max_size=40) | st.integers(),
)
def test_any_value_of_a_real_key_loads_or_names_the_key(tmp_path, key, value):
    mutated = "\n".join(
        f"{key} = {json.dumps(value)}" if line.split(" = ")[0] == key else line
        for line in TOML.splitlines()
    )
    (tmp_path / "boardpack.toml").write_text(mutated, encoding="utf-8")
    try:
        load_workspace(tmp_path, environ={})
    except WorkspaceError as exc:
        assert "boardpack.toml" in str(exc)


@FUZZ
@given(data=st.binary(max_size=300))
def test_any_bytes_as_boardpack_toml_are_a_clear_error(tmp_path, data):
    (tmp_path / "boardpack.toml").write_bytes(data)
    try:
        load_workspace(tmp_path, environ={})
    except WorkspaceError:
        pass


@FUZZ
@given(cell=st.text(max_size=30))
def test_any_cell_is_a_value_or_a_value_error(cell):
    for parse_cell in (lambda c: amount(c, "x"), lambda c: count(c, "x"), lambda c: day(c, "x")):
        try:
            parse_cell(cell)
        except ValueError as exc:
            assert str(exc).startswith("x ")


DB = duckdb.connect()


@FUZZ
@given(cell=st.text(max_size=30), mark=st.sampled_from([".", ","]))
def test_any_amount_text_is_an_exact_amount_or_null_in_duckdb(cell, mark):
    [(value,)] = DB.execute(
        f"SELECT {money_sql('x', mark)} FROM (SELECT ?::VARCHAR AS x)", [cell]
    ).fetchall()
    assert value is None or abs(value) < 10**16


@FUZZ
@given(
    rows=st.lists(st.lists(st.text(alphabet=string.printable, max_size=8), max_size=7), max_size=6)
)
def test_any_csv_is_rows_or_errors_that_name_the_file(tmp_path, rows):
    text = "a,b,c\n" + "\n".join(
        ",".join(json.dumps(c) if "," in c else c for c in row) for row in rows
    )
    (tmp_path / "f.csv").write_text(text, encoding="utf-8", newline="")
    try:
        read_rows(tmp_path, "f.csv", "k", ("a", "b", "c"), lambda row, where: row)
    except WorkspaceError as exc:
        assert "f.csv" in str(exc)


@FUZZ
@given(front=st.text(max_size=200), body=st.text(max_size=200))
@example(front="1: x", body="")  # keys that are not text: python-frontmatter raised TypeError
def test_any_note_is_a_note_or_a_problem(tmp_path, front, body):
    path = tmp_path / "n.md"
    path.write_text(f"---\n{front}\n---\n{body}", encoding="utf-8")
    problems: list = []
    note = read_note(path, "n.md", {"co"}, problems)
    assert note is not None or problems


@FUZZ
@given(document=JSON | SES_LIKE)
def test_any_json_is_notifications_or_a_clear_error(document):
    try:
        parse(json.dumps(document), "f.json")
    except WorkspaceError as exc:
        assert "f.json" in str(exc)
    try:
        collect([document], "event")
    except WorkspaceError:
        pass


@FUZZ
@given(text=st.text(max_size=80) | st.text(alphabet=":;<>@,\"()[]\\. a0", max_size=12))
@example(text=":;0")  # an empty group: the standard library's parser raised AttributeError
def test_any_address_is_one_mailbox_or_a_value_error(text):
    try:
        checked = checked_mailbox(text)
    except ValueError:
        return
    assert checked.count("@") >= 1 and "\n" not in checked and "," not in checked.split("<")[-1]


@pytest.fixture(scope="module")
def preview(tmp_path_factory):
    root = write_workspace(tmp_path_factory.mktemp("fuzz") / "ws", TOML)
    httpd = serve(load_workspace(root, environ={}), 0, AS_OF)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


URL_TEXT = st.text(
    alphabet=string.ascii_letters + string.digits + "/%?&=.-_~²:;@!$'()*+,", max_size=60
)


@settings(max_examples=100, deadline=None)
@given(path=URL_TEXT)
def test_any_preview_url_gets_an_answer(preview, path):
    with socket.create_connection(("127.0.0.1", preview), timeout=60) as conn:
        conn.sendall(
            f"GET /{path} HTTP/1.1\r\nHost: 127.0.0.1:{preview}\r\nConnection: close\r\n\r\n"
            .encode()
        )
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    status = answer.split(b" ", 2)[1]
    assert status in (b"200", b"400", b"404", b"422"), answer[:200]
    assert b"Traceback" not in answer
