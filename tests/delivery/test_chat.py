"""Slack and Microsoft Teams (issue 25, part 3): a summary card of each report posted to an
incoming webhook on loopback that answers 200, 429 with Retry-After, 500, a refusal or a dropped
connection — each card ends in the right state, never posted twice, and the URL never shows."""

from __future__ import annotations

import json

import pytest

from tests.conftest import TOML, run_cli, write_workspace
from tests.servers import ChatServer

AS_OF = ("--as-of", "2026-11-15")
OK = (200, {}, b"ok")
CHAT = TOML.replace("[delivery]\n", "[delivery]\nretry_delay = 0.01\n").replace(
    'cc = ["owner@example.com"]\n', 'cc = ["owner@example.com"]\nslack = true\nteams = true\n'
)


@pytest.fixture
def servers(request):
    slack, teams = (ChatServer(getattr(request, "param", [OK])) for _ in range(2))
    yield slack, teams
    slack.stop()
    teams.stop()


def env_for(slack, teams) -> dict:
    return {"BOARDPACK_SLACK_WEBHOOK": slack.url, "BOARDPACK_TEAMS_WEBHOOK_CFO": teams.url}


def deliveries(root) -> dict[str, dict]:
    runs = json.loads(run_cli("runs", "-w", str(root), "--json").stdout)
    return {  # by channel: slack.<digest>@webhook.invalid
        d["recipients"][0].partition(".")[0]: d
        for d in runs["deliveries"]
        if d["report"] == "cfo" and d["recipients"][0].endswith("@webhook.invalid")
    }


def test_the_cards_go_once_and_the_webhook_never_shows(tmp_path, servers):
    slack, teams = servers
    root = write_workspace(tmp_path / "ws", CHAT)
    env = env_for(slack, teams)
    first = run_cli("send", "-w", str(root), *AS_OF, env=env)
    assert first.returncode == 0, first.stderr
    (card,) = slack.received
    assert card["text"] == "Small Co CFO report, October 2026: net -1.4k USD, cash 14.8k USD"
    blocks = card["blocks"]
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "CFO report — Small Co"},
    }
    texts = [t for b in blocks for t in [b.get("text")] + b.get("fields", []) if t]
    assert {t["type"] for t in texts} == {"plain_text"}  # no mrkdwn: no link or mention is made
    assert any(t["text"].startswith("Cash balance\n14,800.00 USD") for t in texts)
    (adaptive,) = teams.received
    content = adaptive["attachments"][0]["content"]
    assert content["type"] == "AdaptiveCard" and content["body"][0]["weight"] == "Bolder"
    assert {d["state"] for d in deliveries(root).values()} == {"sent"}
    again = run_cli("send", "-w", str(root), *AS_OF, env=env)
    assert again.returncode == 0 and len(slack.received) == len(teams.received) == 1
    shown = (
        first.stdout
        + first.stderr
        + again.stdout
        + run_cli("runs", "-w", str(root), "--json").stdout
    )
    shown += (root / ".boardpack" / "audit.sqlite").read_bytes().decode("latin-1")
    assert "s3cr3t-t0ken" not in shown and "127.0.0.1:" not in shown


@pytest.mark.parametrize(
    "servers, state, detail",
    [
        ([(429, {"Retry-After": "1"}, b"rate_limited"), OK], "sent", "slack answered ok"),
        ([(500, {}, b"<html>oops</html>"), OK], "sent", "slack answered ok"),
        (
            [(400, {}, b"invalid_payload")],
            "failed",
            "slack refused the card (400: invalid_payload)",
        ),
        ([(404, {}, b'{"error": "no_service"}')], "failed", "(404: no_service)"),
        (["drop"], "unknown", "was lost after the card was sent"),
    ],
    indirect=["servers"],
)
def test_each_answer_ends_in_its_state_and_nothing_is_posted_twice(
    tmp_path, servers, state, detail
):
    slack, teams = servers
    root = write_workspace(tmp_path / "ws", CHAT.replace("teams = true\n", ""))
    env = env_for(slack, teams)
    sent = run_cli("send", "-w", str(root), *AS_OF, env=env)
    found = deliveries(root).get("slack")
    assert found, sent.stdout + sent.stderr
    assert found["state"] == state and detail in found["detail"]
    posted = len(slack.received)
    run_cli("send", "-w", str(root), *AS_OF, env=env)  # a re-run
    if state == "sent" or state == "unknown":
        assert len(slack.received) == posted  # never twice, and unknown is held
    else:
        assert len(slack.received) == posted + 1  # failed: tried again by the next run


@pytest.mark.parametrize(
    "servers", [[(429, {"Retry-After": "1"}, b"rate_limited"), OK]], indirect=True
)
def test_retry_after_is_honoured(tmp_path, servers):
    slack, teams = servers
    root = write_workspace(tmp_path / "ws", CHAT.replace("teams = true\n", ""))
    assert run_cli("send", "-w", str(root), *AS_OF, env=env_for(slack, teams)).returncode == 0
    assert len(slack.times) == 2 and slack.times[1] - slack.times[0] >= 1.0


@pytest.mark.parametrize(
    "toml, env, words",
    [
        (
            CHAT.replace("slack = true", 'slack = "https://hooks.slack.com/services/T/B/x"'),
            {},
            "a webhook URL is a secret and does not belong in boardpack.toml",
        ),
        (CHAT, {}, "neither BOARDPACK_SLACK_WEBHOOK_CFO nor BOARDPACK_SLACK_WEBHOOK is set"),
        (
            CHAT.replace("teams = true\n", ""),
            {"BOARDPACK_SLACK_WEBHOOK": "http://hooks.example.com/x"},
            "BOARDPACK_SLACK_WEBHOOK: a webhook URL must be https://",
        ),
    ],
)
def test_bad_chat_settings_are_named_and_nothing_is_sent(tmp_path, toml, env, words):
    root = write_workspace(tmp_path / "ws", toml)
    done = run_cli("send", "-w", str(root), *AS_OF, env=env)
    assert done.returncode == 2 and words in done.stderr and "Traceback" not in done.stderr
    assert "hooks.slack.com/services/T/B/x" not in done.stderr.replace("slack = ", "")
    assert not (root / "outbox").exists()


def test_a_dry_run_writes_the_cards(tmp_path, servers):
    slack, teams = servers
    root = write_workspace(tmp_path / "ws", CHAT)
    assert (
        run_cli("send", "-w", str(root), *AS_OF, "--dry-run", env=env_for(slack, teams)).returncode
        == 0
    )
    folder = root / ".boardpack" / "dry-run" / "2026-10"
    assert json.loads((folder / "cfo-slack.json").read_text())["blocks"][0]["type"] == "header"
    assert (folder / "cfo.eml").is_file() and slack.received == []


def test_a_held_card_waits_for_approval(tmp_path, servers):
    slack, teams = servers
    toml = CHAT.replace("teams = true\n", "") + '\n[approval]\napprovers = ["boss@example.com"]\n'
    root = write_workspace(tmp_path / "ws", toml)
    env = env_for(slack, teams)
    assert run_cli("send", "-w", str(root), *AS_OF, env=env).returncode == 0
    assert deliveries(root)["slack"]["state"] == "held" and slack.received == []
    assert run_cli("approve", "2026-10", "-w", str(root), env=env).returncode == 0
    assert deliveries(root)["slack"]["state"] == "sent" and len(slack.received) == 1
