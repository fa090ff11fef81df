"""Amazon SES: the v2 `SendEmail` API with raw MIME content (v1 `SendRawEmail` where v2 is
unavailable).

The SDK's retries are off for the send (see boardpack.aws.NO_RETRIES); every failure is mapped into
the transport error vocabulary, and the message carries tags for the delivery key, report and period
so SES events can be traced back.
"""

from __future__ import annotations

import math

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    EndpointConnectionError,
    HTTPClientError,
    ReadTimeoutError,
)

from boardpack import aws_clients as aws
from boardpack.config import SesSettings, Workspace
from boardpack.delivery.addresses import bare, domain_of
from boardpack.delivery.message import OutgoingMessage
from boardpack.delivery.transports.base import (
    Allowance,
    AmbiguousError,
    Check,
    DeliveryError,
    PermanentError,
    Receipt,
    RetryableError,
    StopError,
)
from boardpack.errors import WorkspaceError

THROTTLING = {"Throttling", "ThrottlingException", "TooManyRequestsException"}
PAUSED = {
    "AccountSendingPausedException",
    "ConfigurationSetSendingPausedException",
    "SendingPausedException",
    "AccountSuspendedException",
}
MISSING_SET = {
    "ConfigurationSetDoesNotExist",
    "ConfigurationSetDoesNotExistException",
    "NotFoundException",
}


def classify(exc: Exception, sender: str = "") -> DeliveryError:
    """One SES or SDK failure as retryable, permanent, stop or ambiguous, with the fix."""
    if isinstance(exc, (ReadTimeoutError, ConnectionClosedError)):
        return AmbiguousError(
            f"no reply from SES after the request was sent ({exc}); it may have been accepted"
        )
    if isinstance(
        exc, EndpointConnectionError
    ):  # includes connect timeouts: the request never left
        return RetryableError(f"cannot reach SES: {exc}")
    if isinstance(exc, HTTPClientError):
        return AmbiguousError(
            f"the connection to SES failed mid-request ({exc}); it may have been accepted"
        )
    if aws.is_credential_error(exc):
        return StopError(
            f"AWS refused the credentials ({aws.error_code(exc)}: {aws.error_message(exc)}):"
            " refresh them (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, or"
            " AWS_PROFILE)"
        )
    if not isinstance(exc, ClientError):
        return (
            StopError(f"cannot use SES: {exc}")
            if isinstance(exc, BotoCoreError)
            else AmbiguousError(str(exc))
        )
    code, text = aws.error_code(exc), aws.error_message(exc)
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    if "daily message quota" in text.lower() or code == "LimitExceededException":
        return StopError(
            f"the SES 24-hour sending quota is used up ({text}); the rest of the batch is sent by"
            " the next run, or ask AWS for a higher quota"
        )
    if code in THROTTLING:
        return RetryableError(f"SES is throttling ({code}: {text})")
    if code in PAUSED:
        return StopError(
            f"SES sending is paused or suspended for this account or configuration set ({code}: "
            f"{text}): resolve it in the SES console, then send again"
        )
    if code in MISSING_SET:
        return PermanentError(
            f"the configuration set does not exist ({text}): create it in SES or remove "
            "delivery.ses.configuration_set"
        )
    if code in ("MailFromDomainNotVerified", "MailFromDomainNotVerifiedException"):
        return PermanentError(
            f"the MAIL FROM domain is not verified ({text}): verify it in SES or remove the "
            "custom MAIL FROM setting"
        )
    if code == "MessageRejected" and ("not verified" in text or "authority to send" in text):
        if "authority" in text or (sender and bare(sender) in text.lower()):
            fix = f"verify {bare(sender)} or its domain in SES"
        else:  # the addresses named are recipients: only the sandbox requires those to be verified
            fix = (
                "the account is in the SES sandbox, where every recipient must be verified: verify"
                " them or request production access"
            )
        return PermanentError(f"SES rejected the message: {text} ({fix})")
    if status >= 500:
        return AmbiguousError(
            f"SES answered {status} after the request was sent ({code}: {text}); it may have "
            "been accepted"
        )
    return PermanentError(f"SES rejected the message ({code}: {text})")


def tag(value: str) -> str:
    """SES tag values allow letters, digits, `_` and `-` only."""
    return "".join(c if c.isalnum() or c in "_-" else "_" for c in value)[:256]


class SesTransport:
    name = "ses"

    def __init__(self, settings: SesSettings, v2, v1):
        self.settings, self.v2, self.v1 = settings, v2, v1
        self.use_v1 = False

    @classmethod
    def for_workspace(cls, workspace: Workspace) -> SesTransport:
        settings = workspace.settings.delivery.ses
        if not settings.configuration_set and workspace.env.get("SES_CONFIGURATION_SET"):
            settings = settings.model_copy(
                update={"configuration_set": workspace.env.get("SES_CONFIGURATION_SET")}
            )
        return cls(
            settings,
            aws.client(workspace, "sesv2", settings.region, aws.NO_RETRIES),
            aws.client(workspace, "ses", settings.region, aws.NO_RETRIES),
        )

    def send(self, message: OutgoingMessage) -> Receipt:
        key = message.key
        tags = [
            {"Name": "boardpack-delivery", "Value": tag(str(key))},
            {"Name": "boardpack-report", "Value": key.report},
            {"Name": "boardpack-period", "Value": tag(key.period)},
        ]
        config_set = (
            {"ConfigurationSetName": self.settings.configuration_set}
            if self.settings.configuration_set
            else {}
        )
        try:
            if not self.use_v1:
                try:
                    reply = self.v2.send_email(
                        FromEmailAddress=bare(message.sender),
                        Destination={"ToAddresses": list(message.envelope)},
                        Content={"Raw": {"Data": message.raw}},
                        EmailTags=tags,
                        **config_set,
                    )
                    return Receipt(reply["MessageId"])
                except ClientError as exc:
                    if not aws.unavailable(exc):
                        raise
                    self.use_v1 = True
            reply = self.v1.send_raw_email(
                Source=bare(message.sender),
                Destinations=list(message.envelope),
                RawMessage={"Data": message.raw},
                Tags=tags,
                **config_set,
            )
            return Receipt(reply["MessageId"])
        except (ClientError, BotoCoreError) as exc:
            raise classify(exc, message.sender) from None

    def quota(self) -> dict:
        """`Max24HourSend`, `MaxSendRate`, `SentLast24Hours` (and `ProductionAccessEnabled` when v2
        has it)."""
        try:
            account = self.v2.get_account()
            return account["SendQuota"] | {
                "ProductionAccessEnabled": account.get("ProductionAccessEnabled")
            }
        except ClientError as exc:
            if not aws.unavailable(exc):
                raise
        return self.v1.get_send_quota()

    def allowance(self) -> Allowance:
        try:
            quota = self.quota()
        except (ClientError, BotoCoreError) as exc:
            problem = classify(exc)
            raise StopError(f"cannot read the SES sending quota: {problem}") from None
        unlimited = quota["Max24HourSend"] < 0
        remaining = (
            None
            if unlimited
            else max(0, math.floor(quota["Max24HourSend"] - quota["SentLast24Hours"]))
        )
        return Allowance(
            max_send_rate=self.settings.max_send_rate or quota["MaxSendRate"],
            remaining_today=remaining,
        )

    def check(self, sender: str, recipients: list[str]) -> list[Check]:
        """Sender identity and DKIM, sandbox and recipients, quota and rate, configuration set."""
        lines: list[Check] = []
        try:
            quota = self.quota()
        except (ClientError, BotoCoreError) as exc:
            return [Check(False, str(classify(exc)))]
        lines.append(
            Check(
                True,
                f"quota: {quota['Max24HourSend']:.0f} recipients per 24 hours, "
                f"{quota['SentLast24Hours']:.0f} used; max rate {quota['MaxSendRate']:g}/s",
            )
        )
        lines += self._check_identity(bare(sender))
        production = quota.get("ProductionAccessEnabled")
        # GetAccount unavailable: SES's sandbox quota is 200 a day at 1 a second
        if production is None:
            in_sandbox = quota["Max24HourSend"] == 200 and quota["MaxSendRate"] == 1
            lines.append(
                Check(
                    True,
                    "sandbox: unknown (GetAccount is unavailable); the quota "
                    f"{'looks like' if in_sandbox else 'does not look like'} the sandbox's",
                )
            )
        else:
            in_sandbox = not production
            lines.append(
                Check(
                    True,
                    "production access: "
                    + ("no, the account is in the sandbox" if in_sandbox else "yes"),
                )
            )
        if in_sandbox:
            verified = self._verified([bare(r) for r in recipients])
            for r in recipients:
                if not verified.get(bare(r)):
                    lines.append(
                        Check(
                            False,
                            f"recipient {bare(r)} is not verified, and a sandbox account can only "
                            "send to verified addresses: verify it in SES, or request production "
                            "access",
                        )
                    )
        if self.settings.configuration_set:
            name = self.settings.configuration_set
            try:
                self.v2.get_configuration_set(ConfigurationSetName=name)
                lines.append(Check(True, f"configuration set {name} exists"))
            except ClientError as exc:
                if aws.error_code(exc) not in MISSING_SET:
                    lines.append(
                        Check(False, f"cannot read configuration set {name}: {classify(exc)}")
                    )
                else:
                    lines.append(
                        Check(
                            False,
                            f"configuration set {name} does not exist in this region: create it, "
                            "or remove delivery.ses.configuration_set",
                        )
                    )
        return lines

    def preflight(self, sender: str) -> list[str]:
        """The sender identity, read once before anything is planned: not verified stops the send
        here; DKIM not set up is a warning."""
        verified, *rest = self._check_identity(bare(sender))
        if not verified.ok:
            raise WorkspaceError(f"{verified.text}; nothing was sent")
        return [c.text for c in rest if not c.ok]

    def _check_identity(self, sender: str) -> list[Check]:
        for identity in (sender, domain_of(sender)):
            try:
                found = self.v2.get_email_identity(EmailIdentity=identity)
            except ClientError as exc:
                if aws.error_code(exc) == "NotFoundException":
                    continue
                return [Check(False, f"cannot read the sender identity: {classify(exc)}")]
            status = found.get("VerificationStatus") or (
                "SUCCESS" if found.get("VerifiedForSendingStatus") else ""
            )
            if status != "SUCCESS":
                return [
                    Check(
                        False,
                        f"sender identity {identity} is {status or 'not verified'}: finish its "
                        "verification in SES",
                    )
                ]
            dkim = found.get("DkimAttributes", {}).get("Status", "NOT_STARTED")
            lines = [Check(True, f"sender {sender} verified (as {identity})")]
            lines.append(
                Check(
                    dkim == "SUCCESS",
                    f"DKIM for {identity}: {dkim}"
                    + (
                        ""
                        if dkim == "SUCCESS"
                        else " — set up Easy DKIM for the domain, or mail may be marked as spam"
                    ),
                )
            )
            return lines
        return [
            Check(
                False,
                f"sender {sender} is not a verified SES identity (nor is its domain): verify it"
                f" with `aws sesv2 create-email-identity --email-identity {domain_of(sender)}`",
            )
        ]

    def _verified(self, addresses: list[str]) -> dict[str, bool]:
        out = {}
        for start in range(0, len(addresses), 100):
            batch = addresses[start : start + 100]
            attrs = self.v1.get_identity_verification_attributes(Identities=batch)[
                "VerificationAttributes"
            ]
            out |= {a: attrs.get(a, {}).get("VerificationStatus") == "Success" for a in batch}
        return out

    def close(self) -> None:
        self.v2.close()
        self.v1.close()
