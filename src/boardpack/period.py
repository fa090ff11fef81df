"""Reporting periods: a pack covers the last complete period before the as-of date."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

PeriodKind = Literal["month", "week", "quarter"]


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date  # inclusive
    kind: PeriodKind

    @property
    def label(self) -> str:
        """`2026-10`, `2026-W46` or `2026-Q3`: part of every delivery key."""
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}-{self.start.month:02d}"

    @property
    def title(self) -> str:
        if self.kind == "month":
            return self.start.strftime("%B %Y")
        if self.kind == "quarter":
            return f"Q{(self.start.month - 1) // 3 + 1} {self.start.year}"
        return (
            f"week {self.label[-2:]} of {self.start.isocalendar()[0]}"
            f" ({self.start:%d %b}–{self.end:%d %b})"
        )

    @property
    def per_year(self) -> int:
        return {"month": 12, "quarter": 4, "week": 52}[self.kind]

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        return period_containing(self.start - timedelta(days=1), self.kind)

    def year_earlier(self) -> Period:
        """The same period a year before: the month or quarter, or the week 52 weeks back."""
        if self.kind == "week":
            return period_containing(self.start - timedelta(weeks=52), "week")
        return period_containing(self.start.replace(year=self.start.year - 1), self.kind)

    def following(self) -> Period:
        return period_containing(self.end + timedelta(days=1), self.kind)


EARLIEST = date(1900, 1, 1)  # a record dated before this has a wrong year
LATEST = date(2999, 12, 31)  # with EARLIEST, around any books: trailing windows stay in range


def latest_plausible(as_of: date) -> date:
    """The last date a record can plausibly carry: a year past both as-of and today. Later is a
    wrong year (9999-12-31), never a plan, and must not make a source look current."""
    return max(as_of, date.today()) + timedelta(days=366)


def month_start(d: date) -> date:
    return d.replace(day=1)


def month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def add_months(d: date, months: int) -> date:
    """The first of the month `months` after d's month (negative goes back)."""
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_containing(d: date, kind: PeriodKind) -> Period:
    if kind == "week":
        start = d - timedelta(days=d.weekday())
        return Period(start, start + timedelta(days=6), kind)
    if kind == "quarter":
        start = date(d.year, (d.month - 1) // 3 * 3 + 1, 1)
        return Period(start, add_months(start, 3) - timedelta(days=1), kind)
    return Period(month_start(d), month_end(d), kind)


def period_before(as_of: date, kind: PeriodKind) -> Period:
    """The last period that is complete before `as_of` (as_of's own day is not over yet)."""
    return period_containing(as_of, kind).previous()


def trailing_months(end: date, months: int) -> tuple[date, date]:
    """The `months` whole calendar months ending with end's month, as (first day, last day)."""
    return add_months(end, -(months - 1)), month_end(end)
