import sqlite3

import pytest

from boardpack.audit.keys import DeliveryKey
from boardpack.audit.sqlite import SqliteAuditStore
from boardpack.audit.store import Intent

KEY = DeliveryKey("2026-10", "cfo", "abc123")


def plan(store, run="run-1", hold=""):
    (state,) = store.plan(
        [
            Intent(
                key=KEY,
                recipients=("cfo@example.com", "audit@example.com"),
                subject="Subject",
                message_id="<id@example.com>",
                content_hash="hash",
            )
        ],
        run,
        hold,
    )
    return state


def test_wal_and_full_sync(tmp_path):
    store = SqliteAuditStore(tmp_path / "audit.sqlite")
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_state_machine_with_a_row_per_transition(tmp_path):
    store = SqliteAuditStore(tmp_path / "audit.sqlite")
    assert plan(store) == "planned"
    assert plan(store) == "planned"  # intent is recorded once
    assert store.claim(KEY, "run-1", "host:1")
    store.record(KEY, "sent", "run-1", transport_id="outbox/x.eml")
    assert plan(store, "run-2") == "sent"
    assert [(t.from_state, t.to_state) for t in store.transitions(KEY)] == [
        (None, "planned"),
        ("planned", "sending"),
        ("sending", "sent"),
    ]
    (record,) = store.deliveries("2026-10")
    assert (
        record.state == "sent"
        and record.attempts == 1
        and record.recipients == ("cfo@example.com", "audit@example.com")
    )


def test_only_one_claim_wins_across_connections(tmp_path):
    first, second = SqliteAuditStore(tmp_path / "a.sqlite"), SqliteAuditStore(tmp_path / "a.sqlite")
    plan(first)
    assert first.claim(KEY, "run-1", "host:1") is True
    assert second.claim(KEY, "run-2", "host:2") is False


def test_failed_can_be_claimed_again_but_sent_and_unknown_cannot(tmp_path):
    store = SqliteAuditStore(tmp_path / "audit.sqlite")
    plan(store)
    store.claim(KEY, "r", "h:1")
    store.record(KEY, "failed", "r", "550 rejected")
    assert store.claim(KEY, "r2", "h:1")
    store.record(KEY, "unknown", "r2", "timeout after DATA")
    assert not store.claim(KEY, "r3", "h:1")


def test_state_is_constrained_in_the_schema(tmp_path):
    store = SqliteAuditStore(tmp_path / "audit.sqlite")
    plan(store)
    with pytest.raises(sqlite3.IntegrityError):
        store.db.execute("UPDATE deliveries SET state = 'delivered'")


def test_a_store_made_before_approval_is_rebuilt_with_every_state_and_keeps_its_history(tmp_path):
    path = tmp_path / "audit.sqlite"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE deliveries (key TEXT PRIMARY KEY, period TEXT NOT NULL, report TEXT NOT NULL,"
        " recipients TEXT NOT NULL, subject TEXT NOT NULL, message_id TEXT NOT NULL,"
        " content_hash TEXT NOT NULL, state TEXT NOT NULL CHECK (state IN ('planned', 'sending',"
        " 'sent', 'failed', 'unknown')), attempts INTEGER NOT NULL DEFAULT 0,"
        " updated_at TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '',"
        " transport_id TEXT NOT NULL DEFAULT '', owner TEXT NOT NULL DEFAULT '');"
        "CREATE TABLE transitions (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL"
        " REFERENCES deliveries (key), from_state TEXT, to_state TEXT NOT NULL, at TEXT NOT NULL,"
        " run_id TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '');"
        "INSERT INTO deliveries VALUES ('2026-09/cfo/x', '2026-09', 'cfo', 'a@example.com', 'S',"
        " '<m@x>', 'h', 'sent', 1, '2026-10-01', '', 'outbox/x.eml', 'h:1');"
        "INSERT INTO transitions (key, to_state, at, run_id) VALUES ('2026-09/cfo/x', 'planned',"
        " '2026-10-01', 'r0');"
    )
    old.close()
    store = SqliteAuditStore(path)
    assert plan(store, hold="held for approval") == "held"
    (september,) = store.deliveries("2026-09")
    assert (september.state, september.transport_id) == ("sent", "outbox/x.eml")
    assert [t.to_state for t in store.transitions(DeliveryKey.parse("2026-09/cfo/x"))] == [
        "planned"
    ]
    assert store.db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert {r[1] for r in store.db.execute("PRAGMA index_list(deliveries)")} >= {
        "deliveries_period",
        "deliveries_transport_id",
    }
