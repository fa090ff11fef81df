"""SES notifications about sent mail — bounces, complaints, deliveries — into the audit store.

Accepted shapes, alone, in a JSON array or as JSON Lines:
  - an identity notification (`notificationType`) or a configuration-set event (`eventType`);
  - either one inside an SNS envelope (`Type: Notification`, `Message` a JSON string);
  - a Lambda event from SNS (`Records[].Sns.Message`) or SQS (`Records[].body`).
A notification is matched to its delivery by SES message id. A permanent bounce or a complaint puts
the recipients of that message it names on the suppression list. Fields we do not know are ignored;
ones we need are checked.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from boardpack.audit.store import AuditStore, DeliveryEvent
from boardpack.delivery.addresses import bare
from boardpack.errors import WorkspaceError

MAX_BYTES = 10_000_000  # one file or Lambda event of notifications
MAX_DEPTH = 32  # SES nests four levels; an SNS or Lambda envelope adds three
# the part of each notification that lists its recipients, and where they are
RECIPIENTS = {
    "bounce": ("bounce", "bouncedRecipients"),
    "complaint": ("complaint", "complainedRecipients"),
    "delivery": ("delivery", "recipients"),
    "deliverydelay": ("deliveryDelay", "delayedRecipients"),
}


class _Shape(BaseModel):
    """Fields we use are checked strictly (no number taken for a string, no string for a list); the
    rest is ignored, as SES adds fields over time."""

    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)


Text = Field(default="", max_length=2_000)
Addresses = Field(default=[], max_length=1_000)


class Recipient(_Shape):
    emailAddress: str = Field(min_length=1, max_length=320)
    diagnosticCode: str = Text


class Mail(_Shape):
    messageId: str = Field(min_length=1, max_length=256)
    destination: list[str] = Addresses
    timestamp: str = Field(default="", max_length=64)


class Part(_Shape):
    """The body of a bounce, complaint, delivery or delay: its own recipient list and facts."""

    bounceType: str = Field(default="?", max_length=64)
    bounceSubType: str = Field(default="?", max_length=64)
    complaintFeedbackType: str = Field(default="", max_length=64)
    timestamp: str = Field(default="", max_length=64)
    bouncedRecipients: list[Recipient] = Addresses
    complainedRecipients: list[Recipient] = Addresses
    delayedRecipients: list[Recipient] = Addresses
    recipients: list[str] = Addresses


class Notification(_Shape):
    notificationType: str | None = Field(default=None, max_length=64)
    eventType: str | None = Field(default=None, max_length=64)
    mail: Mail
    bounce: Part | None = None
    complaint: Part | None = None
    delivery: Part | None = None
    deliveryDelay: Part | None = None


@dataclass
class Ingested:
    events: int = 0
    duplicates: int = 0
    matched: int = 0
    unmatched: list[str] = field(default_factory=list)  # SES message ids no delivery has
    suppressed: list[str] = field(default_factory=list)
    # audit or alert addresses that bounced: alert, never suppress
    protected: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # e.g. SNS subscription confirmations


class BadNotification(WorkspaceError):
    pass


def parse_json(text: str, source: str) -> list[Any]:
    """One JSON document, or JSON Lines; errors give the line and column."""
    if len(text) > MAX_BYTES:
        raise BadNotification(
            f"{source}: {len(text):,} characters is more than {MAX_BYTES:,}; split the file"
        )
    try:
        document = json.loads(text)
        return _shallow(document if isinstance(document, list) else [document], source)
    except RecursionError:
        raise BadNotification(
            f"{source}: nested deeper than any notification ({MAX_DEPTH} levels)"
        ) from None
    except json.JSONDecodeError as whole:
        if whole.msg != "Extra data":
            raise BadNotification(
                f"{source}:{whole.lineno}:{whole.colno}: not valid JSON ({whole.msg}); "
                "is the file complete?"
            ) from None
    documents = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                documents.append(json.loads(line))
            except RecursionError:
                raise BadNotification(
                    f"{source}:{number}: nested deeper than any notification"
                ) from None
            except json.JSONDecodeError as exc:
                raise BadNotification(
                    f"{source}:{number}:{exc.colno}: not valid JSON ({exc.msg})"
                ) from None
    return _shallow(documents, source)


def _shallow(documents: list[Any], source: str) -> list[Any]:
    """The documents, once none nests deeper than MAX_DEPTH (walked without recursion)."""
    stack = [(d, 1) for d in documents]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise BadNotification(
                f"{source}: nested deeper than any notification ({MAX_DEPTH} levels)"
            )
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            stack += [(child, depth + 1) for child in value]
    return documents


def unwrap(item: Any, where: str) -> list[tuple[str | None, Any]]:
    """(SNS message id or None, SES notification) pairs from any accepted shape."""
    if not isinstance(item, dict):
        raise BadNotification(f"{where}: expected a JSON object, found {type(item).__name__}")
    if "Records" in item:
        if not isinstance(item["Records"], list):
            raise BadNotification(f"{where}: Records is not a list")
        out = []
        for i, record in enumerate(item["Records"]):
            inner = record.get("Sns") or record.get("body") if isinstance(record, dict) else None
            if isinstance(inner, str):
                inner = _loads(inner, f"{where}: Records[{i}].body")
            out += unwrap(inner, f"{where}: Records[{i}]")
        return out
    if "Type" in item and "Message" in item:  # an SNS envelope
        if item["Type"] == "SubscriptionConfirmation":
            return [
                (
                    None,
                    {
                        "_skipped": (
                            f"an SNS subscription confirmation for {item.get('TopicArn', '?')}:"
                            " confirm it by opening its SubscribeURL yourself (boardpack never"
                            " fetches it)"
                        )
                    },
                )
            ]
        message, envelope_id = item["Message"], item.get("MessageId")
        inner = _loads(message, f"{where}: Message") if isinstance(message, str) else message
        return [(envelope_id if isinstance(envelope_id, str) else None, inner)]
    return [(None, item)]


def _loads(text: str, where: str) -> Any:
    """What an envelope carries, as JSON no deeper than a notification; plain text (a console's
    test message) is marked to be skipped, not failed, since no retry would make it one."""
    if not text.lstrip().startswith(("{", "[")):
        shown = " ".join(text.split())[:60]
        return {"_skipped": f"{where}: plain text, not a notification ({shown!r}): skipped"}
    try:
        return _shallow([json.loads(text)], where)[0]
    except RecursionError:
        raise BadNotification(
            f"{where}: nested deeper than any notification ({MAX_DEPTH} levels)"
        ) from None
    except json.JSONDecodeError as exc:
        raise BadNotification(
            f"{where}: not valid JSON inside the envelope ({exc.msg} at column {exc.colno})"
        ) from None


def to_event(envelope_id: str | None, note: Any, where: str) -> DeliveryEvent:
    if not isinstance(note, dict):
        raise BadNotification(f"{where}: expected an SES notification object")
    kind = note.get("notificationType") or note.get("eventType")
    if not isinstance(kind, str):
        raise NotSes(f"{where}: neither notificationType nor eventType: not an SES notification")
    try:
        checked = Notification.model_validate(note)
    except ValidationError as exc:
        first = exc.errors()[0]
        field_name = ".".join(str(p) for p in first["loc"])
        raise BadNotification(
            f"{where}: the {kind} notification's {field_name}: {first['msg']}"
        ) from None
    kind = kind.lower().replace(" ", "")
    part_name, list_key = RECIPIENTS.get(kind, (kind, None))
    body = getattr(checked, part_name, None) if part_name in Notification.model_fields else None
    body = body or Part()
    listed = getattr(body, list_key) if list_key else checked.mail.destination
    # bounce, complaint and delay lists hold {"emailAddress": ...}; delivery and destination lists
    # hold strings
    addresses = [r.emailAddress if isinstance(r, Recipient) else r for r in listed]
    recipients = tuple(bare(a) for a in addresses if a)
    permanent = kind == "complaint" or (kind == "bounce" and body.bounceType == "Permanent")
    detail = ""
    if kind == "bounce":
        detail = f"{body.bounceType}/{body.bounceSubType}"
        code = next(
            (r.diagnosticCode for r in listed if isinstance(r, Recipient) and r.diagnosticCode), ""
        )
        detail += f": {code}" if code else ""
    elif kind == "complaint":
        detail = body.complaintFeedbackType
    identity = envelope_id or hashlib.sha256(json.dumps(note, sort_keys=True).encode()).hexdigest()
    at = body.timestamp or checked.mail.timestamp
    return DeliveryEvent(
        id=identity,
        kind=kind,
        transport_id=checked.mail.messageId,
        recipients=recipients,
        at=at,
        permanent=permanent,
        detail=detail,
    )


def parse(text: str, source: str) -> tuple[list[DeliveryEvent], list[str]]:
    """Every event in the text, or an error naming the first bad one (nothing is stored then)."""
    return collect(parse_json(text, source), f"{source}: notification")


def collect(
    items: list[Any], where: str, start: int = 1
) -> tuple[list[DeliveryEvent], list[str]]:
    """Each item's events; the item is named `<where> <n>`, counted from `start`."""
    events, skipped = [], []
    for n, item in enumerate(items, start=start):
        named = f"{where} {n}"
        for envelope_id, note in unwrap(item, named):
            if isinstance(note, dict) and "_skipped" in note:
                skipped.append(note["_skipped"])
            else:
                events.append(to_event(envelope_id, note, named))
    return events, skipped


class NotSes(BadNotification):
    """Valid JSON, but not an SES notification (no notificationType or eventType)."""


def lambda_records(event: Any) -> tuple[list[DeliveryEvent], list[str], list[str]]:
    """A Lambda batch (SNS or SQS) record by record: (events, notes on records skipped, ids of bad
    records).

    Each record stands alone: one that is not an SES notification is skipped and noted; one that is
    bad is reported by id (SQS's `batchItemFailures`, so that only it is retried) while the good
    ones are kept.
    """
    if not isinstance(event, dict) or not isinstance(event.get("Records"), list):
        try:
            return (*collect(_shallow([event], "lambda event"), "lambda event"), [])
        except BadNotification as exc:  # not a batch: nothing to retry record by record
            return [], [f"{exc}: skipped"], []
    events, skipped, failed = [], [], []
    for n, record in enumerate(event["Records"]):
        ident = record_id(record)
        try:
            found, notes = collect(
                _shallow([{"Records": [record]}], f"lambda record {n}"), "lambda record", n
            )
        except NotSes as exc:
            skipped.append(str(exc))
            continue
        except BadNotification as exc:
            failed.append(str(ident or n))
            skipped.append(f"{exc} (reported as a batch item failure)")
            continue
        events += found
        skipped += notes
    return events, skipped, failed


def record_id(record: Any) -> str | None:
    """An SQS record's messageId, or an SNS record's MessageId: what a batch failure names."""
    if not isinstance(record, dict):
        return None
    sns = record.get("Sns")
    found = record.get("messageId") or (sns.get("MessageId") if isinstance(sns, dict) else None)
    return found if isinstance(found, str) else None


def ingest(
    store: AuditStore,
    events: list[DeliveryEvent],
    skipped: list[str] = (),
    protected: frozenset[str] = frozenset(),
) -> Ingested:
    """Store the events; `protected` (the audit and alert addresses) are never suppressed, only
    reported."""
    result = Ingested(skipped=list(skipped))
    for event, outcome in zip(events, store.record_events(events, protected)):
        if not outcome.new:
            result.duplicates += 1
            continue
        result.events += 1
        if outcome.key is None:
            result.unmatched.append(event.transport_id)
        else:
            result.matched += 1
        result.suppressed += [a for a in outcome.suppressed if a not in result.suppressed]
        result.protected += [a for a in outcome.protected if a not in result.protected]
    return result


def protected_addresses(workspace) -> frozenset[str]:
    """The audit copy's and the alerts' addresses: a bounce for one of them must reach the owner,
    not silence it."""
    settings, env = workspace.settings, workspace.env
    listed = [*settings.delivery.bcc, *([env.bcc_address] if env.bcc_address else [])]
    listed += [settings.alerts.email] if settings.alerts.email else []
    return frozenset(bare(a) for a in listed)
