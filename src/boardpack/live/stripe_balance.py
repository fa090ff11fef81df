"""The payment processor's balance transactions through the official `stripe` library: every page
of the window (the API's cursors, newest first), a 429 waited out as its Retry-After says, a key
the API refuses said by its code — never the key. Each transaction is a ledger row: its gross, its
fee, its net, its type's account (a type neither default nor `accounts` maps is kept
uncategorized, and named).

Restartable: each page is kept in a cursor file as it comes, so a pull cut short resumes after the
last transaction it kept. Incremental: a period's pull starts from the period before's snapshot and
asks only for what was created after its newest transaction."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal

from boardpack.config import StripeSource, Workspace
from boardpack.environment import STRIPE_API_BASE
from boardpack.errors import LiveError
from boardpack.live.snapshots import Snapshot

# currencies whose amounts the API gives in whole units, not hundredths
ZERO_DECIMAL = set("bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf".split())
ATTEMPTS = 6  # tries of a page the API rate-limits
MAX_ROWS = 2_000_000


def pull(
    workspace: Workspace,
    spec: StripeSource,
    first: date,
    last: date,
    before: Snapshot | None,
    cursor,  # the Path that keeps a pull's pages as they come
    sleep: Callable[[float], None] = time.sleep,
) -> list[dict[str, str]]:
    try:
        import stripe
    except ImportError:
        raise LiveError("Stripe needs its library: pip install 'boardpack[stripe]'") from None
    key = workspace.env.get(spec.key_env)
    if not key:
        raise LiveError(f"the environment has no {spec.key_env}: set it (or put it in .env)")
    base = workspace.env.get(STRIPE_API_BASE)  # a .env's only beside a key of its own
    client = stripe.StripeClient(
        key,
        base_addresses={"api": base} if base else None,
        max_network_retries=0,  # a 429 is waited out here, as its Retry-After says
        http_client=stripe.RequestsClient(timeout=min(spec.timeout_seconds, 60)),
    )
    start = int(datetime.combine(first, clock_time(), UTC).timestamp())
    end = int(datetime.combine(last + timedelta(days=1), clock_time(), UTC).timestamp())
    # what is already known: the period before's snapshot in the window, and a cut-short pull's
    earlier = before.rows if before else []
    known = {r["id"]: r for r in earlier if start <= int(r["created"]) < end}
    since = max((int(r["created"]) for r in known.values()), default=start)
    kept = [json.loads(line) for line in cursor.read_text().splitlines()] if cursor.exists() else []
    rows = {r["id"]: r for r in kept} | known
    after = kept[-1]["id"] if kept else None
    deadline = time.monotonic() + spec.timeout_seconds
    cursor.parent.mkdir(parents=True, exist_ok=True)
    while True:
        params = {"limit": spec.page_size, "created": {"gte": since, "lt": end}}
        if after:
            params["starting_after"] = after
        page = fetched(stripe, client, params, sleep, deadline)
        new = [row(spec, t) for t in page.data]
        with cursor.open("a", encoding="utf-8") as handle:  # kept before it is used
            handle.writelines(json.dumps(r) + "\n" for r in new)
        rows |= {r["id"]: r for r in new}
        if len(rows) > MAX_ROWS:
            raise LiveError(f"more than {MAX_ROWS:,} balance transactions in the window")
        if not page.has_more or not new:
            break
        after = new[-1]["id"]
    return sorted(rows.values(), key=lambda r: (int(r["created"]), r["id"]))


def fetched(stripe, client, params: dict, sleep, deadline: float):
    attempt = 0
    while True:
        if time.monotonic() > deadline:
            raise LiveError(
                "did not finish within timeout_seconds; the pages read are kept for the next pull"
            )
        try:
            return client.v1.balance_transactions.list(params=params)
        except stripe.RateLimitError as exc:
            attempt += 1
            if attempt == ATTEMPTS:
                raise LiveError(f"rate-limited {ATTEMPTS} times in a row: pull later") from None
            sleep(retry_after((exc.headers or {}).get("Retry-After"), attempt - 1))
        except stripe.AuthenticationError as exc:
            raise LiveError(f"Stripe refused the key ({code(exc) or 'authentication'})") from None
        except stripe.StripeError as exc:
            why = code(exc) or exc.http_status or type(exc).__name__
            raise LiveError(f"Stripe: {type(exc).__name__} ({why})") from None


def code(exc) -> str | None:
    """The error's code, as the API's body gives it (its message may echo the key, masked)."""
    return exc.code or ((exc.json_body or {}).get("error") or {}).get("code")


def retry_after(said: str | None, attempt: int) -> float:
    """The seconds a 429's Retry-After asks for (at most a minute), else backoff doubling."""
    try:
        return min(max(float(said), 0.0), 60.0) if said else 2.0**attempt
    except ValueError:
        return 2.0**attempt


def row(spec: StripeSource, t) -> dict[str, str]:
    """A balance transaction as a ledger row, in the currency's units."""
    scale = Decimal(1) if t.currency in ZERO_DECIMAL else Decimal(100)
    when = datetime.fromtimestamp(t.created, UTC).date()
    return {
        "id": t.id,
        "created": str(t.created),
        "date": when.isoformat(),
        "amount": str(Decimal(t.amount) / scale),
        "fee": str(Decimal(t.fee) / scale),
        "net": str(Decimal(t.net) / scale),
        "currency": t.currency.upper(),
        "type": t.type,
        "account": spec.account(t.type),
        "memo": t.description or t.type,
        "counterparty": "Stripe",
    }
