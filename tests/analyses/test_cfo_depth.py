"""Break-even in units, capital deployment and the profitability roadmap, each worked out by
hand."""

import random
from decimal import Decimal

import pytest

from boardpack.analyses.capital import (
    cash_flows,
    irr,
    irr_yearly,
    monthly_rate,
    npv,
    payback_months,
)
from boardpack.config import Initiative, load_workspace
from boardpack.pipeline import build_pack
from tests.conftest import AS_OF, GENERATED_AT, TOML, write_workspace

D = Decimal

# A charter venture, Aug–Oct 2026 (the three months before the pack's November as-of):
# 12 charters for 24,000.00 → 2,000.00 each; fuel (variable) 3,600.00 → 300.00 a charter;
# moorage (fixed) 3 × 1,500.00 and insurance (fixed) 3 × 1,000.00 → fixed 2,500.00 a month.
# Break-even = 2,500.00 / (2,000.00 − 300.00) = 1.47 → 2 charters a month; 4 a month are sold.
CHARTER = (
    "Date,Payee,Memo,Amount,Account\n"
    + "".join(
        f"2026-{m:02d}-{d:02d},Guest,charter,2000.00,Income:Charters\n2026-{m:02d}-{d:02d},Fuel"
        " Co,fuel,-300.00,Expenses:Fuel\n"
        for m in (8, 9, 10)
        for d in (3, 10, 17, 24)
    )
    + "".join(
        f"2026-{m:02d}-01,Harbor,slip,-1500.00,Expenses:Moorage\n2026-{m:02d}-02,Insurer,policy,-1000.00,Expenses:Insurance\n"
        for m in (8, 9, 10)
    )
)


def charter_pack(tmp_path, extra_toml: str = "", ledger: str = CHARTER):
    toml = TOML.replace('kind = "services"', 'kind = "charter"').replace(
        'variable_cost_accounts = ["Expenses:Materials"]\nrevenue_goal = "5000.00"\ngoal_month ='
        ' "2027-01"',
        extra_toml,
    )
    root = write_workspace(tmp_path / "ws", toml, {"ledger/bank.csv": ledger})
    return build_pack(load_workspace(root, environ={}), AS_OF, generated_at=GENERATED_AT).results


def test_break_even_in_charters_from_the_chart_of_accounts(tmp_path):
    results = charter_pack(tmp_path)
    metric = results.metrics["finance.break_even_units.co"]
    assert metric.value == 2 and metric.unit == "charters a month" and metric.status == "good"
    (row,) = results.tables["finance.break_even_units"].rows
    assert (row["price"], row["variable"], row["fixed"], row["sold"]) == (
        D("2000.00"),
        D("300.00"),
        D("2500.00"),
        D("4.0"),
    )


def test_billable_hours_need_a_quantity(tmp_path):
    # a services venture (the conftest one) has no hours in its ledger: the metric says what to map
    toml_ledger = "Date,Payee,Memo,Amount,Account\n2026-10-05,Acme,work,1200.00,Income:Consulting\n"
    root = write_workspace(tmp_path / "ws", TOML, {"ledger/bank.csv": toml_ledger})
    results = build_pack(load_workspace(root, environ={}), AS_OF, generated_at=GENERATED_AT).results
    metric = results.metrics["finance.break_even_units.co"]
    assert metric.value is None and "columns.quantity" in metric.note


# One initiative, by hand: cost 12,000.00, 1,000.00 a month from month 1, 36 months, 10% a year (low
# risk).
# Monthly rate r = 1.1^(1/12) − 1 = 0.0079741404; (1 + r)^−36 = 1.1^−3 = 0.7513148;
# annuity factor (1 − 0.7513148) / r = 31.1865; NPV = −12,000 + 1,000 × 31.1865 = 19,186.46; payback
# in month 12.
def test_npv_payback_and_irr_of_a_level_return():
    item = Initiative(
        id="boat", name="Second boat", cost=D("12000.00"), monthly_return=D("1000.00"), risk="low"
    )
    flows = cash_flows(item, 36)
    r = monthly_rate(D("0.10"))
    assert r.quantize(D("0.0000000001")) == D("0.0079741404")
    annuity = (1 - (1 + r) ** -36) / r
    assert npv(flows, r) == (D("-12000") + D("1000") * annuity).quantize(D("0.01")) == D("19186.46")
    assert payback_months(flows) == 12
    # IRR: the monthly m with 1000 × (1 − (1 + m)^−36) / m = 12000, found here by bisection, then (1
    # + m)^12 − 1
    low, high = D("0.0001"), D("1")
    for _ in range(60):
        m = (low + high) / 2
        low, high = (m, high) if 1000 * (1 - (1 + m) ** -36) / m > 12000 else (low, m)
    assert irr_yearly(flows) == (((1 + m) ** 12 - 1) * 100).quantize(D("0.1"))


def test_a_ramp_delays_payback_and_a_loser_has_no_payback():
    ramped = cash_flows(
        Initiative(
            id="a", name="A", cost=D("12000.00"), monthly_return=D("1000.00"), ramp_months=3
        ),
        36,
    )
    assert ramped[1:4] == [D("1000.00") / 3, D("1000.00") * 2 / 3, D("1000.00")]
    assert payback_months(ramped) == 13  # 2,000 after the ramp, then 10 more months
    loser = cash_flows(
        Initiative(id="b", name="B", cost=D("50000.00"), monthly_return=D("100.00")), 36
    )
    assert payback_months(loser) is None and npv(loser, monthly_rate(D("0.15"))) < 0


# The reserve: the charter ledger's cash at 31 Oct is 10,000.00 opening + 24,000 − 3,600 − 7,500 =
# 22,900.00;
# gross burn (Aug–Oct average) = (3,600 + 7,500) / 3 = 3,700.00; two months of reserve = 7,400.00;
# deployable = 15,500.00. Ranked by NPV: "boat" (19,186.46 at low risk) is funded (cost 12,000,
# 3,500 left),
# "van" (cost 8,000) waits 4,500 beyond the reserve, "kiosk" loses money and is declined.
INITIATIVES = """reserve_months = "2"
[[finance.initiatives]]
id = "van"
name = "Delivery van"
cost = "8000.00"
monthly_return = "600.00"
risk = "medium"
[[finance.initiatives]]
id = "boat"
name = "Second boat"
cost = "12000.00"
monthly_return = "1000.00"
risk = "low"
[[finance.initiatives]]
id = "kiosk"
name = "Harbor kiosk"
cost = "9000.00"
monthly_return = "150.00"
risk = "high"
"""


def test_initiatives_are_ranked_and_funded_from_cash_above_the_reserve(tmp_path):
    results = charter_pack(tmp_path, INITIATIVES)
    assert results.metrics["finance.deployable_cash"].value == D("15500.00")
    rows = results.tables["finance.capital_deployment"].rows
    assert [(r["initiative"], r["decision"]) for r in rows] == [
        ("Second boat", "fund"),
        ("Delivery van", "wait: 4,500.00 USD beyond what the reserve leaves"),
        ("Harbor kiosk", "decline: NPV is negative at 20%"),
    ]
    assert rows[0]["npv"] == D("19186.46") and rows[0]["payback"] == 12
    assert results.metrics["finance.capital_funded"].value == 1


# Roadmap: net income Aug–Oct = 24,000 − 3,600 − 7,500 = 12,900 → 4,300.00 a month today.
# Goal 10,300.00 a month by 2027-04: the line climbs (10,300 − 4,300) / 6 = 1,000 a month from
# November:
# Nov 5,300, Dec 6,300, Jan 7,300, Feb 8,300, Mar 9,300, Apr 10,300.
# 25% (2,575) is reached already; 50% (5,150) in November; 75% (7,725) in February; the goal in
# April.
def test_profitability_roadmap_dates_each_milestone(tmp_path):
    results = charter_pack(tmp_path, 'net_income_goal = "10300.00"\ngoal_month = "2027-04"')
    rows = {
        r["milestone"]: (r["net_income"], r["by"])
        for r in results.tables["finance.profitability_roadmap"].rows
    }
    assert rows == {
        "25% of the goal": (D("2575.00"), "reached"),
        "50% of the goal": (D("5150.00"), "2026-11"),
        "75% of the goal": (D("7725.00"), "2027-02"),
        "The goal": (D("10300.00"), "2027-04"),
    }
    assert results.metrics["finance.net_income_gap"].value == D("6000.00")


def test_a_losing_business_gets_a_break_even_milestone_first(tmp_path):
    losing = CHARTER.replace("2000.00,Income:Charters", "500.00,Income:Charters")
    # 12 × 500 − 3,600 − 7,500 = −5,100 → −1,700.00 a month; goal 1,300 by 2027-02: +750 a month
    results = charter_pack(tmp_path, 'net_income_goal = "1300.00"\ngoal_month = "2027-02"', losing)
    rows = [(r["milestone"], r["by"]) for r in results.tables["finance.profitability_roadmap"].rows]
    # Nov −950, Dec −200, Jan 550, Feb 1,300: break-even in January
    assert rows[0] == ("Break even", "2027-01") and rows[-1] == ("The goal", "2027-02")


def generated_flows(rng: random.Random, mixed: bool) -> list[D]:
    """An outlay, then 2 to 60 monthly amounts in cents: all returns, or (mixed) some outflows."""
    low = -2000 if mixed else 0
    return [D(-rng.randint(100, 100000))] + [
        D(rng.randint(low, 9000)) / 100 for _ in range(rng.randint(2, 60))
    ]


def test_the_decimal_irr_agrees_with_numpy_financial_on_1000_generated_flows():
    """numpy-financial (a test dependency only: the pack itself no longer loads numpy) takes the
    root nearest zero; 700 flows with one sign change, 300 with several."""
    npf = pytest.importorskip("numpy_financial")
    rng, compared = random.Random(2026), 0
    for n in range(1000):
        flows = generated_flows(rng, mixed=n >= 700)
        ours, theirs = irr(flows), npf.irr([float(f) for f in flows])
        if theirs != theirs:  # NaN: no rate makes the NPV zero
            assert ours is None, flows
            continue
        assert ours is not None and abs(float(ours) - theirs) < 1e-9, (flows, ours, theirs)
        compared += 1
    assert compared > 950


@pytest.mark.parametrize(
    ("flows", "expected"),
    [  # numpy-financial's documented examples, to five places
        ([-100, 39, 59, 55, 20], "0.28095"),
        ([-100, 0, 0, 74], "-0.09550"),
        ([-100, 100, 0, -7], "-0.08330"),  # two roots: the one nearest zero
        ([-100, 100, 0, 7], "0.06206"),
        ([-5, "10.5", 1, -8, 1], "0.08860"),
        ([0, -100, 110], "0.10000"),  # a leading empty month changes nothing
        ([100, 20, 30], None),  # no sign change: no rate
        ([-56488, 30, "81.84", "-0.2"], "-0.96295"),  # a root close to −100%
    ],
)
def test_irr_examples(flows, expected):
    got = irr([D(str(f)) for f in flows])
    assert (got if got is None else got.quantize(D("0.00001"))) == (expected and D(expected))
