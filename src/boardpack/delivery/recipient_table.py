"""Recipients from a table (`[recipients] source`), read at send time: a CSV file in the workspace
(`csv:recipients.csv`) or a DynamoDB table (`dynamodb:TABLE`). Each row is a report id, its `to`
and `cc` (addresses separated by `;`) and `active`; a listed report's row replaces its
`[roles.<id>]`, and an inactive row stops it being sent. Every address is checked exactly as the
workspace's own, and named by its line or item.
"""

from __future__ import annotations

from dataclasses import dataclass

from boardpack.config import Workspace
from boardpack.csv_file import read_rows
from boardpack.delivery.addresses import mailbox
from boardpack.errors import SourceErrors, SourceProblem, WorkspaceError

HEADER = ("report", "to", "cc", "active")
YES, NO = ("true", "yes", "1", "y"), ("false", "no", "0", "n")


@dataclass(frozen=True)
class Row:
    report: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    active: bool
    where: str  # "recipients.csv:3", "dynamodb:TABLE item cfo"


def rows(workspace: Workspace, known: set[str]) -> dict[str, Row]:
    """The table's rows by report id; `known`: the pack's report ids, for a row naming another."""
    source = workspace.settings.recipients.source
    kind, _, name = source.partition(":")
    found = csv_rows(workspace, name) if kind == "csv" else dynamodb_rows(workspace, name)
    problems = []
    by_report: dict[str, Row] = {}
    for row in found:
        if row.report not in known:
            why = f"report {row.report!r} is not one of this pack's: {', '.join(sorted(known))}"
        elif row.report in by_report:
            why = f"{row.report} is listed again (first at {by_report[row.report].where})"
        elif row.active and not row.to:
            why = "an active row needs at least one address in to"
        else:
            by_report[row.report] = row
            continue
        problems.append((row.where, why))
    if problems and kind == "csv":
        raise SourceErrors(
            [
                SourceProblem(where.rpartition(":")[0], int(where.rpartition(":")[2]), why)
                for where, why in problems
            ]
        )
    if problems:
        raise WorkspaceError("; ".join(f"{where}: {why}" for where, why in problems))
    return by_report


def addresses(cell: str, where: str) -> tuple[str, ...]:
    return tuple(mailbox(a.strip(), where) for a in cell.split(";") if a.strip())


def active(cell: str) -> bool:
    if cell.lower() in YES:
        return True
    if cell.lower() in NO:
        return False
    raise ValueError(f"active = {cell!r}: write true or false")


def csv_rows(workspace: Workspace, path: str) -> list[Row]:
    def parse(row: dict[str, str], where: str) -> Row:
        try:
            return Row(
                row["report"],
                addresses(row["to"], f"{where}: to"),
                addresses(row["cc"], f"{where}: cc"),
                active(row["active"] or "true"),
                where,
            )
        except WorkspaceError as exc:  # a bad address: this line's problem
            raise ValueError(str(exc).removeprefix(f"{where}: ")) from None

    return read_rows(workspace.root, path, "recipients.source", HEADER, parse)


def dynamodb_rows(workspace: Workspace, table: str) -> list[Row]:
    """Items {report: S, to: a list or set of S, cc: the same, active: BOOL}, keyed by `report`."""
    from botocore.exceptions import BotoCoreError, ClientError

    from boardpack import aws_clients as aws

    client = aws.client(workspace, "dynamodb", workspace.settings.audit.region)
    items, start = [], {}
    try:
        while True:
            page = client.scan(TableName=table, **start)
            items += page["Items"]
            if "LastEvaluatedKey" not in page:
                break
            start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}
    except (BotoCoreError, ClientError) as exc:
        raise WorkspaceError(
            f"recipients.source = 'dynamodb:{table}': cannot read it ({exc})"
        ) from None
    found = []
    for item in items:
        report = item.get("report", {}).get("S", "")
        where = f"dynamodb:{table} item {report or '(no report)'}"

        def listed(name: str) -> tuple[str, ...]:
            value = item.get(name, {})
            texts = value.get("SS") or [v.get("S", "") for v in value.get("L", [])]
            if "S" in value:
                texts = value["S"].split(";")
            return tuple(mailbox(t.strip(), f"{where}: {name}") for t in texts if t.strip())

        found.append(Row(report, listed("to"), listed("cc"), item_active(item, where), where))
    return found


def item_active(item: dict, where: str) -> bool:
    """An item's `active`: a BOOL, or text a person typed in the console ("false", "no"); absent
    is active. Anything else is refused, naming the item: a "false" read as true would send."""
    value = item.get("active")
    if value is None:
        return True
    if "BOOL" in value:
        return bool(value["BOOL"])
    if "S" in value:
        try:
            return active(value["S"].strip())
        except ValueError as exc:
            raise WorkspaceError(f"{where}: {exc}") from None
    kind = next(iter(value), "?")
    raise WorkspaceError(f"{where}: active is of DynamoDB type {kind}: make it a Boolean")
