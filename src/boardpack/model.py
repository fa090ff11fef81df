"""The one shared model: the Portfolio the sources fill, and the result types analyses produce.

Results are immutable and carry provenance, so every report that shows a metric shows the same
value with the same footnote.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

import duckdb

from boardpack.config import Workspace
from boardpack.errors import SourceProblem
from boardpack.period import Period

Status = Literal["good", "warn", "bad"]
Severity = Literal["critical", "high", "medium", "low", "info"]
SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}


@dataclass
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
            return f"The {self.name} source is not configured in boardpack.toml, so this section has no data."
        if state == "failed":
            return f"The {self.name} source could not be read: {self.error or 'it has no records'}."
        if state == "stale":
            return (
                f"The {self.name} source is stale: its newest record is {self.freshness}, "
                f"but the period ends {period.end}. Figures below are as of {self.freshness}, not current."
            )
        return f"The {self.name} source is current to {self.freshness}."


@dataclass(frozen=True)
class Risk:
    title: str
    severity: Severity
    area: str
    action: str
    entity: str | None
    source: str


@dataclass(frozen=True)
class NoteAction:
    title: str
    owner: str | None
    due: date | None
    done: bool
    entity: str | None
    source: str  # path:line


@dataclass(frozen=True)
class Note:
    path: str
    entity: str | None
    title: str
    status: Literal["green", "amber", "red"] | None
    updated: date | None
    risks: tuple[Risk, ...]
    kpis: dict[str, Decimal]
    actions: tuple[NoteAction, ...]


@dataclass(frozen=True)
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


@dataclass
class Portfolio:
    """Everything the sources read, in one place. The ledger lives in DuckDB (`ledger` table)."""

    workspace: Workspace
    period: Period
    as_of: date
    db: duckdb.DuckDBPyConnection
    notes: list[Note] = field(default_factory=list)
    channels: list[ChannelMonth] = field(default_factory=list)
    opening_balances: list[tuple[str | None, Decimal, str]] = field(default_factory=list)  # entity, amount, file
    sources: dict[str, SourceStatus] = field(default_factory=dict)
    rules: list = field(default_factory=list)  # the categorization rules applied (sources.categories.Rule)
    unpriced: Counter = field(default_factory=Counter)  # commodity -> postings left out of money (no price)

    def fresh(self, source: str) -> bool:
        status = self.sources.get(source)
        return status is not None and status.state(self.period) in ("fresh", "stale")


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metric:
    id: str
    label: str
    value: Decimal | int | None
    unit: str
    provenance: tuple[str, ...]
    target: Decimal | None = None
    status: Status | None = None
    note: str = ""  # how it was computed, shown in the footnote


@dataclass(frozen=True)
class Column:
    id: str
    label: str
    numeric: bool = False


@dataclass(frozen=True)
class Table:
    id: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[dict, ...]
    provenance: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Finding:
    severity: Severity
    area: str
    title: str
    evidence: str
    action: str
    entity: str | None = None
    source: str = ""


@dataclass(frozen=True)
class Action:
    priority: int  # 1 is most urgent
    owner: str
    title: str
    due: date | None = None
    entity: str | None = None
    source: str = ""


@dataclass
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
