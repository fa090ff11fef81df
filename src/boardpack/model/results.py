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
from typing import Literal

Status = Literal["good", "warn", "bad"]
Severity = Literal["critical", "high", "medium", "low", "info"]
SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}


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
