"""The organization's financial decision rules, evaluated against this pack's metrics."""

from __future__ import annotations

import operator
from decimal import Decimal

from boardpack.figures import value_text
from boardpack.model import Column, Finding, Portfolio, Results, Table

OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}


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
        elif value is None:
            # no number but a good status is unbounded (runway while cash grows); otherwise
            # undefined
            verdict, why = ("pass" if metric.status == "good" else "no data"), metric.note
        else:
            verdict = "pass" if OPS[rule.op](value, rule.value) else "fail"
            why = f"{value_text(value, metric.unit)} {rule.op} {rule.value:,}"
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
                    evidence=why,
                    action=(
                        f"Act on the rule {rule.id} or change it deliberately in boardpack.toml."
                    ),
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
