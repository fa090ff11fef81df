"""An example third-party plugin: a source that reads a workspace's `visitors.csv` (date, visitors)
into the Portfolio's extension slot, and a section that shows it. Installed by
tests/test_plugins.py, exactly as a package's entry points would install it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from boardpack.csv_file import count, day, read_rows
from boardpack.model import Metric, Portfolio, Results, SourceStatus
from boardpack.reports.document import MetricsBlock
from boardpack.reports.sections import SectionSpec

NAME = "visitors"


@dataclass(frozen=True)
class VisitorLog:
    days: tuple[tuple[date, int], ...]

    def between(self, start: date, end: date) -> int:
        return sum(n for d, n in self.days if start <= d <= end)


class VisitorsSource:
    name = NAME

    def read(self, portfolio: Portfolio) -> SourceStatus:
        ws = portfolio.workspace
        status = SourceStatus(
            name=self.name, configured=(ws.root / "visitors.csv").is_file(), optional=True
        )
        if status.configured:
            rows = read_rows(
                ws.root,
                "visitors.csv",
                "visitors.csv",
                ("date", "visitors"),
                lambda row, where: (day(row["date"], "date"), count(row["visitors"], "visitors")),
            )
            portfolio.extend(NAME, VisitorLog(days=tuple(rows)))
            status.paths, status.records = ["visitors.csv"], len(rows)
            status.freshness = max((d for d, _ in rows), default=None)
        return status


def visitors_block(results: Results, portfolio: Portfolio) -> list:
    log = portfolio.extension(NAME, VisitorLog)
    if log is None:
        return []
    period = portfolio.period
    metric = Metric(
        id="visitors.period",
        label="Website visitors",
        value=log.between(period.start, period.end),
        unit="visitors",
        provenance=("visitors.csv",),
    )
    return [MetricsBlock(items=(metric,))]


source = VisitorsSource()
SECTIONS = (SectionSpec("visitors.summary", "Website visitors", visitors_block, needs=(NAME,)),)
