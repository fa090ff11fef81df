"""The alerts between packs: each `[[watch]]` episode that opened in the period or since, or is
still open — from the audit store, where `boardpack watch` records them."""

from __future__ import annotations

from decimal import Decimal

from boardpack.model import Column, Portfolio, Results, Table


def analyse(portfolio: Portfolio, results: Results) -> None:
    rules = {r.key: r for r in portfolio.workspace.settings.watch}
    if not rules:
        return
    since = portfolio.period.start.isoformat()
    rows = []
    for key, state in sorted(portfolio.watched.items()):
        rule = rules.get(key)
        if rule is None:
            continue  # a rule since removed from boardpack.toml
        for e in state.get("episodes", []):
            if e["started"][:10] >= since or not e["ended"]:
                rows.append(
                    {
                        "rule": key,
                        "metric": f"{rule.metric} {rule.op} {rule.value}",
                        "severity": rule.severity,
                        "started": e["started"][:10],
                        "value": Decimal(e["value"]),
                        "ended": (e["ended"] or "")[:10] or "still open",
                    }
                )
    results.add(
        Table(
            id="executive.watch",
            title=f"Alerts since {portfolio.period.title} began",
            columns=(
                Column.text("rule", "Rule"),
                Column.text("metric", "Line"),
                Column.text("severity", "Severity"),
                Column.text("started", "Crossed on"),
                Column.number("value", "Value then"),
                Column.text("ended", "Back on"),
            ),
            rows=tuple(sorted(rows, key=lambda r: r["started"])),
            provenance=("audit store", "boardpack watch"),
            note="An episode of a [[watch]] rule is alerted once, when it crosses its line.",
        )
    )
