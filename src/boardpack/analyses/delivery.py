"""Delivery figures from git (the four keys, as far as a repository shows them), over the 90 days
to the as-of date, each saying how it was measured:

- deployments: the release tags made (a tag is a release; no tag, no signal), per month;
- lead time: from each commit to the tag that shipped it, the median, in days;
- change-failure rate: the share of releases a later release had to repair — one tagged as a
  hotfix, or shipping a revert (`Revert "…"`);
- time to restore: from a failed release to the release that repaired it, the median, in hours.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from statistics import median
from zoneinfo import ZoneInfo

from boardpack.model import Column, Metric, Portfolio, Release, Repository, Results, Table

WINDOW = timedelta(days=90)
FIGURES = (
    ("deploys_per_month", "Deployments a month", "deployments"),
    ("lead_time_days", "Lead time for changes", "days"),
    ("change_failure_rate", "Change-failure rate", "%"),
    ("restore_hours", "Time to restore", "hours"),
)


def repairs(release: Release) -> bool:
    """A release that repairs the one before it: a hotfix tag, or a revert shipped."""
    return "hotfix" in release.tag.lower() or any(
        subject.startswith('Revert "') for _, subject in release.commits
    )


def figures(releases: list[Release], since: datetime) -> dict[str, Decimal | None]:
    """The four figures for releases (oldest first) made since `since` (None: no signal)."""
    recent = [(i, r) for i, r in enumerate(releases) if r.at >= since]
    if not recent:
        return dict.fromkeys((f for f, _, _ in FIGURES), None)
    leads = [(r.at - when).total_seconds() / 86400 for _, r in recent for when, _ in r.commits]
    fixes = [(i, r) for i, r in recent if i > 0 and repairs(r)]
    restores = [(r.at - releases[i - 1].at).total_seconds() / 3600 for i, r in fixes]
    return {
        "deploys_per_month": Decimal(len(recent) * 30) / Decimal(WINDOW.days),
        "lead_time_days": Decimal(str(round(median(leads), 1))) if leads else None,
        "change_failure_rate": Decimal(100 * len(fixes)) / len(recent),
        "restore_hours": Decimal(str(round(median(restores), 1))) if restores else None,
    }


def rounded(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.1"))


def analyse(portfolio: Portfolio, results: Results) -> None:
    repos = [r for r in portfolio.repositories if r.head and not r.problem]
    if not repos:
        return
    zone = ZoneInfo(portfolio.workspace.settings.organization.timezone)
    since = datetime.combine(portfolio.as_of, time(), zone) - WINDOW
    note = (
        "from release tags in the 90 days to the as-of date: a tag is a deployment; lead time from"
        " each commit to the tag that shipped it; a failure is a release a later hotfix tag or"
        " revert repaired; restore from the failed release to its repair"
    )

    def add(suffix: str, of: list[Repository]) -> dict:
        found = figures(sorted((x for r in of for x in r.releases), key=lambda x: x.at), since)
        for key, label, unit in FIGURES:
            value = rounded(found[key])
            results.add(
                Metric(
                    id=f"technology.{key}{suffix}",
                    label=label + (f" — {of[0].name}" if suffix else ""),
                    value=value,
                    unit=unit,
                    provenance=("git",),
                    note=note if value is not None else "no release tags in the 90 days: no signal",
                )
            )
        return found

    add("", repos)
    rows = []
    for repo in repos:
        suffix = f".{repo.name}" if len(repos) > 1 else ""
        found = add(suffix, [repo]) if suffix else figures(list(repo.releases), since)
        rows.append(
            {
                "repository": repo.name,
                "releases": sum(1 for r in repo.releases if r.at >= since),
                **{key: rounded(found[key]) for key, _, _ in FIGURES},
            }
        )
    results.add(
        Table(
            id="technology.delivery",
            title="Delivery, the last 90 days",
            columns=(
                Column.text("repository", "Repository"),
                Column.number("releases", "Releases"),
                Column.number("deploys_per_month", "A month"),
                Column.number("lead_time_days", "Lead time (days)"),
                Column.number("change_failure_rate", "Failures (%)"),
                Column.number("restore_hours", "Restore (hours)"),
            ),
            rows=tuple(rows),
            provenance=("git",),
            note=note[0].upper() + note[1:] + ". A repository without tags gives no signal.",
        )
    )
