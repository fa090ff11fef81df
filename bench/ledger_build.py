"""Benchmark: the whole pack from a 1,000,000-row ledger, beside DuckDB's bare load and aggregate of
the same file.

Both run as fresh processes (interpreter start-up included in both), timed by wall clock, with each
process's own peak memory from wait4. Usage: python bench/ledger_build.py [ROWS] [easy|wide]
[--against PYTHON]: with --against, the same `boardpack build` by another install's interpreter (an
older tree's venv) takes turns with this one's, so that both are timed on the same minutes.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ACCOUNTS = [
    "Income:Sales",
    "Income:Services",
    "Expenses:Rent",
    "Expenses:Payroll",
    "Expenses:Fuel",
    "Expenses:Software",
    "Expenses:Travel",
    "Expenses:Materials",
    "",
]
# boardpack's own ledger source on the same file, then the same aggregate: the parse and checks
# alone
LOAD = """
import sys
from datetime import date
from pathlib import Path
from boardpack.config import load_workspace
from boardpack.period import period_before
from boardpack.sources import load_portfolio
ws = load_workspace(Path(sys.argv[1]), environ={})
as_of = date(2026, 11, 15)
p = load_portfolio(ws, period_before(as_of, ws.settings.organization), as_of)
p.db.execute("SELECT account, date_trunc('month', date) m, sum(amount), count(*) FROM ledger "
             "GROUP BY ALL").fetchall()
"""
BARE = """
import duckdb, sys
con = duckdb.connect()
con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?, header = true)", [sys.argv[1]])
con.execute("SELECT Account, date_trunc('month', Date) m, sum(Amount), count(*) FROM t "
            "GROUP BY ALL").fetchall()
"""
TOML = """
[organization]
name = "Bench Co"
[[entities]]
id = "co"
name = "Bench Co"
kind = "services"
[[sources.ledger]]
path = "ledger.csv"
entity = "co"
[sources.ledger.columns]
date = "Date"
amount = "Amount"
account = "Account"
counterparty = "Payee"
memo = "Memo"
[[rules]]
pattern = "card"
account = "Expenses:Card"
[finance]
variable_cost_accounts = ["Expenses:Fuel", "Expenses:Materials"]
revenue_goal = "9000000.00"
goal_month = "2027-06"
"""


# issue 42's harder shape: four ventures named in a column of each row, 700 payees, a memo each
VENTURES = ("boats", "trucks", "flats", "advice")
WIDE_TOML = (
    TOML.replace(
        '[[entities]]\nid = "co"\nname = "Bench Co"\nkind = "services"\n',
        "".join(
            f'[[entities]]\nid = "{v}"\nname = "{v.title()} Co"\nkind = "services"\n'
            for v in VENTURES
        ),
    )
    .replace('entity = "co"\n', 'entity_column = "Venture"\n')
)


def write_ledger(path: Path, rows: int, shape: str = "easy") -> None:
    rng = random.Random(1)
    start = date(2024, 11, 1)
    days = [(start + timedelta(days=d)).isoformat() for d in range(730)]
    with path.open("w") as out:
        out.write(
            "Date,Payee,Memo,Amount,Account\n"
            if shape == "easy"
            else "Date,Venture,Payee,Memo,Amount,Account\n"
        )
        for i in range(rows):
            account = ACCOUNTS[i % len(ACCOUNTS)]
            sign = "" if account.startswith("Income") else "-"
            who = (
                f"Payee {i % 997},card purchase {i}"
                if shape == "easy"
                else f"{VENTURES[i % 4]},Payee {rng.randrange(700)},"
                f"Invoice {i} for job {rng.randrange(10**6)}"
            )
            out.write(f"{days[i % 730]},{who},{sign}{rng.randint(1, 500000) / 100:.2f},{account}\n")


# Python as an installed package runs: from the bytecode pip compiles at install time, not from
# source on every start (a machine that sets PYTHONDONTWRITEBYTECODE would time the compiler)
INSTALLED = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run(argv: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MiB of one process."""
    started = time.perf_counter()
    process = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=INSTALLED
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        sys.exit(f"{argv[:3]} failed: {process.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss / 1024


def side_by_side(commands: list[list[str]], runs: int = 5) -> list[tuple[float, float]]:
    """For each command, the median wall seconds of `runs` fresh processes and the largest peak MiB
    among them. The commands take turns, round by round, so a machine that slows down part way
    through (a neighbour on a shared host) slows each of them alike, and one unmeasured round goes
    first (it writes the bytecode, as installing does)."""
    rounds = [[run(argv) for argv in commands] for _ in range(runs + 1)][1:]
    return [
        (statistics.median(r[n][0] for r in rounds), max(r[n][1] for r in rounds))
        for n in range(len(commands))
    ]


def median_run(argv: list[str], runs: int = 5) -> tuple[float, float]:
    """`side_by_side` of one command."""
    return side_by_side([argv], runs)[0]


AS_OF = "2026-11-15"


def build_command(ws: Path) -> list[str]:
    """`boardpack build` of the workspace, as of the benches' date, into ws/out."""
    options = ["-w", str(ws), "--as-of", AS_OF, "--out", str(ws / "out")]
    return [sys.executable, "-m", "boardpack", "build", *options]


def bench_workspace(ws: Path, rows: int, shape: str = "easy") -> None:
    """The benchmarks' workspace: the TOML above and `rows` ledger rows over two years — one
    venture and a thousand payees ("easy"), or four ventures in a column, 700 payees and a memo
    each ("wide")."""
    (ws / "boardpack.toml").write_text(TOML if shape == "easy" else WIDE_TOML)
    write_ledger(ws / "ledger.csv", rows, shape)


TARGET = 2.0  # issue 27: the build within 2x the bare load


def main() -> int:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("rows", nargs="?", type=int, default=1_000_000)
    parser.add_argument("shape", nargs="?", default="easy", choices=("easy", "wide"))
    parser.add_argument("--against", metavar="PYTHON", help="another install's interpreter")
    args = parser.parse_args()
    if args.against and not shutil.which(args.against):
        parser.error(f"--against {args.against}: no such interpreter (give a venv's bin/python)")
    rows, shape = args.rows, args.shape
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp)
        bench_workspace(ws, rows, shape)
        size = (ws / "ledger.csv").stat().st_size / 2**20
        # the command line is the interface both trees share (their internals need not be)
        other = [[args.against, *build_command(ws)[1:]]] if args.against else []
        bare, start, load, build, *against = side_by_side(
            [
                [sys.executable, "-c", BARE, str(ws / "ledger.csv")],
                [sys.executable, "-c", "import boardpack.pipeline"],
                [sys.executable, "-c", LOAD, str(ws)],
                build_command(ws),
                *other,
            ]
        )
    print(
        f"ledger ({shape}): {rows:,} rows, {size:.0f} MiB CSV; median of 5 rounds, fresh process"
        " each"
    )
    print(f"{'':34}{'wall s':>8}{'peak MiB':>10}")
    print(f"{'DuckDB bare load + aggregate':34}{bare[0]:8.2f}{bare[1]:10.0f}")
    print(f"{'python start + pipeline imports':34}{start[0]:8.2f}{start[1]:10.0f}")
    print(f"{'boardpack ledger load + aggregate':34}{load[0]:8.2f}{load[1]:10.0f}")
    print(f"{'boardpack build (5 reports x 4 fmt)':34}{build[0]:8.2f}{build[1]:10.0f}")
    for seconds, mib in against:
        print(f"{'the same build by --against':34}{seconds:8.2f}{mib:10.0f}")
        print(f"this build / that: {build[0] / seconds:.2f}x time, {build[1] / mib:.2f}x memory")
    print(
        f"ratio load / bare: {load[0] / bare[0]:.2f}x time; build / bare: {build[0] / bare[0]:.2f}x"
        f" time, {build[1] / bare[1]:.2f}x memory (target: build within {TARGET}x time)"
    )
    if build[0] / bare[0] > TARGET:
        print("MISSED: build / bare")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
