"""Blast model: 1000 × 0.9 × 0.5 × 0.1 × 0.2 = 9 orders × 100.00 = 900.00; ROI (900 − 50) / 50 = 17."""

from decimal import Decimal

from boardpack.config import load_workspace
from boardpack.pipeline import build_pack
from tests.conftest import AS_OF, GENERATED_AT, TOML, write_workspace


def test_blast_revenue_and_roi(pack):
    assert pack.results.metrics["marketing.blast_revenue.customers"].value == Decimal("900.00")
    assert pack.results.metrics["marketing.blast_roi.customers"].value == Decimal("17.00")


def test_a_list_with_no_cost_has_no_roi(tmp_path):
    toml = TOML.replace('cost = "50.00"', 'cost = "0.00"')
    pack = build_pack(load_workspace(write_workspace(tmp_path, toml), environ={}), AS_OF, generated_at=GENERATED_AT)
    assert pack.results.metrics["marketing.blast_roi.customers"].value is None
    assert pack.results.metrics["marketing.blast_revenue.customers"].value == Decimal("900.00")


def test_channel_matrix_marks_active_weak_and_absent(tmp_path):
    channels = ("entity,channel,month,impressions,visits,leads,bookings,revenue,spend\n"
                "co,website,2026-10,5000,250,10,2,2400.00,0\n"
                "co,google,2026-10,900,30,3,1,1200.00,150.00\n"
                "co,email,2026-10,0,0,0,0,0,0\n"
                "other,website,2026-10,10,5,0,0,0,0\n")
    toml = TOML.replace('[[sources.ledger]]', '[[entities]]\nid = "other"\nname = "Other"\nkind = "other"\n\n[[sources.ledger]]')
    pack = build_pack(load_workspace(write_workspace(tmp_path, toml, {"marketing/channels.csv": channels}), environ={}),
                      AS_OF, generated_at=GENERATED_AT)
    matrix = {r["entity"]: r for r in pack.results.tables["marketing.channel_matrix"].rows}
    assert matrix["Small Co"] == {"entity": "Small Co", "email": "absent", "google": "weak", "website": "active"}
    assert matrix["Other"]["website"] == "weak" and matrix["Other"]["google"] == "absent"
    totals = {r["channel"]: r for r in pack.results.tables["marketing.channels"].rows}
    assert totals["google"]["cost_per_booking"] == Decimal("150.00")
    assert totals["google"]["return_on_spend"] == Decimal("8.00")
    assert totals["email"]["cost_per_booking"] is None  # zero bookings: no division
