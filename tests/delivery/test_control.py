"""Control of who gets mail (issue 25, part 7): `[delivery] allowed_domains` stops a send to any
other domain before anything is sent, naming the key; `[roles.<id>] priority` orders the batch
(and so what a short quota sends first)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import TOML, run_cli, write_workspace

AS_OF = ("--as-of", "2026-11-15")
ALLOWED = '[delivery]\nallowed_domains = ["example.com"]\n'


def allowed(toml: str = TOML) -> str:
    return toml.replace("[delivery]\n", ALLOWED)


@pytest.mark.parametrize(
    "toml, env, words",
    [
        (
            allowed().replace('cc = ["owner@example.com"]', 'cc = ["x@example.com.evil.org"]'),
            {},
            "roles.cfo.cc[0]: x@example.com.evil.org is outside [delivery] allowed_domains",
        ),
        (
            allowed() + '[approval]\napprovers = ["boss@elsewhere.org"]\n',
            {},
            "approval.approvers[0]: boss@elsewhere.org is outside",
        ),
        (
            allowed() + '[alerts]\nemail = "ops@elsewhere.org"\n',
            {},
            "alerts.email: ops@elsewhere.org is outside",
        ),
        (  # no roles: every report goes to the environment's one recipient
            TOML.split("[roles.ceo]")[0] + ALLOWED + 'from = "reports@example.com"\n',
            {"SES_RECIPIENT_EMAIL": "someone@elsewhere.org"},
            "SES_RECIPIENT_EMAIL (environment): someone@elsewhere.org is outside",
        ),
    ],
)
def test_an_address_outside_the_allowed_domains_stops_the_send(tmp_path, toml, env, words):
    root = write_workspace(tmp_path / "ws", toml)
    done = run_cli("send", "-w", str(root), *AS_OF, env=env)
    assert done.returncode == 2 and words in done.stderr and "Traceback" not in done.stderr
    assert not (root / "outbox").exists()  # nothing sent


def test_domains_compare_without_case_and_the_send_goes_ahead(tmp_path):
    toml = allowed().replace("owner@example.com", "Owner@Example.COM")
    root = write_workspace(tmp_path / "ws", toml.replace('["example.com"]', '["EXAMPLE.com"]'))
    done = run_cli("send", "-w", str(root), *AS_OF)
    assert done.returncode == 0, done.stderr


def test_priority_orders_the_batch(tmp_path):
    toml = TOML.replace(
        '[roles.cfo]\nto = ["cfo@example.com"]\n',
        '[roles.cfo]\nto = ["cfo@example.com"]\npriority = 1\n',
    )
    assert "priority = 1" in toml
    root = write_workspace(tmp_path / "ws", toml)
    assert run_cli("send", "-w", str(root), *AS_OF).returncode == 0
    index = (root / "outbox" / "index.jsonl").read_text().splitlines()
    assert [json.loads(line)["report"] for line in index] == ["cfo", "ceo"]  # CEO first otherwise


def test_a_priority_out_of_range_is_named(tmp_path):
    toml = TOML.replace(
        '[roles.cfo]\nto = ["cfo@example.com"]\n',
        '[roles.cfo]\nto = ["cfo@example.com"]\npriority = 0\n',
    )
    root = write_workspace(tmp_path / "ws", toml)
    done = run_cli("check", "-w", str(root), *AS_OF)
    assert done.returncode == 2 and "roles.cfo.priority" in done.stderr
