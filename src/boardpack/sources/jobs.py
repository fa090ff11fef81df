"""A fleet's jobs, done and booked: one CSV row per job (`[entities.fleet] jobs = "..."`)."""

from __future__ import annotations

from boardpack.model import Job, Portfolio, SourceStatus
from boardpack.sources.csv_file import amount, day, read_rows

HEADER = ("date", "vehicle", "customer", "revenue", "direct_cost", "hours")


class Jobs:
    name = "jobs"

    def read(self, portfolio: Portfolio) -> SourceStatus:
        ws = portfolio.workspace
        fleets = [e for e in ws.settings.entities if e.fleet]
        status = SourceStatus(self.name, configured=bool(fleets), stale_after_days=10,
                              optional=all(e.fleet.optional for e in fleets))
        for entity in fleets:
            vehicles = entity.vehicles()

            def parse(row: dict[str, str], where: str, entity: str = entity.id, vehicles=vehicles) -> Job:
                if row["vehicle"] not in vehicles:
                    raise ValueError(f"vehicle {row['vehicle']!r} is not in the fleet (its assets of kind vehicle: "
                                     f"{', '.join(vehicles)}); add it to assets or fix the name")
                if not row["customer"]:
                    raise ValueError("customer is empty")
                return Job(entity, day(row["date"], "date"), row["vehicle"], row["customer"],
                           amount(row["revenue"], "revenue"), amount(row["direct_cost"], "direct_cost", default="0"),
                           amount(row["hours"], "hours", default="0"), where)

            portfolio.jobs.extend(read_rows(ws.root, entity.fleet.jobs, f"entities.{entity.id}.fleet.jobs", HEADER, parse))
            status.paths.append(entity.fleet.jobs)
        done = [j.date for j in portfolio.jobs if j.date < portfolio.as_of]  # later rows are bookings
        status.records = len(portfolio.jobs)
        status.freshness = max(done, default=None)
        if status.configured and status.freshness is None:
            status.error = "no job is dated before the as-of date"
        return status


source = Jobs()
