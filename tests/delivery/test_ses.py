"""The SES transport against a real moto_server; SES failures moto cannot produce are injected at
the HTTP layer with a botocore `before-send` hook, so the real client stack parses them."""

import json
import urllib.request

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ReadTimeoutError

from boardpack import aws_clients as boardpack_aws
from boardpack.audit.sqlite import SqliteAuditStore
from boardpack.config import load_workspace
from boardpack.delivery.dispatcher import Dispatcher, Policy
from boardpack.delivery.transports.base import (
    AmbiguousError,
    PermanentError,
    RetryableError,
    StopError,
)
from boardpack.delivery.transports.ses import SesTransport
from boardpack.errors import WorkspaceError
from tests.conftest import ses_toml, write_workspace
from tests.delivery.messages import message


class Body:
    def __init__(self, data: bytes):
        self.data = data

    def stream(self, **kwargs):
        yield self.data


def v2_error(status: int, code: str, text: str):
    """An SES v2 (REST-JSON) error reply, as the service sends it."""
    return AWSResponse(
        "https://email.us-east-1.amazonaws.com",
        status,
        {"x-amzn-ErrorType": code},
        Body(json.dumps({"message": text}).encode()),
    )


def v1_error(status: int, code: str, text: str):
    """An SES v1 (query/XML) error reply."""
    xml = (
        f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{text}</Message></Error>"
        "<RequestId>r</RequestId></ErrorResponse>"
    )
    return AWSResponse("https://email.us-east-1.amazonaws.com", status, {}, Body(xml.encode()))


def inject(client, operation: str, replies: list):
    """Answer the next calls with `replies` (None: let the call through to moto_server)."""
    calls = []

    def hook(request, **kwargs):
        calls.append(request)
        reply = replies.pop(0) if replies else None
        if isinstance(reply, Exception):
            raise reply
        return reply

    client.meta.events.register(f"before-send.*.{operation}", hook)
    return calls


@pytest.fixture
def workspace(tmp_path, aws):
    root = write_workspace(tmp_path / "ws", ses_toml())
    boto3.client("ses", **client_args(aws)).verify_email_identity(
        EmailAddress="reports@example.com"
    )
    return load_workspace(root, environ=aws.env())


def client_args(aws):
    return {
        "endpoint_url": aws.url,
        "region_name": "us-east-1",
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }


@pytest.fixture
def ses(workspace):
    transport = SesTransport.for_workspace(workspace)
    yield transport
    transport.close()


def test_sends_raw_mime_to_the_whole_envelope_with_tags(ses, aws):
    receipt = ses.send(message())
    (sent,) = aws.sent_raw()
    assert sent["id"] == receipt.transport_id
    assert set(sent["destinations"]) == {"r0@example.com", "audit@example.com"}
    assert message().message_id in sent["raw_data"]
    assert sent["source"] == "reports@example.com"


def test_tags_carry_the_delivery_key_report_and_period(ses):
    calls = inject(ses.v2, "SendEmail", [])
    ses.send(message())
    tags = {t["Name"]: t["Value"] for t in json.loads(calls[0].body)["EmailTags"]}
    assert tags == {
        "boardpack-delivery": str(message().key).replace("/", "_"),
        "boardpack-report": "report0",
        "boardpack-period": "2026-10",
    }


def test_an_unverified_sender_is_permanent_and_says_how_to_fix_it(tmp_path, aws):
    ws = load_workspace(
        write_workspace(tmp_path / "ws", ses_toml()), environ=aws.env()
    )  # nothing verified
    with pytest.raises(PermanentError, match="verify reports@example.com"):
        SesTransport.for_workspace(ws).send(message())
    assert aws.sent_raw() == []


def test_sandbox_recipient_not_verified_is_permanent_with_the_sandbox_fix(ses):
    inject(
        ses.v2,
        "SendEmail",
        [
            v2_error(
                400,
                "MessageRejected",
                "Email address is not verified. The following "
                "identities failed the check in region US-EAST-1: r0@example.com",
            )
        ],
    )
    with pytest.raises(PermanentError, match="sandbox"):
        ses.send(message())


@pytest.mark.parametrize(
    "reply, expected, words",
    [
        (
            v2_error(429, "TooManyRequestsException", "Maximum sending rate exceeded."),
            RetryableError,
            "throttling",
        ),
        (
            v2_error(400, "LimitExceededException", "Daily message quota exceeded."),
            StopError,
            "24-hour sending quota",
        ),
        (
            v2_error(400, "SendingPausedException", "Sending is paused for this account."),
            StopError,
            "paused",
        ),
        (
            v2_error(404, "NotFoundException", "Configuration set <prod> does not exist."),
            PermanentError,
            "configuration set does not exist",
        ),
        (
            v2_error(400, "MailFromDomainNotVerifiedException", "MAIL FROM domain not verified"),
            PermanentError,
            "MAIL FROM domain",
        ),
        (
            v2_error(
                403,
                "ExpiredTokenException",
                "The security token included in the request is expired",
            ),
            StopError,
            "refresh them",
        ),
        (
            v2_error(
                403,
                "UnrecognizedClientException",
                "The security token included in the request is invalid.",
            ),
            StopError,
            "credentials",
        ),
        (
            v2_error(500, "InternalFailure", "We encountered an internal error."),
            AmbiguousError,
            "may have been accepted",
        ),
    ],
)
def test_ses_errors_map_into_one_vocabulary(ses, reply, expected, words):
    inject(ses.v2, "SendEmail", [reply])
    with pytest.raises(expected, match=words):
        ses.send(message())


def test_v1_throttling_text_for_the_daily_quota_stops_the_batch(ses):
    inject(ses.v2, "SendEmail", [v2_error(404, "UnknownOperationException", "")])
    inject(ses.v1, "SendRawEmail", [v1_error(400, "Throttling", "Daily message quota exceeded.")])
    with pytest.raises(StopError, match="quota"):
        ses.send(message())


def test_falls_back_to_the_v1_api_where_v2_is_unavailable(ses, aws):
    v2_calls = inject(
        ses.v2,
        "SendEmail",
        [
            v2_error(404, "UnknownOperationException", ""),
            v2_error(404, "UnknownOperationException", ""),
        ],
    )
    ses.send(message(0))
    ses.send(message(1))
    assert len(v2_calls) == 1  # remembered: the second send goes straight to v1
    assert len(aws.sent_raw()) == 2


def test_a_lost_reply_is_unknown_and_the_sdk_does_not_send_it_again(ses, aws):
    """The request reaches SES, the reply is lost: with SDK retries on, this is how mail is sent
    twice."""

    def deliver_then_lose_reply(request, **kwargs):
        urllib.request.urlopen(
            urllib.request.Request(
                request.url, data=request.body, headers=dict(request.headers), method="POST"
            )
        ).read()
        raise ReadTimeoutError(endpoint_url=request.url)

    ses.v2.meta.events.register("before-send.sesv2.SendEmail", deliver_then_lose_reply)
    with pytest.raises(AmbiguousError):
        ses.send(message())
    assert len(aws.sent_raw()) == 1


def test_missing_credentials_are_a_clear_error_before_anything_is_sent(tmp_path, aws, monkeypatch):
    env = {
        k: v
        for k, v in aws.env().items()
        if not k.startswith("AWS_ACCESS") and not k.startswith("AWS_SECRET")
    }
    for name in (
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_CONFIG_FILE",
    ):  # the SDK reads these from the process itself
        monkeypatch.setenv(name, str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    SesTransport.for_workspace(
        load_workspace(write_workspace(tmp_path / "had", ses_toml()), environ=aws.env())
    )
    ws = load_workspace(write_workspace(tmp_path / "ws", ses_toml()), environ=env)
    with pytest.raises(
        WorkspaceError, match="AWS credentials not found"
    ):  # not the session kept for the first
        SesTransport.for_workspace(ws)


def test_a_session_is_shared_only_by_the_same_aws_settings(tmp_path, aws):
    def workspace(name: str, key_id: str):
        return load_workspace(
            write_workspace(tmp_path / name, ses_toml()),
            environ=aws.env() | {"AWS_ACCESS_KEY_ID": key_id},
        )

    first, again, other = (
        workspace("a", "AKIAFIRST"),
        workspace("b", "AKIAFIRST"),
        workspace("c", "AKIAOTHER"),
    )
    assert boardpack_aws.session(first.env) is boardpack_aws.session(again.env)
    assert boardpack_aws.session(first.env).get_credentials().access_key == "AKIAFIRST"
    assert boardpack_aws.session(other.env).get_credentials().access_key == "AKIAOTHER"


def test_allowance_reads_the_account_quota_through_the_v1_fallback(ses, aws):
    ses.send(message())
    quota = ses.quota()  # moto has no sesv2 GetAccount: v1 GetSendQuota answers
    assert quota["MaxSendRate"] == 1.0 and quota["Max24HourSend"] == 200
    assert quota["SentLast24Hours"] > 0
    assert ses.allowance().remaining_today == 200 - quota["SentLast24Hours"]


def test_a_configured_rate_overrides_the_account_rate(tmp_path, aws):
    root = write_workspace(tmp_path / "ws", ses_toml(max_send_rate=50))
    transport = SesTransport.for_workspace(load_workspace(root, environ=aws.env()))
    assert transport.allowance().max_send_rate == 50


def test_a_throttling_storm_is_retried_until_it_passes(workspace, ses, aws, tmp_path):
    throttle = v2_error(429, "TooManyRequestsException", "Maximum sending rate exceeded.")
    inject(ses.v2, "SendEmail", [throttle, throttle, throttle, throttle])
    store = SqliteAuditStore(tmp_path / "a.sqlite")
    report = Dispatcher(
        store, ses, "run", policy=Policy(retry_delay=0.01, max_attempts=8)
    ).dispatch([message(i) for i in range(3)])
    assert report.ok and report.retries == 4
    assert len(aws.sent_raw()) == 3
    assert {d.transport_id for d in store.deliveries()} == {m["id"] for m in aws.sent_raw()}


def test_the_quota_running_out_mid_batch_stops_and_leaves_the_rest_planned(ses, aws, tmp_path):
    inject(
        ses.v2,
        "SendEmail",
        [None, v2_error(400, "LimitExceededException", "Daily message quota exceeded.")],
    )
    store = SqliteAuditStore(tmp_path / "a.sqlite")
    report = Dispatcher(store, ses, "run", policy=Policy(concurrency=1)).dispatch(
        [message(i) for i in range(4)]
    )
    assert "quota" in report.stopped and not report.ok
    assert [o.state for o in report.outcomes] == ["sent", "planned", "planned", "planned"]
    assert len(aws.sent_raw()) == 1
    again = Dispatcher(store, ses, "run-2", policy=Policy(concurrency=1)).dispatch(
        [message(i) for i in range(4)]
    )
    assert again.ok and len(aws.sent_raw()) == 4  # the next run finishes the batch, nothing twice


def test_a_batch_bigger_than_the_remaining_quota_sends_what_fits_in_priority_order(
    ses, aws, tmp_path
):
    ses.quota = lambda: {"Max24HourSend": 200.0, "MaxSendRate": 100.0, "SentLast24Hours": 195.0}
    store = SqliteAuditStore(tmp_path / "a.sqlite")
    report = Dispatcher(store, ses, "run").dispatch(
        [message(i) for i in range(4)]
    )  # 2 recipients each
    assert [o.state for o in report.outcomes] == ["sent", "sent", "planned", "planned"]
    assert "room for 5 more recipients" in report.stopped
