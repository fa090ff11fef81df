"""The cash forecast (issue 23, part 4), on hand-made ledgers worked by hand: a seasonal business
whose trailing average says it is not burning cash and whose forecast finds the month cash runs
out; a booked job moving the low point; scenarios moving it the stated way; and what a short
history or a bad scenario gets."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from boardpack.config import load_workspace
from boardpack.errors import WorkspaceError
from boardpack.figures import reading, value_text
from boardpack.period import add_months
from boardpack.pipeline import build_pack
from tests.conftest import AS_OF, GENERATED_AT, write_workspace

TOML = """\
[organization]
name = "Sea Co"
currency = "USD"
timezone = "America/Los_Angeles"

[[entities]]
id = "sea"
name = "Sea Co"
kind = "logistics"
assets = [{ kind = "vehicle", name = "Boat" }]
[entities.fleet]
jobs = "jobs.csv"

[[sources.ledger]]
path = "bank.csv"
entity = "sea"
opening_balance = "14000.00"
[sources.ledger.columns]
date = "Date"
amount = "Amount"
account = "Account"
counterparty = "Payee"
"""
JOBS = "date,vehicle,customer,revenue,direct_cost,hours\n"


def seasonal_ledger(first: date = date(2024, 11, 1), months: int = 24) -> str:
    """Summer (May–September) brings 30,000 on the 15th, the rest of the year 1,000; the crew costs
    12,000 on the 25th of every month. A year nets +13,000, so 14,000 becomes 40,000 by the end of
    October 2026."""
    lines = ["Date,Payee,Amount,Account"]
    for i in range(months):
        month = add_months(first, i)
        sales = 30000 if 5 <= month.month <= 9 else 1000
        lines.append(f"{month.replace(day=15)},Guests,{sales}.00,Income:Charters")
        lines.append(f"{month.replace(day=25)},Crew,-12000.00,Expenses:Payroll")
    return "\n".join(lines) + "\n"


def build(tmp_path, ledger=None, jobs=JOBS, toml=TOML):
    root = write_workspace(
        tmp_path / "ws",
        toml,
        {"bank.csv": ledger or seasonal_ledger(), "jobs.csv": jobs, "notes/co.md": None},
    )
    return build_pack(load_workspace(root, environ={}), AS_OF, generated_at=GENERATED_AT).results


def test_a_seasonal_business_the_trailing_average_calls_fine_runs_out_in_february(tmp_path):
    results = build(tmp_path)
    metrics = results.metrics
    assert metrics["finance.cash_balance"].value == Decimal("40000.00")
    # August–October took in 61,000 and paid 36,000: on the trailing average cash is growing
    assert metrics["finance.runway_months_trailing"].value is None
    # one verdict on the cash, the runway's, with each reason: the forecast's decides here
    runway = metrics["finance.runway_months"]
    assert metrics["finance.runway_months_trailing"].status is None
    assert runway.status == "bad" and runway.note.startswith(
        f"on the forecast, cash runs out in {runway.value} months, on 2027-02-25; at the trailing"
        " burn, cash is not falling;"
    )
    # the winter months take in 1,000 and pay 12,000: 40,000 lasts until the fourth payroll.
    # 25 February: 40,000 + 3,000 (Nov–Jan) + 25 × 35.71 (1,000 over February's 28 days,
    # in cents) − 4 × 12,000 = −4,107.25
    months = {r["month"]: r for r in results.tables["finance.cash_forecast_months"].rows}
    assert months["2027-01"]["closing"] == Decimal("7000.00")
    runway = metrics["finance.runway_months"]
    assert runway.value == Decimal("3.8")  # 116 days from 1 November / 30.44
    assert "2027-02-25" in runway.note and runway.status == "bad"
    # the low: after April's payroll, 40,000 + 5,000 + 25 × 33.33 − 6 × 12,000
    assert metrics["finance.cash_low"].value == Decimal("-26166.75")
    assert metrics["finance.cash_low_date"].value == date(2027, 4, 25)
    finding = next(f for f in results.findings if f.title.startswith("On the forecast"))
    assert finding.title == "On the forecast, cash runs out on 2027-02-25"
    assert finding.severity == "critical"
    assert "does not see the seasons" in finding.evidence


def test_the_tables_add_up_day_by_day(tmp_path):
    results = build(tmp_path)
    for table_id, key in (
        ("finance.cash_forecast_weeks", "week"),
        ("finance.cash_forecast_months", "month"),
    ):
        rows = results.tables[table_id].rows
        assert rows[0]["opening"] == Decimal("40000.00")
        for before, row in zip(rows, rows[1:]):
            assert row["opening"] == before["closing"]
        for row in rows:
            assert row["opening"] + row["receipts"] - row["payments"] == row["closing"]
    weeks = results.tables["finance.cash_forecast_weeks"].rows
    assert (
        len(weeks) == 13 and weeks[0]["week"] == "2026-11-01" and weeks[-1]["week"] == "2027-01-24"
    )
    months = results.tables["finance.cash_forecast_months"].rows
    assert [r["month"] for r in months][::11] == ["2026-11", "2027-10"] and len(months) == 12
    # the summer comes back on last year's pattern: May brings 30,000, and the crew is paid
    assert months[6]["receipts"] == Decimal("30000.00")
    assert months[6]["payments"] == Decimal("12000.00")


def test_a_booked_job_moves_the_low_point(tmp_path):
    # a 30,000 charter booked for 20 April lifts everything after it: the low is then before it
    results = build(tmp_path, jobs=JOBS + "2027-04-20,Boat,Big Party,30000.00,0,8\n")
    low = results.metrics["finance.cash_low"].value
    low_day = results.metrics["finance.cash_low_date"].value
    # 25 March, after payroll: 40,000 + 4,000 (Nov–Feb) + 25 × 32.25 − 5 × 12,000
    assert (low, low_day) == (Decimal("-15193.75"), date(2027, 3, 25))
    months = {r["month"]: r for r in results.tables["finance.cash_forecast_months"].rows}
    # the job is a floor under April's estimate (1,000), not added to it
    assert months["2027-04"]["receipts"] == Decimal("30000.00")


def test_scenarios_move_the_low_the_stated_way(tmp_path):
    results = build(tmp_path)
    rows = {r["scenario"]: r for r in results.tables["finance.scenarios"].rows}
    assert [r["scenario"] for r in results.tables["finance.scenarios"].rows] == [
        "downside",
        "base",
        "upside",
    ]
    assert rows["base"]["cash_low"] == results.metrics["finance.cash_low"].value
    assert rows["downside"]["cash_low"] < rows["base"]["cash_low"] < rows["upside"]["cash_low"]
    # payday is a step: the 5% on payments and 20% off receipts still cross zero on 25 February
    assert rows["downside"]["runway_months"] <= rows["base"]["runway_months"]
    # the defaults: receipts −20% and payments +5% down, receipts +10% up
    assert (rows["downside"]["receipts_change"], rows["downside"]["payments_change"]) == (
        Decimal(-20),
        Decimal(5),
    )


def test_scenario_parameters_come_from_the_config(tmp_path):
    toml = TOML + "\n[finance.scenarios]\nupside = { receipts = 100, payments = -50 }\n"
    results = build(tmp_path, toml=toml)
    rows = {r["scenario"]: r for r in results.tables["finance.scenarios"].rows}
    # double the takings and half the crew: the winter no longer runs the cash out
    assert rows["upside"]["runway_months"] is None
    assert rows["upside"]["cash_low"] > rows["base"]["cash_low"]


@pytest.mark.parametrize(
    "scenarios, message",
    [
        ("downside = { receipts = -150 }", "finance.scenarios.downside.receipts"),
        ("upside = { payments = 101 }", "finance.scenarios.upside.payments"),
        ("upside = { receipts = -30 }", "order receipts downside <= base <= upside"),
        ("sideways = { receipts = 1 }", "sideways"),
    ],
)
def test_scenario_parameters_out_of_range_are_refused(tmp_path, scenarios, message):
    root = write_workspace(
        tmp_path / "ws",
        TOML + f"\n[finance.scenarios]\n{scenarios}\n",
        {"bank.csv": seasonal_ledger(), "jobs.csv": JOBS},
    )
    with pytest.raises(WorkspaceError) as raised:
        load_workspace(root, environ={})
    assert message in str(raised.value)


def test_less_than_a_year_of_history_says_so_and_uses_what_there_is(tmp_path):
    # five months, June–September 2026 of summer and October of winter: the average of the five
    results = build(tmp_path, ledger=seasonal_ledger(date(2026, 6, 1), 5))
    table = results.tables["finance.cash_forecast_months"]
    assert "Less than a year of history (from Jun 2026)" in table.note
    assert "average of the 5 month(s)" in table.note
    # November to May have no month a year earlier: (4 × 30,000 + 1,000) / 5 = 24,200 each;
    # June to October follow last year's
    receipts = [r["receipts"] for r in table.rows]
    assert receipts == [Decimal("24200.00")] * 7 + [Decimal("30000.00")] * 4 + [Decimal("1000.00")]


SENT_JOBS = JOBS + "2026-10-15,Boat,Guests,1000.00,0,8\n"  # a job sheet must have a past job
SENT_TOML = TOML + """
[roles.cfo]
to = ["cfo@example.com"]

[delivery]
from = "Sea Co <reports@example.com>"
"""


def test_a_sent_forecast_is_checked_by_the_next_pack(tmp_path):
    from boardpack.pipeline import recorded_packs
    from tests.conftest import run_cli

    root = write_workspace(
        tmp_path / "ws", SENT_TOML, {"bank.csv": seasonal_ledger(), "jobs.csv": SENT_JOBS}
    )
    sent = run_cli("send", "-w", str(root), "--as-of", "2026-11-15")
    assert sent.returncode == 0, sent.stderr
    # November happens: 1,500 in (the forecast said 1,000), the crew paid as forecast
    with (root / "bank.csv").open("a") as ledger:
        ledger.write("2026-11-15,Guests,1500.00,Income:Charters\n")
        ledger.write("2026-11-25,Crew,-12000.00,Expenses:Payroll\n")
    workspace = load_workspace(root, environ={})
    from boardpack.period import period_before

    november = period_before(date(2026, 12, 15), "month")
    recalled = recorded_packs(workspace, november)
    assert recalled.unread == "" and {e.made_in for e in recalled.entries} == {"2026-10"}
    results = build_pack(workspace, date(2026, 12, 15), generated_at=GENERATED_AT).results
    rows = {r["item"]: r for r in results.tables["finance.forecast_vs_actual"].rows}
    cash = rows["Cash at the end of November 2026"]
    # forecast: 40,000 + 1,000 − 12,000; actual: 40,000 + 1,500 − 12,000
    assert (cash["forecast"], cash["actual"], cash["error"]) == (
        Decimal("29000.00"),
        Decimal("29500.00"),
        Decimal("500.00"),
    )
    assert rows["Receipts"]["error_percent"] == Decimal("33.3")  # 500 of 1,500
    assert rows["Receipts — Sea Co"]["forecast"] == Decimal("1000.00")
    assert (rows["Payments"]["forecast"], rows["Payments"]["actual"]) == (
        Decimal("12000.00"),
        Decimal("12000.00"),
    )
    # the four weeks wholly in November; the first closes on 7 November at 40,000 + 7 × 33.33
    week = rows["Cash at the end of the week from 2026-11-01"]
    assert (week["forecast"], week["actual"]) == (Decimal("40233.31"), Decimal("40000.00"))
    assert sum(1 for item in rows if "week from" in item) == 4
    assert results.metrics["finance.forecast_error"].value == Decimal("1.7")  # 500 of 29,500


def test_a_second_send_keeps_the_first_forecast(tmp_path):
    from boardpack.audit.sqlite import SqliteAuditStore
    from tests.conftest import run_cli

    root = write_workspace(
        tmp_path / "ws", SENT_TOML, {"bank.csv": seasonal_ledger(), "jobs.csv": SENT_JOBS}
    )
    assert run_cli("send", "-w", str(root), "--as-of", "2026-11-15").returncode == 0
    store = SqliteAuditStore(root / ".boardpack" / "audit.sqlite")
    first = store.pack_entries(["2026-10"])
    store.close()
    # a booked job changes the forecast; the period is sent again (nothing new goes out)
    (root / "jobs.csv").write_text(SENT_JOBS + "2026-11-20,Boat,Party,9000.00,0,8\n")
    assert run_cli("send", "-w", str(root), "--as-of", "2026-11-15").returncode == 0
    store = SqliteAuditStore(root / ".boardpack" / "audit.sqlite")
    assert store.pack_entries(["2026-10"]) == first
    store.close()


def test_targets_and_the_roadmap_follow_the_season(tmp_path):
    # a typical month of the seasonal ledger: (5 × 30,000 + 7 × 1,000) / 12 = 13,083.33 revenue
    # and (5 × 18,000 − 7 × 11,000) / 12 = 1,083.33 net income; a goal of that needs no growth
    toml = TOML + (
        '\n[finance]\nrevenue_goal = "13083.33"\nnet_income_goal = "5000.00"\n'
        'goal_month = "2027-10"\n'
    )
    results = build(tmp_path, toml=toml)
    targets = {r["month"]: r["target"] for r in results.tables["finance.revenue_targets"].rows}
    # the goal is October 2027's own revenue, and October is a winter month (1,000 of a typical
    # 13,083.33): to make 13,083.33 in it, a typical month must grow about 13-fold in 12 months;
    # the target for the goal's month is the goal, to the cent
    assert targets["2027-10"] == Decimal("13083.33")
    growth = results.metrics["finance.required_growth"].value
    assert growth > 0
    # each month keeps its season: July (a summer month, 30 times a winter one) is far above
    assert targets["2027-07"] > 20 * targets["2027-01"]
    roadmap = {r["milestone"]: r for r in results.tables["finance.profitability_roadmap"].rows}
    # from a typical 1,083.33 to 5,000 by October 2027 on a straight line, 326.39 a month: 25%
    # (1,250) is passed in the first month, the goal in the goal's month — as the note says
    assert roadmap["25% of the goal"]["by"] == "2026-11"
    assert roadmap["The goal"]["by"] == "2027-10"
    assert "the season taken out" in results.tables["finance.profitability_roadmap"].note


def test_the_demo_faces_a_winter_low_the_trailing_average_does_not_see(demo_pack):
    metrics = demo_pack.results.metrics
    low_day = metrics["finance.cash_low_date"].value
    # the charters' off-season: the low falls in winter, below today's cash
    assert low_day.month in (12, 1, 2, 3, 4)
    assert metrics["finance.cash_low"].value < metrics["finance.cash_balance"].value
    assert metrics["finance.runway_months_trailing"].value is None  # "not burning cash"
    ceo = next(d for d in demo_pack.documents if d.id == "ceo")
    assert "finance.runway_months" in {m.id for m in ceo.headline}
    # the low point is In brief's: "lowest at ... on ...", with their footnotes
    brief = ceo.sections[0].blocks[0].text
    low, on = (ceo.footnote_number(i) for i in ("finance.cash_low", "finance.cash_low_date"))
    with reading(ceo.reading):  # the CEO's: in whole units
        lowest = value_text(metrics["finance.cash_low"].value, "USD")
    assert f"lowest at {lowest} [{low}]" in brief
    assert f"on {low_day} [{on}]" in brief
    said = next(s for s in ceo.sections if s.id == "executive.commentary")
    assert len(said.blocks) == 3


@pytest.mark.parametrize(
    ("forecast_runway", "trailing", "cash", "status", "why"),
    [
        # the forecast runs out inside the warning months: bad, though the trailing burn is fine
        (
            Decimal("3.8"), None, Decimal("40000.00"), "bad",
            "on the forecast, cash runs out in 3.8 months, on 2027-02-25; at the trailing burn,"
            " cash is not falling; above the 3-month reserve of 9,000 USD now, below it at the"
            " forecast's low — bad, the worst of the three",
        ),
        # the forecast lasts, but the trailing burn is short: the trailing figure decides
        (
            None, Decimal("7.3"), Decimal("40000.00"), "warn",
            "on the forecast, cash lasts past 2027-10-31 (lowest 30,000 on 2027-03-28); at the"
            " trailing burn, 7.3 months; above the 3-month reserve of 9,000 USD — warn, the worst"
            " of the three",
        ),
        # both runways are fine, but the cash is below the reserve now
        (
            None, None, Decimal("8000.00"), "bad",
            "on the forecast, cash lasts past 2027-10-31 (lowest 30,000 on 2027-03-28); at the"
            " trailing burn, cash is not falling; below the 3-month reserve of 9,000 USD — bad, the"
            " worst of the three",
        ),
        (
            None, Decimal("20.0"), Decimal("40000.00"), "good",
            "on the forecast, cash lasts past 2027-10-31 (lowest 30,000 on 2027-03-28); at the"
            " trailing burn, 20.0 months; above the 3-month reserve of 9,000 USD — good, the worst"
            " of the three",
        ),
    ],
)  # fmt: skip
def test_one_verdict_on_the_cash_is_the_worst_of_three_and_says_why(
    forecast_runway, trailing, cash, status, why
):
    """The runway's one statement (issue 38, part 3), case by case: the forecast's runway, the
    trailing one (both against 6 warning months: under 6 bad, under 12 warn) and the reserve."""
    from boardpack.analyses.forecast import Outlook, Reserve, one_verdict

    low = Decimal("-4107.25") if forecast_runway else Decimal("30000.00")
    low_day = date(2027, 2, 25) if forecast_runway else date(2027, 3, 28)
    outlook = Outlook(
        forecast_runway, date(2027, 2, 25) if forecast_runway else None, date(2027, 10, 31),
        low, low_day,
    )  # fmt: skip
    reserve = Reserve(Decimal("9000.00"), "3-month reserve of 9,000 USD")
    assert one_verdict(outlook, trailing, Decimal(6), cash, reserve) == (status, why)


def test_a_loan_paid_as_principal_and_interest_on_one_day_is_one_scheduled_payment(tmp_path):
    """The bank takes 1,250 on the 8th: 1,000 of principal and 250 of interest, two rows (as every
    beancount loan payment is). It is one steady payment of 1,250 a month, forecast whole — not
    left out because it is two rows."""
    loan = "".join(
        f"2026-{m:02d}-08,Bank,-1000.00,Liabilities:Loans:Truck\n"
        f"2026-{m:02d}-08,Bank,-250.00,Expenses:Interest\n"
        for m in (7, 8, 9, 10)
    )
    plain_months = build(tmp_path / "a").tables["finance.cash_forecast_months"].rows
    with_loan = build(tmp_path / "b", ledger=seasonal_ledger() + loan)
    months = with_loan.tables["finance.cash_forecast_months"].rows
    for before, after in zip(plain_months, months):
        assert after["payments"] - before["payments"] == Decimal("1250.00"), after["month"]


@pytest.mark.parametrize(
    ("rule", "december", "said"),
    [
        # last December brought 1,000 (the trend is 1: the ledger's two years are alike); the
        # budget hopes for 5,000
        (None, Decimal("1000.00"), "trend"),  # the default: the lower of the two
        ("lower", Decimal("1000.00"), "trend"),
        ("trend", Decimal("1000.00"), "trend"),
        ("budget", Decimal("5000.00"), "budget"),
    ],
)
def test_the_forecast_takes_the_lower_of_the_budget_and_the_trend_and_says_which(
    tmp_path, rule, december, said
):
    toml = TOML + '[sources.budget]\npath = "budget.csv"\n'
    if rule:
        toml += f'[finance.forecast]\nreceipts = "{rule}"\n'
    root = write_workspace(
        tmp_path / "ws",
        toml,
        {
            "bank.csv": seasonal_ledger(),
            "jobs.csv": JOBS,
            "notes/co.md": None,
            "budget.csv": "period,entity,account,amount\n2026-12,sea,Income:Charters,5000.00\n",
        },
    )
    results = build_pack(load_workspace(root, environ={}), AS_OF, generated_at=GENERATED_AT).results
    months = {r["month"]: r for r in results.tables["finance.cash_forecast_months"].rows}
    assert (months["2026-12"]["receipts"], months["2026-12"]["from"]) == (december, said)
    # a month the budget does not cover is the trend's whatever the rule
    assert months["2027-01"]["from"] == "trend"
    assert "[finance.forecast] receipts" in results.tables["finance.cash_forecast_months"].note


def test_an_unknown_forecast_receipts_rule_is_refused(tmp_path):
    from tests.conftest import run_cli

    root = write_workspace(
        tmp_path / "ws",
        TOML + '[finance.forecast]\nreceipts = "optimistic"\n',
        {"bank.csv": seasonal_ledger(), "jobs.csv": JOBS, "notes/co.md": None},
    )
    done = run_cli("check", "-w", str(root), "--as-of", "2026-11-15")
    assert done.returncode == 2
    assert "finance.forecast.receipts: Input should be 'trend', 'budget' or 'lower'" in done.stderr


def test_a_new_loan_is_forecast_from_its_first_payment_until_it_is_repaid(tmp_path):
    """A 60,000 loan lent on 1 September (named as the bank names it: `[accounts]` says it is a
    loan), paid once, on 8 October: 1,000 of principal and 250 of interest. Its service is in every
    month of the forecast year from the first payment — 12 × 1,250 = 15,000 — not left out until it
    has been paid three times. A loan that owes only 2,500 is paid 1,250, 1,250, then the last 500
    with its interest, then nothing."""
    toml = TOML + '[accounts]\n"Liabilities:Harbor Bank" = "loan"\n'

    def loan(lent: str) -> str:
        return (
            f"2026-09-01,Harbor Bank,{lent},Liabilities:Harbor Bank\n"
            "2026-10-08,Harbor Bank,-1000.00,Liabilities:Harbor Bank\n"
            "2026-10-08,Harbor Bank,-250.00,Expenses:Interest\n"
        )

    def payments(results) -> list[Decimal]:
        return [r["payments"] for r in results.tables["finance.cash_forecast_months"].rows]

    plain = payments(build(tmp_path / "a", toml=toml))
    whole = payments(build(tmp_path / "b", ledger=seasonal_ledger() + loan("60000.00"), toml=toml))
    assert [b - a for a, b in zip(plain, whole)] == [Decimal("1250.00")] * 12
    assert sum(whole) - sum(plain) == Decimal("15000.00")
    short = payments(build(tmp_path / "c", ledger=seasonal_ledger() + loan("3500.00"), toml=toml))
    assert [b - a for a, b in zip(plain, short)][:4] == [
        Decimal("1250.00"),
        Decimal("1250.00"),
        Decimal("750.00"),
        Decimal("0.00"),
    ]


def test_a_loan_with_no_payment_yet_is_a_finding_not_a_guess(tmp_path):
    toml = TOML + '[accounts]\n"Liabilities:Harbor Bank" = "loan"\n'
    ledger = seasonal_ledger() + "2026-10-20,Harbor Bank,60000.00,Liabilities:Harbor Bank\n"
    results = build(tmp_path, ledger=ledger, toml=toml)
    (found,) = [f for f in results.findings if "no payment yet" in f.title]
    assert found.title.startswith("Liabilities:Harbor Bank")
    assert found.area == "finance" and "Book the first payment" in found.action
