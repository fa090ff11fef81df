"""The demo's software venture's code: a small git repository with CI, tests, a lock file, a staging
stage and one planted fake credential (AWS's own documented example key), so the CTO report shows a
real stack audit, a real secret finding (by fingerprint only) and a real maturity score."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

FILES = {
    "README.md": "# Northpoint client API\n\nThe API behind the Northpoint client portal.\n",
    ".python-version": "3.12\n",
    "requirements.txt": "boto3>=1.35\n",
    # every dependency pinned; jinja2 3.1.2 is inside a published advisory's range (the demo's
    # OSV snapshot holds it), requests 2.32.3 is past its fix
    "poetry.lock": (
        '[[package]]\nname = "jinja2"\nversion = "3.1.2"\n\n'
        '[[package]]\nname = "requests"\nversion = "2.32.3"\n\n'
        '[[package]]\nname = "boto3"\nversion = "1.35.36"\n'
    ),
    "serverless.yml": (
        "service: northpoint-api\nprovider:\n  name: aws\n  runtime: python3.12\n"
        "  stage: ${opt:stage, 'staging'}\nfunctions:\n  clients:\n"
        "    handler: api/handler.clients\n"
    ),
    ".github/workflows/ci.yml": (
        "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n      - run: pip install -r requirements.txt pytest\n"
        "      - run: pytest\n"
    ),
    "api/__init__.py": "",
    "api/handler.py": (
        "import json\n\n\ndef clients(event, context):\n"
        '    return {"statusCode": 200, "body": json.dumps([])}\n'
    ),
    "tests/test_handler.py": (
        "from api.handler import clients\n\n\ndef test_clients_answers():\n"
        '    assert clients({}, None)["statusCode"] == 200\n'
    ),
}
# committed by mistake in a later change: AWS's documented example key, never a real one
PLANTED = {"api/settings.py": 'AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"\nREGION = "us-west-2"\n'}
CHANGELOG = {"CHANGELOG.md": "# Changes\n\n- 1.1: the client list is paginated\n"}
HOTFIX = {"CHANGELOG.md": "# Changes\n\n- 1.2.1: the region fixed\n- 1.1: paginated\n"}


def write_repository(path: Path, as_of: date) -> bool:
    """The repository at `path`, its commits dated before `as_of`; False (and nothing written) when
    git is not on this machine."""
    git = shutil.which("git")
    if git is None:
        return False
    path.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,  # the user's own git settings play no part
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Priya Natarajan",
        "GIT_AUTHOR_EMAIL": "priya@northpoint.example.com",
        "GIT_COMMITTER_NAME": "Priya Natarajan",
        "GIT_COMMITTER_EMAIL": "priya@northpoint.example.com",
    }

    def run(*args: str, when: date | None = None) -> None:
        # in UTC: the same commits, and hashes, on a machine in any time zone
        stamp = datetime.combine(when, time(10), tzinfo=UTC).isoformat() if when else ""
        subprocess.run(
            [git, "-C", str(path), *args],
            check=True,
            capture_output=True,
            env=env | ({"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp} if when else {}),
        )

    run("init", "-q", "-b", "main")
    # three releases, the last repaired by a hotfix: the CTO report's delivery figures
    for changes, message, days, release in (
        (FILES, "The client API, its tests and CI", 40, ("v1.0", 38)),
        (CHANGELOG, "Paginate the client list", 26, ("v1.1", 21)),
        (PLANTED, "Settings for the us-west-2 deployment", 12, ("v1.2", 11)),
        (HOTFIX, "Fix the region in the settings", 10, ("v1.2.1-hotfix", 10)),
    ):
        for name, text in changes.items():
            (path / name).parent.mkdir(parents=True, exist_ok=True)
            (path / name).write_text(text, encoding="utf-8")
        run("add", "-A")
        run("commit", "-q", "-m", message, when=as_of - timedelta(days=days))
        tag, on = release
        run("tag", "-a", tag, "-m", f"release {tag}", when=as_of - timedelta(days=on))
    return True
