"""The SQLite audit store: a file in the workspace, WAL journal, synchronous=FULL."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from boardpack.audit.keys import DeliveryKey
from boardpack.audit.store import (
    CLAIMABLE,
    STATES,
    DeliveryEvent,
    DeliveryRecord,
    EventOutcome,
    FireRecord,
    Intent,
    RunRecord,
    State,
    Suppression,
    Transition,
    now,
    packed,
    settle_orphaned_runs,
    this_owner,
    to_suppress,
    unpacked,
)
from boardpack.model import PackEntry

DELIVERIES = f"""(
    key TEXT PRIMARY KEY, period TEXT NOT NULL, report TEXT NOT NULL, recipients TEXT NOT NULL,
    subject TEXT NOT NULL, message_id TEXT NOT NULL, content_hash TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ({", ".join(f"'{s}'" for s in STATES)})),
    attempts INTEGER NOT NULL DEFAULT 0, updated_at TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '',
    transport_id TEXT NOT NULL DEFAULT '', owner TEXT NOT NULL DEFAULT ''
)"""
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY, command TEXT NOT NULL, period TEXT NOT NULL,
    started_at TEXT NOT NULL, finished_at TEXT, status TEXT NOT NULL DEFAULT 'running',
    summary TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS deliveries {DELIVERIES};
CREATE INDEX IF NOT EXISTS deliveries_period ON deliveries (period);
CREATE TABLE IF NOT EXISTS transitions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL REFERENCES deliveries (key),
    from_state TEXT, to_state TEXT NOT NULL, at TEXT NOT NULL, run_id TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS transitions_key ON transitions (key);
CREATE INDEX IF NOT EXISTS deliveries_transport_id ON deliveries (transport_id);
CREATE TABLE IF NOT EXISTS events (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, transport_id TEXT NOT NULL, recipients TEXT NOT NULL,
    at TEXT NOT NULL, permanent INTEGER NOT NULL, detail TEXT NOT NULL DEFAULT '', key TEXT
);
CREATE TABLE IF NOT EXISTS fires (
    slot TEXT PRIMARY KEY, owner TEXT NOT NULL, run_id TEXT NOT NULL, started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL DEFAULT 'running', detail TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS packs (
    made_in TEXT PRIMARY KEY, entries TEXT NOT NULL, recorded_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS watches (
    rule TEXT PRIMARY KEY, state TEXT NOT NULL, version INTEGER NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS suppressions (
    address TEXT PRIMARY KEY, reason TEXT NOT NULL, at TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
"""


class SqliteAuditStore:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        # autocommit mode: every write below opens its own BEGIN IMMEDIATE transaction
        self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
        self.db.row_factory = sqlite3.Row  # rows by column name: records are built by keyword
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = FULL")
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.executescript(SCHEMA)
        self.allow_every_state()
        runs = {row[1] for row in self.db.execute("PRAGMA table_info(runs)")}
        for column in ("alert", "owner"):  # a store made before they were kept
            if column not in runs:
                self.db.execute(f"ALTER TABLE runs ADD COLUMN {column} TEXT NOT NULL DEFAULT ''")
        if "protected" not in {r[1] for r in self.db.execute("PRAGMA table_info(deliveries)")}:
            self.db.execute("ALTER TABLE deliveries ADD COLUMN protected TEXT NOT NULL DEFAULT ''")

    def allow_every_state(self) -> None:
        """A store made before `held` and `rejected` existed: its deliveries table rebuilt with
        today's states (SQLite cannot change a CHECK in place), rows and history kept."""
        (made,) = self.db.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'deliveries'"
        ).fetchone()
        if "'held'" in made:
            return
        self.db.execute("PRAGMA foreign_keys = OFF")  # transitions refer to the table rebuilt
        try:
            with self.transaction() as db:
                db.execute(f"CREATE TABLE deliveries_new {DELIVERIES}")
                db.execute("INSERT INTO deliveries_new SELECT * FROM deliveries")
                db.execute("DROP TABLE deliveries")
                db.execute("ALTER TABLE deliveries_new RENAME TO deliveries")
                db.execute("CREATE INDEX deliveries_period ON deliveries (period)")
                db.execute("CREATE INDEX deliveries_transport_id ON deliveries (transport_id)")
        finally:
            self.db.execute("PRAGMA foreign_keys = ON")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE takes the write lock up front, so a read-then-write is atomic across
        processes."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def start_run(self, run_id: str, command: str, period: str) -> None:
        settle_orphaned_runs(self)  # a run a killed process left `running` is closed first
        with self.transaction() as db:
            db.execute(
                "INSERT INTO runs (id, command, period, started_at, owner) VALUES (?, ?, ?, ?, ?)",
                (run_id, command, period, now(), this_owner()),
            )

    def finish_run(self, run_id: str, status: str, summary: str) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE runs SET finished_at = ?, status = ?, summary = ? WHERE id = ?",
                (now(), status, summary, run_id),
            )

    def plan(self, intents: list[Intent], run_id: str, hold: str = "") -> list[State]:
        at, states = now(), []
        first = "held" if hold else "planned"
        with self.transaction() as db:  # one transaction (one fsync) for the whole batch
            for i in intents:
                row = db.execute(
                    "SELECT state, content_hash FROM deliveries WHERE key = ?", (str(i.key),)
                ).fetchone()
                if row is None:
                    db.execute(
                        "INSERT INTO deliveries (key, period, report, recipients, subject,"
                        " message_id, content_hash, state, updated_at, detail, protected) VALUES"
                        " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            str(i.key),
                            i.key.period,
                            i.key.report,
                            "\n".join(i.recipients),
                            i.subject,
                            i.message_id,
                            i.content_hash,
                            first,
                            at,
                            hold,
                            "\n".join(i.protected),
                        ),
                    )
                    self._transition(db, i.key, None, first, at, run_id, hold)
                    states.append(first)
                elif hold and row[0] == "rejected":
                    self._move(db, i.key, "rejected", "held", at, run_id, hold, i.content_hash)
                    states.append("held")
                elif hold and row[0] == "held" and row[1] != i.content_hash:
                    # held, and built anew since: what waits is what was drafted last
                    self._move(db, i.key, "held", "held", at, run_id, hold, i.content_hash)
                    states.append("held")
                else:
                    states.append(row[0])
        return states

    def move(
        self,
        key: DeliveryKey,
        before: State,
        after: State,
        run_id: str,
        detail: str = "",
        content_hash: str = "",
    ) -> bool:
        with self.transaction() as db:
            return self._move(db, key, before, after, now(), run_id, detail, content_hash)

    def _move(self, db, key, before, after, at, run_id, detail, content_hash) -> bool:
        changed = db.execute(
            "UPDATE deliveries SET state = ?, detail = ?, updated_at = ?,"
            " content_hash = CASE WHEN ? = '' THEN content_hash ELSE ? END"
            " WHERE key = ? AND state = ?",
            (after, detail, at, content_hash, content_hash, str(key), before),
        ).rowcount
        if changed:
            self._transition(db, key, before, after, at, run_id, detail)
        return bool(changed)

    @staticmethod
    def _transition(db, key, before, after, at, run_id, detail) -> None:
        db.execute(
            "INSERT INTO transitions (key, from_state, to_state, at, run_id, detail) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (str(key), before, after, at, run_id, detail),
        )

    def claim(
        self, key: DeliveryKey, run_id: str, owner: str, include_unknown: bool = False
    ) -> bool:
        at = now()
        with self.transaction() as db:
            row = db.execute("SELECT state FROM deliveries WHERE key = ?", (str(key),)).fetchone()
            claimed = row is not None and (
                row[0] in CLAIMABLE or (include_unknown and row[0] == "unknown")
            )
            if claimed:
                db.execute(
                    "UPDATE deliveries SET state = 'sending', attempts = attempts + 1, owner = ?, "
                    "updated_at = ? WHERE key = ?",
                    (owner, at, str(key)),
                )
                self._transition(db, key, row[0], "sending", at, run_id, owner)
        return claimed

    def record(
        self, key: DeliveryKey, state: State, run_id: str, detail: str = "", transport_id: str = ""
    ) -> None:
        at = now()
        with self.transaction() as db:
            (previous,) = db.execute(
                "SELECT state FROM deliveries WHERE key = ?", (str(key),)
            ).fetchone()
            db.execute(
                "UPDATE deliveries SET state = ?, detail = ?, transport_id = ?, updated_at = ? "
                "WHERE key = ?",
                (state, detail, transport_id, at, str(key)),
            )
            self._transition(db, key, previous, state, at, run_id, detail)

    def watch_state(self, rule: str) -> tuple[dict | None, int]:
        row = self.db.execute(
            "SELECT state, version FROM watches WHERE rule = ?", (rule,)
        ).fetchone()
        return (json.loads(row[0]), row[1]) if row else (None, 0)

    def set_watch_state(self, rule: str, state: dict, version: int) -> bool:
        text = json.dumps(state, sort_keys=True)
        with self.transaction() as db:
            if version == 0:
                done = db.execute(
                    "INSERT OR IGNORE INTO watches (rule, state, version, updated_at)"
                    " VALUES (?, ?, 1, ?)",
                    (rule, text, now()),
                )
            else:
                done = db.execute(
                    "UPDATE watches SET state = ?, version = version + 1, updated_at = ?"
                    " WHERE rule = ? AND version = ?",
                    (text, now(), rule, version),
                )
            return done.rowcount == 1

    def watch_states(self) -> dict[str, dict]:
        return {
            rule: json.loads(state)
            for rule, state in self.db.execute("SELECT rule, state FROM watches ORDER BY rule")
        }

    def prune_transitions(self, before: str) -> int:
        with self.transaction() as db:
            return db.execute("DELETE FROM transitions WHERE at < ?", (before,)).rowcount

    def deliveries(self, period: str | None = None) -> list[DeliveryRecord]:
        sql = (
            "SELECT key, state, recipients, subject, message_id, content_hash, attempts,"
            " updated_at, detail, transport_id, owner FROM deliveries"
        )
        rows = self.db.execute(
            sql + (" WHERE period = ? ORDER BY key" if period else " ORDER BY period DESC, key"),
            (period,) if period else (),
        ).fetchall()
        return [
            DeliveryRecord(
                **{
                    **dict(r),
                    "key": DeliveryKey.parse(r["key"]),
                    "recipients": tuple(r["recipients"].split("\n")),
                }
            )
            for r in rows
        ]

    def transitions(self, key: DeliveryKey) -> list[Transition]:
        rows = self.db.execute(
            "SELECT from_state, to_state, at, run_id, detail FROM transitions WHERE key = ? "
            "ORDER BY id",
            (str(key),),
        ).fetchall()
        return [Transition(key=key, **dict(r)) for r in rows]

    def runs(self, limit: int = 20) -> list[RunRecord]:
        rows = self.db.execute(
            "SELECT id, command, period, started_at, finished_at, status, summary, alert, owner "
            "FROM runs ORDER BY started_at DESC, id DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [RunRecord(**dict(r)) for r in rows]

    def set_alert(self, run_id: str, alert: str) -> None:
        with self.transaction() as db:
            db.execute("UPDATE runs SET alert = ? WHERE id = ?", (alert, run_id))

    def claim_fire(
        self,
        slot: str,
        owner: str,
        run_id: str,
        detail: str = "",
        retake: tuple[str, ...] = (),
        retake_failed: bool = False,
    ) -> bool:
        with self.transaction() as db:
            row = db.execute("SELECT owner, status FROM fires WHERE slot = ?", (slot,)).fetchone()
            if (
                row is not None
                and row[0] not in retake
                and not (retake_failed and row[1] == "error")
            ):
                return False
            db.execute(
                "INSERT OR REPLACE INTO fires (slot, owner, run_id, started_at, detail) VALUES (?,"
                " ?, ?, ?, ?)",
                (slot, owner, run_id, now(), detail),
            )
        return True

    def finish_fire(self, slot: str, status: str, detail: str = "") -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE fires SET finished_at = :at, status = :status, detail = CASE WHEN :more ="
                " '' THEN detail WHEN detail = '' THEN :more ELSE detail || '; ' || :more END WHERE"
                " slot = :slot",
                {"at": now(), "status": status, "more": detail, "slot": slot},
            )

    def fires(self, limit: int = 20) -> list[FireRecord]:
        rows = self.db.execute(
            "SELECT slot, owner, run_id, started_at, finished_at, status, detail FROM fires "
            "ORDER BY slot DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [FireRecord(**dict(r)) for r in rows]

    def record_events(
        self, events: list[DeliveryEvent], protected: frozenset[str] = frozenset()
    ) -> list[EventOutcome]:
        outcomes = []
        with self.transaction() as db:  # the whole batch, or none of it
            for event in events:
                row = db.execute(
                    "SELECT key, recipients, protected FROM deliveries WHERE transport_id = ? AND"
                    " transport_id != ''",
                    (event.transport_id,),
                ).fetchone()
                key, sent_to = (row[0], set(row[1].lower().split("\n"))) if row else (None, set())
                kept = set(row[2].lower().split("\n")) if row else set()
                new = (
                    db.execute(
                        "INSERT OR IGNORE INTO events (id, kind, transport_id, recipients, at,"
                        " permanent, detail, key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            event.id,
                            event.kind,
                            event.transport_id,
                            "\n".join(event.recipients),
                            event.at,
                            int(event.permanent),
                            event.detail,
                            key,
                        ),
                    ).rowcount
                    == 1
                )
                suppressed, spared = (
                    to_suppress(event, sent_to, protected | kept) if new else ((), ())
                )
                db.executemany(
                    "INSERT OR IGNORE INTO suppressions (address, reason, at, detail) VALUES (?, ?,"
                    " ?, ?)",
                    [(a, event.kind, event.at, event.detail) for a in suppressed],
                )
                outcomes.append(
                    EventOutcome(
                        key=DeliveryKey.parse(key) if key else None,
                        new=new,
                        suppressed=suppressed,
                        protected=spared,
                    )
                )
        return outcomes

    def suppress(self, address: str, reason: str, at: str, detail: str = "") -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO suppressions (address, reason, at, detail) VALUES (?, ?,"
                " ?, ?)",
                (address.lower(), reason, at, detail),
            )

    def suppressed(self) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT address FROM suppressions")}

    def suppressions(self) -> list[Suppression]:
        rows = self.db.execute(
            "SELECT address, reason, at, detail FROM suppressions ORDER BY address"
        ).fetchall()
        return [Suppression(**dict(r)) for r in rows]

    def unsuppress(self, address: str) -> bool:
        with self.transaction() as db:
            return (
                db.execute(
                    "DELETE FROM suppressions WHERE address = ?", (address.lower(),)
                ).rowcount
                == 1
            )

    def record_pack(self, made_in: str, entries: list[PackEntry]) -> bool:
        text = packed(entries)
        with self.transaction() as db:
            inserted = db.execute(
                "INSERT INTO packs (made_in, entries, recorded_at) VALUES (?, ?, ?)"
                " ON CONFLICT (made_in) DO NOTHING",
                (made_in, text, now()),
            ).rowcount
        return inserted == 1

    def pack_entries(self, made_in: list[str]) -> list[PackEntry]:
        marks = ", ".join("?" * len(made_in))
        rows = self.db.execute(
            f"SELECT made_in, entries FROM packs WHERE made_in IN ({marks}) ORDER BY made_in",
            made_in,
        ).fetchall()
        return [
            e for r in rows for e in sorted(unpacked(r["made_in"], r["entries"]), key=by_series)
        ]

    def close(self) -> None:
        self.db.close()


def by_series(entry: PackEntry) -> tuple[str, str]:
    return entry.series, entry.target
