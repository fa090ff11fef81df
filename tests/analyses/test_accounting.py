"""Income statement and coverage, from the conftest ledger.

October: Sales 1200, Rent -2000, Materials -600 → net -1400.00
TTM (Nov 2025–Oct 2026): Sales 1000+6000+1000+1200 = 9200, Rent -6000, Materials -3000 → net 200.00
"""

from decimal import Decimal


def test_income_statement_by_account_for_the_period_and_ttm(pack):
    rows = {
        r["account"]: (r["period"], r["ttm"])
        for r in pack.results.tables["accounting.income_statement"].rows
    }
    assert rows == {
        "Income:Sales": (Decimal("1200.00"), Decimal("9200.00")),
        "Expenses:Materials": (Decimal("-600.00"), Decimal("-3000.00")),
        "Expenses:Rent": (Decimal("-2000.00"), Decimal("-6000.00")),
    }
    assert [r["account"] for r in pack.results.tables["accounting.income_statement"].rows][
        0
    ] == "Income:Sales"
    assert pack.results.metrics["accounting.net_income"].value == Decimal("-1400.00")
    assert pack.results.metrics["accounting.net_income_ttm"].value == Decimal("200.00")


def test_uncategorized_rows_are_counted_listed_and_raised(pack):
    assert pack.results.metrics["accounting.uncategorized_count"].value == 1
    assert pack.results.metrics["accounting.uncategorized_amount"].value == Decimal("400.00")
    (row,) = pack.results.tables["accounting.uncategorized"].rows
    assert row["source"] == "ledger/bank.csv:13" and row["amount"] == Decimal("-400.00")
    assert any(f.area == "accounting" and "Uncategorized" in f.title for f in pack.results.findings)


def test_every_account_of_the_ledger_is_in_the_standard_chart(pack):
    assert pack.results.tables["accounting.unmapped_accounts"].rows == ()
    assert not [f for f in pack.results.findings if "chart of accounts" in f.title]


def test_tax_lines_sum_the_period_by_the_chart(pack):
    lines = {r["tax_line"]: r["amount"] for r in pack.results.tables["accounting.tax_lines"].rows}
    assert lines == {
        "Gross receipts or sales": Decimal("1200.00"),
        "Cost of goods sold": Decimal("-600.00"),
        "Rent or lease (other business property)": Decimal("-2000.00"),
    }


def test_an_account_outside_the_chart_is_listed_until_a_chart_line_covers_it(tmp_path):
    from boardpack.config import load_workspace
    from boardpack.pipeline import build_pack
    from tests.conftest import AS_OF, LEDGER, TOML, write_workspace

    ledger = LEDGER + "2026-10-29,Harbor,Slip fee,-300.00,Expenses:Moorage:Winter\n"

    def build(toml, where):
        root = write_workspace(tmp_path / where, toml, {"ledger/bank.csv": ledger})
        return build_pack(load_workspace(root, environ={}), AS_OF)

    pack = build(TOML, "a")  # a services venture: moorage is a charter account
    assert pack.results.tables["accounting.unmapped_accounts"].rows == (
        {
            "account": "Expenses:Moorage:Winter (co)",
            "transactions": 1,
            "amount": Decimal("-300.00"),
        },
    )
    (finding,) = [f for f in pack.results.findings if "chart of accounts" in f.title]
    assert "Expenses:Moorage:Winter (co)" in finding.evidence and "[[chart]]" in finding.action
    own = TOML.replace(
        "[finance]",
        '[[chart]]\naccount = "Expenses:Moorage"\ncost = "variable"\n'
        'tax_line = "Rent or lease (other business property)"\n\n[finance]',
    )
    pack = build(own, "b")
    assert pack.results.tables["accounting.unmapped_accounts"].rows == ()
    lines = {r["tax_line"]: r["amount"] for r in pack.results.tables["accounting.tax_lines"].rows}
    assert lines["Rent or lease (other business property)"] == Decimal("-2300.00")
