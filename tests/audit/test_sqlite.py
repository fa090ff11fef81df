import sqlite3

import pytest

from boardpack.audit.keys import DeliveryKey
from boardpack.audit.sqlite import SqliteAuditStore
from boardpack.audit.store import Intent

KEY = DeliveryKey("2026-10", "cfo", "abc123")


def plan(store, run="run-1"):
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
