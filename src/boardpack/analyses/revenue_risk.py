"""Technology risk ranked by revenue: each technology finding (security, dependencies, engineering)
set against the revenue of the venture whose repository, resource or domain it sits on.

    score = severity weight (critical 4, high 3, medium 2, low 1) × the venture's share of the
            organization's revenue over the last 12 months (a finding on no one venture — the
            account's root user — puts all of it at risk)

The CEO report shows the top three: "puts 42% of revenue at risk".
"""

from __future__ import annotations

from decimal import Decimal

from boardpack.analyses.ledger_sql import BOOKS, INCOME, ZERO, ledger_files, total
from boardpack.analyses.technology import AREAS
from boardpack.model import Column, Portfolio, Results, Table
from boardpack.period import trailing_months

WEIGHT = {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}
TOP = 3  # what the CEO report shows


def analyse(portfolio: Portfolio, results: Results) -> None:
    found = [f for f in results.ranked_findings() if f.area in AREAS and WEIGHT[f.severity]]
    if not found or not portfolio.fresh("ledger"):
        return
    first, last = trailing_months(portfolio.period.end, 12)
    names = {e.id: e.name for e in portfolio.workspace.settings.entities}
    earned = {
        e: total(portfolio, f"{INCOME} AND entity = ?", first, last, (e,), table=BOOKS)
        for e in names
    }
    whole = sum(earned.values(), ZERO)
    if not whole:
        return
    rows = []
    for f in found:
        share = (earned.get(f.entity, ZERO) if f.entity else whole) / whole
        rows.append(
            {
                "finding": f.title,
                "severity": f.severity,
                "venture": names.get(f.entity, "every venture") if f.entity else "every venture",
                "share": (100 * share).quantize(Decimal("0.1")),
                "score": (WEIGHT[f.severity] * share).quantize(Decimal("0.01")),
            }
        )
    rows.sort(key=lambda r: (-r["score"], r["finding"]))
    results.add(
        Table(
            id="security.revenue_at_risk",
            title="Technology risk ranked by the revenue it puts at risk",
            columns=(
                Column.text("finding", "Finding"),
                Column.text("severity", "Severity"),
                Column.text("venture", "Venture"),
                Column.number("share", "Revenue at risk (%)"),
                Column.number("score", "Score"),
            ),
            rows=tuple(rows),
            provenance=ledger_files(portfolio),
            note=(
                "Score = severity weight (critical 4, high 3, medium 2, low 1) × the venture's"
                f" share of revenue from {first} to {last}; a finding on no one venture puts all"
                " of it at risk."
            ),
        )
    )
