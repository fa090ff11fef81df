"""Benchmark: the Lambda bundle's size and cold start. The demo (its PDF archive off) is packaged
by `boardpack deploy aws --package` for python3.12 (the default runtime: its size is the target)
and for this machine's Python, whose bundle is unzipped; then the handler is imported and the first
pack built inside it with `python -I -S` (nothing but the bundle and the standard library), beside
`python -I -S -c pass`.

Targets (issue 27): at most 120 MB unzipped; import and first pack at most 2.5 s. Each figure is the
median of five fresh processes. Exits 1 when a target is missed. Usage: python bench/cold_start.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from ledger_build import median_run  # noqa: E402


def median_time(*command: str) -> float:
    return median_run(list(command), RUNS)[0]


BUNDLE_MB, COLD_START_S, RUNS = 120, 2.5, 5
RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"
FIRST_PACK = """
import sys
from datetime import date
from pathlib import Path
sys.path[:0] = [sys.argv[1]]
import boardpack.aws.handlers
from boardpack.config import load_workspace
from boardpack.pipeline import build_pack
pack = build_pack(load_workspace(Path(sys.argv[1]) / "workspace"), date(2026, 11, 22))
assert len(pack.documents) > 5
"""


def boardpack(*args: str) -> None:
    command = [sys.executable, "-m", "boardpack", *args]
    subprocess.run(command, check=True, capture_output=True, text=True)


def package(demo: Path, out: Path, runtime: str) -> zipfile.ZipFile:
    boardpack(
        "deploy", "aws", "-w", str(demo), "--template-out", str(out / "t.json"),
        "--package", str(out), "--runtime", runtime,
    )  # fmt: skip
    return zipfile.ZipFile(out / "boardpack-lambda.zip")


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        demo, task = Path(tmp, "demo"), Path(tmp, "task")
        boardpack("init", str(demo), "--demo", "--as-of", "2026-11-22")
        toml = demo / "boardpack.toml"
        toml.write_text(toml.read_text().replace("\npdf = true", "\npdf = false"))
        sizes = {}
        for runtime in dict.fromkeys(("python3.12", RUNTIME)):
            with package(demo, Path(tmp, runtime), runtime) as bundle:
                sizes[runtime] = sum(e.file_size for e in bundle.infolist()) / 2**20
                if runtime == RUNTIME:
                    bundle.extractall(task)
        bare = median_time(sys.executable, "-I", "-S", "-c", "pass")
        cold = median_time(sys.executable, "-I", "-S", "-c", FIRST_PACK, str(task))
    mb = sizes["python3.12"]
    print(f"Lambda bundle of the demo; cold start on {RUNTIME}, median of {RUNS} fresh processes")
    for runtime, size in sizes.items():
        target = f"(target <= {BUNDLE_MB})" if runtime == "python3.12" else ""
        print(f"  bundle unzipped, {runtime:<12}      {size:8.1f} MB   {target}".rstrip())
    print(f"  python -I -S -c pass               {bare:8.3f} s")
    print(f"  import handler + first demo pack   {cold:8.3f} s   (target <= {COLD_START_S})")
    print(f"  ratio cold start / bare start      {cold / bare:8.1f}x")
    missed = [
        what
        for what, bad in (("bundle size", mb > BUNDLE_MB), ("cold start", cold > COLD_START_S))
        if bad
    ]
    if missed:
        print("MISSED: " + ", ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
