"""Blast model: 1000 × 0.9 × 0.5 × 0.1 × 0.2 = 9 orders × 100.00 = 900.00; ROI (900 − 50) / 50 = 17.
"""

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from boardpack.config import load_workspace
from boardpack.pipeline import build_pack
from tests.conftest import AS_OF, GENERATED_AT, TOML, write_workspace


def test_blast_revenue_and_roi(pack):
    assert pack.results.metrics["marketing.blast_revenue.customers"].value == Decimal("900.00")
    assert pack.results.metrics["marketing.blast_roi.customers"].value == Decimal("17.00")


def test_a_list_with_no_cost_has_no_roi(tmp_path):
    toml = TOML.replace('cost = "50.00"', 'cost = "0.00"')
    pack = build_pack(
        load_workspace(write_workspace(tmp_path, toml), environ={}),
        AS_OF,
        generated_at=GENERATED_AT,
    )
    assert pack.results.metrics["marketing.blast_roi.customers"].value is None
    assert pack.results.metrics["marketing.blast_revenue.customers"].value == Decimal("900.00")


def test_channel_matrix_marks_active_weak_and_absent(tmp_path):
    channels = (
        "entity,channel,month,impressions,visits,leads,bookings,revenue,spend\n"
        "co,website,2026-10,5000,250,10,2,2400.00,0\n"
        "co,google,2026-10,900,30,3,1,1200.00,150.00\n"
        "co,email,2026-10,0,0,0,0,0,0\n"
        "other,website,2026-10,10,5,0,0,0,0\n"
    )
    toml = TOML.replace(
        "[[sources.ledger]]",
        '[[entities]]\nid = "other"\nname = "Other"\nkind = "other"\n\n[[sources.ledger]]',
    )
    pack = build_pack(
        load_workspace(
            write_workspace(tmp_path, toml, {"marketing/channels.csv": channels}), environ={}
        ),
        AS_OF,
        generated_at=GENERATED_AT,
    )
    matrix = {r["entity"]: r for r in pack.results.tables["marketing.channel_matrix"].rows}
    assert matrix["Small Co"] == {
        "entity": "Small Co",
        "email": "absent",
        "google": "weak",
        "website": "active",
    }
    assert matrix["Other"]["website"] == "weak" and matrix["Other"]["google"] == "absent"
    totals = {r["channel"]: r for r in pack.results.tables["marketing.channels"].rows}
    assert totals["google"]["cost_per_booking"] == Decimal("150.00")
    assert totals["google"]["return_on_spend"] == Decimal("8.00")
    assert totals["email"]["cost_per_booking"] is None  # zero bookings: no division


def test_funnel_rates_carry_wilson_intervals(pack):
    """Website, Aug–Oct pooled: 250 visits, 10 leads, 2 bookings (z = 1.96, z² = 3.8415).

    Visit → lead, p = 10/250 = 0.04, z²/n = 0.015366:
      centre = (0.04 + 0.007683) / 1.015366 = 0.046960
      half   = 1.96 / 1.015366 × √(0.04 × 0.96 / 250 + 3.8415 / (4 × 250²))
             = 1.93033 × 0.0129987 = 0.025092
      → 4.0% (2.2–7.2)
    Lead → booking, p = 2/10 = 0.2, z²/n = 0.38415:
      centre = (0.2 + 0.192073) / 1.38415 = 0.283259; half = 1.41602 × 0.160011 = 0.226577
      → 20.0% (5.7–51.0)
    Next month: 250 / 3 = 83.33 visits × 2/250 = 0.7 bookings; the visit → booking interval for
      2/250 is 0.0022–0.0287, × 83.33 = 0.2–2.4; revenue 0.7 × (2400 / 2) = 840.00.
    """
    rows = {r["channel"]: r for r in pack.results.tables["marketing.funnel"].rows}
    web = rows["website"]
    assert (web["visits"], web["leads"], web["bookings"]) == (250, 10, 2)
    assert web["visit_lead"] == "4.0% (2.2–7.2)"
    assert web["lead_booking"] == "20.0% (5.7–51.0)"
    assert web["projected"] == "0.7 (0.2–2.4)"
    assert web["projected_revenue"] == Decimal("840.00")


def test_wilson_interval_stays_inside_zero_and_one():
    from boardpack.analyses.marketing import wilson

    assert wilson(0, 0) is None
    low, high = wilson(0, 10)  # no successes: 0 to z²/(n + z²) = 3.8415 / 13.8415 = 0.2775
    assert low == 0 and round(high, 4) == 0.2775
    low, high = wilson(10, 10)
    assert round(low, 4) == 0.7225 and round(high, 12) == 1  # all successes: n / (n + z²) to 1


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=1, max_value=5000).flatmap(
        lambda n: st.tuples(st.integers(0, n), st.just(n))
    )
)
def test_wilson_interval_matches_scipy(case):
    """An independent implementation: SciPy's binomtest(...).proportion_ci(method="wilson")."""
    from scipy.stats import binomtest

    from boardpack.analyses.marketing import wilson

    successes, trials = case
    reference = binomtest(successes, trials).proportion_ci(confidence_level=0.95, method="wilson")
    low, high = wilson(successes, trials)
    assert abs(low - reference.low) < 1e-9 and abs(high - reference.high) < 1e-9


CHANNELS_EDGE = (
    "entity,channel,month,impressions,visits,leads,bookings,revenue,spend\n"
    "co,website,2026-10,5000,250,10,2,2400.00,0\n"
    "co,flyers,2026-10,0,0,0,0,0,120.00\n"
)


def test_a_channel_with_zero_visits_has_no_rates_and_projects_nothing(tmp_path):
    pack = build_pack(
        load_workspace(
            write_workspace(tmp_path, TOML, {"marketing/channels.csv": CHANNELS_EDGE}), environ={}
        ),
        AS_OF,
        generated_at=GENERATED_AT,
    )
    flyers = next(
        r for r in pack.results.tables["marketing.funnel"].rows if r["channel"] == "flyers"
    )
    assert (flyers["visit_lead"], flyers["lead_booking"]) == (None, None)
    assert (flyers["projected"], flyers["projected_revenue"]) == ("0.0", Decimal("0.00"))
    # money spent for no booking: a 30-day milestone, and (through the CMO's actions) on the CEO
    # agenda
    milestones = pack.results.tables["marketing.milestones"].rows
    assert any(
        m["milestone"] == "Stop or fix flyers for Small Co"
        and m["why"] == "120.00 USD spent over 3 months for no booking"
        for m in milestones
    )
    assert any(
        a.title == "Stop or fix flyers for Small Co" and a.owner == "cmo"
        for a in pack.results.agenda
    )


PLATFORMS = """
[[marketing.platforms]]
name = "Boatly"
entity = "co"
commission_percent = 15
booking_fee = "10.00"
monthly_fee = "25.00"
setup_hours = 5
monthly_bookings = 3
[[marketing.platforms]]
name = "Listo"
entity = "co"
commission_percent = 20
average_booking_value = "2000.00"
setup_hours = 10
monthly_bookings = 4
[[marketing.platforms]]
name = "Greedy"
entity = "co"
commission_percent = 100
setup_hours = 1
monthly_bookings = 10
[[marketing.platforms]]
name = "Website"
entity = "co"
commission_percent = 0
setup_hours = 1
monthly_bookings = 1
"""


def test_listing_platforms_ranked_by_net_revenue_per_setup_hour(tmp_path):
    """Small Co's revenue per booking over 12 months: (2400 + 1200) / (2 + 1) = 1200.00.

    Boatly: 3 × (1200 × 0.85 − 10) − 25 = 3 × 1010 − 25 = 3005.00 a month; ÷ 5 h = 601.00 per hour
    Listo:  4 × (2000 × 0.80 − 0) − 0 = 6400.00 a month; ÷ 10 h = 640.00 per hour  → first
    Greedy: 100% commission: 10 × 0 = 0.00, a loss of set-up time → unranked
    Website: already live (the website channel has visits this period) → unranked
    """
    toml = TOML.replace("[[kpis]]", PLATFORMS + "\n[[kpis]]", 1)
    pack = build_pack(
        load_workspace(write_workspace(tmp_path, toml), environ={}),
        AS_OF,
        generated_at=GENERATED_AT,
    )
    rows = pack.results.tables["marketing.platforms"].rows
    ranked = [(r["rank"], r["platform"], r["net_monthly"], r["per_hour"]) for r in rows]
    assert ranked[:2] == [
        (1, "Listo", Decimal("6400.00"), Decimal("640.00")),
        (2, "Boatly", Decimal("3005.00"), Decimal("601.00")),
    ]
    assert {r["platform"]: r["rank"] for r in rows[2:]} == {"Greedy": None, "Website": None}
    assert "already live" in next(r["reasoning"] for r in rows if r["platform"] == "Website")
    assert "1,200.00 × (1 − 15%)" in next(r["reasoning"] for r in rows if r["platform"] == "Boatly")
    milestones = {m["milestone"]: m["by"] for m in pack.results.tables["marketing.milestones"].rows}
    assert milestones["List Small Co on Listo"] == date(2026, 12, 15)  # rank 1: 30 days from as-of
    assert milestones["List Small Co on Boatly"] == date(2027, 1, 14)  # rank 2: 60 days
