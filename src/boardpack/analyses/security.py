"""Security findings from the repositories and the AWS account, each graded by one stated rubric.

The rubric is a table in the CTO report, so a reader can see why something is critical and not
merely high. A secret appears only as its kind, public prefix, location, commit and fingerprint.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from boardpack.analyses.runtimes import runtime_status
from boardpack.model import (
    Column,
    Finding,
    Portfolio,
    Repository,
    Results,
    SecretFinding,
    Severity,
    Table,
)


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    what: str
    why: str
    action: str


RUBRIC = (
    Rule(
        id="cloud-credential",
        severity="critical",
        what="Cloud access key or private key committed to a repository",
        why=(
            "Anyone who can read the repository, or any clone of it, can act as the account or the"
            " server."
        ),
        action=(
            "Revoke and rotate it today, remove it from the code and its history, and keep keys in"
            " the environment or a secrets manager."
        ),
    ),
    Rule(
        id="public-bucket",
        severity="critical",
        what="S3 bucket public by its policy",
        why="Anyone on the internet can read what it holds.",
        action=(
            "Remove the public statement from the bucket policy and turn on the account's public"
            " access block."
        ),
    ),
    Rule(
        id="root-no-mfa",
        severity="critical",
        what="The AWS root user has no MFA",
        why="The one login that can do anything, even close the account, rests on a password.",
        action="Turn on MFA for the root user (a security key or an authenticator app).",
    ),
    Rule(
        id="root-access-key",
        severity="critical",
        what="The AWS root user has access keys",
        why="No policy can limit what a leaked root key does.",
        action="Delete the root user's access keys; give programs a role or a user of their own.",
    ),
    Rule(
        id="credential",
        severity="high",
        what="Other credential committed (token, password, committed .env file)",
        why="It grants access to a service for as long as it is valid.",
        action=(
            "Revoke and rotate it, remove it from the code and history, and add .env to .gitignore."
        ),
    ),
    Rule(
        id="open-function-url",
        severity="high",
        what="Lambda function URL with no authentication",
        why="Anyone who finds the URL can invoke the function, and run up its cost.",
        action=(
            "Set the URL's auth type to AWS_IAM, or put it behind API Gateway with an authorizer."
        ),
    ),
    Rule(
        id="open-route",
        severity="high",
        what="API route with no authorizer",
        why="Anyone can call it.",
        action=(
            "Add an authorizer (JWT, Lambda or IAM) or an API key to each route that is not meant"
            " to be public."
        ),
    ),
    Rule(
        id="deprecated-runtime",
        severity="high",
        what="Runtime past its deprecation date",
        why="It no longer gets security patches, and AWS will block updates to it.",
        action="Move the function to a supported runtime and redeploy.",
    ),
    Rule(
        id="no-trail",
        severity="high",
        what="A region where no CloudTrail trail is logging",
        why="Nobody could tell who did what there, or notice the root user being used.",
        action="Keep one multi-region CloudTrail trail logging to an S3 bucket.",
    ),
    Rule(
        id="console-no-mfa",
        severity="high",
        what="IAM user who signs in to the console without MFA",
        why="A guessed or phished password is all it takes.",
        action="Turn on MFA for each console user, or remove the password of one using keys only.",
    ),
    Rule(
        id="public-image",
        severity="high",
        what="AMI or EBS snapshot anyone may launch or restore",
        why="Anyone can copy the disk and read what was on it, keys included.",
        action="Remove the public permission; share it with named accounts only.",
    ),
    Rule(
        id="no-public-access-block",
        severity="medium",
        what="S3 bucket without a public access block",
        why="One mistaken policy or ACL makes it public.",
        action="Turn on all four public access block settings.",
    ),
    Rule(
        id="no-backup",
        severity="medium",
        what="DynamoDB table or RDS instance with neither point-in-time recovery nor a backup plan",
        why="A bad write or delete cannot be undone.",
        action="Enable point-in-time recovery (automated backups), or add it to a Backup plan.",
    ),
    Rule(
        id="no-versioning",
        severity="medium",
        what="S3 bucket holding data without versioning",
        why="An object overwritten or deleted by mistake cannot be brought back.",
        action="Turn on versioning, with a lifecycle rule that expires old versions.",
    ),
    Rule(
        id="old-access-key",
        severity="medium",
        what="Active IAM access key older than 90 days",
        why="The longer a key lives, the more places it has been copied to.",
        action="Rotate the key (a new one, switch over, delete the old), or use a role instead.",
    ),
    Rule(
        id="no-rate-limit",
        severity="medium",
        what="Public API with neither WAF nor throttling",
        why="Nothing limits abuse or runaway cost.",
        action="Set stage throttling, and attach a WAF web ACL with a rate rule.",
    ),
    Rule(
        id="secret-in-environment",
        severity="medium",
        what="Lambda environment variables named like secrets",
        why="Their values are readable by anyone who can read the function's configuration.",
        action="Keep them in Secrets Manager or SSM Parameter Store and read them at start-up.",
    ),
    Rule(
        id="unscanned",
        severity="medium",
        what="Files the secret scan gave up on",
        why=(
            "A line in them holds a detector's pattern for minutes; a credential there would not"
            " be reported."
        ),
        action=(
            "Read the named files for credentials by hand; a generated or minified file is better"
            " built than committed."
        ),
    ),
    Rule(
        id="deprecating-runtime",
        severity="medium",
        what="Runtime deprecated within 180 days",
        why="It stops getting security patches soon.",
        action="Plan the move to a supported runtime this quarter.",
    ),
    Rule(
        id="sender-unverified",
        severity="medium",
        what="SES identity not verified, or DKIM not working",
        why="Mail from it fails or lands in spam, and others can spoof it.",
        action="Finish verification and publish the DKIM records.",
    ),
    Rule(
        id="unencrypted-bucket",
        severity="low",
        what="S3 bucket with no default encryption configured",
        why=(
            "AWS encrypts new objects anyway (SSE-S3), but older objects and the intent are not"
            " recorded."
        ),
        action="Set default encryption (SSE-S3 or SSE-KMS) explicitly.",
    ),
    Rule(
        id="aws-owned-key",
        severity="low",
        what="DynamoDB table encrypted only with an AWS owned key",
        why="Encrypted, but with no key policy or audit trail of your own.",
        action="Use the AWS managed key or a customer managed KMS key if the data is sensitive.",
    ),
    Rule(
        id="website-bucket",
        severity="low",
        what="S3 static website hosting enabled",
        why="Website endpoints serve HTTP only and are public by design.",
        action="Check it is meant to be public; serve it through CloudFront over HTTPS.",
    ),
    Rule(
        id="unassigned",
        severity="low",
        what="Cloud resources with no entity tag",
        why="Their cost and risk belong to no venture.",
        action="Tag each resource entity=<venture id>.",
    ),
)
RULES = {r.id: r for r in RUBRIC}
CLOUD_CREDENTIALS = (
    "AWS Access Key",
    "Private Key",
    "Key store file",
    "Azure Storage Account access key",
    "IBM Cloud IAM Key",
    "IBM COS HMAC Credentials",
    "SoftLayer Credentials",
)
SHOWN = 8  # locations listed in one finding's evidence


def analyse(portfolio: Portfolio, results: Results) -> None:
    results.add(
        Table(
            id="technology.severity_rubric",
            title="How severity is decided",
            columns=(
                Column.text("severity", "Severity"),
                Column.text("what", "Finding"),
                Column.text("why", "Why"),
            ),
            rows=tuple({"severity": r.severity, "what": r.what, "why": r.why} for r in RUBRIC),
        )
    )
    for repo in portfolio.repositories:
        results.add(*repository_findings(repo, portfolio.as_of))
    if portfolio.cloud is not None:
        results.add(*cloud_findings(portfolio, portfolio.as_of))


def finding(
    rule_id: str, title: str, evidence: str, entity: str | None, asset: str, source: str
) -> Finding:
    rule = RULES[rule_id]
    return Finding(
        severity=rule.severity,
        area="security",
        title=title,
        evidence=evidence,
        action=rule.action,
        entity=entity,
        source=source,
        asset=asset,
    )


def described(secret: SecretFinding) -> str:
    kind = f"{secret.kind} ({secret.prefix}…)" if secret.prefix else secret.kind
    return f"{kind} at {secret.location}, commit {secret.commit}, fingerprint {secret.fingerprint}"


def listed(items: list[str]) -> str:
    more = f"; and {len(items) - SHOWN} more" if len(items) > SHOWN else ""
    return "; ".join(items[:SHOWN]) + more


def repository_findings(repo: Repository, today: date) -> list[Finding]:
    found = []
    for rule_id in ("cloud-credential", "credential"):
        group = [
            s
            for s in repo.secrets
            if (s.kind in CLOUD_CREDENTIALS) == (rule_id == "cloud-credential")
        ]
        if group:
            noun = "credential" if len(group) == 1 else "credentials"
            label = "cloud or private-key " if rule_id == "cloud-credential" else ""
            said = finding(
                rule_id,
                f"{len(group)} {label}{noun} committed to {repo.name}",
                listed([described(s) for s in group]) + ".",
                repo.entity,
                repo.path,
                repo.path,
            )
            # an action that says what and where, read on its own in an agenda
            kinds = " and ".join(dict.fromkeys(s.kind for s in group))
            what = f"the {kinds} committed to {repo.name}"
            found.append(replace(said, action=said.action.replace(" it", f" {what}", 1)))
    if repo.unscanned:
        files = "1 file" if len(repo.unscanned) == 1 else f"{len(repo.unscanned)} files"
        found.append(
            finding(
                "unscanned",
                f"{files} in {repo.name} not scanned for secrets",
                f"{listed(list(repo.unscanned))}: the scan stopped on each after"
                f" {repo.scan_seconds:g} s.",
                repo.entity,
                repo.path,
                repo.path,
            )
        )
    for runtime, where in repo.lambda_runtimes:
        if late := deprecation(runtime, today):
            found.append(
                finding(
                    late[0],
                    f"{repo.name} deploys Lambda on {runtime}",
                    f"{where} declares {late[1]}.",
                    repo.entity,
                    repo.path,
                    f"{repo.path}/{where}",
                )
            )
    return found


def deprecation(runtime: str, today: date) -> tuple[str, str] | None:
    """(rubric rule, "python3.8, which was deprecated on 2024-10-14") for a runtime past or near its
    date."""
    state, when = runtime_status(runtime, today)
    if state not in ("deprecated", "deprecating"):
        return None
    return (
        f"{state}-runtime",
        f"{runtime}, which {'was' if state == 'deprecated' else 'will be'} deprecated on {when}",
    )


def cloud_findings(portfolio: Portfolio, today: date) -> list[Finding]:
    found = []
    for r in portfolio.cloud.resources:
        f = r.facts
        where = f"{r.service} {r.kind} {r.name} ({r.region})"

        def add(rule_id: str, title: str, evidence: str) -> None:
            found.append(finding(rule_id, title, evidence, r.entity, r.name, r.arn))

        if r.service == "lambda":
            if f.get("url_auth") == "NONE":
                add(
                    "open-function-url",
                    f"Lambda {r.name} has a public URL with no authentication",
                    f"{where}: function URL auth type NONE.",
                )
            if late := deprecation(f.get("runtime", ""), today):
                add(late[0], f"Lambda {r.name} runs on {f['runtime']}", f"{where}: {late[1]}.")
            if f.get("secret_env_names"):
                add(
                    "secret-in-environment",
                    f"Lambda {r.name} keeps secrets in environment variables",
                    f"{where}: variables named {', '.join(f['secret_env_names'])} (values not"
                    " read).",
                )
        elif r.service == "apigateway":
            if f.get("open_routes"):
                add(
                    "open-route",
                    f"API {r.name} has {len(f['open_routes'])} routes with no authorizer",
                    f"{where}: {listed(list(f['open_routes']))}.",
                )
            if not f.get("waf") and not f.get("throttled"):
                add(
                    "no-rate-limit",
                    f"API {r.name} has no WAF and no throttling",
                    f"{where}: no web ACL is associated and no stage sets a rate limit.",
                )
        elif r.service == "dynamodb":  # backups: analyses/hygiene.py
            if f.get("encryption") == "AWS owned key":
                add(
                    "aws-owned-key",
                    f"Table {r.name} uses an AWS owned key",
                    f"{where}: encryption {f['encryption']}.",
                )
        elif r.service == "s3":
            if f.get("public_policy"):
                add(
                    "public-bucket",
                    f"Bucket {r.name} is public",
                    f"{where}: its bucket policy grants public access.",
                )
            if not f.get("public_access_block"):
                add(
                    "no-public-access-block",
                    f"Bucket {r.name} has no public access block",
                    f"{where}: the four block settings are not all on.",
                )
            if f.get("encryption") == "none":
                add(
                    "unencrypted-bucket",
                    f"Bucket {r.name} has no default encryption configured",
                    f"{where}: no server-side encryption configuration.",
                )
            if f.get("website"):
                add(
                    "website-bucket",
                    f"Bucket {r.name} hosts a website",
                    f"{where}: static website hosting is on.",
                )
        elif r.service == "ses" and (not f.get("verified") or f.get("dkim") != "SUCCESS"):
            add(
                "sender-unverified",
                f"SES identity {r.name} is not ready to send",
                f"{where}: verified {'yes' if f.get('verified') else 'no'}, DKIM {f.get('dkim')}.",
            )
    unassigned = [r for r in portfolio.cloud.resources if r.entity is None]
    if unassigned:
        unknown = {arn: value for arn, value in portfolio.cloud.unknown_tags}
        names = [
            f"{r.service} {r.name}"
            + (f" (tag names unknown entity {unknown[r.arn]!r})" if r.arn in unknown else "")
            for r in unassigned
        ]
        found.append(
            finding(
                "unassigned",
                f"{len(unassigned)} cloud resources belong to no venture",
                listed(names) + ".",
                None,
                "",
                "aws",
            )
        )
    return found
