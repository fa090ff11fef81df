"""Why net income changed (issue 23, part 3): the bridge from the previous period, worked by hand,
and adding up exactly on the demo."""

from decimal import Decimal

from tests.conftest import LEDGER


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


def test_the_bridge_from_budget_worked_by_hand(tmp_path):
    from tests.analyses.test_budget import build

    # October's budget: sales 2,000 (6,000 a quarter), rent −2,000 (24,000 a year, all ventures),
    # every other co expense −2,500: −2,500 budgeted. Rent is counted under its own line, the
    # materials (600) under co's Expenses line.
    rows = build(tmp_path).results.tables["finance.bridge_budget"].rows
    assert [(r["label"], r["amount"]) for r in rows] == [
        ("Budgeted net income, October 2026", Decimal("-2500.00")),
        ("Small Co: Expenses cost under budget", Decimal("1900.00")),
        ("Small Co: Income:Sales revenue under budget", Decimal("-800.00")),
        ("Net income, October 2026", Decimal("-1400.00")),
    ]


def test_the_bridge_from_a_year_earlier_worked_by_hand(tmp_path):
    from tests.analyses.test_year_on_year import YEAR_AGO, cfo_pack

    header, rows = LEDGER.split("\n", 1)
    results = cfo_pack(tmp_path, f"{header}\n{YEAR_AGO}{rows}").results
    # October 2025: sales 800, rent −2,000. October 2026: sales 1,200, rent −2,000, materials −600
    assert [
        (r["label"], r["amount"]) for r in results.tables["finance.bridge_year_earlier"].rows
    ] == [
        ("Net income, October 2025", Decimal("-1200.00")),
        ("Small Co: Expenses:Materials cost up", Decimal("-600.00")),
        ("Small Co: Income:Sales revenue up", Decimal("400.00")),
        ("Net income, October 2026", Decimal("-1400.00")),
    ]
    said = [r for r in results.tables["finance.commentary"].rows if r["basis"] == "year_earlier"]
    assert [r["sentence"] for r in said] == [
        "Small Co: Expenses:Materials costs rose 600 USD against October 2025, from 0 to 600."
    ]  # material: 600 passes 500.00 and, from nothing, any percentage; the sales' 400 does not


def test_the_three_largest_moves_are_said_material_or_not(pack):
    rows = pack.results.tables["finance.commentary"].rows
    assert [(r["sentence"], r["material"]) for r in rows] == [
        (
            "Small Co: Expenses:Materials costs fell 300 USD against September 2026, from 900 to"
            " 600.",
            False,
        ),
        (
            "Small Co: Income:Sales revenue rose 200 USD against September 2026, from 1,000 to"
            " 1,200; 3 bookings from 280 visits.",  # the channels have October only
            False,
        ),
    ]
    ceo = next(d for d in pack.documents if d.id == "ceo")
    said = next(s for s in ceo.sections if s.id == "executive.commentary")
    assert [b.text for b in said.blocks] == [r["sentence"] for r in rows]
    cfo = next(d for d in pack.documents if d.id == "cfo")
    none = next(s for s in cfo.sections if s.id == "finance.commentary")
    # the CFO's bridge has each move; its sentences say what drove a material one, and none is
    assert [b.text for b in none.blocks] == [
        "No other source says what drove a move past the variance threshold: the bridge has each"
        " move."
    ]


def test_a_sentence_names_the_jobs_and_the_duplicate_that_drove_it(tmp_path):
    from tests.analyses.test_forecast import JOBS, build, seasonal_ledger

    ledger = seasonal_ledger() + (
        "2026-10-03,Fuel Co,-700.00,Expenses:Fuel\n2026-10-06,Fuel Co,-700.00,Expenses:Fuel\n"
    )
    jobs = JOBS + "".join(f"2026-09-{d:02d},Boat,Guests,6000.00,0,8\n" for d in (3, 10, 17, 24, 28))
    jobs += "2026-10-15,Boat,Guests,1000.00,0,8\n"
    results = build(tmp_path, ledger=ledger, jobs=jobs)
    said = {
        r["sentence"].split(" costs ")[0].split(" revenue ")[0]: r
        for r in results.tables["finance.commentary"].rows
        if r["basis"] == "previous"
    }
    assert said["Sea Co: Income:Charters"]["sentence"] == (
        "Sea Co: Income:Charters revenue fell 29,000 USD against September 2026, from 30,000 to"
        " 1,000; 1 job against 5."
    )
    assert said["Sea Co: Income:Charters"]["sources"] == "bank.csv, jobs.csv"
    assert said["Sea Co: Expenses:Fuel"]["sentence"] == (
        "Sea Co: Expenses:Fuel costs rose 1,400 USD against September 2026, from 0 to 1,400;"
        " including a possible duplicate payment of 700 to Fuel Co (2026-10-03 and 2026-10-06)."
    )


def test_a_venture_report_has_its_own_budget_and_bridge(demo_pack):
    doc = next(d for d in demo_pack.documents if d.id == "entity-hauling")
    plan = next(s for s in doc.sections if s.id == "hauling.plan")
    ids = [b.table.id for b in plan.blocks]
    assert ids == ["finance.budget_vs_actual.hauling", "finance.bridge.hauling"]
    budget = plan.blocks[0].table
    assert {r["entity"] for r in budget.rows} == {"hauling"}
    bridge = plan.blocks[1].table.rows
    assert sum(r["amount"] for r in bridge[:-1]) == bridge[-1]["amount"]
