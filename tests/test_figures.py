"""How a figure reads (figures.py): rounded for its reader, its currency's symbol, one negative
style, percentages to one decimal — the same function everywhere."""

from __future__ import annotations

from decimal import Decimal

import pytest

from boardpack.figures import Reading, cell_text, change_text, reading, value_text

AMOUNT = Decimal("59712.34")


@pytest.mark.parametrize(
    ("style", "money", "negative", "cell"),
    [
        (Reading(), "59,712.34 USD", "-1,622.46 USD", "59,712.34"),
        (Reading("units"), "59,712 USD", "-1,622 USD", "59,712"),
        (Reading("thousands"), "59.7k USD", "-1.6k USD", "59,712"),  # a table cell: whole
        (Reading("units", "USD", "$"), "$59,712", "-$1,622", "59,712"),
        (Reading("thousands", "USD", "$", "parentheses"), "$59.7k", "($1.6k)", "59,712"),
        (
            Reading("cents", "USD", "", "parentheses"),
            "59,712.34 USD",
            "(1,622.46 USD)",
            "59,712.34",
        ),
    ],
)
def test_money_reads_at_its_report_s_precision(style, money, negative, cell):
    with reading(style):
        assert value_text(AMOUNT, "USD") == money
        assert value_text(Decimal("-1622.46"), "USD") == negative
        assert cell_text(AMOUNT) == cell
    assert value_text(AMOUNT, "USD") == "59,712.34 USD"  # outside, the default: to the cent


def test_only_the_report_s_own_currency_takes_the_symbol():
    with reading(Reading("units", "USD", "$")):
        assert value_text(Decimal("1200.00"), "EUR") == "1,200 EUR"


def test_small_and_large_amounts_in_thousands():
    with reading(Reading("thousands")):
        assert value_text(Decimal("950.40"), "USD") == "950 USD"  # under a thousand: whole
        assert value_text(Decimal("1234567.00"), "USD") == "1,235k USD"
        assert value_text(Decimal("-0.40"), "USD") == "0 USD"  # no minus on a rounded zero
        assert change_text(Decimal("-6972.10"), "USD") == "▼ 7.0k USD"


def test_what_is_not_money_is_not_rounded_as_money():
    with reading(Reading("thousands")):
        assert value_text(Decimal("4.4"), "months") == "4.4 months"
        assert value_text(12345, "findings") == "12,345 findings"
        assert cell_text(Decimal("45.5")) == "45.5"  # a percentage in a table: as it is
    assert value_text(Decimal("22.30"), "%") == "22.3%"  # one decimal, in every reading
    assert value_text(Decimal("2.25"), "%") == "2.3%"
