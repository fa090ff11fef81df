"""One alert per run that needs the owner: a failed or unknown delivery, a quota or account stop, a
build error. Sent to every configured channel (SNS topic, email, webhook); a channel that fails is
reported in the run's record, and never takes the run's record with it.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from urllib.parse import urlsplit

from boardpack.config import Workspace
from boardpack.delivery.dispatcher import DispatchReport
from boardpack.errors import BoardpackError
from boardpack.figures import plural


@dataclass
class Alert:
    organization: str
    period: str
    run_id: str
    problems: list[str] = field(default_factory=list)
    suppressed: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def subject(self) -> str:
        return (
            f"[boardpack] {self.organization} {self.period}:"
            f" {plural(len(self.problems), 'problem')}"
            f" need{'s' if len(self.problems) == 1 else ''} attention"
        )

    def text(self) -> str:
        lines = [f"The boardpack run {self.run_id} for {self.period} needs attention:", ""]
        lines += [f"- {p}" for p in self.problems]
        if self.suppressed:
            lines += ["", "Left out because they bounced or complained (on the suppression list):"]
            lines += [
                f"- {report}: {', '.join(addresses)}"
                for report, addresses in self.suppressed.items()
            ]
        lines += [
            "",
            (
                "Details: boardpack runs. A delivery held as `unknown` may have arrived: check with"
                " the recipient before `boardpack send --resend-unknown`."
            ),
        ]
        return "\n".join(lines)

    def as_json(self) -> dict:
        return {
            "source": "boardpack",
            "organization": self.organization,
            "period": self.period,
            "run_id": self.run_id,
            "problems": self.problems,
            "suppressed": {k: list(v) for k, v in self.suppressed.items()},
        }


def alert_for(
    organization: str,
    period: str,
    run_id: str,
    report: DispatchReport | None = None,
    build_errors: list[str] = (),
) -> Alert | None:
    """The run's alert, or None when nothing needs the owner."""
    alert = Alert(
        organization=organization, period=period, run_id=run_id, problems=list(build_errors)
    )
    if report is not None:
        for o in report.outcomes:
            if o.state in ("failed", "unknown") or (o.state == "planned" and not report.stopped):
                alert.problems.append(f"{o.key.report}: {o.state} — {o.detail}")
        if report.stopped:
            waiting = [o.key.report for o in report.outcomes if o.state == "planned"]
            alert.problems.append(
                f"the batch stopped: {report.stopped}"
                + (f" (not sent yet: {', '.join(waiting)})" if waiting else "")
            )
        alert.suppressed = report.suppressed
        if alert.suppressed:  # someone did not get their report: the address needs fixing
            left_out = sorted({a for addresses in alert.suppressed.values() for a in addresses})
            alert.problems.append(
                f"left out of this run (they bounced or complained): {', '.join(left_out)}; fix "
                "the address in boardpack.toml, or `boardpack suppressions --remove ADDRESS`"
            )
    return alert if alert.problems else None


WEBHOOK_SECONDS = 15.0  # the alert's whole exchange with its webhook


def redact_url(url: str) -> str:
    """A webhook URL's path and query often hold its secret: show scheme and host only."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}/…"


def send_alert(workspace: Workspace, alert: Alert) -> str:
    """Deliver to every configured channel; return what happened, one clause per channel. Never
    raises."""
    settings = workspace.settings.alerts
    webhook = workspace.env.get("BOARDPACK_ALERT_WEBHOOK") or settings.webhook
    results = []
    channels = [
        ("sns", settings.sns_topic_arn, _sns),
        ("email", settings.email, _email),
        ("webhook", webhook, _webhook),
    ]
    for name, target, deliver in channels:
        if not target:
            continue
        shown = redact_url(target) if name == "webhook" else target
        try:
            deliver(workspace, target, alert)
            results.append(f"{name} {shown}: sent")
        except Exception as exc:  # an alert that fails is recorded; it must not lose the run
            reason = str(exc) if isinstance(exc, BoardpackError) else f"{type(exc).__name__}: {exc}"
            results.append(f"{name} {shown}: FAILED ({reason.replace(target, shown)})")
    return "; ".join(results) or "no alert channel configured ([alerts] in boardpack.toml)"


def bounced_protected(workspace: Workspace, addresses: list[str]) -> str:
    """The audit copy's or the alerts' own address bounced or complained: it stays on, and the owner
    hears."""
    problems = [
        f"{a} bounced or complained; it receives the audit copy or the alerts, so it was not"
        " suppressed: check the mailbox, or change [delivery] bcc / [alerts] email"
        for a in addresses
    ]
    return send_alert(
        workspace,
        Alert(
            organization=workspace.settings.organization.name,
            period="notifications",
            run_id="events",
            problems=problems,
        ),
    )


def _sns(workspace: Workspace, topic: str, alert: Alert) -> None:
    from boardpack import aws_clients as aws

    region = workspace.settings.alerts.region or topic.split(":")[3]
    aws.client(workspace, "sns", region).publish(
        TopicArn=topic,
        Subject=alert.subject[:100],
        Message=alert.text(),
        MessageAttributes={"period": {"DataType": "String", "StringValue": alert.period}},
    )


def _email(workspace: Workspace, address: str, alert: Alert) -> None:
    """Through the workspace's own transport, outside the audit trail (an alert is not a delivery).
    """
    from boardpack.audit.keys import DeliveryKey
    from boardpack.delivery.addresses import mailbox
    from boardpack.delivery.message import OutgoingMessage, Recipients
    from boardpack.delivery.plan import sender
    from boardpack.delivery.transports import open_transport

    frm, to = sender(workspace), mailbox(address, "alerts.email")
    msg = EmailMessage(policy=SMTP)
    msg["From"], msg["To"], msg["Subject"] = frm, to, alert.subject
    msg["Date"] = format_datetime(datetime.now().astimezone())
    msg["Message-ID"] = make_msgid(domain=frm.rpartition("@")[2].rstrip(">"))
    msg.set_content(alert.text())
    key = DeliveryKey(alert.period, "alert", uuid.uuid4().hex[:16])
    transport = open_transport(workspace)
    try:
        transport.send(
            OutgoingMessage(
                key=key,
                sender=frm,
                recipients=Recipients((to,)),
                subject=alert.subject,
                message_id=msg["Message-ID"],
                content_hash="",
                raw=msg.as_bytes(),
            )
        )
    finally:
        transport.close()


def _webhook(workspace: Workspace, url: str, alert: Alert) -> None:
    # here: a pack that raises no alert never loads http.client
    from boardpack.delivery.http_post import PostFailed, post

    body = json.dumps(alert.as_json()).encode()
    try:
        headers = {"Content-Type": "application/json", "User-Agent": "boardpack"}
        got = post(url, body, headers, WEBHOOK_SECONDS)
    except PostFailed as exc:
        raise BoardpackError(f"the webhook gave no answer: {exc}") from None
    if not 200 <= got.status < 300:
        raise BoardpackError(f"the webhook answered {got.status}")
