"""Benchmark: boardpack's ledger load of a wide export (a payment processor's forty columns, five of
them mapped), beside DuckDB's bare load and aggregate of the same file.

A processor's export (PayPal's, Stripe's) carries dozens of columns the ledger never reads. The
load keeps only the columns the source maps; the bare load types every column. Both run as fresh
processes, median of 5, with peak memory from wait4. Usage: python bench/wide_export.py [ROWS]
"""

from __future__ import annotations

import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from ledger_build import BARE, LOAD, side_by_side  # noqa: E402
from ledger_build import TOML as LEDGER_TOML  # noqa: E402

MAPPED = ["Date", "Name", "Gross", "Fee", "Type"]
OTHER = [f"Field {n}" for n in range(35)]  # what a processor adds: ids, addresses, item titles…
# the ledger bench's organization and source, with this export's columns
TOML = LEDGER_TOML.split("[sources.ledger.columns]")[0] + """\
fee_account = "Expenses:Processing"
[sources.ledger.columns]
date = "Date"
amount = "Gross"
fee = "Fee"
counterparty = "Name"
account = "Type"
"""


def write_export(path: Path, rows: int) -> None:
    rng = random.Random(1)
    with path.open("w") as out:
        out.write(",".join(MAPPED + OTHER) + "\n")
        for i in range(rows):
            gross = rng.randint(100, 500000) / 100
            fee = round(gross * 0.029 + 0.30, 2)
            mapped = [f"2026-{i % 12 + 1:02d}-{i % 28 + 1:02d}", f"Buyer {i % 997}"]
            mapped += [f"{gross:.2f}", f"{fee:.2f}", "Income:Sales"]
            out.write(",".join(mapped + [f"value {i} {n}" for n in range(len(OTHER))]) + "\n")


def main() -> int:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 300_000
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp)
        (ws / "boardpack.toml").write_text(TOML)
        write_export(ws / "ledger.csv", rows)
        size = (ws / "ledger.csv").stat().st_size / 2**20
        same = BARE.replace("Account", "Type").replace("Amount", "Gross")  # the same aggregate
        bare, load = side_by_side(
            [
                [sys.executable, "-c", same, str(ws / "ledger.csv")],
                [sys.executable, "-c", LOAD, str(ws)],
            ]
        )
    columns = len(MAPPED) + len(OTHER)
    print(f"export: {rows:,} rows x {columns} columns ({len(MAPPED)} mapped), {size:.0f} MiB CSV")
    print("median of 5 rounds, fresh process each")
    print(f"{'':34}{'wall s':>8}{'peak MiB':>10}")
    print(f"{'DuckDB bare load + aggregate':34}{bare[0]:8.2f}{bare[1]:10.0f}")
    print(f"{'boardpack ledger load + aggregate':34}{load[0]:8.2f}{load[1]:10.0f}")
    print(f"ratio load / bare: {load[0] / bare[0]:.2f}x time, {load[1] / bare[1]:.2f}x memory")
    return 0


if __name__ == "__main__":
    sys.exit(main())
