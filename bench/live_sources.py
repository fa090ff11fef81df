"""Benchmark: pulling live sources, rows a second, beside the same rows read from a CSV file.

- DynamoDB: N items of a bookings table pulled from a real moto_server (Query, paged to the end,
  each item turned into a row of text), then kept as the period's snapshot — beside Python's csv
  module reading the same bookings from a file.
- Stripe: M balance transactions pulled from the local server that answers in the API's shapes
  (pages of 100 by the API's cursor, each a ledger row), kept as a snapshot — beside the same
  rows read from a CSV file.

The issue asks for 1,000,000 items and 100,000 transactions. moto serves a query at a few hundred
items a second (it holds the table in one Python process and re-reads the partition for every
page): a million would take most of an hour, so moto gets 20,000 by default, and boardpack's own
part of a pull — a million items, as the API gives them, into rows — is timed in this process
beside it. Usage: python bench/live_sources.py [ITEMS] [TRANSACTIONS]
"""

from __future__ import annotations

import csv
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from boardpack.config import load_workspace  # noqa: E402
from boardpack.live import dynamodb, stripe_balance  # noqa: E402
from boardpack.live.snapshots import store  # noqa: E402
from tests.servers import MotoServer, StripeServer  # noqa: E402

TOML = """\
[organization]
name = "Bench Co"
timezone = "UTC"

[[entities]]
id = "boats"
name = "Boats"
kind = "bookings"
assets = [{ kind = "vessel", name = "Sea Lark" }]
[entities.bookings]
source = "orders"

[[sources.dynamodb]]
name = "orders"
table = "Bookings"
key = { name = "venture", value = "boats" }
period_attribute = "booked_at"
shape = "bookings"
entity = "boats"
columns = { booking_date = "booked_at", service_date = "sail_date" }

[sources.stripe]
account_entity = "boats"

[delivery]
transport = "outbox"
from = "reports@example.com"
"""
FIRST = date(2025, 10, 1)


def item(n: int) -> dict:
    booked = FIRST + timedelta(days=n % 390)
    return {
        "venture": {"S": "boats"}, "booked_at": {"S": f"{booked}T{n % 86400:05d}{n:08d}"},
        "sail_date": {"S": str(booked + timedelta(days=20))}, "asset": {"S": "Sea Lark"},
        "customer": {"S": f"Guest {n % 5000}"}, "channel": {"S": "website"},
        "amount": {"N": "1200.00"}, "deposit": {"N": "360.00"}, "status": {"S": "completed"},
    }  # fmt: skip


def seed_table(env: dict[str, str], items: int) -> None:
    db = boto3.client("dynamodb", endpoint_url=env["AWS_ENDPOINT_URL"], region_name="us-east-1",
                      aws_access_key_id="x", aws_secret_access_key="x")  # fmt: skip
    db.create_table(
        TableName="Bookings",
        KeySchema=[{"AttributeName": "venture", "KeyType": "HASH"},
                   {"AttributeName": "booked_at", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "venture", "AttributeType": "S"},
                              {"AttributeName": "booked_at", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )  # fmt: skip
    batch = []
    for n in range(items):
        batch.append({"PutRequest": {"Item": item(n)}})
        if len(batch) == 25:
            db.batch_write_item(RequestItems={"Bookings": batch})
            batch = []
    if batch:
        db.batch_write_item(RequestItems={"Bookings": batch})


def csv_rate(rows: list[dict[str, str]], folder: Path) -> float:
    """The same rows written to a CSV file, then read back: rows a second of the read."""
    path = folder / "rows.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    start = time.perf_counter()
    with path.open(newline="", encoding="utf-8") as handle:
        count = sum(1 for _ in csv.DictReader(handle))
    return count / (time.perf_counter() - start)


def main() -> None:
    items = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    transactions = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    moto, api = MotoServer(serial=False), StripeServer()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            (folder / "boardpack.toml").write_text(TOML)
            env = moto.env() | {"STRIPE_API_KEY": api.GOOD_KEY, "STRIPE_API_BASE": api.url}
            ws = load_workspace(folder, environ=env)
            print(f"seeding {items:,} items into moto …", flush=True)
            seed_table(env, items)
            start = time.perf_counter()
            rows = dynamodb.pull(ws, ws.settings.sources.dynamodb[0], FIRST, date(2026, 11, 30))
            store(ws, "orders", "2026-10", rows, datetime.now(UTC))
            pulled = time.perf_counter() - start
            dynamo_csv = csv_rate(rows, folder)

            created = int(datetime(2025, 10, 2, tzinfo=UTC).timestamp())
            for n in range(transactions):
                api.add(n, created + n * 60, "charge", 1000 + n % 500, 30)
            start = time.perf_counter()
            found = stripe_balance.pull(
                ws, ws.settings.sources.stripe, FIRST, date(2026, 11, 30), None,
                folder / "cursor.jsonl",
            )  # fmt: skip
            store(ws, "stripe", "2026-10", found, datetime.now(UTC))
            took = time.perf_counter() - start
            stripe_csv = csv_rate(found, folder)
    finally:
        moto.stop()
        api.stop()
        # boardpack's own part of a pull, at the million: items (as DynamoDB's API gives
        # them) into rows, in this process, without moto
        spec = ws.settings.sources.dynamodb[0]
        million = [item(n) for n in range(1_000_000)]
        start = time.perf_counter()
        built = [dynamodb.row(spec, i, ["venture", "booked_at"]) for i in million]
        own = time.perf_counter() - start
        own_csv = csv_rate(built[:200_000], Path(tempfile.mkdtemp()))
    print(f"{'source':<36}{'rows':>10}{'seconds':>9}{'rows/s':>11}{'CSV rows/s':>12}{'ratio':>8}")
    for name, count, seconds, against in (
        ("DynamoDB Query from moto, paged", len(rows), pulled, dynamo_csv),
        ("Stripe balance transactions", len(found), took, stripe_csv),
        ("DynamoDB items to rows (own part)", len(built), own, own_csv),
    ):
        rate = count / seconds
        print(f"{name:<36}{count:>10,}{seconds:>9.1f}{rate:>11,.0f}{against:>12,.0f}"
              f"{against / rate:>7.1f}x")  # fmt: skip
    print("ratio: the same rows read from a CSV file ÷ the pull (network, server, paging, rows)")


if __name__ == "__main__":
    main()
