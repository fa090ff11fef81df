"""Chat webhooks (Slack, Microsoft Teams): a card POSTed as JSON to the URL its delivery names,
with the same error vocabulary as mail — 429 and 5xx retried (after Retry-After, when given), any
other refusal failed with what the service said, a connection lost (or past its deadline) after
the card went out `unknown`. The URL is a secret: no message, detail or error ever carries it, not
even when the service echoes it back.
"""

from __future__ import annotations

import json

from boardpack.delivery.http_post import PostFailed, post, without_url
from boardpack.delivery.message import OutgoingMessage
from boardpack.delivery.transports.base import (
    Allowance,
    AmbiguousError,
    Check,
    PermanentError,
    Receipt,
    RetryableError,
    StopError,
)
from boardpack.terminal import inert

LONGEST_WAIT = 300.0  # seconds: a Retry-After beyond this stops the batch for the next run


class WebhookTransport:
    name = "webhook"

    def __init__(self, urls: dict[str, str], timeout: float = 30):
        self.urls, self.timeout = urls, timeout  # seconds for the whole exchange

    def allowance(self) -> Allowance:
        return Allowance(max_send_rate=1.0, concurrency=1)  # Slack's one a second per webhook

    def preflight(self, sender: str) -> list[str]:
        return []

    def check(self, sender: str, recipients: list[str]) -> list[Check]:
        return [Check(True, f"chat: {len(self.urls)} webhook(s) set in the environment")]

    def send(self, message: OutgoingMessage) -> Receipt:
        to = message.recipients.to[0]
        channel, url = to.partition(".")[0], self.urls[to]
        # the delivery it is (no secret in it), for whoever reads the service's logs
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-Boardpack-Delivery": str(message.key),
        }
        try:
            got = post(url, message.raw, headers, self.timeout)
        except PostFailed as exc:
            if exc.sent:
                raise AmbiguousError(
                    f"the connection to {channel} was lost after the card was sent ({exc}): it "
                    "may have been posted"
                ) from None
            raise RetryableError(f"could not reach {channel}: {exc}") from None  # safe to retry
        said = without_url(answer(got.body), url)
        if 200 <= got.status < 300:
            return Receipt(f"{channel}:{got.status}", f"{channel} answered {said}")
        if got.status == 429 or got.status >= 500:
            wait = retry_after(got.headers.get("Retry-After"))
            if wait is not None and wait > LONGEST_WAIT:
                raise StopError(
                    f"{channel} asked to wait {wait:.0f} s: the rest wait for the next run"
                )
            raise RetryableError(f"{channel} answered {got.status}: {said}", wait)
        raise PermanentError(f"{channel} refused the card ({got.status}: {said})")

    def close(self) -> None:
        pass


def answer(body: bytes) -> str:
    """What the service said, short and printable: a JSON answer's error or message, else its
    text (Slack answers `ok` or `invalid_payload`, Teams `1` or JSON)."""
    text = body.decode("utf-8", "replace").strip()
    try:
        found = json.loads(text)
    except ValueError:
        found = None
    if isinstance(found, dict):
        text = str(found.get("error") or found.get("message") or found)
    return inert(text[:200]) or "(nothing)"


def retry_after(value: str | None) -> float | None:
    """Retry-After in seconds (its HTTP-date form is read as no hint)."""
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
