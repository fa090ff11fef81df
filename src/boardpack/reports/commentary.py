"""The owner's commentary in a report: the report's own file for the period, else the period's
(sources/commentary.py reads them), placed after the decisions needed and ranked as high."""

from __future__ import annotations

from boardpack.model import Portfolio
from boardpack.reports.document import Section, TextBlock


def commentary_of(report: str, portfolio: Portfolio) -> Section | None:
    """The owner's commentary for the period: the report's own file, else the period's."""
    own = [c for c in portfolio.commentary if c.report == report] or [
        c for c in portfolio.commentary if c.report is None
    ]
    if not own or not own[0].paragraphs:
        return None
    return Section(
        id="commentary",
        title="Commentary",
        blocks=tuple(TextBlock(text=p) for p in own[0].paragraphs),
    )


def with_commentary(sections: tuple[Section, ...], said: Section | None) -> tuple[Section, ...]:
    """The commentary after the decisions needed (or first), ranked as high."""
    if said is None:
        return sections
    at = next((n + 1 for n, s in enumerate(sections) if s.id == "executive.decisions"), 0)
    return (*sections[:at], said, *sections[at:])
