"""Failed sign-in limits: N failures per key per window, then a wait that says how long."""

from __future__ import annotations

from metaexpo.auth.ratelimit import FailureLimiter


class Clock:
    """A settable monotonic clock."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_key_is_blocked_after_its_limit_until_the_oldest_failure_ages_out() -> None:
    clock = Clock()
    limiter = FailureLimiter(3, 60.0, clock)
    for _ in range(3):
        assert limiter.blocked("ip") == 0
        limiter.fail("ip")
        clock.now += 10
    assert limiter.blocked("ip") == 30
    clock.now += 30
    assert limiter.blocked("ip") == 0


def test_keys_are_counted_separately() -> None:
    limiter = FailureLimiter(1, 60.0, Clock())
    limiter.fail("a")
    assert limiter.blocked("a") > 0
    assert limiter.blocked("b") == 0


def test_a_flood_of_distinct_keys_stays_bounded() -> None:
    clock = Clock()
    limiter = FailureLimiter(2, 60.0, clock, max_keys=100)
    for i in range(1000):
        limiter.fail(f"k{i}")
    assert len(limiter._failures) <= 100
