"""The venture reports, every figure worked by hand below. The pack covers October 2026 (31 days, 22
weekdays: Thursday the 1st to Saturday the 31st); as-of is 2026-11-15."""

from decimal import Decimal

import pytest

from boardpack.config import load_workspace
from boardpack.errors import WorkspaceError
from boardpack.pipeline import build_pack
from tests.conftest import AS_OF, GENERATED_AT, write_workspace

TOML = """\
[organization]
name = "Ventures Co"
currency = "USD"
timezone = "America/Los_Angeles"

[[entities]]
id = "rental"
name = "Elm Court"
kind = "real_estate"
[entities.property]
units = "rental/units.csv"
value = "400000.00"

[[entities]]
id = "haul"
name = "Haul Co"
kind = "logistics"
assets = [{ kind = "vehicle", name = "Truck A" }, { kind = "vehicle", name = "Truck B" },
          { kind = "vehicle", name = "Truck C" }]
[entities.fleet]
jobs = "haul/jobs.csv"

[[entities]]
id = "advice"
name = "Advice LLP"
kind = "services"
[entities.practice]
timesheets = "advice/timesheets.csv"
clients = ["Alder", "Birch", "Cedar", "Dogwood"]

[[entities]]
id = "plot"
name = "Empty Plot"
kind = "real_estate"

[[sources.ledger]]
path = "ledger/bank.csv"
entity_column = "Entity"
[sources.ledger.columns]
date = "Date"
amount = "Amount"
account = "Account"
counterparty = "Payee"
memo = "Memo"

[sources.notes]
paths = ["notes/*.md"]

[roles.entity-rental]
to = ["pm@example.com"]

[delivery]
from = "reports@example.com"
"""

UNITS = """\
unit,tenant,lease_start,lease_end,monthly_rent,deposit
A,Ann,2026-01-01,2026-12-31,2000.00,2000.00
B,Bob,2025-11-01,2026-10-15,1500.00,1500.00
C,,,,1200.00,
"""

JOBS = """\
date,vehicle,customer,revenue,direct_cost,hours
2026-09-30,Truck A,Acme,999.00,0,1
2026-10-01,Truck A,Acme,1000.00,400.00,8
2026-10-01,Truck A,Beta,500.00,300.00,4
2026-10-02,Truck A,Acme,800.00,900.00,6
2026-10-03,Truck B,Beta,600.00,200.00,5
2026-10-05,Truck B,Acme,700.00,300.00,5
2026-11-10,Truck A,Gamma,300.00,100.00,2
2026-11-20,Truck B,Gamma,1200.00,500.00,8
"""

TIMESHEETS = """\
client,date,hours,rate
Alder,2026-08-10,10,100
Alder,2026-09-15,5,100
Alder,2026-10-05,8,100
Alder,2026-11-03,3,100
Birch,2026-08-15,2,150
Birch,2026-10-20,4,150
Cedar,2026-07-01,1,120
cedar,2026-10-21,2.5,120
Dogwood,2026-10-28,1,200
"""

LEDGER = """\
Date,Entity,Payee,Memo,Amount,Account
2026-07-01,advice,Alder,Old work,5000.00,Income:Consulting
2026-09-01,advice,Alder,Invoice,1000.00,Income:Consulting
2026-09-01,rental,Ann,Rent,2000.00,Income:Rent
2026-09-12,rental,Fixit,Repairs,-100.00,Expenses:Repairs
2026-10-01,rental,Ann,Rent A,2000.00,Income:Rent
2026-10-01,rental,Bob,Rent B,1500.00,Income:Rent
2026-10-05,rental,Bank,Mortgage,-1800.00,Expenses:Mortgage
2026-10-10,rental,Fixit,Repairs,-300.00,Expenses:Repairs
2026-10-10,advice,alder ,Invoice,200.00,Income:Consulting
2026-10-20,rental,County,Property tax,-1200.00,Expenses:Property Tax
2026-10-25,rental,Insurer,Insurance,-150.00,Expenses:Insurance
2026-10-25,advice,Birch,Invoice,200.00,Income:Consulting
2026-10-29,advice,Dogwood,Invoice,500.00,Income:Consulting
2026-11-05,advice,Alder,Invoice,300.00,Income:Consulting
"""

NOTE = """\
---
entity: rental
title: Elm Court
updated: 2026-11-01
risks:
  - title: The roof is old
    severity: low
    area: maintenance
    action: Get a roofer's quote
---
- [ ] @ceo Renew the insurance (due 2026-12-01)

## Maintenance

- [ ] Fix the gate (due 2026-11-01)
- [ ] Paint unit C
- [x] Service the boiler
"""

FILES = {
    "ledger/bank.csv": LEDGER,
    "notes/co.md": None,
    "notes/rental.md": NOTE,
    "rental/units.csv": UNITS,
    "haul/jobs.csv": JOBS,
    "advice/timesheets.csv": TIMESHEETS,
}


def build(tmp_path, toml=TOML, **files):
    ws = write_workspace(
        tmp_path, toml, FILES | {k.replace("__", "/"): v for k, v in files.items()}
    )
    return build_pack(load_workspace(ws, environ={}), AS_OF, generated_at=GENERATED_AT)


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    return build(tmp_path_factory.mktemp("ventures"))


def value(pack, metric_id):
    return pack.results.metrics[metric_id].value


def titles(pack, entity):
    return [f.title for f in pack.results.findings if f.entity == entity]


def test_rent_roll_occupancy_and_leases_ending(pack):
    # A is leased all 31 days; B's lease ends mid-period on the 15th (15 days); C is vacant: 46 / (3
    # × 31) = 49.46%
    assert value(pack, "rental.occupancy") == Decimal("49.5")
    # on 2026-11-15 only A is leased: its rent and deposit; its lease ends 2026-12-31, 46 days on
    # (within 90)
    assert value(pack, "rental.rent_roll") == Decimal("2000.00")
    assert value(pack, "rental.deposits_held") == Decimal("2000.00")
    assert value(pack, "rental.leases_ending") == 1
    status = {
        r["unit"]: (r["tenant"], r["status"]) for r in pack.results.tables["rental.rent_roll"].rows
    }
    assert status == {
        "A": ("Ann", "ends in 46 days"),
        "B": ("Bob", "vacant"),
        "C": ("vacant", "vacant"),
    }
    found = titles(pack, "rental")
    assert "Elm Court A: the lease ends 2026-12-31" in found
    assert {"Elm Court B is vacant", "Elm Court C is vacant"} <= set(found)


def test_noi_cap_rate_and_cash_flow(pack):
    # October: rent 2000 + 1500 = 3500; operating expenses 300 + 1200 + 150 = 1650 (the mortgage is
    # debt service)
    assert value(pack, "rental.rental_income") == Decimal("3500.00")
    assert value(pack, "rental.operating_expenses") == Decimal("1650.00")
    assert value(pack, "rental.noi") == Decimal("1850.00")
    assert value(pack, "rental.noi_annualized") == Decimal("22200.00")  # × 12
    assert value(pack, "rental.cap_rate") == Decimal("5.55")  # 22200 / 400000
    assert value(pack, "rental.debt_service") == Decimal("1800.00")
    assert value(pack, "rental.cash_flow") == Decimal("50.00")  # 1850 − 1800
    # Nov 2025 – Oct 2026: (2000 + 3500) − (100 + 1650)
    assert value(pack, "rental.noi_trailing_12m") == Decimal("3750.00")


def test_maintenance_backlog_comes_from_the_notes(pack):
    rows = pack.results.tables["rental.maintenance"].rows
    # open items under the Maintenance heading and the maintenance risk; not the insurance item, not
    # the done one
    assert [(r["item"], r["state"]) for r in rows] == [
        ("Fix the gate", "overdue"),
        ("Paint unit C", "no date"),
        ("The roof is old: Get a roofer's quote", "risk (low)"),
    ]
    assert value(pack, "rental.maintenance_open") == 3
    assert pack.results.metrics["rental.maintenance_open"].status == "bad"  # one is overdue


def test_fleet_utilization_margin_and_pipeline(pack):
    vehicles = {r["vehicle"]: r for r in pack.results.tables["haul.vehicles"].rows}
    # Truck A: jobs on Thu 1st (two) and Fri 2nd = 2 working days of 22; 2300 revenue, 1600 cost, 18
    # hours
    assert vehicles["Truck A"] == {
        "vehicle": "Truck A",
        "jobs": 3,
        "days": 2,
        "utilization": Decimal("9.1"),
        "revenue": Decimal("2300.00"),
        "margin": Decimal("700.00"),
        "margin_pct": Decimal("30.4"),
        "per_hour": Decimal("127.78"),
    }
    # Truck B: Saturday the 3rd earns revenue but is not a working day; Monday the 5th is: 1 / 22
    assert (vehicles["Truck B"]["days"], vehicles["Truck B"]["utilization"]) == (1, Decimal("4.5"))
    assert (vehicles["Truck B"]["margin"], vehicles["Truck B"]["margin_pct"]) == (
        Decimal("800.00"),
        Decimal("61.5"),
    )
    # Truck C, no jobs: zero utilization, no margin percentage, and a finding
    assert (
        vehicles["Truck C"]["jobs"],
        vehicles["Truck C"]["utilization"],
        vehicles["Truck C"]["margin_pct"],
    ) == (0, Decimal("0.0"), None)
    assert "Haul Co: Truck C had no jobs in October 2026" in titles(pack, "haul")
    assert value(pack, "haul.utilization") == Decimal("4.5")  # (2 + 1 + 0) / (3 × 22)
    assert value(pack, "haul.jobs") == 5  # the September and November jobs are outside the period
    assert value(pack, "haul.job_revenue") == Decimal("3600.00")
    assert value(pack, "haul.job_margin") == Decimal("1500.00")
    assert value(pack, "haul.margin_percent") == Decimal("41.7")
    assert value(pack, "haul.revenue_per_job") == Decimal("720.00")
    assert value(pack, "haul.margin_per_job") == Decimal("300.00")
    # booked: dated on or after as-of (the 10 November job is done, not booked)
    assert value(pack, "haul.pipeline_jobs") == 1
    assert value(pack, "haul.pipeline_revenue") == Decimal("1200.00")
    assert "Haul Co: a job for Acme on 2026-10-02 lost money" in titles(pack, "haul")


def test_billable_invoiced_and_receivables_aging(pack):
    billing = {r["client"]: r for r in pack.results.tables["advice.billing"].rows}
    aging = {r["client"]: r for r in pack.results.tables["advice.aging"].rows}
    # Alder: 2300 worked to 31 Oct; paid 1000 + 200 since the first logged hour (the July 5000 is
    # older work).
    # Oldest first: August's 1000 paid, September's 500 has 300 owed (46 days), October's 800 owed
    # (26 days).
    assert (billing["Alder"]["unbilled"], billing["Alder"]["ahead"]) == (
        Decimal("1100.00"),
        Decimal("0.00"),
    )
    assert (aging["Alder"]["d0_30"], aging["Alder"]["d31_60"]) == (
        Decimal("800.00"),
        Decimal("300.00"),
    )
    # Birch: 300 (15 Aug) + 600 (20 Oct), paid 200: 100 owed at 77 days, 600 at 11 days
    assert (aging["Birch"]["d61_90"], aging["Birch"]["d0_30"]) == (
        Decimal("100.00"),
        Decimal("600.00"),
    )
    assert "Advice LLP: Birch owes for work over 60 days old" in titles(pack, "advice")
    # Cedar (one row spelt "cedar"): 120 on 1 July (122 days) and 300 in October; never paid
    assert (aging["Cedar"]["d90"], aging["Cedar"]["d0_30"]) == (
        Decimal("120.00"),
        Decimal("300.00"),
    )
    assert "Advice LLP: Cedar has never paid an invoice" in titles(pack, "advice")
    # Dogwood: 200 worked, 500 paid: 300 paid ahead, nothing owed
    assert (billing["Dogwood"]["unbilled"], billing["Dogwood"]["ahead"]) == (
        Decimal("0.00"),
        Decimal("300.00"),
    )
    total = billing["Total"]
    # October: 8 + 4 + 2.5 + 1 hours; 800 + 600 + 300 + 200 billable; 200 + 200 + 500 received
    assert (total["hours"], total["billable"], total["invoiced"]) == (
        Decimal("15.50"),
        Decimal("1900.00"),
        Decimal("900.00"),
    )
    assert value(pack, "advice.billable_hours") == Decimal("15.50")
    assert value(pack, "advice.invoiced") == Decimal("900.00")
    assert value(pack, "advice.unbilled") == Decimal("2220.00")  # 1100 + 700 + 420 + 0
    assert aging["Total"] == {
        "client": "Total",
        "d0_30": Decimal("1700.00"),
        "d31_60": Decimal("300.00"),
        "d61_90": Decimal("100.00"),
        "d90": Decimal("120.00"),
    }


def test_a_venture_report_for_each_entity_with_its_data(pack):
    reports = {d.id: d for d in pack.documents}
    # the plot is real estate with no [entities.property]: no report of its own
    assert [d for d in reports if d.startswith("entity-")] == [
        "entity-rental",
        "entity-haul",
        "entity-advice",
    ]
    assert [s.id for s in reports["entity-rental"].sections][1:] == [
        "rental.decisions",
        "rental.rent_roll",
        "rental.income",
        "rental.maintenance",
        "rental.reconciliation",
        "rental.customers",
        "rental.plan",
        "rental.findings",
    ]
    assert [s.id for s in reports["entity-haul"].sections][1:] == [
        "haul.decisions",
        "haul.fleet",
        "haul.jobs",
        "haul.pipeline",
        "haul.reconciliation",
        "haul.customers",
        "haul.plan",
        "haul.findings",
    ]
    assert [s.id for s in reports["entity-advice"].sections][1:] == [
        "advice.decisions",
        "advice.billing",
        "advice.aging",
        "advice.reconciliation",
        "advice.customers",
        "advice.plan",
        "advice.findings",
    ]
    # one metric, one value: the venture report's footnotes carry the same figure as Results
    assert next(
        m for m in reports["entity-rental"].footnotes if m.id == "rental.cap_rate"
    ).value == Decimal("5.55")


def test_a_missing_ledger_leaves_noi_unavailable_but_the_rent_roll_shown(tmp_path):
    toml = TOML.replace(
        '[[sources.ledger]]\npath = "ledger/bank.csv"\nentity_column = "Entity"\n'
        '[sources.ledger.columns]\ndate = "Date"\namount = "Amount"\naccount = "Account"\n'
        'counterparty = "Payee"\nmemo = "Memo"\n',
        "",
    )
    pack = build(tmp_path, toml)
    doc = next(d for d in pack.documents if d.id == "entity-rental")
    # the NOI section is left out, and the report's last line says why
    assert not any(s.id == "rental.income" for s in doc.sections)
    assert any("ledger source is not configured" in t for t in doc.setup)
    assert doc.sections[-1].blocks[0].text.startswith(
        "The ledger source is not configured; not shown: NOI and cash flow"
    )
    assert any(s.id == "rental.rent_roll" for s in doc.sections)
    assert "rental.noi" not in pack.results.metrics
    assert value(pack, "rental.occupancy") == Decimal("49.5")


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {"rental__units.csv": UNITS + "D,Dee,2026-06-01,2026-01-01,900.00,0\n"},
            "rental/units.csv:5: the lease ends (2026-01-01) before it starts (2026-06-01)",
        ),
        (
            {"rental__units.csv": UNITS + "A,Al,2026-01-01,,900.00,0\n"},
            "rental/units.csv:5: unit 'A' is listed twice",
        ),
        (
            {"rental__units.csv": UNITS + "E,Eve,,,900.00,0\n"},
            "rental/units.csv:5: 'Eve' has no lease_start",
        ),
        (
            {"rental__units.csv": UNITS + "F,,,,-5,0\n"},
            "rental/units.csv:5: monthly_rent '-5' must be at least zero",
        ),
        (
            {"haul__jobs.csv": JOBS + "2026-10-07,Truck Z,Acme,100,0,1\n"},
            (
                "haul/jobs.csv:10: vehicle 'Truck Z' is not in the fleet (its assets of kind"
                " vehicle: Truck A, Truck B, Truck C)"
            ),
        ),
        (
            {"haul__jobs.csv": JOBS + "2026-10-32,Truck A,Acme,100,0,1\n"},
            "haul/jobs.csv:10: date '2026-10-32' is not a date",
        ),
        (
            {"advice__timesheets.csv": TIMESHEETS + "Elm,2026-10-01,1,100\n"},
            (
                "advice/timesheets.csv:11: client 'Elm' is not one of the practice's clients"
                " (Alder, Birch, Cedar, Dogwood)"
            ),
        ),
        (
            {"advice__timesheets.csv": TIMESHEETS + "Alder,2026-10-01,0,100\n"},
            "advice/timesheets.csv:11: hours '0' must be more than zero",
        ),
        (
            {"advice__timesheets.csv": "client,day,hours,rate\n"},
            (
                "advice/timesheets.csv:1: columns date are missing; the header must be"
                " client,date,hours,rate"
            ),
        ),
        ({"haul__jobs.csv": None}, "entities.haul.fleet.jobs = 'haul/jobs.csv': no such file"),
    ],
)
def test_bad_venture_input_names_the_file_and_line(tmp_path, files, message):
    with pytest.raises(WorkspaceError) as raised:
        build(tmp_path, **files)
    assert message in str(raised.value)


def reconciliation(pack, entity):
    return {
        r["customer"]: (r["earned"], r["received"], r["state"])
        for r in pack.results.tables[f"{entity}.reconciliation"].rows
    }


def test_the_rent_roll_against_the_rent_received(pack):
    # October's rent due on the 1st: Ann 2,000 and Bob 1,500 (his lease ends on the 15th); C is
    # vacant. Both paid on the 1st.
    assert reconciliation(pack, "rental") == {
        "Ann": (Decimal("2000.00"), Decimal("2000.00"), "matched"),
        "Bob": (Decimal("1500.00"), Decimal("1500.00"), "matched"),
    }
    assert value(pack, "rental.unreconciled") == Decimal("0.00")


def test_the_timesheets_against_the_money_received(pack):
    # October's hours: Alder 8 × 100, Birch 4 × 150, Cedar 2.5 × 120, Dogwood 1 × 200; paid in
    # October: alder 200, Birch 200, Dogwood 500
    assert reconciliation(pack, "advice") == {
        "Alder": (Decimal("800.00"), Decimal("200.00"), "earned, not collected"),
        "Birch": (Decimal("600.00"), Decimal("200.00"), "earned, not collected"),
        "Dogwood": (Decimal("200.00"), Decimal("500.00"), "collected beyond the work"),
        "Cedar": (Decimal("300.00"), Decimal("0.00"), "earned, not collected"),
    }
    assert value(pack, "advice.unreconciled") == Decimal("1000.00")  # 1,900 - 900


def test_the_job_sheets_against_the_money_received_and_money_with_no_job(tmp_path):
    paid = (
        "2026-10-06,haul,ACME INC,Payment,2500.00,Income:Hauling\n"
        "2026-10-07,haul,Zeta Freight,Payment,450.00,Income:Hauling\n"
    )
    built = build(tmp_path, **{"ledger/bank.csv": LEDGER + paid})
    # October's jobs: Acme 1,000 + 800 + 700, Beta 500 + 600; Gamma's are in November
    assert reconciliation(built, "haul") == {
        "Acme": (Decimal("2500.00"), Decimal("2500.00"), "matched"),
        "Beta": (Decimal("1100.00"), Decimal("0.00"), "earned, not collected"),
        "Zeta Freight": (Decimal("0.00"), Decimal("450.00"), "collected, not explained"),
    }
    (finding,) = [f for f in built.results.findings if f.entity == "haul" and "came in" in f.title]
    assert finding.title == "Haul Co: 450.00 USD came in with no work in the job sheets"


def test_a_payment_for_last_months_work_is_not_money_with_no_work(tmp_path):
    """Zeta Freight's September job (450) is paid in October, with no October job: the payment is
    for earlier work, not unexplained; Omega pays 600 for a 450 September job, and the 150 over is
    what is left to explain."""
    jobs = JOBS + "2026-09-20,Truck B,Zeta Freight,450.00,100.00,3\n"
    jobs += "2026-09-21,Truck B,Omega,450.00,100.00,3\n"
    paid = (
        "2026-10-06,haul,ACME INC,Payment,2500.00,Income:Hauling\n"
        "2026-10-07,haul,Zeta Freight,Payment,450.00,Income:Hauling\n"
        "2026-10-08,haul,Omega,Payment,600.00,Income:Hauling\n"
    )
    built = build(tmp_path, **{"ledger/bank.csv": LEDGER + paid, "haul/jobs.csv": jobs})
    rows = {r["customer"]: r for r in built.results.tables["haul.reconciliation"].rows}
    zeta, omega = rows["Zeta Freight"], rows["Omega"]
    assert (zeta["for_earlier"], zeta["difference"], zeta["state"]) == (
        Decimal("450.00"), Decimal("0.00"), "paid for earlier work",
    )  # fmt: skip
    assert (omega["for_earlier"], omega["state"]) == (Decimal("450.00"), "collected, not explained")
    (finding,) = [f for f in built.results.findings if f.entity == "haul" and "came in" in f.title]
    # only Omega's 150 over is left to explain
    assert finding.title == "Haul Co: 150.00 USD came in with no work in the job sheets"
    assert finding.evidence == "Omega 150.00."
    # earned less received leaves out what paid for earlier periods: Beta's 1,100 unpaid, less
    # the 150 Omega paid over
    assert value(built, "haul.unreconciled") == Decimal("950.00")


def test_a_venture_report_quotes_the_ledgers_revenue_beside_its_own_and_says_which_is_which(pack):
    haul = next(d for d in pack.documents if d.id == "entity-haul")
    shown = {m.id: m for m in haul.footnotes}
    assert shown["finance.revenue.haul"].value == pack.results.metrics["finance.revenue.haul"].value
    assert "in the ledger" in shown["finance.revenue.haul"].note
    assert "from the job sheets" in shown["haul.job_revenue"].note
