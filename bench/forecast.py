"""Benchmark: the cash forecast, the bridges and the year-on-year pass (issue 23) on a
1,000,000-row ledger with two years of history, beside the same pack without them.

Each variant builds the whole pack (sources, analyses for the period, the one before and — in the
full pack — the year before, every report's document) in a fresh process; best of 3, wall clock.
Usage: python bench/forecast.py [ROWS]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from ledger_build import bench_workspace, run  # noqa: E402  (a sibling script)

BUILD = """
import sys
from datetime import date
from pathlib import Path
from boardpack import analyses, pipeline
from boardpack.config import load_workspace
if sys.argv[2] == "without":
    added = {"forecast", "forecast_actual", "bridge"}
    analyses.ANALYSES = tuple(a for a in analyses.ANALYSES if a[0] not in added)
if sys.argv[2] in ("without", "no-year-earlier"):
    pipeline.reaches_back = lambda portfolio, period: False  # no year-earlier pass
ws = load_workspace(Path(sys.argv[1]), environ={})
pack = pipeline.build_pack(ws, date(2026, 11, 15))
assert not pack.results.failures, pack.results.failures
"""


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp)
        bench_workspace(ws, rows)
        timed = {}
        for variant in ("without", "no-year-earlier", "with"):
            timed[variant] = min(
                run([sys.executable, "-c", BUILD, str(ws), variant]) for _ in range(3)
            )
    without, partial, full = timed["without"], timed["no-year-earlier"], timed["with"]
    print(f"ledger: {rows:,} rows over 2 years; best of 3 runs each, fresh process each")
    print(f"{'':52}{'wall s':>8}{'peak MiB':>10}")
    for label, (seconds, mib) in (
        ("pack without forecast, bridges, year on year", without),
        ("pack with forecast and bridges, no year-earlier pass", partial),
        ("pack with them all", full),
    ):
        print(f"{label:52}{seconds:8.2f}{mib:10.0f}")
    print(
        f"added: {full[0] - without[0]:.2f} s, {full[0] / without[0]:.2f}x the pack without them"
        f" ({partial[0] - without[0]:.2f} s forecast and bridges,"
        f" {full[0] - partial[0]:.2f} s the year-earlier pass)"
    )


if __name__ == "__main__":
    main()
