"""Marketing channel metrics: one CSV row per entity, channel and month."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal, InvalidOperation

from boardpack.errors import SourceErrors, SourceProblem, WorkspaceError
from boardpack.model import ChannelMonth, Portfolio, SourceStatus
from boardpack.period import month_end

COUNTS = ("impressions", "visits", "leads", "bookings")
MONEY = ("revenue", "spend")
HEADER = ("entity", "channel", "month", *COUNTS, *MONEY)


class ChannelsCsv:
    name = "channels"

    def read(self, portfolio: Portfolio) -> SourceStatus:
        ws = portfolio.workspace
        spec = ws.settings.sources.channels
        status = SourceStatus(self.name, configured=spec is not None, stale_after_days=31)
        if spec is None:
            return status
        path = ws.root / spec.path
        if not path.is_file():
            raise WorkspaceError(f"sources.channels.path = {spec.path!r}: no such file under {ws.root}")
        entity_ids = {e.id for e in ws.settings.entities}
        problems: list[SourceProblem] = []
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [h for h in HEADER if h not in (reader.fieldnames or [])]
            if missing:
                raise WorkspaceError(f"{spec.path}:1: columns {', '.join(missing)} are missing; "
                                     f"the header must be {','.join(HEADER)}")
            for row in reader:
                line = reader.line_num
                try:
                    portfolio.channels.append(parse_row(row, entity_ids, f"{spec.path}:{line}"))
                except ValueError as exc:
                    problems.append(SourceProblem(spec.path, line, str(exc)))
        if problems:
            raise SourceErrors(problems)
        status.paths = [spec.path]
        status.records = len(portfolio.channels)
        newest = max((c.month for c in portfolio.channels), default=None)
        status.freshness = month_end(newest) if newest else None  # a month's row covers the whole month
        return status


def parse_row(row: dict, entity_ids: set[str], where: str) -> ChannelMonth:
    entity = (row["entity"] or "").strip()
    if entity not in entity_ids:
        raise ValueError(f"entity {entity!r} is not declared in [[entities]]")
    channel = (row["channel"] or "").strip()
    if not channel:
        raise ValueError("channel is empty")
    try:
        month = date.fromisoformat((row["month"] or "").strip() + "-01")
    except ValueError:
        raise ValueError(f"month {row['month']!r} is not YYYY-MM") from None
    counts = {}
    for key in COUNTS:
        text = (row[key] or "0").strip()
        if not text.isdigit():
            raise ValueError(f"{key} {text!r} is not a whole number of zero or more")
        counts[key] = int(text)
    money = {}
    for key in MONEY:
        try:
            money[key] = Decimal((row[key] or "0").strip())
        except InvalidOperation:
            raise ValueError(f"{key} {row[key]!r} is not a number") from None
    return ChannelMonth(entity, channel, month, **counts, **money, source=where)


source = ChannelsCsv()
