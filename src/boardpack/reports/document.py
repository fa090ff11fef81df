"""The report document: plain data that every renderer reads and the audit trail hashes."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

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


LEAD = (
    "changes",
    "summary",
)  # sections shown before the key numbers: what changed for you, in brief


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
    footnotes: tuple[Metric, ...] = field(
        default=()
    )  # every metric shown, in order of first appearance
    headline: tuple[Metric, ...] = ()  # the role's key numbers, shown first
    previous: dict[str, Decimal | int] = field(
        default_factory=dict
    )  # metric id -> the previous period's value
    previous_title: str = ""  # "September 2026"
    year_earlier: dict[str, Decimal | int] = field(
        default_factory=dict
    )  # metric id -> the same period's value a year earlier, where the ledger reaches back
    year_earlier_title: str = ""  # "October 2025"
    basis: str = "cash"  # the profit and loss basis every figure is on: "cash" or "accrual"
    link: str = ""  # the report in the owner's archive ([links] archive), if one is named

    def footnote_number(self, metric_id: str) -> int:
        return next(i for i, m in enumerate(self.footnotes, start=1) if m.id == metric_id)

    def change(self, metric: Metric) -> Decimal | int | None:
        """How far the metric moved since the previous period, where both periods have a value."""
        return moved(metric, self.previous.get(metric.id))

    def change_on_year(self, metric: Metric) -> Decimal | int | None:
        """How far the metric moved since the same period a year earlier, where both have one."""
        return moved(metric, self.year_earlier.get(metric.id))

    def content_hash(self) -> str:
        """What the recipients read, hashed for the audit trail (the generation time left out)."""
        body = to_json(self)
        del body["generated_at"]
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def moved(metric: Metric, before) -> Decimal | int | None:
    numbers = (Decimal, int)
    if not isinstance(before, numbers) or not isinstance(metric.value, numbers):
        return None  # no value to compare, or a date
    return metric.value - before


def exact(value):
    """Decimals as strings, dates as ISO text: exact and portable."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def to_json(doc: Document) -> dict:
    """The stable JSON form of a report (see DESIGN: 'The JSON form of a report')."""
    return {
        "id": doc.id,
        "title": doc.title,
        "subject": doc.subject,
        "organization": doc.organization,
        "period": doc.period,
        "basis": doc.basis,
        "link": doc.link or None,
        "as_of": doc.as_of.isoformat(),
        "generated_at": doc.generated_at.isoformat(),
        "sources": [
            {
                "name": s.name,
                "state": s.state,
                "freshness": exact(s.freshness),
                "records": s.records,
                "paths": list(s.paths),
                "problems": s.problems,
            }
            for s in doc.sources
        ],
        "headline": [m.id for m in doc.headline],
        "sections": [
            {"id": s.id, "title": s.title, "blocks": [block_json(b, doc) for b in s.blocks]}
            for s in doc.sections
        ],
    }


def block_json(block: Block, doc: Document) -> dict:
    if isinstance(block, MetricsBlock):
        return {
            "type": "metrics",
            "items": [
                {
                    "id": m.id,
                    "label": m.label,
                    "value": exact(m.value),
                    "unit": m.unit,
                    "target": exact(m.target),
                    "status": m.status,
                    "previous": exact(doc.previous.get(m.id)),
                    "year_earlier": exact(doc.year_earlier.get(m.id)),
                    "provenance": list(m.provenance),
                    "note": m.note,
                }
                for m in block.items
            ],
        }
    if isinstance(block, TableBlock):
        t = block.table
        return {
            "type": "table",
            "id": t.id,
            "title": t.title,
            "note": t.note,
            "columns": [{"id": c.id, "label": c.label} for c in t.columns],
            "rows": [{k: exact(v) for k, v in row.items()} for row in t.rows],
        }
    if isinstance(block, FindingsBlock):
        return {
            "type": "findings",
            "items": [
                {
                    "severity": f.severity,
                    "entity": f.entity,
                    "area": f.area,
                    "title": f.title,
                    "evidence": f.evidence,
                    "action": f.action,
                    "id": f.id,
                    "status": f.status,
                    "age": f.age,
                    "url": f.url or None,
                }
                for f in block.items
            ],
        }
    if isinstance(block, ActionsBlock):
        return {
            "type": "actions",
            "items": [
                {
                    "priority": i,
                    "owner": a.owner,
                    "due": exact(a.due),
                    "title": a.title,
                    "entity": a.entity,
                    "id": a.id,
                    "status": a.status,
                    "url": a.url or None,
                }
                for i, a in enumerate(block.items, start=1)
            ],
        }
    if isinstance(block, ChartBlock):
        return {
            "type": "chart",
            "id": block.id,
            "title": block.title,
            "unit": block.unit,
            "series": list(block.series),
            "rows": [
                {"label": label, "values": [exact(v) for v in values]}
                for label, values in block.rows
            ],
            "note": block.note,
        }
    return {"type": "text", "text": block.text, "tone": block.tone}
