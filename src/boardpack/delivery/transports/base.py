"""The transport interface and the error vocabulary every transport maps its failures into.

DeliveryError
├── RetryableError   not accepted; trying again soon may work (throttling, SMTP 4xx):
│                    retried with backoff
├── PermanentError   not accepted and never will be as it is (rejected, unverified sender, 5xx):
│                    `failed`
├── StopError        nothing more can be sent today (daily quota, sending paused, credentials
│                    expired): the batch stops, the rest stay `planned` for the next run, and the
│                    owner is alerted
└── AmbiguousError   it may have been accepted (timeout or lost connection after the request was
                     sent): `unknown`, held, and re-sent only by an explicit `send --resend-unknown`
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from boardpack.delivery.message import OutgoingMessage
from boardpack.errors import BoardpackError


class DeliveryError(BoardpackError):
    pass


class RetryableError(DeliveryError):
    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after  # seconds the other side asked for (Retry-After), if any


class PermanentError(DeliveryError):
    pass


class StopError(DeliveryError):
    pass


class AmbiguousError(DeliveryError):
    pass


@dataclass(frozen=True)
class Receipt:
    # the transport's own id for the accepted message (file path, SES message id, ...)
    transport_id: str
    detail: str = ""  # e.g. recipients an SMTP server refused while accepting the others


@dataclass(frozen=True)
class Check:
    """One line of `check --online`: what was found, or the problem and its fix."""

    ok: bool
    text: str


@dataclass(frozen=True)
class Allowance:
    """What the transport lets one run do; None means no limit."""

    max_send_rate: float | None = None  # recipients per second
    remaining_today: int | None = None  # recipients the rolling 24-hour quota still allows
    concurrency: int | None = None  # sends at once the transport itself supports


class Transport(Protocol):
    name: str

    def allowance(self) -> Allowance:
        """Read the account's limits before a batch; raises DeliveryError if the transport is
        unusable."""

    def send(self, message: OutgoingMessage) -> Receipt:
        """Hand the message to the transport for `message.envelope`; thread-safe."""

    def check(self, sender: str, recipients: list[str]) -> list[Check]:
        """`check --online`: can this transport send from `sender` to `recipients`? One line per
        finding."""

    def preflight(self, sender: str) -> list[str]:
        """Before a send plans anything: raise WorkspaceError if nothing can be sent from `sender`
        (so a bad sender costs one call, not a batch); return warnings."""

    def close(self) -> None: ...


class MockTransport:
    """A transport whose every send is `handler(message)`: the receipt it returns, or the error it
    raises. For tests of the dispatcher's loop (retry, stop, quota, pace) without a wire."""

    name = "mock"

    def __init__(
        self, handler: Callable[[OutgoingMessage], Receipt], allowance: Allowance | None = None
    ):
        self.handler, self.limits = handler, allowance or Allowance()

    def allowance(self) -> Allowance:
        return self.limits

    def send(self, message: OutgoingMessage) -> Receipt:
        return self.handler(message)

    def preflight(self, sender: str) -> list[str]:
        return []

    def check(self, sender: str, recipients: list[str]) -> list[Check]:
        return []

    def close(self) -> None:
        pass
