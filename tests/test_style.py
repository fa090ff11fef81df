"""The code reads as agreed: ruff clean, 100 columns, no assigned lambdas (pyproject.toml)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_is_clean():
    command = [sys.executable, "-m", "ruff", "check", "src", "tests", "bench"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:]
