"""One contract, every audit store: SQLite on a real file, DynamoDB through a real moto_server."""

import threading
import time

import boto3
import pytest

from boardpack.audit.dynamodb import DynamoAuditStore
from boardpack.audit.keys import DeliveryKey
from boardpack.audit.sqlite import SqliteAuditStore
from boardpack.audit.store import DeliveryEvent, EventOutcome, Intent

KEY = DeliveryKey("2026-10", "cfo", "abc123")


def dynamodb(aws):
    return boto3.client(
        "dynamodb",
        endpoint_url=aws.url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture(params=["sqlite", "dynamodb"])
def open_store(request, tmp_path):
    """A function that opens another connection to the same store (as a second process would)."""
    opened = []

    def make(keep=True):
        if request.param == "sqlite":
            store = SqliteAuditStore(tmp_path / "audit.sqlite")
        else:
            store = DynamoAuditStore(dynamodb(request.getfixturevalue("aws")), "audit-test")
            store.ensure_table()
        if keep:
            opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


@pytest.fixture
def store(open_store):
    return open_store()


def plan(store, key=KEY, run="run-1", hold="", content_hash="hash", protected=()):
    (state,) = store.plan(
        [
            Intent(
                key=key,
                recipients=("cfo@example.com", "audit@example.com"),
                subject="Subject",
                message_id="<id@example.com>",
                content_hash=content_hash,
                protected=protected,
            )
        ],
        run,
        hold,
    )
    return state


def test_a_held_delivery_waits_for_approval_or_rejection(store):
    assert plan(store, hold="held for approval") == "held"
    assert plan(store, hold="held for approval") == "held"  # recorded once
    assert not store.claim(KEY, "r1", "h:1")  # nobody sends what is held
    assert not store.move(KEY, "planned", "sending", "r1")  # only from the state named
    assert store.move(KEY, "held", "rejected", "r2", "rejected by ana")
    assert not store.move(KEY, "held", "planned", "r3", "approved by bo")  # decided already
    assert plan(store, run="r4") == "rejected"  # without approval, a rejection stands
    # a later run under approval holds it again, with what it would send now
    assert plan(store, run="r5", hold="held again", content_hash="hash-2") == "held"
    assert store.move(KEY, "held", "planned", "r6", "approved by bo")
    assert store.claim(KEY, "r6", "h:1")
    (record,) = store.deliveries("2026-10")
    assert (record.state, record.content_hash) == ("sending", "hash-2")
    assert [(t.from_state, t.to_state, t.detail) for t in store.transitions(KEY)] == [
        (None, "held", "held for approval"),
        ("held", "rejected", "rejected by ana"),
        ("rejected", "held", "held again"),
        ("held", "planned", "approved by bo"),
        ("planned", "sending", "h:1"),
    ]


def test_a_delivery_held_again_with_new_content_waits_with_the_newest(store):
    """A second run while a pack is held drafts its new content: the held delivery takes it (and
    the new detail), so an approval sends the newest draft; the same content again changes
    nothing."""
    assert plan(store, hold="held (built as of 2026-11-15)") == "held"
    assert plan(store, run="r2", hold="held (built as of 2026-11-20)", content_hash="new") == "held"
    (held,) = store.deliveries("2026-10")
    assert (held.state, held.content_hash, held.detail) == (
        "held",
        "new",
        "held (built as of 2026-11-20)",
    )
    assert plan(store, run="r3", hold="held (built as of 2026-11-21)", content_hash="new") == "held"
    (held,) = store.deliveries("2026-10")
    assert held.detail == "held (built as of 2026-11-20)"  # the same content: nothing changed
    assert [t.to_state for t in store.transitions(KEY)] == ["held", "held"]


def test_plan_records_intent_once_and_returns_the_current_state(store):
    assert plan(store) == "planned"
    assert plan(store) == "planned"
    assert store.claim(KEY, "run-1", "host:1")
    store.record(KEY, "sent", "run-1", transport_id="ses-id-1")
    assert plan(store, run="run-2") == "sent"
    (record,) = store.deliveries("2026-10")
    assert (record.state, record.attempts, record.transport_id) == ("sent", 1, "ses-id-1")
    assert record.recipients == ("cfo@example.com", "audit@example.com")
    assert [(t.from_state, t.to_state) for t in store.transitions(KEY)] == [
        (None, "planned"),
        ("planned", "sending"),
        ("sending", "sent"),
    ]


def test_only_planned_or_failed_can_be_claimed(store):
    plan(store)
    assert store.claim(KEY, "r1", "h:1")
    assert not store.claim(KEY, "r1", "h:2")  # already sending
    store.record(KEY, "failed", "r1", "550 rejected")
    assert store.claim(KEY, "r2", "h:1")
    store.record(KEY, "unknown", "r2", "timeout after DATA")
    assert not store.claim(KEY, "r3", "h:1")
    assert store.claim(KEY, "r3", "h:1", include_unknown=True)  # only when asked explicitly
    assert store.deliveries()[0].attempts == 3


def test_exactly_one_of_many_concurrent_claims_wins(open_store):
    first = open_store()
    plan(first)
    results, barrier, opening = [], threading.Barrier(6), threading.Lock()

    def race(i):
        with opening:  # each racer has its own connection, opened on its own thread
            s = open_store(keep=False)
        barrier.wait()
        results.append(s.claim(KEY, f"run-{i}", f"host:{i}"))
        s.close()

    threads = [threading.Thread(target=race, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 5 + [True]
    assert [t.to_state for t in first.transitions(KEY)].count("sending") == 1


def test_runs_newest_first_with_summary_and_alert(store):
    store.start_run("20261101T000000-a", "send", "2026-10")
    store.finish_run("20261101T000000-a", "ok", "5 sent")
    store.start_run("20261102T000000-b", "send", "2026-10")
    store.finish_run("20261102T000000-b", "attention", "1 failed")
    store.set_alert("20261102T000000-b", "webhook http://127.0.0.1/…: sent")
    latest, earlier = store.runs()
    assert (latest.id, latest.status, latest.alert) == (
        "20261102T000000-b",
        "attention",
        "webhook http://127.0.0.1/…: sent",
    )
    assert (earlier.summary, earlier.alert, earlier.finished_at is not None) == ("5 sent", "", True)


def test_deliveries_by_period_and_all_periods_newest_first(store):
    plan(store, DeliveryKey("2026-09", "ceo", "x"))
    plan(store, DeliveryKey("2026-10", "ceo", "x"))
    plan(store, DeliveryKey("2026-10", "cfo", "x"))
    assert [str(d.key) for d in store.deliveries("2026-10")] == ["2026-10/ceo/x", "2026-10/cfo/x"]
    assert [str(d.key) for d in store.deliveries()] == [
        "2026-10/ceo/x",
        "2026-10/cfo/x",
        "2026-09/ceo/x",
    ]


def bounce(event_id="e1", transport_id="ses-id-1", permanent=True, kind="bounce"):
    return DeliveryEvent(
        id=event_id,
        kind=kind,
        transport_id=transport_id,
        recipients=("CFO@example.com",),
        at="2026-11-02T10:00:00.000Z",
        permanent=permanent,
        detail="Permanent/General",
    )


def test_events_match_by_provider_message_id_once_and_suppress_permanent_failures(store):
    plan(store)
    store.claim(KEY, "r", "h:1")
    store.record(KEY, "sent", "r", transport_id="ses-id-1")
    assert store.record_events([bounce()]) == [EventOutcome(KEY, True, ("cfo@example.com",))]
    again = store.record_events([bounce()])  # the same notification again changes nothing
    assert again == [EventOutcome(KEY, False)]
    assert store.suppressed() == {"cfo@example.com"}
    (s,) = store.suppressions()
    assert (s.address, s.reason, s.detail) == ("cfo@example.com", "bounce", "Permanent/General")
    assert store.unsuppress("cfo@example.com") and not store.unsuppress("cfo@example.com")
    assert store.suppressed() == set()


def test_an_event_for_an_unknown_message_is_kept_unmatched_and_suppresses_nobody(store):
    assert store.record_events([bounce("e2", "not-ours")]) == [EventOutcome(None, True)]
    assert store.suppressed() == set()


def test_a_bounce_suppresses_only_recipients_of_that_message_and_never_a_protected_one(store):
    plan(store)  # sent to cfo@example.com only
    store.claim(KEY, "r", "h:1")
    store.record(KEY, "sent", "r", transport_id="ses-id-1")
    forged = DeliveryEvent(
        id="e5",
        kind="complaint",
        transport_id="ses-id-1",
        recipients=("ceo@example.com", "CFO@example.com"),
        at="t",
        permanent=True,
        detail="",
    )
    assert store.record_events([forged], protected=frozenset({"cfo@example.com"})) == [
        EventOutcome(key=KEY, new=True, suppressed=(), protected=("cfo@example.com",))
    ]
    assert store.suppressed() == set()  # ceo@ was not a recipient; cfo@ is the audit address


def test_the_audit_copy_recorded_with_a_delivery_is_never_suppressed_whoever_reads_the_complaint(
    store,
):
    """A fan-out deployment's notification handler has no workspace to ask: the delivery itself
    says which of its recipients are the audit copy and the alerts' address."""
    plan(store, protected=("audit@example.com",))
    store.claim(KEY, "r", "h:1")
    store.record(KEY, "sent", "r", transport_id="ses-id-1")
    complaint = DeliveryEvent(
        id="e6",
        kind="complaint",
        transport_id="ses-id-1",
        recipients=("AUDIT@example.com", "cfo@example.com"),
        at="t",
        permanent=True,
    )
    assert store.record_events([complaint]) == [  # no protected addresses given
        EventOutcome(KEY, True, suppressed=("cfo@example.com",), protected=("audit@example.com",))
    ]
    assert store.suppressed() == {"cfo@example.com"}


def test_a_transient_bounce_or_a_delivery_suppresses_nobody(store):
    plan(store)
    store.claim(KEY, "r", "h:1")
    store.record(KEY, "sent", "r", transport_id="ses-id-1")
    store.record_events(
        [bounce("e3", permanent=False), bounce("e4", kind="delivery", permanent=False)]
    )
    assert store.suppressed() == set()


def test_a_fire_slot_is_claimed_once_and_taken_over_only_from_a_named_dead_owner(open_store):
    first, second = open_store(), open_store()
    slot = "2026-11-02T14:00:00+00:00"
    assert first.claim_fire(slot, "host:1", "run-1", "catch-up: 2 slots were missed")
    assert not second.claim_fire(
        slot, "host:2", "run-2"
    )  # a second scheduler, or a repeated invocation
    assert not second.claim_fire(
        slot, "host:2", "run-2", retake=("host:9",)
    )  # not the owner that died
    assert second.claim_fire(slot, "host:2", "run-2", retake=("host:1",))  # host:1 crashed mid-run
    second.finish_fire(slot, "ok", "3 sent")
    assert not first.claim_fire(
        slot, "lambda:b", "run-9", retake_failed=True
    )  # it succeeded: not run again
    failed = "2026-10-26T14:00:00+00:00"
    first.claim_fire(failed, "lambda:a", "run-0")
    first.finish_fire(failed, "error", "the ledger was missing")
    assert second.claim_fire(
        failed, "lambda:b", "run-0b", retake_failed=True
    )  # a retry after a failure
    first.claim_fire("2026-11-09T14:00:00+00:00", "host:2", "run-3")
    newest, fire, retried = first.fires()
    assert (retried.owner, retried.status) == ("lambda:b", "running")
    assert (newest.slot, newest.status, newest.finished_at) == (
        "2026-11-09T14:00:00+00:00",
        "running",
        None,
    )
    assert (fire.owner, fire.run_id, fire.status) == ("host:2", "run-2", "ok")
    assert fire.detail == "3 sent" and fire.finished_at >= fire.started_at


def test_scopes_keep_workspaces_sharing_a_dynamodb_table_apart(aws):
    client = dynamodb(aws)
    acme, bolt = DynamoAuditStore(client, "shared", "acme"), DynamoAuditStore(
        client, "shared", "bolt"
    )
    acme.ensure_table()
    for store in (acme, bolt):  # the same period, report and recipients: the same delivery key
        store.start_run("run-1", "send", "2026-10")
        assert plan(store) == "planned"
        assert store.claim(KEY, "run-1", "host:1")
    acme.record(KEY, "sent", "run-1")
    assert [d.state for d in acme.deliveries("2026-10")] == ["sent"]
    assert [d.state for d in bolt.deliveries()] == ["sending"]
    assert [r.id for r in bolt.runs()] == ["run-1"] and len(acme.runs()) == 1
    assert acme.claim_fire("2026-11-02T14:00:00+00:00", "host:1", "run-1")
    assert bolt.claim_fire("2026-11-02T14:00:00+00:00", "host:1", "run-1")
    assert len(bolt.fires()) == 1


def test_what_a_pack_recorded_is_kept_once_and_read_back_exactly(open_store):
    from boardpack.model import PackEntry

    first = [
        PackEntry("2026-10", "cash", "2026-11", "81129.33"),
        PackEntry("2026-10", "cash.week", "2026-11-01", "100949.93"),
        PackEntry("2026-10", "receipts.charters", "2026-11", "8000.00"),
        PackEntry("2026-10", "finding", "3f2a", '{"title": "Cash is low", "severity": "high"}'),
    ]
    store = open_store()
    assert store.record_pack("2026-10", first)
    # a second send of the same period keeps what the board was first sent, whole
    assert not store.record_pack("2026-10", [PackEntry("2026-10", "cash", "2026-11", "1")])
    assert store.record_pack("2026-11", [PackEntry("2026-11", "cash", "2026-12", "5.5")])
    other = open_store()  # another process reads what this one wrote
    assert other.pack_entries(["2026-10"]) == sorted(first, key=lambda e: (e.series, e.target))
    assert [e.made_in for e in other.pack_entries(["2026-10", "2026-11", "2026-09"])] == [
        "2026-10"
    ] * 4 + ["2026-11"]
    assert other.pack_entries(["2025-01"]) == []


def test_a_record_too_large_for_one_item_is_refused_whole(store):
    from boardpack.audit.store import PACK_LIMIT
    from boardpack.model import PackEntry

    entries = [PackEntry("2026-10", "cash.week", str(n), "1") for n in range(PACK_LIMIT + 1)]
    with pytest.raises(ValueError, match=f"at most {PACK_LIMIT}"):
        store.record_pack("2026-10", entries)
    assert store.pack_entries(["2026-10"]) == []


def test_history_rows_are_pruned_before_a_day_and_the_deliveries_stay(store):
    plan(store)
    assert store.claim(KEY, "r1", "h:1")
    store.record(KEY, "sent", "r1", transport_id="id-1")
    assert store.prune_transitions("2000-01-01T00:00:00.000+00:00") == 0  # nothing that old
    assert len(store.transitions(KEY)) == 3
    assert store.prune_transitions("2999-01-01T00:00:00.000+00:00") == 3
    assert store.transitions(KEY) == []
    (record,) = store.deliveries("2026-10")
    assert record.state == "sent" and plan(store, run="r2") == "sent"  # still never sent twice


def test_dynamodb_history_rows_carry_their_expiry_for_the_tables_ttl(aws):
    client = dynamodb(aws)
    store = DynamoAuditStore(client, "audit-ttl", keep_months=3)
    store.ensure_table()
    assert client.describe_time_to_live(TableName="audit-ttl")["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED",
        "AttributeName": "expires_at",
    }
    plan(store)
    (item,) = client.query(
        TableName="audit-ttl",
        KeyConditionExpression="pk = :pk AND begins_with(sk, :t)",
        ExpressionAttributeValues={":pk": {"S": f"DELIVERY#{KEY}"}, ":t": {"S": "T#"}},
    )["Items"]
    lives = int(item["expires_at"]["N"]) - int(time.time())
    assert 90 * 86400 < lives <= 93 * 86400  # three months of 31 days


def test_a_watch_rules_state_changes_only_from_the_version_read(open_store):
    first, second = open_store(), open_store()
    assert first.watch_state("cash-low") == (None, 0)
    assert first.set_watch_state("cash-low", {"firing": True, "episode": 1}, 0)
    assert not second.set_watch_state("cash-low", {"firing": True, "episode": 9}, 0)  # taken
    state, version = second.watch_state("cash-low")
    assert state == {"firing": True, "episode": 1} and version == 1
    assert second.set_watch_state("cash-low", {"firing": False, "episode": 1}, version)
    assert not first.set_watch_state("cash-low", {"firing": True, "episode": 2}, 1)  # stale
    assert first.watch_states() == {"cash-low": {"firing": False, "episode": 1}}
