"""Exchange rates for CSV ledgers: exact conversion at the rate in force on the day, errors that
name the currency and the date."""

from decimal import Decimal

import pytest

from boardpack.config import load_workspace
from boardpack.errors import WorkspaceError
from boardpack.pipeline import build_pack
from tests.conftest import AS_OF, GENERATED_AT, TOML, write_workspace

RATED = TOML.replace('memo = "Memo"', 'memo = "Memo"\ncurrency = "Currency"').replace(
    "[sources.notes]", '[sources.rates]\npath = "rates.csv"\n\n[sources.notes]'
)
LEDGER = """\
Date,Payee,Memo,Amount,Account,Currency
2026-10-02,Acme,sale,1000.00,Income:Sales,USD
2026-10-03,Bremen GmbH,sale,100.00,Income:Sales,EUR
2026-10-20,Bremen GmbH,sale,33.33,Income:Sales,eur
2026-10-21,Marina,fees,-200.00,Expenses:Moorage,GBP
"""
RATES = """\
date,currency,rate
2026-10-01,EUR,1.0850
2026-10-15,EUR,1.08505
2026-10-22,EUR,2.0
2026-09-30,GBP,1.2712
"""


def rows(tmp_path, ledger=LEDGER, rates=RATES, toml=RATED):
    pack = build_pack(
        load_workspace(
            write_workspace(tmp_path, toml, {"ledger/bank.csv": ledger, "rates.csv": rates}),
            environ={},
        ),
        AS_OF,
        generated_at=GENERATED_AT,
    )
    return (
        pack,
        pack.portfolio.db.execute(
            "SELECT amount, currency, original_amount, original_currency FROM ledger ORDER BY"
            " source_line"
        ).fetchall(),
    )


def test_amounts_convert_exactly_at_the_rate_in_force_on_the_day(tmp_path):
    pack, converted = rows(tmp_path)
    assert converted == [
        (Decimal("1000.00"), "USD", Decimal("1000.00"), "USD"),
        (Decimal("108.50"), "USD", Decimal("100.00"), "EUR"),  # 100.00 × 1.0850
        (
            Decimal("36.16"),
            "USD",
            Decimal("33.33"),
            "EUR",
        ),  # 33.33 × 1.08505 = 36.1647…; the 22nd's rate is later
        (Decimal("-254.24"), "USD", Decimal("-200.00"), "GBP"),  # −200.00 × 1.2712
    ]
    statement = {
        r["account"]: r["period"] for r in pack.results.tables["accounting.income_statement"].rows
    }
    assert statement["Income:Sales"] == Decimal("1144.66")  # 1000.00 + 108.50 + 36.16, to the cent


def test_a_missing_rate_names_the_currency_the_date_and_the_fix(tmp_path):
    with pytest.raises(WorkspaceError) as caught:
        rows(tmp_path, rates="date,currency,rate\n2026-10-25,EUR,1.1\n2026-09-30,GBP,1.27\n")
    assert (
        "ledger/bank.csv:3: no exchange rate for EUR on or before 2026-10-03 in rates.csv: add a"
        " row 2026-10-03,EUR,<USD per EUR>"
        in str(caught.value)
    )


@pytest.mark.parametrize(
    "rates, expected",
    [
        (
            "date,currency,rate\n2026-02-30,EUR,1.1\n",
            'rates.csv:2: date "2026-02-30" is not YYYY-MM-DD',
        ),
        (
            "date,currency,rate\n2026-10-01,EURO,1.1\n",
            'rates.csv:2: currency "EURO" is not a three-letter code',
        ),
        (
            "date,currency,rate\n2026-10-01,EUR,-1\n",
            'rates.csv:2: rate "-1" is not a positive number',
        ),
        (
            "date,currency,rate\n2026-10-01,EUR,1.1x\n",
            'rates.csv:2: rate "1.1x" is not a positive number',
        ),
        (
            "day,ccy,rate\n2026-10-01,EUR,1.1\n",
            "rates.csv:1: the header is day, ccy, rate; expected date, currency, rate",
        ),
    ],
)
def test_a_bad_rates_file_names_the_line(tmp_path, rates, expected):
    with pytest.raises(WorkspaceError) as caught:
        rows(tmp_path, rates=rates)
    assert expected in str(caught.value)


def test_a_missing_rates_file(tmp_path):
    root = write_workspace(tmp_path, RATED, {"ledger/bank.csv": LEDGER})
    with pytest.raises(WorkspaceError, match="sources.rates.path = 'rates.csv': no such file"):
        build_pack(load_workspace(root, environ={}), AS_OF, generated_at=GENERATED_AT)
