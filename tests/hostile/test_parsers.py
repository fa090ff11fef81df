"""Classes 7 and 10 of the second trial: parsers with linear limits, and one bad record left out.

A web page the standard library's HTML parser takes quadratic time on, a YAML lock file whose
aliases expand without end, JSON nested thousands deep in a lock file, an advisory or a JSON-LD
block: each is read in one pass or named and left out, and the rest of its source is read — the
pack builds, quickly. An advisory dated a wrong year does not make the snapshot current.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from boardpack.config import load_workspace
from boardpack.pipeline import build_pack
from tests.conftest import GENERATED_AT
from tests.hostile.corpus import AS_OF, Case, append, problems_of, replace, run_case
from tests.sources.test_git import make_repo

BUILD = ("build", *AS_OF, "--out", "{ws}/reports")
REPO = replace(
    'domains = ["smallco.example.com"]',
    'domains = ["smallco.example.com"]\nrepos = ["repos/app"]\nsites = ["site"]',
)
PAGE = """<!doctype html><html lang="en"><head><title>Small Co</title>
<meta name="description" content="Repairs."></head><body>
<img src="van.jpg">
{body}
</body></html>
"""
DEEP = "[" * 100_000 + "]" * 100_000
LAUGHS = (
    'lockfileVersion: "6.0"\n'
    + "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    + "".join(
        f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n"
        for a, b in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + "packages: *i\n"
)


def nested_lock(depth: int) -> str:
    """package-lock.json v1, each dependency inside the one before, `depth` deep (written as text:
    json.dumps itself stops at a thousand)."""
    opened = "".join(f'{{"version": "1.0.0", "dependencies": {{"p{n}": ' for n in range(depth))
    inner = opened + '{"version": "1.0.0"}' + "}}" * depth
    return f'{{"lockfileVersion": 1, "dependencies": {{"top": {inner}}}}}'


def site_and_repo(pages: dict[str, str], repo: dict[str, str]):
    def make(ws) -> None:
        for name, text in pages.items():
            (ws / "site" / name).parent.mkdir(parents=True, exist_ok=True)
            (ws / "site" / name).write_text(text)
        make_repo(
            ws / "repos" / "app",
            {"README.md": "app\n", "requirements.txt": "django==4.0\n", **repo},
        )

    return make


def builds(id: str, pages=None, repo=None, says=(), toml=REPO, files=None) -> Case:
    return Case(
        id,
        "parsers",
        BUILD,
        toml,
        files or {},
        site_and_repo(pages or {"index.html": PAGE.format(body="<p>ok</p>")}, repo or {}),
        0,
        says,
    )


CASES = [
    builds(
        "a page of text broken by a hundred thousand <",
        {"index.html": PAGE.format(body=("aaaaaaaaaa<" * 100_000))},
    ),
    builds("a page of unclosed comments", {"index.html": PAGE.format(body="<!--" * 200_000)}),
    builds("a page of unclosed tags", {"index.html": PAGE.format(body="<a" * 300_000)}),
    builds(
        "a JSON-LD block nested thousands deep",
        {"index.html": PAGE.format(body=f'<script type="application/ld+json">{DEEP}</script>')},
    ),
    builds("a pnpm lock file of a billion laughs", repo={"pnpm-lock.yaml": LAUGHS}),
    builds("a pnpm lock file nested thousands deep", repo={"pnpm-lock.yaml": "[" * 50_000}),
    builds("a package lock nested thousands deep", repo={"package-lock.json": nested_lock(5_000)}),
    builds(
        "an advisory nested thousands deep",
        toml=lambda t: append('[sources.osv]\npath = "osv"\n')(REPO(t)),
        files={
            "osv/deep.json": DEEP,
            "osv/PYSEC-1.json": json.dumps(
                {"id": "PYSEC-1", "modified": "2026-10-01T00:00:00Z", "affected": []}
            ),
        },
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_a_hostile_input_is_read_in_one_pass_or_left_out(case, tmp_path):
    outcome = run_case(case, tmp_path)
    assert problems_of(case, outcome, tmp_path / "ws") == []
    assert outcome.seconds < 60, f"{outcome.seconds:.1f} s"
    assert "could not be read" not in outcome.output  # every source was read, less what was bad
    cto = (tmp_path / "ws" / "reports" / "2026-10" / "cto.txt").read_text()
    assert "site/index.html" in cto  # the site was audited: its image without alt text is found


def test_what_was_left_out_is_named(tmp_path):
    """The bad record is named in its source's problems; the good ones are read."""
    for case in CASES:
        run_case(case, tmp_path / case.id.replace(" ", "-"))
    expected = {
        "a JSON-LD block nested thousands deep": ("sites", "site/index.html", "nested thousands"),
        "an advisory nested thousands deep": ("osv", "osv/deep.json", "nested thousands deep"),
    }
    for id, (source, where, words) in expected.items():
        ws = tmp_path / id.replace(" ", "-") / "ws"
        pack = build_pack(
            load_workspace(ws, environ={}), date(2026, 11, 15), generated_at=GENERATED_AT
        )
        problems = [str(p) for p in pack.portfolio.sources[source].problems]
        assert any(where in p and words in p for p in problems), problems
    for id, lock in (
        ("a pnpm lock file of a billion laughs", "pnpm-lock.yaml"),
        ("a package lock nested thousands deep", "package-lock.json"),
    ):
        ws = tmp_path / id.replace(" ", "-") / "ws"
        pack = build_pack(
            load_workspace(ws, environ={}), date(2026, 11, 15), generated_at=GENERATED_AT
        )
        (repo,) = pack.portfolio.repositories
        assert any(p.startswith(lock) for p in repo.lock_problems), repo.lock_problems
        assert any(pin.name == "django" for _, pin in repo.packages)  # the rest was read


def test_an_advisory_dated_a_wrong_year_does_not_make_the_snapshot_current(tmp_path):
    case = builds(
        "an advisory from the year 2999",
        toml=lambda t: append('[sources.osv]\npath = "osv"\n')(REPO(t)),
        files={
            f"osv/{rid}.json": json.dumps({"id": rid, "modified": modified, "affected": []})
            for rid, modified in (("A-1", "2026-09-01T00:00:00Z"), ("A-2", "2999-01-01T00:00:00Z"))
        },
    )
    run_case(case, tmp_path)
    pack = build_pack(
        load_workspace(tmp_path / "ws", environ={}), date(2026, 11, 15), generated_at=GENERATED_AT
    )
    osv = pack.portfolio.sources["osv"]
    assert osv.freshness == date(2026, 9, 1)
    assert any("A-2.json" in str(p) and "a wrong date" in str(p) for p in osv.problems)


def test_a_yaml_file_with_aliases_is_still_scanned_for_secrets_as_lines(tmp_path):
    """detect-secrets' YAML parser would expand the aliases; the file is read as lines instead,
    and a key in it is still found."""
    key = "AKIAZ4MHJ7Q2XK5P4W8N"
    case = builds(
        "a CI file of a billion laughs, holding a key",
        repo={".gitlab-ci.yml": LAUGHS + f"variables:\n  AWS_ACCESS_KEY_ID: {key}\n"},
    )
    outcome = run_case(case, tmp_path)
    assert problems_of(case, outcome, tmp_path / "ws") == [] and outcome.seconds < 60
    cto = (tmp_path / "ws" / "reports" / "2026-10" / "cto.txt").read_text()
    assert "AWS Access Key" in cto and ".gitlab-ci.yml" in cto and key not in cto


def test_a_board_too_large_for_a_report_says_which_source_and_how_large(tmp_path, monkeypatch):
    """A task export whose overdue items would make the CEO's page pass its limit is named with the
    table it fills and the file it came from — not blamed on boardpack's own template."""
    from boardpack.render import budget

    monkeypatch.setattr(budget, "OUTPUT_LIMIT", 200_000)  # a page's limit, at this test's scale
    rows = "".join(f"Item {n},open,,2026-01-01,,co\n" for n in range(2_000))
    case = Case(
        "an overdue board larger than a page",
        "parsers",
        ("send", *AS_OF),
        append('[sources.tasks]\npaths = ["boards/*"]\n'),
        {"boards/tasks.csv": "title,status,owner,due,labels,entity\n" + rows},
        None,
        2,
        ("would be more than 200,000 characters", "executive.tasks", "2,000 rows", "tasks.csv"),
    )
    outcome = run_case(case, tmp_path)
    assert problems_of(case, outcome, tmp_path / "ws") == []
    assert "report.html.j2" not in outcome.output


def test_task_boards_past_the_limit_are_refused_with_their_size(tmp_path, monkeypatch):
    from boardpack.sources import tasks

    monkeypatch.setattr(tasks, "MAX_TASKS", 100)
    rows = "".join(f"Item {n},open,,,,co\n" for n in range(101))
    case = Case(
        "a board of 101 items, over a limit of 100",
        "parsers",
        ("check", *AS_OF),
        append('[sources.tasks]\npaths = ["boards/*"]\n'),
        {"boards/tasks.csv": "title,status,owner,due,labels,entity\n" + rows},
        None,
        2,
        ("sources.tasks", "boards/tasks.csv brings the boards to 101 items", "more than the 100"),
    )
    outcome = run_case(case, tmp_path)
    assert problems_of(case, outcome, tmp_path / "ws") == []
