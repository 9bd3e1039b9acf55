"""Wait for a condition, never for a fixed time.

A fixed sleep is either too short on a loaded machine (the test fails) or too
long everywhere (the suite crawls). These helpers poll a condition until it
holds or a bounded time (scaled by ``TIME_FACTOR``) runs out, then fail with a
sentence saying what did not happen. The bound only stops a hung test: it is
never a speed requirement, so keep it generous.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from tests.conftest import TIME_FACTOR

T = TypeVar("T")

#: The default bound, in seconds before scaling: long enough for a starved machine.
DEFAULT_TIMEOUT = 20.0


class NeverHappened(AssertionError):
    """A condition did not hold within its bounded wait."""


def _budget(timeout: float) -> float:
    return timeout * TIME_FACTOR


def _failure(what: str, budget: float, last: object) -> NeverHappened:
    return NeverHappened(f"{what}: did not happen within {budget:.1f} s (last seen: {last!r})")


def wait_for(
    condition: Callable[[], T],
    *,
    what: str,
    timeout: float = DEFAULT_TIMEOUT,
    interval: float = 0.02,
) -> T:
    """Call ``condition`` until it returns something truthy, and return that.

    ``what`` names the awaited event for the failure message ("the server
    counts 5 ignored bus messages").
    """
    budget = _budget(timeout)
    deadline = time.monotonic() + budget
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise _failure(what, budget, value)
        time.sleep(interval)


async def eventually(
    condition: Callable[[], T | Awaitable[T]],
    *,
    what: str,
    timeout: float = DEFAULT_TIMEOUT,
    interval: float = 0.02,
) -> T:
    """:func:`wait_for` inside an event loop: other tasks (clients reading their
    sockets) run between the polls. ``condition`` may be a coroutine function."""
    budget = _budget(timeout)
    deadline = time.monotonic() + budget
    while True:
        value = condition()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value  # type: ignore[return-value]
        if time.monotonic() >= deadline:
            raise _failure(what, budget, value)
        await asyncio.sleep(interval)
