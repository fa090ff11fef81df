"""Event logs under an S3 prefix: the days of the period and the one before, each listed by its
own date prefix (never the whole bucket), read line by line (a line that is not JSON, or a CSV row
of the wrong width, is named and left out), loaded into DuckDB as the table `logs`, and counted by
the workspace's own query — one SELECT, run where it can read nothing else: DuckDB's external
access switched off and locked before the query runs, on one thread, within memory and time."""

from __future__ import annotations

import csv
import gzip
import io
import json
import tempfile
import threading
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import duckdb

from boardpack import aws_clients
from boardpack.config import S3LogsSource, Workspace
from boardpack.errors import LiveError
from boardpack.live.calls import reading, retried
from boardpack.live.snapshots import PROBLEM, cell
from boardpack.period import Period

PROBLEMS_KEPT = 100
MAX_BYTES = 512 * 1024 * 1024  # the logs of a window, whole: past this, narrow the prefix
FIELDS = ("date", "type", "entity", "count")


def pull(workspace: Workspace, spec: S3LogsSource, period: Period) -> list[dict[str, str]]:
    parts = urlsplit(spec.uri)
    bucket, prefix = parts.netloc, parts.path.lstrip("/")
    prefix = prefix if not prefix or prefix.endswith("/") else prefix + "/"
    with reading(f"s3://{bucket}/{prefix}"):
        s3 = aws_clients.client(workspace, "s3", spec.region, retried(5))
        keys = listed(s3, spec, bucket, prefix, period)
        problems: list[str] = []
        with tempfile.TemporaryDirectory(prefix="boardpack-logs-") as folder:
            good = Path(folder) / ("logs.jsonl" if spec.format == "jsonl" else "logs.csv")
            read = 0
            with good.open("w", encoding="utf-8", newline="") as out:
                header: list[str] | None = None
                for key in keys:
                    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
                    read += len(body)
                    if read > MAX_BYTES:
                        raise LiveError(
                            f"more than {MAX_BYTES // 2**20} MiB of logs in the window: narrow"
                            " the prefix"
                        )
                    text = (gzip.decompress(body) if key.endswith(".gz") else body).decode(
                        "utf-8", "replace"
                    )
                    if spec.format == "jsonl":
                        lines(text, key, out, problems)
                    else:
                        header = rows(text, key, out, header, problems)
            records = counted(spec, good) if good.stat().st_size else []
    return records + [{PROBLEM: p} for p in problems[:PROBLEMS_KEPT]] + (
        [{PROBLEM: f"and {len(problems) - PROBLEMS_KEPT:,} more lines left out"}]
        if len(problems) > PROBLEMS_KEPT
        else []
    )


def listed(s3, spec: S3LogsSource, bucket: str, prefix: str, period: Period) -> list[str]:
    """The objects under each day's prefix, from the period before through the period's end."""
    keys: list[str] = []
    day = period.previous().start
    while day <= period.end:
        under = prefix + spec.partition.format(
            date=day.isoformat(), year=f"{day:%Y}", month=f"{day:%m}", day=f"{day:%d}"
        )
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=under):
            keys += [o["Key"] for o in page.get("Contents", [])]
            if len(keys) > spec.max_objects:
                raise LiveError(
                    f"more than max_objects = {spec.max_objects:,} objects in the window"
                )
        day += timedelta(days=1)
    return keys


def lines(text: str, key: str, out, problems: list[str]) -> None:
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            problems.append(f"{key}:{n}: not JSON")
            continue
        if not isinstance(record, dict):
            problems.append(f"{key}:{n}: not a JSON object")
            continue
        out.write(json.dumps(record) + "\n")


def rows(text: str, key: str, out, header: list[str] | None, problems: list[str]):
    """A CSV object's rows under the first object's header; each object repeats it."""
    reader = csv.reader(io.StringIO(text))
    own = next(reader, None)
    if own is None:
        return header
    writer = csv.writer(out)
    if header is None:
        header = own
        writer.writerow(header)
    elif own != header:
        problems.append(f"{key}:1: its header is not the first object's ({','.join(header)})")
        return header
    for row in reader:
        if len(row) != len(header):
            width = f"{len(row)} cells, the header has {len(header)}"
            problems.append(f"{key}:{reader.line_num}: {width}")
            continue
        writer.writerow(row)
    return header


def counted(spec: S3LogsSource, good: Path) -> list[dict[str, str]]:
    """The workspace's query over `logs`, where nothing but `logs` can be read or written."""
    db = duckdb.connect(config={"threads": 1, "memory_limit": "512MB"})
    try:
        reader = "read_json_auto" if spec.format == "jsonl" else "read_csv_auto"
        db.execute(f"CREATE TABLE logs AS SELECT * FROM {reader}(?)", [str(good)])
        db.execute("SET enable_external_access = false")
        db.execute("SET lock_configuration = true")
        try:
            statements = db.extract_statements(spec.query)
        except duckdb.Error as exc:
            raise LiveError(f"query: {str(exc).splitlines()[0]}") from None
        if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
            raise LiveError("query: write one SELECT over logs (it may read nothing else)")
        timer = threading.Timer(spec.timeout_seconds, db.interrupt)
        timer.start()
        try:
            result = db.execute(spec.query)
            names = [d[0] for d in result.description]
            found = result.fetchmany(1_000_000)
        except duckdb.InterruptException:
            raise LiveError(
                f"query: did not finish within timeout_seconds = {spec.timeout_seconds}"
            ) from None
        except duckdb.Error as exc:
            raise LiveError(f"query: {str(exc).splitlines()[0]}") from None
        finally:
            timer.cancel()
    finally:
        db.close()
    missing = [f for f in FIELDS if f not in names and f != "count"]
    if missing:
        raise LiveError(
            f"query: its result has no {', '.join(missing)} column: name them (date, type,"
            " entity and count) with AS"
        )
    return [{n: cell(v) for n, v in zip(names, row) if n in FIELDS} for row in found]
