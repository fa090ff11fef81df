"""Why net income changed (issue 23, part 3): the bridge from the previous period, worked by hand,
and adding up exactly on the demo."""

from decimal import Decimal


def test_the_bridge_from_september_to_october_worked_by_hand(pack):
    # September: sales 1,000, rent -2,000, materials -900: -1,900. October: sales 1,200, rent
    # -2,000, materials -600: -1,400. Rent did not move.
    rows = pack.results.tables["finance.bridge"].rows
    assert [(r["label"], r["amount"]) for r in rows] == [
        ("Net income, September 2026", Decimal("-1900.00")),
        ("Small Co: Expenses:Materials cost down", Decimal("300.00")),
        ("Small Co: Income:Sales revenue up", Decimal("200.00")),
        ("Net income, October 2026", Decimal("-1400.00")),
    ]


def test_the_bridge_adds_up_exactly_and_ends_at_net_income(demo_pack):
    rows = demo_pack.results.tables["finance.bridge"].rows
    assert sum(r["amount"] for r in rows[:-1]) == rows[-1]["amount"]
    assert rows[-1]["amount"] == demo_pack.results.metrics["accounting.net_income"].value
    assert len(rows) == 8  # the start, five moves, the other changes, the end
