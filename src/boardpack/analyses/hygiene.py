"""AWS account hygiene: eight checks of how the account itself is kept, a finding for each that
fails, and a score per venture — the share of the checks that apply to it that passed.

A check whose read was refused (AccessDenied on IAM or CloudTrail, say) is "not read": the gap is
stated by the source and the check is left out of the score rather than counted as passed or
failed. Account-wide checks apply to every venture in the account; a resource check applies to a
venture that has such resources, and fails where one of them does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from boardpack.analyses.security import RULES, finding, listed
from boardpack.model import (
    BACKED_UP,
    CloudAccount,
    CloudResource,
    Column,
    Finding,
    Metric,
    Portfolio,
    Results,
    Table,
    graded,
)

KEY_DAYS = 90  # an active access key older than this is due for rotation
GOOD, FAIR = Decimal(100), Decimal(70)  # the score's status: every check passed, or 70% of them


@dataclass
class Outcome:
    # False: refused, so not scored
    read: bool = True
    # a resource check: the ventures whose resources it examined (None: unassigned ones); an
    # account check: None, it applies to every venture
    scope: set[str | None] | None = None
    failures: list[Finding] = field(default_factory=list)
    # what was examined, for the table
    detail: str = ""

    @property
    def result(self) -> str:
        """The check's line in the compliance table."""
        if not self.read:
            return "not read"
        if self.failures:
            return "failed"
        # a resource check that found nothing to examine does not apply
        return "n/a" if self.scope == set() else "passed"


@dataclass(frozen=True)
class Check:
    id: str  # also the security rubric rule a failure is graded by
    label: str
    applies_to: str
    judge: Callable[[CloudAccount, date], Outcome]


def account_fact(value, failed: bool, title: str, evidence: str, rule: str, detail: str) -> Outcome:
    if value is None:
        return Outcome(read=False)
    fails = [finding(rule, title, evidence, None, "root user", "aws")] if failed else []
    return Outcome(failures=fails, detail=detail)


def root_mfa(cloud: CloudAccount, today: date) -> Outcome:
    on = cloud.hygiene.root_mfa
    return account_fact(
        on,
        on is False,
        "The AWS root user has no MFA",
        "IAM account summary: AccountMFAEnabled is 0.",
        "root-no-mfa",
        "MFA on" if on else "no MFA",
    )


def root_keys(cloud: CloudAccount, today: date) -> Outcome:
    present = cloud.hygiene.root_access_keys
    return account_fact(
        present,
        bool(present),
        "The AWS root user has access keys",
        "IAM account summary: AccountAccessKeysPresent is 1.",
        "root-access-key",
        "keys present" if present else "no keys",
    )


def console_mfa(cloud: CloudAccount, today: date) -> Outcome:
    users = cloud.hygiene.console_users_without_mfa
    if users is None:
        return Outcome(read=False)
    fails = (
        [
            finding(
                "console-no-mfa",
                f"{len(users)} IAM users sign in to the console without MFA",
                f"IAM users with a console password and no MFA device: {listed(list(users))}.",
                None,
                "IAM users",
                "aws",
            )
        ]
        if users
        else []
    )
    return Outcome(failures=fails, detail=f"{len(users)} without MFA" if users else "all have MFA")


def key_age(cloud: CloudAccount, today: date) -> Outcome:
    keys = cloud.hygiene.active_keys
    if keys is None:
        return Outcome(read=False)
    old = sorted(
        ((today - k.created).days, k) for k in keys if (today - k.created).days > KEY_DAYS
    )[::-1]
    fails = (
        [
            finding(
                "old-access-key",
                f"{len(old)} active access keys are older than {KEY_DAYS} days",
                listed([f"{k.user}'s key …{k.suffix}, {days} days old" for days, k in old]) + ".",
                None,
                "IAM users",
                "aws",
            )
        ]
        if old
        else []
    )
    return Outcome(failures=fails, detail=f"{len(old)} of {len(keys)} active keys too old")


def cloudtrail(cloud: CloudAccount, today: date) -> Outcome:
    trails = cloud.hygiene.trails
    if not trails:
        return Outcome(read=False)
    dark = sorted(region for region, logging in trails.items() if not logging)
    fails = (
        [
            finding(
                "no-trail",
                f"No CloudTrail trail is logging in {', '.join(dark)}",
                f"Trails recording {', '.join(dark)}, theirs or multi-region: none logging.",
                None,
                "CloudTrail",
                "aws",
            )
        ]
        if dark
        else []
    )
    return Outcome(
        failures=fails,
        detail="; ".join(
            f"{r}: {', '.join(t) or 'none logging'}" for r, t in sorted(trails.items())
        ),
    )


def per_resource(
    wanted: Callable[[CloudResource], bool], failed: Callable[[CloudResource], Finding | None]
) -> Callable[[CloudAccount, date], Outcome]:
    def judge(cloud: CloudAccount, today: date) -> Outcome:
        examined = [r for r in cloud.resources if wanted(r)]
        fails = [f for r in examined if (f := failed(r))]
        return Outcome(
            scope={r.entity for r in examined},
            failures=fails,
            detail=f"{len(examined) - len(fails)} of {len(examined)} pass",
        )

    return judge


def unprotected(r: CloudResource) -> Finding | None:
    if r.facts.get("point_in_time_recovery") or r.facts.get("backup_plan"):
        return None
    plans = "no AWS Backup plan selects it" if "backup_plan" in r.facts else "AWS Backup not read"
    noun = "Table" if r.service == "dynamodb" else "Database"
    return finding(
        "no-backup",
        f"{noun} {r.name} has no point-in-time recovery and no backup plan",
        f"{r.service} {r.kind} {r.name} ({r.region}): point-in-time recovery off; {plans}.",
        r.entity,
        r.name,
        r.arn,
    )


def unversioned(r: CloudResource) -> Finding | None:
    if r.facts.get("versioning") == "Enabled":
        return None
    return finding(
        "no-versioning",
        f"Bucket {r.name} holds data without versioning",
        f"s3 bucket {r.name} ({r.region}): versioning {r.facts.get('versioning')}.",
        r.entity,
        r.name,
        r.arn,
    )


def public_images(cloud: CloudAccount, today: date) -> Outcome:
    if not cloud.hygiene.images_read:
        return Outcome(read=False)
    shared = [r for r in cloud.resources if r.service == "ec2" and r.facts.get("public")]
    fails = [
        finding(
            "public-image",
            f"{'AMI' if r.kind == 'image' else 'Snapshot'} {r.name} is public",
            f"ec2 {r.kind} {r.name} ({r.region}): "
            + ("launch" if r.kind == "image" else "create-volume")
            + " permission granted to everyone.",
            r.entity,
            r.name,
            r.arn,
        )
        for r in shared
    ]
    return Outcome(failures=fails, detail=f"{len(shared)} public" if shared else "none public")


CHECKS = (
    Check("root-no-mfa", "The root user has MFA", "the account", root_mfa),
    Check("root-access-key", "The root user has no access keys", "the account", root_keys),
    Check(
        "no-trail",
        "A CloudTrail trail is logging in every audited region",
        "the account",
        cloudtrail,
    ),
    Check(
        "console-no-mfa",
        "Every IAM user with a console password has MFA",
        "the account",
        console_mfa,
    ),
    Check(
        "public-image",
        "No AMI or EBS snapshot is public",
        "the account (any public one fails every venture)",
        public_images,
    ),
    Check(
        "no-backup",
        "Point-in-time recovery or an AWS Backup plan",
        "each DynamoDB table and RDS instance",
        per_resource(
            lambda r: (r.service, r.kind) in BACKED_UP,
            unprotected,
        ),
    ),
    Check(
        "no-versioning",
        "Versioning on",
        "each S3 bucket that holds data (has objects; not a website)",
        per_resource(
            lambda r: r.service == "s3"
            and r.facts.get("holds_data")
            and not r.facts.get("website"),
            unversioned,
        ),
    ),
    Check(
        "old-access-key",
        f"No active access key older than {KEY_DAYS} days",
        "the account",
        key_age,
    ),
)


def analyse(portfolio: Portfolio, results: Results) -> None:
    cloud = portfolio.cloud
    if cloud is None:
        return
    settings = portfolio.workspace.settings
    outcomes = [(c, c.judge(cloud, portfolio.as_of)) for c in CHECKS]
    for _, outcome in outcomes:
        results.add(*outcome.failures)
    present = [e for e in settings.entities if any(r.entity == e.id for r in cloud.resources)]
    rows = []
    for check, outcome in outcomes:
        rows.append(
            {
                "check": check.label,
                "applies_to": check.applies_to,
                "result": outcome.result,
                "detail": outcome.detail or "—",
            }
        )
    results.add(
        Table(
            id="technology.compliance",
            title="AWS account hygiene",
            columns=(
                Column.text("check", "Check"),
                Column.text("applies_to", "Applies to"),
                Column.text("result", "Result"),
                Column.text("detail", "What was seen"),
            ),
            rows=tuple(rows),
            provenance=("AWS account",),
        ),
        Table(
            id="technology.compliance_rubric",
            title="How the hygiene score is worked out: checks passed ÷ checks that apply",
            columns=(
                Column.text("check", "Check"),
                Column.text("applies_to", "Applies to"),
                Column.text("severity", "A failure is"),
            ),
            rows=tuple(
                {"check": c.label, "applies_to": c.applies_to, "severity": RULES[c.id].severity}
                for c in CHECKS
            ),
        ),
    )
    results.add(score("technology.compliance", "AWS hygiene, the account", outcomes, None))
    for entity in present:
        results.add(
            score(
                f"technology.compliance.{entity.id}",
                f"AWS hygiene, {entity.name}",
                outcomes,
                entity.id,
            )
        )


def score(metric_id: str, label: str, outcomes: list, entity: str | None) -> Metric:
    """Checks passed ÷ checks that apply, for one venture (or, with None, the whole account)."""
    applied = passed = 0
    for _, outcome in outcomes:
        if not outcome.read:
            continue
        if outcome.scope is not None and entity is not None and entity not in outcome.scope:
            continue
        if outcome.scope == set():  # no such resource in the account
            continue
        applied += 1
        ours = [
            f
            for f in outcome.failures
            if outcome.scope is None or entity is None or f.entity == entity
        ]
        passed += not ours
    value = (Decimal(100) * passed / applied).quantize(Decimal("1")) if applied else None
    return Metric(
        id=metric_id,
        label=label,
        value=value,
        unit="%",
        provenance=("AWS account",),
        status=graded(value, GOOD, FAIR),
        note=f"{passed} of {applied} checks passed by the hygiene rubric (unread ones left out)",
    )
