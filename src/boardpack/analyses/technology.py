"""The CTO's view: each venture's stack, how mature its delivery is (by a stated rubric), and the
ten engineering actions that matter most, drawn from every technology finding.

Runs after `security` and `cloud_cost`, whose findings it ranks.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from boardpack.analyses.actions import action_for, action_id
from boardpack.model import (
    Action,
    Column,
    Finding,
    Metric,
    Portfolio,
    Repository,
    Results,
    Table,
    graded,
)

TOP_ACTIONS = 10
AREAS = ("security", "dependency", "accessibility", "engineering", "technology")


@dataclass(frozen=True)
class Criterion:
    id: str
    points: int
    label: str
    met: object  # Repository -> bool
    gap: str  # the finding's title when it is not met
    severity: str
    action: str


MATURITY = (
    Criterion(
        id="ci",
        points=2,
        label="CI runs on every push (GitHub Actions, GitLab CI, …)",
        met=lambda r: bool(r.ci),
        gap="has no CI",
        severity="medium",
        action="Add a CI workflow that runs the tests on every push.",
    ),
    Criterion(
        id="tests",
        points=2,
        label="Tests are in the repository",
        met=lambda r: r.test_files > 0,
        gap="has no tests",
        severity="medium",
        action="Add tests for the paths that earn money first, and run them in CI.",
    ),
    Criterion(
        id="locks",
        points=1,
        label="Dependencies are locked",
        met=lambda r: bool(r.lock_files),
        gap="has no dependency lock file",
        severity="low",
        action="Commit a lock file so builds are reproducible.",
    ),
    Criterion(
        id="iac",
        points=1,
        label="Infrastructure is code (SAM, CloudFormation, CDK, Terraform, …)",
        met=lambda r: bool(r.iac),
        gap="has no infrastructure as code",
        severity="low",
        action="Describe its infrastructure as code (SAM, CDK or Terraform).",
    ),
    Criterion(
        id="staging",
        points=1,
        label="A staging environment exists",
        met=lambda r: bool(r.staging),
        gap="shows no staging environment",
        severity="low",
        action="Deploy to a staging environment before production.",
    ),
    Criterion(
        id="active",
        points=1,
        label="A commit in the last 30 days",
        met=lambda r: r.commits_30 > 0,
        gap="had no commit in 30 days",
        severity="low",
        action="Confirm who maintains it, or archive it.",
    ),
    Criterion(
        id="review",
        points=1,
        label="Changes are reviewed (merges, or two or more authors, in 90 days)",
        met=lambda r: r.merges_90 > 0 or r.authors_90 > 1,
        gap="shows no review of changes",
        severity="low",
        action="Merge changes through pull requests with a second reviewer.",
    ),
    Criterion(
        id="runtime",
        points=1,
        label="Runtime versions are pinned (.python-version, engines, Dockerfile, …)",
        met=lambda r: bool(r.runtimes) or r.docker,
        gap="pins no runtime version",
        severity="low",
        action="Pin the language version the code runs on.",
    ),
)
OUT_OF = sum(c.points for c in MATURITY)
LEVELS = ((9, "strong"), (7, "good"), (4, "fair"), (0, "weak"))


def analyse(portfolio: Portfolio, results: Results) -> None:
    settings = portfolio.workspace.settings
    repos = portfolio.repositories
    results.add(
        stacks(portfolio),
        Table(
            id="technology.maturity_rubric",
            title="How maturity is scored (out of 10)",
            columns=(Column.number("points", "Points"), Column.text("criterion", "Criterion")),
            rows=tuple({"points": c.points, "criterion": c.label} for c in MATURITY),
        ),
    )
    readable = [r for r in repos if r.head]
    rows, scores = [], {}
    for repo in readable:
        missing = [c for c in MATURITY if not c.met(repo)]
        scores.setdefault(repo.entity, []).append(score := OUT_OF - sum(c.points for c in missing))
        rows.append(
            {
                "entity": name_of(settings, repo.entity),
                "repository": repo.name,
                "score": score,
                "level": level(score),
                "missing": ", ".join(c.id for c in missing) or "—",
            }
        )
        results.add(
            *(
                Finding(
                    severity=c.severity,
                    area="engineering",
                    title=f"{repo.name} {c.gap}",
                    evidence=f"{repo.path} at {repo.head[:7]}: {c.label.lower()} — not found.",
                    action=c.action,
                    entity=repo.entity,
                    source=repo.path,
                    asset=repo.path,
                )
                for c in missing
            )
        )
    for repo in repos:
        if not repo.head:  # not there, not a repository, or no commits yet
            results.add(
                Finding(
                    severity="medium",
                    area="engineering",
                    title=f"Repository {repo.path} could not be audited",
                    evidence=repo.problem,
                    action="Point repos in boardpack.toml at a clone with its history.",
                    setup=True,
                    entity=repo.entity,
                    source="boardpack.toml",
                    asset=repo.path,
                )
            )
        elif repo.problem:  # read, but its own .secrets.baseline is broken
            results.add(
                Finding(
                    severity="low",
                    area="engineering",
                    title=f"{repo.name}: part of the audit is missing",
                    evidence=repo.problem,
                    action="Regenerate the repository's .secrets.baseline with detect-secrets.",
                    entity=repo.entity,
                    source=repo.path,
                    asset=repo.path,
                )
            )
        if repo.shallow:
            results.add(
                Finding(
                    severity="info",
                    area="engineering",
                    title=f"{repo.name} is a shallow clone",
                    evidence=(
                        "History before the clone's depth is not available, so commit counts may be"
                        " low."
                    ),
                    action="Fetch the full history (git fetch --unshallow) for a complete audit.",
                    entity=repo.entity,
                    source=repo.path,
                    asset=repo.path,
                )
            )
    results.add(
        Table(
            id="technology.maturity",
            title="Dev-cycle maturity by repository",
            columns=(
                Column.text("entity", "Venture"),
                Column.text("repository", "Repository"),
                Column.number("score", "Score"),
                Column.text("level", "Level"),
                Column.text("missing", "Missing"),
            ),
            rows=tuple(rows),
            provenance=tuple(r.path for r in readable),
        )
    )
    for entity in settings.entities:
        if own := scores.get(entity.id):
            results.add(
                Metric(
                    id=f"technology.maturity.{entity.id}",
                    label=f"Dev-cycle maturity, {entity.name}",
                    value=(Decimal(sum(own)) / len(own)).quantize(Decimal("0.1")),
                    unit="of 10",
                    provenance=tuple(r.path for r in readable if r.entity == entity.id),
                    status=graded(min(own), 7, 4),
                    note="average of its repositories' scores by the maturity rubric",
                )
            )
    if portfolio.cloud is not None:
        results.add(*cloud_tables(portfolio))
    picked = engineering_actions(portfolio, results)
    results.add(*(action for action, _ in picked))
    results.add(
        Table(
            id="technology.actions",
            title="The ten engineering actions that matter most",
            columns=(
                Column.number("priority", "Priority"),
                Column.text("action", "Action"),
                Column.text("entity", "Venture"),
                Column.text("due", "Due"),
                Column.text("why", "Severity"),
            ),
            rows=tuple(
                {
                    "id": action_id(a),  # follow-through gives it its kept due date by this
                    "priority": n,
                    "action": a.title,
                    "entity": name_of(settings, a.entity) if a.entity else "—",
                    "due": a.due,
                    "why": f.severity,
                }
                for n, (a, f) in enumerate(picked, start=1)
            ),
        )
    )


def engineering_actions(portfolio: Portfolio, results: Results) -> list[tuple[Action, Finding]]:
    """The ten most serious technology findings, one action each; the same action for several assets
    of a venture is merged (rotating three keys is one piece of work, not three agenda lines)."""
    chosen, seen = [], set()
    for f in results.ranked_findings():
        if f.area not in AREAS or (f.action, f.entity) in seen:
            continue
        seen.add((f.action, f.entity))
        action = action_for(f, portfolio.as_of)
        # read on its own, in the CEO's agenda as in this table: what it is about, then the step
        chosen.append((replace(action, title=f"{f.title.rstrip('.')}: {action.title}"), f))
    return chosen[:TOP_ACTIONS]


def cloud_tables(portfolio: Portfolio) -> tuple[Table, Table]:
    settings = portfolio.workspace.settings
    columns = (
        Column.text("entity", "Venture"),
        Column.text("service", "Service"),
        Column.text("name", "Resource"),
        Column.text("region", "Region"),
        Column.text("facts", "What it says"),
    )
    rows = [
        {
            "entity": name_of(settings, r.entity) if r.entity else "unassigned",
            "service": f"{r.service} {r.kind}",
            "name": r.name,
            "region": r.region,
            "facts": facts_text(r.facts),
        }
        for r in sorted(
            portfolio.cloud.resources,
            key=lambda r: (r.entity is None, r.entity or "", r.service, r.name),
        )
    ]
    tag = portfolio.workspace.settings.sources.aws.entity_tag
    return (
        Table(
            id="technology.cloud_resources",
            title="Cloud resources by venture",
            columns=columns,
            rows=tuple(r for r in rows if r["entity"] != "unassigned"),
            provenance=("AWS account",),
        ),
        Table(
            id="technology.unassigned",
            title=f"Resources with no {tag} tag (unassigned)",
            columns=columns,
            rows=tuple(r for r in rows if r["entity"] == "unassigned"),
            provenance=("AWS account",),
        ),
    )


def facts_text(facts: dict) -> str:
    shown = []
    for key, value in facts.items():
        if isinstance(value, tuple):
            value = ", ".join(value) or "none"
        elif isinstance(value, bool):
            value = "yes" if value else "no"
        shown.append(f"{key.replace('_', ' ')}: {value}")
    return "; ".join(shown)


def stacks(portfolio: Portfolio) -> Table:
    settings = portfolio.workspace.settings
    rows = []
    by_entity = {}
    for repo in portfolio.repositories:
        by_entity.setdefault(repo.entity, []).append(repo)
    for e in settings.entities:
        declared = ", ".join(e.stack) or "not recorded"
        for repo in by_entity.get(e.id, []) or [None]:
            rows.append(
                {
                    "entity": e.name,
                    "stack": declared,
                    **(
                        repository_row(repo)
                        if repo
                        else {
                            "repository": "none listed",
                            "head": "—",
                            "last_commit": None,
                            "commits": "—",
                            "authors": None,
                            "delivery": "—",
                            "runtimes": "—",
                        }
                    ),
                }
            )
    return Table(
        id="technology.stacks",
        title="Stack audit by venture",
        columns=(
            Column.text("entity", "Venture"),
            Column.text("stack", "Declared stack"),
            Column.text("repository", "Repository"),
            Column.text("head", "Branch @ HEAD"),
            Column.text("last_commit", "Last commit"),
            Column.text("commits", "Commits 30 / 90 days"),
            Column.number("authors", "Authors"),
            Column.text("delivery", "CI · tests · IaC · container · staging · locks"),
            Column.text("runtimes", "Runtimes"),
        ),
        rows=tuple(rows),
        provenance=("boardpack.toml [[entities]]",) + tuple(r.path for r in portfolio.repositories),
    )


def repository_row(repo: Repository) -> dict:
    if not repo.head:
        return {
            "repository": repo.path,
            "head": "—",
            "last_commit": None,
            "commits": "—",
            "authors": None,
            "delivery": f"not read: {repo.problem}",
            "runtimes": "—",
        }
    delivery = [
        ", ".join(repo.ci) or "no CI",
        f"{repo.test_files} test files" if repo.test_files else "no tests",
        ", ".join(repo.iac) or "no IaC",
        "Docker" if repo.docker else "no container",
        "staging" if repo.staging else "no staging",
        "locked" if repo.lock_files else "no lock file",
    ]
    skipped = [
        f"{n} {what} skipped"
        for n, what in ((repo.skipped_large, "large files"), (repo.skipped_binary, "binary files"))
        if n
    ]
    return {
        "repository": repo.name + (" (shallow clone)" if repo.shallow else ""),
        "head": f"{repo.branch or 'detached'} @ {repo.head[:7]}",
        "last_commit": repo.last_commit,
        "commits": f"{repo.commits_30} / {repo.commits_90}",
        "authors": repo.authors,
        "delivery": " · ".join(delivery) + (f" ({', '.join(skipped)})" if skipped else ""),
        "runtimes": ", ".join(repo.runtimes) or "not pinned",
    }


def name_of(settings, entity_id: str) -> str:
    return next((e.name for e in settings.entities if e.id == entity_id), entity_id)


def level(score: int) -> str:
    return next(name for floor, name in LEVELS if score >= floor)
