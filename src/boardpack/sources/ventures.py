"""A venture's own CSV files — a property's rent roll, a fleet's jobs, a practice's timesheets —
read by one source class, configured by the entity table that names the file, the header and a row
parser.

Every file goes through `csv_file.read_rows` and its cell parsers, so a date, a count or an amount
means the same thing in each of them (and in the channels file).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from boardpack.config import Entity
from boardpack.csv_file import amount, day, read_rows
from boardpack.errors import LiveError, SourceProblem
from boardpack.live.snapshots import ITEM
from boardpack.model import Booking, Job, Portfolio, SourceStatus, TimeEntry, Unit

ISO_DATE = "%Y-%m-%d"
# a timestamp as systems store one: "2026-10-02T09:00:01", "…Z", "…+02:00", "….123"
ISO_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?"
    r"(Z|[+-][0-9]{2}:?[0-9]{2})?"
)
RowParser = Callable[[dict[str, str], str], object]  # (cells by column, "path:line") -> a record


@dataclass(frozen=True)
class VentureCsv:
    name: str  # the source's name, as its sections and `check` show it
    table: str  # the entity's table that names the file: [entities.<table>]
    setting: str  # ... and its key
    header: tuple[str, ...] | Callable[[Entity], tuple[str, ...]]  # or one entity's own
    parser: Callable[[Entity], RowParser]  # a row parser for one entity's file
    records: str  # the Portfolio list it fills
    stale_after_days: int
    # (portfolio, records, files) -> newest
    freshness: Callable[[Portfolio, list, list[Path]], date | None]
    nothing: str = ""  # why the source failed when it has no record before the as-of date

    def read(self, portfolio: Portfolio) -> SourceStatus:
        ws = portfolio.workspace
        entities = [e for e in ws.settings.entities if getattr(e, self.table)]
        status = SourceStatus(
            name=self.name,
            configured=bool(entities),
            stale_after_days=self.stale_after_days,
            optional=all(getattr(e, self.table).optional for e in entities),
        )
        found, files = getattr(portfolio, self.records), []
        for entity in entities:
            if live := getattr(getattr(entity, self.table), "source", None):
                try:
                    found.extend(self.live(portfolio, entity, live, status))
                except LiveError as exc:  # unreadable, as the live source itself says
                    status.error = f"the live source {live} could not be read: {exc}"
                continue
            relative = getattr(getattr(entity, self.table), self.setting)
            key = f"entities.{entity.id}.{self.table}.{self.setting}"
            header = self.header(entity) if callable(self.header) else self.header
            found.extend(read_rows(ws.root, relative, key, header, self.parser(entity)))
            status.paths.append(relative)
            files.append(ws.path(relative, key))
        status.records = len(found)
        status.freshness = self.freshness(portfolio, found, files)
        if status.configured and status.freshness is None and self.nothing:
            status.error = status.error or self.nothing
        return status


    def live(
        self, portfolio: Portfolio, entity: Entity, name: str, status: SourceStatus
    ) -> list:
        """The venture's records from a live source's snapshot, its items' attributes read as the
        shape's fields; an item that does not fit is named by its key and left out."""
        from boardpack.live.pulls import parts, snapshot  # boto3: only where one is used

        source = name.partition(".")[0]  # a SQL query's is "<source>.<query>"
        spec = next(s for s in portfolio.workspace.settings.sources.live() if s.name == source)
        parse, found = self.parser(entity), []
        (part,) = [p for p in parts(spec, snapshot(portfolio, spec).rows) if p.label == name]
        for n, item in enumerate(part.rows, start=1):
            where = f"item {item[ITEM]}" if ITEM in item else f"row {n}"
            try:
                found.append(parse(item, f"{name}: {where}"))
            except ValueError as exc:
                status.problems.append(SourceProblem(name, None, f"{where}: {exc}"))
        status.paths.append(f"{name} (live)")
        return found


def newest_before_as_of(portfolio: Portfolio, records: list, files: list[Path]) -> date | None:
    """A dated series: its newest record before the as-of date (later rows are bookings, not news).
    """
    return max((r.date for r in records if r.date < portfolio.as_of), default=None)


def last_edit(portfolio: Portfolio, records: list, files: list[Path]) -> date | None:
    """A snapshot, not a dated series (a rent roll): as current as its oldest file's last edit."""
    return min((date.fromtimestamp(f.stat().st_mtime) for f in files), default=None)


def unit_parser(entity: Entity) -> RowParser:
    """A rent roll's rows: no tenant is vacant (the rent is then the asking rent), no lease_end
    month to month."""
    seen: dict[str, str] = {}

    def parse(row: dict[str, str], where: str) -> Unit:
        if not row["unit"]:
            raise ValueError("unit is empty: name the unit (e.g. 'A' or 'Upstairs')")
        if row["unit"] in seen:
            raise ValueError(f"unit {row['unit']!r} is listed twice (first at {seen[row['unit']]})")
        tenant = row["tenant"]
        start = day(row["lease_start"], "lease_start") if row["lease_start"] else None
        end = day(row["lease_end"], "lease_end") if row["lease_end"] else None
        if tenant and start is None:
            raise ValueError(f"{tenant!r} has no lease_start: give the date the lease began")
        if start and end and end < start:
            raise ValueError(
                f"the lease ends ({end}) before it starts ({start}): check the two dates"
            )
        seen[row["unit"]] = where
        return Unit(
            entity=entity.id,
            unit=row["unit"],
            tenant=tenant,
            lease_start=start,
            lease_end=end,
            monthly_rent=amount(row["monthly_rent"], "monthly_rent"),
            deposit=amount(row["deposit"], "deposit", default="0"),
            source=where,
        )

    return parse


def job_parser(entity: Entity) -> RowParser:
    vehicles = entity.vehicles()

    def parse(row: dict[str, str], where: str) -> Job:
        if row["vehicle"] not in vehicles:
            raise ValueError(
                f"vehicle {row['vehicle']!r} is not in the fleet (its assets of kind vehicle: "
                f"{', '.join(vehicles)}); add it to assets or fix the name"
            )
        if not row["customer"]:
            raise ValueError("customer is empty")
        return Job(
            entity=entity.id,
            date=day(row["date"], "date"),
            vehicle=row["vehicle"],
            customer=row["customer"],
            revenue=amount(row["revenue"], "revenue"),
            direct_cost=amount(row["direct_cost"], "direct_cost", default="0"),
            hours=amount(row["hours"], "hours", default="0"),
            source=where,
        )

    return parse


def time_parser(entity: Entity) -> RowParser:
    clients = {c.casefold(): c for c in entity.practice.clients}

    def parse(row: dict[str, str], where: str) -> TimeEntry:
        client = clients.get(row["client"].casefold())
        if client is None:
            raise ValueError(
                f"client {row['client']!r} is not one of the practice's clients "
                f"({', '.join(clients.values())}); add it to [entities.practice] clients"
            )
        return TimeEntry(
            entity=entity.id,
            client=client,
            date=day(row["date"], "date"),
            hours=amount(row["hours"], "hours", positive=True),
            rate=amount(row["rate"], "rate"),
            source=where,
        )

    return parse


STATUSES = ("confirmed", "completed", "cancelled")


def booking_parser(entity: Entity) -> RowParser:
    """A bookings file's rows by the columns its booking system names: a booking is for one of the
    venture's assets, served on or after the day it was booked, in one of the three states."""
    spec = entity.bookings
    columns, assets = spec.header(), {a.casefold(): a for a in entity.bookable()}

    def when(row: dict[str, str], field: str) -> date:
        text = row[columns[field]].strip()
        try:
            return datetime.strptime(text, spec.date_format).date()
        except ValueError:
            if spec.date_format == ISO_DATE and ISO_TIMESTAMP.fullmatch(text):
                return date.fromisoformat(text[:10])  # a timestamp's day, as it is written
            raise ValueError(
                f"{columns[field]} {text!r} does not match date_format {spec.date_format!r}"
            ) from None

    def parse(row: dict[str, str], where: str) -> Booking:
        cell = {field: row[header].strip() for field, header in columns.items()}
        booked, service = when(row, "booking_date"), when(row, "service_date")
        if service < booked:
            raise ValueError(
                f"{columns['service_date']} {service} is before {columns['booking_date']}"
                f" {booked}: a booking is served on or after the day it is made"
            )
        asset = assets.get(cell["asset"].casefold())
        if asset is None:
            raise ValueError(
                f"{columns['asset']} {cell['asset']!r} is not one of {entity.id}'s assets"
                f" ({', '.join(assets.values())}); add it to assets or fix the name"
            )
        status = cell["status"].casefold()
        if status not in STATUSES:
            raise ValueError(
                f"{columns['status']} {cell['status']!r} is not one of {', '.join(STATUSES)}"
            )
        if not cell["customer"]:
            raise ValueError(f"{columns['customer']} is empty: name who booked")
        price = amount(cell["amount"], columns["amount"])
        deposit = amount(cell["deposit"], columns["deposit"], default="0")
        if deposit > price:
            raise ValueError(
                f"{columns['deposit']} {deposit} is more than {columns['amount']} {price}: a"
                " deposit is part of the booking's price"
            )
        return Booking(
            entity=entity.id,
            booked=booked,
            service=service,
            asset=asset,
            customer=cell["customer"],
            channel=cell["channel"].casefold(),
            amount=price,
            deposit=deposit,
            status=status,
            source=where,
        )

    return parse


def booked_before_as_of(portfolio: Portfolio, records: list, files: list[Path]) -> date | None:
    """Bookings: the newest one made before the as-of date (its service may be months ahead)."""
    return max((r.booked for r in records if r.booked < portfolio.as_of), default=None)


rent_roll = VentureCsv(
    name="rent_roll",
    table="property",
    setting="units",
    header=("unit", "tenant", "lease_start", "lease_end", "monthly_rent", "deposit"),
    parser=unit_parser,
    records="units",
    stale_after_days=366,
    freshness=last_edit,
)
jobs = VentureCsv(
    name="jobs",
    table="fleet",
    setting="jobs",
    header=("date", "vehicle", "customer", "revenue", "direct_cost", "hours"),
    parser=job_parser,
    records="jobs",
    stale_after_days=10,
    freshness=newest_before_as_of,
    nothing="no job is dated before the as-of date",
)
timesheets = VentureCsv(
    name="timesheets",
    table="practice",
    setting="timesheets",
    header=("client", "date", "hours", "rate"),
    parser=time_parser,
    records="timesheets",
    stale_after_days=10,
    freshness=newest_before_as_of,
    nothing="no hours are logged before the as-of date",
)
bookings = VentureCsv(
    name="bookings",
    table="bookings",
    setting="path",
    header=lambda entity: tuple(entity.bookings.header().values()),
    parser=booking_parser,
    records="bookings",
    stale_after_days=10,
    freshness=booked_before_as_of,
    nothing="no booking was made before the as-of date",
)
