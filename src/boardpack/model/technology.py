"""What the technology audit reads: repositories (their history, releases, secrets, stack and
pinned packages), the AWS account, the ventures' websites and the OSV advisories.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

SEPARATORS = re.compile(r"[-_.]+")
SCAN_SECONDS = 10.0  # a file's secret scan is stopped after this, and the file named as unscanned


@dataclass(frozen=True)
class Pin:
    """An exact version a repository installs, from a lock file or a pinned requirement."""

    ecosystem: str  # as OSV names it: PyPI, npm, Go, crates.io, RubyGems, Packagist
    name: str
    version: str
    line: int  # in the lock file; 0 where the format does not say


@dataclass(frozen=True, kw_only=True)
class SecretFinding:
    """A secret committed to a repository, reduced to what may be shown: never the value itself."""

    kind: str  # detect-secrets' type ("AWS Access Key"), or "Committed .env file", "Key store file"
    path: str  # repository-relative, printable
    line: int
    commit: str  # short hash of the commit that last changed the line
    # HMAC-SHA256 under the workspace's own key: the same secret, the same fingerprint
    fingerprint: str
    prefix: str = ""  # a public prefix that says what it is (AKIA, ghp_, xoxb-), never more

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Release:
    """A tag of a repository: when it was made, and the commits it shipped (time, subject)."""

    tag: str
    at: datetime
    commits: tuple[tuple[datetime, str], ...]


@dataclass(kw_only=True)
class Repository:
    """One git repository an entity lists, read at HEAD."""

    entity: str
    path: str  # as written in boardpack.toml
    name: str
    problem: str | None = None  # why it could not be read (missing, not a repository, no commits)
    branch: str | None = None
    head: str | None = None
    last_commit: date | None = None
    commits_30: int = 0
    commits_90: int = 0
    merges_90: int = 0
    authors: int = 0
    authors_90: int = 0
    shallow: bool = False
    files: int = 0
    ci: tuple[str, ...] = ()
    test_files: int = 0
    lock_files: tuple[str, ...] = ()
    iac: tuple[str, ...] = ()
    docker: bool = False
    staging: tuple[str, ...] = ()  # paths that show a staging environment
    manifests: tuple[str, ...] = ()
    runtimes: tuple[str, ...] = ()  # "python 3.12 (.python-version)"
    # (runtime id, path:line) declared in IaC templates
    lambda_runtimes: tuple[tuple[str, str], ...] = ()
    secrets: tuple[SecretFinding, ...] = ()
    # what its lock files pin, each (the lock file, what it pins); and the lock files that did not
    # parse
    packages: tuple[tuple[str, Pin], ...] = ()
    lock_problems: tuple[str, ...] = ()
    releases: tuple[Release, ...] = ()  # its tags, oldest first (the delivery figures)
    in_baseline: int = 0  # secrets acknowledged in a detect-secrets baseline, not reported
    skipped_large: int = 0
    skipped_binary: int = 0
    # the files the secret scan gave up on, and the seconds it gave each
    unscanned: tuple[str, ...] = ()
    scan_seconds: float = SCAN_SECONDS


@dataclass(frozen=True, kw_only=True)
class CloudResource:
    """One AWS resource, with the facts the audit needs (never a secret value)."""

    # lambda, apigateway, dynamodb, rds, s3, route53, ses, ec2
    service: str
    # function, http-api, rest-api, table, db-instance, bucket, hosted-zone, identity, image,
    # snapshot (only public ones are kept)
    kind: str
    name: str
    region: str
    arn: str
    # from the `entity` tag; None = unassigned
    entity: str | None
    # what the audit judges, by name: "versioning": "Enabled", "public": True, "architectures"...
    facts: dict[str, object] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class AccessKey:
    user: str
    suffix: str  # the key id's last four characters, as the console shows it
    created: date


@dataclass(kw_only=True)
class AccountHygiene:
    """The account-wide facts the hygiene checks judge; None (or a region missing) where the read
    was refused, so the check is not scored."""

    root_mfa: bool | None = None
    root_access_keys: bool | None = None
    console_users_without_mfa: tuple[str, ...] | None = None
    active_keys: tuple[AccessKey, ...] | None = None
    trails: dict[str, tuple[str, ...]] = field(default_factory=dict)  # region: trails logging
    images_read: set[str] = field(default_factory=set)  # regions whose AMIs and snapshots were read


# the (service, kind) of the resources AWS Backup plans and point-in-time recovery are checked for
BACKED_UP = frozenset({("dynamodb", "table"), ("rds", "db-instance")})


@dataclass(kw_only=True)
class CloudAccount:
    """What the AWS source saw (what it could not see is on its SourceStatus.gaps)."""

    resources: list[CloudResource] = field(default_factory=list)
    # month start, service, amount
    costs: list[tuple[date, str, Decimal]] = field(default_factory=list)
    cost_currency: str = "USD"
    # month start, the `entity` tag's value (None: untagged), amount
    costs_by_entity: list[tuple[date, str | None, Decimal]] = field(default_factory=list)
    # (arn, tag value naming no entity)
    unknown_tags: list[tuple[str, str]] = field(default_factory=list)
    hygiene: AccountHygiene = field(default_factory=AccountHygiene)


@dataclass
class Page:
    path: str
    lang: bool = False
    title: str = ""
    description: bool = False
    images_without_alt: list[int] = field(default_factory=list)
    unlabelled: list[int] = field(default_factory=list)
    insecure_links: list[int] = field(default_factory=list)
    # the LocalBusiness objects of its JSON-LD, as parsed
    business: list[dict[str, object]] = field(default_factory=list)
    not_utf8: bool = False
    problems: list[str] = field(default_factory=list)  # what was left out, and why


@dataclass
class Site:
    """A venture's website: its pages as read, and whether it has a sitemap and robots.txt."""

    entity: str
    path: str
    pages: list[Page] = field(default_factory=list)
    sitemap: bool = False
    robots: bool = False
    skipped: int = 0


@dataclass(frozen=True)
class Advisory:
    """One package's part of an OSV record."""

    id: str
    aliases: tuple[str, ...]
    summary: str
    severity: str  # critical | high | medium | low
    score: str  # "CVSS 9.8 (CVSS:3.1/AV:N/…)", or ""
    ecosystem: str
    name: str
    ranges: tuple[tuple[tuple[str, str], ...], ...]  # each ECOSYSTEM/SEMVER range's events
    versions: frozenset[str]  # versions the record lists one by one
    source: str  # the file it came from


def package_key(ecosystem: str, name: str) -> tuple[str, str]:
    """How OSV and a lock file name the same package: PyPI names normalized as PEP 503 does."""
    if ecosystem == "PyPI":
        return ecosystem, SEPARATORS.sub("-", name).lower()
    return ecosystem, name
