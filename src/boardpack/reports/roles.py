"""Roles: who reads which sections, and how a role's document is put together."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from datetime import datetime

from boardpack import links
from boardpack.config import Workspace
from boardpack.errors import WorkspaceError
from boardpack.figures import Precision, Reading, plural, reading, value_text
from boardpack.model import Metric, Portfolio, Results, SourceStatus
from boardpack.plugins import registered
from boardpack.reports import summary
from boardpack.reports.commentary import commentary_of, with_commentary
from boardpack.reports.document import (
    APPENDIX,
    NO_DATA_TEXT,
    TO_APPENDIX,
    ActionsBlock,
    Document,
    FindingsBlock,
    Section,
    SourceLine,
    TextBlock,
    findings_in,
    metrics_in,
)
from boardpack.reports.sections import SectionSpec
from boardpack.reports.setup import for_the_workspace_owner, missing_sources, set_apart
from boardpack.reports.ventures import venture_reports, venture_sections

KEY_NUMBERS = 4  # tiles a phone shows before the first scroll
# the email's length budget of a report of the workspace's own (a board summary, most often) and of
# a venture's, in phone screens; the CEO's is 3, the other roles' 6
CUSTOM_SCREENS = 3
VENTURE_SCREENS = 4


@dataclass(frozen=True)
class RoleSpec:
    id: str
    title: str
    sections: tuple[str, ...]
    key_numbers: tuple[str, ...] = ()  # metric ids shown first; by default the report's first four
    agenda_size: int = 10  # the agenda's items shown; the rest go to an appendix
    screens: int = 6  # the email's length budget, in phone screens (reports/edit.py)
    precision: Precision = "units"  # how its money reads (figures.py): whole amounts by default


# Listed in send order: the reports that matter most go first.
DEFAULT_ROLES: tuple[RoleSpec, ...] = (
    RoleSpec(
        id="ceo",
        title="CEO report",
        # in order of rank: what the email keeps first (reports/edit.py)
        sections=(
            "executive.decisions",
            "finance.by_venture",
            "executive.shortfalls",
            "executive.commentary",
            "executive.agenda",
            "executive.summary",
            "executive.revenue_at_risk",
            "executive.kpis",
            "executive.followup",
            "executive.assets",
        ),
        # the forecast's low point is In brief's: "lowest at ... on ..."
        key_numbers=(
            "finance.cash_balance",
            "finance.runway_months",
            "finance.revenue",
            "accounting.net_income",
        ),
        screens=3,
    ),
    RoleSpec(
        id="cfo",
        title="CFO report",
        sections=(
            "finance.cash",
            "finance.forecast",
            "finance.revenue",
            "finance.commentary",
            "finance.bridge",
            "finance.budget",
            "finance.statements",
            "finance.break_even",
            "finance.revenue_targets",
            "finance.customers",
            "finance.roadmap",
            "finance.capital",
            "finance.decision_rules",
            "finance.findings",
        ),
        key_numbers=(
            "finance.cash_balance",
            "finance.net_burn",
            "finance.runway_months",
            "finance.revenue",
        ),
        precision="cents",
    ),
    RoleSpec(
        id="accounting",
        title="Accounting Officer report",
        sections=(
            "accounting.income_statement",
            "accounting.tie_out",
            "accounting.balance_sheet",
            "accounting.cash_flow",
            "accounting.consolidation",
            "accounting.coverage",
            "accounting.revenue_recognition",
            "accounting.expense_audit",
            "accounting.budget_coverage",
            "finance.roadmap",
        ),
        key_numbers=(
            "accounting.net_income",
            "accounting.uncategorized_amount",
            "accounting.deferred_revenue",
            "accounting.possible_duplicates",
        ),
        precision="cents",
    ),
    RoleSpec(
        "cto",
        "CTO report",
        (
            "technology.actions",
            "technology.security",
            "technology.dependencies",
            "technology.revenue_at_risk",
            "technology.website",
            "technology.stacks",
            "technology.maturity",
            "technology.compliance",
            "technology.delivery",
            "technology.cloud",
            "technology.cost",
            "technology.ledger_cost",
            "technology.risks",
        ),
    ),
    RoleSpec(
        "cmo",
        "CMO report",
        (
            "marketing.channels",
            "marketing.channels_vs_books",
            "marketing.funnel",
            "marketing.email_blasts",
            "marketing.platforms",
            "marketing.milestones",
            "marketing.local_search",
            "marketing.findings",
        ),
        # what the period brought, never a model's forecast (the blasts' expected revenue)
        key_numbers=(
            "marketing.bookings",
            "marketing.channel_revenue",
            "marketing.spend",
            "marketing.cost_per_booking",
        ),
    ),
)


def registered_sections() -> dict[str, SectionSpec]:
    specs: dict[str, SectionSpec] = {}
    for ep in registered("boardpack.sections"):
        for spec in ep.load():
            if spec.id in specs:
                raise RuntimeError(f"section {spec.id} is registered twice (entry point {ep.name})")
            specs[spec.id] = spec
    return specs


def workspace_sections(workspace: Workspace) -> dict[str, SectionSpec]:
    """Every section a report of this workspace may use: the registered ones and its ventures' own.
    """
    return registered_sections() | {s.id: s for s in venture_sections(workspace.settings)}


def report_specs(workspace: Workspace, sections: dict[str, SectionSpec]) -> list[RoleSpec]:
    """The workspace's reports in send order: the roles (a [reports.<role>] table replaces a role's
    sections), then its custom reports, then the venture reports. Every section named must exist."""
    settings = workspace.settings
    builtin = {role.id: role for role in DEFAULT_ROLES}

    def spec_of(rid: str, r) -> RoleSpec:
        role = builtin.get(rid)
        if role is None:
            return RoleSpec(
                rid,
                r.title,
                tuple(r.sections),
                agenda_size=r.agenda_size,
                screens=r.screens or CUSTOM_SCREENS,
                precision=r.precision or "units",
            )
        return replace(
            role,
            title=r.title or role.title,
            sections=tuple(r.sections) if r.sections else role.sections,
            key_numbers=() if r.sections else role.key_numbers,  # new sections: their first four
            agenda_size=r.agenda_size,
            screens=r.screens or role.screens,
            precision=r.precision or role.precision,
        )

    custom = {rid: spec_of(rid, r) for rid, r in settings.reports.items()}
    for rid, spec in custom.items():
        for i, section in enumerate(spec.sections):
            if section not in sections:
                hint = difflib.get_close_matches(section, list(sections), n=1)
                raise WorkspaceError(
                    f"{workspace.where('reports', rid, 'sections')}: reports.{rid}.sections[{i}]:"
                    f" unknown section {section!r}"
                    + (f"; did you mean {hint[0]!r}?" if hint else "")
                    + f" Known sections: {', '.join(sorted(sections))}"
                )
    specs = [custom.pop(role.id, role) for role in DEFAULT_ROLES]
    if settings.sources.tasks:  # the boards' overdue and blocked work, after the CEO's agenda
        anchors = {"ceo": "executive.agenda", "cto": "technology.actions"}
        specs = [
            replace(s, sections=after(s.sections, anchors[s.id], "executive.tasks"))
            if s.id in anchors and s == builtin[s.id]
            else s
            for s in specs
        ]
    if any(s.records() == "events" for s in settings.sources.live()):  # the business's own records
        specs = [
            replace(s, sections=after(s.sections, "executive.kpis", "operations.events"))
            if s == builtin["ceo"]
            else s
            for s in specs
        ]
    if settings.sources.cloudwatch:  # the services' own measures, after what to do
        health = "technology.service_health"
        specs = [
            replace(s, sections=after(s.sections, "technology.actions", health))
            if s == builtin["cto"]
            else s
            for s in specs
        ]
    if settings.watch:  # the CEO reads the alerts between packs after what became of the last
        specs = [
            replace(s, sections=with_watch(s.sections)) if s == builtin["ceo"] else s
            for s in specs
        ]
    if len(settings.entities) < 2:  # one venture: its row would be the key numbers again
        specs = [
            replace(s, sections=tuple(i for i in s.sections if i != "finance.by_venture"))
            for s in specs
        ]
    ventures = [RoleSpec(*v, screens=VENTURE_SCREENS) for v in venture_reports(settings)]
    return specs + list(custom.values()) + ventures


def after(sections: tuple[str, ...], anchor: str, added: str) -> tuple[str, ...]:
    at = sections.index(anchor) + 1
    return (*sections[:at], added, *sections[at:])


def with_watch(sections: tuple[str, ...]) -> tuple[str, ...]:
    return after(sections, "executive.followup", "executive.watch")


def build_document(
    role: RoleSpec,
    results: Results,
    portfolio: Portfolio,
    sections: dict[str, SectionSpec],
    generated_at: datetime,
    previous: Results | None = None,
    year_earlier: Results | None = None,
) -> Document:
    """`previous` is the analyses of the period before, `year_earlier` of the same period a year
    earlier (where the ledger reaches back to it), for the changes each metric shows."""
    ws = portfolio.workspace.settings
    period = portfolio.period
    org = ws.organization
    style = Reading(role.precision, org.currency, org.currency_symbol, org.negatives)
    built, unset, not_shown = set_apart(
        tuple(build_section(sections[s], results, portfolio) for s in role.sections)
    )
    built = once(
        short_agenda(
            each_action_once(with_commentary(built, commentary_of(role.id, portfolio)), results),
            role.agenda_size,
        )
    )
    missing = missing_sources([sections[s] for s in role.sections], portfolio)
    built += for_the_workspace_owner(results, built, missing, not_shown)
    shown = metrics_in(built)
    headline = (
        tuple(results.metrics[i] for i in role.key_numbers if i in results.metrics)
        or shown[:KEY_NUMBERS]
    )[:KEY_NUMBERS]
    with reading(style):  # In brief reads as the report's figures do
        said = summary.sentences(role.id, headline, built, results, portfolio, previous)
        known = {m.id: m for m in headline + shown} | results.metrics
        mentioned = tuple(known[i] for s in said for i in s.metrics)
        noted = tuple({m.id: m for m in headline + mentioned + shown}.values())
        number = {m.id: n for n, m in enumerate(noted, start=1)}
        brief = " ".join(
            s.template.format(
                *(
                    f"{value_text(known[i].value, known[i].unit)} [{number[i]}]"
                    for i in s.metrics
                )
            )
            for s in said
        )
    built = (Section(id="summary", title="In brief", blocks=(TextBlock(text=brief),)), *built)

    def values(of: Results | None) -> dict:
        found = of.metrics if of else {}
        return {
            m.id: found[m.id].value
            for m in noted
            if m.id in found and found[m.id].value is not None
        }

    # a venture report covers its venture
    own = [e.name for e in ws.entities if role.id == f"entity-{e.id}"]
    return Document(
        id=role.id,
        title=f"{role.title} — {ws.organization.name}",
        subject=(
            f"{ws.delivery.subject_prefix}{ws.organization.name} {role.title}, {period.title}"
            + headline_of(noted, built, style)
        ),
        organization=ws.organization.name,
        period=period.label,
        ventures=tuple(own or [e.name for e in ws.entities]),
        period_title=period.title,
        as_of=portfolio.as_of,
        generated_at=generated_at,
        sources=tuple(
            SourceLine(
                name=s.name,
                state=s.state(period),
                freshness=s.freshness,
                records=s.records,
                paths=tuple(s.paths),
                problems=len(s.problems),
                snapshot=s.snapshot,
            )
            for s in portfolio.sources.values()
            if s.configured
        ),
        sections=built,
        footnotes=noted,
        headline=headline,
        previous=values(previous),
        previous_title=period.previous().title,
        year_earlier=values(year_earlier),
        year_earlier_title=period.year_earlier().title,
        basis=portfolio.basis,
        screens=role.screens,
        reading=style,
        setup=unset,
        link=(
            links.filled(ws.links.archive, period.label, role.id) if ws.links.archive else ""
        ),
    )


def build_section(spec: SectionSpec, results: Results, portfolio: Portfolio) -> Section:
    """A source the section needs that is missing or broken leaves only the notice saying so; one it
    merely uses is noted and the section goes on with the rest. Either way, what a source could not
    see is listed.
    """
    notices = []
    states = {
        name: (
            portfolio.sources[name].state(portfolio.period)
            if name in portfolio.sources
            else "missing"
        )
        for name in spec.needs + spec.uses
    }
    if spec.uses and all(states[name] == "missing" for name in spec.uses) and not spec.needs:
        return Section(
            id=spec.id,
            title=spec.title,
            blocks=(
                TextBlock(
                    text=(
                        f"Not configured: this section reads the {' and '.join(spec.uses)} sources,"
                        " and boardpack.toml configures none of them."
                    ),
                    tone="warn",
                    setup=True,
                ),
            ),
        )
    for name, state in states.items():
        status = portfolio.sources.get(name)
        if state != "fresh":
            if state == "missing" and name in spec.uses:
                text = SourceStatus(name=name, configured=False).explain(portfolio.period)
            else:
                text = (
                    status.explain(portfolio.period)
                    if status
                    else f"The {name} source is not installed."
                )
            notices.append(TextBlock(text=text, tone="warn", setup=state == "missing"))
            if state in ("missing", "failed") and name in spec.needs:
                return Section(id=spec.id, title=spec.title, blocks=tuple(notices))
        for gap in status.gaps if status else ():
            notices.append(TextBlock(text=f"Not seen: {gap}.", tone="warn"))
    if spec.analysis in results.failures:
        return Section(
            id=spec.id,
            title=spec.title,
            blocks=(
                TextBlock(
                    text=(
                        f"This section is unavailable: the {spec.analysis} analysis failed"
                        f" ({results.failures[spec.analysis]})."
                    ),
                    tone="warn",
                ),
            ),
        )
    blocks = spec.build(results, portfolio) or [TextBlock(text=NO_DATA_TEXT)]
    return Section(id=spec.id, title=spec.title, blocks=tuple(notices + blocks))


# a finding whose action is a decision the report shows above says so, not the action again
DECIDED_ABOVE = "A decision for the owners: see Decisions needed, above."


def each_action_once(sections: tuple[Section, ...], results: Results) -> tuple[Section, ...]:
    """Each action said once in a report, with the same words, owner and date in every report: a
    finding shows its action with who acts and by when (as the agenda has it), and a list after it
    leaves out what is shown above. An agenda left with nothing says so."""
    steps = {a.finding: a for a in [*results.actions, *results.agenda] if a.finding}
    shown: set[str] = set()
    out = []
    for section in sections:
        blocks: list = []
        for b in section.blocks:
            if isinstance(b, FindingsBlock):
                items = []
                for f in b.items:
                    step = steps.get(f.id)
                    if step is None:
                        items.append(f)
                    elif step.id in shown:  # a decision above: said there
                        above = DECIDED_ABOVE if step.decision else f.action
                        items.append(replace(f, action=above))
                    else:
                        items.append(replace(f, step=step))
                        shown.add(step.id)
                b = replace(b, items=tuple(items))
            elif isinstance(b, ActionsBlock):
                b = replace(b, items=tuple(a for a in b.items if a.id not in shown))
                shown |= {a.id for a in b.items}
                if not b.items:
                    continue
            blocks.append(b)
        if not blocks and section.id == "executive.agenda":
            blocks = [TextBlock(text="Every action due in the next 30 days is shown above.")]
        out.append(replace(section, blocks=tuple(blocks)))
    return tuple(out)


def once(sections: tuple[Section, ...]) -> tuple[Section, ...]:
    """A notice about a source (stale, not configured) said once in a report, where it first
    applies; a section that had nothing else to say goes with it."""
    seen: set[str] = set()
    out = []
    for section in sections:
        blocks = [
            b
            for b in section.blocks
            if not (isinstance(b, TextBlock) and b.tone == "warn" and b.text in seen)
        ]
        seen |= {b.text for b in section.blocks if isinstance(b, TextBlock) and b.tone == "warn"}
        if blocks:
            out.append(replace(section, blocks=tuple(blocks)))
    return tuple(out)


def short_agenda(sections: tuple[Section, ...], size: int) -> tuple[Section, ...]:
    """The agenda's first `size` actions where it stands; the rest, counted, in an appendix at the
    end of the report."""
    out, rest = [], ()
    for section in sections:
        blocks = []
        for block in section.blocks:
            if section.id == "executive.agenda" and isinstance(block, ActionsBlock):
                rest = block.items[size:]
                block = replace(block, items=block.items[:size])
                if rest:
                    more = plural(len(rest), "more action")
                    blocks += [block, TextBlock(text=f"{more} {TO_APPENDIX}")]
                    continue
            blocks.append(block)
        out.append(replace(section, blocks=tuple(blocks)))
    if rest:
        out.append(
            Section(
                id=APPENDIX,
                title=f"Appendix: {plural(len(rest), 'more action')}",
                blocks=(ActionsBlock(items=rest),),
            )
        )
    return tuple(out)


# the figures a subject line carries, where the report shows them, and the word for each
SUBJECT_FIGURES = (("accounting.net_income", "net"), ("finance.cash_balance", "cash"))


def headline_of(shown: tuple[Metric, ...], sections: tuple[Section, ...], style: Reading) -> str:
    """What a subject line adds to the report's name: `: net -9.6k USD, cash 27.5k USD, 2
    critical` — its net income and cash in thousands, and its critical findings."""
    by_id = {m.id: m for m in shown}
    with reading(replace(style, precision="thousands")):
        said = [
            f"{word} {value_text(by_id[i].value, by_id[i].unit)}"
            for i, word in SUBJECT_FIGURES
            if i in by_id and by_id[i].value is not None
        ]
    critical = sum(f.severity == "critical" for f in findings_in(sections))
    said += [f"{critical} critical"] if critical else []
    return f": {', '.join(said)}" if said else ""

