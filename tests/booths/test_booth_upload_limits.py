"""The bounds on uploads in flight: each account's share of the slots, and the minimum pace of a
body (a leaky bucket of allowance, tested with explicit times, no clock)."""

from __future__ import annotations

import pytest

from metaexpo.booths.receive import MinimumRate, Pace
from metaexpo.booths.slots import UploadSlots
from metaexpo.errors import Busy, TooMany

RATE = MinimumRate(bytes_per_s=1000, window_s=10.0)


def test_a_body_at_the_minimum_rate_keeps_going() -> None:
    pace = Pace(RATE, now=0.0)
    assert all(pace.received(1000, float(t)) for t in range(1, 600))


def test_a_body_may_pause_for_the_window_but_not_longer() -> None:
    pace = Pace(RATE, now=0.0)
    assert pace.deadline() == 10.0
    assert pace.received(1000, 9.9)
    assert not Pace(RATE, now=0.0).received(1000, 11.5)


def test_a_fast_start_buys_no_long_pause_later() -> None:
    pace = Pace(RATE, now=0.0)
    assert pace.received(50_000_000, 0.1)  # 50 MB at once
    assert pace.deadline() == pytest.approx(10.1)
    assert not pace.received(1, 60.0)


def test_a_dribbling_body_falls_behind_and_is_cut() -> None:
    pace = Pace(RATE, now=0.0)
    verdicts = [pace.received(100, float(t)) for t in range(1, 30)]  # 100 B/s, a tenth of it
    assert verdicts[:10] == [True] * 10
    assert verdicts[-1] is False


def test_an_account_gets_its_share_of_the_slots_and_no_more() -> None:
    slots = UploadSlots(total=4, per_account=2)
    with slots.hold("a"), slots.hold("a"):
        with pytest.raises(TooMany) as refused, slots.hold("a"):
            pass
        assert refused.value.retry_after > 0
        assert "2 uploads under way" in refused.value.message
        with slots.hold("b"), slots.hold("b"):
            with pytest.raises(Busy), slots.hold("c"):
                pass
            assert slots.in_use == 4
    assert slots.in_use == 0 and slots.held_by("a") == 0
    assert slots.refused == {"account": 1, "busy": 1}


def test_a_share_larger_than_all_slots_is_all_slots() -> None:
    slots = UploadSlots(total=1, per_account=2)
    assert slots.per_account == 1
    with slots.hold("a"), pytest.raises(Busy), slots.hold("b"):
        pass
