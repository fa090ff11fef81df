"""The approval link (issue 25, part 1, on AWS): the scheduled run holds the pack and mails the
approvers drafts carrying a signed link; the Lambda function URL's page decides only on a POST,
and refuses a missing, forged, expired or replayed token. On a real moto_server, with the payloads
a function URL sends."""

import base64
import email
import re
import time
from datetime import UTC, datetime
from email import policy
from urllib.parse import unquote, urlencode

import pytest

from boardpack.aws import handlers
from boardpack.delivery.approval import Claims
from tests.conftest import ses_toml, write_workspace
from tests.delivery.test_approval import APPROVAL
from tests.schedule.conftest import SLOT, Context
from tests.schedule.test_template import deploy

SECRET = "k" * 40
URL = "https://abcdefgh.lambda-url.us-east-1.on.aws/"


def request(method: str, token: str | None = None, action: str = "") -> dict:
    event = {"requestContext": {"http": {"method": method, "sourceIp": "203.0.113.9"}}}
    fields = {k: v for k, v in (("token", token), ("action", action)) if v is not None}
    if method == "GET":
        event["queryStringParameters"] = fields
    else:  # a form post, as the function URL passes it on
        event["body"] = base64.b64encode(urlencode(fields).encode()).decode()
        event["isBase64Encoded"] = True
    return event


@pytest.fixture
def drafted(cloud, aws, tmp_path, monkeypatch):
    root = write_workspace(tmp_path / "ws", ses_toml() + APPROVAL)
    monkeypatch.setenv("BOARDPACK_WORKSPACE", str(root))
    monkeypatch.setenv("BOARDPACK_APPROVAL_URL", URL)
    monkeypatch.setenv("BOARDPACK_APPROVAL_SECRET", SECRET)
    result = handlers.scheduled_run({"scheduled_time": SLOT}, Context())
    assert result["summary"] == "2026-10: 2 awaiting approval, 2 sent", result
    links = {}
    for sent in aws.sent_raw():
        draft = email.message_from_string(sent["raw_data"], policy=policy.default)
        text = draft.get_body(("plain",)).get_content()
        report = draft["X-Boardpack-Delivery"].split("/")[1].removeprefix("draft.")
        links[report] = unquote(re.search(r"\?token=(\S+)", text)[1])
    return links


def states(cloud) -> dict[str, str]:
    return {d.key.report: d.state for d in cloud.store().deliveries("2026-10")}


def test_the_link_asks_then_approves_once(drafted, cloud, aws):
    page = handlers.approve(request("GET", drafted["cfo"]))
    assert page["statusCode"] == 200 and 'value="approve"' in page["body"]
    assert "no-referrer" in page["headers"]["Referrer-Policy"]
    assert states(cloud)["cfo"] == "held"  # opening the link (a mail scanner) decides nothing
    done = handlers.approve(request("POST", drafted["cfo"], "approve"))
    assert done["statusCode"] == 200 and "Sent: the cfo report for 2026-10" in done["body"]
    assert states(cloud)["cfo"] == "sent" and len(aws.sent_raw()) == 3
    (approved,) = [
        t.detail for t in cloud.store().transitions(
            next(d.key for d in cloud.store().deliveries("2026-10") if d.key.report == "cfo")
        ) if t.to_state == "planned"
    ]  # fmt: skip
    assert approved == "approved by an approver, through the approval link (203.0.113.9)"
    for replay in (request("POST", drafted["cfo"], "approve"), request("GET", drafted["cfo"])):
        assert handlers.approve(replay)["statusCode"] == 410
    assert len(aws.sent_raw()) == 3  # never twice


def test_a_second_run_while_held_makes_the_newest_link_the_one_that_works(
    drafted, cloud, aws, tmp_path, monkeypatch
):
    """Held, then the next fire builds the pack anew (the books changed): its draft's link
    approves and sends the new content; the first draft's link answers 410."""
    root = tmp_path / "ws"
    ledger = root / "ledger" / "bank.csv"
    ledger.write_text(
        ledger.read_text() + "2026-10-30,Acme,Late October sale,800.00,Income:Sales\n"
    )
    again = handlers.scheduled_run({"scheduled_time": "2026-11-03T14:00:00Z"}, Context())
    assert again["status"] == "ok", again
    newest = {}
    for sent in aws.sent_raw()[2:]:
        draft = email.message_from_string(sent["raw_data"], policy=policy.default)
        text = draft.get_body(("plain",)).get_content()
        report = draft["X-Boardpack-Delivery"].split("/")[1].removeprefix("draft.")
        newest[report] = unquote(re.search(r"\?token=(\S+)", text)[1])
    assert set(newest) == {"ceo", "cfo"} and newest["cfo"] != drafted["cfo"]
    assert handlers.approve(request("GET", drafted["cfo"]))["statusCode"] == 410
    assert handlers.approve(request("POST", drafted["cfo"], "approve"))["statusCode"] == 410
    assert handlers.approve(request("GET", newest["cfo"]))["statusCode"] == 200
    done = handlers.approve(request("POST", newest["cfo"], "approve"))
    assert done["statusCode"] == 200 and states(cloud)["cfo"] == "sent"
    sent = email.message_from_string(aws.sent_raw()[-1]["raw_data"], policy=policy.default)
    assert "Late October sale" not in sent["Subject"]
    text = sent.get_body(("plain",)).get_content()
    assert "-600.00" in text  # October as the fixed books tell it


@pytest.mark.parametrize(
    "token", ["é" * 20, "abc.dé", "\u202e.x", "..."], ids=["accents", "accented MAC", "RLO", "dots"]
)
def test_a_token_that_is_not_ascii_is_refused_not_a_crash(drafted, cloud, token):
    for method in ("GET", "POST"):
        answer = handlers.approve(request(method, token, "approve"))
        assert answer["statusCode"] == 403, answer
    assert states(cloud)["cfo"] == "held"


def test_a_post_without_an_action_decides_nothing(drafted, cloud, aws):
    for action in (None, "", "launch"):
        answer = handlers.approve(request("POST", drafted["cfo"], action))
        assert answer["statusCode"] == 400 and "Nothing was decided" in answer["body"]
    assert states(cloud)["cfo"] == "held" and len(aws.sent_raw()) == 2


def test_the_link_rejects(drafted, cloud):
    done = handlers.approve(request("POST", drafted["ceo"], "reject"))
    assert done["statusCode"] == 200 and states(cloud)["ceo"] == "rejected"


@pytest.mark.parametrize("which", ["missing", "forged", "another secret", "expired"])
def test_a_bad_token_is_refused_and_decides_nothing(drafted, cloud, aws, which):
    claims = Claims.verified(SECRET, drafted["cfo"], datetime.now(UTC))
    token = {
        "missing": None,
        "forged": drafted["cfo"][:-2] + ("AA" if not drafted["cfo"].endswith("AA") else "BB"),
        "another secret": claims.sign("x" * 40),
        "expired": Claims(**vars(claims) | {"expires": int(time.time()) - 1}).sign(SECRET),
    }[which]
    answer = handlers.approve(request("POST", token, "approve"))
    assert answer["statusCode"] == (410 if which == "expired" else 403)
    assert SECRET not in answer["body"] and states(cloud)["cfo"] == "held"
    assert len(aws.sent_raw()) == 2


def test_a_stack_with_approval_has_the_page_and_signs_links(tmp_path):
    root = write_workspace(
        tmp_path / "ws", ses_toml() + APPROVAL + '[schedule]\ncron = "0 6 2 * *"\n'
    )
    t = deploy(root)
    r = t["Resources"]
    assert r["Approve"]["Properties"]["Handler"] == "boardpack.aws.handlers.approve"
    assert r["ApproveUrl"]["Properties"]["AuthType"] == "NONE"  # the signed token is the check
    assert t["Parameters"]["ApprovalSecret"]["NoEcho"] is True
    run = r["Run"]["Properties"]["Environment"]["Variables"]
    assert run["BOARDPACK_APPROVAL_URL"] == {"Fn::GetAtt": ["ApproveUrl", "FunctionUrl"]}
    assert run["BOARDPACK_APPROVAL_SECRET"] == {"Ref": "ApprovalSecret"}


def test_the_morning_function_looks_at_held_deliveries(drafted, cloud):
    """Deployed with [approval] alone: each morning it releases or alerts on what is held past
    its window (none yet here: held a moment ago), and evaluates the watch rules (none)."""
    result = handlers.watch({}, Context())
    assert result == {"rules": 0, "firing": 0, "summary": "nothing to send", "held": []}
    assert states(cloud)["cfo"] == "held"


def test_a_stack_with_approval_alone_has_the_morning_function(tmp_path):
    toml = ses_toml() + APPROVAL + '[schedule]\ncron = "0 6 2 * *"\n'
    r = deploy(write_workspace(tmp_path / "ws", toml))["Resources"]
    assert r["Watch"]["Properties"]["Handler"] == "boardpack.aws.handlers.watch"
    assert "WatchSchedule" in r
