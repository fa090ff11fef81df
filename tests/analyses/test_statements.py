"""The balance sheet, the cash-flow statement and the consolidation (issue 22), worked by hand on a
small two-venture ledger, and the rules that tie them: assets = liabilities + equity + what no
account explains, the cash flow adds up to the change in cash, and net income is the income
statement's."""

from __future__ import annotations

from decimal import Decimal

import pytest

from boardpack.config import load_workspace
from boardpack.errors import WorkspaceError
from boardpack.pipeline import build_pack
from tests.conftest import AS_OF, GENERATED_AT, write_workspace

TOML = """\
[organization]
name = "Two Co"
timezone = "America/Los_Angeles"
basis = "{basis}"

[[entities]]
id = "boats"
name = "Bay Boats"
kind = "charter"

[[entities]]
id = "trucks"
name = "Ridge Trucks"
kind = "logistics"
aliases = ["RIDGE TRUCKING LLC"]

[[opening_balances]]
date = "2026-08-31"
account = "Liabilities:Loans:Truck"
amount = "20000.00"
entity = "trucks"

[[opening_balances]]
date = "2026-08-31"
account = "Assets:Equipment:Truck"
amount = "30000.00"
entity = "trucks"

[[sources.ledger]]
path = "ledger/bank.csv"
entity_column = "Entity"
opening_balance = "1000.00"
[sources.ledger.columns]
date = "Date"
amount = "Amount"
account = "Account"
counterparty = "Payee"
memo = "Memo"
service_start = "From"
service_end = "To"

[delivery]
transport = "outbox"
from = "reports@example.com"
"""
# September and October 2026. Worked by hand below.
LEDGER = """\
Date,Entity,Payee,Memo,Amount,Account,From,To
2026-09-05,boats,Guest,September charter,2000.00,Income:Charters,,
2026-09-10,trucks,Shipper,Haul,1500.00,Income:Hauling,,
2026-09-20,boats,Owner,Capital,5000.00,Equity:Owner,,
2026-10-01,boats,Guest,Deposit for 10 Nov,600.00,Liabilities:Customer Deposits,2026-11-10,2026-11-10
2026-10-03,boats,RIDGE TRUCKING LLC,Haul the boat,-400.00,Expenses:Hauling,,
2026-10-03,trucks,Bay Boats,Hauled a boat,400.00,Income:Hauling,,
2026-10-08,trucks,Bank,Loan principal,-1000.00,Liabilities:Loans:Truck,,
2026-10-12,boats,Marine Supply,Outboard motor,-3000.00,Assets:Equipment:Motor,,
2026-10-15,boats,Card,Fuel on the card,900.00,Liabilities:Card,,
2026-10-15,boats,Fuel Dock,Fuel,-900.00,Expenses:Fuel,,
2026-10-20,boats,Owner,Draw,-1500.00,Equity:Owner,,
2026-10-25,trucks,Unknown,Unlabelled,-250.00,,,
2026-10-28,boats,Guest,October charter,2500.00,Income:Charters,,
"""


def build(tmp_path, basis="accrual", ledger=LEDGER):
    root = write_workspace(
        tmp_path / "ws", TOML.format(basis=basis), {"ledger/bank.csv": ledger, "notes/co.md": None}
    )
    return build_pack(load_workspace(root, environ={}), AS_OF, generated_at=GENERATED_AT)


def rows(pack, table_id, key="item"):
    return {r[key]: r for r in pack.results.tables[table_id].rows}


def test_the_balance_sheet_at_the_end_of_october_worked_by_hand(tmp_path):
    pack = build(tmp_path)
    sheet = {k: r["amount"] for k, r in rows(pack, "accounting.balance_sheet").items()}
    # cash: 1,000 + 2,000 + 1,500 + 5,000 + 600 - 400 + 400 - 1,000 - 3,000 + 900 - 900 - 1,500
    #       - 250 + 2,500 = 6,850
    assert sheet["Cash — ledger/bank.csv"] == Decimal("6850.00")
    assert sheet["Assets:Equipment:Motor"] == Decimal("3000.00")
    assert sheet["Assets:Equipment:Truck"] == Decimal("30000.00")
    assert sheet["Total assets"] == Decimal("39850.00")  # 6,850 + 3,000 + 30,000
    assert sheet["Liabilities:Loans:Truck"] == Decimal("19000.00")  # 20,000 - 1,000
    assert sheet["Liabilities:Card"] == Decimal("900.00")
    # the deposit is for a charter in November: received, not yet earned
    assert sheet["Deferred revenue (received, not yet earned)"] == Decimal("600.00")
    assert sheet["Total liabilities"] == Decimal("20500.00")
    # opening: 1,000 cash + 30,000 truck - 20,000 loan
    assert sheet["Equity: opening balances"] == Decimal("11000.00")
    assert sheet["Equity: owner contributions less draws"] == Decimal("3500.00")
    # income 2,000 + 1,500 + 400 + 2,500 = 6,400; expenses 400 + 900 = 1,300
    assert sheet["Equity: retained earnings (income less expenses to date)"] == Decimal("5100.00")
    assert sheet["Total equity"] == Decimal("19600.00")
    # 39,850 - 20,500 - 19,600: the unlabelled 250 out is the only thing no account explains
    assert sheet["Unexplained (money no account explains)"] == Decimal("-250.00")
    assert pack.results.metrics["accounting.balance_unexplained"].value == Decimal("-250.00")
    by_venture = rows(pack, "accounting.balance_sheet_by_venture", key="venture")
    # trucks: cash 1,500 + 400 - 1,000 - 250 = 650, the truck 30,000; the loan 19,000
    assert by_venture["Ridge Trucks"]["assets"] == Decimal("30650.00")
    assert by_venture["Ridge Trucks"]["liabilities"] == Decimal("19000.00")
    assert by_venture["Ridge Trucks"]["unexplained"] == Decimal("-250.00")


@pytest.mark.parametrize("basis", ["accrual", "cash"])
def test_assets_are_liabilities_plus_equity_plus_the_unexplained_for_every_venture(
    tmp_path, basis
):
    pack = build(tmp_path, basis)
    totals = rows(pack, "accounting.balance_sheet")
    each = list(rows(pack, "accounting.balance_sheet_by_venture", key="venture").values())
    each.append(
        {
            key: totals[item]["amount"]
            for key, item in (
                ("assets", "Total assets"),
                ("liabilities", "Total liabilities"),
                ("equity", "Total equity"),
                ("unexplained", "Unexplained (money no account explains)"),
            )
        }
    )
    for row in each:
        assert row["assets"] == row["liabilities"] + row["equity"] + row["unexplained"], row
    assert sum(r["assets"] for r in each[:-1]) == each[-1]["assets"]
    # the residual is no plug: on either basis it is exactly the one row without an account (the
    # trucks' unlabelled 250 out), nothing for the boats or the shared account's opening balance
    by_venture = {r["venture"]: r["unexplained"] for r in each[:-1]}
    assert by_venture == {
        "Bay Boats": Decimal("0.00"),
        "Ridge Trucks": Decimal("-250.00"),
        "Not assigned to a venture": Decimal("0.00"),
    }
    assert each[-1]["unexplained"] == Decimal("-250.00")


def test_on_the_cash_basis_the_deposit_is_revenue_not_a_liability(tmp_path):
    sheet = rows(build(tmp_path, "cash"), "accounting.balance_sheet")
    assert "Deferred revenue (received, not yet earned)" not in sheet
    retained = sheet["Equity: retained earnings (income less expenses to date)"]
    assert retained["amount"] == Decimal("5700.00")


def test_the_cash_flow_of_october_worked_by_hand_adds_up_to_the_change_in_cash(tmp_path):
    pack = build(tmp_path)
    flow = rows(pack, "accounting.cash_flow")
    # October's income 400 + 2,500, expenses 400 + 900: net income 1,600
    assert flow["Net income"]["amount"] == Decimal("1600.00")
    assert pack.results.metrics["accounting.net_income"].value == Decimal("1600.00")
    assert flow["+ increase in deferred revenue"]["amount"] == Decimal("600.00")
    cards = flow["+ increase in cards, payables and other liabilities"]
    assert cards["amount"] == Decimal("900.00")
    assert flow["+ money in rows without an account"]["amount"] == Decimal("-250.00")
    assert flow["Cash from operating activities"]["amount"] == Decimal("2850.00")
    assert flow["Cash from investing activities"]["amount"] == Decimal("-3000.00")
    assert flow["+ loans taken less principal repaid"]["amount"] == Decimal("-1000.00")
    assert flow["Cash from financing activities"]["amount"] == Decimal("-2500.00")
    # 30 Sep: 1,000 + 2,000 + 1,500 + 5,000 = 9,500; 31 Oct: 6,850
    assert flow["Cash at 30 Sep 2026"]["amount"] == Decimal("9500.00")
    assert flow["Change in cash"]["amount"] == Decimal("-2650.00")
    metrics = pack.results.metrics
    assert metrics["accounting.cash_change"].value == Decimal("-2650.00") == sum(
        metrics[f"accounting.cash_flow_{part}"].value
        for part in ("operating", "investing", "financing")
    )


def test_a_charge_between_ventures_is_eliminated_and_listed(tmp_path):
    pack = build(tmp_path)
    statement = rows(pack, "accounting.consolidation")
    # October: boats earn 2,500 and spend 400 + 900; trucks earn 400 (from boats)
    assert statement["Revenue"]["trucks"] == Decimal("400.00")
    assert statement["Revenue"]["eliminations"] == Decimal("-400.00")
    assert statement["Revenue"]["consolidated"] == Decimal("2500.00")
    assert statement["Expenses"]["boats"] == Decimal("-1300.00")
    assert statement["Expenses"]["eliminations"] == Decimal("400.00")
    assert statement["Expenses"]["consolidated"] == Decimal("-900.00")
    assert statement["Net income"]["consolidated"] == Decimal("1600.00")
    eliminated = pack.results.tables["accounting.eliminations"].rows
    # matched by name (Bay Boats) and by alias (RIDGE TRUCKING LLC)
    assert sorted((r["venture"], r["other"]) for r in eliminated) == [
        ("boats", "trucks"),
        ("trucks", "boats"),
    ]
    assert not [f for f in pack.results.findings if "do not match" in f.title]


def test_a_charge_booked_by_one_venture_only_is_a_finding(tmp_path):
    root = write_workspace(
        tmp_path / "ws",
        TOML.format(basis="cash"),
        {
            "ledger/bank.csv": LEDGER.replace(
                "2026-10-03,trucks,Bay Boats,Hauled a boat,400.00,Income:Hauling,,\n", ""
            ),
            "notes/co.md": None,
        },
    )
    pack = build_pack(load_workspace(root, environ={}), AS_OF, generated_at=GENERATED_AT)
    assert any("do not match: 400.00 USD apart" in f.title for f in pack.results.findings)


@pytest.mark.parametrize(
    "change, said",
    [
        (
            ('aliases = ["RIDGE TRUCKING LLC"]', 'aliases = ["Bay Boats"]'),
            "'bay boats' names two entities, boats and trucks",
        ),
        (('entity = "trucks"', 'entity = "vans"'), "opening_balances[0].entity = 'vans'"),
        (
            ('account = "Liabilities:Loans:Truck"', 'account = "Loans:Truck"'),
            "opening_balances[0].account: 'Loans:Truck': an opening balance is for an Assets:…",
        ),
    ],
)
def test_bad_opening_balances_and_aliases_are_named(tmp_path, change, said):
    root = write_workspace(
        tmp_path / "ws",
        TOML.format(basis="cash").replace(*change),
        {"ledger/bank.csv": LEDGER, "notes/co.md": None},
    )
    with pytest.raises(WorkspaceError) as caught:
        load_workspace(root, environ={})
    assert said in str(caught.value)


def test_the_three_statements_tie_on_the_demo(demo_pack):
    tables, metrics = demo_pack.results.tables, demo_pack.results.metrics
    sheet = {r["item"]: r["amount"] for r in tables["accounting.balance_sheet"].rows}
    assert sheet["Total assets"] == (
        sheet["Total liabilities"]
        + sheet["Total equity"]
        + sheet["Unexplained (money no account explains)"]
    )
    # what no account explains is exactly the rows without an account, to date
    (uncategorized,) = demo_pack.portfolio.db.execute(
        "SELECT sum(amount) FROM books WHERE account IS NULL AND date <= '2026-10-31'"
    ).fetchone()
    assert sheet["Unexplained (money no account explains)"] == uncategorized
    flow = {r["item"]: r["amount"] for r in tables["accounting.cash_flow"].rows}
    assert flow["Change in cash"] == flow["Cash at 31 Oct 2026"] - flow["Cash at 30 Sep 2026"]
    assert flow["Net income"] == metrics["accounting.net_income"].value
    assert flow["Cash at 31 Oct 2026"] == metrics["finance.cash_balance"].value
    eliminated = tables["accounting.eliminations"].rows
    assert {r["account"] for r in eliminated} == {"Income:Hauling", "Expenses:Hauling"}
    (coastal,) = [t for t in demo_pack.portfolio.tie_outs if t.account.startswith("Coastal")]
    assert coastal.bank is not None and coastal.difference == 0


def test_a_row_per_venture_ties_to_the_consolidation_and_the_revenue_figures(demo_pack):
    """The CEO's and the board's first table: each venture's revenue and net income as the
    consolidation has them, against its budget and against the same month a year earlier."""
    results = demo_pack.results
    rows = {r["venture"]: r for r in results.tables["finance.by_venture"].rows}
    entities = demo_pack.portfolio.workspace.settings.entities
    assert list(rows) == [e.name for e in entities]
    consolidation = {r["item"]: r for r in results.tables["accounting.consolidation"].rows}
    for e in entities:
        row = rows[e.name]
        assert row["revenue"] == results.metrics[f"finance.revenue.{e.id}"].value
        assert row["net_income"] == consolidation["Net income"][e.id]
    net = consolidation["Net income"]
    # the charges between ventures stay in each row: the rows add up to before the eliminations
    assert sum(r["net_income"] for r in rows.values()) == net["consolidated"] - net["eliminations"]
    # the demo's ledger reaches back two years: every venture has a year-earlier figure
    assert all(r["against_year_earlier"] is not None for r in rows.values())
    ceo = next(d for d in demo_pack.documents if d.id == "ceo")
    # first, after In brief and the decisions needed
    assert [s.id for s in ceo.sections[1:3]] == ["executive.decisions", "finance.by_venture"]


OVERDRAWN = """\
Date,Entity,Payee,Memo,Amount,Account
2026-09-02,trucks,Fuel Co,Fuel,-800.00,Expenses:Fuel
2026-10-02,trucks,Fuel Co,Fuel,-700.00,Expenses:Fuel
2026-10-30,trucks,Shipper,Haul,300.00,Income:Hauling
"""


def test_a_cash_account_below_zero_is_a_bank_overdraft_not_negative_cash(tmp_path):
    """A second account, opened at 200 and overdrawn: 200 - 800 - 700 + 300 = -1,000 at the end
    of October — a liability of 1,000 (a bank overdraft), with a finding for the CFO and the
    Accounting Officer; assets and liabilities both grow by it, so the sheet still balances."""
    toml = TOML.format(basis="accrual") + (
        '[[sources.ledger]]\npath = "ledger/card.csv"\nentity = "trucks"\n'
        'opening_balance = "200.00"\nname = "Ridge checking"\n'
        '[sources.ledger.columns]\ndate = "Date"\namount = "Amount"\naccount = "Account"\n'
        'counterparty = "Payee"\nmemo = "Memo"\n'
    )
    root = write_workspace(
        tmp_path / "ws",
        toml,
        {"ledger/bank.csv": LEDGER, "ledger/card.csv": OVERDRAWN, "notes/co.md": None},
    )
    pack = build_pack(load_workspace(root, environ={}), AS_OF, generated_at=GENERATED_AT)
    sheet = {k: r["amount"] for k, r in rows(pack, "accounting.balance_sheet").items()}
    assert "Cash — Ridge checking" not in sheet
    assert sheet["Bank overdraft — Ridge checking"] == Decimal("1000.00")
    # the other account's cash is as before; total assets leave the overdraft out
    assert sheet["Cash — ledger/bank.csv"] == Decimal("6850.00")
    assert sheet["Total assets"] == Decimal("39850.00")
    assert sheet["Total liabilities"] == Decimal("21500.00")  # 20,500 + the 1,000 owed
    metrics = pack.results.metrics
    assert (metrics["accounting.overdraft"].value, metrics["accounting.overdraft"].status) == (
        Decimal("1000.00"),
        "bad",
    )
    # the cash balance is what the business has net: 6,850 less the 1,000 owed
    assert metrics["finance.cash_balance"].value == Decimal("5850.00")
    # every venture still balances: assets = liabilities + equity + unexplained
    for r in rows(pack, "accounting.balance_sheet_by_venture", key="venture").values():
        assert r["assets"] == r["liabilities"] + r["equity"] + r["unexplained"]
    (found,) = [f for f in pack.results.findings if f.area == "overdraft"]
    assert (found.title, found.severity) == ("Ridge checking is overdrawn", "high")
    assert "-1,000 USD" in found.evidence
    docs = {d.id: d for d in pack.documents}
    for rid in ("cfo", "accounting"):
        shown = [f for s in docs[rid].sections for b in s.blocks if b.type == "findings"
                 for f in b.items]  # fmt: skip
        assert found.id in {f.id for f in shown}, rid
    assert next(a for a in pack.results.agenda if a.finding == found.id).owner == "cfo"


def test_the_rows_behind_unexplained_are_listed_every_one_with_their_total(tmp_path, demo_pack):
    pack = build(tmp_path)
    rows = pack.results.tables["accounting.unexplained_rows"].rows
    # the one unlabelled 250 out, and the total that is the balance sheet's Unexplained line
    assert [(r["month"], r["date"], r["venture"], r["amount"]) for r in rows] == [
        ("2026-10", "2026-10-25", "Ridge Trucks", Decimal("-250.00")),
        ("Total", "", "", Decimal("-250.00")),
    ]
    # on the demo: every row since the ledger began, not only the period's, adding up to the line
    balance_sheet = demo_pack.results.tables["accounting.balance_sheet"].rows
    sheet = {r["item"]: r["amount"] for r in balance_sheet}
    listed = demo_pack.results.tables["accounting.unexplained_rows"].rows
    assert listed[-1]["amount"] == sheet["Unexplained (money no account explains)"]
    assert len({r["month"] for r in listed[:-1]}) > 1 and len(listed) - 1 == int(
        listed[-1]["memo"].split()[0]
    )
    assert sum(r["amount"] for r in listed[:-1]) == listed[-1]["amount"]
    accounting = next(d for d in demo_pack.documents if d.id == "accounting")
    shown = [b.table.id for s in accounting.sections for b in s.blocks if b.type == "table"]
    assert "accounting.unexplained_rows" in shown


def test_the_headline_revenue_is_the_consolidated_one(tmp_path):
    """Ridge Trucks billed Bay Boats 400 for hauling its boat: in the trucks' own revenue, but not
    the business's — the CEO's and CFO's revenue is the consolidation's, and says what it left
    out."""
    pack = build(tmp_path)
    consolidated = rows(pack, "accounting.consolidation")["Revenue"]
    revenue = pack.results.metrics["finance.revenue"]
    # October: charters 2,500 + hauling 400 (from Bay Boats) = 2,900; less the 400 = 2,500
    assert consolidated["eliminations"] == Decimal("-400.00")
    assert revenue.value == consolidated["consolidated"] == Decimal("2500.00")
    assert revenue.note.endswith("less 400.00 charged between ventures")
    assert pack.results.metrics["finance.revenue.trucks"].value == Decimal("400.00")


def test_an_account_above_zero_owes_nothing(tmp_path):
    pack = build(tmp_path)
    overdraft = pack.results.metrics["accounting.overdraft"]
    assert (overdraft.value, overdraft.status) == (Decimal("0.00"), "good")
    assert not [f for f in pack.results.findings if f.area == "overdraft"]


def test_a_ledger_mostly_without_accounts_lists_the_largest_rows_and_totals_them_all(tmp_path):
    """Past UNEXPLAINED_LISTED rows without an account, the table lists the largest (by size,
    shown by date) and its total line still counts and sums every one: a mostly uncategorized
    ledger of a million rows would otherwise make an Accounting report too large to send."""
    from boardpack.analyses.statements import UNEXPLAINED_LISTED

    many = UNEXPLAINED_LISTED + 50
    extra = "".join(
        f"2026-09-{1 + n % 28:02d},trucks,Stranger {n},no account,-{n + 1}.00,,,\n"
        for n in range(many)
    )
    pack = build(tmp_path, ledger=LEDGER + extra)
    rows = pack.results.tables["accounting.unexplained_rows"].rows
    listed, total = rows[:-1], rows[-1]
    assert len(listed) == UNEXPLAINED_LISTED
    assert total["memo"] == f"{many + 1} rows"  # and the ledger's own unlabelled 250
    assert total["amount"] == -Decimal(sum(range(1, many + 1))) - Decimal("250.00")
    # the largest: every listed one at least as large as any left out
    assert min(abs(r["amount"]) for r in listed) >= Decimal(many - UNEXPLAINED_LISTED)
    assert [r["date"] for r in listed] == sorted(r["date"] for r in listed)
    note = pack.results.tables["accounting.unexplained_rows"].note
    assert note.startswith(f"The {UNEXPLAINED_LISTED} largest of {many + 1:,} rows")
