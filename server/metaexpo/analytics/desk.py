"""The reach desk: ``reach.*`` messages from visitors on this node's sync socket.

Panel opens and link clicks are counted at once (on the event loop, no I/O);
cards and withdrawals go to the database in a thread and are answered on the
visitor's socket when done. Everything is refused politely, with an ``error``
message, when it names a booth the expo does not have, comes too often
(per-visitor token buckets), or quotes a consent text that is not the one in
force (a visitor must agree to the words the exhibitor's name is in).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from metaexpo.analytics.leads import Card, LeadBook, consent_version
from metaexpo.analytics.limits import Buckets
from metaexpo.analytics.service import Reach
from metaexpo.errors import Invalid, RequestRefused
from metaexpo.protocol import reach_messages as rm
from metaexpo.protocol.control import dumps, error_message

log = logging.getLogger(__name__)

#: Sends an encoded control message to the visitor who sent the one being handled.
Reply = Callable[[bytes], None]
#: The consent text of a booth in a language (may read the database: called in a thread).
ConsentText = Callable[[str, str], str]


@dataclass(frozen=True, slots=True)
class DeskLimits:
    """What one visitor may send: reach messages (burst, per minute), cards per minute."""

    message_burst: int = 30
    messages_per_minute: float = 120.0
    card_burst: int = 3
    cards_per_minute: float = 6.0


class ReachDesk:
    """Handles reach messages for this node's visitors."""

    def __init__(
        self,
        reach: Reach,
        leads: LeadBook,
        consent: ConsentText,
        limits: DeskLimits = DeskLimits(),
    ) -> None:
        self.reach = reach
        self.leads = leads
        self.consent = consent
        self.messages = Buckets(limits.message_burst, limits.messages_per_minute, reach.clock)
        self.cards = Buckets(limits.card_burst, limits.cards_per_minute, reach.clock)
        self._tasks: set[asyncio.Task[None]] = set()
        self.refused = 0

    def receive(self, visitor: int, message: rm.ReachMessage, reply: Reply) -> None:
        """A ``reach.*`` message from a visitor of this node (``visitor``: their key)."""
        if visitor <= 0:
            return
        if not self.messages.take(visitor):
            self._refuse(reply, "rate_limited", "too many reach messages; slow down")
            return
        if not isinstance(message, rm.ReachWithdraw) and not self.reach.knows_booth(message.booth):
            self._refuse(reply, "reach_unknown_booth", f"there is no booth {message.booth!r}")
            return
        if isinstance(message, rm.ReachOpen):
            self.reach.panel_open(visitor, message.booth)
        elif isinstance(message, rm.ReachLink):
            self.reach.link_click(visitor, message.booth, message.url)
        elif isinstance(message, rm.ReachCard):
            if not self.cards.take(visitor):
                self._refuse(reply, "rate_limited", "too many cards at once; try again later")
                return
            self._spawn(self._card(visitor, message, reply))
        else:
            self._spawn(self._withdraw(message.key, reply))

    def _refuse(self, reply: Reply, code: str, message: str) -> None:
        self.refused += 1
        reply(dumps(error_message(code, message)))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _card(self, visitor: int, message: rm.ReachCard, reply: Reply) -> None:
        c = message.card
        card = Card(c.name, c.organisation, c.title, c.email, c.phone, c.message)

        def leave() -> str:
            text = self.consent(message.booth, message.lang)
            if consent_version(text) != message.consent:
                raise Invalid(
                    "the consent text has changed since you read it; read it again and agree"
                )
            return self.leads.leave(message.booth, visitor, card, message.lang, text)

        try:
            key = await asyncio.to_thread(leave)
        except RequestRefused as exc:
            self._refuse(reply, "reach_card_refused", exc.message)
            return
        except Exception:
            log.exception("could not keep a card for booth %s", message.booth)
            self._refuse(reply, "reach_unavailable", "the card could not be kept; try again")
            return
        reply(dumps(rm.card_kept_message(message.booth, key)))

    async def _withdraw(self, key: str, reply: Reply) -> None:
        try:
            booth = await asyncio.to_thread(self.leads.withdraw, key)
        except Exception:
            log.exception("could not withdraw a card")
            self._refuse(reply, "reach_unavailable", "the card could not be withdrawn; try again")
            return
        reply(dumps(rm.card_withdrawn_message(booth)))

    async def close(self) -> None:
        """Let the card writes under way finish."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
