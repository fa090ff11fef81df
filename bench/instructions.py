"""Benchmark: instructions, not seconds — `boardpack check` and `build` of the demo beside the
interpreter's start and the pipeline's imports, each counted by valgrind's callgrind.

On a shared two-core host the seconds of the same command swing by a fifth within the hour, more
than most changes to the pipeline move them; callgrind counts the same instructions for the same
work whatever else the host is doing (DuckDB's threads included: valgrind runs them in turn). Use
it to tell whether a change made a pack cheaper; use the timed benchmarks for how long it takes.
Each command runs once (about four minutes for `check`; the four run two at a time).

Usage: python bench/instructions.py [OLD/src]  — with a second tree's src, each figure for both.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from ledger_build import INSTALLED  # noqa: E402

AS_OF = "2026-11-22"
COLLECTED = re.compile(r"Collected : (\d+)")


def installed(src: str | None) -> dict[str, str]:
    """The environment of an installed boardpack (run from its bytecode), or of the tree `src`."""
    return INSTALLED | {"PYTHONPATH": src} if src else INSTALLED


def instructions(argv: list[str], src: str | None) -> int:
    """The instructions one run of `argv` executes, from callgrind's own total."""
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv],
        env=installed(src),
        capture_output=True,
        text=True,
    )
    if done.returncode not in (0, 2) or not (found := COLLECTED.search(done.stderr)):
        sys.exit(f"{argv[:4]} failed under valgrind: {done.stderr[-500:]}")
    return int(found[1])


def main() -> int:
    if not shutil.which("valgrind"):
        sys.exit("valgrind is not installed (apt-get install valgrind)")
    trees = [None, *sys.argv[1:2]]
    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp, "demo")
        boardpack = [sys.executable, "-m", "boardpack"]
        subprocess.run([*boardpack, "init", str(demo), "--demo", "--as-of", AS_OF], check=True)
        options = ["-w", str(demo), "--as-of", AS_OF]
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "import boardpack.pipeline": [sys.executable, "-c", "import boardpack.pipeline"],
            "boardpack check (demo)": [*boardpack, "check", *options],
            "boardpack build (demo)": [*boardpack, "build", *options, "--out"],
        }
        check = commands["boardpack check (demo)"]
        for src in trees:  # the bytecode first, as installing writes it
            subprocess.run(check, capture_output=True, env=installed(src))
        runs = [(name, src) for name in commands for src in trees]

        def count(run: tuple[str, str | None]) -> int:
            name, src = run
            out = [f"{tmp}/out-{trees.index(src)}"] if name.startswith("boardpack build") else []
            return instructions(commands[name] + out, src)

        with ThreadPoolExecutor(2) as pool:  # each a process of its own: two at a time
            counted = dict(zip(runs, pool.map(count, runs)))
    print("instructions of one run, counted by callgrind (millions)")
    print(f"  {'':28}" + "".join(f"{src or 'this tree':>16}" for src in trees))
    for name in commands:
        print(f"  {name:28}" + "".join(f"{counted[name, src] / 1e6:16,.0f}" for src in trees))
    for src in trees:
        own = counted["boardpack check (demo)", src] - counted["import boardpack.pipeline", src]
        start = counted["python -c pass", src]
        print(
            f"  check beyond the imports ({src or 'this tree'}): {own / 1e6:,.0f} M;"
            f" check {counted['boardpack check (demo)', src] / start:.0f}x the interpreter's start"
        )
    if len(trees) == 2:
        for name in commands:
            ratio = counted[name, None] / counted[name, trees[1]]
            print(f"  {name:28} this tree / {trees[1]}: {ratio:.3f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
