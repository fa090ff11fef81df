"""The DynamoDB audit store: one table, claims by conditional writes, each state change and its
transition row written in one transaction.

Items (pk, sk):
    DELIVERY#<key>, STATE              the delivery (GSI `period` lists a period's deliveries)
    DELIVERY#<key>, T#<at>#<n>         one row per transition
    RUN#<id>, RUN                      a run
    FIRE#<slot>, FIRE                  a firing of the schedule
    EVENT#<id>, EVENT                  an SES notification (written once)
    MESSAGE#<ses message id>, MESSAGE  points a provider message id back to its delivery
    SUPPRESSION, <address>             an address never sent to again
    PACK#<period>, PACK                what a sent pack recorded for the next: its forecast,
                                       findings and actions (written once; the first stands)

Several workspaces may share one table (the fan-out's portfolios): a store with a `scope` prefixes
its delivery, run, fire and pack keys with `<scope>|`, so each portfolio's are its own. Events,
message pointers and suppressions are shared: an address that hard-bounced bounces for everyone.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import BotoCoreError, ClientError

from boardpack import aws_clients as aws
from boardpack.audit.keys import DeliveryKey
from boardpack.audit.store import (
    CLAIMABLE,
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
    this_owner,
    to_suppress,
    unpacked,
)
from boardpack.config import Workspace
from boardpack.errors import WorkspaceError
from boardpack.model import PackEntry

_to, _from = TypeSerializer(), TypeDeserializer()


def typed(item: dict) -> dict:
    return {k: _to.serialize(v) for k, v in item.items() if v is not None}


def plain(item: dict) -> dict:
    return {k: _from.deserialize(v) for k, v in item.items()}


def cancelled_by_condition(exc: ClientError) -> bool:
    code = aws.error_code(exc)
    if code == "ConditionalCheckFailedException":
        return True
    reasons = exc.response.get("CancellationReasons") or []
    return code == "TransactionCanceledException" and any(
        r.get("Code") == "ConditionalCheckFailed" for r in reasons
    )


class DynamoAuditStore:
    def __init__(self, client, table: str, scope: str = "", keep_months: int | None = None):
        self.db, self.table, self.scope = client, table, scope
        self.prefix = f"{scope}|" if scope else ""
        # [retention] transitions: each history row carries its expiry, for the table's TTL
        self.keep_months = keep_months

    @classmethod
    def for_workspace(cls, workspace: Workspace) -> DynamoAuditStore:
        audit = workspace.settings.audit
        store = cls(
            aws.client(workspace, "dynamodb", audit.region),
            audit.table,
            audit.scope,
            workspace.settings.retention.transitions,
        )
        try:
            store.ensure_table()
        except (ClientError, BotoCoreError) as exc:
            raise WorkspaceError(
                f"audit.table = {audit.table!r}: cannot use the DynamoDB table "
                f"({aws.error_code(exc)}: {aws.error_message(exc)})"
            ) from None
        return store

    def ensure_table(self) -> None:
        try:
            self.db.describe_table(TableName=self.table)
            return
        except ClientError as exc:
            if aws.error_code(exc) != "ResourceNotFoundException":
                raise
        self.db.create_table(
            TableName=self.table,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk", "period")
            ],
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "period",
                    "Projection": {"ProjectionType": "ALL"},
                    "KeySchema": [
                        {"AttributeName": "period", "KeyType": "HASH"},
                        {"AttributeName": "pk", "KeyType": "RANGE"},
                    ],
                }
            ],
        )
        self.db.get_waiter("table_exists").wait(
            TableName=self.table, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
        )
        if self.keep_months:  # history rows expire by themselves ([retention] transitions)
            self.db.update_time_to_live(
                TableName=self.table,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"},
            )

    # -- helpers
    # -----------------------------------------------------------------------------------------

    def _put(self, item: dict, condition: str | None = None) -> dict:
        op = {"TableName": self.table, "Item": typed(item)}
        return op | ({"ConditionExpression": condition} if condition else {})

    def _transition(
        self, key: DeliveryKey, before: str | None, after: str, at: str, run_id: str, detail: str
    ) -> dict:
        item = {
            "pk": f"{self.prefix}DELIVERY#{key}",
            "sk": f"T#{at}#{uuid.uuid4().hex[:8]}",
            "from_state": before,
            "to_state": after,
            "at": at,
            "run_id": run_id,
            "detail": detail,
        }
        if self.keep_months:  # DynamoDB's TTL removes it then (within a day or two of it)
            expires = datetime.fromisoformat(at) + timedelta(days=31 * self.keep_months)
            item["expires_at"] = int(expires.timestamp())
        return {"Put": self._put(item)}

    def _get(self, pk: str, sk: str) -> dict | None:
        found = self.db.get_item(
            TableName=self.table, Key=typed({"pk": pk, "sk": sk}), ConsistentRead=True
        )
        return plain(found["Item"]) if "Item" in found else None

    def _state(self, key: DeliveryKey) -> str | None:
        item = self._get(f"{self.prefix}DELIVERY#{key}", "STATE")
        return item["state"] if item else None

    def _query(self, **kwargs) -> list[dict]:
        items, start = [], {}
        while True:
            page = self.db.query(TableName=self.table, **kwargs, **start)
            items += [plain(i) for i in page["Items"]]
            if "LastEvaluatedKey" not in page:
                return items
            start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}

    def _scan(self, kind: str) -> list[dict]:
        """This scope's items of a kind (items written before scopes existed belong to the empty
        scope)."""
        mine = "#scope = :s" + ("" if self.scope else " OR attribute_not_exists(#scope)")
        items, start = [], {}
        while True:
            page = self.db.scan(
                TableName=self.table,
                FilterExpression=f"kind = :k AND ({mine})",
                ExpressionAttributeNames={"#scope": "scope"},
                ExpressionAttributeValues=typed({":k": kind, ":s": self.scope}),
                **start,
            )
            items += [plain(i) for i in page["Items"]]
            if "LastEvaluatedKey" not in page:
                return items
            start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}

    # -- runs
    # --------------------------------------------------------------------------------------------

    def start_run(self, run_id: str, command: str, period: str) -> None:
        self.db.put_item(
            **self._put(
                {
                    "pk": f"{self.prefix}RUN#{run_id}",
                    "sk": "RUN",
                    "kind": "run",
                    "scope": self.scope,
                    "id": run_id,
                    "command": command,
                    "period_label": period,
                    "started_at": now(),
                    "owner": this_owner(),
                    "status": "running",
                    "summary": "",
                    "alert": "",
                }
            )
        )

    def finish_run(self, run_id: str, status: str, summary: str) -> None:
        self.db.update_item(
            TableName=self.table,
            Key=typed({"pk": f"{self.prefix}RUN#{run_id}", "sk": "RUN"}),
            UpdateExpression="SET finished_at = :f, #s = :s, summary = :m",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues=typed({":f": now(), ":s": status, ":m": summary}),
        )

    def set_alert(self, run_id: str, alert: str) -> None:
        self.db.update_item(
            TableName=self.table,
            Key=typed({"pk": f"{self.prefix}RUN#{run_id}", "sk": "RUN"}),
            UpdateExpression="SET alert = :a",
            ExpressionAttributeValues=typed({":a": alert}),
        )

    def runs(self, limit: int = 20) -> list[RunRecord]:
        rows = sorted(self._scan("run"), key=lambda r: (r["started_at"], r["id"]), reverse=True)[
            :limit
        ]
        return [
            RunRecord(
                id=r["id"],
                command=r["command"],
                period=r["period_label"],
                started_at=r["started_at"],
                finished_at=r.get("finished_at"),
                status=r["status"],
                summary=r["summary"],
                alert=r.get("alert", ""),
                owner=r.get("owner", ""),
            )
            for r in rows
        ]

    # -- fires
    # -------------------------------------------------------------------------------------------

    def claim_fire(
        self,
        slot: str,
        owner: str,
        run_id: str,
        detail: str = "",
        retake: tuple[str, ...] = (),
        retake_failed: bool = False,
    ) -> bool:
        item = {
            "pk": f"{self.prefix}FIRE#{slot}",
            "sk": "FIRE",
            "kind": "fire",
            "scope": self.scope,
            "slot": slot,
            "owner": owner,
            "run_id": run_id,
            "started_at": now(),
            "status": "running",
            "detail": detail,
        }
        # a new slot; or one whose owner died (`retake`); or, with `retake_failed`, one that ended
        # in error
        alternatives = ["attribute_not_exists(pk)", *(f"#o = :dead{n}" for n in range(len(retake)))]
        values = {f":dead{n}": dead for n, dead in enumerate(retake)}
        if retake_failed:
            alternatives.append("#s = :error")
            values[":error"] = "error"
        condition = " OR ".join(alternatives)
        names = {n: a for n, a in (("#o", "owner"), ("#s", "status")) if n in condition}
        try:
            self.db.put_item(
                **self._put(item, condition),
                **(
                    {"ExpressionAttributeNames": names, "ExpressionAttributeValues": typed(values)}
                    if values
                    else {}
                ),
            )
        except ClientError as exc:
            if cancelled_by_condition(exc):
                return False
            raise
        return True

    def finish_fire(self, slot: str, status: str, detail: str = "") -> None:
        before = self._get(f"{self.prefix}FIRE#{slot}", "FIRE") or {}
        joined = "; ".join(d for d in (before.get("detail", ""), detail) if d)
        self.db.update_item(
            TableName=self.table,
            Key=typed({"pk": f"{self.prefix}FIRE#{slot}", "sk": "FIRE"}),
            UpdateExpression="SET finished_at = :f, #s = :s, detail = :d",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues=typed({":f": now(), ":s": status, ":d": joined}),
        )

    def fires(self, limit: int = 20) -> list[FireRecord]:
        rows = sorted(self._scan("fire"), key=lambda r: r["slot"], reverse=True)[:limit]
        return [
            FireRecord(
                slot=r["slot"],
                owner=r["owner"],
                run_id=r["run_id"],
                started_at=r["started_at"],
                finished_at=r.get("finished_at"),
                status=r["status"],
                detail=r["detail"],
            )
            for r in rows
        ]

    # -- deliveries
    # --------------------------------------------------------------------------------------

    def plan(self, intents: list[Intent], run_id: str, hold: str = "") -> list[State]:
        return [self._plan(i, run_id, hold) for i in intents]

    def _plan(self, intent: Intent, run_id: str, hold: str) -> State:
        at, key = now(), intent.key
        first = "held" if hold else "planned"
        item = {
            "pk": f"{self.prefix}DELIVERY#{key}",
            "sk": "STATE",
            "kind": "delivery",
            "scope": self.scope,
            "key": str(key),
            "period": self.prefix + key.period,
            "report": key.report,
            "recipients": list(intent.recipients),
            "protected": list(intent.protected) or None,
            "subject": intent.subject,
            "message_id": intent.message_id,
            "content_hash": intent.content_hash,
            "state": first,
            "attempts": 0,
            "updated_at": at,
            "detail": hold,
            "transport_id": "",
            "owner": "",
        }
        try:
            self.db.transact_write_items(
                TransactItems=[
                    {"Put": self._put(item, "attribute_not_exists(pk)")},
                    self._transition(key, None, first, at, run_id, hold),
                ]
            )
        except ClientError as exc:
            if not cancelled_by_condition(exc):
                raise
            if hold and self.move(key, "rejected", "held", run_id, hold, intent.content_hash):
                return "held"
            now_held = self._get(f"{self.prefix}DELIVERY#{key}", "STATE") if hold else None
            if now_held and now_held["state"] == "held":
                # held, and built anew since: what waits is what was drafted last
                if now_held["content_hash"] != intent.content_hash:
                    self.move(key, "held", "held", run_id, hold, intent.content_hash)
                return "held"
            return self._state(key)
        return first

    def move(
        self,
        key: DeliveryKey,
        before: State,
        after: State,
        run_id: str,
        detail: str = "",
        content_hash: str = "",
    ) -> bool:
        at = now()
        values = {":after": after, ":detail": detail, ":at": at, ":before": before}
        update = "SET #s = :after, detail = :detail, updated_at = :at"
        if content_hash:
            update += ", content_hash = :hash"
            values[":hash"] = content_hash
        try:
            self.db.transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": self.table,
                            "Key": typed({"pk": f"{self.prefix}DELIVERY#{key}", "sk": "STATE"}),
                            "UpdateExpression": update,
                            "ConditionExpression": "#s = :before",
                            "ExpressionAttributeNames": {"#s": "state"},
                            "ExpressionAttributeValues": typed(values),
                        }
                    },
                    self._transition(key, before, after, at, run_id, detail),
                ]
            )
        except ClientError as exc:
            if cancelled_by_condition(exc):
                return False
            raise
        return True

    def claim(
        self, key: DeliveryKey, run_id: str, owner: str, include_unknown: bool = False
    ) -> bool:
        at = now()
        before = self._state(key)
        if before not in CLAIMABLE + (("unknown",) if include_unknown else ()):
            return False
        # the condition makes read-then-write atomic: it fails if anyone changed the state meanwhile
        try:
            self.db.transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": self.table,
                            "Key": typed({"pk": f"{self.prefix}DELIVERY#{key}", "sk": "STATE"}),
                            "UpdateExpression": (
                                "SET #s = :sending, attempts = attempts + :one, #o = :owner, "
                                "updated_at = :at"
                            ),
                            "ConditionExpression": "#s = :before",
                            "ExpressionAttributeNames": {"#s": "state", "#o": "owner"},
                            "ExpressionAttributeValues": typed(
                                {
                                    ":sending": "sending",
                                    ":one": 1,
                                    ":owner": owner,
                                    ":at": at,
                                    ":before": before,
                                }
                            ),
                        }
                    },
                    self._transition(key, before, "sending", at, run_id, owner),
                ]
            )
        except ClientError as exc:
            if cancelled_by_condition(exc):
                return False  # someone else claimed it between our read and our write
            raise
        return True

    def record(
        self, key: DeliveryKey, state: State, run_id: str, detail: str = "", transport_id: str = ""
    ) -> None:
        at = now()
        before = self._state(key)
        items = [
            {
                "Update": {
                    "TableName": self.table,
                    "Key": typed({"pk": f"{self.prefix}DELIVERY#{key}", "sk": "STATE"}),
                    "UpdateExpression": (
                        "SET #s = :state, detail = :detail, transport_id = :tid, updated_at = :at"
                    ),
                    "ConditionExpression": "#s = :before",
                    "ExpressionAttributeNames": {"#s": "state"},
                    "ExpressionAttributeValues": typed(
                        {
                            ":state": state,
                            ":detail": detail,
                            ":tid": transport_id,
                            ":at": at,
                            ":before": before,
                        }
                    ),
                }
            },
            self._transition(key, before, state, at, run_id, detail),
        ]
        if transport_id:
            items.append(
                {
                    "Put": self._put(
                        {
                            "pk": f"MESSAGE#{transport_id}",
                            "sk": "MESSAGE",
                            "key": str(key),
                            "delivery_pk": f"{self.prefix}DELIVERY#{key}",
                        }
                    )
                }
            )
        self.db.transact_write_items(TransactItems=items)

    def _record_of(self, r: dict) -> DeliveryRecord:
        return DeliveryRecord(
            key=DeliveryKey.parse(r["key"]),
            state=r["state"],
            recipients=tuple(r["recipients"]),
            subject=r["subject"],
            message_id=r["message_id"],
            content_hash=r["content_hash"],
            attempts=int(r["attempts"]),
            updated_at=r["updated_at"],
            detail=r["detail"],
            transport_id=r["transport_id"],
            owner=r["owner"],
        )

    def watch_state(self, rule: str) -> tuple[dict | None, int]:
        item = self._get(f"{self.prefix}WATCH#{rule}", "STATE")
        return (json.loads(item["state"]), int(item["version"])) if item else (None, 0)

    def set_watch_state(self, rule: str, state: dict, version: int) -> bool:
        item = {
            "pk": f"{self.prefix}WATCH#{rule}",
            "sk": "STATE",
            "kind": "watch",
            "scope": self.scope,
            "rule": rule,
            "state": json.dumps(state, sort_keys=True),
            "version": version + 1,
            "updated_at": now(),
        }
        condition = "attribute_not_exists(pk)" if version == 0 else "version = :v"
        extra = {} if version == 0 else {"ExpressionAttributeValues": typed({":v": version})}
        try:
            self.db.put_item(**self._put(item, condition), **extra)
        except ClientError as exc:
            if aws.error_code(exc) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def watch_states(self) -> dict[str, dict]:
        return {r["rule"]: json.loads(r["state"]) for r in self._scan("watch")}

    def prune_transitions(self, before: str) -> int:
        old = []
        for delivery in self._scan("delivery"):
            old += [
                {"pk": r["pk"], "sk": r["sk"]}
                for r in self._query(
                    KeyConditionExpression="pk = :pk AND sk BETWEEN :t AND :before",
                    ExpressionAttributeValues=typed(
                        {":pk": delivery["pk"], ":t": "T#", ":before": f"T#{before}"}
                    ),
                )
            ]
        for start in range(0, len(old), 25):
            requests = [{"DeleteRequest": {"Key": typed(k)}} for k in old[start : start + 25]]
            while requests:
                done = self.db.batch_write_item(RequestItems={self.table: requests})
                requests = done.get("UnprocessedItems", {}).get(self.table, [])
        return len(old)

    def deliveries(self, period: str | None = None) -> list[DeliveryRecord]:
        if period:
            rows = self._query(
                IndexName="period",
                KeyConditionExpression="period = :p",
                ExpressionAttributeValues=typed({":p": self.prefix + period}),
            )
            return sorted((self._record_of(r) for r in rows), key=lambda d: str(d.key))
        rows = sorted(
            (self._record_of(r) for r in self._scan("delivery")), key=lambda d: str(d.key)
        )
        # stable: newest period first, then by key
        return sorted(rows, key=lambda d: d.key.period, reverse=True)

    def transitions(self, key: DeliveryKey) -> list[Transition]:
        rows = self._query(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :t)",
            ConsistentRead=True,
            ExpressionAttributeValues=typed({":pk": f"{self.prefix}DELIVERY#{key}", ":t": "T#"}),
        )
        return [
            Transition(
                key=key,
                from_state=r.get("from_state"),
                to_state=r["to_state"],
                at=r["at"],
                run_id=r["run_id"],
                detail=r["detail"],
            )
            for r in rows
        ]

    # -- events and suppressions
    # ---------------------------------------------------------------------------

    def record_events(
        self, events: list[DeliveryEvent], protected: frozenset[str] = frozenset()
    ) -> list[EventOutcome]:
        # item by item: every event was validated before this, and a repeated file changes nothing
        return [self._record_event(event, protected) for event in events]

    def _record_event(self, event: DeliveryEvent, protected: frozenset[str]) -> EventOutcome:
        pointer = self._get(f"MESSAGE#{event.transport_id}", "MESSAGE")
        key = pointer["key"] if pointer else None
        try:
            self.db.put_item(
                **self._put(
                    {
                        "pk": f"EVENT#{event.id}",
                        "sk": "EVENT",
                        "kind": "event",
                        "event_kind": event.kind,
                        "transport_id": event.transport_id,
                        "recipients": list(event.recipients) or None,
                        "at": event.at,
                        "permanent": event.permanent,
                        "detail": event.detail,
                        "key": key,
                    },
                    "attribute_not_exists(pk)",
                )
            )
        except ClientError as exc:
            if cancelled_by_condition(exc):
                return EventOutcome(DeliveryKey.parse(key) if key else None, False)
            raise
        delivery = (
            self._get(pointer.get("delivery_pk", f"DELIVERY#{key}"), "STATE") if pointer else None
        )
        sent_to = {a.lower() for a in delivery["recipients"]} if delivery else set()
        kept = {a.lower() for a in delivery.get("protected") or ()} if delivery else set()
        suppressed, spared = to_suppress(event, sent_to, protected | kept)
        for address in suppressed:
            self.suppress(address, event.kind, event.at, event.detail)
        return EventOutcome(
            key=DeliveryKey.parse(key) if key else None,
            new=True,
            suppressed=suppressed,
            protected=spared,
        )

    def suppress(self, address: str, reason: str, at: str, detail: str = "") -> None:
        try:
            self.db.put_item(
                **self._put(
                    {
                        "pk": "SUPPRESSION",
                        "sk": address.lower(),
                        "reason": reason,
                        "at": at,
                        "detail": detail,
                    },
                    "attribute_not_exists(pk)",
                )
            )
        except ClientError as exc:
            if not cancelled_by_condition(exc):
                raise

    def suppressions(self) -> list[Suppression]:
        rows = self._query(
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues=typed({":pk": "SUPPRESSION"}),
        )
        return [
            Suppression(address=r["sk"], reason=r["reason"], at=r["at"], detail=r["detail"])
            for r in rows
        ]

    def suppressed(self) -> set[str]:
        return {s.address for s in self.suppressions()}

    def unsuppress(self, address: str) -> bool:
        reply = self.db.delete_item(
            TableName=self.table,
            Key=typed({"pk": "SUPPRESSION", "sk": address.lower()}),
            ReturnValues="ALL_OLD",
        )
        return "Attributes" in reply

    # -- what a sent pack recorded
    # -----------------------------------------------------------------------------------------

    def record_pack(self, made_in: str, entries: list[PackEntry]) -> bool:
        """One item, written once: the first recording of a period stands."""
        item = {
            "pk": f"{self.prefix}PACK#{made_in}",
            "sk": "PACK",
            "kind": "pack",
            "scope": self.scope,
            "entries": packed(entries),
            "at": now(),
        }
        try:
            self.db.put_item(**self._put(item, "attribute_not_exists(pk)"))
        except ClientError as exc:
            if aws.error_code(exc) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def pack_entries(self, made_in: list[str]) -> list[PackEntry]:
        found = []
        for period in sorted(made_in):
            item = self._get(f"{self.prefix}PACK#{period}", "PACK")
            if item:
                found += sorted(
                    unpacked(period, item["entries"]), key=lambda e: (e.series, e.target)
                )
        return found

    def close(self) -> None:
        self.db.close()
