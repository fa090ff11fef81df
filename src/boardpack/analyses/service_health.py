"""The business's own services as CloudWatch measures them (a live source `[[sources.cloudwatch]]`):
each metric's statistic over the period, held to its target — `technology.<source>.<id>`, the
period before beside it; a target missed is a finding for the CTO. No datapoints is no signal:
shown as none, never as a zero, and never called a pass."""

from __future__ import annotations

from decimal import Decimal

from boardpack.config import CloudWatchMetric
from boardpack.model import Finding, MetricsFrom, Portfolio, Results


def analyse(portfolio: Portfolio, results: Results) -> None:
    values = {(s.source, s.metric, s.span): s.value for s in portfolio.signals}
    period = portfolio.period
    for spec in portfolio.workspace.settings.sources.cloudwatch:
        if not portfolio.fresh(spec.name):
            continue
        metric = MetricsFrom((f"{spec.name} (CloudWatch)",))
        for m in spec.metrics:
            now = values.get((spec.name, m.id, "period"))
            before = values.get((spec.name, m.id, "before"))
            label = m.label or f"{m.metric} ({m.stat})"
            shown = dimensions(m.dimensions)
            missed = now is not None and m.target is not None and not meets(now, m)
            results.add(
                metric(
                    id=f"technology.{spec.name}.{m.id}",
                    label=label,
                    value=now,
                    unit=m.unit,
                    target=m.target,
                    status=None if now is None or m.target is None else "bad" if missed else "good",
                    better="less" if m.direction == "at_most" else "more",
                    note=(
                        f"{m.stat} of {m.namespace} {m.metric}{shown} over {period.title}"
                        + (": no datapoints, no signal" if now is None else "")
                        + (
                            f"; {period.previous().title}: {before:,}"
                            if before is not None
                            else f"; {period.previous().title}: no signal"
                        )
                    ),
                )
            )
            if missed:
                word = "above" if m.direction == "at_most" else "below"
                results.add(
                    Finding(
                        severity="medium",
                        area="technology",
                        title=f"{label} was {now:,}{m.unit} in {period.title}, {word} its target",
                        evidence=(
                            f"{m.stat} of {m.namespace} {m.metric}{shown}: {now:,}{m.unit}"
                            f" against {'at most' if m.direction == 'at_most' else 'at least'}"
                            f" {m.target:,}{m.unit}"
                            + (
                                f" ({period.previous().title}: {before:,}{m.unit})."
                                if before is not None
                                else "."
                            )
                        ),
                        action=f"Find what moved {label} and bring it back within its target.",
                        source=f"{spec.name} (CloudWatch)",
                    )
                )


def meets(value: Decimal, m: CloudWatchMetric) -> bool:
    return value <= m.target if m.direction == "at_most" else value >= m.target


def dimensions(found: dict[str, str]) -> str:
    return f" ({', '.join(f'{k}={v}' for k, v in sorted(found.items()))})" if found else ""
