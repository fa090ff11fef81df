"""Pacing: a token bucket that counts recipients (SES's send rate is per recipient, not per message)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TokenBucket:
    """`rate` recipients per second with at most `burst` saved up.

    The burst is small (a tenth of a second's worth) so a batch is spread evenly over each second
    rather than sent as one spike the provider's own one-second window could count as too fast.
    A message with more recipients than the burst waits for a full bucket and then borrows: the
    debt is paid by the messages after it.
    """

    def __init__(self, rate: float | None, burst: float | None = None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self.rate = rate
        self.burst = burst if burst is not None else max(1.0, (rate or 0) / 10)
        self.clock, self.sleep = clock, sleep
        self.tokens = self.burst
        self.updated = clock()
        self.lock = threading.Lock()

    def acquire(self, recipients: int) -> float:
        """Block until `recipients` may be sent; return the seconds waited."""
        if self.rate is None:
            return 0.0
        with self.lock:
            now = self.clock()
            self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
            wanted = min(recipients, self.burst)
            wait = max(0.0, (wanted - self.tokens) / self.rate)
            self.tokens -= recipients
        if wait:
            self.sleep(wait)
        return wait

    def pause(self, seconds: float) -> None:
        """After a throttling reply: nobody sends for `seconds`."""
        if self.rate is None:
            return
        with self.lock:
            self.tokens = min(self.tokens, self.burst) - seconds * self.rate
