"""A read-only SQL database as a live source (issue 41, part 4): a real PostgreSQL server and a
real SQLite file. A ledger-shaped query's rows are the same ledger as the same rows in a CSV
export; an events query counts like the other event sources; a query that would write is refused
by the database's read-only transaction; the URL comes from the environment and is never shown."""

from __future__ import annotations

import sqlite3
from decimal import Decimal

import pytest

from boardpack.config import load_workspace
from boardpack.pipeline import build_pack
from tests.conftest import AS_OF, GENERATED_AT, TOML, run_cli, write_workspace

# what the shop's own database records of October (and one September sale): sales and a refund
SALES = [
    ("2026-09-12", "450.00", "Income:Shop", "Web order 17", "Ana P."),
    ("2026-10-03", "1200.00", "Income:Shop", "Web order 21", "Ben K."),
    ("2026-10-14", "800.00", "Income:Shop", "Web order 22", "Cy L."),
    ("2026-10-20", "-150.00", "Income:Shop", "Refund order 21", "Ben K."),
]
QUERY = """
[[sources.sql]]
name = "shop-db"
url_env = "SHOP_DB_URL"
[[sources.sql.queries]]
name = "sales"
shape = "ledger"
entity = "co"
sql = \"\"\"SELECT sold_on AS date, amount, account, memo, customer AS counterparty
FROM sales WHERE sold_on BETWEEN :first AND :last ORDER BY sold_on\"\"\"
[[sources.sql.queries]]
name = "signups"
shape = "events"
entity = "co"
sql = "SELECT day AS date, 'sign-up' AS type, n AS count FROM signups"
"""
TABLES = (
    "CREATE TABLE sales (sold_on DATE, amount NUMERIC(12, 2), account TEXT, memo TEXT,"
    " customer TEXT)",
    "CREATE TABLE signups (day DATE, n INTEGER)",
)


def rows_sql() -> list[str]:
    return [
        *(f"INSERT INTO sales VALUES ('{d}', {a}, '{t}', '{m}', '{c}')" for d, a, t, m, c in SALES),
        "INSERT INTO signups VALUES ('2026-10-02', 4), ('2026-10-09', 3), ('2026-09-30', 2)",
    ]


def as_csv() -> str:
    """The same rows as a bank-style export, read by an ordinary [[sources.ledger]]."""
    return "Date,Payee,Memo,Amount,Account\n" + "".join(
        f"{d},{c},{m},{a},{acc}\n" for d, a, acc, m, c in SALES
    )


def build(tmp_path, toml, env, files=None):
    root = write_workspace(tmp_path / "ws", toml, files or {})
    return build_pack(load_workspace(root, environ=env), AS_OF, generated_at=GENERATED_AT)


def books(pack) -> dict:
    names = ("finance.revenue", "accounting.net_income", "finance.cash_balance")
    return {n: pack.results.metrics[n].value for n in names}


@pytest.fixture
def sqlite_db(tmp_path):
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as db:
        for statement in (*TABLES, *rows_sql()):
            db.execute(statement)
    return path


@pytest.fixture
def postgres_db(postgres):
    postgres.execute("DROP TABLE IF EXISTS sales, signups")
    for statement in (*TABLES, *rows_sql()):
        postgres.execute(statement)
    return postgres


def test_a_ledger_query_is_the_same_ledger_as_the_same_rows_exported(tmp_path, postgres_db):
    env = {"SHOP_DB_URL": postgres_db.url()}
    live = build(tmp_path / "live", TOML + QUERY, env)
    exported = TOML + '\n[[sources.ledger]]\npath = "shop.csv"\nentity = "co"\n' + (
        '[sources.ledger.columns]\ndate = "Date"\namount = "Amount"\naccount = "Account"\n'
        'counterparty = "Payee"\nmemo = "Memo"\n'
    )
    from_file = build(tmp_path / "file", exported, env, {"shop.csv": as_csv()})
    assert books(live) == books(from_file)
    # October's sales less the refund, beside the small company's own 1,200.00
    assert live.results.metrics["finance.revenue"].value == Decimal("1200.00") + Decimal("1850.00")
    assert live.results.metrics["co.events.sign_up"].value == 7
    status = live.portfolio.sources["shop-db"]
    assert status.snapshot.startswith("live, pulled") and status.records == 7
    assert postgres_db.PASSWORD not in repr(status) + repr(live.portfolio.sources["ledger"])


def test_sqlite_file_reads_the_same(tmp_path, sqlite_db, postgres_db):
    from_pg = build(tmp_path / "pg", TOML + QUERY, {"SHOP_DB_URL": postgres_db.url()})
    from_file = build(tmp_path / "lite", TOML + QUERY, {"SHOP_DB_URL": f"sqlite:///{sqlite_db}"})
    assert books(from_file) == books(from_pg)
    assert from_file.results.metrics["co.events.sign_up"].value == 7


@pytest.mark.parametrize("database", ["postgresql", "sqlite"])
def test_a_query_that_would_write_is_refused_by_the_database(tmp_path, database, request):
    url = (
        request.getfixturevalue("postgres_db").url()
        if database == "postgresql"
        else f"sqlite:///{request.getfixturevalue('sqlite_db')}"
    )
    toml = TOML + QUERY.replace(
        "SELECT day AS date, 'sign-up' AS type, n AS count FROM signups",
        "DELETE FROM signups RETURNING day AS date, 'x' AS type",
    )
    pack = build(tmp_path, toml, {"SHOP_DB_URL": url})
    status = pack.portfolio.sources["shop-db"]
    assert status.unreadable
    said = {"postgresql": "read-only transaction", "sqlite": "readonly database"}[database]
    assert said in status.error, status.error
    assert "s3cret" not in status.error
    if database == "sqlite":
        with sqlite3.connect(request.getfixturevalue("sqlite_db")) as db:
            assert db.execute("SELECT count(*) FROM signups").fetchone()[0] == 3  # untouched
    else:
        import psycopg

        with psycopg.connect(request.getfixturevalue("postgres_db").url()) as db:
            assert db.execute("SELECT count(*) FROM signups").fetchone()[0] == 3


def test_a_wrong_password_is_refused_and_never_shown(tmp_path, postgres_db):
    url = postgres_db.url(password="not-the-Password-9")
    root = write_workspace(tmp_path / "ws", TOML + QUERY, {})
    result = run_cli("check", "-w", str(root), "--as-of", "2026-11-15", env={"SHOP_DB_URL": url})
    assert result.returncode == 2 and "send would refuse" in result.stderr
    assert "password authentication failed" in result.stderr
    assert "not-the-Password-9" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    "change, env, said",
    [
        (('url_env = "SHOP_DB_URL"', 'url = "postgresql://u:p@db/x"'), {},
         "sources.sql[0].url: a connection URL holds a password"),
        (("", ""), {}, "the environment has no SHOP_DB_URL"),
        (("", ""), {"SHOP_DB_URL": "mysql://db/x"}, "is not a postgresql:// or sqlite:/// URL"),
        (('shape = "ledger"', 'shape = "invoices"'), {}, "sources.sql[0].queries[0].shape"),
        # bookings for a venture that does not say they are its own
        (('shape = "ledger"', 'shape = "bookings"'), {}, "[entities.bookings] source ="),
    ],
)  # fmt: skip
def test_a_bad_sql_source_says_what_to_fix(tmp_path, change, env, said):
    root = write_workspace(tmp_path / "ws", TOML + QUERY.replace(*change), {})
    result = run_cli("check", "-w", str(root), "--as-of", "2026-11-15", env=env)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert said in result.stderr, result.stderr


def test_a_bookings_query_feeds_its_venture_as_its_file_would(tmp_path):
    """The charter venture's bookings from the booking system's own SQLite database: the same
    figures as from its bookings file."""
    import csv
    import io

    from tests.analyses.test_bookings import BOOKINGS, LEDGER
    from tests.analyses.test_bookings import TOML as BOATS
    from tests.sources.test_live import figures

    path = tmp_path / "bookings.db"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE bookings (booked TEXT, sail TEXT, asset TEXT, customer TEXT,"
            " channel TEXT, amount NUMERIC, deposit NUMERIC, status TEXT)"
        )
        for r in csv.DictReader(io.StringIO(BOOKINGS)):
            db.execute("INSERT INTO bookings VALUES (?, ?, ?, ?, ?, ?, ?, ?)", list(r.values()))
    by_file = (
        'path = "bookings.csv"\ncolumns = { booking_date = "Booked", service_date = "Sail date" }\n'
    )
    live = BOATS.replace(by_file, 'source = "booking-db.bookings"\n') + (
        '\n[[sources.sql]]\nname = "booking-db"\nurl_env = "BOOKING_DB_URL"\n'
        '[[sources.sql.queries]]\nname = "bookings"\nshape = "bookings"\nentity = "boats"\n'
        'sql = """SELECT booked AS booking_date, sail AS service_date, asset, customer, channel,'
        " printf('%.2f', amount) AS amount, printf('%.2f', deposit) AS deposit, status"
        ' FROM bookings WHERE booked BETWEEN :first AND :last"""\n'
    )
    files = {"bookings.csv": BOOKINGS, "ledger/bank.csv": LEDGER, "notes/co.md": None}
    from_db = build(tmp_path / "db", live, {"BOOKING_DB_URL": f"sqlite:///{path}"}, files)
    from_file = build(tmp_path / "file", BOATS, {}, files)
    assert figures(from_db) == figures(from_file)
    assert from_db.results.metrics["boats.bookings"].value == 4
