"""How a value reads in a report: the figures themselves as `boardpack.figures` writes them (the
summary's sentences use the same functions), a metric's footnote, and its moves."""

from __future__ import annotations

from boardpack.figures import NO_DATA, cell_text, change_text, value_text
from boardpack.model import Finding, Metric
from boardpack.reports.document import Document

__all__ = [
    "NO_DATA",
    "cell_text",
    "change_text",
    "changes",
    "footnote_text",
    "standing",
    "value_text",
]


def footnote_text(metric) -> str:
    parts = [metric.note] if metric.note else []
    if metric.provenance:
        parts.append("Source: " + ", ".join(metric.provenance))
    return f"{metric.label} ({metric.id}): " + ". ".join(parts)


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


def standing(f: Finding) -> str:
    """A finding against the last pack: "new", "open 3 periods"; nothing with no last pack."""
    if f.status == "new":
        return "new"
    return f"open {f.age} periods" if f.status == "recurring" else ""
