"""The summary a report opens with: three to six sentences built from the data (no language
model) — the period's result against the last period and the plan, the cash and its forecast low,
the most serious findings, and what the reader is asked to do.

A sentence is a template whose `{}` fields are metrics of the pack; the document fills each with
the metric's value and its footnote number, so every figure in the summary says where it is from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from boardpack.figures import value_text
from boardpack.model import SEVERITY_RANK, Action, Finding, Metric, Portfolio, Results
from boardpack.reports.document import Section, actions_in, findings_in, metrics_in

SERIOUS = 2  # the findings a summary names
OPEN_FINDINGS = "executive.open_findings"  # the pack's count of findings, medium or worse
MONEY_RESULT = ("accounting.net_income", "finance.revenue")


@dataclass(frozen=True)
class Sentence:
    template: str  # "Net income was {} in October 2026." — a {} for each metric, in order
    metrics: tuple[str, ...] = ()


def sentences(
    report_id: str,
    headline: tuple[Metric, ...],
    sections: tuple[Section, ...],
    results: Results,
    portfolio: Portfolio,
    previous: Results | None,
) -> list[Sentence]:
    """The report's summary: its result, its cash (reports that carry cash), its findings, its ask.
    """
    metrics = results.metrics
    entity = report_id.removeprefix("entity-") if report_id.startswith("entity-") else None
    if entity and f"finance.revenue.{entity}" in metrics:
        result = [metrics[f"finance.revenue.{entity}"]]
    elif any(m.id in MONEY_RESULT for m in headline) or report_id in ("ceo", "cfo"):
        result = [metrics[m] for m in MONEY_RESULT if m in metrics][:1]
    else:
        result = list(headline[:2])  # a section of a plugin's may make its own
    said = [moved(m, previous, portfolio) for m in result if m.value is not None]
    if "finance.net_income_budget" in metrics and [m.id for m in result] == [MONEY_RESULT[0]]:
        said.append(against_budget(metrics))
    if any(m.id.startswith("finance.") for m in headline) and "finance.cash_low" in metrics:
        said.append(cash(metrics))
    if report_id == "ceo" and "executive.actions_done" in metrics:
        said.append(
            Sentence(
                f"Since the {portfolio.period.previous().title} pack: {{}} done, {{}} slipped, and"
                " {} new critical.",
                (
                    "executive.actions_done",
                    "executive.actions_slipped",
                    "executive.findings_new_critical",
                ),
            )
        )
    # a report that counts the pack's findings (executive.open_findings) speaks of the pack's, so
    # its sentence and its count agree; any other, of its own
    counted = any(m.id == OPEN_FINDINGS for m in headline + metrics_in(sections))
    findings = results.ranked_findings() if counted else findings_in(sections)
    said += serious(findings)
    # what to do first: the report's most urgent action, in its lists or with its findings — not a
    # decision, which the report lists under its own heading
    steps = [f.step for f in findings_in(sections) if f.step]
    said.append(ask([a for a in [*actions_in(sections), *steps] if not a.decision], findings))
    return [s for s in said if s is not None]


def moved(metric: Metric, previous: Results | None, portfolio: Portfolio) -> Sentence:
    """ "Revenue was {} in October 2026, up 8,207.83 USD on September 2026." """
    period = portfolio.period
    before = previous.metrics.get(metric.id) if previous else None
    text = f"{metric.label} was {{}} in {period.title}"
    if before is not None and isinstance(before.value, (Decimal, int)) and metric.value is not None:
        change = metric.value - before.value
        if change:
            way = "up" if change > 0 else "down"
            text += f", {way} {value_text(abs(change), metric.unit)} on {period.previous().title}"
        else:
            text += f", the same as in {period.previous().title}"
    return Sentence(text + ".", (metric.id,))


def against_budget(metrics: dict[str, Metric]) -> Sentence:
    actual = metrics["accounting.net_income"].value
    plan = metrics["finance.net_income_budget"].value
    gap = actual - plan
    way = "above" if gap >= 0 else "below"
    unit = metrics["accounting.net_income"].unit
    return Sentence(
        f"That is {value_text(abs(gap), unit)} {way} the budget's {{}}.",
        ("finance.net_income_budget",),
    )


def cash(metrics: dict[str, Metric]) -> Sentence:
    runway = metrics.get("finance.runway_months")
    text = "Cash is {}; on the forecast it is lowest at {} on {}"
    ids = ["finance.cash_balance", "finance.cash_low", "finance.cash_low_date"]
    if runway is not None and runway.value is not None:
        text += ", and it runs out in {}"
        ids.append("finance.runway_months")
    elif runway is not None:
        text += ", and it stays above zero for the next 12 months"
    return Sentence(text + ".", tuple(i for i in ids if i in metrics))


def serious(findings: list[Finding]) -> list[Sentence]:
    ranked = sorted(  # by severity, then in the report's own order
        (f for f in findings if SEVERITY_RANK[f.severity] <= 2),
        key=lambda f: SEVERITY_RANK[f.severity],
    )
    if not ranked:
        return [Sentence("No finding in this report is of medium severity or worse.")]
    named = "; ".join(f"{f.title.rstrip('.')} ({f.severity})" for f in ranked[:SERIOUS])
    more = len(ranked) - SERIOUS
    rest = f" — and {more} more of medium severity or worse" if more > 0 else ""
    return [Sentence(f"Most serious: {named}{rest}.".replace("{", "{{").replace("}", "}}"))]


def ask(actions: list[Action], findings: list[Finding]) -> Sentence | None:
    """The most urgent of the report's actions (ranked as the agenda ranks them), else the action
    of the most serious finding that has one; nothing when there is neither."""
    acted = [f for f in findings if f.action and not f.decision]  # a decision is not a to-do
    if not actions and acted:  # the most serious finding's action, as the agenda words it
        top = min(acted, key=lambda f: SEVERITY_RANK[f.severity])
        if top.step is None:  # its action alone: a title may carry figures In brief does not note
            return Sentence(braced(f"First to do: {top.action.rstrip('.')}."))
        actions = [top.step]
    if not actions:
        return None
    first = min(actions, key=lambda a: (a.priority, a.due or date.max))  # as the agenda ranks
    due = f", due {first.due}" if first.due else ""
    text = f"First to do: {first.title.rstrip('.')} ({first.owner.upper()}{due})."
    return Sentence(braced(text))


def braced(text: str) -> str:
    """Text as a sentence's template: its braces doubled, so none is read as a figure's place."""
    return text.replace("{", "{{").replace("}", "}}")
