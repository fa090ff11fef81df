"""Budgets (issue 23, part 1): lines spread over their months, budget against actual for the period
and the year to date, the full-year outlook, the variance's sign by the kind of account, and the
bad lines a budget file can hold. Worked by hand on the shared small ledger (October 2026)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from boardpack.config import load_workspace
from boardpack.errors import SourceErrors
from boardpack.model import spread
from boardpack.pipeline import build_pack
from boardpack.sources.budget import months_of
from tests.conftest import AS_OF, GENERATED_AT, TOML, run_cli, write_workspace

BUDGETED = TOML + '\n[sources.budget]\npath = "budget.csv"\n'
# the small ledger, 2026: sales 1,000 (Jul) + 6,000 (Aug) + 1,000 (Sep) + 1,200 (Oct);
# rent 2,000 each month Aug–Oct; materials 1,500 (Aug), 900 (Sep), 600 (Oct)
BUDGET = """\
period,entity,account,amount
2026-Q4,co,Income:Sales,6000.00
2026,,Expenses:Rent,24000.00
2026-10,co,Expenses,2500.00
"""


def build(tmp_path, budget=BUDGET, toml=BUDGETED):
    root = write_workspace(tmp_path / "ws", toml, {"budget.csv": budget})
    return build_pack(load_workspace(root, environ={}), AS_OF, generated_at=GENERATED_AT)


def test_a_quarter_or_a_year_is_spread_over_its_months_to_the_cent():
    assert months_of("2026-Q4") == [date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)]
    assert months_of("2026-10") == [date(2026, 10, 1)]
    assert len(months_of("2026")) == 12
    assert spread(Decimal("100.00"), months_of("2026-Q4")) == [
        Decimal("33.33"),
        Decimal("33.33"),
        Decimal("33.34"),
    ]
    assert sum(spread(Decimal("1000.01"), months_of("2026"))) == Decimal("1000.01")


def test_budget_against_actual_worked_by_hand(tmp_path):
    rows = {
        (r["account"], r["entity"]): r
        for r in build(tmp_path).results.tables["finance.budget_vs_actual"].rows
    }
    sales = rows[("Income:Sales", "co")]
    # October: 6,000 / 3 = 2,000 budgeted, 1,200 sold: 800 short, 40% — unfavourable, material
    assert (sales["budget"], sales["actual"], sales["variance"]) == (
        Decimal("2000.00"),
        Decimal("1200.00"),
        Decimal("-800.00"),
    )
    assert sales["variance_percent"] == Decimal("-40.0")
    assert sales["assessment"] == "unfavourable, material"
    # the year to date has only October budgeted; the outlook adds November and December's budget
    assert sales["ytd_budget"] == Decimal("2000.00")
    assert sales["ytd_actual"] == Decimal("9200.00")  # 1,000 + 6,000 + 1,000 + 1,200
    assert sales["outlook"] == Decimal("13200.00")  # 9,200 + 2,000 + 2,000
    rent = rows[("Expenses:Rent", "all")]
    # 24,000 a year: 2,000 a month; spent 2,000 in October (positive, as budgeted)
    assert (rent["budget"], rent["actual"], rent["variance"]) == (
        Decimal("2000.00"),
        Decimal("2000.00"),
        Decimal("0.00"),
    )
    assert rent["ytd_budget"] == Decimal("20000.00") and rent["ytd_actual"] == Decimal("6000.00")
    assert rent["outlook"] == Decimal("10000.00")  # 6,000 + 2,000 + 2,000
    every_expense = rows[("Expenses", "co")]
    # all of co's expenses in October: rent 2,000 + materials 600 = 2,600, 100 over 2,500:
    # unfavourable, but under both thresholds (500.00 and 10%)
    assert every_expense["variance"] == Decimal("100.00")
    assert every_expense["assessment"] == "unfavourable"


def test_spending_under_budget_is_favourable(tmp_path):
    rows = (
        build(tmp_path, "period,entity,account,amount\n2026-10,co,Expenses:Materials,1600.00\n")
        .results.tables["finance.budget_vs_actual"]
        .rows
    )
    (materials,) = rows
    assert materials["variance"] == Decimal("-1000.00")  # 600 spent of 1,600
    assert materials["assessment"] == "favourable, material"


def test_the_cfo_report_shows_it(tmp_path):
    cfo = next(d for d in build(tmp_path).documents if d.id == "cfo")
    section = next(s for s in cfo.sections if s.id == "finance.budget")
    assert [b.type for b in section.blocks] == ["table"]


@pytest.mark.parametrize(
    "line, said",
    [
        ("2026-10,nobody,Income:Sales,1.00", "budget.csv:2: entity 'nobody' is not declared"),
        ("2026-10,co,Assets:Bank,1.00", "budget.csv:2: account 'Assets:Bank' is not an income"),
        ("2026-13,co,Income:Sales,1.00", "budget.csv:2: period '2026-13' is not a month"),
        ("2026-W05,co,Income:Sales,1.00", "budget.csv:2: period '2026-W05' is not a month"),
        ("2026-10,co,Income:Sales,1.005", "budget.csv:2: amount '1.005' has more than two"),
        ("2026-10,co,Income:Sales,lots", "budget.csv:2: amount 'lots' is not a number"),
        (
            "2026-10,co,Expenses:Rnet,1.00",
            "budget.csv:2: account 'Expenses:Rnet' is not in the books; did you mean"
            " 'Expenses:Rent'? To plan for an account not used yet, add it to [[chart]].",
        ),
        (
            "2019,co,Income:Sales,12.00",
            "budget.csv:2: the budget's period ends before the ledger begins (2026-07)",
        ),
    ],
)
def test_a_bad_budget_line_is_named_by_its_line(tmp_path, line, said):
    with pytest.raises(SourceErrors) as caught:
        build(tmp_path, f"period,entity,account,amount\n{line}\n")
    assert said in str(caught.value)


def test_two_lines_for_the_same_key_are_refused(tmp_path):
    budget = (
        "period,entity,account,amount\n2026-10,co,Income:Sales,1.00\n2026-10,co,Income:Sales,2.00\n"
    )
    with pytest.raises(SourceErrors, match="budget.csv:3: the same period, entity and account as"):
        build(tmp_path, budget)


def test_without_a_budget_the_workspace_owner_is_told_how_to_add_one(tmp_path):
    """Not the CFO: the report leaves the section out and names it in its last line; how to add a
    budget is `check`'s to say."""
    root = write_workspace(tmp_path / "ws", TOML)
    pack = build_pack(load_workspace(root, environ={}), AS_OF, generated_at=GENERATED_AT)
    cfo = next(d for d in pack.documents if d.id == "cfo")
    assert not any(s.id == "finance.budget" for s in cfo.sections)
    assert any("add [sources.budget]" in t for t in cfo.setup)
    assert cfo.sections[-1].blocks[0].text.startswith("Not shown: Budget against actual")
    done = run_cli("check", "-w", str(root), "--as-of", "2026-11-15")
    assert "note: for the workspace owner: No budget is configured: add [sources.budget]" in (
        done.stderr
    )


def test_accounts_with_money_and_no_budget_are_listed(tmp_path):
    # October: sales 1,200 (budgeted), rent 2,000 (budgeted for all), materials 600 (no line
    # covers Expenses:Materials)
    budget = (
        "period,entity,account,amount\n2026-10,co,Income:Sales,1.00\n2026,,Expenses:Rent,1.00\n"
    )
    rows = build(tmp_path, budget).results.tables["accounting.budget_coverage"].rows
    assert [(r["account"], r["entity"], r["actual"]) for r in rows] == [
        ("Expenses:Materials", "co", Decimal("-600.00"))
    ]


def test_an_account_the_books_have_not_used_may_be_planned_in_the_chart(tmp_path):
    budget = "period,entity,account,amount\n2026-10,co,Expenses:Advertising,300.00\n"
    with pytest.raises(SourceErrors, match="Expenses:Advertising' is not in the books"):
        build(tmp_path / "a", budget)
    chart = BUDGETED + '\n[[chart]]\naccount = "Expenses:Advertising"\ncost = "fixed"\n'
    rows = build(tmp_path / "b", budget, chart).results.tables["finance.budget_vs_actual"].rows
    assert [(r["account"], r["actual"]) for r in rows] == [
        ("Expenses:Advertising", Decimal("0.00"))
    ]
