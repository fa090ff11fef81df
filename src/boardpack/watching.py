"""`boardpack watch`: the `[[watch]]` rules, evaluated on the books as they stand that day (the
period so far), between packs.

A rule fires once per episode — the first evaluation whose metric crosses its line opens one —
and re-arms only after the metric has been back for `recover_after` evaluations. The episode is
recorded in the audit store (a compare-and-set on the rule's state) before its alert is planned,
and the alert's delivery key is the episode: every run dispatches the alert of each open episode,
so a run that died between recording and sending is completed by the next, and none is sent twice.
"""

from __future__ import annotations

import difflib
import hashlib
import html
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from boardpack import pipeline
from boardpack.analyses import analyse
from boardpack.audit.keys import DeliveryKey
from boardpack.audit.store import AuditStore
from boardpack.config import WatchRule, Workspace
from boardpack.delivery.dispatcher import Dispatcher, DispatchReport
from boardpack.delivery.message import OutgoingMessage, Recipients, build_message
from boardpack.delivery.plan import sender
from boardpack.delivery.transports import open_transport
from boardpack.delivery.transports.base import Transport
from boardpack.errors import WorkspaceError
from boardpack.figures import value_text
from boardpack.model import Metric
from boardpack.period import Period, period_containing
from boardpack.sources import load_portfolio

PERIOD = "watch"  # the delivery keys' period: an episode's alert is one key whatever the month
KEPT = 50  # episodes a rule's state keeps, newest last
COMPARE = {
    "<": Decimal.__lt__,
    "<=": Decimal.__le__,
    ">": Decimal.__gt__,
    ">=": Decimal.__ge__,
    "==": Decimal.__eq__,
    "!=": Decimal.__ne__,
}
RETRIES = 5  # compare-and-set attempts when another run changes a rule's state meanwhile


@dataclass(frozen=True)
class Evaluation:
    rule: WatchRule
    metric: Metric
    crossed: bool
    state: dict
    # this evaluation opened an episode
    opened: bool

    @property
    def standing(self) -> str:
        """Where the rule stands after this evaluation, as `boardpack watch` prints it."""
        if self.opened:
            return "new episode"
        return "firing" if self.state["firing"] else "armed"


def step(state: dict | None, crossed: bool, value, at: str, recover_after: int) -> dict:
    """A rule's next state: an episode opens when it first crosses, closes after `recover_after`
    evaluations back."""
    s = dict(state or {"firing": False, "episode": 0, "clear": 0, "episodes": []})
    s["episodes"] = [dict(e) for e in s["episodes"]]
    if crossed:
        s["clear"] = 0
        if not s["firing"]:
            s["firing"], s["episode"] = True, s["episode"] + 1
            opened = {"n": s["episode"], "started": at, "value": str(value), "ended": None}
            s["episodes"] = (s["episodes"] + [opened])[-KEPT:]
    elif s["firing"]:
        s["clear"] += 1
        if s["clear"] >= recover_after:
            s["firing"], s["clear"] = False, 0
            s["episodes"][-1]["ended"] = at
    return s


def so_far(workspace: Workspace, today: date) -> Period:
    """The period that holds `today`, up to today: the books as they stand."""
    kind = workspace.settings.organization.period
    return Period(period_containing(today, kind).start, today, kind)


def evaluate(workspace: Workspace, today: date, store: AuditStore, at: str) -> list[Evaluation]:
    period = so_far(workspace, today)
    results = analyse(load_portfolio(workspace, period, today))
    unknown = [r for r in workspace.settings.watch if r.metric not in results.metrics]
    if unknown:
        known = sorted(results.metrics)
        lines = []
        for rule in unknown:
            close = difflib.get_close_matches(rule.metric, known, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            lines.append(f"watch {rule.key}: no metric {rule.metric!r}{hint}")
        raise WorkspaceError(
            "\n".join(lines) + f"\nthe metrics this workspace has: {', '.join(known)}"
        )
    done = []
    for rule in workspace.settings.watch:
        metric = results.metrics[rule.metric]
        value = metric.value
        crossed = isinstance(value, (Decimal, int)) and not isinstance(value, bool)
        crossed = crossed and COMPARE[rule.op](Decimal(value), rule.value)
        for _ in range(RETRIES):
            state, version = store.watch_state(rule.key)
            new = step(state, crossed, value, at, rule.recover_after)
            if new == state or store.set_watch_state(rule.key, new, version):
                break
        else:
            raise WorkspaceError(f"watch {rule.key}: its state kept changing under this run")
        opened = new["episode"] != (state or {}).get("episode", 0)
        done.append(Evaluation(rule, metric, crossed, new, opened))
    return done


def alert(workspace: Workspace, e: Evaluation, now: datetime) -> OutgoingMessage:
    """The episode's alert: one delivery key per rule and episode."""
    rule, org = e.rule, workspace.settings.organization.name
    episode = e.state["episodes"][-1]
    recipients = Recipients(tuple(rule.recipients))
    key = DeliveryKey.of(PERIOD, f"watch.{rule.key}.{episode['n']}", recipients.envelope())
    shown = value_text(Decimal(episode["value"]), e.metric.unit)
    line = f"{rule.value:,}"
    subject = f"[boardpack] {org}: {e.metric.label} is {shown} ({rule.op} {line})"
    lines = [
        f"{e.metric.label} ({rule.metric}) was {shown} on {episode['started'][:10]}: {rule.op}"
        f" {line}, the line of the watch rule {rule.key} ({rule.severity}).",
        f"It is said once: again only after it has been back for {rule.recover_after}"
        f" evaluation{'s' if rule.recover_after > 1 else ''}, and it crosses once more.",
        f"Where it comes from: {', '.join(e.metric.provenance) or 'the pack'}.",
        "The next pack lists it with the others since the last one.",
    ]
    text = "\n\n".join(lines) + "\n"
    page = "".join(f"<p>{html.escape(x)}</p>" for x in lines)
    return build_message(
        key,
        sender(workspace),
        recipients,
        subject,
        text,
        f"<!doctype html><html><body>{page}</body></html>",
        hashlib.sha256(text.encode()).hexdigest(),
        now,
    )


def watch(
    workspace: Workspace, today: date, transport: Transport | None = None, on_progress=None
) -> tuple[list[Evaluation], DispatchReport]:
    """Evaluate every rule, record the episodes, and send the alert of each open one (once)."""
    if not workspace.settings.watch:
        return [], DispatchReport([])
    now = pipeline.now_in(workspace)
    store = pipeline.audit_store(workspace)
    run_id = pipeline.new_run_id()
    try:
        store.start_run(run_id, "watch", PERIOD)
        try:
            at = f"{today.isoformat()}T{now:%H:%M:%S}"  # the day evaluated, at this hour
            done = evaluate(workspace, today, store, at)
            alerts = [alert(workspace, e, now) for e in done if e.state["firing"]]
            report = DispatchReport([])
            if alerts:
                transport = transport or open_transport(workspace)
                policy = pipeline.policy_of(workspace)
                try:
                    report = Dispatcher(store, transport, run_id, on_progress, policy).dispatch(
                        alerts
                    )
                finally:
                    transport.close()
            firing = sum(1 for e in done if e.state["firing"])
            store.finish_run(
                run_id,
                "ok" if report.ok else "attention",
                f"{len(done)} rules, {firing} firing; {report.summary()}",
            )
        except BaseException as exc:
            store.finish_run(run_id, "error", f"{type(exc).__name__}: {exc}")
            raise
    finally:
        store.close()
    return done, report
