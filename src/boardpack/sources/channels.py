"""Marketing channel metrics: one CSV row per entity, channel and month."""

from __future__ import annotations

from datetime import date

from boardpack.csv_file import amount, count, read_rows
from boardpack.model import ChannelMonth, Portfolio, SourceStatus
from boardpack.period import latest_plausible, month_end

COUNTS = ("impressions", "visits", "leads", "bookings")
MONEY = ("revenue", "spend")
HEADER = ("entity", "channel", "month", *COUNTS, *MONEY)


class ChannelsCsv:
    name = "channels"

    def read(self, portfolio: Portfolio) -> SourceStatus:
        ws = portfolio.workspace
        spec = ws.settings.sources.channels
        status = SourceStatus(
            name=self.name,
            configured=spec is not None,
            stale_after_days=31,
            optional=bool(spec and spec.optional),
        )
        if spec is None:
            return status
        entity_ids = {e.id for e in ws.settings.entities}
        portfolio.channels.extend(
            read_rows(
                ws.root,
                spec.path,
                "sources.channels.path",
                HEADER,
                lambda row, where: parse_row(row, entity_ids, where),
            )
        )
        status.paths = [spec.path]
        status.records = len(portfolio.channels)
        # a month typed a thousand years ahead is not news
        latest = latest_plausible(portfolio.as_of)
        newest = max((c.month for c in portfolio.channels if c.month <= latest), default=None)
        # a month's row covers the whole month
        status.freshness = month_end(newest) if newest else None
        return status


def parse_row(row: dict, entity_ids: set[str], where: str) -> ChannelMonth:
    entity = row["entity"]
    if entity not in entity_ids:
        raise ValueError(f"entity {entity!r} is not declared in [[entities]]")
    channel = row["channel"]
    if not channel:
        raise ValueError("channel is empty")
    try:
        month = date.fromisoformat(row["month"] + "-01")
    except ValueError:
        raise ValueError(f"month {row['month']!r} is not YYYY-MM") from None
    counts = {key: count(row[key] or "0", key) for key in COUNTS}
    money = {key: amount(row[key], key, default="0") for key in MONEY}
    if counts["leads"] > counts["visits"] or counts["bookings"] > counts["leads"]:
        raise ValueError(
            f"a funnel narrows: visits {counts['visits']} ≥ leads {counts['leads']} ≥ bookings "
            f"{counts['bookings']} must hold"
        )
    return ChannelMonth(
        entity=entity, channel=channel, month=month, **counts, **money, source=where
    )


source = ChannelsCsv()
