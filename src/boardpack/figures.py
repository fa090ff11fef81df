"""How a figure reads, everywhere — tables, tiles, charts, sentences, every format: exact,
thousands separators, its unit, a dash for no data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

NO_DATA = "—"


def value_text(value, unit: str = "") -> str:
    if value is None:
        return NO_DATA
    number = cell_text(value)
    if unit == "%":
        return f"{number}%"
    if unit == "×":
        return f"{number}×"
    if value == 1 and unit.endswith("s"):
        unit = unit[:-1]  # 1 transaction, 1 month
    return f"{number} {unit}".strip()


def cell_text(value) -> str:
    if value is None:
        return NO_DATA
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, (Decimal, int)):
        return f"{value:,}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def change_text(change, unit: str = "") -> str:
    """A move since the previous period: `▲ 1,200.00 USD`, `▼ 0.4 months`, `no change`.
    Percentages move in points, not percent of themselves."""
    if change is None:
        return ""
    if not change:
        return "no change"
    size = abs(change)
    amount = f"{cell_text(size)} pts" if unit == "%" else value_text(size, unit)
    return f"{'▲' if change > 0 else '▼'} {amount}"


def plural(count: int, one: str, many: str = "") -> str:
    """`1 problem`, `2 problems` (`many` where adding an s is wrong: `2 entries`)."""
    return f"{count:,} {one if count == 1 else many or one + 's'}"
