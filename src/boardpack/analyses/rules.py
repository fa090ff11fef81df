"""The organization's financial decision rules, evaluated against this pack's metrics."""

from __future__ import annotations

import operator
from decimal import Decimal

from boardpack.figures import said
from boardpack.model import Column, Finding, Portfolio, Results, Table

OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}
# how a rule's threshold reads in a sentence: "Net burn 8,186 USD against a cap of 5,000 USD"
LIMIT = {
    ">=": "a floor of",
    ">": "a rule of more than",
    "<=": "a cap of",
    "<": "a rule of less than",
}
# metrics with no number when they are unbounded: a runway while cash lasts past the forecast
UNBOUNDED = frozenset({"finance.runway_months", "finance.runway_months_trailing"})


def analyse(portfolio: Portfolio, results: Results) -> None:
    rules = portfolio.workspace.settings.finance.rules
    rows = []
    for rule in rules:
        metric = results.metrics.get(rule.metric)
        value = metric.value if metric else None
        if metric is None:
            verdict, why = (
                "no data",
                f"metric {rule.metric} was not computed (is its source configured?)",
            )
        elif not isinstance(value, (Decimal, int, type(None))):
            verdict, why = "no data", f"metric {rule.metric} is a date, not a number to compare"
        elif value is None and rule.metric in UNBOUNDED:
            # more than any number: at least a number passes, at most one fails
            verdict, why = ("pass" if rule.op in (">=", ">") else "fail"), metric.note
        elif value is None:
            verdict, why = "no data", metric.note
        else:
            verdict = "pass" if OPS[rule.op](value, rule.value) else "fail"
            # as a rule reads: "Net burn 8,186 USD against a cap of 5,000 USD"
            why = (
                f"{metric.label} {said(value, metric.unit)} against {LIMIT[rule.op]}"
                f" {said(rule.value, metric.unit)}"
            )
        rows.append(
            {
                "rule": rule.label,
                "metric": rule.metric,
                "value": value,
                "threshold": f"{rule.op} {rule.value}",
                "verdict": verdict,
                "why": why,
            }
        )
        if verdict == "fail":
            results.add(
                Finding(
                    severity="high",
                    area="finance",
                    title=f"Decision rule failed: {rule.label}",
                    decision=True,
                    evidence=why,
                    # said to its reader, not to whoever keeps the workspace's settings
                    action="Meet the rule again, or change it on purpose",
                )
            )
    if rows:
        results.add(
            Table(
                id="finance.decision_rules",
                title="Financial decision rules",
                columns=(
                    Column.text("rule", "Rule"),
                    Column.number("value", "Value"),
                    Column.text("threshold", "Threshold"),
                    Column.text("verdict", "Verdict"),
                    Column.text("why", "Why"),
                ),
                rows=tuple(rows),
                provenance=("boardpack.toml [[finance.rules]]",),
            )
        )
