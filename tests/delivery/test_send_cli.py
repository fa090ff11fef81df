"""`boardpack send`, `events ingest`, `check --online`, `runs` and alerts, end to end through the
command line, against real servers: aiosmtpd, moto_server (SES, SNS, SQS, DynamoDB) and a webhook
endpoint."""

import json
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from boardpack.aws import handlers
from tests.conftest import TOML, run_cli, ses_toml, write_workspace
from tests.delivery.ses_events import (
    bounce_event,
    complaint_notification,
    delivery_event,
    through_sns_and_sqs,
)
from tests.servers import SmtpServer, WebhookServer, free_port

AS_OF = ["--as-of", "2026-11-15"]


def clients(aws, *names):
    return [
        boto3.client(
            n,
            endpoint_url=aws.url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        for n in names
    ]


def runs_json(ws, env=None):
    return json.loads(run_cli("runs", "-w", str(ws), "--json", env=env).stdout)


@pytest.fixture
def smtp():
    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture
def webhook():
    server = WebhookServer()
    yield server
    server.stop()


def smtp_toml(port, extra=""):
    return (
        TOML.replace("[delivery]\n", '[delivery]\ntransport = "smtp"\nretry_delay = 0.01\n')
        + f'[delivery.smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\ntimeout = 2\n'
        + extra
    )


def test_send_over_smtp_once_then_nothing(tmp_path, smtp):
    ws = write_workspace(tmp_path / "ws", smtp_toml(smtp.port))
    first = run_cli("send", "-w", str(ws), *AS_OF)
    assert first.returncode == 0, first.stderr
    assert sorted(tuple(r.recipients) for r in smtp.received) == [
        ("cfo@example.com", "owner@example.com", "audit@example.com"),
        ("owner@example.com", "audit@example.com"),
    ]
    second = run_cli("send", "-w", str(ws), *AS_OF)
    assert second.returncode == 0 and "2 already sent" in second.stdout
    assert len(smtp.received) == 2


def test_separate_gives_each_recipient_their_own_message(tmp_path, smtp):
    toml = smtp_toml(smtp.port).replace('transport = "smtp"', 'transport = "smtp"\nseparate = true')
    ws = write_workspace(tmp_path / "ws", toml)
    assert run_cli("send", "-w", str(ws), *AS_OF).returncode == 0
    assert sorted(tuple(r.recipients) for r in smtp.received) == [
        ("cfo@example.com", "audit@example.com"),
        ("owner@example.com", "audit@example.com"),
        ("owner@example.com", "audit@example.com"),
    ]
    assert len({r.message_id for r in smtp.received}) == 3


def test_two_sends_at_once_deliver_each_message_once(tmp_path, smtp):
    toml = smtp_toml(smtp.port).replace('transport = "smtp"', 'transport = "smtp"\nseparate = true')
    ws = write_workspace(tmp_path / "ws", toml)
    command = [sys.executable, "-m", "boardpack", "send", "-w", str(ws), *AS_OF]
    racers = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [r.communicate(timeout=120) for r in racers]
    ids = [r.message_id for r in smtp.received]
    assert len(ids) == 3 and len(set(ids)) == 3, outputs
    assert {d["state"] for d in runs_json(ws)["deliveries"]} == {"sent"}


def test_unknown_is_held_until_resend_unknown(tmp_path, smtp):
    ws = write_workspace(tmp_path / "ws", smtp_toml(smtp.port))
    smtp.behaviour.data_delay = 4  # longer than the 2 s timeout: the connection drops during DATA
    first = run_cli("send", "-w", str(ws), *AS_OF, "--role", "ceo")
    assert first.returncode == 1 and "unknown" in first.stdout
    smtp.behaviour.data_delay = 0
    held = run_cli("send", "-w", str(ws), *AS_OF, "--role", "ceo")
    assert held.returncode == 1 and "held" in held.stdout and "--resend-unknown" in held.stdout
    resent = run_cli("send", "-w", str(ws), *AS_OF, "--role", "ceo", "--resend-unknown")
    assert resent.returncode == 0, resent.stdout + resent.stderr
    (ceo,) = runs_json(ws)["deliveries"]
    assert ceo["state"] == "sent" and ceo["attempts"] == 2


def test_smtp_server_down_fails_after_retries_and_alerts(tmp_path, webhook):
    port = free_port()
    ws = write_workspace(tmp_path / "ws", smtp_toml(port, f'[alerts]\nwebhook = "{webhook.url}"\n'))
    result = run_cli("send", "-w", str(ws), *AS_OF)
    assert result.returncode == 1
    assert f"cannot connect to the SMTP server 127.0.0.1:{port}" in result.stdout
    (alert,) = webhook.received
    assert alert["period"] == "2026-10" and len(alert["problems"]) == 2
    assert "secret-token-123" not in result.stderr + json.dumps(
        runs_json(ws)
    )  # the webhook's secret path
    assert runs_json(ws)["runs"][0]["alert"] == "webhook http://127.0.0.1/…: sent"


def test_wrong_smtp_credentials_stop_with_the_fix_and_lose_nothing(tmp_path, smtp_auth_server):
    server, ca = smtp_auth_server
    toml = smtp_toml(server.port).replace(
        'security = "none"', 'security = "starttls"\nca_file = "ca.pem"'
    )
    ws = write_workspace(
        tmp_path / "ws", toml, {"ca.pem": Path(ca).read_text()}
    )  # inside, like every path
    env = {"BOARDPACK_SMTP_USERNAME": "mailer", "BOARDPACK_SMTP_PASSWORD": "not-the-password"}
    result = run_cli("send", "-w", str(ws), *AS_OF, env=env)
    assert result.returncode == 1 and "BOARDPACK_SMTP_PASSWORD" in result.stdout
    assert "not-the-password" not in result.stdout + result.stderr
    assert {d["state"] for d in runs_json(ws)["deliveries"]} == {"planned"}
    good = run_cli(
        "send", "-w", str(ws), *AS_OF, env=env | {"BOARDPACK_SMTP_PASSWORD": "s3cret-pass"}
    )
    assert good.returncode == 0 and len(server.received) == 2
    check = run_cli("check", "-w", str(ws), *AS_OF, "--online", env=env)
    assert check.returncode == 2 and "refused the login" in check.stdout


@pytest.fixture
def smtp_auth_server(tmp_path):
    from tests.servers import self_signed

    context, ca = self_signed(tmp_path)
    server = SmtpServer(tls=context, login=("mailer", "s3cret-pass"))
    yield server, ca
    server.stop()


def test_check_online_smtp_down(tmp_path):
    ws = write_workspace(tmp_path / "ws", smtp_toml(free_port()))
    result = run_cli("check", "-w", str(ws), *AS_OF, "--online")
    assert result.returncode == 2 and "PROBLEM  cannot connect to the SMTP server" in result.stdout


# --- SES
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def ses_ws(tmp_path, aws):
    (ses,) = clients(aws, "ses")
    ses.verify_email_identity(EmailAddress="reports@example.com")
    return write_workspace(
        tmp_path / "ws", ses_toml(extra='[audit]\nstore = "dynamodb"\ntable = "bp-audit"\n')
    )


def test_send_through_ses_with_a_dynamodb_audit_store(ses_ws, aws):
    result = run_cli("send", "-w", str(ses_ws), *AS_OF, env=aws.env())
    assert result.returncode == 0, result.stderr
    sent = aws.sent_raw()
    deliveries = runs_json(ses_ws, aws.env())["deliveries"]
    assert sorted(d["transport_id"] for d in deliveries) == sorted(m["id"] for m in sent)
    again = run_cli("send", "-w", str(ses_ws), *AS_OF, env=aws.env())
    assert "2 already sent" in again.stdout and len(aws.sent_raw()) == 2


def test_a_bounce_through_sns_suppresses_the_address_at_the_next_send(ses_ws, aws, tmp_path):
    assert run_cli("send", "-w", str(ses_ws), *AS_OF, env=aws.env()).returncode == 0
    cfo = next(d for d in runs_json(ses_ws, aws.env())["deliveries"] if d["report"] == "cfo")
    envelope = json.loads(
        through_sns_and_sqs(
            clients(aws, "sns", "sqs"), bounce_event(cfo["transport_id"], "cfo@example.com")
        )
    )
    envelope["SomeFieldAwsAddsLater"] = {"nested": True}  # fields we do not know are ignored
    file = tmp_path / "bounce.json"
    file.write_text(json.dumps(envelope))
    result = run_cli("events", "ingest", str(file), "-w", str(ses_ws), env=aws.env())
    assert result.returncode == 0, result.stderr
    assert (
        "1 new events (1 matched to deliveries)" in result.stdout
        and "suppressed: cfo@example.com" in result.stdout
    )
    assert (
        "0 new events" in run_cli(
            "events", "ingest", str(file), "-w", str(ses_ws), env=aws.env()
        ).stdout
    )

    november = run_cli("send", "-w", str(ses_ws), "--as-of", "2026-12-15", env=aws.env())
    assert (
        "cfo          left out (suppressed after a bounce or complaint): cfo@example.com"
        in november.stdout
    )
    # (which addresses were in the envelope is checked over SMTP, where the server shows it:
    # test_smtp.py)
    shown = runs_json(ses_ws, aws.env())
    assert {d["period"]: d["suppressed"] for d in shown["deliveries"] if d["report"] == "cfo"} == {
        "2026-11": ["cfo@example.com"],
        "2026-10": ["cfo@example.com"],
    }
    assert shown["suppressions"][0]["address"] == "cfo@example.com"


def test_events_ingest_accepts_notifications_lines_and_stdin(ses_ws, aws, tmp_path):
    lines = "\n".join(
        json.dumps(n)
        for n in (
            complaint_notification("m-1", "owner@example.com"),
            delivery_event("m-2", "cfo@example.com"),
        )
    )
    result = run_cli("events", "ingest", "-", "-w", str(ses_ws), env=aws.env(), input=lines)
    assert result.returncode == 0, result.stderr
    assert "2 new events (0 matched" in result.stdout
    # a complaint about a message this workspace never sent proves nothing: nobody is suppressed
    assert (
        "no delivery has the SES message id m-1" in result.stderr
        and "suppressed" not in result.stdout
    )


@pytest.mark.parametrize(
    "text, expected",
    [
        ('{"eventType": "Bounce", "mail": {"messageId": "x"', "bad.json:1:"),
        (
            '[{"notificationType": "Bounce"}]',
            "bad.json: notification 1: the Bounce notification's mail: Field required",
        ),
        ('{"Type": "Notification", "Message": "{not json"}', "not valid JSON inside the envelope"),
        ('{"hello": "world"}', "neither notificationType nor eventType"),
        ('{"eventType": "Delivery", "mail": {"messageId": "a"}}\n{"eventType": ', "bad.json:2:"),
    ],
)
def test_malformed_notifications_stop_with_the_place_and_store_nothing(tmp_path, text, expected):
    ws = write_workspace(tmp_path / "ws")
    (tmp_path / "bad.json").write_text(text)
    result = run_cli("events", "ingest", str(tmp_path / "bad.json"), "-w", str(ws))
    assert result.returncode == 2 and expected in result.stderr and "Traceback" not in result.stderr
    assert not (ws / ".boardpack" / "audit.sqlite").exists()  # nothing was stored


def test_subscription_confirmations_are_reported_never_fetched(tmp_path):
    ws = write_workspace(tmp_path / "ws")
    (tmp_path / "c.json").write_text(
        json.dumps(
            {
                "Type": "SubscriptionConfirmation",
                "Message": "confirm",
                "TopicArn": "arn:aws:sns:us-east-1:123456789012:t",
                "SubscribeURL": "https://sns.example.com/confirm",
            }
        )
    )
    result = run_cli("events", "ingest", str(tmp_path / "c.json"), "-w", str(ws))
    assert result.returncode == 0 and "skipped: an SNS subscription confirmation" in result.stderr


def test_the_lambda_handler_takes_sqs_records_of_sns_envelopes(ses_ws, aws, monkeypatch):
    assert run_cli("send", "-w", str(ses_ws), *AS_OF, env=aws.env()).returncode == 0
    ceo = next(d for d in runs_json(ses_ws, aws.env())["deliveries"] if d["report"] == "ceo")
    body = through_sns_and_sqs(
        clients(aws, "sns", "sqs"), complaint_notification(ceo["transport_id"], "owner@example.com")
    )
    for name, value in aws.env().items() | {"BOARDPACK_WORKSPACE": str(ses_ws)}.items():
        monkeypatch.setenv(name, value)
    result = handlers.ses_events(
        {"Records": [{"messageId": "1", "body": body, "eventSource": "aws:sqs"}]}, None
    )
    assert result["matched"] == 1 and result["suppressed"] == ["owner@example.com"]


def test_an_unverified_sender_stops_the_send_before_it_plans_and_alerts_every_channel(
    tmp_path, aws, webhook
):
    sns, sqs = clients(aws, "sns", "sqs")
    topic = sns.create_topic(Name="ops")["TopicArn"]
    queue = sqs.create_queue(QueueName="ops")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    alerts = (
        f'[alerts]\nsns_topic_arn = "{topic}"\nemail = "ops@example.com"\nwebhook ='
        f' "{webhook.url}"\n'
    )
    ws = write_workspace(tmp_path / "ws", ses_toml(extra=alerts))  # the sender is not verified
    result = run_cli("send", "-w", str(ws), *AS_OF, env=aws.env())
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert (
        "sender reports@example.com is not a verified SES identity (nor is its domain)"
        in result.stderr
        and "nothing was sent" in result.stderr
    )
    assert aws.sent_raw() == []  # one call to SES, not a failed batch
    (message,) = sqs.receive_message(QueueUrl=queue)["Messages"]
    assert "not a verified SES identity" in json.loads(message["Body"])["Message"]
    assert len(webhook.received) == 1
    runs = runs_json(ws, aws.env())
    assert runs["deliveries"] == []  # nothing was planned
    (run,) = runs["runs"]
    assert run["summary"].startswith("could not send the pack: sender reports@example.com")
    alert = run["alert"]
    assert f"sns {topic}: sent" in alert and "webhook http://127.0.0.1/…: sent" in alert
    assert (
        "email ops@example.com: FAILED" in alert
    )  # it goes through SES too, which refuses the sender


def test_a_send_that_cannot_build_records_the_run_and_alerts(tmp_path, webhook):
    ws = write_workspace(
        tmp_path / "ws",
        TOML + f'[alerts]\nwebhook = "{webhook.url}"\n',
        {"ledger/bank.csv": "Date,Payee,Memo,Amount,Account\n2026-10-01,A,B,not-money,Income:X\n"},
    )
    result = run_cli("send", "-w", str(ws), *AS_OF)
    assert (
        result.returncode == 2
        and "bank.csv:2" in result.stderr
        and "Traceback" not in result.stderr
    )
    (alert,) = webhook.received
    assert "bank.csv:2" in alert["problems"][0]
    (run,) = runs_json(ws)["runs"]
    assert (
        run["status"] == "error"
        and "bank.csv:2" in run["summary"]
        and run["alert"].endswith(": sent")
    )


def test_check_online_ses_reports_each_problem_with_its_fix(tmp_path, aws):
    (ses,) = clients(aws, "ses")
    ws = write_workspace(
        tmp_path / "ws",
        ses_toml(extra="").replace(
            "[delivery.ses]\n", '[delivery.ses]\nconfiguration_set = "prod-reports"\n'
        ),
    )
    result = run_cli("check", "-w", str(ws), *AS_OF, "--online", env=aws.env())
    assert result.returncode == 2
    assert "PROBLEM  sender reports@example.com is not a verified SES identity" in result.stdout
    assert "PROBLEM  configuration set prod-reports does not exist" in result.stdout
    assert (
        "recipient cfo@example.com is not verified" in result.stdout
    )  # moto's quota is the sandbox's
    ses.verify_email_identity(EmailAddress="reports@example.com")
    for address in ("owner@example.com", "cfo@example.com", "audit@example.com"):
        ses.verify_email_identity(EmailAddress=address)
    ses.create_configuration_set(ConfigurationSet={"Name": "prod-reports"})
    fixed = run_cli("check", "-w", str(ws), *AS_OF, "--online", env=aws.env())
    assert "sender reports@example.com verified" in fixed.stdout
    assert (
        "DKIM for reports@example.com: NOT_STARTED" in fixed.stdout
    )  # a problem: mail may be marked as spam
    assert "configuration set prod-reports exists" in fixed.stdout


def test_missing_aws_credentials_are_a_clear_error_and_send_nothing(tmp_path, aws):
    ws = write_workspace(tmp_path / "ws", ses_toml())
    env = {
        "AWS_ENDPOINT_URL": aws.url,
        "AWS_REGION": "us-east-1",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
        "AWS_CONFIG_FILE": "/nonexistent",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    result = run_cli("send", "-w", str(ws), *AS_OF, env=env)
    assert result.returncode == 2 and "AWS credentials not found" in result.stderr
    assert "Traceback" not in result.stderr and aws.sent_raw() == []


def test_suppressions_can_be_listed_and_removed(tmp_path):
    ws = write_workspace(tmp_path / "ws")
    assert run_cli("send", "-w", str(ws), *AS_OF).returncode == 0
    sent = json.loads(run_cli("runs", "-w", str(ws), "--json").stdout)["deliveries"]
    message_id = next(d["transport_id"] for d in sent if "owner@example.com" in d["recipients"])
    (tmp_path / "c.json").write_text(
        json.dumps(complaint_notification(message_id, "owner@example.com"))
    )
    run_cli("events", "ingest", str(tmp_path / "c.json"), "-w", str(ws))
    assert "owner@example.com  complaint" in run_cli("suppressions", "-w", str(ws)).stdout
    assert run_cli("suppressions", "-w", str(ws), "--remove", "owner@example.com").returncode == 0
    assert "No suppressed addresses." in run_cli("suppressions", "-w", str(ws)).stdout
    missing = run_cli("suppressions", "-w", str(ws), "--remove", "nobody@example.com")
    assert missing.returncode == 2 and "not on the suppression list" in missing.stderr


def test_a_sender_without_dkim_is_sent_from_with_a_warning(ses_ws, aws):
    result = run_cli("send", "-w", str(ses_ws), *AS_OF, env=aws.env())
    assert result.returncode == 0 and len(aws.sent_raw()) == 2
    assert "warning: DKIM for reports@example.com:" in result.stderr
    assert "set up Easy DKIM" in result.stderr
