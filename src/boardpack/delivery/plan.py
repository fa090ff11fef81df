"""Who gets which report: recipients from the workspace (or the environment), validated, into
messages."""

from __future__ import annotations

from datetime import datetime

from boardpack.audit.keys import DeliveryKey
from boardpack.config import Workspace
from boardpack.delivery import recipient_table
from boardpack.delivery.addresses import bare, mailbox, outside
from boardpack.delivery.message import (
    Attachment,
    Inline,
    OutgoingMessage,
    Recipients,
    build_message,
)
from boardpack.errors import WorkspaceError
from boardpack.render import render
from boardpack.render.branding import brand_for
from boardpack.render.html import email_html, render_html
from boardpack.render.pdf import render_pdf
from boardpack.render.xlsx import render_xlsx
from boardpack.reports.changes import History, personal
from boardpack.reports.document import Document
from boardpack.reports.edit import Edited, edited, full_report_name
from boardpack.reports.plain import content_hash
from boardpack.reports.roles import report_specs, workspace_sections

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sender(workspace: Workspace) -> str:
    configured = workspace.settings.delivery.from_
    if configured:
        return mailbox(configured, "delivery.from")
    if workspace.env.from_address:
        return mailbox(workspace.env.from_address, "SES_FROM_ADDRESS (environment)")
    raise WorkspaceError(
        'delivery.from is not set: add from = "reports@your-domain" under [delivery] '
        "in boardpack.toml, or set SES_FROM_ADDRESS"
    )


def recipients_for(
    workspace: Workspace, role_id: str, table: dict[str, recipient_table.Row] | None = None
) -> Recipients | None:
    """The report's recipients: its row in the recipients table (an inactive one: None, not sent),
    or its `[roles.<id>]`, or the environment's single fallback recipient, or None (not sent)."""
    settings, env = workspace.settings, workspace.env

    def checked(address: str, where: str) -> str:
        found = mailbox(address, where)
        if outside(found, settings.delivery.allowed_domains):
            raise WorkspaceError(
                f"{where}: {bare(found)} is outside [delivery] allowed_domains"
                f" ({', '.join(settings.delivery.allowed_domains)}): nothing was sent"
            )
        return found

    bcc_list, bcc_key = settings.delivery.bcc, "delivery.bcc"
    if not bcc_list and env.bcc_address:
        bcc_list, bcc_key = [env.bcc_address], "SES_BCC_ADDRESS (environment)"
    bcc = tuple(checked(a, f"{bcc_key}[{i}]") for i, a in enumerate(bcc_list))
    row = (table or {}).get(role_id)
    if row is not None:
        if not row.active:
            return None
        return Recipients(
            tuple(checked(a, f"{row.where}: to") for a in row.to),
            tuple(checked(a, f"{row.where}: cc") for a in row.cc),
            bcc,
        )
    role = settings.roles.get(role_id)
    if role is not None and not role.to:
        return None  # its cards only (delivery/chat.py)
    if role is not None:
        return Recipients(
            tuple(checked(a, f"roles.{role_id}.to[{i}]") for i, a in enumerate(role.to)),
            tuple(checked(a, f"roles.{role_id}.cc[{i}]") for i, a in enumerate(role.cc)),
            bcc,
        )
    if env.fallback_recipient:
        return Recipients(
            (checked(env.fallback_recipient, "SES_RECIPIENT_EMAIL (environment)"),), (), bcc
        )
    return None


def separately(recipients: Recipients) -> list[Recipients]:
    """One message per To and Cc address (each with the audit Bcc), so nobody sees the others'
    addresses."""
    return [
        Recipients((address,), (), recipients.bcc)
        for address in dict.fromkeys(recipients.to + recipients.cc)
    ]


def plan_messages(
    workspace: Workspace,
    documents: list[Document],
    sent_at: datetime,
    required: set[str] = frozenset(),
    pdfs: dict[str, bytes] | None = None,
    history: History | None = None,
    emails: dict[str, Edited] | None = None,
    full_reports: dict[str, str] | None = None,
) -> tuple[list[OutgoingMessage], list[str]]:
    """Every message this pack would send, built before anything is sent; and the reports nobody
    receives.

    A report named in `required` (asked for with --role) must have recipients. `pdfs` keeps the PDFs
    that archive.attach_pdf renders, by report id, for the archive to store the very bytes sent.
    With the audit store's `history`, each message opens with what changed since its recipients'
    last pack (the PDF is the report itself, the same for everyone). `emails`: the reports' emails
    as already edited (Pack.emails), and `full_reports` their HTML as already rendered, for the
    readers who see no changes of their own.
    """
    pdfs = {} if pdfs is None else pdfs
    frm = sender(workspace)
    brand = brand_for(workspace)
    inline = (Inline(brand.logo.cid, brand.logo.subtype, brand.logo.data),) if brand.logo else ()
    attach_pdf = workspace.settings.archive.attach_pdf
    messages, unaddressed = [], []
    workbooks: dict[str, bytes] = {}  # the report itself: the same for every reader
    table = None
    if workspace.settings.recipients:  # read now, at send time
        known = {r.id for r in report_specs(workspace, workspace_sections(workspace))}
        table = recipient_table.rows(workspace, known)
    for doc in documents:
        recipients = recipients_for(workspace, doc.id, table)
        role = workspace.settings.roles.get(doc.id)
        if recipients is None and role is not None and (role.slack or role.teams):
            continue  # a chat card only (delivery/chat.py)
        if recipients is None:
            if doc.id in required:
                raise WorkspaceError(
                    f"the {doc.id} report has no recipients: add [roles.{doc.id}] with "
                    'to = ["name@example.com"] to boardpack.toml'
                )
            unaddressed.append(doc.id)
            continue
        if attach_pdf and doc.id not in pdfs:
            pdfs[doc.id] = render_pdf(doc, brand)
        rendered: dict = {}  # readers told the same changes share one rendering
        for group in (
            separately(recipients) if workspace.settings.delivery.separate else [recipients]
        ):
            own = personal(doc, history, tuple(bare(a) for a in group.to + group.cc))
            opening = own.sections[0] if own is not doc else None
            if opening not in rendered:
                # the email within the report's length budget; the whole report, when the email
                # is not all of it (or would be clipped), travels with it
                email = emails[doc.id] if emails and own is doc else edited(own)
                text, (html, full) = render(email.doc, "txt", brand), email_html(email.doc, brand)
                if email.cut:
                    whole = full_reports.get(doc.id) if full_reports and own is doc else None
                    full = whole or render_html(own, brand=brand)
                attachments = (
                    [Attachment(full_report_name(doc), "text/html", full.encode())] if full else []
                )
                if attach_pdf:
                    attachments.append(
                        Attachment(f"{doc.id}-{doc.period}.pdf", "application/pdf", pdfs[doc.id])
                    )
                if workspace.settings.delivery.xlsx:
                    if doc.id not in workbooks:
                        currency = workspace.settings.organization.currency
                        workbooks[doc.id] = render_xlsx(doc, currency)
                    attachments.append(
                        Attachment(f"{doc.id}-{doc.period}.xlsx", XLSX, workbooks[doc.id])
                    )
                rendered[opening] = text, html, content_hash(own), tuple(attachments)
            text, html, digest, attachments = rendered[opening]
            key = DeliveryKey.of(doc.period, doc.id, group.envelope())
            messages.append(
                build_message(
                    key,
                    frm,
                    group,
                    doc.subject,
                    text,
                    html,
                    digest,
                    sent_at,
                    attachments,
                    inline,
                )
            )
    return sorted(messages, key=lambda m: priority(workspace, m.key.report)), unaddressed


def priority(workspace: Workspace, report: str) -> int:
    """`[roles.<id>] priority` first (lower first), then the rest in the built-in order (sorting is
    stable)."""
    role = workspace.settings.roles.get(report)
    return role.priority if role and role.priority else 1001
