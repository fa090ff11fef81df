"""The command line: parses arguments, calls the pipeline, prints. Exit 0 ok, 1 a delivery failed or
is unknown, 2 bad input or configuration (nothing sent)."""

from __future__ import annotations

import functools
import getpass
import importlib.util
import json
import re
import signal
import sys
from contextlib import nullcontext
from datetime import date, datetime
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Annotated

import typer

from boardpack import collect_seldom
from boardpack.errors import BoardpackError, WorkspaceError
from boardpack.figures import plural
from boardpack.period import EARLIEST, LATEST, period_before
from boardpack.render import BINARY_FORMATS, FORMATS
from boardpack.terminal import console, inert

if TYPE_CHECKING:
    from rich.table import Table as RichTable


def lazy(name: str) -> ModuleType:
    """The module, loaded on its first use: `boardpack --help` imports none of the pipeline."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


pipeline = lazy("boardpack.pipeline")
config = lazy("boardpack.config")
plan = lazy("boardpack.delivery.plan")


class OnFirstUse:
    """A console made when first printed to (rich is imported then, not for --help)."""

    def __init__(self, stderr: bool):
        self.stderr, self.made = stderr, None

    def __getattr__(self, name: str):
        if self.made is None:
            self.made = console(stderr=self.stderr)
        return getattr(self.made, name)


app = typer.Typer(
    rich_markup_mode=None,  # click's plain help: typer's rich one alone takes 0.25 s to draw
    context_settings={"max_content_width": 100},
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="One board pack a period from your own records, delivered exactly once.",
)
out, err = OnFirstUse(stderr=False), OnFirstUse(stderr=True)

Workspace = Annotated[
    Path | None,
    typer.Option(
        "-w",
        "--workspace",
        envvar="BOARDPACK_WORKSPACE",
        help="Workspace folder (default: the current one).",
    ),
]
AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="<date>",
        help=(
            "Report the last complete period before this date "
            "(YYYY-MM-DD; default: today in the organization's time zone)."
        ),
    ),
]
Roles = Annotated[
    list[str] | None,
    typer.Option("--role", metavar="<report>", help="Only this report (repeatable)."),
]


def rich_table() -> ModuleType:
    import rich.table

    return rich.table


def add_row(table: RichTable, *cells: str) -> None:
    table.add_row(*(inert(c) for c in cells))


def parse_as_of(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise WorkspaceError(f"--as-of {text!r} is not a date: write it as YYYY-MM-DD") from None
    if not EARLIEST <= day <= LATEST:
        raise WorkspaceError(
            f"--as-of {text}: a pack reports a period of its books, so the date must lie between "
            f"{EARLIEST} and {LATEST}"
        )
    return day


def progress(message: str):
    """A spinner on a terminal; nothing when output goes to a file or a pipe."""
    return err.status(message) if err.is_terminal else nullcontext()


def warn_about(pack: pipeline.Pack) -> None:
    for status in pack.portfolio.sources.values():
        for problem in status.problems[:10]:
            err.print(f"skipped: {problem}")
        if status.configured and status.state(pack.period) != "fresh":
            err.print(f"note: {status.explain(pack.period)}")
    for name, failure in pack.results.failures.items():
        err.print(f"the {name} analysis failed ({failure}); its sections say so in the reports")


@app.command()
def build(
    workspace: Workspace = None,
    as_of: AsOf = None,
    role: Roles = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Folder for <period>/<report>.<ext> " "(default: WORKSPACE/reports)."
        ),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="Comma-separated: html,txt,md,json (and xlsx).")
    ] = ",".join(FORMATS),
):
    """Build the pack's reports into files."""
    formats = [f.strip() for f in fmt.split(",") if f.strip()]
    known = FORMATS + BINARY_FORMATS
    unknown = [f for f in formats if f not in known]
    if unknown or not formats:
        raise WorkspaceError(f"--format {fmt!r}: choose from {', '.join(known)}")
    ws = config.load_workspace(workspace)
    with progress("Reading sources and building the pack…"):
        pack = pipeline.build_pack(ws, parse_as_of(as_of), role)
        written = pipeline.write_reports(pack, out_dir or ws.output("reports"), formats)
    warn_about(pack)
    out.print(
        f"Built {len(pack.documents)} reports for {pack.period.label} into "
        f"{written[0].parent if written else out_dir}"
    )


@app.command()
def send(
    workspace: Workspace = None,
    as_of: AsOf = None,
    role: Roles = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Write exactly what each recipient would receive; " "send and record nothing.",
        ),
    ] = False,
    resend_unknown: Annotated[
        bool,
        typer.Option(
            "--resend-unknown",
            help="Also send deliveries held as unknown " "(check first that they never arrived).",
        ),
    ] = False,
):
    """Send the pack: each report to its role's recipients, at most once per period."""
    ws = config.load_workspace(workspace)
    if not dry_run:
        settle_held(ws, parse_as_of(as_of))
    try:
        with progress("Reading sources and building the pack…"):
            pack = pipeline.build_pack(ws, parse_as_of(as_of), role)
        pipeline.require_complete(pack)
    except WorkspaceError as exc:
        if not dry_run:  # a send that cannot build is a run the owner must hear about
            unsent(ws, as_of, exc, "could not build the pack")
        raise
    warn_about(pack)
    try:
        code = deliver(pack, role, dry_run, resend_unknown)
    except WorkspaceError as exc:  # stopped before anything was planned: a bad sender...
        if not dry_run:
            unsent(ws, as_of, exc, "could not send the pack")
        raise
    raise typer.Exit(code)


def unsent(ws, as_of, exc: WorkspaceError, what: str) -> None:
    try:
        err.print(f"alert: {pipeline.record_build_error(ws, parse_as_of(as_of), exc, what=what)}")
    except BoardpackError as unrecorded:
        err.print(f"could not record this run or alert: {unrecorded}")


def settle_held(ws, as_of: date | None) -> None:
    """Held deliveries past their [approval] window: released or alerted on, and said so."""
    now = pipeline.now_in(ws)
    period = period_before(as_of or now.date(), ws.settings.organization.period)
    for line in pipeline.settle_held(ws, period, now):
        out.print(line)


Reports = Annotated[
    list[str] | None,
    typer.Option(
        "--report",
        metavar="<report>",
        help="Only this report (repeatable); default: every one held.",
    ),
]
By = Annotated[
    str | None,
    typer.Option("--by", help="Who decides, for the audit trail (default: your login name)."),
]


@app.command()
def approve(
    period: Annotated[str, typer.Argument(help="The period held, e.g. 2026-10.")],
    workspace: Workspace = None,
    report: Reports = None,
    by: By = None,
):
    """Send what is held for approval for PERIOD, exactly as drafted."""
    raise typer.Exit(decided(period, workspace, report, by, approve=True))


@app.command()
def reject(
    period: Annotated[str, typer.Argument(help="The period held, e.g. 2026-10.")],
    workspace: Workspace = None,
    report: Reports = None,
    by: By = None,
):
    """Drop what is held for approval for PERIOD; a later send drafts it anew."""
    raise typer.Exit(decided(period, workspace, report, by, approve=False))


PERIOD_LABEL = re.compile(r"^\d{4}-(?:\d{2}|W\d{2}|Q[1-4])$")


def decided(period, workspace, reports, by, approve: bool) -> int:
    if not PERIOD_LABEL.match(period):
        raise WorkspaceError(
            f"{period!r} is not a period: write it as boardpack runs shows it (2026-10, 2026-W46,"
            " 2026-Q3)"
        )
    ws = config.load_workspace(workspace)
    who = by or getpass.getuser()
    from boardpack.delivery.addresses import safe_header

    safe_header(who, "--by")
    with progress("Rebuilding the held pack…" if approve else "Rejecting…"):
        report = pipeline.decide(ws, period, reports or [], approve, f"{who}")
    for o in report.outcomes:
        out.print(f"  {o.key.report:<12} {o.action:<13} {o.detail}".rstrip())
    out.print(f"{period}: {report.summary()}")
    return 0 if report.ok else 1


def deliver(
    pack: pipeline.Pack, roles: list[str] | None, dry_run: bool, resend_unknown: bool = False
) -> int:
    def shown(outcome):
        err.print(f"  {outcome.key.report:<12} {outcome.action:<13} {outcome.detail}")

    result = pipeline.send_pack(
        pack,
        roles,
        dry_run,
        on_progress=shown if err.is_terminal else None,
        resend_unknown=resend_unknown,
    )
    for report in result.unaddressed:
        out.print(
            f"  {report:<12} not sent: no recipients ([roles.{report}] is not in boardpack.toml)"
        )
    if result.preview:
        out.print(
            f"Dry run for {pack.period.label}: nothing sent, nothing recorded. The messages are in "
            f"{result.preview}"
        )
        return 0
    report = result.report
    if not err.is_terminal:
        for o in report.outcomes:
            out.print(f"  {o.key.report:<12} {o.action:<13} {o.detail}".rstrip())
    for name, addresses in report.suppressed.items():
        out.print(
            f"  {name:<12} left out (suppressed after a bounce or complaint):"
            f" {', '.join(addresses)}"
        )
    out.print(f"{pack.period.label}: {report.summary()}")
    if result.archived:
        out.print(f"Archived {plural(len(result.archived), 'PDF')} in {result.archived[0].parent}/")
    if result.archive_error:
        err.print(f"warning: {result.archive_error}")
    for warning in result.warnings:
        err.print(f"warning: {warning}")
    if result.alert:
        err.print(f"alert: {result.alert}")
    if not report.ok:
        err.print(
            "Some deliveries failed, are unknown or wait for the next run: see `boardpack runs`."
        )
    return 0 if report.ok else 1


@app.command()
def check(
    workspace: Workspace = None,
    as_of: AsOf = None,
    online: Annotated[bool, typer.Option("--online", help="Also check the transport.")] = False,
):
    """Validate the configuration, sources, recipients and templates; send nothing."""
    ws = config.load_workspace(workspace)
    with progress("Checking…"):
        pack = pipeline.build_pack(ws, parse_as_of(as_of))
        from boardpack.delivery.signing import signer_for
        from boardpack.render.branding import brand_for

        signer_for(ws)  # the signing key and certificate, checked as a send would
        # the logo, and the workspace's templates: rendered here, so a mistake shows now
        brand = brand_for(ws)
        rendered = {
            (doc.id, fmt): pipeline.render(doc, fmt, brand)
            for doc in pack.documents
            for fmt in FORMATS
        }
        messages, unaddressed = plan.plan_messages(
            ws,
            pack.documents,
            pipeline.now_in(ws),
            history=pack.history,
            emails=pack.emails,
            full_reports={doc.id: rendered[doc.id, "html"] for doc in pack.documents},
        )
    table = rich_table().Table(
        "source",
        "state",
        "newest record",
        "records",
        "problems",
        title=f"Sources for {pack.period.label}",
    )
    for s in pack.portfolio.sources.values():
        add_row(
            table,
            s.name,
            s.state(pack.period),
            str(s.freshness or "—"),
            str(s.records),
            str(len(s.problems)),
        )
    out.print(table)
    for m in messages:
        out.print(f"  {m.key.report:<12} → {', '.join(m.envelope)}")
    for r in unaddressed:
        out.print(f"  {r:<12} → no recipients (not sent)")
    if online:
        problems_online = check_transport(ws, messages)
    else:
        problems_online = 0
    warn_about(pack)
    # what the workspace does not configure that a report would show, and how: a note, not a
    # problem (a workspace need not have a budget), and never in a report's body
    for text in dict.fromkeys(t for doc in pack.documents for t in doc.setup):
        err.print(f"note: for the workspace owner: {text}")
    refused = pipeline.incomplete(pack)  # what send would refuse, check refuses first
    for line in refused:
        err.print(f"send would refuse: {line}")
    doubts = pipeline.doubts(pack)
    for line in doubts:
        err.print(f"warning: {line}")
    problems = (
        sum(len(s.problems) for s in pack.portfolio.sources.values())
        + len(refused)
        + problems_online
    )
    if problems:
        out.print(f"{plural(problems, 'problem')} (see above)")
    else:
        out.print(f"OK, with {plural(len(doubts), 'warning')} (see above)" if doubts else "OK")
    raise typer.Exit(2 if problems else 0)


@app.command()
def pull(
    workspace: Workspace = None,
    as_of: AsOf = None,
    source: Annotated[
        list[str] | None,
        typer.Option("--source", help="A live source to pull (repeat; default: every one)."),
    ] = None,
):
    """Pull the live sources again for the period, replacing its snapshots: every later build of
    the period uses what this pulls. A source that cannot be pulled keeps its old snapshot."""
    from boardpack.live.pulls import refresh

    ws = config.load_workspace(workspace)
    day = parse_as_of(as_of) or pipeline.now_in(ws).date()
    period = period_before(day, ws.settings.organization.period)
    with progress("Pulling…"):
        done = refresh(ws, period, day, source)
    failed = 0
    for result in done:
        if isinstance(result, tuple):
            failed += 1
            err.print(f"error: {result[0]}: not pulled, its old snapshot kept: {result[1]}")
        else:
            rows = f"{len(result.rows):,} rows"
            out.print(f"{result.source}: {rows} for {period.label} ({result.said()})")
    raise typer.Exit(1 if failed else 0)


def check_transport(ws, messages) -> int:
    """`check --online`: one line per finding, problems with their fix; returns the number of
    problems."""
    from boardpack.delivery.addresses import domain_of
    from boardpack.delivery.mail_dns import mail_auth, resolver_for
    from boardpack.delivery.plan import sender
    from boardpack.delivery.transports import open_transport

    transport = open_transport(ws)
    try:
        lines = transport.check(sender(ws), sorted({a for m in messages for a in m.envelope}))
    finally:
        transport.close()
    kind = ws.settings.delivery.transport
    if kind != "outbox":  # what receiving servers will make of mail from this domain
        resolver = resolver_for(ws.env.get("BOARDPACK_DNS_RESOLVER"))
        lines += mail_auth(domain_of(sender(ws)), resolver, kind)
    for line in lines:
        out.print(f"  {'ok' if line.ok else 'PROBLEM':<8} {line.text}")
    return sum(not line.ok for line in lines)


@app.command()
def watch(workspace: Workspace = None, as_of: AsOf = None):
    """Evaluate the [[watch]] rules on the books as they stand today; alert once per episode."""
    from boardpack.watching import watch as watch_now

    ws = config.load_workspace(workspace)
    if not ws.settings.watch:
        out.print("No [[watch]] rules in boardpack.toml: nothing to evaluate.")
        return
    day = parse_as_of(as_of) or pipeline.now_in(ws).date()
    with progress("Reading the books as they stand…"):
        done, report = watch_now(ws, day)
    for e in done:
        value = e.metric.value if e.metric.value is not None else "no value"
        rule = f"{e.rule.metric} = {value} ({e.rule.op} {e.rule.value})"
        out.print(f"  {e.rule.key:<28} {rule}: {e.standing}")
    out.print(f"watch {day}: {report.summary()}")
    raise typer.Exit(0 if report.ok else 1)


@app.command()
def prune(workspace: Workspace = None):
    """Remove what [retention] no longer keeps: old PDFs, dry runs, built reports, audit history."""
    from boardpack.delivery.retention import prune as prune_now

    ws = config.load_workspace(workspace)
    keep = ws.settings.retention
    if not any(vars(keep).values()):
        out.print("No [retention] in boardpack.toml: everything is kept, and nothing was removed.")
        return
    store = pipeline.audit_store(ws)
    try:
        removed = prune_now(ws, store, pipeline.now_in(ws).date())
    finally:
        store.close()
    for line in removed:
        out.print(f"  removed {line}")
    out.print(f"Pruned: {plural(len(removed), 'item')} removed; the rest is within [retention].")


@app.command()
def runs(
    workspace: Workspace = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
):
    """Runs and deliveries, with their states."""
    from boardpack.audit.store import settle_orphaned_runs

    ws = config.load_workspace(workspace)
    store = pipeline.audit_store(ws)
    try:
        settle_orphaned_runs(store)  # a run a killed process left `running` says so
        run_rows, deliveries, suppressions, fire_rows = (
            store.runs(),
            store.deliveries(),
            store.suppressions(),
            store.fires(),
        )
    finally:
        store.close()
    suppressed = {s.address for s in suppressions}
    if as_json:
        print(
            json.dumps(
                {
                    "runs": [vars(r) for r in run_rows],
                    "deliveries": [
                        {
                            "key": str(d.key),
                            "period": d.key.period,
                            "report": d.key.report,
                            "state": d.state,
                            "recipients": list(d.recipients),
                            "message_id": d.message_id,
                            "attempts": d.attempts,
                            "updated_at": d.updated_at,
                            "detail": d.detail,
                            "transport_id": d.transport_id,
                            "suppressed": [a for a in d.recipients if a in suppressed],
                        }
                        for d in deliveries
                    ],
                    "suppressions": [vars(s) for s in suppressions],
                    "fires": [vars(f) for f in fire_rows],
                },
                indent=2,
            )
        )
        return
    table = rich_table().Table(
        "period",
        "report",
        "state",
        "tries",
        "updated (UTC)",
        "recipients",
        "detail",
        title="Deliveries",
    )
    table.columns[4].no_wrap = True
    for d in deliveries:
        names = ", ".join(f"{a} (suppressed)" if a in suppressed else a for a in d.recipients)
        add_row(
            table,
            d.key.period,
            d.key.report,
            d.state,
            str(d.attempts),
            d.updated_at[:16].replace("T", " "),
            names,
            d.detail,
        )
    out.print(table)
    table = rich_table().Table(
        "run", "command", "period", "started (UTC)", "status", "summary", "alert", title="Runs"
    )
    table.columns[0].no_wrap = table.columns[3].no_wrap = True  # a run id is what one copies
    for r in run_rows:
        add_row(
            table,
            r.id,
            r.command,
            r.period,
            r.started_at[:16].replace("T", " "),
            r.status,
            r.summary,
            r.alert,
        )
    out.print(table)
    if fire_rows:
        table = rich_table().Table(
            "due (UTC)", "status", "run", "by", "detail", title="Schedule fires"
        )
        for f in fire_rows:
            add_row(table, f.slot[:16], f.status, f.run_id, f.owner, f.detail)
        out.print(table)
    if suppressions:
        table = rich_table().Table(
            "address", "reason", "since", "detail", title="Suppressed (never sent to)"
        )
        for s in suppressions:
            add_row(table, s.address, s.reason, s.at[:19], s.detail)
        out.print(table)


schedule_app = typer.Typer(
    rich_markup_mode=None, help="Run the pack on the workspace's [schedule].", no_args_is_help=True
)
app.add_typer(schedule_app, name="schedule")


@schedule_app.command("next")
def schedule_next(
    workspace: Workspace = None,
    start: Annotated[
        str | None,
        typer.Option("--from", help="Start after this date or time (ISO " "8601; default: now)."),
    ] = None,
    count: Annotated[int, typer.Option("--count", min=1, max=1000, help="How many.")] = 5,
):
    """The next fire times (ISO 8601 with their UTC offsets) and the period each one reports."""
    from boardpack.period import period_before
    from boardpack.schedule.local import parse_moment
    from boardpack.schedule.triggers import fires, trigger_for

    ws = config.load_workspace(workspace)
    org = ws.settings.organization
    trigger = trigger_for(ws.settings.schedule, org.timezone, org.period)
    moment = parse_moment(start, org.timezone) if start else pipeline.now_in(ws)
    # all computed before printing
    slots = [slot for _, slot in zip(range(count), fires(trigger, moment))]
    err.print(f"{trigger.describe()}; each fire sends the last complete {org.period} before it")
    for slot in slots:
        out.print(f"{slot.isoformat()}  {period_before(slot.date(), org.period).label}")


@schedule_app.command("run")
def schedule_run(workspace: Workspace = None):
    """Fire on the schedule until stopped (SIGTERM or Ctrl-C): one catch-up after downtime, never
    two at once."""
    from boardpack.schedule.local import Scheduler, SystemClock

    clock = SystemClock()

    def stop(signum, frame):
        if clock.stopping.is_set():
            raise KeyboardInterrupt  # asked twice: interrupt the fire in progress
        clock.stopping.set()
        err.print("stopping once the current fire (if any) is recorded…")

    signal.signal(signal.SIGTERM, stop)
    scheduler = Scheduler.for_workspace(
        config.load_workspace(workspace).root,
        clock,
        say=lambda line: err.print(f"{datetime.now():%Y-%m-%d %H:%M:%S} {line}"),
    )
    scheduler.run()


deploy_app = typer.Typer(
    rich_markup_mode=None, help="Run the workspace on a cloud.", no_args_is_help=True
)
app.add_typer(deploy_app, name="deploy")


@deploy_app.command("aws")
def deploy_aws(
    template_out: Annotated[
        Path,
        typer.Option("--template-out", help="Write the CloudFormation template " "(JSON) here."),
    ],
    workspace: Workspace = None,
    workspace_uri: Annotated[
        str | None,
        typer.Option(
            "--workspace-uri",
            help="Read the workspace from "
            "this s3://bucket/prefix/ (default: bundled with "
            "the function).",
        ),
    ] = None,
    portfolios: Annotated[
        str | None,
        typer.Option(
            "--portfolios",
            help="Fan out: one job per portfolio "
            "(each a workspace under this s3://bucket/prefix/) "
            "and report, on SQS.",
        ),
    ] = None,
    runtime: Annotated[
        str, typer.Option("--runtime", help="The Lambda Python runtime.")
    ] = "python3.12",
    package: Annotated[
        Path | None,
        typer.Option(
            "--package",
            help="Also build the functions' code, " "boardpack-lambda.zip, in this folder.",
        ),
    ] = None,
):
    """Write the CloudFormation template that runs this workspace on AWS, and with --package the
    code it runs (the README shows the deploy steps)."""
    from boardpack.aws import bundle
    from boardpack.aws.template import RUNTIMES, template

    if runtime not in RUNTIMES:
        raise WorkspaceError(f"--runtime {runtime!r}: choose from {', '.join(RUNTIMES)}")
    ws = config.load_workspace(workspace)
    document = template(ws, workspace_uri, portfolios, runtime)
    if package:
        with progress(f"Building the bundle for {runtime}…"):
            built = bundle.build(
                ws, package, runtime, with_workspace=not (workspace_uri or portfolios)
            )
        out.print(
            f"Wrote {built.path}: {built.zipped / 2**20:.1f} MB, {built.unzipped / 2**20:.0f} MB"
            f" unzipped (Lambda takes {bundle.UNZIPPED_LIMIT / 2**20:.0f}), {built.files:,} files,"
            f" for {runtime} on Linux x86_64"
        )
        for line in built.left_out:
            out.print(f"  left out of the bundle: {line}")
    try:
        template_out.parent.mkdir(parents=True, exist_ok=True)
        template_out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise WorkspaceError(
            f"--template-out {template_out}: cannot write it ({exc.strerror or exc})"
        ) from None
    resources = document["Resources"]
    out.print(
        f"Wrote {template_out}: {len(resources)} resources; the schedule fires "
        f"{resources['Schedule']['Properties']['ScheduleExpression']} in "
        f"{resources['Schedule']['Properties']['ScheduleExpressionTimezone']}"
    )


events_app = typer.Typer(
    rich_markup_mode=None,
    help="SES notifications: bounces, complaints, deliveries.",
    no_args_is_help=True,
)
app.add_typer(events_app, name="events")


@events_app.command("ingest")
def events_ingest(
    source: Annotated[str, typer.Argument(help="A JSON file of notifications, or - for stdin.")],
    workspace: Workspace = None,
):
    """Record SES notifications (bare, in SNS envelopes, or Lambda SNS/SQS events); suppress hard
    bounces and complaints."""
    from boardpack.alerts import bounced_protected
    from boardpack.feedback.events import MAX_BYTES, ingest, parse, protected_addresses

    ws = config.load_workspace(workspace)
    if source == "-":
        try:
            text, name = sys.stdin.buffer.read(MAX_BYTES + 1).decode("utf-8"), "<stdin>"
        except UnicodeDecodeError as exc:
            raise WorkspaceError(
                f"<stdin>: not UTF-8 text ({exc.reason} at byte {exc.start})"
            ) from None
    else:
        path = Path(source)
        try:
            if path.stat().st_size > MAX_BYTES:
                raise WorkspaceError(
                    f"{source}: {path.stat().st_size:,} bytes is more than {MAX_BYTES:,}; split it"
                )
            text, name = path.read_text(encoding="utf-8"), str(path)
        except (OSError, UnicodeDecodeError) as exc:
            raise WorkspaceError(
                f"{source}: cannot read it ({getattr(exc, 'strerror', None) or exc})"
            ) from None
    events, skipped = parse(text, name)  # all parsed before anything is stored
    store = pipeline.audit_store(ws)
    try:
        result = ingest(store, events, skipped, protected_addresses(ws))
    finally:
        store.close()
    for address in result.protected:
        err.print(
            f"warning: {address} bounced or complained; it receives the audit copy or the alerts,"
            " so it was not suppressed"
        )
    if result.protected:
        err.print(f"alert: {bounced_protected(ws, result.protected)}")
    out.print(
        f"{result.events} new events ({result.matched} matched to deliveries), {result.duplicates}"
        " already recorded"
    )
    for message_id in result.unmatched:
        err.print(
            f"note: no delivery has the SES message id {message_id} (sent by another tool, or"
            " another workspace?); recorded anyway"
        )
    for address in result.suppressed:
        out.print(
            f"suppressed: {address} (never sent to again until `boardpack suppressions --remove"
            f" {address}`)"
        )
    for note in result.skipped:
        err.print(f"skipped: {note}")


@app.command()
def suppressions(
    workspace: Workspace = None,
    remove: Annotated[
        list[str] | None,
        typer.Option(
            "--remove", metavar="<address>", help="Send to this address again " "(repeatable)."
        ),
    ] = None,
):
    """Addresses never sent to after a hard bounce or complaint; --remove puts one back."""
    ws = config.load_workspace(workspace)
    store = pipeline.audit_store(ws)
    try:
        for address in remove or []:
            if not store.unsuppress(address):
                raise WorkspaceError(f"{address} is not on the suppression list")
            out.print(f"removed {address}: it will be sent to again")
        rows = store.suppressions()
    finally:
        store.close()
    if not remove:
        for s in rows:
            out.print(f"{s.address}  {s.reason}  {s.at[:19]}  {s.detail}")
        if not rows:
            out.print("No suppressed addresses.")


@app.command()
def preview(
    workspace: Workspace = None,
    as_of: AsOf = None,
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="Port on 127.0.0.1 (0: any free port).")
    ] = 8750,
):
    """Serve each report as each recipient would receive it, on http://127.0.0.1 only; nothing is
    sent."""
    from boardpack.delivery.plan import sender
    from boardpack.preview import serve

    ws = config.load_workspace(workspace or Path.cwd())
    sender(ws)  # a missing sender is said here, not on the first page opened
    server = serve(ws, port, parse_as_of(as_of))
    out.print(
        f"Preview of {ws.root} at http://127.0.0.1:{server.server_address[1]}/  (Ctrl-C to stop)"
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        out.print("Preview stopped.")
    finally:
        server.server_close()


@app.command()
def demo(
    directory: Annotated[Path, typer.Argument(help="Where to build the demo workspace.")] = Path(
        "boardpack-demo"
    ),
    as_of: AsOf = None,
):
    """Build a realistic four-venture demo workspace and send its pack to the local outbox."""
    from boardpack.demo import generate

    directory = directory.resolve()
    if (directory / "boardpack.toml").exists():
        out.print(f"Using the demo workspace already at {directory}")
    else:
        has_code = generate(directory, parse_as_of(as_of))
        out.print(f"Created a demo workspace at {directory}")
        if not has_code:
            out.print(
                "git is not on this machine, so the demo has no repository: the CTO report says"
                " what it could not see. Install git and run the demo again to see the code audit."
            )
    ws = config.load_workspace(directory)
    with progress("Building the pack…"):
        pack = pipeline.build_pack(ws, parse_as_of(as_of))
        written = pipeline.write_reports(pack, directory / "reports", list(FORMATS))
    warn_about(pack)
    status = deliver(pack, None, dry_run=False)
    outbox = directory / ws.settings.delivery.outbox
    out.print(
        f"\nRead the reports: {written[0].parent}/ (ceo.html, cfo.html, … and .txt, .md, .json)\n"
        f"The emails as sent: {outbox / pack.period.label}/ (index: {outbox / 'index.jsonl'})\n"
        f"The audit trail: boardpack runs -w {directory}"
    )
    raise typer.Exit(status)


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="The new workspace folder.")],
    with_demo: Annotated[
        bool, typer.Option("--demo", help="Fill it with the demo's sample data.")
    ] = False,
    as_of: AsOf = None,
):
    """Scaffold a workspace (with --demo: the sample data)."""
    from boardpack.demo import generate, scaffold

    directory = directory.resolve()
    if (directory / "boardpack.toml").exists():
        raise WorkspaceError(
            f"{directory / 'boardpack.toml'} already exists: choose another folder"
        )
    if with_demo:
        generate(directory, parse_as_of(as_of))
    else:
        scaffold(directory)
    out.print(
        f"Created {directory / 'boardpack.toml'}; edit it, then run `boardpack check -w"
        f" {directory}`"
    )


def _terminated(signum, frame):
    # unwinds like Ctrl-C: in-flight sends finish and are recorded, the run is closed
    raise KeyboardInterrupt


@functools.cache
def command() -> typer.core.TyperGroup:
    """The command line as click runs it, made from `app` once a process (typer makes it anew at
    every call, paid again by each run in a warm process: a watcher, the tests)."""
    return typer.main.get_command(app)


def main(argv: list[str] | None = None) -> None:
    """The `boardpack` command (argv: the arguments, default sys.argv's); exits with its status."""
    signal.signal(signal.SIGTERM, _terminated)
    collect_seldom()
    try:
        command()(args=argv)
    except WorkspaceError as exc:
        err.print(f"error: {exc}")
        sys.exit(2)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
