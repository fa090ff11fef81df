"""Class 3: an address written so that mail would go somewhere else than it says. Each is exit 2 at
load, naming the file, line and key; nothing is sent. The envelope is exactly the address the owner
wrote.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.hostile.corpus import Case, problems_of, replace, run_case

CFO = 'to = ["cfo@example.com"]'


def case(id: str, written: str, *says: str, key: str = "roles.cfo.to[0]") -> Case:
    return Case(
        id,
        "addresses",
        toml=replace(CFO, f"to = [{json.dumps(written)}]"),
        says=("boardpack.toml:", key, *says),
    )


CASES = [
    case(
        "two addresses joined by a comma",
        "cfo@example.com, thief@evil.example",
        "holds 2 addresses",
    ),
    case(
        "two addresses joined by a semicolon",
        "cfo@example.com; thief@evil.example",
        "not one email address",
    ),
    case(
        "a name that is an address", '"cfo@example.com" <thief@evil.example>', "contains an address"
    ),
    case(
        "an encoded name that is an address",
        "=?utf-8?q?cfo=40example.com?= <thief@evil.example>",
        "contains an address",
    ),
    case(
        "a bare address before an angle address",
        "cfo@example.com <thief@evil.example>",
        "not one email address",
    ),
    case(
        "an address after the angle address",
        "CFO <cfo@example.com> thief@evil.example",
        "not one email address",
    ),
    case(
        "a comment holding an address",
        "cfo@example.com (thief@evil.example)",
        "not how it is written",
    ),
    case("a source route", "<@evil.example:cfo@example.com>", "not one email address"),
    case("a group", "board: cfo@example.com, thief@evil.example;", "holds 2 addresses"),
    case("a line feed", "cfo@example.com\nBcc: thief@evil.example", "control characters (U+000A)"),
    case(
        "a carriage return",
        "cfo@example.com\rBcc: thief@evil.example",
        "control characters (U+000D)",
    ),
    case("a NUL", "cfo@example.com\u0000thief@evil.example", "control characters (U+0000)"),
    case("an escape", "CFO\u001b[2J <cfo@example.com>", "control characters (U+001B)"),
    case("a C1 control", "CFO\u0085 <cfo@example.com>", "control characters (U+0085)"),
    case("a delete", "cfo@example.com\u007f", "control characters (U+007F)"),
    case("a quoted local part", '"cfo"@example.com', "not how it is written"),
    case("an IP literal", "cfo@[127.0.0.1]", "not a valid email address"),
    case("no domain", "cfo@", "not one email address"),
    case("no at sign", "cfo.example.com", "not one email address"),
    case("an empty address", "", "not one email address"),
    case("angle brackets only", "<>", "not one email address"),
    case("a dotless domain", "cfo@localhost", "not a valid email address"),
    case("a trailing dot", "cfo@example.com.", "not one email address"),
    Case(
        "a bad bcc",
        "addresses",
        toml=replace(
            'bcc = ["audit@example.com"]', 'bcc = ["audit@example.com, thief@evil.example"]'
        ),
        says=("boardpack.toml:", "delivery.bcc[0]", "holds 2 addresses"),
    ),
    Case(
        "a bad sender",
        "addresses",
        toml=replace(
            'from = "Small Co Reports <reports@example.com>"',
            'from = "reports@example.com <thief@evil.example>"',
        ),
        says=("boardpack.toml:", "delivery.from", "not one email address"),
    ),
    Case(
        "a bad alert address",
        "addresses",
        toml=lambda t: t + '\n[alerts]\nemail = "ops@example.com, x@evil.example"\n',
        says=("boardpack.toml:", "alerts.email", "holds 2 addresses"),
    ),
    Case(
        "a bad address from the environment",
        "addresses",
        toml=replace("[roles.cfo]\n" + CFO + '\ncc = ["owner@example.com"]', ""),
        files={".env": "SES_RECIPIENT_EMAIL=cfo@example.com, thief@evil.example\n"},
        says=("SES_RECIPIENT_EMAIL (environment)", "holds 2 addresses"),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_an_address_that_would_route_elsewhere_is_refused(case, tmp_path):
    outcome = run_case(case, tmp_path)
    assert problems_of(case, outcome, tmp_path / "ws") == []


def test_the_envelope_holds_exactly_the_addresses_written(tmp_path):
    written = '"Ann Example, CFO" <Ann.Example+board@Example.COM>'
    case = Case(
        "exact", "addresses", toml=replace(CFO, f"to = [{json.dumps(written)}]"), code=0, sends=True
    )
    outcome = run_case(case, tmp_path)
    assert problems_of(case, outcome, tmp_path / "ws") == []
    index = [
        json.loads(line)
        for line in (tmp_path / "ws" / "outbox" / "index.jsonl").read_text().splitlines()
    ]
    envelope = next(e for e in index if e["report"] == "cfo")["recipients"]
    assert sorted(envelope) == [
        "ann.example+board@example.com",
        "audit@example.com",
        "owner@example.com",
    ]
    sent = next(Path(tmp_path / "ws" / "outbox").rglob("cfo*.eml")).read_text()
    assert "Ann.Example+board@Example.COM" in sent and "evil" not in sent
