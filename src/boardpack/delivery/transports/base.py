"""The transport interface and the error vocabulary every transport maps its failures into.

    DeliveryError
    ├── RetryableError   the message was not accepted; trying again later may work (throttling, 4xx)
    ├── PermanentError   the message was not accepted and never will be as it is (rejected, 5xx)
    └── AmbiguousError   it may have been accepted: the delivery becomes `unknown` and is never re-sent blindly
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from boardpack.delivery.message import OutgoingMessage
from boardpack.errors import BoardpackError


class DeliveryError(BoardpackError):
    pass


class RetryableError(DeliveryError):
    pass


class PermanentError(DeliveryError):
    pass


class AmbiguousError(DeliveryError):
    pass


@dataclass(frozen=True)
class Receipt:
    transport_id: str  # the transport's own id for the accepted message (file path, SES message id, ...)


class Transport(Protocol):
    name: str

    def send(self, message: OutgoingMessage) -> Receipt: ...

    def close(self) -> None: ...
