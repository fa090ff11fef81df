from datetime import date
from decimal import Decimal

from boardpack.analyses.executive import names


def test_kpis_from_metrics_from_notes_and_with_no_data(pack):
    rows = {r["kpi"]: r for r in pack.results.tables["executive.kpis"].rows}
    assert rows["Customers"]["value"] == Decimal("12") and rows["Customers"]["status"] == "good"
    assert rows["Customers"]["source"] == "notes/co.md"
    assert rows["Revenue"]["value"] == Decimal("1200.00") and rows["Revenue"]["status"] == "bad"
    assert rows["NPS"]["value"] is None and rows["NPS"]["status"] == "no data"
    assert any(f.title == "KPI 'NPS' has no data" for f in pack.results.findings)


def test_shortfalls_gather_every_analysis_ranked_by_severity(pack):
    ranked = pack.results.ranked_findings()
    areas = {f.area for f in ranked}
    assert {"finance", "accounting", "operations"} <= areas
    severities = [f.severity for f in ranked]
    order = ["critical", "high", "medium", "low", "info"]
    assert severities == sorted(severities, key=order.index)


def test_agenda_puts_overdue_first_and_keeps_thirty_days(pack):
    agenda = pack.results.agenda
    keys = [(a.due >= date(2026, 11, 15), a.priority, a.due) for a in agenda]
    assert keys == sorted(keys)  # overdue first, then priority, then due date
    lease = next(a for a in agenda if a.title == "Renegotiate the lease")
    assert (
        lease.owner == "cfo"
        and lease.due == date(2026, 11, 20)
        and lease.source == "notes/co.md:16"
    )
    titles = [a.title for a in agenda]
    assert "Rotate the API keys" not in titles  # due 30 Dec: beyond 30 days
    assert "Done already" not in titles
    unowned = next(a for a in agenda if a.title == "Unowned item")
    assert unowned.owner == "ceo" and unowned.due == date(2026, 12, 15)
    assert all(a.due <= date(2026, 12, 15) for a in agenda)


def test_an_overdue_to_do_leads_the_to_dos_of_its_rank(tmp_path):
    from boardpack.config import load_workspace
    from boardpack.pipeline import build_pack
    from tests.conftest import GENERATED_AT, NOTE, write_workspace

    note = NOTE.replace("(due 2026-11-20)", "(due 2026-11-01)")
    pack = build_pack(
        load_workspace(write_workspace(tmp_path, files={"notes/co.md": note}), environ={}),
        date(2026, 11, 15),
        generated_at=GENERATED_AT,
    )
    # severity first (the high findings' actions), then the due date: the overdue lease first
    (first,) = [a for a in pack.results.agenda if a.priority == 3][:1]
    assert (first.title, first.due) == ("Renegotiate the lease", date(2026, 11, 1))
    before = pack.results.agenda[: pack.results.agenda.index(first)]
    assert before and {a.priority for a in before} <= {1, 2}


def test_asset_inventory_lists_domains_with_only_their_own_findings(pack):
    rows = {r["asset"]: r for r in pack.results.tables["executive.assets"].rows}
    domain = rows["smallco.example.com"]
    assert {"entity": "Small Co", "kind": "domain", "note": ""}.items() <= domain.items()
    assert (domain["open_findings"], domain["worst"]) == (0, "—")


def test_assets_with_findings_come_first(demo_pack):
    rows = demo_pack.results.tables["executive.assets"].rows
    counts = [r["open_findings"] > 0 for r in rows]
    assert counts == sorted(counts, reverse=True) and counts[0]
    assert "note" not in [c.id for c in demo_pack.results.tables["executive.assets"].columns]


def test_each_asset_counts_the_findings_about_it(demo_pack):
    """The spare truck had no jobs: its row carries that finding; a truck with jobs carries none
    of it."""
    rows = {r["asset"]: r for r in demo_pack.results.tables["executive.assets"].rows}
    idle = [f for f in demo_pack.results.findings if "Truck 3 had no jobs" in f.title]
    assert idle and rows["Truck 3"]["open_findings"] >= 1
    assert rows["Truck 3"]["worst"] == idle[0].severity
    assert rows["Truck 1"]["open_findings"] == sum(
        "Truck 1" in f.title for f in demo_pack.results.findings if f.severity != "info"
    )


def test_an_asset_is_named_as_a_whole_phrase():
    assert names("Truck 3 had no jobs", "Truck 3")
    assert not names("Truck 31 had no jobs", "Truck 3")
    assert names("Repairs at 14 Maple St.", "14 Maple St")
