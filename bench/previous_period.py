"""Benchmark: what the change since the previous period costs a pack. build_pack runs the analyses
twice on one loaded portfolio (the period, then the one before); beside it, what re-reading the
sources for the previous period would cost instead (the obvious way: a second build). On the demo
workspace, best of N.

Usage: python bench/previous_period.py [REPEATS]
"""

from __future__ import annotations

import sys
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

from boardpack.analyses import analyse
from boardpack.config import load_workspace
from boardpack.demo import generate
from boardpack.period import period_before
from boardpack.sources import load_portfolio

AS_OF = date(2026, 11, 22)


def best(repeats: int, work) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main(repeats: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "demo"
        generate(root, AS_OF)
        ws = load_workspace(root, environ={})
        period = period_before(AS_OF, ws.settings.organization.period)
        portfolio = load_portfolio(ws, period, AS_OF)
        load = best(repeats, lambda: load_portfolio(ws, period, AS_OF))
        this = best(repeats, lambda: analyse(portfolio))
        again = best(
            repeats,
            lambda: analyse(replace(portfolio, period=period.previous(), as_of=period.start)),
        )
        reread = best(repeats, lambda: analyse(load_portfolio(ws, period.previous(), period.start)))
    print(f"demo workspace, best of {repeats}")
    print(f"  load the sources                     {load * 1000:7.0f} ms")
    print(f"  analyse the period                   {this * 1000:7.0f} ms")
    print(f"  previous period, same portfolio      {again * 1000:7.0f} ms   (what build_pack adds)")
    print(f"  previous period, sources read again  {reread * 1000:7.0f} ms   (the obvious way)")
    print(f"  ratio obvious / ours                 {reread / again:7.1f}×")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
