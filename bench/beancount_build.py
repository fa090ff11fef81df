"""Benchmark: the whole pack from a 100,000-transaction beancount ledger, beside beancount's own
load of it.

What boardpack adds beyond `beancount.loader.load_file` (turning postings into ledger rows, the
analyses, five reports in four formats) is the figure that matters: beancount's own parse, booking
and validation are the floor. Both run as fresh processes, median of 5, with peak memory from wait4.
Usage: python bench/beancount_build.py [TRANSACTIONS]
"""

from __future__ import annotations

import random
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from ledger_build import build_command, side_by_side  # noqa: E402

# the pickle cache off, as boardpack has it: otherwise the 2nd and 3rd runs would time reading a
# pickle
LOAD = (
    "import sys; from beancount import loader; loader.initialize(use_cache=False); "
    "entries, errors, _ = loader.load_file(sys.argv[1]); assert not errors"
)
TOML = """
[organization]
name = "Bench Co"
[[entities]]
id = "charters"
name = "Charters"
kind = "charter"
[[entities]]
id = "hauling"
name = "Hauling"
kind = "logistics"
[[sources.ledger]]
path = "books.beancount"
format = "beancount"
entity_account_component = 2
"""
EXPENSES = ["Fuel", "Crew", "Moorage", "Insurance", "Maintenance", "Software"]


def write_ledger(path: Path, transactions: int) -> None:
    """Sales, expenses in two ventures, a card and its payments, euro income at a price, vacation
    hours."""
    rng = random.Random(1)
    start = date(2024, 11, 1)
    lines = ['option "operating_currency" "USD"', "2020-01-01 commodity VACHR"]
    for venture in ("Charters", "Hauling"):
        lines += [
            f"2020-01-01 open Income:{venture}:Sales",
            f"2020-01-01 open Income:{venture}:Hours VACHR",
            f"2020-01-01 open Assets:{venture}:Vacation VACHR",
        ]
        lines += [f"2020-01-01 open Expenses:{venture}:{e} USD" for e in EXPENSES]
    lines += [
        "2020-01-01 open Assets:Bank:Checking",
        "2020-01-01 open Liabilities:Charters:Card USD",
    ]
    for day in range(0, 730, 7):
        lines.append(f"{start + timedelta(days=day)} price EUR {1.05 + rng.random() / 10:.4f} USD")
    for i in range(transactions):
        when = start + timedelta(days=i * 730 // transactions)
        venture = ("Charters", "Hauling")[i % 2]
        kind = i % 10
        if kind < 4:
            amount = f"{rng.randint(10000, 500000) / 100:.2f}"
            currency = "EUR" if kind == 3 else "USD"
            lines += [
                f'{when} * "Customer {i % 997}" "job {i}"',
                f"  Assets:Bank:Checking  {amount} {currency}",
                f"  Income:{venture}:Sales",
            ]
        elif kind < 8:
            amount = f"{rng.randint(100, 200000) / 100:.2f}"
            lines += [
                f'{when} * "Vendor {i % 331}" "bill {i}"',
                f"  Expenses:{venture}:{EXPENSES[i % len(EXPENSES)]}  {amount} USD",
                "  Assets:Bank:Checking",
            ]
        elif kind == 8:
            amount = f"{rng.randint(100, 50000) / 100:.2f}"
            lines += [
                f'{when} * "Card" "fuel {i}"',
                f"  Expenses:Charters:Fuel  {amount} USD",
                "  Liabilities:Charters:Card",
            ]
        else:
            lines += [
                f'{when} * "Payroll" "hours {i}"',
                f"  Assets:{venture}:Vacation  8 VACHR",
                f"  Income:{venture}:Hours  -8 VACHR",
            ]
    path.write_text("\n".join(lines) + "\n")


TARGET = 15  # issue 27: percent beyond beancount's own load


def main() -> int:
    transactions = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp)
        (ws / "boardpack.toml").write_text(TOML)
        write_ledger(ws / "books.beancount", transactions)
        size = (ws / "books.beancount").stat().st_size / 2**20
        load, build = side_by_side(
            [[sys.executable, "-c", LOAD, str(ws / "books.beancount")], build_command(ws)]
        )
    extra = build[0] - load[0]
    print(
        f"beancount ledger: {transactions:,} transactions, {size:.0f} MiB; median of 5 rounds,"
        " fresh process each"
    )
    print(f"{'':38}{'wall s':>8}{'peak MiB':>10}")
    print(f"{'beancount loader.load_file alone':38}{load[0]:8.2f}{load[1]:10.0f}")
    print(f"{'boardpack build (5 reports x 4 fmt)':38}{build[0]:8.2f}{build[1]:10.0f}")
    print(
        f"boardpack beyond beancount's own load: {extra:.2f} s = {extra / load[0] * 100:.0f}% extra"
        f" (ratio {build[0] / load[0]:.2f}x; target: at most {TARGET}% extra)"
    )
    if extra / load[0] * 100 > TARGET:
        print("MISSED: boardpack beyond beancount")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
