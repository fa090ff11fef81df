"""Delivery figures from git (issue 26, part 3): a repository built here with release tags, a
revert and a hotfix; the four figures worked by hand; a repository without tags gives no signal."""

from __future__ import annotations

from decimal import Decimal

from tests.sources.test_git import (
    build,
    sh,
    trusted_repos,  # noqa: F401 (an autouse fixture)
    workspace,
)


def commit(repo, name: str, when: str, message: str | None = None) -> None:
    (repo / name).write_text(when)
    sh(repo, "add", "-A")
    stamp = {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    sh(repo, "commit", "-q", "-m", message or f"change {name}", env=stamp)


def tag(repo, name: str, when: str) -> None:
    sh(repo, "tag", "-a", name, "-m", name, env={"GIT_COMMITTER_DATE": when})


def test_the_four_keys_from_tags_reverts_and_hotfixes(tmp_path):
    repo = tmp_path / "repos" / "api"
    repo.mkdir(parents=True)
    sh(repo, "init", "-q", "-b", "main")
    # the pack is as of 2026-11-15: its 90 days begin 2026-08-17, so v0.9 is outside them
    commit(repo, "a", "2026-07-01T00:00:00Z")
    tag(repo, "v0.9", "2026-07-02T00:00:00Z")
    commit(repo, "b", "2026-09-01T00:00:00Z")  # shipped by v1.0: 2 days
    commit(repo, "c", "2026-09-02T00:00:00Z")  # 1 day
    tag(repo, "v1.0", "2026-09-03T00:00:00Z")
    commit(repo, "d", "2026-09-03T12:00:00Z", 'Revert "change c"')  # 0.5 days
    tag(repo, "v1.1", "2026-09-04T00:00:00Z")  # ships a revert: v1.0 failed, 24 hours to restore
    commit(repo, "e", "2026-10-01T00:00:00Z")  # 4 days
    tag(repo, "v1.2", "2026-10-05T00:00:00Z")
    commit(repo, "f", "2026-10-05T06:00:00Z")  # 0.25 days
    tag(repo, "v1.2.1-hotfix", "2026-10-05T12:00:00Z")  # v1.2 failed: 12 hours to restore
    pack = build(workspace(tmp_path, ["../repos/api"], "\n[sources.git]\n"))
    m = pack.results.metrics
    # 4 releases in 90 days: 4 × 30 / 90
    assert m["technology.deploys_per_month"].value == Decimal("1.3")
    # the lead times 2, 1, 0.5, 4, 0.25 days: the median is 1
    assert m["technology.lead_time_days"].value == Decimal("1.0")
    # v1.1 and v1.2.1-hotfix repaired the release before them: 2 of 4
    assert m["technology.change_failure_rate"].value == Decimal("50.0")
    # 24 and 12 hours: the median is 18
    assert m["technology.restore_hours"].value == Decimal("18.0")
    assert "a tag is a deployment" in m["technology.deploys_per_month"].note
    (row,) = pack.results.tables["technology.delivery"].rows
    assert (row["repository"], row["releases"]) == ("api", 4)


def test_a_repository_without_tags_gives_no_signal(tmp_path):
    repo = tmp_path / "repos" / "api"
    repo.mkdir(parents=True)
    sh(repo, "init", "-q", "-b", "main")
    commit(repo, "a", "2026-10-01T00:00:00Z")
    pack = build(workspace(tmp_path, ["../repos/api"], "\n[sources.git]\n"))
    figure = pack.results.metrics["technology.deploys_per_month"]
    assert figure.value is None and figure.note == "no release tags in the 90 days: no signal"
