"""A read-only SQL database's named queries: PostgreSQL through psycopg 3, or a SQLite file. The
connection URL comes from the environment variable the workspace names, never from the workspace;
each query runs in a read-only transaction (a query that would write is refused by the database
itself) under a statement timeout. No message ever carries the URL."""

from __future__ import annotations

import re
import sqlite3
import time
from datetime import date
from urllib.parse import unquote, urlsplit

from boardpack.config import SqlSource, Workspace
from boardpack.errors import LiveError
from boardpack.live.snapshots import cell

QUERY = "@query"  # the row's query, in a snapshot of several
# :first and :last, the window's days, where a query names them (not a cast's ::)
WINDOW = re.compile(r"(?<![:\w]):(first|last)\b")
MAX_ROWS = 5_000_000


def pull(workspace: Workspace, spec: SqlSource, first: date, last: date) -> list[dict[str, str]]:
    url = workspace.env.get(spec.url_env)
    if not url:
        raise LiveError(
            f"the environment has no {spec.url_env}: set it (or put it in .env) to the database's"
            " URL, postgresql://user:password@host/db or sqlite:///path/to/file.db"
        )
    kind = urlsplit(url).scheme
    days = {"first": f"'{first.isoformat()}'", "last": f"'{last.isoformat()}'"}
    try:
        if kind in ("postgresql", "postgres"):
            return postgresql(url, spec, days)
        if kind == "sqlite":
            return sqlite(url, spec, days)
    except LiveError as exc:
        raise LiveError(scrubbed(str(exc), url)) from None
    raise LiveError(
        f"{spec.url_env} is not a postgresql:// or sqlite:/// URL (it says {kind or 'none'}://)"
    )


def postgresql(url: str, spec: SqlSource, days: dict[str, str]) -> list[dict[str, str]]:
    try:
        import psycopg
    except ImportError:
        raise LiveError(
            "PostgreSQL needs psycopg: pip install 'boardpack[sql]'"
        ) from None
    ms = spec.timeout_seconds * 1000
    rows: list[dict[str, str]] = []
    try:
        with psycopg.connect(
            url,
            connect_timeout=10,
            options=f"-c statement_timeout={ms} -c default_transaction_read_only=on",
        ) as db:
            db.read_only = True
            for query in spec.queries:
                with db.cursor() as cursor:
                    cursor.execute(WINDOW.sub(lambda m: days[m[1]], query.sql).encode())
                    rows += result(query.name, cursor)
                db.rollback()  # nothing to keep: it read
    except psycopg.Error as exc:
        raise LiveError(f"PostgreSQL: {type(exc).__name__}: {first_line(exc)}") from None
    return rows


def sqlite(url: str, spec: SqlSource, days: dict[str, str]) -> list[dict[str, str]]:
    path = unquote(urlsplit(url).path)
    path = path[1:] if path.startswith("//") else path  # sqlite:////abs and sqlite:///rel
    deadline = time.monotonic() + spec.timeout_seconds
    rows: list[dict[str, str]] = []
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    except sqlite3.Error as exc:
        raise LiveError(f"SQLite: {first_line(exc)}") from None
    try:
        db.execute("PRAGMA query_only = ON")
        db.set_progress_handler(lambda: time.monotonic() > deadline, 10_000)
        for query in spec.queries:
            cursor = db.execute(WINDOW.sub(lambda m: days[m[1]], query.sql))
            rows += result(query.name, cursor)
    except sqlite3.Error as exc:
        said = first_line(exc)
        if "interrupted" in said:
            said = f"did not finish within timeout_seconds = {spec.timeout_seconds}"
        raise LiveError(f"SQLite: {said}") from None
    finally:
        db.close()
    return rows


def result(name: str, cursor) -> list[dict[str, str]]:
    if cursor.description is None:
        raise LiveError(f"query {name}: it returns no rows: write a SELECT")
    names = [d[0] for d in cursor.description]
    found = cursor.fetchmany(MAX_ROWS + 1)
    if len(found) > MAX_ROWS:
        raise LiveError(f"query {name}: more than {MAX_ROWS:,} rows: narrow it")
    return [{QUERY: name} | {n: cell(v) for n, v in zip(names, row)} for row in found]


def first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def scrubbed(text: str, url: str) -> str:
    """The text without the URL or its password, should a driver have repeated either."""
    secret = urlsplit(url).password
    text = text.replace(url, "<url>")
    return text.replace(secret, "<password>") if secret else text
