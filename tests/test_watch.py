"""Alerts between packs (issue 25, part 2): `boardpack watch` evaluates `[[watch]]` rules on the
books as they stand; an episode fires once however often it is evaluated, re-arms only after
`recover_after` evaluations back, survives a run that died before sending, and the next pack lists
it. Through the real command line, the outbox and the SQLite audit store."""

from __future__ import annotations

from datetime import date

from boardpack.config import load_workspace
from boardpack.pipeline import audit_store, build_pack
from boardpack.watching import evaluate, step
from tests.conftest import LEDGER, TOML, run_cli, write_workspace

RULE = """
[[watch]]
id = "cash-low"
metric = "finance.cash_balance"
op = "<"
value = "20000"
severity = "critical"
recipients = ["owner@example.com"]
recover_after = 2
"""
DAY = ("--as-of", "2026-11-20")
RICH = LEDGER + "2026-11-10,Acme,A big sale,10000.00,Income:Sales\n"  # cash 22,800: back above


def alerts(root) -> list[str]:
    return sorted(p.name for p in (root / "outbox").rglob("watch.*.eml"))


def watch(root) -> str:
    done = run_cli("watch", "-w", str(root), *DAY)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_an_episode_fires_once_and_rearms_only_after_recovering(tmp_path):
    root = write_workspace(tmp_path / "ws", TOML + RULE)
    said = [watch(root) for _ in range(10)]
    assert "cash-low" in said[0] and "new episode" in said[0]
    assert all("firing" in s and "new episode" not in s for s in said[1:])
    assert alerts(root) == ["watch.cash-low.1-c8cd3c6427301eaf.eml"]  # once in ten evaluations
    message = (root / "outbox" / "watch" / alerts(root)[0]).read_text()
    assert "Subject: [boardpack] Small Co: Cash balance is 12,800.00 USD (< 20,000)" in message
    # the cash comes back: one evaluation back is not enough (recover_after = 2)
    (root / "ledger/bank.csv").write_text(RICH)
    assert "firing" in watch(root)
    assert "armed" in watch(root)
    (root / "ledger/bank.csv").write_text(LEDGER)  # and it drops again: a new episode
    assert "new episode" in watch(root)
    assert len(alerts(root)) == 2 and alerts(root)[1].startswith("watch.cash-low.2-")


def test_a_run_that_died_before_sending_is_completed_by_the_next(tmp_path):
    root = write_workspace(tmp_path / "ws", TOML + RULE)
    ws = load_workspace(root, environ={})
    store = audit_store(ws)
    try:  # the episode recorded, then the process died before its alert was planned or sent
        (e,) = evaluate(ws, date(2026, 11, 20), store, "2026-11-20T07:00:00")
        assert e.opened and e.state["firing"]
    finally:
        store.close()
    assert alerts(root) == []
    assert "firing" in watch(root) and len(alerts(root)) == 1  # the next run sends it
    watch(root)
    assert len(alerts(root)) == 1  # and never again


def test_the_next_pack_lists_the_episodes(tmp_path):
    root = write_workspace(tmp_path / "ws", TOML + RULE)
    watch(root)
    pack = build_pack(load_workspace(root, environ={}), date(2026, 12, 15), ["ceo"])
    (row,) = pack.results.tables["executive.watch"].rows
    assert (row["rule"], row["started"], row["ended"]) == ("cash-low", "2026-11-20", "still open")
    ceo = pack.documents[0]
    assert [s.id for s in ceo.sections].index("executive.watch") == [
        s.id for s in ceo.sections
    ].index("executive.followup") + 1


def test_a_workspace_without_rules_keeps_its_ceo_report(tmp_path):
    root = write_workspace(tmp_path / "ws")
    pack = build_pack(load_workspace(root, environ={}), date(2026, 11, 15), ["ceo"])
    assert "executive.watch" not in [s.id for s in pack.documents[0].sections]
    done = run_cli("watch", "-w", str(root))
    assert done.returncode == 0 and "No [[watch]] rules" in done.stdout


def test_a_rule_on_a_metric_that_does_not_exist_lists_the_known_ones(tmp_path):
    root = write_workspace(tmp_path / "ws", TOML + RULE.replace("finance.cash_balance", "cash"))
    done = run_cli("watch", "-w", str(root), *DAY)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "watch cash-low: no metric 'cash'" in done.stderr
    assert (
        "the metrics this workspace has:" in done.stderr and "finance.cash_balance" in done.stderr
    )
    assert not (root / "outbox").exists()


def test_a_rule_outside_the_allowed_domains_is_named(tmp_path):
    toml = TOML.replace("[delivery]\n", '[delivery]\nallowed_domains = ["example.com"]\n')
    root = write_workspace(tmp_path / "ws", toml + RULE.replace("owner@example.com", "x@evil.org"))
    done = run_cli("watch", "-w", str(root), *DAY)
    assert done.returncode == 2 and "watch[0].recipients[0]: x@evil.org is outside" in done.stderr


def test_step_is_the_episode_rule():
    s = None
    for crossed, firing, episode in [
        (False, False, 0),
        (True, True, 1),
        (True, True, 1),
        (False, True, 1),  # one back: recover_after = 2
        (True, True, 1),  # crossed again before recovering: the same episode
        (False, True, 1),
        (False, False, 1),  # two back: closed, re-armed
        (True, True, 2),
    ]:
        s = step(s, crossed, 1, "t", 2)
        assert (s["firing"], s["episode"]) == (firing, episode)
    assert [e["ended"] for e in s["episodes"]] == ["t", None]


def test_the_local_scheduler_watches_once_a_day(tmp_path):
    from datetime import UTC, datetime, timedelta

    from boardpack.schedule.local import Scheduler
    from tests.schedule.test_local import FakeClock

    root = write_workspace(tmp_path / "ws", TOML + RULE + '\n[schedule]\ncron = "0 6 2 * *"\n')
    said: list[str] = []
    clock = FakeClock(datetime(2026, 11, 20, 15, 0, tzinfo=UTC))
    Scheduler.for_workspace(root, clock, say=said.append).sleep_until(
        clock.now() + timedelta(hours=30)  # past midnight in Los Angeles: a second day
    )
    watched = [line for line in said if line.startswith("watch ")]
    assert watched == [
        "watch 2026-11-20: 1 rules; 1 sent",
        "watch 2026-11-21: 1 rules; 1 already sent",
    ]
    assert len(alerts(root)) == 1


def test_the_stack_watches_each_morning(tmp_path):
    from tests.conftest import ses_toml
    from tests.schedule.test_template import deploy

    root = write_workspace(tmp_path / "ws", ses_toml() + RULE + '[schedule]\ncron = "0 6 2 * *"\n')
    r = deploy(root)["Resources"]
    assert r["Watch"]["Properties"]["Handler"] == "boardpack.aws.handlers.watch"
    schedule = r["WatchSchedule"]["Properties"]
    assert schedule["ScheduleExpression"] == "cron(0 7 * * ? *)"
    assert schedule["ScheduleExpressionTimezone"] == "America/Los_Angeles"
    invoke = r["SchedulerRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0]
    assert {"Fn::GetAtt": ["Watch", "Arn"]} in invoke["Resource"]
