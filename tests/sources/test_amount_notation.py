"""Property: any amount written in any supported notation reads back to the same Decimal (issue 4).
"""

from decimal import Decimal

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from boardpack.sources.ledger import money_sql

AMOUNTS = st.decimals(
    min_value=Decimal("-999999999999.99"),
    max_value=Decimal("999999999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)


def grouped(d: Decimal, thousands: str, point: str) -> str:
    """|d| with thousands separators and two decimals, e.g. 1,234.50 or 1.234,50."""
    text = f"{abs(d):,.2f}"
    return text.replace(",", "\0").replace(".", point).replace("\0", thousands)


def minus(d: Decimal) -> str:
    return "-" if d < 0 else ""


# (decimal mark the source is configured with, how the bank writes it)
NOTATIONS = [
    (".", lambda d: f"{d:.2f}"),  # -1234.50
    (".", lambda d: f"{minus(d)}{grouped(d, ',', '.')}"),  # -1,234.50
    (".", lambda d: f"{minus(d)}$ {grouped(d, ',', '.')}"),  # -$ 1,234.50
    (".", lambda d: f"({grouped(d, ',', '.')})" if d < 0 else grouped(d, ",", ".")),  # (1,234.50)
    (".", lambda d: f"(${abs(d):.2f})" if d < 0 else f"${d:.2f}"),  # ($1234.50)
    (".", lambda d: f"+{d:.2f}" if d >= 0 else f"{d:.2f}"),  # +1234.50
    (
        ".",
        lambda d: f"{d:.2f}"[:-1] if f"{d:.2f}".endswith("0") else f"{d:.2f}",
    ),  # 12.5 (one decimal)
    (",", lambda d: f"{minus(d)}{grouped(d, '.', ',')}"),  # -1.234,50
    (",", lambda d: f"{minus(d)}{grouped(d, '.', ',')} €"),  # -1.234,50 €
    (",", lambda d: f"{minus(d)}£{abs(d):.2f}".replace(".", ",")),  # -£1234,50
]

db = duckdb.connect()


def read(text: str, mark: str) -> Decimal | None:
    [(value,)] = db.execute(
        f"SELECT {money_sql('x', mark)} FROM (SELECT ?::VARCHAR AS x)", [text]
    ).fetchall()
    return value


@settings(max_examples=300, deadline=None)
@given(amount=AMOUNTS, notation=st.sampled_from(range(len(NOTATIONS))))
def test_every_notation_reads_back_to_the_same_decimal(amount, notation):
    mark, write = NOTATIONS[notation]
    written = write(amount)
    assert read(written, mark) == amount, written


@given(amount=AMOUNTS)
def test_decimal_places_are_never_rounded(amount):
    """Three places read exactly (whether the row's currency has them is checked with the row, in
    tests/sources/test_exports.py); a fourth is refused, never rounded away."""
    assert read(f"{amount:.2f}5", ".") == Decimal(f"{amount:.2f}5")
    assert read(f"{amount:.2f}55", ".") is None
