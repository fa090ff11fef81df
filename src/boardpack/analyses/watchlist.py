"""The alerts between packs: each `[[watch]]` episode that opened in the period or since, or is
still open — from the audit store, where `boardpack watch` records them."""

from __future__ import annotations

from boardpack.model import Column, Portfolio, Results, Table


def analyse(portfolio: Portfolio, results: Results) -> None:
    rules = {r.key: r for r in portfolio.workspace.settings.watch}
    if not rules:
        return
    since = portfolio.period.start.isoformat()
    rows = []
    for episode in portfolio.watched:
        # a rule since removed from boardpack.toml is left out
        rule = rules.get(episode.rule)
        if rule and (episode.started[:10] >= since or not episode.ended):
            rows.append(
                {
                    "rule": episode.rule,
                    "metric": f"{rule.metric} {rule.op} {rule.value}",
                    "severity": rule.severity,
                    "started": episode.started[:10],
                    "value": episode.value,
                    "ended": (episode.ended or "")[:10] or "still open",
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
