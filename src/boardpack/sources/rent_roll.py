"""A property's rent roll: one CSV row per unit (`[entities.property] units = "..."`)."""

from __future__ import annotations

from datetime import date

from boardpack.model import Portfolio, SourceStatus, Unit
from boardpack.sources.csv_file import amount, day, read_rows

HEADER = ("unit", "tenant", "lease_start", "lease_end", "monthly_rent", "deposit")


class RentRoll:
    name = "rent_roll"

    def read(self, portfolio: Portfolio) -> SourceStatus:
        ws = portfolio.workspace
        properties = [e for e in ws.settings.entities if e.property]
        status = SourceStatus(self.name, configured=bool(properties), stale_after_days=366,
                              optional=all(e.property.optional for e in properties))
        for entity in properties:
            relative = entity.property.units
            seen: dict[str, str] = {}

            def parse(row: dict[str, str], where: str, entity: str = entity.id) -> Unit:
                unit = parse_unit(row, entity, where)
                if unit.unit in seen:
                    raise ValueError(f"unit {unit.unit!r} is listed twice (first at {seen[unit.unit]})")
                seen[unit.unit] = where
                return unit

            key = f"entities.{entity.id}.property.units"
            portfolio.units.extend(read_rows(ws.root, relative, key, HEADER, parse))
            status.paths.append(relative)
            # A rent roll is a snapshot, not a dated series: it is as current as its last edit.
            edited = date.fromtimestamp(ws.path(relative, key).stat().st_mtime)
            status.freshness = min(status.freshness or edited, edited)
        status.records = len(portfolio.units)
        return status


def parse_unit(row: dict[str, str], entity: str, where: str) -> Unit:
    if not row["unit"]:
        raise ValueError("unit is empty: name the unit (e.g. 'A' or 'Upstairs')")
    tenant = row["tenant"]
    start = day(row["lease_start"], "lease_start") if row["lease_start"] else None
    end = day(row["lease_end"], "lease_end") if row["lease_end"] else None
    if tenant and start is None:
        raise ValueError(f"{tenant!r} has no lease_start: give the date the lease began")
    if start and end and end < start:
        raise ValueError(f"the lease ends ({end}) before it starts ({start}): check the two dates")
    return Unit(entity, row["unit"], tenant, start, end, amount(row["monthly_rent"], "monthly_rent"),
                amount(row["deposit"], "deposit", default="0"), where)


source = RentRoll()
