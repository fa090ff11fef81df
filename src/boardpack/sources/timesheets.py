"""A practice's timesheets: one CSV row per client, day and rate (`[entities.practice] timesheets = "..."`)."""

from __future__ import annotations

from boardpack.model import Portfolio, SourceStatus, TimeEntry
from boardpack.sources.csv_file import amount, day, read_rows

HEADER = ("client", "date", "hours", "rate")


class Timesheets:
    name = "timesheets"

    def read(self, portfolio: Portfolio) -> SourceStatus:
        ws = portfolio.workspace
        practices = [e for e in ws.settings.entities if e.practice]
        status = SourceStatus(self.name, configured=bool(practices), stale_after_days=10,
                              optional=all(e.practice.optional for e in practices))
        for entity in practices:
            clients = {c.casefold(): c for c in entity.practice.clients}

            def parse(row: dict[str, str], where: str, entity: str = entity.id, clients=clients) -> TimeEntry:
                client = clients.get(row["client"].casefold())
                if client is None:
                    raise ValueError(f"client {row['client']!r} is not one of the practice's clients "
                                     f"({', '.join(clients.values())}); add it to [entities.practice] clients")
                return TimeEntry(entity, client, day(row["date"], "date"), amount(row["hours"], "hours", positive=True),
                                 amount(row["rate"], "rate"), where)

            relative = entity.practice.timesheets
            portfolio.timesheets.extend(read_rows(ws.root, relative, f"entities.{entity.id}.practice.timesheets",
                                                  HEADER, parse))
            status.paths.append(relative)
        status.records = len(portfolio.timesheets)
        status.freshness = max((t.date for t in portfolio.timesheets if t.date < portfolio.as_of), default=None)
        if status.configured and status.freshness is None:
            status.error = "no hours are logged before the as-of date"
        return status


source = Timesheets()
