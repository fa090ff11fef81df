"""Shared fixtures: a clean environment, a small hand-worked workspace, the CLI in a subprocess,
golden files."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from boardpack.config import load_workspace
from boardpack.pipeline import build_pack

AS_OF = date(2026, 11, 15)  # the pack covers October 2026
GENERATED_AT = datetime(2026, 11, 15, 6, 0, tzinfo=ZoneInfo("America/Los_Angeles"))

# A ledger small enough to work every figure out by hand (see tests/analyses/test_finance.py).
LEDGER = """\
Date,Payee,Memo,Amount,Account
2026-07-15,Acme,July sale,1000.00,Income:Sales
2026-08-05,Acme,August sale,6000.00,Income:Sales
2026-08-10,Landlord,Rent,-2000.00,Expenses:Rent
2026-08-20,Supplier,Materials,-1500.00,Expenses:Materials
2026-09-05,Acme,September sale,1000.00,Income:Sales
2026-09-10,Landlord,Rent,-2000.00,Expenses:Rent
2026-09-20,Supplier,Materials,-900.00,Expenses:Materials
2026-10-05,Acme,October sale,1200.00,Income:Sales
2026-10-10,Landlord,Rent,-2000.00,Expenses:Rent
2026-10-20,Supplier,Materials,-600.00,Expenses:Materials
2026-10-25,Owner,Capital injection,5000.00,Equity:Owner
2026-10-28,Mystery Vendor,<script>alert(1)</script>,-400.00,
2026-11-02,Landlord,Rent,-2000.00,Expenses:Rent
"""

NOTE = """\
---
entity: co
title: Co handoff
status: red
updated: 2026-11-10
risks:
  - title: Key supplier <b>may</b> close
    severity: high
    area: operations
    action: Find a second supplier
kpis:
  customers: 12
---
# Co

- [ ] @cfo Renegotiate the lease (due 2026-11-20)
- [ ] @cto Rotate the API keys (due 2026-12-30)
- [x] @ceo Done already (due 2026-11-01)
- [ ] Unowned item
"""

CHANNELS = """\
entity,channel,month,impressions,visits,leads,bookings,revenue,spend
co,website,2026-10,5000,250,10,2,2400.00,0
co,google,2026-10,900,30,3,1,1200.00,150.00
"""

TOML = """\
[organization]
name = "Small Co"
currency = "USD"
timezone = "America/Los_Angeles"

[[entities]]
id = "co"
name = "Small Co"
kind = "services"
stack = ["Django", "Postgres"]
domains = ["smallco.example.com"]

[[sources.ledger]]
path = "ledger/bank.csv"
entity = "co"
opening_balance = "10000.00"
[sources.ledger.columns]
date = "Date"
amount = "Amount"
account = "Account"
counterparty = "Payee"
memo = "Memo"

[sources.notes]
paths = ["notes/*.md"]

[sources.channels]
path = "marketing/channels.csv"

[[marketing.lists]]
name = "customers"
entity = "co"
size = 1000
deliverability = 0.9
open = 0.5
click = 0.1
conversion = 0.2
average_order_value = "100.00"
cost = "50.00"

[[kpis]]
id = "co.customers"
label = "Customers"
target = "10"
[[kpis]]
id = "finance.revenue.co"
label = "Revenue"
target = "2000"
unit = "USD"
[[kpis]]
id = "co.nps"
label = "NPS"
target = "40"

[finance]
variable_cost_accounts = ["Expenses:Materials"]
revenue_goal = "5000.00"
goal_month = "2027-01"
[[finance.rules]]
id = "runway"
label = "Keep six months of runway"
metric = "finance.runway_months"
op = ">="
value = "6"
[[finance.rules]]
id = "margin"
label = "Net income is positive"
metric = "accounting.net_income"
op = ">"
value = "0"

[roles.ceo]
to = ["Owner <owner@example.com>"]
[roles.cfo]
to = ["cfo@example.com"]
cc = ["owner@example.com"]

[delivery]
from = "Small Co Reports <reports@example.com>"
bcc = ["audit@example.com"]
"""


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """A developer's own AWS, SES, SMTP or boardpack settings never reach a test."""
    for name in list(os.environ):
        if name.startswith(("AWS_", "SES_", "BOARDPACK_", "SMTP_")):
            monkeypatch.delenv(name)


def write_workspace(
    root: Path, toml: str = TOML, files: dict[str, str | bytes] | None = None
) -> Path:
    contents = {
        "boardpack.toml": toml,
        "ledger/bank.csv": LEDGER,
        "notes/co.md": NOTE,
        "marketing/channels.csv": CHANNELS,
    } | (files or {})
    for name, content in contents.items():
        if content is None:
            continue
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


@pytest.fixture
def workspace_dir(tmp_path) -> Path:
    return write_workspace(tmp_path / "ws")


@pytest.fixture(scope="session")
def pack(tmp_path_factory):
    """The test workspace's pack, built once a worker for the tests that only read it."""
    root = write_workspace(tmp_path_factory.mktemp("pack") / "ws")
    return build_pack(load_workspace(root, environ={}), AS_OF, generated_at=GENERATED_AT)


@pytest.fixture(scope="session")
def demo_pack(tmp_path_factory):
    """The demo workspace's pack, built once for the tests that only read it."""
    from boardpack.demo import generate

    root = tmp_path_factory.mktemp("demo-pack") / "demo"
    generate(root, date(2026, 11, 22))
    edited = datetime(
        2026, 11, 20, 12, 0
    ).timestamp()  # a rent roll is as fresh as its last edit: not today
    for path in root.rglob("*"):
        os.utime(path, (edited, edited))
    return build_pack(
        load_workspace(root, environ={}), date(2026, 11, 22), generated_at=GENERATED_AT
    )


@pytest.fixture(scope="session")
def demo_sent(tmp_path_factory, worker_id) -> tuple[Path, subprocess.CompletedProcess]:
    """`boardpack demo` run once for the whole run, whichever worker comes first (its PDFs take most
    of its time): the workspace it wrote and what it said. Read it, or copy it before changing
    it."""
    from filelock import FileLock

    # the run's own folder, shared by its workers (pytest-xdist's recipe for a session fixture)
    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        shared = shared.parent
    root, said = shared / "demo-sent" / "harbor", shared / "demo-sent" / "said.json"
    with FileLock(shared / "demo-sent.lock"):
        if not said.is_file():
            done = run_cli("demo", str(root), "--as-of", "2026-11-22")
            assert done.returncode == 0, done.stderr
            said.write_text(json.dumps([done.args, done.returncode, done.stdout, done.stderr]))
    return root, subprocess.CompletedProcess(*json.loads(said.read_text()))


def run_cli(
    *args: str,
    cwd: Path | None = None,
    env: dict | None = None,
    input: str | bytes = "",
    timeout: float = 120,
    process: bool = False,
) -> subprocess.CompletedProcess:
    """The real command line, never on a terminal (`input` goes to its stdin), with the environment
    cleared of the developer's AWS, SES, SMTP and boardpack settings. In this process by default —
    the same `main` the `boardpack` command calls, in a fraction of the time — or, with `process`,
    in a subprocess, where a real process matters (signals, a crash, a lock, the interpreter's own
    start)."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "SES_", "BOARDPACK_", "SMTP_"))
    }
    if process:
        return subprocess.run(
            [sys.executable, "-m", "boardpack", *args],
            cwd=cwd,
            env=base | (env or {}),
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    return in_process(list(args), cwd, base | (env or {}), input)


def in_process(
    args: list[str], cwd: Path | None, environ: dict[str, str], stdin: str | bytes
) -> subprocess.CompletedProcess:
    import contextlib
    import io
    import signal
    import traceback

    from boardpack import cli

    saved_environ, saved_cwd, saved_stdin = dict(os.environ), Path.cwd(), sys.stdin
    saved_term = signal.getsignal(signal.SIGTERM)
    out, err = io.StringIO(), io.StringIO()
    os.environ.clear()
    os.environ.update(environ)
    data = stdin.encode() if isinstance(stdin, str) else stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    code = 0
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                cli.main(args)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            except Exception:  # as the interpreter would: the traceback on stderr, exit 1
                err.write(traceback.format_exc())
                code = 1
    finally:
        os.environ.clear()
        os.environ.update(saved_environ)
        os.chdir(saved_cwd)
        sys.stdin = saved_stdin
        signal.signal(signal.SIGTERM, saved_term)
    return subprocess.CompletedProcess(["boardpack", *args], code, out.getvalue(), err.getvalue())


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite tests/golden/ from the current output.",
    )


@pytest.fixture
def golden(request):
    """Compare text with tests/golden/NAME (dates and temporary paths replaced by placeholders)."""
    update = request.config.getoption("--update-golden")

    def check(name: str, text: str, tmp: Path | None = None) -> None:
        if tmp is not None:
            text = text.replace(str(tmp), "<TMP>")
        text = re.sub(
            r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}| ?[A-Z]{3,4})?",
            "<DATETIME>",
            text,
        )
        path = Path(__file__).parent / "golden" / name
        if update or not path.exists():
            path.write_text(text, encoding="utf-8")
            if not update:
                pytest.fail(
                    f"golden file {path.name} was missing and has been written; review it and run"
                    " again"
                )
        assert text == path.read_text(
            encoding="utf-8"
        ), f"{name} differs from its golden file (--update-golden to accept)"

    return check


@pytest.fixture(scope="session")
def moto_server():
    from tests.servers import MotoServer

    server = MotoServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server for the session (tests/servers.py)."""
    from tests.servers import PostgresServer

    server = PostgresServer()
    yield server
    server.stop()


@pytest.fixture
def aws(moto_server):
    """A real moto_server, emptied for this test; `aws.env()` is the environment that points at
    it."""
    moto_server.reset()
    return moto_server


def ses_toml(max_send_rate: float = 1000, extra: str = "") -> str:
    """The test workspace, delivering through SES (faster than moto's sandbox rate of 1/s, unless
    told)."""
    return (
        TOML.replace("[delivery]\n", '[delivery]\ntransport = "ses"\nretry_delay = 0.01\n')
        + f"[delivery.ses]\nmax_send_rate = {max_send_rate}\n"
        + extra
    )
