"""Chat webhooks (Slack, Microsoft Teams): a card POSTed as JSON to the URL its delivery names,
with the same error vocabulary as mail — 429 and 5xx retried (after Retry-After, when given), any
other refusal failed with what the service said, a connection lost after the card went out
`unknown`. The URL is a secret: no message, detail or error ever carries it.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request

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


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a webhook that redirects is answered as it is, never followed


class WebhookTransport:
    name = "webhook"

    def __init__(self, urls: dict[str, str], timeout: float = 30):
        self.urls, self.timeout = urls, timeout
        self.opener = urllib.request.build_opener(NoRedirects)

    def allowance(self) -> Allowance:
        return Allowance(max_send_rate=1.0, concurrency=1)  # Slack's one a second per webhook

    def preflight(self, sender: str) -> list[str]:
        return []

    def check(self, sender: str, recipients: list[str]) -> list[Check]:
        return [Check(True, f"chat: {len(self.urls)} webhook(s) set in the environment")]

    def send(self, message: OutgoingMessage) -> Receipt:
        to = message.recipients.to[0]
        channel = to.partition(".")[0]
        request = urllib.request.Request(
            self.urls[to],
            data=message.raw,
            # the delivery it is (no secret in it), for whoever reads the service's logs
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "X-Boardpack-Delivery": str(message.key),
            },
            method="POST",
        )
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                said = answer(response.read(2000))
                return Receipt(f"{channel}:{response.status}", f"{channel} answered {said}")
        except urllib.error.HTTPError as exc:
            said = answer(exc.read(2000))
            if exc.code == 429 or exc.code >= 500:
                wait = retry_after(exc.headers.get("Retry-After"))
                if wait is not None and wait > LONGEST_WAIT:
                    raise StopError(
                        f"{channel} asked to wait {wait:.0f} s: the rest wait for the next run"
                    ) from None
                raise RetryableError(f"{channel} answered {exc.code}: {said}", wait) from None
            raise PermanentError(f"{channel} refused the card ({exc.code}: {said})") from None
        except urllib.error.URLError as exc:  # before the card went out: safe to try again
            raise RetryableError(f"could not reach {channel}: {reason(exc.reason)}") from None
        except (http.client.HTTPException, ConnectionError, TimeoutError) as exc:
            raise AmbiguousError(
                f"the connection to {channel} was lost after the card was sent"
                f" ({type(exc).__name__}): it may have been posted"
            ) from None

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


def reason(why) -> str:
    return type(why).__name__ if isinstance(why, BaseException) else inert(str(why)[:200])


def retry_after(value: str | None) -> float | None:
    """Retry-After in seconds (its HTTP-date form is read as no hint)."""
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
