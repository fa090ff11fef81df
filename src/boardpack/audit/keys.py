"""The delivery key: what the audit store records once, and the dispatcher claims before it sends.

It lives with the audit store, which knows nothing of messages: a key is made from the envelope's
addresses, not from a message.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class DeliveryKey:
    """One pack period, one report, one recipient set: sent at most once."""

    period: str
    report: str
    recipients: str  # digest of the sorted envelope addresses

    @classmethod
    def of(cls, period: str, report: str, envelope: Iterable[str]) -> DeliveryKey:
        """The key of a message to these envelope addresses (bare, lowercased), in any order."""
        digest = hashlib.sha256("\n".join(sorted(envelope)).encode()).hexdigest()[:16]
        return cls(period, report, digest)

    def __str__(self) -> str:
        return f"{self.period}/{self.report}/{self.recipients}"

    @classmethod
    def parse(cls, text: str) -> DeliveryKey:
        period, report, recipients = text.split("/")
        return cls(period, report, recipients)
