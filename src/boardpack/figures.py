"""How a figure reads, everywhere — tables, tiles, charts, sentences, every format: thousands
separators, its unit, a dash for no data, and rounded for its reader.

A report is read at a precision (`[reports.<id>] precision`): `cents` (the currency's minor units,
the accountant's and the CFO's), `units` (whole amounts, the executives'), or `thousands` ("59.7k",
the executives' key-number tiles). Money (a figure whose unit is a currency code, a table's amount
to the cent) is rounded to it, written with the currency's symbol where one is set (`[organization]
currency_symbol`), and negative as `-1,234` or `(1,234)` (`[organization] negatives`); a percentage
reads to one decimal. The reading in force is a context, as `decimal.localcontext` is one
(`reading(...)`): a report is formatted inside its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

NO_DATA = "—"
Precision = Literal["units", "thousands", "cents"]
ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True)
class Reading:
    """How a report's figures read: its precision, the currency and its symbol, negatives."""

    precision: Precision = "cents"
    currency: str = ""
    symbol: str = ""  # written before an amount in `currency`: "$1,200"
    negatives: Literal["minus", "parentheses"] = "minus"

    def tiles(self) -> Reading:
        """The key-number tiles: in thousands where the report reads in whole units."""
        return replace(self, precision="thousands") if self.precision == "units" else self


READING: ContextVar[Reading] = ContextVar("reading", default=Reading())


@contextmanager
def reading(style: Reading) -> Iterator[None]:
    """Figures formatted inside read as `style` says."""
    token = READING.set(style)
    try:
        yield
    finally:
        READING.reset(token)


def is_money(unit: str) -> bool:
    """A currency code (`USD`)."""
    return len(unit) == 3 and unit.isalpha() and unit.isupper()


def value_text(value, unit: str = "") -> str:
    if value is None:
        return NO_DATA
    if is_money(unit) and isinstance(value, (Decimal, int)) and not isinstance(value, bool):
        return money_text(Decimal(value), unit)
    if unit == "%" and isinstance(value, Decimal):
        value = value.quantize(ONE_DECIMAL, ROUND_HALF_UP)
    number = cell_text(value)
    if unit == "%":
        return f"{number}%"
    if unit == "×":
        return f"{number}×"
    if value == 1 and unit.endswith("s"):
        unit = unit[:-1]  # 1 transaction, 1 month
    return f"{number} {unit}".strip()


def money_text(amount: Decimal, unit: str) -> str:
    """`59,712.34 USD`, `$59,712`, `$59.7k`, `(1,234) USD`, as the reading in force says."""
    style = READING.get()
    size = rounded(abs(amount), style.precision)
    shown = f"{style.symbol}{size}" if style.symbol and unit == style.currency else f"{size} {unit}"
    if amount >= 0 or size.strip("0.,k") == "":
        return shown
    return f"({shown})" if style.negatives == "parentheses" else f"-{shown}"


def said(amount, unit: str) -> str:
    """An amount as a sentence says it, in any report: to the whole unit (`8,086 USD`). Sentences
    are written once for every report; the figures and tables beside them keep the cents."""
    with reading(Reading("units", unit)):
        return value_text(amount, unit)


def rounded(size: Decimal, precision: Precision) -> str:
    """An amount's size at a precision: `1,234.50`, `1,235`, `1.2k` (below a thousand, whole)."""
    if precision == "thousands" and size >= 1000:
        thousands = (size / 1000).quantize(ONE_DECIMAL, ROUND_HALF_UP)
        return f"{thousands:,}k" if thousands < 1000 else f"{(size / 1000):,.0f}k"
    if precision in ("units", "thousands"):
        return f"{size.quantize(Decimal(1), ROUND_HALF_UP):,}"
    return f"{size:,}"


def cell_text(value) -> str:
    if type(value) is str:  # most cells: said as they are
        return value
    if value is None:
        return NO_DATA
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, Decimal) and value.as_tuple().exponent == -2:
        return table_amount(value)  # an amount to the cent: money, as the reading rounds it
    if isinstance(value, (Decimal, int)):
        return f"{value:,}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def table_amount(amount: Decimal) -> str:
    """A table's amount (its column says the currency): rounded, negatives in the reading's way."""
    style = READING.get()
    size = rounded(abs(amount), "units" if style.precision == "thousands" else style.precision)
    if amount >= 0 or size.strip("0.,") == "":
        return size
    return f"({size})" if style.negatives == "parentheses" else f"-{size}"


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
