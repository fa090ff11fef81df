"""Approval: whether a pack is held until an approver says send (`[approval] hold_on`), the note a
held delivery keeps, and the drafts the approvers get — the very messages, marked as drafts.

A held delivery's detail says until when, why, and the day the pack was built as of, so
`boardpack approve` rebuilds exactly what was drafted (and refuses if it no longer is).
"""

from __future__ import annotations

import email
import html
import re
from datetime import date, datetime
from email.policy import SMTP

from boardpack.audit.keys import DeliveryKey
from boardpack.config import Approval
from boardpack.delivery.addresses import bare
from boardpack.delivery.message import OutgoingMessage, Recipients, message_id
from boardpack.figures import plural
from boardpack.model import SEVERITY_RANK, Portfolio, Results

BUILT = re.compile(r"\(built as of (\d{4}-\d{2}-\d{2})\)$")
BODY = re.compile(r"(<body[^>]*>)")  # where the draft's banner goes
DRAFT = "draft."  # a draft's report id in its delivery key: draft.cfo


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
) -> list[OutgoingMessage]:
    """One draft to the approvers of each distinct message held (readers told the same share one):
    the message's own bytes, addressed to the approvers, its subject and body marked."""
    to = Recipients(tuple(approval.approvers))
    readers: dict[tuple[str, str], list[str]] = {}
    first: dict[tuple[str, str], OutgoingMessage] = {}
    for m in held:
        same = (m.key.report, m.content_hash)
        first.setdefault(same, m)
        readers.setdefault(same, []).extend(bare(a) for a in m.recipients.to + m.recipients.cc)
    return [
        draft(m, to, readers[same], why, until, period_title, approval.auto_release)
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
    banner = (
        '<div style="border:2px solid #b45309;background:#fffbeb;color:#111827;padding:10px 12px;'
        'margin:0 0 12px 0;font:14px/1.5 sans-serif">'
        + "<br>".join(
            f"<strong>{html.escape(line)}</strong>" if i == 0 else html.escape(line)
            for i, line in enumerate(lines)
        )
        + "</div>"
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
