"""Alerts: what they say, and that a failing channel is recorded without losing anything."""

from boardpack.alerts import alert_for, redact_url, send_alert
from boardpack.audit.keys import DeliveryKey
from boardpack.config import load_workspace
from boardpack.delivery.dispatcher import DispatchReport, Outcome
from tests.conftest import TOML, write_workspace
from tests.servers import WebhookServer, free_port


def outcome(report, state, detail="", suppressed=()):
    return Outcome(
        key=DeliveryKey("2026-10", report, "x"),
        state=state,
        action=state,
        detail=detail,
        suppressed=suppressed,
    )


def test_no_alert_when_everything_was_sent():
    report = DispatchReport([outcome("ceo", "sent"), outcome("cfo", "sent")])
    assert alert_for("Co", "2026-10", "run-1", report) is None


def test_an_alert_lists_each_problem_the_stop_and_the_suppressed():
    report = DispatchReport(
        [
            outcome("ceo", "sent", suppressed=("gone@example.com",)),
            outcome("cfo", "unknown", "timeout during DATA"),
            outcome("cto", "planned", "not sent"),
        ],
        stopped="the SES 24-hour sending quota is used up",
    )
    alert = alert_for("Co", "2026-10", "run-1", report)
    text = alert.text()
    assert "cfo: unknown — timeout during DATA" in text
    assert "the batch stopped: the SES 24-hour sending quota is used up (not sent yet: cto)" in text
    assert "ceo: gone@example.com" in text and "--resend-unknown" in text
    assert alert.as_json()["problems"] == alert.problems


def test_a_webhook_that_fails_is_recorded_and_the_others_still_go(tmp_path):
    good, bad = WebhookServer(), WebhookServer(status=500)
    try:
        ws = load_workspace(
            write_workspace(tmp_path / "ws", TOML + f'[alerts]\nwebhook = "{bad.url}"\n'),
            environ={"BOARDPACK_ALERT_WEBHOOK": good.url},
        )
        alert = alert_for("Co", "2026-10", "run-1", build_errors=["ledger/bank.csv:2: bad amount"])
        assert (
            send_alert(ws, alert) == "webhook http://127.0.0.1/…: sent"
        )  # the environment's webhook wins
        assert good.received[0]["problems"] == ["ledger/bank.csv:2: bad amount"]
        ws = load_workspace(ws.root, environ={})
        result = send_alert(ws, alert)
        assert (
            result
            == "webhook http://127.0.0.1/…: FAILED (the webhook answered 500)"
        )
        assert "secret-token" not in result
    finally:
        good.stop()
        bad.stop()


def test_an_unreachable_webhook_is_recorded_too(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/hook/secret-token"
    ws = load_workspace(
        write_workspace(tmp_path / "ws", TOML + f'[alerts]\nwebhook = "{url}"\n'), environ={}
    )
    result = send_alert(ws, alert_for("Co", "2026-10", "r", build_errors=["x"]))
    assert "FAILED" in result and "secret-token" not in result


def test_no_channel_configured_is_said_plainly(tmp_path):
    ws = load_workspace(write_workspace(tmp_path / "ws"), environ={})
    assert send_alert(ws, alert_for("Co", "2026-10", "r", build_errors=["x"])).startswith(
        "no alert channel"
    )


def test_email_alert_goes_through_the_workspace_transport(tmp_path):
    from boardpack.delivery.transports.outbox import read_index

    ws = load_workspace(
        write_workspace(tmp_path / "ws", TOML + '[alerts]\nemail = "ops@example.com"\n'), environ={}
    )
    assert (
        send_alert(ws, alert_for("Co", "2026-10", "r", build_errors=["x"]))
        == "email ops@example.com: sent"
    )
    (entry,) = read_index(ws.root / "outbox")
    assert (
        entry["recipients"] == ["ops@example.com"]
        and "1 problem needs attention" in entry["subject"]
    )


def test_urls_are_shown_without_their_secret_path():
    assert (
        redact_url("https://hooks.example.com/services/T000/B000/XXXX?token=abc")
        == "https://hooks.example.com/…"
    )


def test_a_run_that_left_out_a_suppressed_recipient_alerts_even_when_all_was_sent():
    report = DispatchReport([outcome("ceo", "sent", suppressed=("gone@example.com",))])
    alert = alert_for("Co", "2026-10", "run-1", report)
    assert (
        alert is not None
        and "left out of this run (they bounced or complained): gone@example.com" in alert.text()
    )
