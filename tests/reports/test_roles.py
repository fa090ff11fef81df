"""How a section is put together from its spec, and how a report's sections are edited: a source's
notice said once, the agenda cut with the rest in an appendix, footnotes in order of first sight."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from boardpack.model import Results, SourceStatus
from boardpack.period import period_containing
from boardpack.reports.document import (
    NO_DATA_TEXT,
    ActionsBlock,
    MetricsBlock,
    Section,
    TextBlock,
    metrics_in,
)
from boardpack.reports.roles import build_section, once, short_agenda
from boardpack.reports.sections import SectionSpec
from tests.reports.documents import action, metric

OCTOBER = period_containing(date(2026, 10, 1), "month")


def portfolio(**sources: SourceStatus):
    return SimpleNamespace(period=OCTOBER, sources=sources)


def fresh(name: str, **more) -> SourceStatus:
    return SourceStatus(name=name, configured=True, freshness=OCTOBER.end, **more)


def figures(results, portfolio):
    return [MetricsBlock(items=(metric(),))]


def texts(section: Section) -> list[str]:
    return [b.text for b in section.blocks if isinstance(b, TextBlock)]


def test_a_section_with_its_sources_fresh_is_what_it_builds():
    spec = SectionSpec(id="s", title="S", build=figures, needs=("ledger",))
    built = build_section(spec, Results(), portfolio(ledger=fresh("ledger")))
    assert built.blocks == (MetricsBlock(items=(metric(),)),)


def test_a_section_that_builds_nothing_says_there_is_no_data():
    spec = SectionSpec(id="s", title="S", build=lambda r, p: [])
    assert texts(build_section(spec, Results(), portfolio())) == [NO_DATA_TEXT]


def test_a_needed_source_missing_or_failed_leaves_only_the_notice():
    spec = SectionSpec(id="s", title="S", build=figures, needs=("ledger",))
    missing = build_section(spec, Results(), portfolio())
    assert texts(missing) == ["The ledger source is not installed."]
    broken = SourceStatus(name="ledger", configured=True, error="line 3: a date is not a date")
    failed = build_section(spec, Results(), portfolio(ledger=broken))
    assert texts(failed) == ["The ledger source could not be read: line 3: a date is not a date."]
    assert not any(isinstance(b, MetricsBlock) for b in failed.blocks)


def test_a_used_source_stale_or_with_gaps_is_noted_and_the_rest_is_shown():
    spec = SectionSpec(id="s", title="S", build=figures, uses=("web", "git"))
    stale = SourceStatus(name="web", configured=True, freshness=date(2026, 9, 1))
    gappy = fresh("git", gaps=["repository api: no access"])
    built = build_section(spec, Results(), portfolio(web=stale, git=gappy))
    said = texts(built)
    assert said[0].startswith("The web source is stale: its newest record is 2026-09-01")
    assert said[1] == "Not seen: repository api: no access."
    assert isinstance(built.blocks[-1], MetricsBlock)


def test_a_section_whose_sources_are_all_unconfigured_says_so_once():
    spec = SectionSpec(id="s", title="S", build=figures, uses=("web", "git"))
    (notice,) = build_section(spec, Results(), portfolio()).blocks
    assert notice.tone == "warn" and notice.text == (
        "Not configured: this section reads the web and git sources, and boardpack.toml"
        " configures none of them."
    )


def test_a_failed_analysis_makes_its_section_unavailable_with_the_reason():
    spec = SectionSpec(id="s", title="S", build=figures, analysis="finance")
    failed = Results(failures={"finance": "division by zero"})
    assert texts(build_section(spec, failed, portfolio())) == [
        "This section is unavailable: the finance analysis failed (division by zero)."
    ]


def test_a_notice_is_said_once_and_a_section_left_with_nothing_goes():
    stale = TextBlock(text="The web source is stale.", tone="warn")
    info = TextBlock(text="The web source is stale.")  # the same words, not a notice: kept
    sections = once((
        Section(id="a", title="A", blocks=(stale, MetricsBlock(items=(metric(),)))),
        Section(id="b", title="B", blocks=(stale,)),
        Section(id="c", title="C", blocks=(stale, info)),
    ))  # fmt: skip
    assert [(s.id, s.blocks) for s in sections] == [
        ("a", (stale, MetricsBlock(items=(metric(),)))),
        ("c", (info,)),
    ]


def test_the_agenda_is_cut_where_it_stands_and_the_rest_follows_in_an_appendix():
    todo = tuple(action(f"step {n}", priority=n) for n in range(1, 6))
    agenda = Section(id="executive.agenda", title="Agenda", blocks=(ActionsBlock(items=todo),))
    other = Section(id="x", title="X", blocks=(TextBlock(text="between"),))
    cut = short_agenda((agenda, other), 3)
    assert [s.id for s in cut] == ["executive.agenda", "x", "executive.agenda_rest"]
    shown, said = cut[0].blocks
    assert shown.items == todo[:3]
    assert said.text == "2 more actions in the appendix, in the same order."
    assert cut[-1].title == "Appendix: 2 more actions" and cut[-1].blocks[0].items == todo[3:]
    one_more = short_agenda((agenda,), 4)
    assert one_more[-1].title == "Appendix: 1 more action"
    assert short_agenda((agenda,), 5) == (agenda,)  # it fits: no appendix


def test_footnotes_are_every_metric_once_in_order_of_first_sight():
    a, b, c = metric("a.one"), metric("a.two"), metric("a.three")
    sections = (
        Section(id="s1", title="S1", blocks=(MetricsBlock(items=(b, a)),)),
        Section(id="s2", title="S2", blocks=(TextBlock(text="t"), MetricsBlock(items=(c, a)))),
    )
    assert metrics_in(sections) == (b, a, c)
