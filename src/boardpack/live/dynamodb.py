"""Pull a DynamoDB table's items for a window of dates: a Query on the configured partition key
(the period attribute its sort key), else a Scan with a filter; every page to the end, never
silently truncated; eventually consistent unless asked; paced to a share of the table's read
capacity, and retried with backoff when throttled (botocore's standard retry mode). Each item
becomes a row of strings: the shape's fields, read from their attributes."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from datetime import date

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from boardpack import aws_clients
from boardpack.config import LIVE_SHAPES, DynamoDBSource, Workspace
from boardpack.errors import LiveError
from boardpack.live.calls import reading, retried
from boardpack.live.snapshots import ITEM, cell

MAX_ROWS = 5_000_000  # past this, a window is too wide to hold: narrow it with a key or filter
_out, _in = TypeDeserializer(), TypeSerializer()


def pull(
    workspace: Workspace,
    spec: DynamoDBSource,
    first: date,
    last: date,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> list[dict[str, str]]:
    """Every item whose period attribute falls from `first` through `last`, as rows."""
    with reading(f"table {spec.table}"):  # throttling retried with backoff, `attempts` in all
        client = aws_clients.client(workspace, "dynamodb", spec.region, retried(spec.attempts))
        table = client.describe_table(TableName=spec.table)["Table"]
        keys = [k["AttributeName"] for k in table["KeySchema"]]
        # on-demand tables report 0 units: nothing to pace against, throttling is retried
        units = table.get("ProvisionedThroughput", {}).get("ReadCapacityUnits", 0)
        allowed = units * spec.capacity_share
        call, params = request(spec, first, last, keys)
        rows: list[dict[str, str]] = []
        started, consumed = clock(), 0.0
        while True:
            if clock() - started > spec.timeout_seconds:
                raise LiveError(
                    f"did not finish within timeout_seconds = {spec.timeout_seconds}"
                    f" ({len(rows):,} items read); nothing of it is used"
                )
            page = getattr(client, call)(**params)
            rows += [row(spec, item, keys) for item in page.get("Items", [])]
            if len(rows) > MAX_ROWS:
                raise LiveError(
                    f"more than {MAX_ROWS:,} items in the window: narrow it with key or filter"
                )
            if "LastEvaluatedKey" not in page:
                return rows
            params["ExclusiveStartKey"] = page["LastEvaluatedKey"]
            # the next page waits until what was read is within our share of the capacity
            consumed += page.get("ConsumedCapacity", {}).get("CapacityUnits", 0)
            if allowed and (wait := consumed / allowed - (clock() - started)) > 0:
                sleep(wait)


def request(spec: DynamoDBSource, first: date, last: date, keys: list[str]) -> tuple[str, dict]:
    """The Query (or Scan) and its parameters: the window on the period attribute as ISO text
    ("~" sorts after any time of the last day), every filter an equality, only the attributes the
    shape needs (and the key) projected."""
    wanted = dict.fromkeys([*keys, *(spec.attribute(f) for f in LIVE_SHAPES[spec.shape])])
    names = {f"#a{i}": a for i, a in enumerate(wanted)}
    alias = {a: n for n, a in names.items()}
    period = alias.get(spec.period_attribute, "#p")
    if period == "#p":
        names["#p"] = spec.period_attribute
    values = {":first": {"S": first.isoformat()}, ":last": {"S": f"{last.isoformat()}~"}}
    window = f"{period} BETWEEN :first AND :last"
    conditions = []
    for i, (attribute, value) in enumerate(spec.filter.items()):
        names[f"#f{i}"] = attribute
        values[f":f{i}"] = _in.serialize(value)
        conditions.append(f"#f{i} = :f{i}")
    params = {
        "TableName": spec.table,
        "ConsistentRead": spec.consistent_read,
        "ReturnConsumedCapacity": "TOTAL",
        "ProjectionExpression": ", ".join(alias[a] for a in wanted),
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,
    }
    if spec.page_size:
        params["Limit"] = spec.page_size
    if spec.key is None:
        params["FilterExpression"] = " AND ".join([window, *conditions])
        return "scan", params
    names["#k"] = spec.key.name
    values[":k"] = _in.serialize(spec.key.value)
    params["KeyConditionExpression"] = f"#k = :k AND {window}"
    if conditions:
        params["FilterExpression"] = " AND ".join(conditions)
    return "query", params


def row(spec: DynamoDBSource, item: dict, keys: list[str]) -> dict[str, str]:
    """An item's shape fields as text, each under its attribute's name, and its key."""
    out = {a: text(item[a]) if a in item else "" for a in wanted(spec)}
    out[ITEM] = ", ".join(f"{k}={text(item[k]) if k in item else ''}" for k in keys)
    return out


@functools.cache
def attributes(shape: str, columns: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    named = dict(columns)
    return tuple(sorted({named.get(f, f) for f in LIVE_SHAPES[shape]}))


def wanted(spec: DynamoDBSource) -> tuple[str, ...]:
    """The attributes its shape reads, in order (worked out once a source)."""
    return attributes(spec.shape, tuple(sorted(spec.columns.items())))


def text(value: dict) -> str:
    """An attribute value as DynamoDB's API gives it ({"S": …}, {"N": "12.50"}), as text: a
    string or number as written, the rest through boto3's deserializer."""
    if "S" in value:
        return value["S"]
    if "N" in value:
        return value["N"]  # the number's own digits: exact
    return cell(_out.deserialize(value))
