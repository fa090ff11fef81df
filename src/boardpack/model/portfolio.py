"""The Portfolio: everything the sources read for one pack, in one place, and what each source
read (`SourceStatus`). The ledger lives in DuckDB (`ledger` view).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Literal, TypeVar

import duckdb

from boardpack.errors import SourceProblem
from boardpack.model.books import BudgetLine, CashAccount, TieOut
from boardpack.model.records import (
    AlertEpisode,
    Booking,
    ChannelMonth,
    Commentary,
    Event,
    Job,
    Note,
    PackEntry,
    Rule,
    Signal,
    Task,
    TimeEntry,
    Unit,
)
from boardpack.model.technology import Advisory, CloudAccount, Repository, Site
from boardpack.period import Period

if TYPE_CHECKING:
    from boardpack.config import Workspace

T = TypeVar("T")


HOW_TO_CONNECT = {
    "aws": (
        ' To see the cloud resources and their cost, add [sources.aws] regions = ["us-east-1"]'
        " and give boardpack read-only credentials (README: the AWS account)."
    ),
    "git": ' To audit the code, list each venture\'s repositories (repos = ["path"]) and add'
    " [sources.git].",
    "osv": " To check the pinned dependencies against known advisories, download the OSV records"
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
    snapshot: str = ""  # a live source's: "live, pulled 2026-11-21 08:00 UTC, snapshot 3f2a9c1b"

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


@dataclass(kw_only=True)
class Portfolio:
    """Everything the sources read, in one place. The ledger lives in DuckDB (`ledger` table)."""

    workspace: Workspace
    period: Period
    as_of: date
    db: duckdb.DuckDBPyConnection
    notes: list[Note] = field(default_factory=list)
    # the owner's commentary for the period (sources/commentary.py)
    commentary: list[Commentary] = field(default_factory=list)
    channels: list[ChannelMonth] = field(default_factory=list)
    budget: list[BudgetLine] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)
    bookings: list[Booking] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)
    # the live sources' snapshots of the period by name (or why one could not be pulled)
    live: dict[str, object] = field(default_factory=dict)
    timesheets: list[TimeEntry] = field(default_factory=list)
    cash_accounts: list[CashAccount] = field(default_factory=list)
    tie_outs: list[TieOut] = field(default_factory=list)
    basis: str = "cash"  # the books' basis (sources/books.py): "cash" or "accrual"
    # the monthly summaries made in `db` so far (analyses/ledger_sql.py), shared by the copies the
    # comparisons make of the portfolio
    summaries: set[str] = field(default_factory=set)
    # each sum a monthly summary was asked, month by month, by (summary, where, parameters): every
    # later total of the same rows over whole months adds months up instead of asking again
    month_sums: dict[tuple[str, str, str], dict[date, Decimal]] = field(default_factory=dict)
    basis_reason: str = ""
    # what earlier sent packs recorded (their forecast, findings and actions), from the audit store
    # (None: it could not be read, see recorded_unread)
    recorded: list[PackEntry] | None = field(default_factory=list)
    recorded_unread: str = ""
    # each [[watch]] rule's alerts, as `boardpack watch` recorded them
    watched: list[AlertEpisode] = field(default_factory=list)
    sources: dict[str, SourceStatus] = field(default_factory=dict)
    # the categorization rules applied
    rules: list[Rule] = field(default_factory=list)
    # account -> (its type, "said", "guessed" from its name or "unused"): sources/account_types.py
    account_types: dict[str, tuple[str, str]] = field(default_factory=dict)
    # commodity -> postings left out of money (no price)
    unpriced: Counter[str] = field(default_factory=Counter)
    repositories: list[Repository] = field(default_factory=list)
    # the ventures' websites
    sites: list[Site] = field(default_factory=list)
    # task-board items
    tasks: list[Task] = field(default_factory=list)
    # the OSV advisories ([sources.osv]) by package: (ecosystem, normalized name) -> advisories
    advisories: dict[tuple[str, str], list[Advisory]] = field(default_factory=dict)
    cloud: CloudAccount | None = None
    # a plugin source's own records, by its name
    extensions: dict[str, object] = field(default_factory=dict)

    def extend(self, source: str, records: object) -> None:
        """Where a third-party source keeps what it read, under its own name, for its own
        sections."""
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
        """The cash the ledger sources start from, all accounts together (a card's is owed)."""
        return sum((a.opening for a in self.cash_accounts if not a.card), Decimal("0.00"))

    def fresh(self, source: str) -> bool:
        status = self.sources.get(source)
        return status is not None and status.state(self.period) in ("fresh", "stale")
