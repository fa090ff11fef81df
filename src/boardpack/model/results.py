"""What analyses produce: metrics, tables, findings and actions, each immutable and carrying where
it came from, so that every report that shows a metric shows the same value with the same
footnote; and `Results`, everything computed for one pack.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Literal

Status = Literal["good", "warn", "bad"]
Severity = Literal["critical", "high", "medium", "low", "info"]
# which way a figure is better for the business, and what a change of it is
Better = Literal["more", "less", "neither"]
Direction = Literal["better", "worse", "neutral"]
SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
STATUS_RANK = {"good": 0, "warn": 1, "bad": 2}  # the worse, the higher


def graded(
    value: Decimal | int | None,
    good: Decimal | int,
    fair: Decimal | int,
    missing: Status | None = None,
) -> Status | None:
    """How a figure where more is better reads: good from `good`, warn from `fair`, bad below it;
    `missing` without a figure (an unlimited runway is good, an unread score is not graded)."""
    if value is None:
        return missing
    if value >= good:
        return "good"
    return "warn" if value >= fair else "bad"


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
    # which way is better for the business; None: read from the words of its id (`better_way`)
    better: Better | None = None


# the words of a metric's id that say which way it is better, tried in this order: a cost, a gap or
# a count of problems is better lower; a flow of investing or financing cash, a balance held for
# others, a date or a budget is neither; money earned or held, a margin, a rate of use is better
# higher. A figure none of them names is neither: its change is shown, not judged.
LESS_IS_BETTER = frozenset(
    "burn cost costs expense expenses spend uncategorized duplicates unexplained liabilities debt"
    " break gap required vulnerable lead failure restore findings maintenance ending unreconciled"
    " unbilled slipped late overdue recurring churn vacancy vacant cac bounce unsubscribes"
    " overdraft".split()
)
NEITHER_WAY = frozenset(
    "investing financing deposits deferred date basis budget cap reserve".split()
)
MORE_IS_BETTER = frozenset(
    "revenue cash income noi margin runway occupancy utilization jobs job pipeline billable"
    " invoiced deploys deployments maturity roi assets equity done funded rent visits leads"
    " bookings conversion recognized profit subscribers sessions".split()
)


ID_WORDS = re.compile(r"[._-]")


def better_way(metric: Metric) -> Better:
    """Which way `metric` is better: as it says, else as the words of its id say."""
    return metric.better or way_of(metric.id)


@lru_cache(maxsize=4096)  # asked for every figure of every report, of a few hundred ids
def way_of(metric_id: str) -> Better:
    """Which way a metric is better by the words of its id (`finance.net_burn`: less)."""
    words = set(ID_WORDS.split(metric_id.partition(".")[2] or metric_id))
    for way, named in (("less", LESS_IS_BETTER), ("neither", NEITHER_WAY)):
        if words & named:
            return way
    return "more" if words & MORE_IS_BETTER else "neither"


def direction(metric: Metric, change: Decimal | int | None) -> Direction | None:
    """A change of `metric`, for the business: better, worse or neutral; None with no change."""
    if change is None:
        return None
    way = better_way(metric)
    if not change or way == "neither":
        return "neutral"
    return "better" if (change > 0) == (way == "more") else "worse"


@dataclass(frozen=True)
class MetricsFrom:
    """Metrics read from the same sources, which are said once: `metric = MetricsFrom(provenance)`,
    then `metric(id=..., label=..., value=..., unit=...)` is a `Metric` with that provenance."""

    provenance: tuple[str, ...]

    def __call__(self, **fields) -> Metric:
        return Metric(provenance=self.provenance, **fields)


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
    decision: bool = False  # its action is the owners' choice to make (Decisions needed)
    # fixed in the workspace's settings, not in the business: for whoever keeps the workspace
    # (`check`, a line of the full report), never an executive's shortfall, count or agenda
    setup: bool = False
    # its action as the report's agenda has it — who acts, by when, and whether it has slipped —
    # where the report shows it with the finding (reports/roles.py)
    step: Action | None = None


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
    finding: str = ""  # the id of the finding it acts on (one finding's, not a merged step's)
    decision: bool = False  # the owners' choice to make, not a task (Decisions needed)


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
    # what the owners must decide, from the notes (the findings' are the agenda's, marked)
    decisions: list[Action] = field(default_factory=list)
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

    def ranked_findings(self, setup: bool = False) -> list[Finding]:
        """The findings, most serious first; with `setup`, the workspace's own too."""
        return sorted(
            (f for f in self.findings if setup or not f.setup),
            key=lambda f: (SEVERITY_RANK[f.severity], f.area, f.title),
        )
