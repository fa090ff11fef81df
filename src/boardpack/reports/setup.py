"""What the workspace does not configure, or must fix in its settings, is for whoever keeps it: set
apart from a report's sections as it is built (`Document.setup`, which `check` prints with how to
set each up), and named in one line at the end of the full report — never a reader's section,
shortfall or action, and never in an email."""

from __future__ import annotations

from dataclasses import replace

from boardpack.model import Portfolio, Results
from boardpack.reports.document import Section, TextBlock, findings_in
from boardpack.reports.sections import SectionSpec

WORKSPACE_OWNER = "workspace"  # the full report's closing notice: the workspace's settings to fix


def set_apart(
    sections: tuple[Section, ...],
) -> tuple[tuple[Section, ...], tuple[str, ...], list[str]]:
    """The sections without what the workspace does not configure (`TextBlock.setup`): those
    notes, once each, and the titles of the sections they alone made up, which the report leaves
    out."""
    kept, notes, gone = [], {}, []
    for section in sections:
        blocks = tuple(b for b in section.blocks if not (isinstance(b, TextBlock) and b.setup))
        notes |= {b.text: None for b in section.blocks if isinstance(b, TextBlock) and b.setup}
        if blocks or not section.blocks:
            kept.append(replace(section, blocks=blocks))
        else:
            gone.append(section.title)
    return tuple(kept), tuple(notes), gone


def missing_sources(specs: list[SectionSpec], portfolio: Portfolio) -> list[str]:
    """The sources a report's sections read that the workspace does not configure."""
    named = dict.fromkeys(n for s in specs for n in (*s.needs, *s.uses))
    return [n for n in named if n not in portfolio.sources or not portfolio.sources[n].configured]


def for_the_workspace_owner(
    results: Results, sections: tuple[Section, ...], missing: list[str], not_shown: list[str]
) -> tuple[Section, ...]:
    """One line at the end of the full report naming what whoever keeps the workspace must set up
    or fix (`check` says how): the sources its sections would read, the sections left out for
    want of settings, the findings in its settings — never a reader's shortfall or action. An
    email leaves it to the full report, as it does every notice."""
    shown = {f.id for f in findings_in(sections)}
    unseen = [f for f in results.ranked_findings(setup=True) if f.setup and f.id not in shown]
    said = [f.title for f in unseen]
    if missing:
        are = "source is" if len(missing) == 1 else "sources are"
        names = " and ".join(filter(None, [", ".join(missing[:-1]), missing[-1]]))
        said.insert(0, f"the {names} {are} not configured")
    if not_shown:
        said.insert(len(said) - len(unseen), f"not shown: {', '.join(not_shown)}")
    if not said:
        return ()
    text = f"{'; '.join(said)}. `boardpack check` says how."
    text = text[0].upper() + text[1:]
    return (
        Section(
            id=WORKSPACE_OWNER,
            title="For the workspace owner",
            blocks=(TextBlock(text=text, tone="warn"),),
        ),
    )
