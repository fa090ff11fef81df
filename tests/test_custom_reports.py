"""Custom reports from any registered section, venture reports by id, and their bad input through
the real CLI."""

import json

import pytest

from boardpack.config import load_workspace
from boardpack.errors import WorkspaceError
from boardpack.pipeline import build_pack
from tests.analyses.test_ventures import FILES
from tests.analyses.test_ventures import TOML as VENTURES
from tests.conftest import AS_OF, GENERATED_AT, TOML, run_cli, write_workspace
from tests.test_cli import assert_user_error

BOARD = """
[reports.board]
title = "Board summary"
sections = ["finance.cash", "rental.income", "executive.kpis"]
[roles.board]
to = ["board@example.com"]
"""


def ventures(tmp_path, extra: str = "", **files):
    return write_workspace(
        tmp_path / "ws", VENTURES.replace("[delivery]", extra + "\n[delivery]"), FILES | files
    )


def test_a_custom_report_has_the_sections_it_lists_in_order(tmp_path):
    ws = ventures(tmp_path, BOARD)
    pack = build_pack(load_workspace(ws, environ={}), AS_OF, generated_at=GENERATED_AT)
    board = next(d for d in pack.documents if d.id == "board")
    assert board.title == "Board summary — Ventures Co"
    assert [s.id for s in board.sections] == [
        "summary",
        "finance.cash",
        "rental.income",
        # no [[kpis]]: the KPI section is left out, and the workspace owner told in the last line
        "workspace",
    ]
    assert board.sections[-1].blocks[0].text.startswith("Not shown: KPIs against targets")
    # the venture section shows the same NOI as the venture's own report
    noi = [m for d in pack.documents for m in d.footnotes if m.id == "rental.noi"]
    assert len(noi) == 2 and noi[0] == noi[1]
    # send order: the five roles, then custom reports, then the venture reports
    assert [d.id for d in pack.documents][5:] == [
        "board",
        "entity-rental",
        "entity-haul",
        "entity-advice",
    ]


def test_a_reports_table_with_a_role_id_replaces_that_role_sections(tmp_path):
    toml = TOML.replace(
        "[delivery]",
        '[reports.cmo]\ntitle = "Marketing"\nsections = ["marketing.funnel"]\n\n[delivery]',
    )
    pack = build_pack(
        load_workspace(write_workspace(tmp_path, toml), environ={}),
        AS_OF,
        generated_at=GENERATED_AT,
    )
    cmo = next(d for d in pack.documents if d.id == "cmo")
    assert [s.id for s in cmo.sections] == ["summary", "marketing.funnel"] and cmo.title.startswith(
        "Marketing — "
    )
    assert [d.id for d in pack.documents].count("cmo") == 1


def test_an_unknown_section_is_an_error_listing_the_known_ones(tmp_path):
    ws = ventures(tmp_path, BOARD.replace('"rental.income"', '"rental.incme"'))
    line = (ws / "boardpack.toml").read_text().splitlines().index(
        'sections = ["finance.cash", "rental.incme", "executive.kpis"]'
    ) + 1
    with pytest.raises(WorkspaceError) as raised:
        build_pack(load_workspace(ws, environ={}), AS_OF)
    message = str(raised.value)
    assert (
        f"boardpack.toml:{line}: reports.board.sections[1]: unknown section 'rental.incme'; "
        "did you mean 'rental.income'?"
        in message
    )
    for known in (
        "executive.summary",
        "marketing.funnel",
        "haul.pipeline",
        "advice.aging",
        "rental.maintenance",
    ):
        assert known in message
    assert_user_error(
        run_cli("check", "-w", str(ws), "--as-of", "2026-11-15"), "unknown section 'rental.incme'"
    )


def test_send_one_venture_report_by_its_id(tmp_path):
    ws = ventures(tmp_path)
    result = run_cli("send", "-w", str(ws), "--as-of", "2026-11-15", "--role", "entity-rental")
    assert result.returncode == 0, result.stderr
    index = [json.loads(line) for line in (ws / "outbox" / "index.jsonl").read_text().splitlines()]
    assert [(e["report"], e["recipients"]) for e in index] == [
        ("entity-rental", ["pm@example.com"])
    ]
    built = run_cli(
        "build",
        "-w",
        str(ws),
        "--as-of",
        "2026-11-15",
        "--out",
        str(tmp_path / "out"),
        "--format",
        "json",
    )
    assert built.returncode == 0, built.stderr
    report = json.loads((tmp_path / "out" / "2026-10" / "entity-haul.json").read_text())
    assert [s["id"] for s in report["sections"]] == [
        "summary",
        "haul.decisions",
        "haul.fleet",
        "haul.jobs",
        "haul.pipeline",
        "haul.reconciliation",
        "haul.customers",
        "haul.plan",
        "haul.findings",
    ]
    fleet = next(s["blocks"] for s in report["sections"] if s["id"] == "haul.fleet")
    utilization = next(
        i
        for b in fleet
        if b["type"] == "metrics"
        for i in b["items"]
        if i["id"] == "haul.utilization"
    )
    assert utilization["value"] == "4.5" and utilization["unit"] == "%"


@pytest.mark.parametrize(
    ("files", "fragment"),
    [
        (
            {
                "rental/units.csv": (
                    "unit,tenant,lease_start,lease_end,monthly_rent,deposit\nA,Ann,2026-06-01,2026-01-01,9,0\n"
                )
            },
            "rental/units.csv:2: the lease ends (2026-01-01) before it starts (2026-06-01)",
        ),
        (
            {
                "haul/jobs.csv": (
                    "date,vehicle,customer,revenue,direct_cost,hours\n2026-10-01,Van,Acme,1,0,1\n"
                )
            },
            "haul/jobs.csv:2: vehicle 'Van' is not in the fleet",
        ),
        (
            {"advice/timesheets.csv": "client,date,hours,rate\nElm,2026-10-01,1,100\n"},
            "advice/timesheets.csv:2: client 'Elm' is not one of the practice's clients",
        ),
    ],
)
def test_bad_venture_rows_stop_the_send(tmp_path, files, fragment):
    ws = ventures(tmp_path, **files)
    assert_user_error(run_cli("send", "-w", str(ws), "--as-of", "2026-11-15"), fragment)
    assert not (ws / "outbox").exists()


def test_a_budget_per_report_and_check_warns_of_a_first_section_longer_than_it(tmp_path):
    """[reports.<id>] screens: the CEO's 3 by default, the other roles' 6, a report of the
    workspace's own 3, a venture's 4; a report whose first section alone is longer than its budget
    is sent with that section whole, and `check` says so."""
    extra = '[reports.board]\ntitle = "Board"\nsections = ["executive.kpis"]\n'
    root = write_workspace(tmp_path / "plain", TOML + extra)
    pack = build_pack(load_workspace(root, environ={}), AS_OF, generated_at=GENERATED_AT)
    budgets = {d.id: d.screens for d in pack.documents}
    assert budgets == {"ceo": 3, "cfo": 6, "accounting": 6, "cto": 6, "cmo": 6, "board": 3}
    venture = build_pack(load_workspace(ventures(tmp_path), environ={}), AS_OF).documents
    assert {d.screens for d in venture if d.id.startswith("entity-")} == {4}
    long_first = '[reports.cfo]\nscreens = 1\nsections = ["finance.forecast", "finance.cash"]\n'
    root = write_workspace(tmp_path / "long", TOML + long_first)
    done = run_cli("check", "-w", str(root), "--as-of", AS_OF.isoformat())
    assert done.returncode == 0, done.stderr
    assert (
        "warning: the cfo report's first section, Cash forecast, is longer than its 1 phone"
        " screen on its own: its email sends it whole; give [reports.cfo] screens a larger"
        " number, or put a shorter section first"
    ) in " ".join(done.stderr.split())
