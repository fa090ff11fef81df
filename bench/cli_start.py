"""Benchmark: how soon the command line answers — `boardpack --help` beside `python -c pass`, and
`boardpack check` of the demo beside `boardpack build` of it: the four take turns, and each figure
is the median of five rounds of fresh processes.

Targets (issue 27): `--help` at most 0.15 s; `check` of the demo at most 0.6 s. Exits 1 when one is
missed. Usage: python bench/cli_start.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from ledger_build import side_by_side  # noqa: E402

HELP_S, CHECK_S, RUNS = 0.15, 0.6, 5
AS_OF = "2026-11-22"


def main() -> int:
    boardpack = (str(Path(sys.executable).with_name("boardpack")),)  # the installed command
    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp, "demo")
        subprocess.run((*boardpack, "init", str(demo), "--demo", "--as-of", AS_OF), check=True)
        commands = [
            [sys.executable, "-c", "pass"],
            [*boardpack, "--help"],
            [*boardpack, "check", "-w", str(demo), "--as-of", AS_OF],
            [*boardpack, "build", "-w", str(demo), "--as-of", AS_OF],
        ]
        bare, shown, check, build = (wall for wall, _ in side_by_side(commands, RUNS))
    print(f"the command line, median of {RUNS} rounds of fresh processes")
    print(f"  python -c pass                {bare:7.3f} s")
    print(f"  boardpack --help              {shown:7.3f} s   (target <= {HELP_S})")
    print(f"  boardpack check (demo)        {check:7.3f} s   (target <= {CHECK_S})")
    print(f"  boardpack build (demo)        {build:7.3f} s")
    print(f"  ratio --help / python start   {shown / bare:7.1f}x")
    print(f"  ratio check / build           {check / build:7.2f}x")
    missed = [w for w, bad in (("--help", shown > HELP_S), ("check", check > CHECK_S)) if bad]
    if missed:
        print("MISSED: " + ", ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
