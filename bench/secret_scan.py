"""Benchmark: secret-scan a generated 5,000-file repository, beside detect-secrets' own command-line
scan.

Both scan the same tracked files at HEAD with the same plugins and filters, and must find the same
places (the bench stops if not); detect-secrets' `scan` reads the working tree and spreads files
over every core, boardpack reads blobs from git, scans them over a pool of one process per core and
also gathers the stack facts and blames each finding. Each runs as a fresh process, median of 5.
Target (issue 27): boardpack at most half detect-secrets' time; exits 1 when missed.
Usage: python bench/secret_scan.py [FILES]
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from ledger_build import side_by_side  # noqa: E402

TARGET = 0.5  # boardpack's time over detect-secrets' time

OURS = """
import json, sys
from datetime import UTC, datetime
from pathlib import Path
from boardpack.config import GitSource
from boardpack.sources.git import read_repository
from boardpack.sources.secrets import Baseline, SecretScanner
scanner = SecretScanner(b"k" * 32)
with scanner.session():
    repo = read_repository(Path(sys.argv[1]), "e", sys.argv[1], datetime.now(UTC), GitSource(),
                           scanner, Baseline())
print(json.dumps(sorted({(s.path, s.line) for s in repo.secrets})))
"""
KINDS = (".py", ".js", ".yaml", ".md", ".json", ".cfg")
PLANTS = ('AWS_KEY = "AKIA{}"', 'token = "ghp_{}"', 'SLACK = "xoxb-1234567890-1234567890123-{}"')


def write_repo(root: Path, files: int) -> None:
    rng = random.Random(5)
    words = "account booking charter invoice ledger report season vessel crew fuel harbor".split()
    for n in range(files):
        folder = root / f"pkg{n % 50}"
        folder.mkdir(parents=True, exist_ok=True)
        lines = []
        for i in range(40):
            a, b = rng.choice(words), rng.choice(words)
            lines.append(f"{a}_{i} = compute('{b}', {rng.randint(0, 999)})  # {a} {b}")
        if n % 100 == 7:  # 1% of files carry a planted secret
            filler = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(36))
            lines.insert(
                20,
                PLANTS[n % 3].format(
                    filler[:16] if n % 3 == 0 else filler if n % 3 == 1 else filler[:24]
                ),
            )
        (folder / f"module{n}{KINDS[n % len(KINDS)]}").write_text("\n".join(lines) + "\n")
    env = {
        "GIT_AUTHOR_NAME": "b",
        "GIT_AUTHOR_EMAIL": "b@example.com",
        "GIT_COMMITTER_NAME": "b",
        "GIT_COMMITTER_EMAIL": "b@example.com",
        "HOME": str(root),
        "PATH": "/usr/bin:/bin:/usr/local/bin",
    }
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "bench"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True)


def main() -> int:
    files = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    cli = shutil.which("detect-secrets", path=str(Path(sys.executable).parent)) or "detect-secrets"
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "repo"
        write_repo(repo, files)
        # locations, not detector hits: detect-secrets lists a token twice when two detectors match
        # it
        theirs_found = sorted(
            {
                (s["filename"], s["line_number"])
                for items in json.loads(
                    subprocess.run(
                        [cli, "scan", "--no-verify"], cwd=repo, capture_output=True, check=True
                    ).stdout
                )["results"].values()
                for s in items
            }
        )
        ours_found = sorted(
            tuple(place)
            for place in json.loads(
                subprocess.run(
                    [sys.executable, "-c", OURS, str(repo)],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
            )
        )
        if ours_found != theirs_found:
            sys.exit(f"different findings: {set(ours_found) ^ set(theirs_found)}")
        # `detect-secrets scan` takes the folder from its working directory: run it there
        theirs, ours = side_by_side(
            [
                ["sh", "-c", f'cd "{repo}" && exec "{cli}" scan --no-verify'],
                [sys.executable, "-c", OURS, str(repo)],
            ]
        )
    print(
        f"repository: {files:,} tracked files, 1% with a planted secret; median of 5 rounds, fresh"
        " process each"
    )
    print(f"{'':44}{'wall s':>8}{'files/s':>9}{'peak MiB':>10}{'places':>7}")
    print(
        f"{'detect-secrets scan (command line, all cores)':44}{theirs[0]:8.2f}"
        f"{files / theirs[0]:9.0f}{theirs[1]:10.0f}{len(theirs_found):>7}"
    )
    print(
        f"{'boardpack git source (a pool, + facts)':44}{ours[0]:8.2f}{files / ours[0]:9.0f}"
        f"{ours[1]:10.0f}{len(ours_found):>7}"
    )
    ratio = ours[0] / theirs[0]
    print(f"ratio boardpack / detect-secrets: {ratio:.2f}x time (target: at most {TARGET}x)")
    if ratio > TARGET:
        print("MISSED: boardpack / detect-secrets")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
