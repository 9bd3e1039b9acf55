"""Attempt limits: taken for every key at once before the work, given back when it did not count."""

from __future__ import annotations

import asyncio
import threading

from metaexpo.trust.limits import Attempt, LimitRule, LocalAttemptLimiter, Refusal


class Clock:
    """A settable monotonic clock."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_key_is_full_after_its_limit_until_the_oldest_attempt_ages_out() -> None:
    clock = Clock()
    limiter = LocalAttemptLimiter(clock)
    rule = LimitRule("ip", 3, 60.0)
    for _ in range(3):
        assert isinstance(limiter.take_now([rule]), Attempt)
        clock.now += 10
    refused = limiter.take_now([rule])
    assert isinstance(refused, Refusal)
    assert refused.rule == rule
    assert refused.wait_s == 30
    clock.now += 30
    assert isinstance(limiter.take_now([rule]), Attempt)


def test_an_attempt_is_recorded_under_every_key_or_under_none() -> None:
    limiter = LocalAttemptLimiter(Clock())
    full = LimitRule("account", 1, 60.0)
    other = LimitRule("address", 10, 60.0)
    assert isinstance(limiter.take_now([full]), Attempt)
    refused = limiter.take_now([other, full])
    assert isinstance(refused, Refusal) and refused.rule == full
    assert limiter.count("address") == 0, "a refused attempt must not count anywhere"


def test_the_longest_wait_is_the_one_reported() -> None:
    clock = Clock()
    limiter = LocalAttemptLimiter(clock)
    short, long = LimitRule("a", 1, 10.0), LimitRule("b", 1, 100.0)
    assert isinstance(limiter.take_now([short, long]), Attempt)
    refused = limiter.take_now([short, long])
    assert isinstance(refused, Refusal)
    assert (refused.rule, refused.wait_s) == (long, 100)


def test_a_given_back_attempt_frees_its_place_on_every_key() -> None:
    limiter = LocalAttemptLimiter(Clock())
    rules = [LimitRule("a", 1, 60.0), LimitRule("b", 1, 60.0)]
    attempt = limiter.take_now(rules)
    assert isinstance(attempt, Attempt)
    limiter.give_back_now(attempt)
    assert limiter.count("a") == limiter.count("b") == 0
    assert isinstance(limiter.take_now(rules), Attempt)


def test_concurrent_takers_get_exactly_the_limit() -> None:
    limiter = LocalAttemptLimiter()
    rule = LimitRule("one account", 5, 60.0)
    results: list[Attempt | Refusal] = []
    start = threading.Barrier(30)

    def take() -> None:
        start.wait()
        results.append(limiter.take_now([rule]))

    threads = [threading.Thread(target=take) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(isinstance(r, Attempt) for r in results) == 5


def test_the_async_face_takes_and_gives_back() -> None:
    async def main() -> None:
        limiter = LocalAttemptLimiter()
        attempt = await limiter.take([LimitRule("k", 1, 60.0)])
        assert isinstance(attempt, Attempt)
        await limiter.give_back(attempt)
        assert limiter.count("k") == 0

    asyncio.run(main())


def test_a_flood_of_distinct_keys_stays_bounded() -> None:
    limiter = LocalAttemptLimiter(Clock(), max_keys=100)
    for i in range(1000):
        limiter.take_now([LimitRule(f"k{i}", 2, 60.0)])
    assert len(limiter._times) <= 100
