"""Class 5: a pack is all or nothing. A source that is configured and cannot be read, or an analysis
that fails, stops a send before anything is planned (exit 2, nothing sent, no delivery recorded, the
run recorded and alerted); `optional = true` lets the pack go without that source; `check` refuses
what `send` would.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pytest

from boardpack import analyses
from tests.hostile.corpus import AS_OF, Case, append, problems_of, replace, run_case

REPOS = replace(
    'domains = ["smallco.example.com"]',
    'domains = ["smallco.example.com"]\nrepos = ["no-such-repo"]',
)
UNDATED_NOTE = {"notes/co.md": "---\nentity: co\ntitle: Co\n---\n# Co\n"}
NO_AWS = {
    "AWS_ACCESS_KEY_ID": "AKIAFAKEFAKEFAKEFAKE",
    "AWS_SECRET_ACCESS_KEY": "fake",
    "AWS_REGION": "us-east-1",
    "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_MAX_ATTEMPTS": "1",
}
AWS = append('[sources.aws]\nregions = ["us-east-1"]\n')


def refused(id: str, *says: str, toml=None, files=None, argv=("send", *AS_OF), env=None) -> Case:
    return Case(id, "whole pack", argv, toml, files or {}, None, 2, says, env=env or {})


def goes(id: str, toml=None, files=None, env=None) -> Case:
    return Case(
        id,
        "whole pack",
        ("send", *AS_OF),
        toml,
        files or {},
        None,
        0,
        ("sent",),
        sends=True,
        env=env or {},
    )


CASES = [
    refused(
        "no repository can be read",
        "nothing was sent for 2026-10",
        "the git source could not be read",
        "optional = true",
        "alert:",
        toml=REPOS,
    ),
    refused(
        "no repository can be read, checked",
        "send would refuse: the git source could not be read",
        toml=REPOS,
        argv=("check", *AS_OF),
    ),
    refused(
        "no repository can be read, dry run",
        "the git source could not be read",
        toml=REPOS,
        argv=("send", "--dry-run", *AS_OF),
    ),
    goes(
        "no repository can be read, optional",
        toml=lambda t: append("[sources.git]\noptional = true\n")(REPOS(t)),
    ),
    refused(
        "no note has a date", "the notes source could not be read", "updated:", files=UNDATED_NOTE
    ),
    refused(
        "no note has a date, checked",
        "send would refuse: the notes source",
        files=UNDATED_NOTE,
        argv=("check", *AS_OF),
    ),
    goes(
        "no note has a date, optional",
        toml=replace('paths = ["notes/*.md"]', 'paths = ["notes/*.md"]\noptional = true'),
        files=UNDATED_NOTE,
    ),
    refused(
        "the AWS account cannot be reached",
        "the aws source could not be read",
        toml=AWS,
        env=NO_AWS,
    ),
    goes(
        "the AWS account cannot be reached, optional",
        toml=append('[sources.aws]\nregions = ["us-east-1"]\noptional = true\n'),
        env=NO_AWS,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_a_pack_goes_whole_or_not_at_all(case, tmp_path):
    outcome = run_case(case, tmp_path)
    assert problems_of(case, outcome, tmp_path / "ws") == []
    if case.code == 2:
        assert deliveries(tmp_path / "ws") == 0, "the period's delivery keys were touched"


def test_a_failed_analysis_stops_the_send_and_check_says_so_first(tmp_path, monkeypatch):
    def broken(portfolio, results):
        raise ArithmeticError("a figure could not be worked out")

    monkeypatch.setattr(
        analyses, "ANALYSES", (*analyses.ANALYSES[:1], ("capital", broken), *analyses.ANALYSES[2:])
    )
    checked = refused(
        "a failed analysis, checked",
        "send would refuse: the capital analysis failed",
        argv=("check", *AS_OF),
    )
    assert problems_of(checked, run_case(checked, tmp_path / "a"), tmp_path / "a" / "ws") == []
    sent = refused(
        "a failed analysis", "nothing was sent", "the capital analysis failed: ArithmeticError"
    )
    assert problems_of(sent, run_case(sent, tmp_path / "b"), tmp_path / "b" / "ws") == []
    assert deliveries(tmp_path / "b" / "ws") == 0
    assert "could not build the pack" in run_status(tmp_path / "b" / "ws")


def deliveries(ws: Path) -> int:
    path = ws / ".boardpack" / "audit.sqlite"
    if not path.is_file():
        return 0
    with contextlib.closing(sqlite3.connect(path)) as db:
        return db.execute("SELECT count(*) FROM deliveries").fetchone()[0]


def run_status(ws: Path) -> str:
    with contextlib.closing(sqlite3.connect(ws / ".boardpack" / "audit.sqlite")) as db:
        return " ".join(
            f"{status} {summary}"
            for status, summary in db.execute("SELECT status, summary FROM runs")
        )
