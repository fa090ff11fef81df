"""The one plain-data form of a report: what every output reads, and nothing else does.

`plain(doc)` walks the document once and gives dicts, lists, strings, numbers, `Decimal`, dates
and None — never a `Document` or anything with methods, so that a workspace's own template can read
it safely. It holds everything a format needs: each value and how it reads (`shown`), its changes
and how they read (`moves`), statuses, footnote numbers and texts, a finding's and an action's
standing, and what is said where there is nothing (a section with no blocks, a table or a chart
with no rows). The JSON form (`json_form`), the HTML template, text, Markdown, the XLSX workbook
and the chat cards all read it; `BLOCK_TYPES` are the `type`s a block may have.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from boardpack.figures import NO_DATA, cell_text, change_text, plural, reading, value_text
from boardpack.model import Action, Finding, Metric, Table, direction
from boardpack.reports.document import (
    LEAD,
    NO_DATA_TEXT,
    NO_ROWS,
    ActionsBlock,
    Block,
    ChartBlock,
    Document,
    FindingsBlock,
    MetricsBlock,
    Section,
    TableBlock,
    moved,
    without_metrics,
)

BLOCK_TYPES = ("metrics", "table", "findings", "actions", "chart", "text")
JUDGED = {"better": ", better", "worse": ", worse"}
Data = dict[str, Any]


def plain(doc: Document, whole: bool = False) -> Data:
    """The report as plain data (see the module's docstring), its figures read as it says. As its
    reader sees it, each key number is in the tiles only; `whole` keeps each section's figures as
    the document has them (the JSON form, the workbook: the data).

    Made once a document and kept on it, as `functools.cached_property` keeps a value: a
    `Document` is frozen, and each format, the email's editor, the lint and the audit trail's hash
    read the same plain form. Its readers never change it."""
    kept = doc.__dict__.setdefault("_plain", {})
    if whole not in kept:
        shown = doc
        if not whole:
            key = {m.id for m in doc.headline}
            shown = replace(doc, sections=without_metrics(doc.sections, key))
        with reading(doc.reading):
            kept[whole] = plain_data(shown)
    return kept[whole]


def plain_section(doc: Document, section: Section) -> Data:
    """One section as `plain(doc)` would give it, without walking the rest of the report (an
    email's editor weighs each section's versions apart)."""
    (section,) = without_metrics((section,), {m.id for m in doc.headline})
    with reading(doc.reading):
        return section_data(section, doc, footnote_numbers(doc))


def footnote_numbers(doc: Document) -> dict[str, int]:
    return {m.id: n for n, m in enumerate(doc.footnotes, start=1)}


def section_data(s: Section, doc: Document, numbers: dict[str, int]) -> Data:
    return {
        "id": s.id,
        "title": s.title,
        "lead": s.id in LEAD,  # shown before the key numbers
        # a section with nothing in it says so, the same in every format
        "blocks": [block(b, doc, numbers) for b in s.blocks]
        or [{"type": "text", "text": NO_DATA_TEXT, "tone": "info"}],
    }


def plain_data(doc: Document) -> Data:
    numbers = footnote_numbers(doc)
    return {
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
        "year_earlier_title": doc.year_earlier_title,
        "link": doc.link,
        "sources": [
            {
                "name": s.name,
                "state": s.state,
                "freshness": s.freshness,
                "records": s.records,
                "paths": list(s.paths),
                "problems": s.problems,
                **({"snapshot": s.snapshot} if s.snapshot else {}),
            }
            for s in doc.sources
        ],
        "headline": [metric(m, doc, numbers) for m in doc.headline],
        "footnotes": [metric(m, doc, numbers) for m in doc.footnotes],
        "sections": [section_data(s, doc, numbers) for s in doc.sections],
    }


def block(b: Block, doc: Document, numbers: dict[str, int]) -> Data:
    """The one walk over a document's blocks: each as plain data, by its type."""
    if isinstance(b, MetricsBlock):
        return {"type": "metrics", "items": [metric(m, doc, numbers) for m in b.items]}
    if isinstance(b, TableBlock):
        return {"type": "table", "id": b.table.id, "table": table(b.table)}
    if isinstance(b, FindingsBlock):
        return {"type": "findings", "items": [finding(f, doc.as_of) for f in b.items]}
    if isinstance(b, ActionsBlock):
        items = [action(a, n, doc.as_of) for n, a in enumerate(b.items, start=1)]
        return {"type": "actions", "items": items}
    if isinstance(b, ChartBlock):
        return chart(b)
    return {"type": "text", "text": b.text, "tone": b.tone}


def metric(m: Metric, doc: Document, numbers: dict[str, int]) -> Data:
    """A figure, as a tile reads it: in thousands where the report reads in whole units."""
    with reading(doc.reading.tiles()):
        return metric_data(m, doc, numbers)


def metric_data(m: Metric, doc: Document, numbers: dict[str, int]) -> Data:
    previous, year_earlier = doc.previous.get(m.id), doc.year_earlier.get(m.id)
    change, on_year = moved(m, previous), moved(m, year_earlier)
    # each move, and whether it is better or worse for the business, said in words (never colour
    # alone): "▲ 1,200.00 USD since September 2026, worse" for a cost
    changes = [
        {
            "text": f"{change_text(by, m.unit)} {word} {title}" + JUDGED.get(way, ""),
            "direction": way,
        }
        for by, word, title in (
            (change, "since", doc.previous_title),
            (on_year, "against", doc.year_earlier_title),
        )
        if (way := direction(m, by)) is not None
    ]
    return {
        "id": m.id,
        "label": m.label,
        "value": m.value,
        "shown": value_text(m.value, m.unit),
        "unit": m.unit,
        "target": m.target,
        "target_shown": None if m.target is None else value_text(m.target, m.unit),
        "status": m.status,
        "note": m.note,
        "provenance": list(m.provenance),
        "footnote": numbers.get(m.id),
        "footnote_text": footnote_text(m),
        "previous": previous,
        "year_earlier": year_earlier,
        "change": change,
        "change_on_year": on_year,
        "direction": direction(m, change),
        "direction_on_year": direction(m, on_year),
        "changes": changes,
        "moves": [c["text"] for c in changes],
    }


def table(t: Table) -> Data:
    return {
        "id": t.id,
        "title": t.title,
        "note": t.note,
        "provenance": list(t.provenance),
        "columns": [{"id": c.id, "label": c.label, "numeric": c.numeric} for c in t.columns],
        "rows": [dict(row) for row in t.rows],
        # each row's cells as they read, in the columns' order
        "cells": [[cell_text(row.get(c.id)) for c in t.columns] for row in t.rows],
        "empty": "" if t.rows else NO_ROWS,  # said instead of the rows when there are none
    }


def finding(f: Finding, as_of: date) -> Data:
    step = action(f.step, 0, as_of) if f.step else None
    return {
        "severity": f.severity,
        "entity": f.entity,
        "area": f.area,
        "title": f.title,
        "evidence": f.evidence,
        "action": f.action,
        # its action as the agenda has it (id, owner, first due date, status), and who acts and
        # by when, as it reads: "cto, due 2026-11-24, 3 days late"
        "step": step and {k: step[k] for k in ("id", "owner", "due", "status", "days_late")},
        "who": ", ".join(
            filter(None, [step["owner"], f"due {step['due_shown']}", step["late_shown"]])
        )
        if step
        else "",
        "id": f.id,
        "status": f.status,
        "age": f.age,
        "standing": standing(f),
        "url": f.url,
    }


def action(a: Action, priority: int, as_of: date) -> Data:
    late = (as_of - a.due).days if a.due is not None and a.due < as_of else 0
    return {
        "priority": priority,
        "owner": a.owner,
        "due": a.due,
        "due_shown": str(a.due) if a.due else NO_DATA,
        "title": a.title,
        "entity": a.entity,
        "id": a.id,
        "status": a.status,
        "overdue": late > 0,
        "days_late": late,
        "late_shown": f"{plural(late, 'day')} late" if late else "",
        "url": a.url,
    }


def chart(b: ChartBlock) -> Data:
    return {
        "type": "chart",
        "id": b.id,
        "title": b.title,
        "unit": b.unit,
        "series": list(b.series),
        "note": b.note,
        "empty": "" if b.rows else NO_ROWS,
        "rows": [
            {
                "label": label,
                "values": list(values),
                "bars": [
                    {"value": v, "shown": cell_text(v), "share": b.share(v)} for v in values
                ],
            }
            for label, values in b.rows
        ],
    }


def footnote_text(m: Metric) -> str:
    parts = [m.note] if m.note else []
    if m.provenance:
        parts.append("Source: " + ", ".join(m.provenance))
    return f"{m.label} ({m.id}): " + ". ".join(parts)


def standing(f: Finding) -> str:
    """A finding against the last pack: "new", "open 3 periods"; nothing with no last pack."""
    if f.status == "new":
        return "new"
    return f"open {f.age} periods" if f.status == "recurring" else ""


def content_hash(doc: Document) -> str:
    """What the recipients read, hashed for the audit trail (the generation time left out)."""
    body = json_form(plain(doc, whole=True))
    del body["generated_at"]
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def blocks_of(data: Data, kind: str) -> list[Data]:
    """Every block of one type, section by section (what a workbook or a card collects)."""
    return [b for s in data["sections"] for b in s["blocks"] if b["type"] == kind]


def exact(value):
    """Decimals as strings, dates as ISO text: exact and portable."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def json_form(data: Data) -> Data:
    """The stable JSON form of a report (DESIGN: 'The JSON form of a report'), from the plain data:
    its ids and keys stay as they are; a key may be added, never changed."""
    return {
        "id": data["id"],
        "title": data["title"],
        "subject": data["subject"],
        "organization": data["organization"],
        "period": data["period"],
        "basis": data["basis"],
        "link": data["link"] or None,
        "as_of": exact(data["as_of"]),
        "generated_at": data["generated_at"],
        "sources": [s | {"freshness": exact(s["freshness"])} for s in data["sources"]],
        "headline": [m["id"] for m in data["headline"]],
        "sections": [
            {"id": s["id"], "title": s["title"], "blocks": [block_json(b) for b in s["blocks"]]}
            for s in data["sections"]
        ],
    }


def block_json(b: Data) -> Data:
    kind = b["type"]
    if kind == "metrics":
        keys = ("id", "label", "value", "unit", "target", "status", "previous", "year_earlier")
        keys += ("direction", "direction_on_year")
        items = [
            {k: exact(m[k]) for k in keys} | {"provenance": m["provenance"], "note": m["note"]}
            for m in b["items"]
        ]
        return {"type": kind, "items": items}
    if kind == "table":
        t = b["table"]
        return {
            "type": kind,
            "id": t["id"],
            "title": t["title"],
            "note": t["note"],
            "columns": [{"id": c["id"], "label": c["label"]} for c in t["columns"]],
            "rows": [{k: exact(v) for k, v in row.items()} for row in t["rows"]],
        }
    if kind == "findings":
        keys = ("severity", "entity", "area", "title", "evidence", "action", "id", "status", "age")
        items = [
            {k: f[k] for k in keys}
            | {"url": f["url"] or None}
            | {"step": f["step"] and {k: exact(v) for k, v in f["step"].items()}}
            for f in b["items"]
        ]
        return {"type": kind, "items": items}
    if kind == "actions":
        keys = ("priority", "owner", "due", "title", "entity", "id", "status", "days_late")
        items = [{k: exact(a[k]) for k in keys} | {"url": a["url"] or None} for a in b["items"]]
        return {"type": kind, "items": items}
    if kind == "chart":
        rows = [{"label": r["label"], "values": [exact(v) for v in r["values"]]} for r in b["rows"]]
        keys = ("id", "title", "unit", "series")
        return {"type": kind} | {k: b[k] for k in keys} | {"rows": rows, "note": b["note"]}
    return {"type": kind, "text": b["text"], "tone": b["tone"]}
