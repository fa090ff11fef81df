"""Named CloudWatch metrics, each one statistic over the whole reporting period and over the one
before (GetMetricData, a query a metric, its period the span's length, every page of the answer).
A metric with no datapoints in a span is no signal — an empty value, never a zero."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from boardpack import aws_clients
from boardpack.config import CloudWatchSource, Workspace
from boardpack.live.calls import reading, retried
from boardpack.live.snapshots import cell
from boardpack.period import Period


def pull(workspace: Workspace, spec: CloudWatchSource, period: Period) -> list[dict[str, str]]:
    with reading("CloudWatch"):
        client = aws_clients.client(workspace, "cloudwatch", spec.region, retried(5))
        rows = []
        for span, which in ((period, "period"), (period.previous(), "before")):
            start = datetime.combine(span.start, time(), UTC)
            end = datetime.combine(span.end + timedelta(days=1), time(), UTC)
            seconds = int((end - start).total_seconds())
            queries = [
                {
                    "Id": f"m{n}",
                    "MetricStat": {
                        "Metric": {
                            "Namespace": m.namespace,
                            "MetricName": m.metric,
                            "Dimensions": [
                                {"Name": k, "Value": v} for k, v in sorted(m.dimensions.items())
                            ],
                        },
                        "Period": seconds,
                        "Stat": m.stat,
                    },
                    "ReturnData": True,
                }
                for n, m in enumerate(spec.metrics)
            ]
            values: dict[str, list] = {}
            params = {"MetricDataQueries": queries, "StartTime": start, "EndTime": end}
            while True:
                page = client.get_metric_data(**params)
                for result in page.get("MetricDataResults", []):
                    values.setdefault(result["Id"], []).extend(result.get("Values", []))
                if not page.get("NextToken"):
                    break
                params["NextToken"] = page["NextToken"]
            for n, m in enumerate(spec.metrics):
                found = values.get(f"m{n}", [])
                rows.append(
                    {"metric": m.id, "span": which, "value": cell(found[0]) if found else ""}
                )
        return rows
