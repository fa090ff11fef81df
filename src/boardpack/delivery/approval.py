"""Approval: whether a pack is held until an approver says send (`[approval] hold_on`), the note a
held delivery keeps, and the drafts the approvers get — the very messages, marked as drafts.

A held delivery's detail says until when, why, and the day the pack was built as of, so
`boardpack approve` rebuilds exactly what was drafted (and refuses if it no longer is).
"""

from __future__ import annotations

import base64
import email
import hashlib
import hmac
import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from email.policy import SMTP
from urllib.parse import quote

from boardpack.audit.keys import DeliveryKey
from boardpack.config import Approval
from boardpack.delivery.addresses import bare
from boardpack.delivery.message import OutgoingMessage, Recipients, message_id
from boardpack.figures import plural
from boardpack.model import SEVERITY_RANK, Portfolio, Results

BUILT = re.compile(r"\(built as of (\d{4}-\d{2}-\d{2})\)$")
BODY = re.compile(r"(<body[^>]*>)")  # where the draft's banner goes
DRAFT = "draft."  # a draft's report id in its delivery key: draft.cfo


class LinkRefused(Exception):
    """An approval link that may not act: `status` 403 (no token, or not ours), 410 (expired, or
    what it approved is no longer held as it was)."""

    def __init__(self, status: int, why: str):
        super().__init__(why)
        self.status = status


@dataclass(frozen=True)
class Claims:
    """What an approval link may do: decide these reports of this period, while what they say is
    what was drafted (`content`), until `expires` (epoch seconds)."""

    period: str
    reports: tuple[str, ...]
    content: str
    expires: int
    scope: str = ""  # the portfolio, in a fan-out deployment

    def sign(self, secret: str) -> str:
        body = b64(json.dumps(vars(self) | {"reports": list(self.reports)}, sort_keys=True))
        return f"{body}.{b64(mac(secret, body))}"

    @classmethod
    def verified(cls, secret: str, token: str | None, now: datetime) -> Claims:
        body, _, signature = (token or "").partition(".")
        if not (body.isascii() and signature.isascii()) or not body:  # ours are base64 text
            raise LinkRefused(403, "this link is not one boardpack signed")
        if not hmac.compare_digest(signature.encode(), b64(mac(secret, body)).encode()):
            raise LinkRefused(403, "this link is not one boardpack signed")
        fields = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        claims = cls(**fields | {"reports": tuple(fields["reports"])})
        if now.timestamp() > claims.expires:
            raise LinkRefused(410, "this link has expired: use boardpack approve or reject")
        return claims


def b64(data: str | bytes) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def mac(secret: str, body: str) -> bytes:
    return hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()


def content_of(held: list[tuple[str, str]]) -> str:
    """One digest of the held deliveries' keys and content hashes: a link acts only while they
    are still held, saying the same."""
    return hashlib.sha256("\n".join(sorted(f"{k} {c}" for k, c in held)).encode()).hexdigest()


def linker(url: str, secret: str, until: datetime, scope: str) -> Callable:
    """The approval link of a draft of `report`: the page at `url` (a Lambda function URL) that
    asks approve or reject, its token bound to the period, the report and what it says."""

    def link(period: str, report: str, held: list[OutgoingMessage]) -> str:
        claims = Claims(
            period,
            (report,),
            content_of([(str(m.key), m.content_hash) for m in held if m.key.report == report]),
            int(until.timestamp()),
            scope,
        )
        return f"{url.rstrip('/')}/?token={quote(claims.sign(secret))}"

    return link


def reasons(approval: Approval, portfolio: Portfolio, results: Results) -> list[str]:
    """Why this pack waits for approval; empty when none of `hold_on` applies."""
    on = approval.hold_on
    if on is None:
        return ["every pack waits for approval ([approval] names no hold_on)"]
    why = []
    if on.stale_source:
        why += [
            f"the {s.name} source is stale"
            for s in portfolio.sources.values()
            if s.configured and s.state(portfolio.period) == "stale"
        ]
    uncategorized = results.metrics.get("accounting.uncategorized_count")
    if on.uncategorized_above is not None and uncategorized and uncategorized.value:
        if uncategorized.value > on.uncategorized_above:
            why.append(
                f"{plural(uncategorized.value, 'ledger row')} without an account (more than"
                f" {on.uncategorized_above})"
            )
    if on.failed_analysis:
        why += [f"the {name} analysis failed" for name in results.failures]
    if on.untied_balance:
        why += [
            f"{t.account} does not tie out to the bank on {t.date}"
            for t in portfolio.tie_outs
            if t.difference
        ]
    if on.severity:
        bad = [
            f for f in results.findings if SEVERITY_RANK[f.severity] <= SEVERITY_RANK[on.severity]
        ]
        if bad:
            why.append(
                f"{plural(len(bad), 'finding')} of {on.severity} severity or worse"
                f" ({bad[0].title.rstrip('.')}{', …' if len(bad) > 1 else ''})"
            )
    return why


def hold_detail(why: list[str], until: datetime, as_of: date) -> str:
    return (
        f"held for approval until {until:%Y-%m-%d %H:%M %Z}: {'; '.join(why)} (built as of {as_of})"
    )


def built_as_of(detail: str) -> date | None:
    """The day a held pack was built as of, from its detail (None: not a hold's detail)."""
    found = BUILT.search(detail)
    return date.fromisoformat(found[1]) if found else None


def drafts(
    approval: Approval,
    held: list[OutgoingMessage],
    why: list[str],
    until: datetime,
    period_title: str,
    link: Callable | None = None,
) -> list[OutgoingMessage]:
    """One draft to the approvers of each distinct message held (readers told the same share one):
    the message's own bytes, addressed to the approvers (the audit copy too), its subject and body
    marked; with `link` (on AWS), a link to approve or reject it online."""
    to = Recipients(tuple(approval.approvers), (), held[0].recipients.bcc if held else ())
    readers: dict[tuple[str, str], list[str]] = {}
    first: dict[tuple[str, str], OutgoingMessage] = {}
    for m in held:
        same = (m.key.report, m.content_hash)
        first.setdefault(same, m)
        readers.setdefault(same, []).extend(bare(a) for a in m.recipients.to + m.recipients.cc)
    return [
        draft(
            m,
            to,
            readers[same],
            why,
            until,
            period_title,
            approval.auto_release,
            link(m.key.period, m.key.report, held) if link else "",
        )
        for same, m in first.items()
    ]


def draft(
    message: OutgoingMessage,
    approvers: Recipients,
    readers: list[str],
    why: list[str],
    until: datetime,
    period_title: str,
    auto_release: bool,
    online: str = "",
) -> OutgoingMessage:
    period, report = message.key.period, message.key.report
    # a new draft for new content: the same content is never drafted twice
    key = DeliveryKey.of(
        period, DRAFT + report, (*approvers.envelope(), f"content:{message.content_hash}")
    )
    after = "it is sent" if auto_release else "it stays held and the owner is alerted"
    lines = [
        "DRAFT FOR APPROVAL: not sent yet.",
        f"This is the {report} report for {period_title} as {', '.join(dict.fromkeys(readers))}"
        " will receive it.",
        f"Held because: {'; '.join(why)}.",
        f"To send it: boardpack approve {period} --report {report}",
        f"To drop it: boardpack reject {period} --report {report}",
        f"Without a decision by {until:%Y-%m-%d %H:%M %Z}, {after}.",
    ]
    if online:
        lines.insert(3, f"Approve or reject online: {online}")
    parsed = email.message_from_bytes(message.raw, policy=SMTP)
    subject = f"[Draft for approval] {message.subject}"
    mid = message_id(key, message.sender)
    for name, value in (
        ("To", ", ".join(approvers.to)),
        ("Subject", subject),
        ("Message-ID", mid),
        ("X-Boardpack-Delivery", str(key)),
        ("X-Boardpack-Draft-Of", str(message.key)),
    ):
        del parsed[name]
        parsed[name] = value
    del parsed["Cc"]
    text = parsed.get_body(preferencelist=("plain",))
    text.set_content("\n".join(lines) + "\n\n" + text.get_content(), charset="utf-8")
    part = parsed.get_body(preferencelist=("html",))
    shown = [f"<strong>{html.escape(lines[0])}</strong>"] + [html.escape(x) for x in lines[1:]]
    if online:
        shown[3] = f'<a href="{html.escape(online)}">Approve or reject it online</a>'
    banner = (
        '<div style="border:2px solid #b45309;background:#fffbeb;color:#111827;padding:10px 12px;'
        'margin:0 0 12px 0;font:14px/1.5 sans-serif">' + "<br>".join(shown) + "</div>"
    )
    part.set_content(
        BODY.sub(lambda m: m[1] + banner, part.get_content(), count=1),
        subtype="html",
        charset="utf-8",
    )
    return OutgoingMessage(
        key=key,
        sender=message.sender,
        recipients=approvers,
        subject=subject,
        message_id=mid,
        content_hash=message.content_hash,
        raw=parsed.as_bytes(),
    )
