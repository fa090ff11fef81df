"""The flow of DESIGN.md, stage by stage: workspace → sources → analyses → documents → renderers →
delivery."""

from __future__ import annotations

import difflib
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from boardpack.alerts import alert_for, send_alert
from boardpack.analyses import analyse, followup
from boardpack.analyses.ledger_sql import reaches_back
from boardpack.audit.sqlite import SqliteAuditStore
from boardpack.audit.store import AuditStore
from boardpack.config import Workspace
from boardpack.delivery import approval as approvals
from boardpack.delivery.archive import archive_pdfs
from boardpack.delivery.chat import is_chat, plan_chat, webhooks
from boardpack.delivery.dispatcher import Dispatcher, DispatchReport, Outcome, Policy
from boardpack.delivery.dry_run import write_dry_run
from boardpack.delivery.message import OutgoingMessage
from boardpack.delivery.plan import plan_messages, sender
from boardpack.delivery.signing import Signer, sign_all, signer_for
from boardpack.delivery.transports import open_transport
from boardpack.delivery.transports.base import Transport
from boardpack.delivery.transports.webhook import WebhookTransport
from boardpack.errors import BoardpackError, WorkspaceError
from boardpack.feedback.events import protected_addresses
from boardpack.figures import plural
from boardpack.files import output_path
from boardpack.model import AlertEpisode, PackEntry, Portfolio, Results
from boardpack.period import Period, period_before
from boardpack.render import render
from boardpack.render.branding import brand_for
from boardpack.render.pdf import weasyprint
from boardpack.render.xlsx import render_xlsx
from boardpack.reports import changes
from boardpack.reports.changes import History
from boardpack.reports.document import LEAD, Document
from boardpack.reports.edit import Edited, edited
from boardpack.reports.lint import lint
from boardpack.reports.roles import build_document, report_specs, workspace_sections
from boardpack.sources import load_portfolio


@dataclass
class Pack:
    workspace: Workspace
    period: Period
    portfolio: Portfolio
    results: Results
    documents: list[Document]
    # what every report of the pack showed (not only those built), for the audit store
    shown: list[PackEntry] = field(default_factory=list)
    history: History | None = None  # who was last sent what; None: the audit store is unreadable

    @cached_property
    def emails(self) -> dict[str, Edited]:
        """Each report's email (reports/edit.py), edited once for whatever reads it."""
        return {doc.id: edited(doc) for doc in self.documents}


def now_in(workspace: Workspace) -> datetime:
    return datetime.now(ZoneInfo(workspace.settings.organization.timezone))


def build_pack(
    workspace: Workspace,
    as_of: date | None = None,
    roles: list[str] | None = None,
    generated_at: datetime | None = None,
) -> Pack:
    generated_at = generated_at or now_in(workspace)
    as_of = as_of or generated_at.date()
    sections = workspace_sections(workspace)
    known = report_specs(workspace, sections)
    for role in roles or []:
        if role not in {r.id for r in known}:
            raise WorkspaceError(
                f"unknown role {role!r}: choose from {', '.join(r.id for r in known)}"
            )
    chosen = [r for r in known if not roles or r.id in roles]
    period = period_before(as_of, workspace.settings.organization.period)
    portfolio = load_portfolio(workspace, period, as_of)
    for said in portfolio.commentary:
        if said.report is not None and said.report not in {r.id for r in known}:
            raise WorkspaceError(
                f"{said.path}: there is no report {said.report!r}; name the file after one of"
                f" {', '.join(r.id for r in known)} (or move it to commentary/{period.label}.md"
                " for every report)"
            )
    recalled = recorded_packs(workspace, period)
    portfolio.recorded, portfolio.recorded_unread = recalled.entries, recalled.unread
    portfolio.watched, received = recalled.watched, recalled.received
    results = analyse(portfolio)
    require_named_metrics(workspace, portfolio, results)
    # as that pack saw it
    previous = analyse(
        replace(portfolio, period=period.previous(), as_of=period.start), comparison=True
    )
    earlier = period.year_earlier()
    year_earlier = (
        analyse(
            replace(portfolio, period=earlier, as_of=earlier.end + timedelta(days=1)),
            comparison=True,
        )
        if reaches_back(portfolio, earlier)
        else None
    )
    every = [  # each report, built or not, records what it showed
        build_document(role, results, portfolio, sections, generated_at, previous, year_earlier)
        for role in known
    ]
    history = None
    if portfolio.recorded is not None and received is not None:
        history = History.of(
            portfolio.recorded,
            received,
            {p.label: p.title for p in followup.recalled(period)},
            frozenset(f.id for f in results.findings),
            workspace.settings.finance.variance_threshold,
        )
    return Pack(
        workspace=workspace,
        period=period,
        portfolio=portfolio,
        results=results,
        documents=[d for d in every if d.id in {r.id for r in chosen}],
        shown=changes.entries(every),
        history=history,
    )


class IncompletePack(WorkspaceError):
    """A source that must be read could not be, or an analysis failed: nothing is sent for the
    period."""


def incomplete(pack: Pack) -> list[str]:
    """Why the pack may not be sent: each source that could not be read (unless optional), each
    failed analysis."""
    problems = [
        f"the {s.name} source could not be read: {s.error}"
        for s in pack.portfolio.sources.values()
        if s.unreadable and not s.optional
    ]
    return problems + [
        f"the {name} analysis failed: {why}" for name, why in pack.results.failures.items()
    ]


UNCATEGORIZED_SHARE = 0.5  # more of the ledger's rows than this without an account: a warning


def old_snapshots(pack: Pack) -> list[str]:
    """A live source's snapshot older than its `max_age`: the pack is the snapshot's, on purpose,
    but its owner should know how old that is."""
    said = []
    for spec in pack.workspace.settings.sources.live():
        found, oldest = pack.portfolio.live.get(spec.name), spec.oldest()
        pulled_at = getattr(found, "pulled_at", None)
        if oldest is None or pulled_at is None:
            continue
        age = datetime.now(UTC) - pulled_at
        if age > oldest:
            said.append(
                f"{spec.name}: its snapshot for {pack.period.label} was pulled"
                f" {pulled_at:%Y-%m-%d %H:%M} UTC, older than max_age = {spec.max_age!r}; pull"
                f" it again if the period's data has changed: boardpack pull --source {spec.name}"
            )
    return said


def doubts(pack: Pack) -> list[str]:
    """What does not stop a send but makes the figures doubtful, or a report longer than its
    readers' time: a ledger whose rows are mostly without an account (its revenue and expenses
    would read near zero); a report whose first section alone is longer than its budget; what the
    pack lint finds (reports/lint.py); what the workspace's settings need (a finding marked
    `setup`); a commentary's HTML, left out."""
    emails = pack.emails
    said = [
        f"the {doc.id} report's first section, {first_section(doc)}, is longer than its"
        f" {plural(doc.screens, 'phone screen')} on its own: its email sends it whole; give"
        f" [reports.{doc.id}] screens a larger number, or put a shorter section first"
        for doc in pack.documents
        if emails[doc.id].over
    ] + [f"pack lint: {line}" for line in lint(pack.documents, pack.results, emails)]
    said += overridden_twice(pack.portfolio) + untyped(pack.portfolio) + old_snapshots(pack)
    said += [
        f"for the workspace owner: {f.title}: {f.action}"
        for f in pack.results.findings
        if f.setup
    ]
    said += [
        f"{c.path}: {plural(c.left_out, 'piece')} of HTML not shown (a report shows the"
        " commentary's words, never its markup): write it as Markdown"
        for c in pack.portfolio.commentary
        if c.left_out
    ]
    if "ledger" not in pack.portfolio.sources or not pack.portfolio.fresh("ledger"):
        return said
    uncategorized, rows = pack.portfolio.db.execute(
        "SELECT count(*) FILTER (account IS NULL), count(*) FROM ledger"
    ).fetchone()
    if rows and uncategorized / rows > UNCATEGORIZED_SHARE:
        said.append(
            f"{uncategorized:,} of the ledger's {rows:,} rows have no account, so revenue and"
            " expenses leave most of the money out: map an account column, or add [[rules]]"
            " (the Accounting report lists the largest uncategorized rows)"
        )
    return said


def overridden_twice(portfolio: Portfolio) -> list[str]:
    """Rows two `override` rules with different accounts both match: the first wins, but one of
    them is probably written too wide."""
    from boardpack.sources.ledger import RULE_FIELDS  # the fields a rule's pattern is matched on

    if "ledger" not in portfolio.sources or not portfolio.fresh("ledger"):
        return []
    said = []
    overriding = [r for r in portfolio.rules if r.override]
    for n, first in enumerate(overriding):
        for later in (r for r in overriding[n + 1 :] if r.account != first.account):
            (count,) = portfolio.db.execute(
                f"SELECT count(*) FROM ledger WHERE"
                f" regexp_matches(coalesce({RULE_FIELDS[first.field]}, ''), $a)"
                f" AND regexp_matches(coalesce({RULE_FIELDS[later.field]}, ''), $b)",
                {"a": "(?i)" + first.pattern, "b": "(?i)" + later.pattern},
            ).fetchone()
            if count:
                said.append(
                    f"{plural(count, 'ledger row')} {'matches' if count == 1 else 'match'} two"
                    f" overriding rules, {first.where}"
                    f" ({first.account}) and {later.where} ({later.account}): the first wins;"
                    " narrow one of the patterns"
                )
    return said


def untyped(portfolio: Portfolio) -> list[str]:
    """Asset and liability accounts typed only from their names (a loan not named one would read as
    a payable: operating, not financing), and `[accounts]` entries nothing names (misspelt?)."""
    guessed = [
        f"{account} ({kind})"
        for account, (kind, how) in portfolio.account_types.items()
        if how == "guessed" and account.startswith(("Assets:", "Liabilities:"))
    ]
    unused = [a for a, (_, how) in portfolio.account_types.items() if how == "unused"]
    said = []
    if guessed:
        said.append(
            f"{plural(len(guessed), 'asset or liability account')} typed from the name alone:"
            f" {', '.join(guessed)}; say what each is under [accounts] in boardpack.toml"
            ' ("Liabilities:Bank Loan" = "loan"; types: cash, receivable, fixed_asset, payable,'
            " deferred_revenue, loan)"
        )
    said += [
        f"[accounts] {account!r}: no ledger row or opening balance names this account; check its"
        " spelling against the ledger, or remove it"
        for account in unused
    ]
    return said


def first_section(doc: Document) -> str:
    return next((s.title for s in doc.sections if s.id not in LEAD), "")


def require_complete(pack: Pack) -> None:
    """A pack goes whole or not at all: a send that would leave a figure out stops before anything
    is planned."""
    if problems := incomplete(pack):
        raise IncompletePack(
            "nothing was sent for "
            + pack.period.label
            + ": the pack is incomplete\n  "
            + "\n  ".join(problems)
            + "\nfix the source, or mark it optional = true in "
            "boardpack.toml to send the pack without it (its sections then say what is missing)"
        )


def require_named_metrics(workspace: Workspace, portfolio: Portfolio, results: Results) -> None:
    """A decision rule or a KPI names a metric this pack has, as a watch rule must. Only a source
    that failed (and was optional) or a failed analysis (said on its own) excuses one that is
    absent; a venture's KPI may also come from its handoff notes (`<venture>.<key>`), which may
    record it later."""
    if results.failures or any(
        s.configured and not portfolio.fresh(s.name) for s in portfolio.sources.values()
    ):
        return
    ventures = {e.id for e in workspace.settings.entities}
    named = [
        ("finance", "rules", i, "metric", r.metric)
        for i, r in enumerate(workspace.settings.finance.rules)
    ]
    named += [
        ("kpis", i, "id", k.id)
        for i, k in enumerate(workspace.settings.kpis)
        if k.id.split(".")[0] not in ventures
    ]
    problems = []
    for *key, metric in named:
        if metric not in results.metrics:
            hint = difflib.get_close_matches(metric, sorted(results.metrics), n=3)
            shown = ".".join(f"[{p}]" if isinstance(p, int) else p for p in key).replace(".[", "[")
            problems.append(
                f"{workspace.where(*key)}: {shown} = {metric!r}: this pack has no such metric, and "
                "every source was read"
                + (f"; did you mean {' or '.join(map(repr, hint))}?" if hint else "")
            )
    if problems:
        raise WorkspaceError("\n".join(problems))


def write_reports(pack: Pack, out: Path, formats: list[str]) -> list[Path]:
    """`out/<period>/<report-id>.<ext>` for each report and format; a link inside `out` that leads
    out of it is refused, not written through."""
    written, brand = [], brand_for(pack.workspace)
    for doc in pack.documents:
        folder = output_path(out, out / doc.period)
        folder.mkdir(parents=True, exist_ok=True)
        for fmt in formats:
            path = output_path(out, folder / f"{doc.id}.{fmt}")
            if fmt == "xlsx":
                path.write_bytes(render_xlsx(doc, pack.portfolio.currency))
            else:
                path.write_text(render(doc, fmt, brand), encoding="utf-8")
            written.append(path)
    return written


@dataclass
class Recalled:
    """What the audit store remembers for a new pack; None where it could not be read."""

    entries: list[PackEntry] | None = field(default_factory=list)  # what earlier packs recorded
    received: dict[tuple[str, str], str] | None = field(default_factory=dict)  # who got what last
    watched: list[AlertEpisode] = field(default_factory=list)  # each [[watch]] rule's alerts
    unread: str = ""  # why it could not be read


def recorded_packs(workspace: Workspace, period: Period) -> Recalled:
    """What the packs of the last `followup.RECALLED` periods recorded, the period each address
    was last sent each report, and the watch rules' episodes, from the audit store; a store that
    cannot be read leaves the comparisons out and says why, and the pack still builds."""
    made_in = [p.label for p in followup.recalled(period)]
    errors: tuple[type[Exception], ...] = (BoardpackError, OSError, sqlite3.Error)
    if workspace.settings.audit.store == "dynamodb":
        from botocore.exceptions import BotoCoreError, ClientError

        errors += (BotoCoreError, ClientError)
    elif not (workspace.state_dir / "audit.sqlite").exists():
        return Recalled()  # nothing sent yet: nothing recorded
    try:
        store = audit_store(workspace)
        try:
            received: dict[tuple[str, str], str] = {}
            for label in made_in:  # newest first: the first seen is the last sent
                for d in store.deliveries(label):
                    if d.state == "sent":
                        for address in d.recipients:
                            received.setdefault((d.key.report, address), label)
            watched = AlertEpisode.recorded(store.watch_states())
            return Recalled(store.pack_entries(made_in), received, watched)
        finally:
            store.close()
    except errors as exc:
        return Recalled(
            None, None, [], f"the audit store could not be read: {type(exc).__name__}: {exc}"
        )


def record_pack(store: AuditStore, pack: Pack) -> None:
    """Keep what this pack forecast (`finance.projections`), found and asked, and what each of its
    reports showed, for the next packs to follow up."""
    label = pack.period.label
    table = pack.results.tables.get("finance.projections")
    forecast = (
        [PackEntry(label, r["series"], r["target"], str(r["value"])) for r in table.rows]
        if table
        else []
    )
    store.record_pack(
        label,
        forecast + [replace(e, made_in=label) for e in followup.entries(pack.results) + pack.shown],
    )


def audit_store(workspace: Workspace) -> AuditStore:
    if workspace.settings.audit.store == "dynamodb":
        from boardpack.audit.dynamodb import DynamoAuditStore

        return DynamoAuditStore.for_workspace(workspace)
    for journal in ("-wal", "-shm", "-journal"):  # SQLite writes these beside the store
        workspace.state(f"audit.sqlite{journal}")
    return SqliteAuditStore(workspace.state("audit.sqlite"))


def policy_of(workspace: Workspace, resend_unknown: bool = False) -> Policy:
    d = workspace.settings.delivery
    return Policy(
        d.concurrency, d.max_attempts, d.retry_delay, resend_unknown, protected_addresses(workspace)
    )


def ready(workspace: Workspace, transport: Transport | None) -> tuple[Transport, list[str]]:
    """The transport, opened, and the warnings of its preflight (a bad sender stops it here,
    before anything is planned: it is closed and the error goes on)."""
    transport = transport or open_transport(workspace)
    try:
        return transport, transport.preflight(sender(workspace))
    except BaseException:
        transport.close()
        raise


def new_run_id() -> str:
    return f"{datetime.now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"


@dataclass
class SendResult:
    report: DispatchReport | None
    unaddressed: list[str]
    preview: Path | None = None  # where a dry run wrote its messages
    archived: list[Path] = field(default_factory=list)  # the PDFs of the reports this run sent
    alert: str = ""  # what became of the run's alert, if it raised one
    archive_error: str = ""  # the messages went out, but their PDFs could not be kept
    warnings: list[str] = field(default_factory=list)  # from the transport: DKIM not set up...


@dataclass
class Planned:
    """Every message of a send, built before anything is sent, and how each is signed."""

    messages: list[OutgoingMessage]
    unaddressed: list[str]
    chat: list[OutgoingMessage]
    signer: Signer | None
    # the reports' PDFs, made once for an attachment and the archive alike
    pdfs: dict[str, bytes]

    def signed(self) -> list[OutgoingMessage]:
        return sign_all(self.signer, self.messages)


def send_pack(
    pack: Pack,
    roles: list[str] | None = None,
    dry_run: bool = False,
    transport: Transport | None = None,
    on_progress=None,
    resend_unknown: bool = False,
    run_id: str | None = None,
    command: str = "send",
) -> SendResult:
    """Build every message first (so bad recipients stop the run before anything is sent), then
    dispatch them in one recorded run: the mail (held when the pack needs approval), the chat
    cards, the PDF archive, and an alert when something needs the owner."""
    ws = pack.workspace
    planned = plan_send(pack, roles)
    if dry_run:
        folder = ws.state("dry-run", pack.period.label)
        preview = write_dry_run(folder, planned.signed() + planned.chat)
        return SendResult(None, planned.unaddressed, preview)

    transport, warnings = ready(ws, transport)
    store = audit_store(ws)
    run_id = run_id or new_run_id()
    store.start_run(run_id, command, pack.period.label)
    try:
        changed = recipient_changes(store, pack.period, planned.messages)
        record_pack(store, pack)
        policy = policy_of(ws, resend_unknown)
        mail = Dispatcher(store, transport, run_id, on_progress, policy)
        report, hold = dispatch_mail(pack, planned, mail)
        if planned.chat:
            # after the mail: a chat service that stops the batch stops only its cards
            webhook = WebhookTransport(webhooks(ws, pack.documents))
            cards = Dispatcher(store, webhook, run_id, on_progress, policy)
            report.add(cards.dispatch(planned.chat, hold))
        summary = "; ".join([report.summary(), *changed])
        store.finish_run(run_id, "ok" if report.ok else "attention", summary)
    except BaseException as exc:
        store.finish_run(run_id, "error", f"{type(exc).__name__}: {exc}")
        raise
    finally:
        transport.close()

    archived, archive_error = archive_sent(pack, planned, report, run_id)
    try:
        failures = [archive_error] if archive_error else []
        organization = ws.settings.organization.name
        alert = alert_for(organization, pack.period.label, run_id, report, failures)
        outcome = send_alert(ws, alert) if alert else ""
        if outcome:
            store.set_alert(run_id, outcome)
    finally:
        store.close()
    return SendResult(
        report,
        planned.unaddressed,
        alert=outcome,
        archived=archived,
        archive_error=archive_error,
        warnings=warnings,
    )


def plan_send(pack: Pack, roles: list[str] | None) -> Planned:
    """Every message of the send, or the reason none can go: a pack not whole, a machine that
    cannot make the PDFs it needs, a key that cannot sign, a recipient that is not valid."""
    ws = pack.workspace
    require_complete(pack)
    archive = ws.settings.archive
    if archive.pdf or archive.attach_pdf:
        # a machine without Pango is told now, before anything is sent
        weasyprint()
    signer = signer_for(ws)
    pdfs: dict[str, bytes] = {}
    messages, unaddressed = plan_messages(
        ws, pack.documents, now_in(ws), set(roles or []), pdfs, pack.history
    )
    return Planned(messages, unaddressed, plan_chat(ws, pack.documents), signer, pdfs)


def dispatch_mail(
    pack: Pack, planned: Planned, dispatcher: Dispatcher
) -> tuple[DispatchReport, str]:
    """The pack's mail sent, or held when it needs approval (`[approval] hold_on`) with each held
    message drafted to the approvers as its readers will see it; and the hold ("" for none)."""
    ws, approval = pack.workspace, pack.workspace.settings.approval
    why = approvals.reasons(approval, pack.portfolio, pack.results) if approval else []
    if not why:
        return dispatcher.dispatch(planned.signed()), ""

    until = now_in(ws) + approval.window_delta
    hold = approvals.hold_detail(why, until, pack.portfolio.as_of)
    report = dispatcher.dispatch(planned.signed(), hold)
    outcomes = zip(planned.messages, report.outcomes, strict=True)
    held = [m for m, o in outcomes if o.state == "held"]
    if held:
        link = approval_link(ws, until)
        drafts = approvals.drafts(approval, held, why, until, pack.period.title, link)
        report.add(dispatcher.dispatch(sign_all(planned.signer, drafts)))
    return report, hold


def approval_link(ws: Workspace, until: datetime) -> Callable | None:
    """What signs the approval page's links, when the page is deployed (its URL and secret)."""
    url, secret = ws.env.get("BOARDPACK_APPROVAL_URL"), ws.env.get("BOARDPACK_APPROVAL_SECRET")
    if not (url and secret):
        return None
    return approvals.linker(url, secret, until, ws.settings.audit.scope)


def archive_sent(
    pack: Pack, planned: Planned, report: DispatchReport, run_id: str
) -> tuple[list[Path], str]:
    """The PDF copy of record of each report sent (`[archive] pdf`), or why it could not be
    written: the messages are out, so that is said, and the run's record kept."""
    if not pack.workspace.settings.archive.pdf:
        return [], ""
    try:
        pdfs = archive_pdfs(
            pack.workspace, pack.documents, pack.period.label, report, planned.pdfs, run_id
        )
    except (OSError, BoardpackError) as exc:
        return [], f"the PDF archive could not be written: {exc}"
    return pdfs, ""


def recipient_changes(store: AuditStore, period: Period, messages: list) -> list[str]:
    """For the run's record: who each report goes to now that it did not go to for the period
    before, and who no longer gets it (a recipients table, or boardpack.toml, changed)."""
    before: dict[str, set[str]] = {}
    for d in store.deliveries(period.previous().label):
        before.setdefault(d.key.report, set()).update(d.recipients)
    now: dict[str, set[str]] = {}
    for m in messages:
        now.setdefault(m.key.report, set()).update(m.envelope)
    said = []
    for report in sorted(set(now) & set(before)):
        moves = [f"+{a}" for a in sorted(now[report] - before[report])]
        moves += [f"-{a}" for a in sorted(before[report] - now[report])]
        if moves:
            said.append(f"{report} {' '.join(moves)}")
    if not said:
        return []
    return [f"recipients since {period.previous().label}: {', '.join(said)}"]


class NothingHeld(WorkspaceError):
    """An approval or rejection for a period (or report) with nothing held."""


def decide(
    workspace: Workspace,
    period: str,
    reports: list[str],
    approve: bool,
    who: str,
    transport: Transport | None = None,
    on_progress=None,
) -> DispatchReport:
    """Release (and send) or drop what is held for `period` (only `reports`, if named), recorded
    with who decided. An approval rebuilds the pack as of the day it was held and sends exactly
    what was drafted, or nothing: a report whose content changed since is refused."""
    store = audit_store(workspace)
    try:
        held = [
            d
            for d in store.deliveries(period)
            if d.state == "held" and (not reports or d.key.report in reports)
        ]
        if not held:
            named = f" for {', '.join(reports)}" if reports else ""
            raise NothingHeld(
                f"nothing is held for approval in {period}{named}: `boardpack runs` lists the"
                " deliveries and their states"
            )
        run_id = new_run_id()
        store.start_run(run_id, "approve" if approve else "reject", period)
        try:
            if not approve:
                report = DispatchReport(
                    [
                        Outcome(d.key, "rejected", "rejected", f"rejected by {who}")
                        for d in held
                        if store.move(d.key, "held", "rejected", run_id, f"rejected by {who}")
                    ]
                )
            else:
                report = release(workspace, store, held, who, run_id, transport, on_progress)
            store.finish_run(run_id, "ok" if report.ok else "attention", report.summary())
        except BaseException as exc:
            store.finish_run(run_id, "error", f"{type(exc).__name__}: {exc}")
            raise
        return report
    finally:
        store.close()


def release(workspace, store, held, who, run_id, transport, on_progress) -> DispatchReport:
    """The held deliveries rebuilt as drafted, moved to planned and sent."""
    as_of = {approvals.built_as_of(d.detail) for d in held}
    if None in as_of or len(as_of) != 1:
        raise WorkspaceError(
            "the held deliveries do not say which day their pack was built as of: reject them,"
            " and send again to draft them anew"
        )
    (day,) = as_of
    pack = build_pack(workspace, day, sorted({d.key.report for d in held}))
    messages, _ = plan_messages(workspace, pack.documents, now_in(workspace), history=pack.history)
    chat = plan_chat(workspace, pack.documents)
    by_key = {m.key: m for m in messages + chat}
    changed = sorted(
        {
            d.key.report
            for d in held
            if d.key not in by_key or by_key[d.key].content_hash != d.content_hash
        }
    )
    if changed:
        raise WorkspaceError(
            f"the {', '.join(changed)} report{'s' if len(changed) > 1 else ''} changed since the"
            " draft (the books or boardpack.toml were edited): nothing was sent. Reject it and send"
            " again to draft it anew, or put back what changed"
        )
    approved = [by_key[h.key] for h in held]
    cards = [m for m in approved if is_chat(m)]
    approved = sign_all(signer_for(workspace), [m for m in approved if not is_chat(m)])
    transport, _ = ready(workspace, transport)
    for d in held:
        store.move(d.key, "held", "planned", run_id, f"approved by {who}")
    policy = policy_of(workspace)
    try:
        report = Dispatcher(store, transport, run_id, on_progress, policy).dispatch(approved)
    finally:
        transport.close()
    if cards:
        webhook = WebhookTransport(webhooks(workspace, pack.documents))
        report.add(Dispatcher(store, webhook, run_id, on_progress, policy).dispatch(cards))
    return report


def settle_held(workspace: Workspace, period: Period, now: datetime) -> list[str]:
    """Held deliveries of this period and the one before whose window has passed: sent, with
    `auto_release`; else the owner is alerted (again each window they stay held). What was done,
    a line each."""
    approval = workspace.settings.approval
    if approval is None:
        return []
    store = audit_store(workspace)
    try:
        late: dict[str, list] = {}
        for p in (period, period.previous()):
            for d in store.deliveries(p.label):
                if (
                    d.state == "held"
                    and now - datetime.fromisoformat(d.updated_at) > approval.window_delta
                ):
                    late.setdefault(p.label, []).append(d)
    finally:
        store.close()
    said = []
    for label, held in late.items():
        reports = sorted({d.key.report for d in held})
        if approval.auto_release:
            report = decide(
                workspace,
                label,
                reports,
                True,
                f"auto-release: the {approval.window} window passed",
            )
            said.append(
                f"{label}: released after {approval.window} without a decision: {report.summary()}"
            )
            continue
        store = audit_store(workspace)
        try:
            run_id = new_run_id()
            store.start_run(run_id, "approve", label)
            for d in held:  # the window starts again: one alert per window
                store.move(d.key, "held", "held", run_id, d.detail)
            alert = alert_for(
                workspace.settings.organization.name,
                label,
                run_id,
                build_errors=[
                    f"{', '.join(reports)}: held for approval for more than {approval.window} and"
                    f" nobody decided: `boardpack approve {label}` or `boardpack reject {label}`"
                ],
            )
            outcome = send_alert(workspace, alert)
            store.set_alert(run_id, outcome)
            store.finish_run(run_id, "attention", f"{len(held)} held past the window")
        finally:
            store.close()
        said.append(f"{label}: held past {approval.window}; alert: {outcome}")
    return said


def record_build_error(
    workspace: Workspace,
    as_of: date | None,
    error: Exception,
    run_id: str | None = None,
    command: str = "send",
    what: str = "could not build the pack",
) -> str:
    """A send that could not build (or could not start): record the run and alert, so nobody waits
    for a pack that never comes."""
    period = period_before(
        as_of or now_in(workspace).date(), workspace.settings.organization.period
    ).label
    store = audit_store(workspace)
    run_id = run_id or new_run_id()
    try:
        store.start_run(run_id, command, period)
        store.finish_run(run_id, "error", f"{what}: {error}")
        alert = alert_for(
            workspace.settings.organization.name, period, run_id, build_errors=[str(error)]
        )
        outcome = send_alert(workspace, alert)
        store.set_alert(run_id, outcome)
    finally:
        store.close()
    return outcome
