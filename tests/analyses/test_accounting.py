"""Income statement and coverage, from the conftest ledger.

October: Sales 1200, Rent -2000, Materials -600 → net -1400.00
TTM (Nov 2025–Oct 2026): Sales 1000+6000+1000+1200 = 9200, Rent -6000, Materials -3000 → net 200.00
"""

from decimal import Decimal


def test_income_statement_by_account_for_the_period_and_ttm(pack):
    rows = {r["account"]: (r["period"], r["ttm"]) for r in pack.results.tables["accounting.income_statement"].rows}
    assert rows == {"Income:Sales": (Decimal("1200.00"), Decimal("9200.00")),
                    "Expenses:Materials": (Decimal("-600.00"), Decimal("-3000.00")),
                    "Expenses:Rent": (Decimal("-2000.00"), Decimal("-6000.00"))}
    assert [r["account"] for r in pack.results.tables["accounting.income_statement"].rows][0] == "Income:Sales"
    assert pack.results.metrics["accounting.net_income"].value == Decimal("-1400.00")
    assert pack.results.metrics["accounting.net_income_ttm"].value == Decimal("200.00")


def test_uncategorized_rows_are_counted_listed_and_raised(pack):
    assert pack.results.metrics["accounting.uncategorized_count"].value == 1
    assert pack.results.metrics["accounting.uncategorized_amount"].value == Decimal("400.00")
    (row,) = pack.results.tables["accounting.uncategorized"].rows
    assert row["source"] == "ledger/bank.csv:13" and row["amount"] == Decimal("-400.00")
    assert any(f.area == "accounting" and "Uncategorized" in f.title for f in pack.results.findings)


def test_accounts_outside_the_five_types_are_unmapped(pack):
    assert pack.results.tables["accounting.unmapped_accounts"].rows == ()
