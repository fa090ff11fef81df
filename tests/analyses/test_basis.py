"""One basis for every report (issue 22): revenue earned over a service period (accrual) or when
received (cash), the same figure everywhere, and the other basis beside it with the items between.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boardpack.analyses.revenue import earned_through
from boardpack.config import load_workspace
from boardpack.errors import WorkspaceError
from boardpack.pipeline import build_pack
from boardpack.render import render, render_json
from boardpack.sources import account_types
from boardpack.sources.books import build_books
from tests.conftest import AS_OF, GENERATED_AT, TOML, write_workspace

SERVICE_TOML = TOML.replace(
    'memo = "Memo"', 'memo = "Memo"\nservice_start = "From"\nservice_end = "To"'
)
ZONE = 'timezone = "America/Los_Angeles"'

# October 2026, worked by hand:
# - an ordinary sale, 1,200.00, and rent, -2,000.00;
# - a retainer of 3,000.00 received 1 Oct for 16 Oct–14 Nov (30 days): 16 days earned in October,
#   3,000.00 × 16 / 30 = 1,600.00;
# - a charter deposit of 300.00 received 5 Oct, booked to Liabilities:Customer Deposits, for a
#   charter on 10 Nov: nothing earned in October;
# - September's prepayment of 900.00 for 1–30 Oct (30 days): all 900.00 earned in October.
LEDGER = """\
Date,Payee,Memo,Amount,Account,From,To
2026-09-15,Client,October prepaid,900.00,Income:Services,2026-10-01,2026-10-30
2026-10-01,Client,Retainer,3000.00,Income:Services,2026-10-16,2026-11-14
2026-10-05,Guest,Charter deposit,300.00,Liabilities:Customer Deposits,2026-11-10,2026-11-10
2026-10-05,Acme,October sale,1200.00,Income:Sales,,
2026-10-10,Landlord,Rent,-2000.00,Expenses:Rent,,
"""
ACCRUAL = Decimal("1200.00") + Decimal("1600.00") + Decimal("900.00")  # 3,700.00
CASH = Decimal("1200.00") + Decimal("3000.00") + Decimal("300.00")  # 4,500.00


def build(tmp_path, toml=SERVICE_TOML):
    root = write_workspace(tmp_path / "ws", toml, {"ledger/bank.csv": LEDGER})
    return build_pack(load_workspace(root, environ={}), AS_OF, generated_at=GENERATED_AT)


def metric(pack, metric_id):
    return pack.results.metrics[metric_id].value


def test_with_service_periods_the_books_are_on_the_accrual_basis(tmp_path):
    pack = build(tmp_path)
    assert pack.portfolio.basis == "accrual"
    assert metric(pack, "finance.revenue") == ACCRUAL
    assert metric(pack, "accounting.net_income") == ACCRUAL - Decimal("2000.00")
    assert metric(pack, "finance.revenue_other_basis") == CASH


def test_the_bridge_from_accrual_to_cash_is_worked_by_hand(tmp_path):
    table = build(tmp_path).results.tables["finance.basis_bridge"]
    assert [row["amount"] for row in table.rows] == [
        ACCRUAL,
        # received in October for other periods: the retainer's 1,400.00 for November and the
        # whole 300.00 deposit
        Decimal("1700.00"),
        # earned in October from September's prepayment
        Decimal("-900.00"),
        CASH,
    ]


def test_the_cash_basis_when_the_workspace_says_so(tmp_path):
    toml = SERVICE_TOML.replace(ZONE, ZONE + '\nbasis = "cash"')
    pack = build(tmp_path, toml)
    assert pack.portfolio.basis == "cash"
    assert metric(pack, "finance.revenue") == CASH
    assert metric(pack, "finance.revenue_other_basis") == ACCRUAL
    income = {
        r["account"]: r["period"] for r in pack.results.tables["accounting.income_statement"].rows
    }
    # the deposit is revenue when received, in the venture's own revenue account (the income
    # account that took most of its money, Income:Services: 900 + 3,000 against 1,200), not an
    # invented "Income:Customer Deposits" that no budget line or tax line covers
    assert "Income:Customer Deposits" not in income
    assert income["Income:Services"] == Decimal("3300.00")  # October's retainer 3,000 + the 300


def test_without_service_periods_the_books_are_on_the_cash_basis_and_show_no_bridge(tmp_path):
    pack = build_pack(
        load_workspace(write_workspace(tmp_path / "ws"), environ={}),
        AS_OF,
        generated_at=GENERATED_AT,
    )
    assert pack.portfolio.basis == "cash"
    assert "finance.revenue_other_basis" not in pack.results.metrics
    assert "finance.basis_bridge" not in pack.results.tables


def test_every_report_says_its_basis_and_quotes_the_same_revenue(tmp_path):
    pack = build(tmp_path)
    assert {json.loads(render_json(doc))["basis"] for doc in pack.documents} == {"accrual"}
    quoted = {
        doc.id: m.value
        for doc in pack.documents
        for m in doc.footnotes
        if m.id == "finance.revenue"
    }
    # the reports that quote revenue, each the same accrual figure
    assert {"ceo", "cfo"} <= set(quoted) and set(quoted.values()) == {ACCRUAL}, quoted
    statement = pack.results.tables["accounting.income_statement"].rows
    assert sum(r["period"] for r in statement if r["account"].startswith("Income:")) == ACCRUAL


def test_a_venture_report_says_its_basis_in_every_format(tmp_path):
    pack = build(tmp_path)
    ceo = next(d for d in pack.documents if d.id == "ceo")
    for fmt in ("txt", "md", "html"):
        assert "accrual basis" in render(ceo, fmt)


def test_a_basis_other_than_cash_or_accrual_is_refused(tmp_path):
    toml = SERVICE_TOML.replace(ZONE, ZONE + '\nbasis = "modified"')
    with pytest.raises(WorkspaceError, match="organization.basis"):
        load_workspace(write_workspace(tmp_path / "ws", toml), environ={})


@settings(max_examples=16, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=10**11), st.integers(min_value=1, max_value=400)
        ),
        min_size=1,
        max_size=25,
    )
)
def test_each_days_earnings_add_up_as_the_recognition_schedule_rounds_them(receipts):
    """The books' earned days (SQL, whole cents) are what `earned_through` (Python Decimal) gives,
    through every day, and add up to the receipt: each receipt (cents, days of service) a row of
    one ledger, as the books earn them all at once."""
    amounts = [Decimal(cents) / 100 for cents, _ in receipts]
    start = date(2026, 1, 1)
    ends = [start + timedelta(days=length - 1) for _, length in receipts]
    db = duckdb.connect()
    db.execute(
        "CREATE TABLE ledger AS SELECT DATE '2025-12-31' AS date, 'co' AS entity,"
        " 'Income:Services' AS account, unnest($amounts::DECIMAL(18, 2)[]) AS amount,"
        " NULL::DECIMAL AS quantity, '' AS counterparty, '' AS memo, 'f' AS source_file,"
        " unnest(range(2, $rows + 2)) AS source_line, $start::DATE AS service_start,"
        " unnest($ends::DATE[]) AS service_end",
        {"amounts": amounts, "rows": len(receipts), "start": start, "ends": ends},
    )
    account_types.build(db, {}, {}, [])
    build_books(db, "accrual")
    for line, (amount, end) in enumerate(zip(amounts, ends), start=2):
        days = db.execute(
            "SELECT date, amount FROM earned_days WHERE source_line = ? ORDER BY date", (line,)
        ).fetchall()
        running = Decimal("0.00")
        for day, piece in days:
            running += piece
            assert running == earned_through(amount, start, end, day)
        assert running == amount


def test_the_account_types_are_the_connections_own_and_another_connection_is_refused():
    """The types are a map in the connection's variable, read by its own macro: every query of the
    connection sees them, and another connection to the same database finds no `account_type` at
    all — an error, never every account typed NULL (a loan's principal read as operating cash)."""
    db = duckdb.connect()
    db.execute(
        "CREATE TABLE ledger AS SELECT unnest(['Liabilities:Bank Loan', 'Assets:Checking',"
        " 'Income:Sales']) AS account"
    )
    account_types.build(db, {}, {}, [])
    assert db.execute("SELECT account, account_type(account) FROM ledger").fetchall() == [
        ("Liabilities:Bank Loan", "loan"),
        ("Assets:Checking", "cash"),
        ("Income:Sales", None),
    ]
    with pytest.raises(duckdb.CatalogException, match="account_type"):
        db.cursor().execute("SELECT account_type('Liabilities:Bank Loan')")


def test_deposits_and_retainers_are_earned_into_the_ventures_own_revenue(demo_pack):
    """The demo's charter deposits and consulting retainers, held in liabilities until earned, are
    revenue in each venture's own account (Income:Charters, Income:Consulting) — where the budget,
    the tax lines and the KPIs look — never in an invented "Income:Customer Deposits"."""
    accounts = {
        r["account"] for r in demo_pack.results.tables["accounting.income_statement"].rows
    }
    assert "Income:Charters" in accounts and "Income:Consulting" in accounts
    assert not accounts & {"Income:Customer Deposits", "Income:Deferred Revenue"}
