"""The report document: plain data that every renderer reads and the audit trail hashes."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from boardpack.figures import Reading
from boardpack.model import Action, Finding, Metric, Table


@dataclass(frozen=True, kw_only=True)
class MetricsBlock:
    items: tuple[Metric, ...]
    type: Literal["metrics"] = "metrics"


@dataclass(frozen=True, kw_only=True)
class TableBlock:
    table: Table
    type: Literal["table"] = "table"


@dataclass(frozen=True, kw_only=True)
class FindingsBlock:
    items: tuple[Finding, ...]
    type: Literal["findings"] = "findings"


@dataclass(frozen=True, kw_only=True)
class ActionsBlock:
    items: tuple[Action, ...]
    type: Literal["actions"] = "actions"


@dataclass(frozen=True, kw_only=True)
class TextBlock:
    text: str
    tone: Literal["info", "warn"] = "info"
    # what the workspace does not configure, and how to: its owner's, set apart from the report's
    # sections as it is built (`Document.setup`, `check`)
    setup: bool = False
    type: Literal["text"] = "text"


@dataclass(frozen=True, kw_only=True)
class ChartBlock:
    """Bars, one per row and series: drawn with HTML and CSS in email (no script, SVG or remote
    image, so every mail client shows them) and with characters in plain text."""

    id: str
    title: str
    unit: str
    series: tuple[str, ...]
    rows: tuple[tuple[str, tuple[Decimal | int, ...]], ...]  # (label, one value per series)
    note: str = ""
    type: Literal["chart"] = "chart"

    def share(self, value: Decimal | int) -> int:
        """A bar's length, in percent of the longest; a value that is not zero shows at least a
        sliver."""
        top = max((abs(v) for _, values in self.rows for v in values), default=0)
        return 0 if not top or not value else max(1, round(100 * abs(value) / top))


Block = MetricsBlock | TableBlock | FindingsBlock | ActionsBlock | ChartBlock | TextBlock


# sections shown before the key numbers: what changed for you, in brief
LEAD = ("changes", "summary")
# what every format says for a section with nothing in it, and for a table or chart with no rows
NO_DATA_TEXT = "No data for this period."
NO_ROWS = "No rows for this period."
# the agenda's appendix: the actions past the agenda's size, at the end of the full report (an
# email leaves it there, and the agenda's line pointing to it)
APPENDIX = "executive.agenda_rest"
TO_APPENDIX = "in the appendix, in the same order."


@dataclass(frozen=True, kw_only=True)
class Section:
    id: str
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True, kw_only=True)
class SourceLine:
    name: str
    state: str  # fresh | stale | missing | failed
    freshness: date | None
    records: int
    paths: tuple[str, ...]
    problems: int
    snapshot: str = ""  # a live source's: "live, pulled …, snapshot 3f2a9c1b"


@dataclass(frozen=True, kw_only=True)
class Document:
    id: str
    title: str
    subject: str
    organization: str
    ventures: tuple[str, ...]  # the ventures it covers, by name
    period: str
    period_title: str
    as_of: date
    generated_at: datetime
    sources: tuple[SourceLine, ...]
    sections: tuple[Section, ...]
    # every metric shown, in order of first appearance
    footnotes: tuple[Metric, ...] = ()
    # the role's key numbers, shown first
    headline: tuple[Metric, ...] = ()
    # metric id -> the previous period's value
    previous: dict[str, Decimal | int] = field(default_factory=dict)
    previous_title: str = ""  # "September 2026"
    # metric id -> the same period's value a year earlier, where the ledger reaches back
    year_earlier: dict[str, Decimal | int] = field(default_factory=dict)
    year_earlier_title: str = ""  # "October 2025"
    # the profit and loss basis every figure is on: "cash" or "accrual"
    basis: str = "cash"
    # the report in the owner's archive ([links] archive), if one is named
    link: str = ""
    # its email's length budget in phone screens ([reports.<id>] screens); 0: sent whole
    screens: int = 0
    # how its figures read: precision, currency symbol, negatives (figures.py)
    reading: Reading = field(default_factory=Reading)
    # what the workspace does not configure that its sections would show, and how to: for whoever
    # keeps the workspace (`check`), not the report's reader; the report's last line names it
    setup: tuple[str, ...] = ()

    def footnote_number(self, metric_id: str) -> int:
        return next(i for i, m in enumerate(self.footnotes, start=1) if m.id == metric_id)


def findings_in(sections: tuple[Section, ...]) -> list[Finding]:
    """Every finding these sections show, in order."""
    return [f for s in sections for b in s.blocks if isinstance(b, FindingsBlock) for f in b.items]


def metrics_in(sections: tuple[Section, ...]) -> tuple[Metric, ...]:
    """Every figure these sections show, once each, in order of first sight."""
    seen: dict[str, Metric] = {}
    for s in sections:
        for m in (m for b in s.blocks if isinstance(b, MetricsBlock) for m in b.items):
            seen.setdefault(m.id, m)
    return tuple(seen.values())


def actions_in(sections: tuple[Section, ...]) -> list[Action]:
    """Every action these sections ask for, in order."""
    return [a for s in sections for b in s.blocks if isinstance(b, ActionsBlock) for a in b.items]


def without_metrics(sections: tuple[Section, ...], ids: set[str]) -> tuple[Section, ...]:
    """The sections with the metrics `ids` taken out of their figures; a block left with none goes,
    and so does a section left with nothing (one that had nothing still says so)."""
    out = []
    for section in sections:
        blocks = []
        for b in section.blocks:
            if isinstance(b, MetricsBlock):
                b = replace(b, items=tuple(m for m in b.items if m.id not in ids))
                if not b.items:
                    continue
            blocks.append(b)
        if blocks or not section.blocks:
            out.append(replace(section, blocks=tuple(blocks)))
    return tuple(out)


def moved(metric: Metric, before) -> Decimal | int | None:
    numbers = (Decimal, int)
    if not isinstance(before, numbers) or not isinstance(metric.value, numbers):
        return None  # no value to compare, or a date
    return metric.value - before
