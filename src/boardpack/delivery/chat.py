"""Slack and Microsoft Teams: a summary card of each report (its title, In brief, the key numbers
with their change, the most serious findings, a link to the full report) posted to an incoming
webhook, as a delivery of its own — planned, claimed, sent once, like a message.

`[roles.<id>] slack = true` / `teams = true` asks for it; the webhook URL is a secret and comes
only from the environment: `BOARDPACK_SLACK_WEBHOOK_<REPORT>` (the report id in capitals, `-` as
`_`), else `BOARDPACK_SLACK_WEBHOOK` (and the same for TEAMS). It is never shown: a delivery's
recipient is `slack:` and a digest of the URL.
"""

from __future__ import annotations

import hashlib
import json
import re
from urllib.parse import urlsplit

from boardpack.audit.keys import DeliveryKey
from boardpack.config import Workspace
from boardpack.delivery.message import OutgoingMessage, Recipients
from boardpack.errors import WorkspaceError
from boardpack.model import SEVERITY_RANK
from boardpack.reports.document import Document
from boardpack.reports.plain import Data, blocks_of, content_hash, plain

CHANNELS = ("slack", "teams")
TOP_FINDINGS = 3
BRIEF = 600  # characters of In brief a card quotes
MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>])")  # what Teams' card Markdown would read


WEBHOOK = "@webhook.invalid"  # a chat recipient: slack.<digest>@webhook.invalid (RFC 2606)


def is_chat(message: OutgoingMessage) -> bool:
    return message.recipients.to[0].endswith(WEBHOOK)


def channel_of(message: OutgoingMessage) -> str:
    return message.recipients.to[0].partition(".")[0]


def webhook(workspace: Workspace, channel: str, report: str) -> str:
    """The report's webhook URL for `channel`, from the environment, checked."""
    own = f"BOARDPACK_{channel.upper()}_WEBHOOK_{report.upper().replace('-', '_')}"
    shared = f"BOARDPACK_{channel.upper()}_WEBHOOK"
    url = workspace.env.get(own) or workspace.env.get(shared)
    if not url:
        raise WorkspaceError(
            f"[roles.{report}] {channel} = true, but neither {own} nor {shared} is set: put the"
            f" {channel.capitalize()} incoming webhook's URL in the environment (it is a secret)"
        )
    parts = urlsplit(url)
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        raise WorkspaceError(
            f"{own if workspace.env.get(own) else shared}: a webhook URL must be https://"
        )
    return url


def address(channel: str, url: str) -> str:
    """A chat delivery's recipient, as the audit trail keeps it: the channel and a digest of its
    URL (never the URL), in an address's shape, under a domain that can never receive mail."""
    return f"{channel}.{hashlib.sha256(url.encode()).hexdigest()[:16]}{WEBHOOK}"


def targets(workspace: Workspace, documents: list[Document]):
    """(report, channel, webhook URL) for each card the reports' roles ask for."""
    for doc in documents:
        role = workspace.settings.roles.get(doc.id)
        for channel in CHANNELS:
            if role is not None and getattr(role, channel):
                yield doc, channel, webhook(workspace, channel, doc.id)


def plan_chat(workspace: Workspace, documents: list[Document]) -> list[OutgoingMessage]:
    messages = []
    for doc, channel, url in targets(workspace, documents):
        to = address(channel, url)
        key = DeliveryKey.of(doc.period, doc.id, (to,))
        payload = (slack_card if channel == "slack" else teams_card)(plain(doc))
        messages.append(
            OutgoingMessage(
                key=key,
                sender=channel,
                recipients=Recipients((to,)),
                subject=doc.subject,
                message_id=f"<{key.period}.{key.report}.{key.recipients}@{channel}>",
                content_hash=content_hash(doc),
                raw=json.dumps(payload, ensure_ascii=False).encode(),
            )
        )
    return messages


def webhooks(workspace: Workspace, documents: list[Document]) -> dict[str, str]:
    """Each chat recipient's URL, for the transport that posts to them."""
    return {address(channel, url): url for _, channel, url in targets(workspace, documents)}


def brief(data: Data) -> str:
    text = " ".join(
        b["text"]
        for s in data["sections"]
        if s["id"] == "summary"
        for b in s["blocks"]
        if b["type"] == "text"
    )
    return text if len(text) <= BRIEF else text[: BRIEF - 1].rsplit(" ", 1)[0] + "…"


def serious(data: Data) -> list[Data]:
    found = [f for b in blocks_of(data, "findings") for f in b["items"]]
    return sorted(found, key=lambda f: SEVERITY_RANK[f["severity"]])[:TOP_FINDINGS]


def numbers(data: Data) -> list[tuple[str, str]]:
    """The key numbers, each with its move since the previous period."""
    return [
        (m["label"], m["shown"] + (f" ({m['moves'][0]})" if m["change"] is not None else ""))
        for m in data["headline"]
    ]


def flagged(finding: Data) -> str:
    return f"{finding['severity'].upper()}: {finding['title']}"


def slack_card(doc: Data) -> dict:
    """Block Kit, every text of the workspace's as plain_text (no link or mention can be made)."""
    from slack_sdk.models.blocks import (  # here: most packs send no card, and it is slow to load
        ActionsBlock,
        ButtonElement,
        ContextBlock,
        DividerBlock,
        HeaderBlock,
        PlainTextObject,
        SectionBlock,
    )

    blocks = [HeaderBlock(text=PlainTextObject(text=doc["title"][:150]))]
    if text := brief(doc):
        blocks.append(SectionBlock(text=PlainTextObject(text=text)))
    if figures := numbers(doc):
        blocks.append(
            SectionBlock(
                fields=[
                    PlainTextObject(text=f"{label}\n{value}"[:2000])
                    for label, value in figures[:10]
                ]
            )
        )
    if found := serious(doc):
        blocks.append(DividerBlock())
        blocks += [SectionBlock(text=PlainTextObject(text=flagged(f)[:3000])) for f in found]
    if doc["link"]:
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(text="Read the full report", url=doc["link"], action_id="report")
                ]
            )
        )
    made = f"{doc['period_title']} · boardpack"
    blocks.append(ContextBlock(elements=[PlainTextObject(text=made)]))
    return {"text": doc["subject"], "blocks": [b.to_dict() for b in blocks]}


def teams_card(doc: Data) -> dict:
    """An Adaptive Card (1.4) in the message shape Teams' incoming webhooks take."""

    def said(text: str) -> str:
        return MARKDOWN.sub(r"\\\1", text)

    body: list[dict] = [
        {
            "type": "TextBlock",
            "text": said(doc["title"]),
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
        }
    ]
    if text := brief(doc):
        body.append({"type": "TextBlock", "text": said(text), "wrap": True})
    if figures := numbers(doc):
        body.append(
            {"type": "FactSet", "facts": [{"title": said(k), "value": said(v)} for k, v in figures]}
        )
    body += [{"type": "TextBlock", "text": said(flagged(f)), "wrap": True} for f in serious(doc)]
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if doc["link"]:
        card["actions"] = [
            {"type": "Action.OpenUrl", "title": "Read the full report", "url": doc["link"]}
        ]
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
        ],
    }
