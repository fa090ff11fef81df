"""Benchmark: the hostile corpus (tests/hostile/), run whole, the template cases' peak memory, and
every regular expression on its pathological lines.

Each case builds its small workspace in a temporary folder and runs the real command line in this
process, as the tests do; the bench counts the cases that behaved as a user relies on (clean) and
those that did not (problems, each printed), and prints the slowest case. Then each template case
runs again alone in a fresh process, whose peak resident memory (the kernel's VmHWM) is printed
beside that of a template that builds nothing: the target is under 512 MB each. Then each
pattern of tests/hostile/test_regex.py meets its 272 lines of 100,000 characters, and the slowest
line's time is printed beside one linear pass over a line that long ([^!]*!), as a ratio: a pattern
that backtracks would show thousands of passes. Usage: python bench/hostile.py
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.hostile import (  # noqa: E402
    test_addresses,
    test_code,
    test_git_config,
    test_inputs,
    test_metadata,
    test_notifications,
    test_parsers,
    test_reach,
    test_refusals,
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
            test_git_config,
            test_reach,
            test_refusals,
            test_parsers,
        )
        for c in module.CASES
    ]
    return cases + [c for c, _, _ in test_notifications.CASES]


def timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


MEMORY_TARGET = 512  # MiB a template case's process may reach
ALONE = """
import pathlib, sys, tempfile
sys.path.insert(0, {root!r})
from tests.hostile.corpus import run_case
from tests.hostile.test_templates import CASES, case
chosen = CASES[{index}] if {index} >= 0 else case("builds nothing", "{{{{ doc.title }}}}")
run_case(chosen, pathlib.Path(tempfile.mkdtemp()))
# the peak of this process's own image: VmHWM (getrusage's maxrss would count the parent it forked
# from, before exec)
print(next(line for line in open("/proc/self/status") if line.startswith("VmHWM")).split()[1])
"""


def peak_mib(index: int) -> float:
    """The peak resident memory of a fresh process that runs one template case (-1: a template
    that builds nothing), in MiB."""
    code = ALONE.format(root=str(ROOT), index=index)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(done.stdout.split()[-1]) / 1024  # the kernel reports KiB


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
    baseline = peak_mib(-1)
    peaks = sorted(
        ((peak_mib(n), c.id) for n, c in enumerate(test_templates.CASES)), reverse=True
    )
    over = [(mib, id) for mib, id in peaks if mib > MEMORY_TARGET]
    print(
        f"\ntemplate cases, peak memory of each in its own process: highest {peaks[0][0]:.0f} MiB"
        f" ({peaks[0][1]}), median {peaks[len(peaks) // 2][0]:.0f} MiB; a template that builds"
        f" nothing: {baseline:.0f} MiB; target under {MEMORY_TARGET} MiB: {len(over)} over"
    )
    for mib, id in peaks[:5]:
        print(f"  {mib:6.0f} MiB  {id}")
    problems += [f"templates / {id}: peak memory {mib:.0f} MiB" for mib, id in over]
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
