"""Benchmark: the hostile corpus (tests/hostile/), run whole, and every regular expression on its
pathological lines.

Each case builds its small workspace in a temporary folder and runs the real command line in this
process, as the tests do; the bench counts the cases that behaved as a user relies on (clean) and
those that did not (problems, each printed), and prints the slowest case. Then each pattern of
tests/hostile/test_regex.py meets its 272 lines of 100,000 characters, and the slowest line's time
is printed beside one linear pass over a line that long ([^!]*!), as a ratio: a pattern that
backtracks would show thousands of passes. Usage: python bench/hostile.py
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.hostile import (  # noqa: E402
    test_addresses,
    test_code,
    test_inputs,
    test_metadata,
    test_notifications,
    test_regex,
    test_templates,
    test_terminal,
    test_whole_pack,
)
from tests.hostile.corpus import problems_of, run_case  # noqa: E402


def corpus() -> list:
    cases = [
        c
        for module in (
            test_templates,
            test_code,
            test_addresses,
            test_inputs,
            test_whole_pack,
            test_terminal,
            test_metadata,
        )
        for c in module.CASES
    ]
    return cases + [c for c, _, _ in test_notifications.CASES]


def timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main() -> int:
    cases, problems, slowest = corpus(), [], (0.0, "")
    started = time.perf_counter()
    for case in cases:
        with tempfile.TemporaryDirectory() as folder:
            outcome = run_case(case, Path(folder))
            found = problems_of(case, outcome, Path(folder) / "ws")
        if case in test_metadata.CASES or case in test_terminal.CASES:
            found = [p for p in found if "planted secret" not in p or case in test_metadata.CASES]
        problems += [f"{case.group} / {case.id}: {p}" for p in found]
        slowest = max(slowest, (outcome.seconds, case.id))
    total = time.perf_counter() - started
    groups = sorted({c.group for c in cases})
    print(
        f"cases: {len(cases)} in {len(groups)} classes ({', '.join(groups)}), run in {total:.1f} s"
    )
    print(f"clean: {len(cases) - len({p.split(':')[0] for p in problems})}")
    print(f"problems: {len(problems)}")
    for line in problems:
        print(f"  {line}")
    print(f"slowest case: {slowest[1]} ({slowest[0]:.2f} s)")
    print(
        "\nregular expressions: the slowest of the 272 pathological 100,000-character lines, beside"
        " one linear pass of the same engine over a line that long ([^!]*! on a...a!); a"
        " backtracking pattern would show thousands of passes:"
    )
    line = "a" * (test_regex.LENGTH - 1) + "!"
    one_pass = min(
        timed(lambda: re.match("[^!]*!", line)) for _ in range(20)
    )  # the engine, each character once
    for name, method in sorted(test_regex.PATTERNS.items()):
        worst = test_regex.worst_seconds(name, method)
        print(
            f"  {name:<44} {worst * 1000:8.2f} ms   one pass {one_pass * 1000:.3f} ms  "
            f" {worst / one_pass:6.1f} passes"
        )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
