"""Pack lint: what a board would catch reading the pack, checked before it is sent — a figure with
two values or two verdicts across the reports, an email that shows a section with nothing in it or
only a notice about a source, an email past its screens. `check` prints what it finds; the tests
hold the demo's packs to none."""

from __future__ import annotations

from boardpack.reports import length
from boardpack.reports.document import Document
from boardpack.reports.edit import FULL_REPORT, edited, notices_only
from boardpack.reports.plain import plain


def lint(documents: list[Document]) -> list[str]:
    """What is wrong with the pack, a line each; none when it reads as one document."""
    said: list[str] = []
    first: dict[str, tuple[object, object, str]] = {}  # metric id -> value, status, report
    for doc in documents:
        for m in doc.footnotes:
            value, status, where = first.setdefault(m.id, (m.value, m.status, doc.id))
            if (m.value, m.status) != (value, status):
                said.append(
                    f"{m.id} reads {m.value} ({m.status or 'no verdict'}) in the {doc.id} report"
                    f" and {value} ({status or 'no verdict'}) in the {where} report"
                )
        said += email_problems(doc)
    return said


def email_problems(doc: Document) -> list[str]:
    email = edited(doc)
    said = [
        f"the {doc.id} email shows {s.title!r} with nothing in it but a notice about its sources"
        for s in email.doc.sections
        if notices_only(s.blocks)
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

