"""The expense audit, each figure worked out by hand in the test."""

from decimal import Decimal
from statistics import mean, pstdev

from boardpack.analyses.expenses import is_spike, modified_z
from boardpack.config import load_workspace
from boardpack.pipeline import build_pack
from tests.conftest import AS_OF, GENERATED_AT, write_workspace

D = Decimal


def test_modified_z_score_by_hand():
    history = [D(v) for v in (100, 110, 90, 100, 105, 95, 100, 100, 98, 102, 100, 100)]
    # median 100; |deviations| sorted 0,0,0,0,0,0,2,2,5,5,10,10 → MAD = (0 + 2) / 2 = 1
    assert modified_z(D(200), history) == D("0.6745") * 100 / 1  # 67.45: a spike
    assert is_spike(D(200), history)
    assert not is_spike(D(103), history)  # z = 2.02, and a 3% rise is not material anyway


def test_one_earlier_outlier_does_not_hide_the_next_spike():
    history = [D(100)] * 11 + [D(1000)]
    # A mean and standard deviation are dragged up by the 1000: (500 − 175) / 248.7 = 1.3, no alarm.
    assert (500 - mean(map(float, history))) / pstdev(map(float, history)) < 2
    # Median 100, MAD 0 → mean absolute deviation 900 / 12 = 75 stands in: 400 / (1.2533 × 75) =
    # 4.26 > 3.5.
    assert round(modified_z(D(500), history), 2) == D("4.26")
    assert is_spike(D(500), history)


def test_a_constant_history_flags_any_material_rise_only():
    history = [D(2000)] * 12
    assert modified_z(D(2500), history) is None
    assert is_spike(D(2500), history)
    assert not is_spike(D(2100), history)  # 5%: under the 10% floor


LEDGER = """\
Date,Payee,Memo,Amount,Account
2026-07-03,CloudCo,plan,-50.00,Expenses:Software
2026-08-03,CloudCo,plan,-52.00,Expenses:Software
2026-09-03,CloudCo,plan,-49.00,Expenses:Software
2026-10-03,CloudCo,plan,-50.00,Expenses:Software
2026-08-09,Agency,ads,-50.00,Expenses:Marketing
2026-09-09,Agency,ads,-80.00,Expenses:Marketing
2026-10-09,Agency,ads,-50.00,Expenses:Marketing
2026-10-12,Insurer,policy,-900.00,Expenses:Insurance
2026-10-15, insurer ,policy,-900.00,Expenses:Insurance
2026-10-01,Fuel Stop,diesel,-300.00,Expenses:Fuel
2026-10-20,Fuel Stop,diesel,-300.00,Expenses:Fuel
2026-10-25,Acme,sale,5000.00,Income:Sales
2026-10-02,Crew,per trip,-250.00,Expenses:Payroll
2026-10-04,Crew,per trip,-250.00,Expenses:Payroll
2026-10-05,Crew,per trip,-250.00,Expenses:Payroll
"""


def pack_for(tmp_path, ledger=LEDGER, extra=""):
    from tests.conftest import TOML

    root = write_workspace(
        tmp_path / "ws",
        TOML.replace("[finance]\n", f"[finance]\n{extra}"),
        {"ledger/bank.csv": ledger},
    )
    return build_pack(load_workspace(root, environ={}), AS_OF, generated_at=GENERATED_AT)


def test_duplicates_same_payee_and_amount_within_the_window(tmp_path):
    results = pack_for(tmp_path).results
    # fuel 19 days apart is not one; crew paid 250 three times in four days is routine, not a double
    # charge
    (pair,) = results.tables["accounting.duplicate_payments"].rows
    assert (pair["first"], pair["second"], pair["amount"]) == (
        "2026-10-12",
        "2026-10-15",
        D("900.00"),
    )
    assert pair["where"] == "ledger/bank.csv:9, ledger/bank.csv:10"
    assert results.metrics["accounting.possible_duplicates"].value == 1
    assert any(
        f.title == "Possible duplicate payments: 1" and "900 USD paid twice" in f.evidence
        for f in results.findings
    )
    wider = pack_for(tmp_path / "wide", extra="duplicate_window_days = 30\n").results
    assert len(wider.tables["accounting.duplicate_payments"].rows) == 2


def test_recurring_charges_are_steady_payees_with_their_monthly_cost(tmp_path):
    results = pack_for(tmp_path).results
    rows = results.tables["accounting.recurring_charges"].rows
    # CloudCo: 50, 52, 49, 50 (within 10% of 50) in 4 of 4 months. Agency's 80 is 60% off its
    # median: not steady.
    assert [(r["entity"], r["counterparty"], r["months"], r["monthly"]) for r in rows] == [
        ("co", "CloudCo", 4, D("50.00"))
    ]
    assert results.metrics["accounting.recurring_monthly"].value == D("50.00")


def test_spend_by_period_and_a_spike_against_the_accounts_own_history(tmp_path):
    ledger = "Date,Payee,Memo,Amount,Account\n" + "".join(
        f"2026-{m:02d}-05,Utility,power,-{amount}.00,Expenses:Utilities\n"
        for m, amount in zip(
            range(1, 11), (100, 104, 98, 101, 99, 100, 103, 97, 100, 340), strict=True
        )
    )
    results = pack_for(tmp_path, ledger).results
    rows = {r["account"]: r for r in results.tables["accounting.expenses_by_period"].rows}
    assert rows["Expenses:Utilities"]["2026-10"] == D("340.00") and rows["Expenses:Utilities"][
        "2026-09"
    ] == D("100.00")
    (spike,) = [f for f in results.findings if f.area == "expenses"]
    assert spike.title == "Spending spike: Expenses:Utilities"
    assert (
        "340.00 USD in October 2026 against a typical 99.50" in spike.evidence
    )  # median of 9 months and 3 zeros
