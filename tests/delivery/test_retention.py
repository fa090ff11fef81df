"""Retention (issue 25, part 8): `boardpack prune` removes what `[retention]` no longer keeps —
old PDFs, dry runs and built reports by the period they are for, the audit trail's old history
rows — says what it removed, and touches nothing within the window, nor any delivery record."""

from __future__ import annotations

import json
from datetime import date

from boardpack.config import load_workspace
from boardpack.delivery.retention import prune
from boardpack.period import add_months
from boardpack.pipeline import audit_store
from tests.conftest import TOML, run_cli, write_workspace

RETENTION = "\n[retention]\npdfs = 12\ndry_runs = 3\npreviews = 3\ntransitions = 3\n"
AS_OF = ("--as-of", "2026-11-15")


def touch(path, text="x"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def label(months_back: int) -> str:
    """The month `months_back` before this one (the audit trail stamps rows with the real clock,
    so the test counts from it)."""
    return add_months(date.today(), -months_back).strftime("%Y-%m")


def test_prune_removes_only_what_the_retention_no_longer_keeps(tmp_path):
    root = write_workspace(tmp_path / "ws", TOML + RETENTION)
    assert run_cli("send", "-w", str(root), *AS_OF).returncode == 0
    state = root / ".boardpack"
    touch(state / "archive" / label(13) / "run-a" / "ceo.pdf")  # ended more than 12 months ago
    touch(state / "archive" / label(12) / "run-b" / "ceo.pdf")  # ended within them
    touch(state / "dry-run" / label(4) / "ceo.eml")
    touch(state / "dry-run" / label(4) / "cfo.eml")
    touch(state / "dry-run" / label(2) / "ceo.eml")
    touch(root / "reports" / label(4) / "ceo.html")
    touch(root / "reports" / "drafts" / "mine.html")  # not a period's folder: never touched
    ws = load_workspace(root, environ={})
    store = audit_store(ws)
    try:
        said = prune(ws, store, date.today())
        assert said == [
            f"archive/{label(13)}/ (1 file; pdfs = 12)",
            f"dry-run/{label(4)}/ (2 files; dry_runs = 3)",
            f"reports/{label(4)}/ (1 file; previews = 3)",
        ]  # the send's history rows are from today: kept
        kept = [
            state / "archive" / label(12),
            state / "dry-run" / label(2),
            root / "reports/drafts",
        ]
        assert [k for k in kept if not k.is_dir()] == []
        assert store.transitions(store.deliveries("2026-10")[0].key)
        # four months on, the history rows of that send go too; the deliveries stay
        later = prune(ws, store, add_months(date.today(), 4))
        cutoff = add_months(date.today(), 1)
        assert later[-1].endswith(f"audit history rows before {cutoff} (transitions = 3)")
        assert {d.state for d in store.deliveries("2026-10")} == {"sent"}
        assert store.transitions(store.deliveries("2026-10")[0].key) == []
    finally:
        store.close()
    again = run_cli("send", "-w", str(root), *AS_OF)
    assert "already sent" in again.stdout  # what was sent is still known: never twice


def test_prune_on_the_command_line(tmp_path):
    plain = write_workspace(tmp_path / "plain")
    said = run_cli("prune", "-w", str(plain))
    assert said.returncode == 0 and "No [retention] in boardpack.toml" in said.stdout
    root = write_workspace(tmp_path / "ws", TOML + RETENTION)
    touch(root / ".boardpack" / "dry-run" / "2020-01" / "ceo.eml")
    done = run_cli("prune", "-w", str(root))
    assert (
        done.returncode == 0 and "removed dry-run/2020-01/ (1 file; dry_runs = 3)" in done.stdout
    )
    runs = json.loads(run_cli("runs", "-w", str(root), "--json").stdout)
    assert runs["deliveries"] == []


def test_a_retention_of_zero_months_is_named(tmp_path):
    root = write_workspace(tmp_path / "ws", TOML + RETENTION.replace("pdfs = 12", "pdfs = 0"))
    done = run_cli("prune", "-w", str(root))
    assert done.returncode == 2 and "retention.pdfs" in done.stderr
