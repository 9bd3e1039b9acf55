"""The upload slots of one node: how many uploads run at once, and each account's share.

An upload holds a slot from before its body is read until its verdict is
recorded. ``total`` bounds the disk, CPU and memory that uploads take
together; ``per_account`` stops one account (or one stolen password) from
holding them all: its next upload is told to wait (429) while everyone
else's still get a slot. Counted in memory, per node.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from metaexpo.errors import Busy, TooMany

#: Seconds a refused uploader is told to wait before trying again.
RETRY_AFTER_S = 30


class UploadSlots:
    """At most ``total`` uploads at once, at most ``per_account`` of them for one account."""

    def __init__(self, total: int, per_account: int) -> None:
        assert total >= 1 and per_account >= 1
        self.total = total
        self.per_account = min(per_account, total)
        self._held: Counter[str] = Counter()
        self.in_use = 0
        #: Uploads refused, by reason (``busy``: no slot left, ``account``: the account's share
        #: is taken, ``too_slow``: a body cut for its rate): read by /metrics.
        self.refused: Counter[str] = Counter()

    def held_by(self, account: str) -> int:
        """How many slots ``account`` holds now."""
        return self._held[account]

    @contextmanager
    def hold(self, account: str) -> Iterator[None]:
        """Hold one slot for ``account`` for the block; :class:`Busy` when no slot is free,
        :class:`TooMany` when one is but the account has its share already."""
        if self.in_use >= self.total:
            self.refused["busy"] += 1
            raise Busy(
                "the server is checking other uploads right now; try again in a minute",
                RETRY_AFTER_S,
            )
        if self._held[account] >= self.per_account:
            self.refused["account"] += 1
            raise TooMany(
                f"you already have {self._held[account]} uploads under way, the most one account "
                "may have at once; wait until one of them is done",
                RETRY_AFTER_S,
            )
        self._held[account] += 1
        self.in_use += 1
        try:
            yield
        finally:
            self.in_use -= 1
            self._held[account] -= 1
            if not self._held[account]:
                del self._held[account]
