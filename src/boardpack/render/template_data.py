"""What a report template sees: the document as plain data, every figure worked out beforehand.

Dicts, lists, strings, numbers, Decimal, dates and None only — never a Document, a Path or anything
with methods — so that a template, which may be someone else's, can read the report and nothing
else. What a template used to ask an object for (a footnote's number, a metric's change, a bar's
length) is here already.
"""

from __future__ import annotations

from typing import Any

from boardpack.model import Metric
from boardpack.render.branding import Brand
from boardpack.render.values import footnote_text, standing
from boardpack.reports.document import (
    LEAD,
    ActionsBlock,
    Block,
    ChartBlock,
    Document,
    FindingsBlock,
    MetricsBlock,
    TableBlock,
)


def report_data(doc: Document, brand: Brand, logo: str | None, rows: int | None) -> dict[str, Any]:
    """The context of `report.html.j2`: `doc`, `brand`, `logo` (its src, or None) and `rows` (a cut,
    or None)."""
    numbers = {m.id: n for n, m in enumerate(doc.footnotes, start=1)}

    def metric(m: Metric) -> dict:
        return {
            "id": m.id,
            "label": m.label,
            "value": m.value,
            "unit": m.unit,
            "target": m.target,
            "status": m.status,
            "note": m.note,
            "provenance": list(m.provenance),
            "footnote": numbers.get(m.id),
            "footnote_text": footnote_text(m),
            "change": doc.change(m),
            "change_on_year": doc.change_on_year(m),
        }

    def block(b: Block) -> dict:
        if isinstance(b, MetricsBlock):
            return {"type": "metrics", "items": [metric(m) for m in b.items]}
        if isinstance(b, TableBlock):
            t = b.table
            return {
                "type": "table",
                "id": t.id,
                "table": {
                    "id": t.id,
                    "title": t.title,
                    "note": t.note,
                    "provenance": list(t.provenance),
                    "columns": [
                        {"id": c.id, "label": c.label, "numeric": c.numeric} for c in t.columns
                    ],
                    "rows": [dict(row) for row in t.rows],
                },
            }
        if isinstance(b, FindingsBlock):
            return {
                "type": "findings",
                "items": [
                    {
                        "severity": f.severity,
                        "area": f.area,
                        "title": f.title,
                        "evidence": f.evidence,
                        "action": f.action,
                        "entity": f.entity,
                        "standing": standing(f),
                        "url": f.url,
                    }
                    for f in b.items
                ],
            }
        if isinstance(b, ActionsBlock):
            return {
                "type": "actions",
                "items": [
                    {
                        "priority": i,
                        "title": a.title,
                        "owner": a.owner,
                        "due": a.due,
                        "entity": a.entity,
                        "overdue": a.due is not None and a.due < doc.as_of,
                        "url": a.url,
                    }
                    for i, a in enumerate(b.items, start=1)
                ],
            }
        if isinstance(b, ChartBlock):
            return {
                "type": "chart",
                "id": b.id,
                "title": b.title,
                "unit": b.unit,
                "series": list(b.series),
                "note": b.note,
                "rows": [
                    {"label": label, "bars": [{"value": v, "share": b.share(v)} for v in values]}
                    for label, values in b.rows
                ],
            }
        return {"type": "text", "text": b.text, "tone": b.tone}

    data = {
        "id": doc.id,
        "title": doc.title,
        "subject": doc.subject,
        "organization": doc.organization,
        "ventures": list(doc.ventures),
        "period": doc.period,
        "period_title": doc.period_title,
        "basis": doc.basis,
        "as_of": doc.as_of,
        "generated": doc.generated_at.strftime("%Y-%m-%d %H:%M %Z"),
        "generated_at": doc.generated_at.isoformat(),
        "previous_title": doc.previous_title,
        "link": doc.link,
        "year_earlier_title": doc.year_earlier_title,
        "sources": [
            {
                "name": s.name,
                "state": s.state,
                "freshness": s.freshness,
                "records": s.records,
                "paths": list(s.paths),
                "problems": s.problems,
            }
            for s in doc.sources
        ],
        "headline": [metric(m) for m in doc.headline],
        "footnotes": [metric(m) for m in doc.footnotes],
        "sections": [
            {
                "id": s.id,
                "title": s.title,
                "lead": s.id in LEAD,  # shown before the key numbers
                "blocks": [block(b) for b in s.blocks],
            }
            for s in doc.sections
        ],
    }
    shown = {
        "accent": brand.accent,
        "footer": brand.footer,
        "logo": {"width": brand.logo.width, "height": brand.logo.height} if brand.logo else None,
    }
    return {"doc": data, "brand": shown, "logo": logo, "rows": rows}
