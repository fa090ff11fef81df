"""A report plus its recipients becomes an RFC 5322 message with a deterministic Message-ID."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from boardpack.audit.keys import DeliveryKey
from boardpack.delivery.addresses import bare, domain_of, safe_header


@dataclass(frozen=True)
class Recipients:
    to: tuple[str, ...]
    cc: tuple[str, ...] = ()
    bcc: tuple[str, ...] = ()  # the audit copy: in the envelope, never in a header

    def envelope(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for address in self.to + self.cc + self.bcc:
            seen.setdefault(bare(address), None)
        return tuple(seen)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Inline:
    cid: str  # without the angle brackets
    subtype: str  # image/<subtype>
    data: bytes


@dataclass(frozen=True)
class OutgoingMessage:
    key: DeliveryKey
    sender: str
    recipients: Recipients
    subject: str
    message_id: str
    content_hash: str
    raw: bytes

    @property
    def envelope(self) -> tuple[str, ...]:
        return self.recipients.envelope()


def message_id(key: DeliveryKey, sender: str) -> str:
    """The same key always gets the same Message-ID, so a receiving server can tell a repeat."""
    token = hashlib.sha256(str(key).encode()).hexdigest()[:32]
    return f"<{key.period}.{key.report}.{token}@{domain_of(sender)}>"


def build_message(
    key: DeliveryKey,
    sender: str,
    recipients: Recipients,
    subject: str,
    text: str,
    html: str,
    content_hash: str,
    sent_at: datetime,
    attachments: tuple[Attachment, ...] = (),
    inline: tuple[Inline, ...] = (),
) -> OutgoingMessage:
    """`attachments`: files (the full report when the HTML part had to be shortened, the PDF);
    `inline`: images the HTML shows by `cid:` (the logo), in a multipart/related with it."""
    msg = EmailMessage(policy=SMTP)
    msg["From"] = safe_header(sender, "delivery.from")
    msg["To"] = ", ".join(safe_header(a, "recipient") for a in recipients.to)
    if recipients.cc:
        msg["Cc"] = ", ".join(safe_header(a, "recipient") for a in recipients.cc)
    msg["Subject"] = safe_header(subject, "subject")
    msg["Date"] = format_datetime(sent_at)
    mid = message_id(key, sender)
    msg["Message-ID"] = mid
    msg["X-Boardpack-Delivery"] = str(key)
    msg.set_content(text, subtype="plain", charset="utf-8")
    msg.add_alternative(html, subtype="html", charset="utf-8")
    html_part = msg.get_body(preferencelist=("html",))
    for image in inline:
        html_part.add_related(
            image.data,
            maintype="image",
            subtype=image.subtype,
            cid=f"<{image.cid}>",
            disposition="inline",
        )
    for a in attachments:
        maintype, subtype = a.content_type.split("/")
        if maintype == "text":
            msg.add_attachment(
                a.data.decode(), subtype=subtype, charset="utf-8", filename=a.filename
            )
        else:
            msg.add_attachment(a.data, maintype=maintype, subtype=subtype, filename=a.filename)
    return OutgoingMessage(
        key=key,
        sender=sender,
        recipients=recipients,
        subject=subject,
        message_id=mid,
        content_hash=content_hash,
        raw=msg.as_bytes(),
    )
