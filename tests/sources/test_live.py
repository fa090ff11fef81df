"""Live sources (issue 41) — a business's own DynamoDB tables, CloudWatch metrics and S3 event
logs — against a real moto_server: the bookings venture read from a table builds the same figures
as from its file; the period's rows are pulled once into a snapshot that every rebuild uses until
`boardpack pull`; pages are read to the end, throttling retried, a table out of reach stops the
pack or is left out; an item or line that does not fit is named and the rest read."""

from __future__ import annotations

import csv
import gzip
import http.client
import io
import threading
from datetime import UTC, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import boto3
import pytest

from boardpack.config import load_workspace
from boardpack.live import dynamodb
from boardpack.live.snapshots import store, stored
from boardpack.pipeline import build_pack
from tests.analyses.test_bookings import BOOKINGS, LEDGER, TOML
from tests.conftest import AS_OF, GENERATED_AT, run_cli, write_workspace

SECRET = "wJalrXUtnFEMI-live-source-secret"  # the test's AWS secret key: never shown anywhere
LIVE = TOML.replace(
    'path = "bookings.csv"\ncolumns = { booking_date = "Booked", service_date = "Sail date" }\n',
    'source = "orders"\n',
) + """
[[sources.dynamodb]]
name = "orders"
table = "Bookings"
key = { name = "venture", value = "boats" }
period_attribute = "booked_at"
shape = "bookings"
entity = "boats"
columns = { booking_date = "booked_at", service_date = "sail_date" }
page_size = 2
"""


def environment(aws, **more) -> dict[str, str]:
    return aws.env() | {"AWS_SECRET_ACCESS_KEY": SECRET} | more


def aws_client(env: dict[str, str], service: str):
    """A client of the test's own, on moto, for putting in what the source will read."""
    return boto3.client(
        service,
        endpoint_url=env["AWS_ENDPOINT_URL"],
        region_name=env["AWS_REGION"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def table(env: dict[str, str], name="Bookings", key=("venture", "booked_at"), units=1000):
    """A provisioned table with capacity to spare: reads paced to a share of it never wait here
    (the pacing has a test of its own, on a table of one unit)."""
    client = aws_client(env, "dynamodb")
    client.create_table(
        TableName=name,
        KeySchema=[
            {"AttributeName": key[0], "KeyType": "HASH"},
            {"AttributeName": key[1], "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": key[0], "AttributeType": "S"},
            {"AttributeName": key[1], "AttributeType": "S"},
        ],
        ProvisionedThroughput={"ReadCapacityUnits": units, "WriteCapacityUnits": 5},
    )
    return client


def seed(env: dict[str, str], bookings: str = BOOKINGS):
    """The bookings file's rows as the booking system's table holds them (a timestamp to the
    second: unique within a day), and one item of another venture and one of 2023: not read."""
    client = table(env)
    for n, r in enumerate(csv.DictReader(io.StringIO(bookings))):
        client.put_item(TableName="Bookings", Item=item("boats", f"{r['Booked']}T09:00:{n:02d}", r))
    other = dict(r, customer="Someone Else")
    client.put_item(TableName="Bookings", Item=item("vans", "2026-10-05T10:00:00", other))
    client.put_item(TableName="Bookings", Item=item("boats", "2023-01-05T10:00:00", other))
    return client


def item(venture: str, booked_at: str, r: dict[str, str]) -> dict:
    return {
        "venture": {"S": venture},
        "booked_at": {"S": booked_at},
        "sail_date": {"S": r["Sail date"]},
        "asset": {"S": r["asset"]},
        "customer": {"S": r["customer"]},
        "channel": {"S": r["channel"]},
        "amount": {"N": r["amount"]},
        "deposit": {"N": r["deposit"]},
        "status": {"S": r["status"]},
        "internal_note": {"S": "not a field of the shape: never read"},
    }


def workspace(tmp_path, toml, env):
    root = write_workspace(
        tmp_path / "ws",
        toml,
        {"bookings.csv": BOOKINGS, "ledger/bank.csv": LEDGER, "notes/co.md": None},
    )
    return load_workspace(root, environ=env)


def figures(pack) -> dict:
    """What the venture's report says: its metrics and its operating tables."""
    metrics = {k: m.value for k, m in pack.results.metrics.items() if k.startswith("boats.")}
    tables = {
        t: pack.results.tables[t].rows
        for t in ("boats.order_book", "boats.utilization", "boats.customers")
    }
    return metrics | tables


def test_a_bookings_table_builds_the_same_figures_as_the_bookings_file(aws, tmp_path):
    env = environment(aws)
    seed(env)
    live = build_pack(workspace(tmp_path / "a", LIVE, env), AS_OF, generated_at=GENERATED_AT)
    from_file = build_pack(
        workspace(tmp_path / "b", TOML, env), AS_OF, generated_at=GENERATED_AT
    )
    assert figures(live) == figures(from_file)
    assert live.results.metrics["boats.bookings"].value == 4  # not the other venture's, not 2023's
    status = live.portfolio.sources["orders"]
    assert status.records == 7 and status.state(live.period) == "fresh"
    assert status.snapshot.startswith("live, pulled ") and "snapshot " in status.snapshot
    cfo = next(d for d in live.documents if d.id == "entity-boats")
    line = next(s for s in cfo.sources if s.name == "orders")
    assert line.snapshot == status.snapshot
    # read in pages of two: every page, to the end
    assert len(stored(live.workspace, "orders", "2026-10").rows) == 7


def test_a_rebuild_uses_the_snapshot_until_pull_takes_a_new_one(aws, tmp_path):
    env = environment(aws)
    client = seed(env)
    ws = workspace(tmp_path, LIVE, env)
    first = build_pack(ws, AS_OF, generated_at=GENERATED_AT)
    snapshot = stored(ws, "orders", "2026-10")
    # the booking system changes after the pack was built: a cancellation
    client.update_item(
        TableName="Bookings",
        Key={"venture": {"S": "boats"}, "booked_at": {"S": "2026-10-02T09:00:01"}},
        UpdateExpression="SET #s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"S": "cancelled"}},
    )
    again = build_pack(load_workspace(ws.root, environ=env), AS_OF, generated_at=GENERATED_AT)
    assert figures(again) == figures(first)
    assert stored(ws, "orders", "2026-10").digest == snapshot.digest  # stable, not re-pulled
    result = run_cli("pull", "-w", str(ws.root), "--as-of", "2026-11-15", env=env)
    assert result.returncode == 0, result.stderr
    assert "orders: 7 rows for 2026-10" in result.stdout
    pulled = stored(ws, "orders", "2026-10")
    assert pulled.digest != snapshot.digest
    after = build_pack(load_workspace(ws.root, environ=env), AS_OF, generated_at=GENERATED_AT)
    assert after.results.metrics["boats.cancellations"].value == (
        first.results.metrics["boats.cancellations"].value + 1
    )
    assert SECRET not in result.stdout + result.stderr


HOP_BY_HOP = ("content-length", "transfer-encoding", "connection", "server", "date")


class Throttling(BaseHTTPRequestHandler):
    """A loopback proxy to moto that answers the first `refuse` Query calls as a throttled
    DynamoDB table does."""

    refuse = 2
    upstream = ""

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("X-Amz-Target", "").endswith(".Query") and Throttling.refuse > 0:
            Throttling.refuse -= 1
            reply = (
                b'{"__type":"com.amazonaws.dynamodb.v20120810#'
                b'ProvisionedThroughputExceededException","message":"Rate exceeded"}'
            )
            self.send_response(400)
            self.send_header("Content-Type", "application/x-amz-json-1.0")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)
            return
        host, port = self.upstream.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
        connection.request("POST", self.path, body, headers)
        answer = connection.getresponse()
        data = answer.read()
        self.send_response(answer.status)
        for k, v in answer.getheaders():
            if k.lower() not in HOP_BY_HOP:
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def test_a_throttled_table_is_retried_with_backoff(aws, tmp_path):
    env = environment(aws)
    seed(env)
    Throttling.refuse, Throttling.upstream = 2, env["AWS_ENDPOINT_URL"]
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), Throttling)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        through = env | {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{proxy.server_port}"}
        pack = build_pack(workspace(tmp_path, LIVE, through), AS_OF, generated_at=GENERATED_AT)
    finally:
        proxy.shutdown()
    assert Throttling.refuse == 0  # both refusals were met, and retried past
    assert pack.portfolio.sources["orders"].records == 7
    assert pack.results.metrics["boats.bookings"].value == 4


@pytest.mark.parametrize("optional", [False, True])
def test_a_table_out_of_reach_stops_the_pack_or_is_left_out(aws, tmp_path, optional):
    env = environment(aws, AWS_ENDPOINT_URL="http://127.0.0.1:9")  # nothing listens there
    toml = LIVE.replace("page_size = 2\n", "page_size = 2\nattempts = 1\n")
    if optional:
        toml = toml.replace('source = "orders"\n', 'source = "orders"\noptional = true\n')
        toml = toml.replace("page_size = 2\n", "page_size = 2\noptional = true\n")
    ws = workspace(tmp_path, toml, env)
    pack = build_pack(ws, AS_OF, generated_at=GENERATED_AT)
    status = pack.portfolio.sources["orders"]
    assert status.unreadable and "Bookings" in status.error and SECRET not in status.error
    assert stored(ws, "orders", "2026-10") is None  # nothing half-read kept
    result = run_cli("check", "-w", str(ws.root), "--as-of", "2026-11-15", env=env)
    if optional:
        assert "send would refuse" not in result.stderr
    else:
        assert result.returncode == 2 and "send would refuse" in result.stderr
        assert "orders" in result.stderr
    assert SECRET not in result.stdout + result.stderr
    result = run_cli("pull", "-w", str(ws.root), "--as-of", "2026-11-15", env=env)
    assert result.returncode == 1 and "orders: not pulled" in result.stderr


def test_an_item_that_does_not_fit_is_named_by_its_key_and_the_rest_read(aws, tmp_path):
    env = environment(aws)
    seed(env, BOOKINGS.replace(",completed\n2026-10-03", ",done\n2026-10-03"))
    pack = build_pack(workspace(tmp_path, LIVE, env), AS_OF, generated_at=GENERATED_AT)
    (problem,) = pack.portfolio.sources["bookings"].problems
    assert "item venture=boats, booked_at=2026-10-02T09:00:01: status 'done'" in str(problem)
    assert len(pack.portfolio.bookings) == 6  # the other six read


def test_reads_are_paced_to_a_share_of_the_tables_capacity(aws, tmp_path):
    """One unit a second, a quarter of it ours: moto reports a unit a page, so each page waits
    until four seconds a unit have passed — three waits of 4 s before pages 2, 3 and 4 of seven
    items in twos (told to a fake clock that only the waits move: the test does not wait)."""
    env = environment(aws)
    seed(env)
    client = aws_client(env, "dynamodb")
    client.update_table(
        TableName="Bookings",
        ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 5},
    )
    paced = LIVE.replace("page_size = 2\n", "page_size = 2\ncapacity_share = 0.25\n")
    ws = workspace(tmp_path, paced, env)
    spec = ws.settings.sources.dynamodb[0]
    now, waits = [0.0], []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    rows = dynamodb.pull(ws, spec, AS_OF.replace(year=2025), AS_OF, lambda: now[0], sleep)
    assert len(rows) == 7
    assert waits == [4.0, 4.0, 4.0]


@pytest.mark.parametrize(
    "change, said",
    [
        (('columns = { booking_date', 'columns = { booked = "x", booking_date'),
         "sources.dynamodb[0].columns.booked: is not a field of the bookings shape"),
        (('name = "orders"\ntable', 'name = "ledger"\ntable'), "a source's own name"),
        (('source = "orders"\n', 'source = "ordres"\n'),
         "entities[0].bookings.source = 'ordres' names no live source"),
        (('page_size = 2\n', 'page_size = 2\nmax_age = "2 days"\n'), "write an age as"),
        (('page_size = 2\n', 'page_size = 2\nurl = "https://x"\n'), "sources.dynamodb[0].url"),
    ],
)  # fmt: skip
def test_a_bad_live_source_setting_is_refused_by_its_key(tmp_path, change, said):
    root = write_workspace(
        tmp_path / "ws",
        LIVE.replace(*change),
        {"bookings.csv": BOOKINGS, "ledger/bank.csv": LEDGER, "notes/co.md": None},
    )
    result = run_cli("check", "-w", str(root), "--as-of", "2026-11-15")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert said in result.stderr, result.stderr


EVENTS = """
[[sources.dynamodb]]
name = "app-events"
table = "Events"
period_attribute = "at"
shape = "events"
filter = { env = "prod" }
columns = { date = "at", type = "kind", entity = "venture" }
page_size = 3
"""


def test_events_counted_by_type_and_venture_from_a_scan(aws, tmp_path):
    """October: three sign-ups and a claim for the boats (a fourth sign-up is from the test
    environment: filtered out); September: one sign-up. Two items that do not fit are named."""
    env = environment(aws)
    seed(env)
    client = table(env, "Events", ("id", "at"))
    items = [
        ("e1", "2026-10-02T10:00:00Z", "Sign-up", "boats", "prod"),
        ("e2", "2026-10-09T10:00:00Z", "Sign-up", "boats", "prod"),
        ("e3", "2026-10-30T23:59:59Z", "Sign-up", "boats", "prod"),
        ("e4", "2026-10-12T08:00:00Z", "Claim filed", "boats", "prod"),
        ("e5", "2026-10-12T08:00:00Z", "Sign-up", "boats", "test"),
        ("e6", "2026-09-20T08:00:00Z", "Sign-up", "boats", "prod"),
        ("e7", "2026-10-13T08:00:00Z", "", "boats", "prod"),
        ("e8", "2026-10-14T08:00:00Z", "Sign-up", "nobody", "prod"),
    ]
    for id_, at, kind, venture, where in items:
        client.put_item(
            TableName="Events",
            Item={"id": {"S": id_}, "at": {"S": at}, "kind": {"S": kind},
                  "venture": {"S": venture}, "env": {"S": where}},
        )  # fmt: skip
    pack = build_pack(workspace(tmp_path, LIVE + EVENTS, env), AS_OF, generated_at=GENERATED_AT)
    metrics = pack.results.metrics
    assert metrics["boats.events.sign_up"].value == 3
    assert metrics["boats.events.claim_filed"].value == 1
    rows = {r["type"]: r for r in pack.results.tables["operations.events"].rows}
    assert (rows["Sign-up"]["count"], rows["Sign-up"]["before"]) == (3, 1)
    assert rows["Sign-up"]["change"] == Decimal("200.0")
    problems = sorted(str(p) for p in pack.portfolio.sources["app-events"].problems)
    assert problems == [
        "app-events: item id=e7, at=2026-10-13T08:00:00Z: kind is empty: each event has a type",
        "app-events: item id=e8, at=2026-10-14T08:00:00Z: venture 'nobody' is not a declared"
        " entity",
    ]
    ceo = next(d for d in pack.documents if d.id == "ceo")
    assert "operations.events" in [s.id for s in ceo.sections]


def test_no_credential_in_what_is_kept_or_shown_and_an_old_snapshot_is_said(aws, tmp_path):
    env = environment(aws)
    seed(env)
    ws = workspace(tmp_path, LIVE.replace("page_size = 2\n", 'max_age = "36h"\n'), env)
    built = run_cli("build", "-w", str(ws.root), "--as-of", "2026-11-15", env=env)
    assert built.returncode == 0, built.stderr
    kept = [p for p in ws.root.rglob("*") if p.is_file()]
    assert any(p.name == "2026-10.jsonl.gz" for p in kept)
    for path in kept:
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        assert SECRET.encode() not in data, path
    text = (ws.root / "reports" / "2026-10" / "entity-boats.txt").read_text(encoding="utf-8")
    # the data line says what it read: through the day before the as-of date, and when
    assert "orders to 2026-11-14 (fresh; live, pulled " in " ".join(text.split())
    html = (ws.root / "reports" / "2026-10" / "entity-boats.html").read_text(encoding="utf-8")
    assert "orders to 2026-11-14 (fresh; live, pulled " in " ".join(html.split())
    # a snapshot pulled long ago: the pack is still its, and check says how old it is
    snapshot = stored(ws, "orders", "2026-10")
    store(ws, "orders", "2026-10", snapshot.rows, datetime(2026, 1, 1, tzinfo=UTC))
    result = run_cli("check", "-w", str(ws.root), "--as-of", "2026-11-15", env=env)
    assert "orders: its snapshot for 2026-10 was pulled 2026-01-01 00:00 UTC, older than" in (
        result.stderr
    )
    assert "boardpack pull --source orders" in result.stderr


def test_a_snapshot_changed_by_hand_is_refused_by_its_path(aws, tmp_path):
    env = environment(aws)
    seed(env)
    ws = workspace(tmp_path, LIVE, env)
    build_pack(ws, AS_OF, generated_at=GENERATED_AT)
    path = ws.root / ".boardpack" / "snapshots" / "orders" / "2026-10.jsonl.gz"
    lines = gzip.decompress(path.read_bytes()).replace(b"2400", b"9400")
    path.write_bytes(gzip.compress(lines))
    result = run_cli("check", "-w", str(ws.root), "--as-of", "2026-11-15", env=env)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "2026-10.jsonl.gz: its rows do not match the digest" in result.stderr
    assert "boardpack pull --source orders" in result.stderr


CLOUDWATCH = """
[[sources.cloudwatch]]
name = "services"
[[sources.cloudwatch.metrics]]
id = "api_errors"
label = "API 5xx"
namespace = "AWS/ApiGateway"
metric = "5XXError"
dimensions = { ApiName = "bookings" }
stat = "Sum"
target = 10
[[sources.cloudwatch.metrics]]
id = "latency"
namespace = "AWS/Lambda"
metric = "Duration"
dimensions = { FunctionName = "book" }
stat = "Maximum"
unit = " ms"
target = 900
[[sources.cloudwatch.metrics]]
id = "quiet"
namespace = "AWS/Lambda"
metric = "Throttles"
dimensions = { FunctionName = "book" }
stat = "Sum"
target = 0
"""


def test_cloudwatch_metrics_over_the_period_against_their_targets(aws, tmp_path):
    """October: 4 + 8 = 12 API errors (target at most 10: missed), September 3; the longest
    call 850 ms (within 900). Throttles: no datapoints — no signal, not zero, and no pass."""
    env = environment(aws)
    seed(env)
    client = aws_client(env, "cloudwatch")
    for when, name, dims, value in (
        ("2026-10-03T10:00:00", "5XXError", ("ApiName", "bookings"), 4),
        ("2026-10-20T10:00:00", "5XXError", ("ApiName", "bookings"), 8),
        ("2026-09-12T10:00:00", "5XXError", ("ApiName", "bookings"), 3),
        ("2026-11-02T10:00:00", "5XXError", ("ApiName", "bookings"), 50),  # November's
        ("2026-10-05T10:00:00", "Duration", ("FunctionName", "book"), 850),
        ("2026-10-06T10:00:00", "Duration", ("FunctionName", "book"), 120),
    ):
        client.put_metric_data(
            Namespace="AWS/ApiGateway" if name == "5XXError" else "AWS/Lambda",
            MetricData=[
                {
                    "MetricName": name,
                    "Dimensions": [{"Name": dims[0], "Value": dims[1]}],
                    "Timestamp": datetime.fromisoformat(when).replace(tzinfo=UTC),
                    "Value": value,
                }
            ],
        )
    pack = build_pack(
        workspace(tmp_path, LIVE + CLOUDWATCH, env), AS_OF, generated_at=GENERATED_AT
    )
    m = pack.results.metrics
    errors, latency = m["technology.services.api_errors"], m["technology.services.latency"]
    assert (errors.value, errors.status, errors.target) == (Decimal("12.0"), "bad", Decimal(10))
    assert "September 2026: 3" in errors.note
    assert (latency.value, latency.status) == (Decimal("850.0"), "good")
    quiet = m["technology.services.quiet"]
    assert quiet.value is None and quiet.status is None and "no signal" in quiet.note
    (finding,) = [f for f in pack.results.findings if f.source == "services (CloudWatch)"]
    assert finding.title == "API 5xx was 12.0 in October 2026, above its target"
    cto = next(d for d in pack.documents if d.id == "cto")
    assert "technology.service_health" in [s.id for s in cto.sections]
    assert pack.portfolio.sources["services"].snapshot.startswith("live, pulled")


S3_LOGS = """
[[sources.s3_logs]]
name = "web-logs"
uri = "s3://boat-logs/app/"
partition = "dt={date}/"
query = \"\"\"SELECT CAST(ts AS DATE) AS date, kind AS type, venture AS entity, count(*) AS count
FROM logs GROUP BY ALL\"\"\"
"""


def put_logs(env: dict[str, str]):
    s3 = aws_client(env, "s3")
    s3.create_bucket(Bucket="boat-logs")
    line = '{{"ts": "{}T10:00:00", "kind": "{}", "venture": "boats"}}\n'
    objects = {
        "app/dt=2026-10-05/a.jsonl": line.format("2026-10-05", "search")
        + line.format("2026-10-05", "search")
        + "this is not json\n"
        + line.format("2026-10-05", "booking page"),
        "app/dt=2026-10-20/b.jsonl.gz": gzip.compress(line.format("2026-10-20", "search").encode()),
        "app/dt=2026-09-11/c.jsonl": line.format("2026-09-11", "search"),
        "app/dt=2026-07-01/old.jsonl": line.format("2026-07-01", "search") * 50,  # not listed
        "other/dt=2026-10-05/x.jsonl": line.format("2026-10-05", "search") * 50,  # not the prefix
    }
    for key, body in objects.items():
        s3.put_object(Bucket="boat-logs", Key=key, Body=body)
    return s3


def test_s3_event_logs_counted_by_a_query_over_the_periods_days(aws, tmp_path):
    """October: three searches (two on the 5th, one in a gzipped object on the 20th) and a booking
    page; September one search; July's object is outside the days listed, and the other prefix
    is never read. The line that is not JSON is named; the rest are read."""
    env = environment(aws)
    seed(env)
    put_logs(env)
    pack = build_pack(workspace(tmp_path, LIVE + S3_LOGS, env), AS_OF, generated_at=GENERATED_AT)
    rows = {r["type"]: r for r in pack.results.tables["operations.events"].rows}
    assert (rows["search"]["count"], rows["search"]["before"]) == (3, 1)
    assert rows["booking page"]["count"] == 1
    assert pack.results.metrics["boats.events.booking_page"].value == 1
    (problem,) = pack.portfolio.sources["web-logs"].problems
    assert str(problem) == "web-logs: app/dt=2026-10-05/a.jsonl:3: not JSON"


@pytest.mark.parametrize(
    "query, said",
    [
        ("SELECT * FROM read_csv('/etc/passwd')", "query: Permission Error"),
        ("COPY logs TO '/tmp/stolen.csv'", "query: write one SELECT over logs"),
        ("SELECT 1 AS one; SELECT 2 AS two", "query: write one SELECT over logs"),
        ("SELECT kind FROM logs", "its result has no date, type, entity column"),
    ],
)
def test_a_logs_query_reads_the_logs_and_nothing_else(aws, tmp_path, query, said):
    env = environment(aws)
    seed(env)
    put_logs(env)
    toml = LIVE + S3_LOGS.split("query = ")[0] + f'query = """{query}"""\n'
    pack = build_pack(workspace(tmp_path, toml, env), AS_OF, generated_at=GENERATED_AT)
    status = pack.portfolio.sources["web-logs"]
    assert status.unreadable and said in status.error, status.error
    assert not (tmp_path / "stolen.csv").exists() and not Path("/tmp/stolen.csv").exists()


def test_ledger_rows_from_a_table_are_read_with_the_ledger(aws, tmp_path):
    """A payments table of shape "ledger": October's two payments (2,000.00 and 450.00, one a
    timestamp) join the bank export's revenue; a row whose amount does not read is named by its
    line and left out, the rest read."""
    env = environment(aws)
    seed(env)
    client = table(env, "Payments", ("venture", "paid_at"))
    for at, amount in (("2026-10-06", "2000.00"), ("2026-10-19T15:30:00Z", "450.00"),
                       ("2026-10-21", "lots")):  # fmt: skip
        client.put_item(
            TableName="Payments",
            Item={"venture": {"S": "boats"}, "paid_at": {"S": at}, "amount": {"S": amount},
                  "account": {"S": "Income:Charters"}, "payee": {"S": "Walk-up guest"}},
        )  # fmt: skip
    payments = """
[[sources.dynamodb]]
name = "payments"
table = "Payments"
key = { name = "venture", value = "boats" }
period_attribute = "paid_at"
shape = "ledger"
entity = "boats"
columns = { date = "paid_at", counterparty = "payee" }
"""
    without = build_pack(workspace(tmp_path / "a", LIVE, env), AS_OF, generated_at=GENERATED_AT)
    pack = build_pack(
        workspace(tmp_path / "b", LIVE + payments, env), AS_OF, generated_at=GENERATED_AT
    )
    revenue = pack.results.metrics["finance.revenue"].value
    assert revenue - without.results.metrics["finance.revenue"].value == Decimal("2450.00")
    problems = [str(p) for p in pack.portfolio.sources["ledger"].problems]
    assert len(problems) == 1 and "payments.csv:4" in problems[0] and "lots" in problems[0]
