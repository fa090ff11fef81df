"""Recipients from a table (issue 25, part 6): `[recipients] source = "csv:…"` or
`"dynamodb:TABLE"`, read at send time, each address checked as the workspace's own and named by
its line or item; an inactive row stops a report; a change of recipients is in the run's record."""

from __future__ import annotations

import json

import pytest

from tests.conftest import (
    TOML,
    aws,  # noqa: F401 (a fixture)
    moto_server,  # noqa: F401 (a fixture)
    run_cli,
    write_workspace,
)
from tests.delivery.test_send_cli import clients

AS_OF = ("--as-of", "2026-11-15")
TABLE = '\n[recipients]\nsource = "csv:recipients.csv"\n'


def sent_to(root) -> dict[str, list[str]]:
    index = (root / "outbox" / "index.jsonl").read_text().splitlines()
    found: dict[str, list[str]] = {}
    for line in map(json.loads, index):
        found.setdefault(line["report"], []).extend(line["recipients"])
    return found


def test_the_table_replaces_the_roles_it_lists_and_is_read_at_send_time(tmp_path):
    root = write_workspace(
        tmp_path / "ws",
        TOML + TABLE,
        {
            "recipients.csv": (
                "report,to,cc,active\ncfo,Sam <sam@example.com>; kim@example.com,,true\n"
            )
        },
    )
    assert run_cli("send", "-w", str(root), *AS_OF).returncode == 0
    got = sent_to(root)
    assert sorted(got["cfo"]) == ["audit@example.com", "kim@example.com", "sam@example.com"]
    assert "owner@example.com" in got["ceo"]  # not in the table: its [roles.ceo]
    # November: the table changes; the next send reads it anew, and its run says what changed
    (root / "recipients.csv").write_text(
        "report,to,cc,active\ncfo,sam@example.com,new@example.com,yes\nceo,x@example.com,,no\n"
    )
    assert run_cli("send", "-w", str(root), "--as-of", "2026-12-15").returncode == 0
    november = [json.loads(x) for x in (root / "outbox/index.jsonl").read_text().splitlines()]
    assert {m["report"] for m in november if m["period"] == "2026-11"} == {"cfo"}  # ceo: inactive
    runs = json.loads(run_cli("runs", "-w", str(root), "--json").stdout)["runs"]
    assert "recipients since 2026-10: cfo +new@example.com -kim@example.com" in runs[0]["summary"]


@pytest.mark.parametrize(
    "table, words",
    [
        ("report,to,cc,active\ncfo,not-an-address,,true\n", "recipients.csv:2: to:"),
        ("report,to,cc,active\nboard,a@example.com,,true\n", "recipients.csv:2: report 'board'"),
        (
            "report,to,cc,active\ncfo,a@example.com,,true\ncfo,b@example.com,,true\n",
            "recipients.csv:3: cfo is listed again (first at recipients.csv:2)",
        ),
        ("report,to,cc,active\ncfo,a@example.com,,maybe\n", "recipients.csv:2: active = 'maybe'"),
        ("report,to,active\ncfo,a@example.com,true\n", "columns cc are missing"),
        (None, "recipients.source = 'recipients.csv': no such file"),
    ],
)
def test_a_bad_table_is_named_by_its_line_and_nothing_is_sent(tmp_path, table, words):
    root = write_workspace(tmp_path / "ws", TOML + TABLE, {"recipients.csv": table})
    done = run_cli("send", "-w", str(root), *AS_OF)
    assert done.returncode == 2 and words in done.stderr and "Traceback" not in done.stderr
    assert not (root / "outbox").exists()


def test_allowed_domains_apply_to_the_table(tmp_path):
    root = write_workspace(
        tmp_path / "ws",
        TOML.replace("[delivery]\n", '[delivery]\nallowed_domains = ["example.com"]\n') + TABLE,
        {"recipients.csv": "report,to,cc,active\ncfo,a@elsewhere.org,,true\n"},
    )
    done = run_cli("send", "-w", str(root), *AS_OF)
    assert done.returncode == 2
    assert "recipients.csv:2: to: a@elsewhere.org is outside [delivery] allowed_domains" in (
        done.stderr
    )


def recipients_table(aws):  # noqa: F811
    """The table a partner edits, keyed by report, on the moto_server."""
    (db,) = clients(aws, "dynamodb")
    db.create_table(
        TableName="board-recipients",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "report", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "report", "KeyType": "HASH"}],
    )
    return db


def test_a_dynamodb_table(tmp_path, aws):  # noqa: F811
    db = recipients_table(aws)
    db.put_item(
        TableName="board-recipients",
        Item={
            "report": {"S": "cfo"},
            "to": {"L": [{"S": "dana@example.com"}]},
            "cc": {"SS": ["owner@example.com"]},
            "active": {"BOOL": True},
        },
    )
    db.put_item(
        TableName="board-recipients",
        Item={"report": {"S": "ceo"}, "to": {"S": "bad address"}, "active": {"BOOL": True}},
    )
    toml = TOML + '\n[recipients]\nsource = "dynamodb:board-recipients"\n'
    root = write_workspace(tmp_path / "ws", toml)
    done = run_cli("send", "-w", str(root), *AS_OF, env=aws.env())
    assert done.returncode == 2 and "dynamodb:board-recipients item ceo: to" in done.stderr
    db.put_item(
        TableName="board-recipients",
        Item={"report": {"S": "ceo"}, "to": {"S": "ceo@example.com"}, "active": {"BOOL": False}},
    )
    assert run_cli("send", "-w", str(root), *AS_OF, env=aws.env()).returncode == 0
    got = sent_to(root)
    assert set(got) == {"cfo"} and "dana@example.com" in got["cfo"]


@pytest.mark.parametrize(
    "active, sent, refused",
    [
        ({"S": "false"}, False, ""),
        ({"S": " No "}, False, ""),
        ({"S": "true"}, True, ""),
        ({"S": "maybe"}, False, "item cfo: active = 'maybe': write true or false"),
        ({"N": "0"}, False, "item cfo: active is of DynamoDB type N: make it a Boolean"),
    ],
)
def test_an_active_flag_written_as_text_in_the_console_is_read_as_meant(
    tmp_path,
    aws,  # noqa: F811
    active,
    sent,
    refused,
):
    """An item edited by hand in the DynamoDB console often holds "false" as a string: it stops the
    report; a value that is no answer stops the send, naming the item."""
    db = recipients_table(aws)
    db.put_item(
        TableName="board-recipients",
        Item={"report": {"S": "cfo"}, "to": {"S": "dana@example.com"}, "active": active},
    )
    toml = TOML + '\n[recipients]\nsource = "dynamodb:board-recipients"\n'
    root = write_workspace(tmp_path / "ws", toml)
    done = run_cli("send", "-w", str(root), *AS_OF, env=aws.env())
    if refused:
        assert done.returncode == 2 and refused in done.stderr
        assert not (root / "outbox").exists()  # nothing sent
    else:
        assert done.returncode == 0, done.stderr
        assert ("cfo" in sent_to(root)) is sent
