"""CFO figures from the conftest ledger, worked by hand.

Operating cash flow (Equity:* excluded), by month:
  Aug  6000 - 2000 - 1500        =  2500
  Sep  1000 - 2000 -  900        = -1900
  Oct  1200 - 2000 -  600 - 400  = -1800   (the 400 is uncategorized, still operating)
Cash at 31 Oct = 10000 opening + 1000 (Jul) + 2500 - 1900 - 1800 + 5000 (owner) = 14800.00
Net burn  = -(2500 - 1900 - 1800) / 3 = 400.00 a month
Gross burn = (3500 + 2900 + 3000) / 3 = 3133.33
Runway    = 14800 / 400 = 37.0 months (the trailing average's)
Break-even: revenue Aug–Oct 8200, variable (Materials) 3000, fixed (Rent) 6000
  margin = 5200 / 8200; monthly fixed 2000; break-even = 2000 × 8200 / 5200 = 3153.85
"""

from decimal import Decimal

import pytest

from boardpack.config import load_workspace
from boardpack.pipeline import build_pack
from tests.conftest import AS_OF, GENERATED_AT, LEDGER, TOML, write_workspace


def value(pack, metric_id):
    return pack.results.metrics[metric_id].value


def test_cash_burn_and_runway(pack):
    assert value(pack, "finance.cash_balance") == Decimal("14800.00")
    assert value(pack, "finance.net_burn") == Decimal("400.00")
    assert value(pack, "finance.gross_burn") == Decimal("3133.33")
    # the trailing average's runway; the forecast's is in tests/analyses/test_forecast.py
    assert value(pack, "finance.runway_months_trailing") == Decimal("37.0")
    # one verdict on the cash: the runway's, the worst of the forecast (it lasts), the trailing
    # burn (37 months) and the reserve (14,800 is below 6 months of 3,133.33 gross burn)
    assert pack.results.metrics["finance.runway_months_trailing"].status is None
    runway = pack.results.metrics["finance.runway_months"]
    assert runway.status == "bad" and runway.note == (
        "on the forecast, cash lasts past 2027-10-31 (lowest 8,065 on 2027-10-10); at the"
        " trailing burn, 37.0 months; below the 6-month reserve of 18,800 USD — bad, the worst"
        " of the three"
    )


def test_revenue_for_the_period_and_by_entity(pack):
    assert value(pack, "finance.revenue") == Decimal("1200.00")
    assert value(pack, "finance.revenue.co") == Decimal("1200.00")


def test_break_even_from_fixed_and_variable_costs(pack):
    assert value(pack, "finance.break_even_revenue") == Decimal("3153.85")
    assert value(pack, "finance.average_revenue") == Decimal("2733.33")
    assert pack.results.metrics["finance.break_even_revenue"].status == "bad"
    assert any(f.title == "Revenue is below break-even" for f in pack.results.findings)


def test_revenue_targets_grow_at_a_constant_rate_to_the_goal(pack):
    table = pack.results.tables["finance.revenue_targets"]
    assert [r["month"] for r in table.rows] == ["2026-11", "2026-12", "2027-01"]
    growth = (5000 / 2733.33) ** (1 / 3)
    expected = [2733.33 * growth, 2733.33 * growth**2]
    for row, want in zip(table.rows, expected):
        assert abs(float(row["target"]) - want) < 0.01
    assert table.rows[-1]["target"] == Decimal("5000.00")
    assert abs(float(value(pack, "finance.required_growth")) - (growth - 1) * 100) < 0.01


def test_the_monthly_trend_covers_twelve_months(pack):
    rows = pack.results.tables["finance.monthly"].rows
    assert len(rows) == 12 and rows[0]["month"] == "2025-11" and rows[-1]["month"] == "2026-10"
    assert rows[-3] == {
        "month": "2026-08",
        "revenue": Decimal("6000.00"),
        "revenue_year_earlier": None,  # the ledger starts in July 2026
        "expenses": Decimal("3500.00"),
        "net": Decimal("2500.00"),
        "net_year_earlier": None,
        "operating_cash_flow": Decimal("2500.00"),
    }
    assert rows[0]["revenue"] == 0


def test_each_month_beside_the_same_month_a_year_earlier(tmp_path):
    earlier = "2025-08-05,Acme,August sale last year,4000.00,Income:Sales\n"
    pack = build_pack(
        load_workspace(
            write_workspace(tmp_path / "ws", files={"ledger/bank.csv": LEDGER + earlier}),
            environ={},
        ),
        AS_OF,
        generated_at=GENERATED_AT,
    )
    august = next(r for r in pack.results.tables["finance.monthly"].rows if r["month"] == "2026-08")
    assert august["revenue_year_earlier"] == Decimal("4000.00")
    assert august["net_year_earlier"] == Decimal("4000.00")


def test_a_growing_business_has_unlimited_runway_and_passes_the_runway_rule(tmp_path):
    ledger = LEDGER.replace(
        "2026-10-05,Acme,October sale,1200.00", "2026-10-05,Acme,October sale,9000.00"
    )
    ws = write_workspace(tmp_path, files={"ledger/bank.csv": ledger})
    pack = build_pack(load_workspace(ws, environ={}), AS_OF, generated_at=GENERATED_AT)
    assert value(pack, "finance.net_burn") < 0
    assert value(pack, "finance.runway_months") is None
    rules = {r["rule"]: r["verdict"] for r in pack.results.tables["finance.decision_rules"].rows}
    assert rules["Keep six months of runway"] == "pass"


def test_runway_is_zero_when_cash_is_gone(tmp_path):
    toml = TOML.replace('opening_balance = "10000.00"', 'opening_balance = "-20000.00"')
    pack = build_pack(
        load_workspace(write_workspace(tmp_path, toml), environ={}),
        AS_OF,
        generated_at=GENERATED_AT,
    )
    assert value(pack, "finance.cash_balance") < 0
    assert value(pack, "finance.runway_months") == Decimal("0.0")
    assert value(pack, "finance.runway_months_trailing") == Decimal("0.0")
    assert any(
        f.severity == "critical" and f.title == "Cash is below zero" for f in pack.results.findings
    )


def test_decision_rules_report_the_deciding_values(pack):
    rows = {r["rule"]: r for r in pack.results.tables["finance.decision_rules"].rows}
    assert rows["Keep six months of runway"]["verdict"] == "pass"
    assert rows["Net income is positive"]["verdict"] == "fail"
    # as a rule reads, in whole units
    assert rows["Net income is positive"]["why"] == (
        "Net income -1,400 USD against a rule of more than 0 USD"
    )
    assert any(
        f.title == "Decision rule failed: Net income is positive" for f in pack.results.findings
    )


@pytest.mark.parametrize(
    "metric_id", ["finance.cash_balance", "finance.net_burn", "finance.runway_months"]
)
def test_metrics_carry_their_provenance(pack, metric_id):
    assert pack.results.metrics[metric_id].provenance == ("ledger/bank.csv",)
