"""SES notifications about sent mail — bounces, complaints, deliveries — into the audit store.

Accepted shapes, alone, in a JSON array or as JSON Lines:
  - an identity notification (`notificationType`) or a configuration-set event (`eventType`);
  - either one inside an SNS envelope (`Type: Notification`, `Message` a JSON string);
  - a Lambda event from SNS (`Records[].Sns.Message`) or SQS (`Records[].body`).
A notification is matched to its delivery by SES message id. A permanent bounce or a complaint puts the
recipients on the suppression list. Fields we do not know are ignored; ones we need are checked.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from boardpack.audit.store import AuditStore, DeliveryEvent
from boardpack.delivery.addresses import bare
from boardpack.errors import WorkspaceError

# the part of each notification that lists its recipients, and where they are
RECIPIENTS = {"bounce": ("bounce", "bouncedRecipients"), "complaint": ("complaint", "complainedRecipients"),
              "delivery": ("delivery", "recipients"), "deliverydelay": ("deliveryDelay", "delayedRecipients")}


@dataclass
class Ingested:
    events: int = 0
    duplicates: int = 0
    matched: int = 0
    unmatched: list[str] = field(default_factory=list)  # SES message ids no delivery has
    suppressed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # e.g. SNS subscription confirmations


class BadNotification(WorkspaceError):
    pass


def parse_json(text: str, source: str) -> list[Any]:
    """One JSON document, or JSON Lines; errors give the line and column."""
    try:
        document = json.loads(text)
        return document if isinstance(document, list) else [document]
    except json.JSONDecodeError as whole:
        if whole.msg != "Extra data":
            raise BadNotification(f"{source}:{whole.lineno}:{whole.colno}: not valid JSON ({whole.msg}); "
                                  "is the file complete?") from None
    documents = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                documents.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise BadNotification(f"{source}:{number}:{exc.colno}: not valid JSON ({exc.msg})") from None
    return documents


def unwrap(item: Any, where: str) -> list[tuple[str | None, Any]]:
    """(SNS message id or None, SES notification) pairs from any accepted shape."""
    if not isinstance(item, dict):
        raise BadNotification(f"{where}: expected a JSON object, found {type(item).__name__}")
    if "Records" in item:
        out = []
        for i, record in enumerate(item["Records"]):
            inner = record.get("Sns") or record.get("body") if isinstance(record, dict) else None
            if isinstance(inner, str):
                inner = _loads(inner, f"{where}: Records[{i}].body")
            out += unwrap(inner, f"{where}: Records[{i}]")
        return out
    if "Type" in item and "Message" in item:  # an SNS envelope
        if item["Type"] == "SubscriptionConfirmation":
            return [(None, {"_skipped": f"an SNS subscription confirmation for {item.get('TopicArn', '?')}: confirm "
                                        "it by opening its SubscribeURL yourself (boardpack never fetches it)"})]
        message = item["Message"]
        inner = _loads(message, f"{where}: Message") if isinstance(message, str) else message
        return [(item.get("MessageId"), inner)]
    return [(None, item)]


def _loads(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadNotification(f"{where}: not valid JSON inside the envelope ({exc.msg} at column {exc.colno})") from None


def to_event(envelope_id: str | None, note: dict, where: str) -> DeliveryEvent:
    if not isinstance(note, dict):
        raise BadNotification(f"{where}: expected an SES notification object")
    kind = note.get("notificationType") or note.get("eventType")
    if not isinstance(kind, str):
        raise BadNotification(f"{where}: neither notificationType nor eventType: is this an SES notification?")
    mail = note.get("mail")
    if not isinstance(mail, dict) or not isinstance(mail.get("messageId"), str):
        raise BadNotification(f"{where}: the {kind} notification has no mail.messageId")
    kind = kind.lower().replace(" ", "")
    part, list_key = RECIPIENTS.get(kind, (kind, None))
    body = note.get(part) if isinstance(note.get(part), dict) else {}
    listed = body.get(list_key, []) if list_key else mail.get("destination", [])
    # bounce and complaint lists hold {"emailAddress": ...}; delivery and destination lists hold strings
    addresses = [r.get("emailAddress") if isinstance(r, dict) else r for r in listed]
    recipients = tuple(bare(str(a)) for a in addresses if a)
    permanent = kind == "complaint" or (kind == "bounce" and body.get("bounceType") == "Permanent")
    detail = ""
    if kind == "bounce":
        detail = f"{body.get('bounceType', '?')}/{body.get('bounceSubType', '?')}"
        code = next((r.get("diagnosticCode") for r in listed if isinstance(r, dict) and r.get("diagnosticCode")), "")
        detail += f": {code}" if code else ""
    elif kind == "complaint":
        detail = body.get("complaintFeedbackType", "")
    identity = envelope_id or hashlib.sha256(json.dumps(note, sort_keys=True).encode()).hexdigest()
    at = body.get("timestamp") or mail.get("timestamp") or ""
    return DeliveryEvent(identity, kind, mail["messageId"], recipients, at, permanent, detail)


def parse(text: str, source: str) -> tuple[list[DeliveryEvent], list[str]]:
    """Every event in the text, or an error naming the first bad one (nothing is stored then)."""
    return collect(parse_json(text, source), f"{source}: notification")


def collect(items: list[Any], where: str) -> tuple[list[DeliveryEvent], list[str]]:
    events, skipped = [], []
    for n, item in enumerate(items, start=1):
        for envelope_id, note in unwrap(item, f"{where} {n}"):
            if isinstance(note, dict) and "_skipped" in note:
                skipped.append(note["_skipped"])
            else:
                events.append(to_event(envelope_id, note, f"{where} {n}"))
    return events, skipped


def ingest(store: AuditStore, events: list[DeliveryEvent], skipped: list[str] = ()) -> Ingested:
    result = Ingested(skipped=list(skipped))
    for event in events:
        key, new = store.record_event(event)
        if not new:
            result.duplicates += 1
            continue
        result.events += 1
        if key is None:
            result.unmatched.append(event.transport_id)
        else:
            result.matched += 1
        if event.permanent:
            result.suppressed += [a for a in event.recipients if a not in result.suppressed]
    return result


def lambda_handler(event: dict, context: Any = None) -> dict:
    """The SES events handler under its first name; see `boardpack.schedule.handlers.ses_events`."""
    from boardpack.schedule.handlers import ses_events

    return ses_events(event, context)
