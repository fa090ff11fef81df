"""The one shared model: the Portfolio the sources fill, and the result types analyses produce.

Results are immutable and carry provenance, so every report that shows a metric shows the same
value with the same footnote.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from typing import Literal, TypeVar

import duckdb

from boardpack.audit.store import PackEntry
from boardpack.config import Workspace
from boardpack.errors import SourceProblem
from boardpack.period import Period

T = TypeVar("T")
Status = Literal["good", "warn", "bad"]
Severity = Literal["critical", "high", "medium", "low", "info"]
SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}


HOW_TO_CONNECT = {
    "aws": (
        ' To see the cloud resources and their cost, add [sources.aws] regions = ["us-east-1"]'
        " and give boardpack read-only credentials (README: the AWS account)."
    ),
    "git": ' To audit the code, list each venture\'s repositories (repos = ["path"]) and add'
    " [sources.git].",
    "osv": ' To check the pinned dependencies against known advisories, download the OSV records'
    ' of your ecosystems (a folder or zip) and add [sources.osv] path = "osv".',
    "sites": " To audit a venture's website, name its HTML (a static export or a built dist/) on"
    ' the venture: sites = ["site"].',
}


@dataclass(kw_only=True)
class SourceStatus:
    """What a source read, how fresh it is, and what went wrong."""

    name: str
    configured: bool
    paths: list[str] = field(default_factory=list)
    freshness: date | None = None
    records: int = 0
    problems: list[SourceProblem] = field(default_factory=list)
    stale_after_days: int = 10
    error: str | None = None  # set when the source could not be read at all
    gaps: list[str] = field(default_factory=list)  # what it could not see, though the rest was read
    optional: bool = False  # marked `optional = true`: a send may go without it

    @property
    def unreadable(self) -> bool:
        """Configured, and could not be read: a send stops for it unless it is optional."""
        return self.configured and self.error is not None

    def state(self, period: Period) -> Literal["missing", "failed", "stale", "fresh"]:
        if not self.configured:
            return "missing"
        if self.error or self.freshness is None:
            return "failed"
        if (period.end - self.freshness).days > self.stale_after_days:
            return "stale"
        return "fresh"

    def explain(self, period: Period) -> str:
        state = self.state(period)
        if state == "missing":
            return (
                f"The {self.name} source is not configured in boardpack.toml: nothing here comes"
                " from it." + HOW_TO_CONNECT.get(self.name, "")
            )
        if state == "failed":
            return f"The {self.name} source could not be read: {self.error or 'it has no records'}."
        if state == "stale":
            return (
                f"The {self.name} source is stale: its newest record is {self.freshness}, but the"
                f" period ends {period.end}. Figures below are as of {self.freshness}, not current."
            )
        return f"The {self.name} source is current to {self.freshness}."




@dataclass(frozen=True, kw_only=True)
class Risk:
    title: str
    severity: Severity
    area: str
    action: str
    entity: str | None
    source: str
    url: str = ""  # where to act on it


@dataclass(frozen=True, kw_only=True)
class NoteAction:
    title: str
    owner: str | None
    due: date | None
    done: bool
    entity: str | None
    source: str  # path:line
    heading: str = ""  # the heading the item sits under ("Maintenance")
    url: str = ""  # `<https://…>` at the end of the item: where to act on it

    @property
    def id(self) -> str:
        """Its follow-through id: its venture and its words, not its figures or dates."""
        return stable_id("to-do", self.entity, self.title)


@dataclass(frozen=True, kw_only=True)
class Note:
    path: str
    entity: str | None
    title: str
    status: Literal["green", "amber", "red"] | None
    updated: date | None
    risks: tuple[Risk, ...]
    kpis: dict[str, Decimal]
    actions: tuple[NoteAction, ...]


@dataclass(frozen=True, kw_only=True)
class BudgetLine:
    """One month of a budget line (a quarter's or a year's spread evenly over its months)."""

    month: date  # its first day
    entity: str | None  # None: the whole organization
    account: str  # covers the accounts below it
    amount: Decimal  # as written: income and expenses both positive
    source: str  # path:line


@dataclass(frozen=True, kw_only=True)
class ChannelMonth:
    entity: str
    channel: str
    month: date
    impressions: int
    visits: int
    leads: int
    bookings: int
    revenue: Decimal
    spend: Decimal
    source: str


@dataclass(frozen=True, kw_only=True)
class Unit:
    """One line of a property's rent roll; no tenant means vacant (the rent is then the asking
    rent)."""

    entity: str
    unit: str
    tenant: str
    lease_start: date | None
    lease_end: date | None  # None: month to month
    monthly_rent: Decimal
    deposit: Decimal
    source: str  # path:line

    def occupied_on(self, day: date) -> bool:
        return (
            bool(self.tenant)
            and (self.lease_start is None or self.lease_start <= day)
            and (self.lease_end is None or day <= self.lease_end)
        )


@dataclass(frozen=True, kw_only=True)
class Job:
    """A hauling job, done or booked (dated after as-of)."""

    entity: str
    date: date
    vehicle: str
    customer: str
    revenue: Decimal
    direct_cost: Decimal
    hours: Decimal
    source: str


@dataclass(frozen=True, kw_only=True)
class TimeEntry:
    entity: str
    client: str
    date: date
    hours: Decimal
    rate: Decimal
    source: str

    @property
    def value(self) -> Decimal:
        return self.hours * self.rate


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
    lambda_runtimes: tuple[
        tuple[str, str], ...
    ] = ()  # (runtime id, path:line) declared in IaC templates
    secrets: tuple[SecretFinding, ...] = ()
    # what its lock files pin, each (path, lockfiles.Pin); and the lock files that did not parse
    packages: tuple[tuple[str, object], ...] = ()
    lock_problems: tuple[str, ...] = ()
    releases: tuple[Release, ...] = ()  # its tags, oldest first (the delivery figures)
    in_baseline: int = 0  # secrets acknowledged in a detect-secrets baseline, not reported
    skipped_large: int = 0
    skipped_binary: int = 0
    unscanned: tuple[str, ...] = ()  # files the secret scan gave up on (secrets.FILE_SECONDS)


@dataclass(frozen=True, kw_only=True)
class CloudResource:
    """One AWS resource, with the facts the audit needs (never a secret value)."""

    service: str  # lambda, apigateway, dynamodb, rds, s3, route53, ses, ec2
    kind: str  # function, http-api, rest-api, table, db-instance, bucket, hosted-zone, identity,
    # image, snapshot (only public ones are kept)
    name: str
    region: str
    arn: str
    entity: str | None  # from the `entity` tag; None = unassigned
    facts: dict = field(default_factory=dict, hash=False, compare=False)


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
    costs: list[tuple[date, str, Decimal]] = field(
        default_factory=list
    )  # month start, service, amount
    cost_currency: str = "USD"
    # month start, the `entity` tag's value (None: untagged), amount
    costs_by_entity: list[tuple[date, str | None, Decimal]] = field(default_factory=list)
    unknown_tags: list[tuple[str, str]] = field(
        default_factory=list
    )  # (arn, tag value naming no entity)
    hygiene: AccountHygiene = field(default_factory=AccountHygiene)


@dataclass(frozen=True, kw_only=True)
class CashAccount:
    """A bank or processor account a ledger source reads: its opening balance (in the organization's
    currency) and the DuckDB tables of its rows (one a file). A beancount source is one, for all its
    cash accounts."""

    name: str  # the source's name, or its path
    entity: str | None  # None: its rows name their entities
    opening: Decimal
    tables: tuple[str, ...]
    # beancount: tables of the cash postings themselves (date, entity, account, amount), so each
    # cash account has its own line
    postings: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class TieOut:
    """A bank account's balance as the ledger has it beside the bank's own figure for the same day
    (its running balance column, or a closing balance from its statement), in the account's
    currency."""

    account: str  # the ledger source's name, or its path
    entity: str | None
    currency: str
    date: date
    ledger: Decimal
    bank: Decimal | None  # None: the export shows no balance to tie to
    evidence: str  # where the bank's figure comes from: "balance column", "statement"…

    @property
    def difference(self) -> Decimal | None:
        return None if self.bank is None else self.ledger - self.bank


# The first part of every ledger account: what kind of account it is (beancount's five).
ACCOUNT_TYPES = ("Assets", "Liabilities", "Equity", "Income", "Expenses")


@dataclass(kw_only=True)
class Portfolio:
    """Everything the sources read, in one place. The ledger lives in DuckDB (`ledger` table)."""

    workspace: Workspace
    period: Period
    as_of: date
    db: duckdb.DuckDBPyConnection
    notes: list[Note] = field(default_factory=list)
    channels: list[ChannelMonth] = field(default_factory=list)
    budget: list[BudgetLine] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)
    timesheets: list[TimeEntry] = field(default_factory=list)
    cash_accounts: list[CashAccount] = field(default_factory=list)
    tie_outs: list[TieOut] = field(default_factory=list)
    basis: str = "cash"  # the books' basis (sources/books.py): "cash" or "accrual"
    # the monthly summaries made in `db` so far (analyses/ledger_sql.py), shared by the copies the
    # comparisons make of the portfolio
    summaries: set[str] = field(default_factory=set)
    basis_reason: str = ""
    # what earlier sent packs recorded (their forecast, findings and actions), from the audit store
    # (None: it could not be read, see recorded_unread)
    recorded: list[PackEntry] | None = field(default_factory=list)
    recorded_unread: str = ""
    watched: dict[str, dict] = field(default_factory=dict)  # each [[watch]] rule's episodes
    sources: dict[str, SourceStatus] = field(default_factory=dict)
    rules: list = field(
        default_factory=list
    )  # the categorization rules applied (sources.categories.Rule)
    unpriced: Counter = field(
        default_factory=Counter
    )  # commodity -> postings left out of money (no price)
    repositories: list[Repository] = field(default_factory=list)
    sites: list = field(default_factory=list)  # the ventures' websites (sources.sites.Site)
    tasks: list = field(default_factory=list)  # task-board items (sources.tasks.Task)
    # the OSV advisories ([sources.osv]) by package: (ecosystem, normalized name) -> advisories
    advisories: dict[tuple[str, str], list] = field(default_factory=dict)
    cloud: CloudAccount | None = None
    extensions: dict[str, object] = field(
        default_factory=dict
    )  # a plugin source's own records, by its name

    def extend(self, source: str, records: object) -> None:
        """Where a third-party source keeps what it read, under its own name, for its own sections.
        """
        if source in self.extensions:
            raise ValueError(f"the {source} source has already added its records")
        self.extensions[source] = records

    def extension(self, source: str, kind: type[T]) -> T | None:
        """What `source` added, checked to be a `kind`; None when that source added nothing."""
        found = self.extensions.get(source)
        if found is not None and not isinstance(found, kind):
            raise TypeError(
                f"the {source} source added a {type(found).__name__}, not a {kind.__name__}"
            )
        return found

    @cached_property
    def ledger_start(self) -> date | None:
        """The ledger's first day, None with no rows: read once (the ledger must be loaded)."""
        (first,) = self.db.execute("SELECT min(date) FROM ledger").fetchone()
        return first

    @property
    def currency(self) -> str:
        """The organization's currency: every amount in the ledger is in it."""
        return self.workspace.settings.organization.currency

    @property
    def opening_cash(self) -> Decimal:
        """The cash the ledger sources start from, all accounts together."""
        return sum((a.opening for a in self.cash_accounts), Decimal("0.00"))

    def fresh(self, source: str) -> bool:
        status = self.sources.get(source)
        return status is not None and status.state(self.period) in ("fresh", "stale")


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Metric:
    id: str
    label: str
    value: Decimal | int | date | None
    unit: str
    provenance: tuple[str, ...]
    target: Decimal | None = None
    status: Status | None = None
    note: str = ""  # how it was computed, shown in the footnote


@dataclass(frozen=True, kw_only=True)
class Column:
    id: str
    label: str
    numeric: bool = False  # right-aligned, and never the column a narrow layout wraps

    @classmethod
    def text(cls, id: str, label: str) -> Column:
        return cls(id=id, label=label)

    @classmethod
    def number(cls, id: str, label: str) -> Column:
        return cls(id=id, label=label, numeric=True)


@dataclass(frozen=True, kw_only=True)
class Table:
    id: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[dict, ...]
    provenance: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class Finding:
    severity: Severity
    area: str
    title: str
    evidence: str
    action: str
    entity: str | None = None
    source: str = ""
    asset: str = ""  # the repository, resource or domain it concerns, for the asset inventory
    # follow-through (analyses/followup.py): the same id from period to period, what it is about
    id: str = ""
    status: Literal["new", "recurring"] | None = None  # None: no earlier pack was recorded
    age: int = 0  # periods open, this one included
    url: str = ""  # where to act on it: the note's, or [links.findings] for its area


@dataclass(frozen=True, kw_only=True)
class Action:
    priority: int  # 1 is most urgent
    owner: str
    title: str
    due: date | None = None
    entity: str | None = None
    source: str = ""
    id: str = ""  # the same from period to period (analyses/followup.py)
    status: Literal["open", "slipped", "done"] | None = None
    url: str = ""  # where to act on it


STRIPPED = re.compile(
    r"\d[\d,.:/-]*|\b(?:january|february|march|april|may|june|july|august|september|october"
    r"|november|december|[a-z]{3} \d{4})\b"
)


def stable_id(*about: str | None) -> str:
    """An id from what something is about, not its figures or dates: "Possible duplicate payments:
    2" and "...: 3" are one finding, from month to month."""
    text = "|".join(STRIPPED.sub("", (part or "").lower()) for part in about)
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()[:12]


@dataclass(kw_only=True)
class Results:
    """Everything computed for one pack: each metric once, by id."""

    metrics: dict[str, Metric] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    agenda: list[Action] = field(default_factory=list)  # ranked by the executive analysis
    failures: dict[str, str] = field(default_factory=dict)  # analysis name -> what went wrong

    def add(self, *items: Metric | Table | Finding | Action) -> None:
        for item in items:
            if isinstance(item, Metric):
                if item.id in self.metrics:
                    raise ValueError(f"metric {item.id} computed twice")
                self.metrics[item.id] = item
            elif isinstance(item, Table):
                if item.id in self.tables:
                    raise ValueError(f"table {item.id} computed twice")
                self.tables[item.id] = item
            elif isinstance(item, Finding):
                self.findings.append(item)
            else:
                self.actions.append(item)

    def ranked_findings(self) -> list[Finding]:
        return sorted(self.findings, key=lambda f: (SEVERITY_RANK[f.severity], f.area, f.title))
