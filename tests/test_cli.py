"""The command line as users' scripts see it: a subprocess, its output and its exit status."""

import email
import json
import shutil
from datetime import date, timedelta
from email import policy

import pytest

from tests.conftest import LEDGER, TOML, run_cli, write_workspace

ROLES = {"ceo", "cfo", "accounting", "cto", "cmo"}


@pytest.fixture(scope="module")
def demo(demo_sent, tmp_path_factory):
    """The demo as first run, and a copy of it run again."""
    first_root, first = demo_sent
    root = tmp_path_factory.mktemp("demo") / "harbor"
    shutil.copytree(first_root, root, symlinks=True)
    second = run_cli("demo", str(root), "--as-of", "2026-11-22")
    return root, first, second


DEMO_REPORTS = ROLES | {
    "board",
    "entity-charters",
    "entity-rental",
    "entity-hauling",
    "entity-consulting",
}


def test_demo_sends_every_report_to_the_outbox(demo):
    """The five roles, the custom board report and a report for each venture with its own operating
    model."""
    root, first, _ = demo
    assert first.returncode == 0, first.stderr
    assert "2026-10: 10 sent" in first.stdout
    index = [
        json.loads(line) for line in (root / "outbox" / "index.jsonl").read_text().splitlines()
    ]
    assert {e["report"] for e in index} == DEMO_REPORTS
    for entry in index:
        assert "audit@example.com" in entry["recipients"]
        message = email.message_from_bytes(
            (root / "outbox" / entry["file"]).read_bytes(), policy=policy.default
        )
        # the text, and the HTML with the logo it shows by cid: (related to it, not an attachment);
        # each demo report is longer than its email's budget: the full report travels with it
        assert [p.get_content_type() for p in message.walk()] == [
            "multipart/mixed",
            "multipart/alternative",
            "text/plain",
            "multipart/related",
            "text/html",
            "image/png",
            "text/html",
        ]
        full = f"{entry['report']}-2026-10.html"
        assert [a.get_filename() for a in message.iter_attachments()] == [full]
        html = message.get_body(("html",)).get_content()
        assert 'src="cid:logo@boardpack"' in html and f"Attached as {full}" in html
        assert (
            "Bcc" not in message and message["Message-ID"].strip() == entry["message_id"]
        )  # a long id folds
    assert {p.stem for p in (root / "reports" / "2026-10").glob("*.html")} == DEMO_REPORTS


def test_a_second_demo_run_sends_nothing(demo):
    root, _, second = demo
    assert second.returncode == 0, second.stderr
    assert "10 already sent" in second.stdout
    assert len((root / "outbox" / "index.jsonl").read_text().splitlines()) == 10


def test_the_demo_ledger_is_realistic(demo):
    root, _, _ = demo
    harbor = (root / "ledger" / "harbor-bank.csv").read_text(encoding="utf-8-sig").splitlines()
    coastal = (root / "ledger" / "coastal-cu.csv").read_bytes().decode("cp1252").splitlines()
    assert harbor[0].startswith("Date,") and coastal[0].startswith("Posted Date,")
    months = {line[:7] for line in harbor[1:]}
    assert len(months) >= 24
    assert any("DEPOSIT charter" in line for line in harbor)  # deposits for future charters
    rows = [line.split(",") for line in harbor[1:]]
    paid = sorted(date.fromisoformat(r[0]) for r in rows if r[2] == "Pacific Marine Insurance")
    assert any(
        later - earlier == timedelta(days=1) for earlier, later in zip(paid, paid[1:])
    )  # paid twice
    report = json.loads((root / "reports" / "2026-10" / "accounting.json").read_text())
    uncategorized = next(
        i
        for s in report["sections"]
        for b in s["blocks"]
        if b["type"] == "metrics"
        for i in b["items"]
        if i["id"] == "accounting.uncategorized_count"
    )
    assert uncategorized["value"] >= 1


def test_runs_json_shows_every_delivery_sent(demo):
    root, _, _ = demo
    result = run_cli("runs", "-w", str(root), "--json")
    data = json.loads(result.stdout)
    assert {d["report"] for d in data["deliveries"]} == DEMO_REPORTS
    assert {d["state"] for d in data["deliveries"]} == {"sent"}
    assert [r["status"] for r in data["runs"]] == ["ok", "ok"]


def test_dry_run_writes_what_would_be_sent_and_sends_nothing(tmp_path):
    ws = write_workspace(tmp_path / "ws")
    result = run_cli("send", "-w", str(ws), "--as-of", "2026-11-15", "--dry-run")
    assert result.returncode == 0, result.stderr
    preview = ws / ".boardpack" / "dry-run" / "2026-10"
    assert sorted(p.name for p in preview.glob("*.eml")) == ["ceo.eml", "cfo.eml"]
    envelopes = json.loads((preview / "envelopes.json").read_text())
    assert {tuple(e["recipients"]) for e in envelopes} == {
        ("owner@example.com", "audit@example.com"),
        ("cfo@example.com", "owner@example.com", "audit@example.com"),
    }
    assert not (ws / "outbox").exists()
    runs = json.loads(run_cli("runs", "-w", str(ws), "--json").stdout)
    assert runs == {"runs": [], "deliveries": [], "suppressions": [], "fires": []}
    assert "accounting   not sent: no recipients" in result.stdout


def test_build_writes_each_report_in_each_format(tmp_path):
    ws = write_workspace(tmp_path / "ws")
    result = run_cli(
        "build",
        "-w",
        str(ws),
        "--as-of",
        "2026-11-15",
        "--out",
        str(tmp_path / "out"),
        "--format",
        "json,md",
        "--role",
        "cfo",
        "--role",
        "ceo",
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "out" / "2026-10").iterdir()) == [
        "ceo.json",
        "ceo.md",
        "cfo.json",
        "cfo.md",
    ]


def test_workspace_from_the_environment(tmp_path):
    ws = write_workspace(tmp_path / "ws")
    result = run_cli("check", "--as-of", "2026-11-15", env={"BOARDPACK_WORKSPACE": str(ws)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "cfo          → cfo@example.com, owner@example.com, audit@example.com" in result.stdout


def test_init_scaffolds_a_workspace_that_checks(tmp_path):
    assert run_cli("init", str(tmp_path / "new")).returncode == 0
    checked = run_cli("check", "-w", str(tmp_path / "new"))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "missing" in checked.stdout  # no sources yet, and it says so
    again = run_cli("init", str(tmp_path / "new"))
    assert again.returncode == 2 and "already exists" in again.stderr


def assert_user_error(result, *fragments):
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


BAD_INPUTS = {
    "misspelled key": (
        TOML.replace('currency = "USD"', 'curency = "USD"'),
        {},
        ["boardpack.toml:3: organization.curency: unknown key; did you mean 'currency'?"],
    ),
    "missing ledger file": (
        TOML.replace("ledger/bank.csv", "ledger/nowhere.csv"),
        {},
        ["matches no file"],
    ),
    "bad date": (
        TOML,
        {"ledger/bank.csv": "Date,Payee,Memo,Amount,Account\n31/10/2026,A,b,1.00,Income:Sales\n"},
        ['ledger/bank.csv:2: date "31/10/2026" does not match date_format %Y-%m-%d'],
    ),
    "bad amount": (
        TOML,
        {"ledger/bank.csv": "Date,Payee,Memo,Amount,Account\n2026-10-01,A,b,12.3O,Income:Sales\n"},
        ['ledger/bank.csv:2: amount "12.3O" is not a number'],
    ),
    "empty ledger": (
        TOML,
        {"ledger/bank.csv": "Date,Payee,Memo,Amount,Account\n"},
        ["the ledger is empty"],
    ),
    "invalid recipient": (
        TOML.replace("cfo@example.com", "cfo-at-example.com"),
        {},
        ["boardpack.toml:75: roles.cfo.to[0]: 'cfo-at-example.com' is not one email address"],
    ),
    "role with no recipients": (
        TOML.replace('to = ["cfo@example.com"]', "to = []"),
        {},
        ["roles.cfo: this role has no recipients"],
    ),
    "CR/LF in the organization name": (
        TOML.replace('name = "Small Co"', 'name = "Small Co\\r\\nBcc: x@example.com"', 1),
        {},
        ["subject: contains a line break"],
    ),
    "CR/LF in a display name": (
        TOML.replace(
            '"Owner <owner@example.com>"', '"Owner\\nBcc: x@example.com <owner@example.com>"'
        ),
        {},
        ["roles.ceo.to[0]:", "contains control characters (U+000A)"],
    ),
    "two currencies, no rate": (
        TOML.replace('memo = "Memo"', 'memo = "Memo"\ncurrency = "Cur"'),
        {
            "ledger/bank.csv": (
                "Date,Payee,Memo,Amount,Account,Cur\n2026-10-01,A,b,1.00,Income:Sales,EUR\n"
            )
        },
        ["currency EUR differs from the organization currency USD"],
    ),
    "no sender": (
        TOML.replace('from = "Small Co Reports <reports@example.com>"', ""),
        {},
        ["delivery.from is not set"],
    ),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_is_a_clear_error_and_sends_nothing(tmp_path, case):
    toml, files, fragments = BAD_INPUTS[case]
    ws = write_workspace(tmp_path / "ws", toml, files)
    assert_user_error(run_cli("send", "-w", str(ws), "--as-of", "2026-11-15"), *fragments)
    assert not (ws / "outbox").exists()


def test_no_workspace_found(tmp_path):
    assert_user_error(run_cli("send", cwd=tmp_path), "no workspace found", "boardpack init")


def test_unknown_role_and_role_without_recipients(tmp_path):
    ws = write_workspace(tmp_path / "ws")
    assert_user_error(run_cli("send", "-w", str(ws), "--role", "cxo"), "unknown role 'cxo'")
    assert_user_error(
        run_cli("send", "-w", str(ws), "--as-of", "2026-11-15", "--role", "accounting"),
        "the accounting report has no recipients",
    )


def test_bad_as_of_and_format(tmp_path):
    ws = write_workspace(tmp_path / "ws")
    assert_user_error(
        run_cli("build", "-w", str(ws), "--as-of", "15/11/2026"),
        "--as-of '15/11/2026' is not a date",
    )
    assert_user_error(run_cli("build", "-w", str(ws), "--format", "pdf"), "--format 'pdf'")


def test_a_broken_outbox_is_a_failed_delivery_with_exit_1(tmp_path):
    ws = write_workspace(tmp_path / "ws")
    (ws / "outbox").write_text("a file where the outbox folder should be")
    result = run_cli("send", "-w", str(ws), "--as-of", "2026-11-15")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "failed" in result.stdout and "cannot write to the outbox" in result.stdout
    states = {
        d["state"]
        for d in json.loads(run_cli("runs", "-w", str(ws), "--json").stdout)["deliveries"]
    }
    assert states == {"failed"}


def test_check_online_with_the_outbox_needs_no_network(tmp_path):
    ws = write_workspace(tmp_path / "ws")
    result = run_cli("check", "-w", str(ws), "--as-of", "2026-11-15", "--online")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"ok       outbox: writes to {ws / 'outbox'} (no network needed)" in result.stdout


def test_check_warns_when_most_ledger_rows_have_no_account(tmp_path):
    """A new workspace whose export has no categories reads revenue 0.00: check says why."""
    header, *rows = LEDGER.splitlines()
    bare = "\n".join([header, *(",".join(r.split(",")[:4]) + "," for r in rows)])  # no accounts
    ws = write_workspace(tmp_path / "ws", files={"ledger/bank.csv": bare + "\n"})
    result = run_cli("check", "-w", str(ws), "--as-of", "2026-11-15")
    assert result.returncode == 0, result.stderr
    assert "warning: 13 of the ledger's 13 rows have no account" in result.stderr
    assert "OK, with 1 warning (see above)" in result.stdout
    categorized = run_cli(
        "check", "-w", str(write_workspace(tmp_path / "ok")), "--as-of", "2026-11-15"
    )
    assert "warning:" not in categorized.stderr and categorized.stdout.rstrip().endswith("OK")


def test_help_shows_no_type_on_a_flag():
    for command in (("send",), ("build",), ("runs",), ("schedule", "run")):
        result = run_cli(*command, "--help", env={"COLUMNS": "100"})
        assert result.returncode == 0 and "<bool>" not in result.stdout, command
        assert "--dry-run" in run_cli("send", "--help").stdout


def test_runs_fit_100_columns_and_keep_whole_run_ids(demo_sent):
    root, _ = demo_sent
    shown = run_cli("runs", "-w", str(root), env={"COLUMNS": "100"}).stdout
    assert max(len(line) for line in shown.splitlines()) <= 100
    from boardpack.audit.sqlite import SqliteAuditStore

    store = SqliteAuditStore(root / ".boardpack" / "audit.sqlite")
    (run,) = store.runs()
    store.close()
    assert run.id in shown  # never cut with an ellipsis
