"""The token bucket, on a simulated clock: never more than the rate in any one-second window, and
close to it."""

from bisect import bisect_left

import pytest

from boardpack.delivery.pacing import TokenBucket


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def acquire(bucket, clock, recipients):
    """Wait (on the simulated clock) until `recipients` may go, as the dispatcher does; the seconds
    waited."""
    waited = 0.0
    while delay := bucket.reserve(recipients):
        clock.sleep(delay)
        waited += delay
    return waited


@pytest.mark.parametrize(
    "rate, sizes", [(200, [1]), (14, [1, 2, 3]), (1, [1]), (50, [1, 1, 12, 2])]
)
def test_no_one_second_window_exceeds_the_rate_and_the_pace_is_near_it(rate, sizes):
    clock = Clock()
    bucket = TokenBucket(rate, clock=clock)
    sends = []  # (time, recipients)
    for i in range(2000 if rate > 10 else 60):
        n = sizes[i % len(sizes)]
        acquire(bucket, clock, n)
        sends.append((clock.now, n))
    times = [t for t, _ in sends]
    for start, (t, _) in enumerate(sends):
        end = bisect_left(times, t + 1.0 - 1e-9)
        in_window = sum(n for _, n in sends[start:end])
        assert in_window <= rate + max(sizes) - 1, (
            t,
            in_window,
        )  # a big message may borrow ahead of its turn
    total = sum(n for _, n in sends)
    achieved = total / times[-1]
    assert 0.94 * rate <= achieved <= rate  # close to the rate, never over it


def test_a_throttle_reply_pauses_everyone():
    clock = Clock()
    bucket = TokenBucket(100, clock=clock)
    acquire(bucket, clock, 1)
    bucket.pause(2.0)
    waited = acquire(bucket, clock, 1)
    assert 2.0 <= waited <= 2.0 + 1 / (0.95 * 100) + 1e-9  # the pause, then one token's own wait


def test_no_rate_means_no_wait():
    assert TokenBucket(None).reserve(1000) == 0.0
