"""tests/waiting.py: a bounded wait returns as soon as its condition holds, and a condition
that never holds fails with a sentence naming it (not a bare timeout)."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from tests.waiting import NeverHappened, eventually, wait_for


def test_wait_for_returns_the_first_truthy_value() -> None:
    calls = itertools.count()
    assert wait_for(lambda: max(0, next(calls) - 2), what="the third call", interval=0) == 1


def test_wait_for_names_what_did_not_happen() -> None:
    with pytest.raises(NeverHappened, match=r"the moon turning blue: did not happen within"):
        wait_for(lambda: False, what="the moon turning blue", timeout=0.05)


async def test_eventually_lets_other_tasks_run_while_it_polls() -> None:
    done: list[int] = []

    async def later() -> None:
        await asyncio.sleep(0)
        done.append(1)

    task = asyncio.get_running_loop().create_task(later())
    assert await eventually(lambda: done, what="the other task ran") == [1]
    await task


async def test_eventually_awaits_a_coroutine_condition_and_fails_with_its_name() -> None:
    async def never() -> bool:
        return False

    with pytest.raises(NeverHappened, match=r"a coroutine saying yes: did not happen"):
        await eventually(never, what="a coroutine saying yes", timeout=0.05)
