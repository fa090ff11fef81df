"""Pack lint: what a board would catch reading the pack, checked before it is sent — a figure with
two values or two verdicts across the reports, an amount in a sentence that no figure of the pack
is, an email that shows a section with nothing in it, only a notice about a source or how to set
the workspace up, an email past its screens. `check` prints what it finds; the tests hold the
demo's packs to none."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from itertools import combinations

from boardpack.model import Results
from boardpack.reports import length
from boardpack.reports.document import ActionsBlock, Document, FindingsBlock, TextBlock
from boardpack.reports.edit import FULL_REPORT, Edited, edited, notices_only
from boardpack.reports.plain import plain

# an amount of money as a sentence writes it: `8,186 USD`, `-59.7k USD`, `8,185.76 USD`
AMOUNT = re.compile(r"(?<![\w.,])(\d[\d,]*(?:\.\d+)?)(k?) ([A-Z]{3})\b")
FOOTNOTE = re.compile(r"\[(\d+)\]")
OWNERS_WORDS = "commentary"  # the owner's commentary: their numbers are theirs


def lint(
    documents: list[Document],
    results: Results | None = None,
    emails: dict[str, Edited] | None = None,
) -> list[str]:
    """What is wrong with the pack, a line each; none when it reads as one document. With the
    pack's `results`, every amount a sentence says is checked against the figures it computed;
    `emails`, each report's email where the caller has edited it already (by report id)."""
    said: list[str] = []
    known = computed(results, documents) if results is not None else None
    first: dict[str, tuple[object, object, str]] = {}  # metric id -> value, status, report
    for doc in documents:
        for m in doc.footnotes:
            value, status, where = first.setdefault(m.id, (m.value, m.status, doc.id))
            if (m.value, m.status) != (value, status):
                said.append(
                    f"{m.id} reads {m.value} ({m.status or 'no verdict'}) in the {doc.id} report"
                    f" and {value} ({status or 'no verdict'}) in the {where} report"
                )
        said += email_problems(doc, (emails or {}).get(doc.id))
        if known is not None:
            said += untraced(doc, known)
    return said


def whole(value) -> Decimal | None:
    """An amount's size to the whole unit, as a sentence may round it; None if it is no number."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        return None
    return abs(Decimal(value)).quantize(Decimal(1), ROUND_HALF_UP)  # as figures.py rounds


def computed(results: Results, documents: list[Document]) -> set[Decimal]:
    """Every amount the pack computed, to the whole unit: each metric's value, its previous and
    year-earlier values and its moves, and every table's cells."""
    values: list = [m.value for m in results.metrics.values()]
    values += [v for t in results.tables.values() for row in t.rows for v in row.values()]
    for doc in documents:
        for m in doc.footnotes:
            for then in (doc.previous.get(m.id), doc.year_earlier.get(m.id)):
                values.append(then)
                if whole(then) is not None and whole(m.value) is not None:
                    values.append(m.value - then)
    return {w for w in map(whole, values) if w is not None}


def sentences(doc: Document) -> Iterator[tuple[str, str]]:
    """Each sentence the report writes, with where: its text blocks (the owner's commentary
    aside), each finding's title and evidence, each action's title."""
    for section in doc.sections:
        if section.id == OWNERS_WORDS:
            continue
        for b in section.blocks:
            if isinstance(b, TextBlock):
                yield section.title, b.text
            elif isinstance(b, FindingsBlock):
                yield from ((section.title, f"{f.title}. {f.evidence}") for f in b.items)
            elif isinstance(b, ActionsBlock):
                yield from ((section.title, a.title) for a in b.items)


def untraced(doc: Document, known: set[Decimal]) -> list[str]:
    """The amounts the report's sentences say that no figure of the pack is — nor the difference
    of two figures the same sentence footnotes ("16,455 USD below the budget's 6,850 USD [5]")."""
    by_number = {n: m for n, m in enumerate(doc.footnotes, start=1)}
    said = []
    for where, text in sentences(doc):
        cited = [by_number[int(n)].value for n in FOOTNOTE.findall(text) if int(n) in by_number]
        apart = {
            whole(a - b)
            for a, b in combinations(cited, 2)
            if whole(a) is not None and whole(b) is not None
        }
        for number, thousands, code in AMOUNT.findall(text):
            size = Decimal(number.replace(",", "")) * (1000 if thousands else 1)
            if not traced(size, bool(thousands), known | apart):
                said.append(
                    f"the {doc.id} report's {where!r} says {number}{thousands} {code}, which no"
                    " figure of the pack is"
                )
    return said


def traced(size: Decimal, in_thousands: bool, known: set[Decimal]) -> bool:
    """Whether an amount is one of `known`, as read: to the unit, or to the tenth of a thousand."""
    if in_thousands:
        return any(abs(k - size) <= 50 for k in known)
    return whole(size) in known


def email_problems(doc: Document, email: Edited | None = None) -> list[str]:
    email = email or edited(doc)
    said = [
        f"the {doc.id} email shows {s.title!r} with nothing in it but a notice about its sources"
        for s in email.doc.sections
        if notices_only(s.blocks)
    ] + [
        f"the {doc.id} email tells its reader how to set up the workspace, in {s.title!r}"
        for s in email.doc.sections
        if any(
            isinstance(b, TextBlock) and (b.setup or "boardpack.toml" in b.text) for b in s.blocks
        )
    ]
    if doc.screens and not email.over:
        data = plain(email.doc)
        shown = [s for s in data["sections"] if s["id"] != FULL_REPORT]
        height = length.head(data) + length.key_numbers(data) + sum(map(length.section, shown))
        if height > doc.screens * length.SCREEN:
            said.append(
                f"the {doc.id} email is {height / length.SCREEN:.1f} phone screens long, past its"
                f" {doc.screens}"
            )
    return said
