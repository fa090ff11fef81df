"""Pacing: a token bucket that counts recipients (SES's send rate is per recipient, not per
message)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TokenBucket:
    """At most `rate` recipients in any one-second window.

    The bucket refills at 95% of the rate and saves up at most the other 5% as a burst, so even a
    provider that counts over a sliding second never sees more than `rate`; the burst is small, so a
    batch is spread evenly over each second rather than sent as a spike. A message with more
    recipients than the burst waits for a full bucket and then borrows: the messages after it pay.
    """

    HEADROOM = 0.05

    def __init__(self, rate: float | None, clock: Callable[[], float] = time.monotonic):
        self.rate = rate * (1 - self.HEADROOM) if rate else None
        self.burst = max(1.0, (rate or 0) * self.HEADROOM)
        self.clock = clock
        self.tokens = self.burst
        self.updated = clock()
        self.lock = threading.Lock()

    def reserve(self, recipients: int) -> float:
        """Take the tokens for `recipients` and return 0.0 if they may go now; else take nothing and
        return the seconds until they may (so the caller can do other work meanwhile)."""
        if self.rate is None:
            return 0.0
        with self.lock:
            now = self.clock()
            self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
            wanted = min(recipients, self.burst)
            # float rounding must not leave a caller waiting for nothing
            if self.tokens >= wanted - 1e-9:
                self.tokens -= recipients
                return 0.0
            return (wanted - self.tokens) / self.rate

    def pause(self, seconds: float) -> None:
        """After a throttling reply: nobody sends for `seconds`."""
        if self.rate is None:
            return
        with self.lock:
            self.tokens = min(self.tokens, 0.0) - seconds * self.rate
