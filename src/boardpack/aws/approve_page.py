"""The approval page behind a Lambda function URL: the link in an approver's draft.

A GET shows what the link would decide and two buttons; only the POST of a button decides, so a
mail scanner that opens every link approves nothing. The token (delivery/approval.Claims) is the
only authentication: signed with BOARDPACK_APPROVAL_SECRET, bound to the period, the reports and
what they say, until the approval window ends. No token or a forged one: 403. Expired, already
decided, or drafted anew since: 410.
"""

from __future__ import annotations

import base64
import html
import os
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from boardpack import pipeline
from boardpack.aws import fanout
from boardpack.aws.workspace import fetch, on_aws, the_workspace
from boardpack.config import Workspace, load_workspace
from boardpack.delivery.approval import Claims, LinkRefused, content_of
from boardpack.errors import WorkspaceError

HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the token never leaves in a Referer
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
}


def handle(event: Any) -> dict:
    http = (event.get("requestContext") or {}).get("http") or {}
    method = http.get("method", "GET")
    if method == "POST":
        body = event.get("body") or ""
        if event.get("isBase64Encoded"):
            body = base64.b64decode(body).decode("utf-8", "replace")
        form = {k: v[0] for k, v in parse_qs(body[:10_000]).items()}
    else:
        form = event.get("queryStringParameters") or {}
    try:
        secret = os.environ.get("BOARDPACK_APPROVAL_SECRET")
        if not secret:
            raise LinkRefused(403, "approval links are not set up here")
        claims = Claims.verified(secret, form.get("token"), datetime.now(UTC))
        workspace = workspace_of(claims.scope)
        still_held(workspace, claims)
        what = f"the {', '.join(claims.reports)} report for {claims.period}"
        if method != "POST":
            return page(200, f"Send {what}?", form=form["token"])
        if form.get("action") not in ("approve", "reject"):  # a POST that chose neither button
            return page(400, "Nothing was decided", "Choose Approve and send, or Reject.")
        approve = form.get("action") == "approve"
        who = f"an approver, through the approval link ({http.get('sourceIp', 'unknown address')})"
        report = pipeline.decide(workspace, claims.period, list(claims.reports), approve, who)
        done = "Sent" if approve else "Rejected"
        return page(200, f"{done}: {what}", f"{report.summary()}. `boardpack runs` has the record.")
    except LinkRefused as exc:
        return page(exc.status, "This link cannot be used", str(exc))
    except WorkspaceError as exc:  # e.g. the report changed since its draft: nothing was sent
        return page(409, "Nothing was sent", str(exc))


def still_held(workspace: Workspace, claims: Claims) -> None:
    store = pipeline.audit_store(workspace)
    try:
        held = [
            (str(d.key), d.content_hash)
            for d in store.deliveries(claims.period)
            if d.state == "held" and d.key.report in claims.reports
        ]
    finally:
        store.close()
    if not held or content_of(held) != claims.content:
        raise LinkRefused(
            410,
            "what this link was for is no longer held as it was drafted: it has been decided,"
            " or drafted anew (use the newest draft's link)",
        )


def workspace_of(scope: str) -> Workspace:
    """This deployment's workspace; in a fan-out deployment, the portfolio the link names."""
    root = os.environ.get("BOARDPACK_PORTFOLIOS")
    if not root:
        return the_workspace()
    uri = fanout.portfolios(root).get(scope)
    if uri is None:
        raise LinkRefused(410, "the portfolio this link names is no longer deployed")
    return on_aws(load_workspace(fetch(uri)), scope=scope, uri=uri)


def page(status: int, title: str, text: str = "", form: str = "") -> dict:
    buttons = (
        '<form method="post">'
        f'<input type="hidden" name="token" value="{html.escape(form)}">'
        '<button name="action" value="approve">Approve and send</button> '
        '<button name="action" value="reject">Reject</button></form>'
        if form
        else ""
    )
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title></head>"
        '<body style="font:16px/1.5 sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem">'
        f"<h1>{html.escape(title)}</h1><p>{html.escape(text)}</p>{buttons}</body></html>"
    )
    return {"statusCode": status, "headers": HEADERS, "body": body}
