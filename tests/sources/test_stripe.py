"""The payment processor's API as a live source (issue 41, part 5), against a local server that
answers as Stripe's API does (its list and balance transaction shapes): October's balance
transactions are the same ledger as the same rows exported; every page is read by its cursor; a
429 is waited out as its Retry-After says; an expired key is said by its code, never shown; a pull
cut short resumes where it stopped; the next period asks only for what is new."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from boardpack.config import load_workspace
from boardpack.live import stripe_balance
from boardpack.live.snapshots import stored
from boardpack.period import period_before
from boardpack.pipeline import build_pack
from tests.conftest import AS_OF, GENERATED_AT, TOML, run_cli, write_workspace
from tests.servers import StripeServer

STRIPE = '\n[sources.stripe]\naccount_entity = "co"\npage_size = 2\n'


def at(day: str) -> int:
    return int(datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp())


@pytest.fixture
def stripe_api():
    """October: three charges (1,200.00, 800.00, 2,500.00; fees 0.65 + 0.53 + 1.02 — in cents
    as the API gives them), a refund of 300.00, a payout of 3,000.00 to the bank, an adjustment
    of 0.50 (a type nothing maps); September: a charge of 1,000.00."""
    server = StripeServer()
    for n, (day, kind, amount, fee) in enumerate(
        [
            ("2026-09-20T10:00:00", "charge", 100000, 59),
            ("2026-10-02T09:00:00", "charge", 120000, 65),
            ("2026-10-09T09:00:00", "charge", 80000, 53),
            ("2026-10-15T12:00:00", "refund", -30000, 0),
            ("2026-10-21T16:00:00", "charge", 250000, 102),
            ("2026-10-25T08:00:00", "payout", -300000, 0),
            ("2026-10-28T08:00:00", "adjustment", 50, 0),
        ]
    ):
        server.add(n, at(day), kind, amount, fee, f"{kind} {n}")
    yield server
    server.stop()


def env_for(server: StripeServer, key: str = StripeServer.GOOD_KEY) -> dict[str, str]:
    return {"STRIPE_API_KEY": key, "STRIPE_API_BASE": server.url}


def build(tmp_path, toml, env, files=None):
    root = write_workspace(tmp_path / "ws", toml, files or {})
    return build_pack(load_workspace(root, environ=env), AS_OF, generated_at=GENERATED_AT)


def as_csv() -> str:
    rows = [
        ("2026-09-20", "1000.00", "0.59", "Income:Sales"),
        ("2026-10-02", "1200.00", "0.65", "Income:Sales"),
        ("2026-10-09", "800.00", "0.53", "Income:Sales"),
        ("2026-10-15", "-300.00", "0.00", "Income:Sales"),
        ("2026-10-21", "2500.00", "1.02", "Income:Sales"),
        ("2026-10-25", "-3000.00", "0.00", "Assets:Bank"),
        ("2026-10-28", "0.50", "0.00", ""),
    ]
    return "Date,Amount,Fee,Account\n" + "".join(",".join(r) + "\n" for r in rows)


def books(pack) -> dict:
    names = ("finance.revenue", "accounting.net_income", "finance.cash_balance")
    return {n: pack.results.metrics[n].value for n in names}


def test_balance_transactions_are_the_same_ledger_as_the_same_rows_exported(tmp_path, stripe_api):
    live = build(tmp_path / "live", TOML + STRIPE, env_for(stripe_api))
    exported = TOML + (
        '\n[[sources.ledger]]\npath = "stripe.csv"\nentity = "co"\n[sources.ledger.columns]\n'
        'date = "Date"\namount = "Amount"\nfee = "Fee"\naccount = "Account"\n'
    )
    from_file = build(tmp_path / "file", exported, {}, {"stripe.csv": as_csv()})
    assert books(live) == books(from_file)
    # October: the small company's own 1,200.00, and 1,200 + 800 − 300 + 2,500 through Stripe
    assert live.results.metrics["finance.revenue"].value == Decimal("5400.00")
    # every page read, newest first, by its cursor: 7 transactions in pages of two
    cursors = [r.get("starting_after") for r in stripe_api.requests]
    assert cursors[0] is None and all(cursors[1:]) and len(cursors) == 4
    (problem,) = live.portfolio.sources["stripe"].problems
    assert "txn_000006: type 'adjustment' is not mapped: kept uncategorized" in str(problem)


def test_a_rate_limit_is_waited_out_as_its_retry_after_says(tmp_path, stripe_api):
    stripe_api.throttle = 2
    ws = load_workspace(
        write_workspace(tmp_path / "ws", TOML + STRIPE, {}), environ=env_for(stripe_api)
    )
    waits: list[float] = []
    cursor = tmp_path / "cursor.jsonl"
    rows = stripe_balance.pull(
        ws, ws.settings.sources.stripe, date(2025, 10, 1), date(2026, 11, 14), None, cursor,
        sleep=waits.append,
    )  # fmt: skip
    assert waits == [1.0, 1.0] and len(rows) == 7


def test_an_expired_key_is_said_by_its_code_and_never_shown(tmp_path, stripe_api):
    root = write_workspace(tmp_path / "ws", TOML + STRIPE, {})
    env = env_for(stripe_api, key="sk_live_51Hexpiredkey12345678")
    result = run_cli("check", "-w", str(root), "--as-of", "2026-11-15", env=env)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "Stripe refused the key (api_key_expired)" in result.stderr
    assert "sk_live_51Hexpiredkey12345678" not in result.stdout + result.stderr
    assert "5678" not in result.stderr  # not even the API's own masked echo of it


def test_a_pull_cut_short_resumes_after_the_last_page_it_kept(tmp_path, stripe_api):
    stripe_api.fail_after = 1  # the second page fails
    root = write_workspace(tmp_path / "ws", TOML + STRIPE, {})
    env = env_for(stripe_api)
    failed = run_cli("pull", "-w", str(root), "--as-of", "2026-11-15", env=env)
    assert failed.returncode == 1 and "stripe: not pulled" in failed.stderr
    kept = (root / ".boardpack" / "snapshots" / "stripe" / "2026-10.cursor.jsonl").read_text()
    assert len(kept.splitlines()) == 2
    done = run_cli("pull", "-w", str(root), "--as-of", "2026-11-15", env=env)
    assert done.returncode == 0, done.stderr
    resumed = stripe_api.requests[2]  # after the first page and the failed second
    assert resumed["starting_after"] == "txn_000005"  # the last of the two kept
    ws = load_workspace(root, environ=env)
    assert len(stored(ws, "stripe", "2026-10").rows) == 7
    assert not (root / ".boardpack" / "snapshots" / "stripe" / "2026-10.cursor.jsonl").exists()


def test_the_next_period_asks_only_for_what_is_new(tmp_path, stripe_api):
    root = write_workspace(tmp_path / "ws", TOML + STRIPE, {})
    env = env_for(stripe_api)
    assert run_cli("pull", "-w", str(root), "--as-of", "2026-11-15", env=env).returncode == 0
    stripe_api.add(7, at("2026-11-20T10:00:00"), "charge", 40000, 22, "November")
    stripe_api.requests.clear()
    assert run_cli("pull", "-w", str(root), "--as-of", "2026-12-15", env=env).returncode == 0
    # from October's newest transaction on, not from the window's first day
    assert stripe_api.requests[0]["created[gte]"] == str(at("2026-10-28T08:00:00"))
    ws = load_workspace(root, environ=env)
    november = stored(ws, "stripe", period_before(date(2026, 12, 15), "month").label)
    assert [r["id"] for r in november.rows][-1] == "txn_000007" and len(november.rows) == 8


def test_a_key_written_in_the_workspace_is_refused(tmp_path):
    root = write_workspace(tmp_path / "ws", TOML + STRIPE + 'key = "sk_live_abc"\n', {})
    result = run_cli("check", "-w", str(root), "--as-of", "2026-11-15")
    assert result.returncode == 2 and "sources.stripe.key: an API key is a secret" in result.stderr
    assert "sk_live_abc" not in result.stderr


def test_a_workspace_env_may_not_point_the_operators_key_elsewhere(tmp_path, stripe_api):
    """A .env that names another API server, without a key of its own, is not obeyed: the key
    from the operator's environment never goes to the workspace's server."""
    root = write_workspace(
        tmp_path / "ws", TOML + STRIPE, {".env": f"STRIPE_API_BASE={stripe_api.url}\n"}
    )
    ws = load_workspace(root, environ={"STRIPE_API_KEY": StripeServer.GOOD_KEY})
    assert ws.env.get("STRIPE_API_BASE") is None
    own = write_workspace(
        tmp_path / "own",
        TOML + STRIPE,
        {".env": f"STRIPE_API_BASE={stripe_api.url}\nSTRIPE_API_KEY=sk_test_its_own\n"},
    )
    assert load_workspace(own, environ={}).env.get("STRIPE_API_BASE") == stripe_api.url
