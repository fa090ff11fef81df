"""The DynamoDB audit store: one table, claims by conditional writes, each state change and its
transition row written in one transaction.

Items (pk, sk):
    DELIVERY#<key>, STATE              the delivery (GSI `period` lists a period's deliveries)
    DELIVERY#<key>, T#<at>#<n>         one row per transition
    RUN#<id>, RUN                      a run
    EVENT#<id>, EVENT                  an SES notification (written once)
    MESSAGE#<ses message id>, MESSAGE  points a provider message id back to its delivery
    SUPPRESSION, <address>             an address never sent to again
"""

from __future__ import annotations

import uuid

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import BotoCoreError, ClientError

from boardpack import aws
from boardpack.audit.store import (
    CLAIMABLE,
    DeliveryEvent,
    DeliveryRecord,
    Intent,
    RunRecord,
    State,
    Suppression,
    Transition,
    now,
)
from boardpack.config import Workspace
from boardpack.delivery.message import DeliveryKey
from boardpack.errors import WorkspaceError

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
    return code == "TransactionCanceledException" and any(r.get("Code") == "ConditionalCheckFailed" for r in reasons)


class DynamoAuditStore:
    def __init__(self, client, table: str):
        self.db, self.table = client, table

    @classmethod
    def for_workspace(cls, workspace: Workspace) -> DynamoAuditStore:
        audit = workspace.settings.audit
        store = cls(aws.client(workspace, "dynamodb", audit.region), audit.table)
        try:
            store.ensure_table()
        except (ClientError, BotoCoreError) as exc:
            raise WorkspaceError(f"audit.table = {audit.table!r}: cannot use the DynamoDB table "
                                 f"({aws.error_code(exc)}: {aws.error_message(exc)})") from None
        return store

    def ensure_table(self) -> None:
        try:
            self.db.describe_table(TableName=self.table)
            return
        except ClientError as exc:
            if aws.error_code(exc) != "ResourceNotFoundException":
                raise
        self.db.create_table(
            TableName=self.table, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk", "period")],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            GlobalSecondaryIndexes=[{"IndexName": "period", "Projection": {"ProjectionType": "ALL"},
                                     "KeySchema": [{"AttributeName": "period", "KeyType": "HASH"},
                                                   {"AttributeName": "pk", "KeyType": "RANGE"}]}])
        self.db.get_waiter("table_exists").wait(TableName=self.table, WaiterConfig={"Delay": 1, "MaxAttempts": 60})

    # -- helpers -----------------------------------------------------------------------------------------

    def _put(self, item: dict, condition: str | None = None) -> dict:
        op = {"TableName": self.table, "Item": typed(item)}
        return op | ({"ConditionExpression": condition} if condition else {})

    def _transition(self, key: DeliveryKey, before: str | None, after: str, at: str, run_id: str, detail: str) -> dict:
        return {"Put": self._put({"pk": f"DELIVERY#{key}", "sk": f"T#{at}#{uuid.uuid4().hex[:8]}",
                                  "from_state": before, "to_state": after, "at": at, "run_id": run_id,
                                  "detail": detail})}

    def _get(self, pk: str, sk: str) -> dict | None:
        found = self.db.get_item(TableName=self.table, Key=typed({"pk": pk, "sk": sk}), ConsistentRead=True)
        return plain(found["Item"]) if "Item" in found else None

    def _state(self, key: DeliveryKey) -> str | None:
        item = self._get(f"DELIVERY#{key}", "STATE")
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
        items, start = [], {}
        while True:
            page = self.db.scan(TableName=self.table, FilterExpression="kind = :k",
                                ExpressionAttributeValues=typed({":k": kind}), **start)
            items += [plain(i) for i in page["Items"]]
            if "LastEvaluatedKey" not in page:
                return items
            start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}

    # -- runs --------------------------------------------------------------------------------------------

    def start_run(self, run_id: str, command: str, period: str) -> None:
        self.db.put_item(**self._put({"pk": f"RUN#{run_id}", "sk": "RUN", "kind": "run", "id": run_id,
                                      "command": command, "period_label": period, "started_at": now(),
                                      "status": "running", "summary": "", "alert": ""}))

    def finish_run(self, run_id: str, status: str, summary: str) -> None:
        self.db.update_item(TableName=self.table, Key=typed({"pk": f"RUN#{run_id}", "sk": "RUN"}),
                            UpdateExpression="SET finished_at = :f, #s = :s, summary = :m",
                            ExpressionAttributeNames={"#s": "status"},
                            ExpressionAttributeValues=typed({":f": now(), ":s": status, ":m": summary}))

    def set_alert(self, run_id: str, alert: str) -> None:
        self.db.update_item(TableName=self.table, Key=typed({"pk": f"RUN#{run_id}", "sk": "RUN"}),
                            UpdateExpression="SET alert = :a", ExpressionAttributeValues=typed({":a": alert}))

    def runs(self, limit: int = 20) -> list[RunRecord]:
        rows = sorted(self._scan("run"), key=lambda r: (r["started_at"], r["id"]), reverse=True)[:limit]
        return [RunRecord(r["id"], r["command"], r["period_label"], r["started_at"], r.get("finished_at"),
                          r["status"], r["summary"], r.get("alert", "")) for r in rows]

    # -- deliveries --------------------------------------------------------------------------------------

    def plan(self, intents: list[Intent], run_id: str) -> list[State]:
        return [self._plan(i, run_id) for i in intents]

    def _plan(self, intent: Intent, run_id: str) -> State:
        at, key = now(), intent.key
        item = {"pk": f"DELIVERY#{key}", "sk": "STATE", "kind": "delivery", "key": str(key), "period": key.period,
                "report": key.report, "recipients": list(intent.recipients), "subject": intent.subject,
                "message_id": intent.message_id, "content_hash": intent.content_hash, "state": "planned",
                "attempts": 0, "updated_at": at, "detail": "", "transport_id": "", "owner": ""}
        try:
            self.db.transact_write_items(TransactItems=[
                {"Put": self._put(item, "attribute_not_exists(pk)")},
                self._transition(key, None, "planned", at, run_id, "")])
        except ClientError as exc:
            if not cancelled_by_condition(exc):
                raise
            return self._state(key)
        return "planned"

    def claim(self, key: DeliveryKey, run_id: str, owner: str, include_unknown: bool = False) -> bool:
        at = now()
        before = self._state(key)
        if before not in CLAIMABLE + (("unknown",) if include_unknown else ()):
            return False
        try:  # the condition makes read-then-write atomic: it fails if anyone changed the state meanwhile
            self.db.transact_write_items(TransactItems=[
                {"Update": {"TableName": self.table, "Key": typed({"pk": f"DELIVERY#{key}", "sk": "STATE"}),
                            "UpdateExpression": "SET #s = :sending, attempts = attempts + :one, #o = :owner, "
                                                "updated_at = :at",
                            "ConditionExpression": "#s = :before",
                            "ExpressionAttributeNames": {"#s": "state", "#o": "owner"},
                            "ExpressionAttributeValues": typed({":sending": "sending", ":one": 1, ":owner": owner,
                                                                ":at": at, ":before": before})}},
                self._transition(key, before, "sending", at, run_id, owner)])
        except ClientError as exc:
            if cancelled_by_condition(exc):
                return False  # someone else claimed it between our read and our write
            raise
        return True

    def record(self, key: DeliveryKey, state: State, run_id: str, detail: str = "", transport_id: str = "") -> None:
        at = now()
        before = self._state(key)
        items = [
            {"Update": {"TableName": self.table, "Key": typed({"pk": f"DELIVERY#{key}", "sk": "STATE"}),
                        "UpdateExpression": "SET #s = :state, detail = :detail, transport_id = :tid, updated_at = :at",
                        "ConditionExpression": "#s = :before",
                        "ExpressionAttributeNames": {"#s": "state"},
                        "ExpressionAttributeValues": typed({":state": state, ":detail": detail, ":tid": transport_id,
                                                            ":at": at, ":before": before})}},
            self._transition(key, before, state, at, run_id, detail)]
        if transport_id:
            items.append({"Put": self._put({"pk": f"MESSAGE#{transport_id}", "sk": "MESSAGE", "key": str(key)})})
        self.db.transact_write_items(TransactItems=items)

    def _record_of(self, r: dict) -> DeliveryRecord:
        return DeliveryRecord(DeliveryKey.parse(r["key"]), r["state"], tuple(r["recipients"]), r["subject"],
                              r["message_id"], r["content_hash"], int(r["attempts"]), r["updated_at"], r["detail"],
                              r["transport_id"], r["owner"])

    def deliveries(self, period: str | None = None) -> list[DeliveryRecord]:
        if period:
            rows = self._query(IndexName="period", KeyConditionExpression="period = :p",
                               ExpressionAttributeValues=typed({":p": period}))
            return sorted((self._record_of(r) for r in rows), key=lambda d: str(d.key))
        rows = sorted((self._record_of(r) for r in self._scan("delivery")), key=lambda d: str(d.key))
        return sorted(rows, key=lambda d: d.key.period, reverse=True)  # stable: newest period first, then by key

    def transitions(self, key: DeliveryKey) -> list[Transition]:
        rows = self._query(KeyConditionExpression="pk = :pk AND begins_with(sk, :t)", ConsistentRead=True,
                           ExpressionAttributeValues=typed({":pk": f"DELIVERY#{key}", ":t": "T#"}))
        return [Transition(key, r.get("from_state"), r["to_state"], r["at"], r["run_id"], r["detail"]) for r in rows]

    # -- events and suppressions ---------------------------------------------------------------------------

    def record_event(self, event: DeliveryEvent) -> tuple[DeliveryKey | None, bool]:
        pointer = self._get(f"MESSAGE#{event.transport_id}", "MESSAGE")
        key = pointer["key"] if pointer else None
        try:
            self.db.put_item(**self._put({"pk": f"EVENT#{event.id}", "sk": "EVENT", "kind": "event",
                                          "event_kind": event.kind, "transport_id": event.transport_id,
                                          "recipients": list(event.recipients) or None, "at": event.at,
                                          "permanent": event.permanent, "detail": event.detail, "key": key},
                                         "attribute_not_exists(pk)"))
        except ClientError as exc:
            if cancelled_by_condition(exc):
                return (DeliveryKey.parse(key) if key else None), False
            raise
        if event.permanent:
            for address in event.recipients:
                try:
                    self.db.put_item(**self._put({"pk": "SUPPRESSION", "sk": address.lower(), "reason": event.kind,
                                                  "at": event.at, "detail": event.detail},
                                                 "attribute_not_exists(pk)"))
                except ClientError as exc:
                    if not cancelled_by_condition(exc):
                        raise
        return (DeliveryKey.parse(key) if key else None), True

    def suppressions(self) -> list[Suppression]:
        rows = self._query(KeyConditionExpression="pk = :pk", ExpressionAttributeValues=typed({":pk": "SUPPRESSION"}))
        return [Suppression(r["sk"], r["reason"], r["at"], r["detail"]) for r in rows]

    def suppressed(self) -> set[str]:
        return {s.address for s in self.suppressions()}

    def unsuppress(self, address: str) -> bool:
        reply = self.db.delete_item(TableName=self.table, Key=typed({"pk": "SUPPRESSION", "sk": address.lower()}),
                                    ReturnValues="ALL_OLD")
        return "Attributes" in reply

    def close(self) -> None:
        self.db.close()
