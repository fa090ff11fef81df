"""How a value reads in a report: exact figures, thousands separators, units, a dash for no data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from boardpack.model import Metric
    from boardpack.reports.document import Document

NO_DATA = "—"


def value_text(value, unit: str = "") -> str:
    if value is None:
        return NO_DATA
    number = cell_text(value)
    if unit == "%":
        return f"{number}%"
    if unit == "×":
        return f"{number}×"
    if value == 1 and unit.endswith("s"):
        unit = unit[:-1]  # 1 transaction, 1 month
    return f"{number} {unit}".strip()


def cell_text(value) -> str:
    if value is None:
        return NO_DATA
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, (Decimal, int)):
        return f"{value:,}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def footnote_text(metric) -> str:
    parts = [metric.note] if metric.note else []
    if metric.provenance:
        parts.append("Source: " + ", ".join(metric.provenance))
    return f"{metric.label} ({metric.id}): " + ". ".join(parts)


def change_text(change, unit: str = "") -> str:
    """A move since the previous period: `▲ 1,200.00 USD`, `▼ 0.4 months`, `no change`. Percentages
    move in points, not percent of themselves."""
    if change is None:
        return ""
    if not change:
        return "no change"
    size = abs(change)
    amount = f"{cell_text(size)} pts" if unit == "%" else value_text(size, unit)
    return f"{'▲' if change > 0 else '▼'} {amount}"


def changes(doc: Document, m: Metric) -> list[str]:
    """Its moves since the previous period and against the same period a year earlier."""
    return [
        f"{change_text(change, m.unit)} {word} {title}"
        for change, word, title in (
            (doc.change(m), "since", doc.previous_title),
            (doc.change_on_year(m), "against", doc.year_earlier_title),
        )
        if change is not None
    ]
