"""The email a report is sent as: what fits its readers' time, the rest in the full report.

A report has a length budget in phone screens (`[reports.<id>] screens`). The email keeps its
opening (what changed, In brief, the key numbers) and then its sections by rank — a section's rank
is its place in the report — each whole where it fits, else shortened (a table to its most
material rows, findings and actions to the most serious), else left to the full report. A section
that fits after a longer one was left out still goes in. The highest-ranked section is kept, even
alone longer than the budget (`check` warns of it). The email ends with one line saying what the
full report holds; the full report travels with it as an attachment.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from boardpack.figures import plural
from boardpack.model import Table
from boardpack.reports import length
from boardpack.reports.document import (
    APPENDIX,
    LEAD,
    TO_APPENDIX,
    ActionsBlock,
    Block,
    Document,
    FindingsBlock,
    Section,
    TableBlock,
    TextBlock,
    actions_in,
    without_metrics,
)
from boardpack.reports.plain import plain, plain_section

# how far a section is shortened, in turn, until it fits: the rows a table keeps, and the findings
# or actions a list keeps
SHORTER = ((5, 3), (3, 1))
FULL_REPORT = "full_report"  # the closing section's id
# sections an email never shortens: what the owners must decide, and their own words
WHOLE = frozenset({"executive.decisions", "commentary"})


@dataclass(frozen=True)
class Edited:
    doc: Document  # what the email shows
    left_out: tuple[str, ...]  # the sections only the full report has, by title
    over: bool  # the highest-ranked section alone is longer than the budget
    cut: bool  # a section left out or shortened: the full report travels with the email


def full_report_name(doc: Document) -> str:
    """The full report's file name, as the email attaches it."""
    return f"{doc.id}-{doc.period}.html"


def edited(doc: Document) -> Edited:
    """The email of `doc`, within `doc.screens` (the whole report when it has no budget)."""
    if not doc.screens:
        return Edited(doc, (), False, False)
    # each key number once, in the tiles; the appendix's actions at the agenda's end
    key = {m.id for m in doc.headline}
    doc = replace(doc, sections=without_metrics(without_appendix(doc.sections), key))
    data = plain(doc)
    budget = doc.screens * length.SCREEN * length.MARGIN
    lead = [s for s in data["sections"] if s["id"] in LEAD]
    used = length.head(data) + length.key_numbers(data) + sum(map(length.section, lead))
    # the closing line, naming a few sections left out
    used += height(doc, closing(doc, ("A section title",) * 4))
    # each section's versions, whole first, then shorter and shorter, with their heights
    # a section with nothing to say but a notice about its sources is the full report's: the
    # reader of an email is not the one to connect a source
    versions = {
        s.id: shorter(s, doc)
        for s in doc.sections
        if s.id not in LEAD and not notices_only(s.blocks)
    }
    # first as many sections as fit at their shortest, in rank order (the first one always)...
    chosen: dict[str, int] = {}  # section id -> the version shown (0: whole)
    for sid, kinds in versions.items():
        if used + kinds[-1][1] <= budget or not chosen:
            chosen[sid] = len(kinds) - 1
            used += kinds[-1][1]
    over = used > budget
    # ...then each of them as long as the rest allows, in rank order
    for sid, shown in chosen.items():
        now = versions[sid][shown][1]
        fits = [n for n, (_, h) in enumerate(versions[sid]) if used - now + h <= budget]
        chosen[sid] = min([shown, *fits])
        used += versions[sid][chosen[sid]][1] - now
    left_out = tuple(s.title for s in doc.sections if s.id in versions and s.id not in chosen)
    kept = tuple(
        versions[s.id][chosen[s.id]][0] if s.id in versions else s
        for s in doc.sections
        if s.id in chosen or s.id in LEAD
    )
    if not left_out and not any(chosen.values()):
        return Edited(replace(doc, sections=kept), (), over, False)
    return Edited(replace(doc, sections=(*kept, closing(doc, left_out))), left_out, over, True)


def notices_only(blocks: tuple[Block, ...]) -> bool:
    """No content: nothing, or only warnings about sources (stale, missing, not configured)."""
    return all(isinstance(b, TextBlock) and b.tone == "warn" for b in blocks)


def without_appendix(sections: tuple[Section, ...]) -> tuple[Section, ...]:
    """The agenda whole, its appendix's actions back at its end and the line pointing there gone:
    an email shortens the agenda like any list, and says how many more the full report has."""
    rest = tuple(a for s in sections if s.id == APPENDIX for a in actions_in((s,)))

    def pointer(b: Block) -> bool:
        return isinstance(b, TextBlock) and b.text.endswith(TO_APPENDIX)

    def whole(section: Section) -> Section:
        if not any(map(pointer, section.blocks)):
            return section
        return replace(
            section,
            blocks=tuple(
                replace(b, items=b.items + rest) if isinstance(b, ActionsBlock) else b
                for b in section.blocks
                if not pointer(b)
            ),
        )

    return tuple(whole(s) for s in sections if s.id != APPENDIX)


def shorter(section: Section, doc: Document) -> list[tuple[Section, int]]:
    """The section whole, then at each step of SHORTER that shortens it more, with its height."""
    versions: list[tuple[Section, int]] = []
    for rows, items in ((None, None), *(() if section.id in WHOLE else SHORTER)):
        version = section if rows is None else shortened(section, doc, rows, items)
        if all(version != v for v, _ in versions):
            versions.append((version, height(doc, version)))
    return versions


def height(doc: Document, section: Section) -> int:
    return length.section(plain_section(doc, section))


def closing(doc: Document, left_out: tuple[str, ...]) -> Section:
    """One line saying what the full report holds, and where it is."""
    also = f" It also has {', '.join(left_out)}." if left_out else ""
    online = f" Online: {doc.link}" if doc.link else ""
    text = (
        f"Attached as {full_report_name(doc)}: this report whole, every table with all its rows."
        + also
        + online
    )
    return Section(id=FULL_REPORT, title="The full report", blocks=(TextBlock(text=text),))


def shortened(section: Section, doc: Document, rows: int, items: int) -> Section:
    """The section with each table cut to its `rows` most material rows and each list of findings
    or actions to its first `items` (the most serious, the most urgent), the rest counted."""
    blocks: list[Block] = []
    for b in section.blocks:
        if isinstance(b, TableBlock) and len(b.table.rows) > rows:
            kept = material_rows(b.table, doc, rows)
            rest = len(b.table.rows) - len(kept)
            blocks += [
                replace(b, table=replace(b.table, rows=kept)),
                TextBlock(text=f"And {plural(rest, 'more row')} in the full report."),
            ]
        elif isinstance(b, (FindingsBlock, ActionsBlock)) and len(b.items) > items:
            noun = (
                "finding"
                if isinstance(b, FindingsBlock)
                else "decision"
                if section.id == "executive.decisions"
                else "action"
            )
            rest = len(b.items) - items
            blocks += [
                replace(b, items=b.items[:items]),
                TextBlock(text=f"And {plural(rest, f'more {noun}')} in the full report."),
            ]
        else:
            blocks.append(b)
    return replace(section, blocks=tuple(blocks))


def material_rows(table: Table, doc: Document, count: int) -> tuple[dict, ...]:
    """The rows a shortened table keeps, in their own order. A table by month, week or day keeps
    the `count` nearest the period reported, the period itself included: the months up to it, or a
    forecast's first ones. Any other keeps every row of the period and every total, then the rows
    with the largest amounts."""
    first = table.columns[0].id if table.columns else ""
    labels = [row.get(first) for row in table.rows]
    if labels and all(isinstance(v, str) and dated(v) for v in labels):
        upto = [n for n, v in enumerate(labels) if v[:7] <= doc.period]
        keep = set(upto[-count:] if upto else range(count))
        return tuple(row for n, row in enumerate(table.rows) if n in keep)
    numeric = [c.id for c in table.columns if c.numeric]

    def size(row: dict) -> Decimal:
        values = [abs(Decimal(row[c])) for c in numeric if isinstance(row.get(c), (int, Decimal))]
        return max(values, default=Decimal(0))

    def always(row: dict) -> bool:
        texts = [str(v) for v in row.values() if isinstance(v, str)]
        return any(t in (doc.period, doc.period_title) for t in texts) or any(
            t.startswith(("Total", "Net ")) for t in texts[:1]
        )

    chosen = {i for i, row in enumerate(table.rows) if always(row)}
    for i in sorted(range(len(table.rows)), key=lambda i: -size(table.rows[i])):
        if len(chosen) >= count:
            break
        chosen.add(i)
    return tuple(row for i, row in enumerate(table.rows) if i in chosen)


def dated(label: str) -> bool:
    """A month (`2026-10`) or a day (`2026-10-04`), as tables label their rows by time."""
    shape = len(label) in (7, 10) and label[4:5] == "-"
    return shape and label[:4].isdigit() and label[5:7].isdigit()
