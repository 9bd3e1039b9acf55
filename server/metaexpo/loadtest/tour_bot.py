"""A ``booth-tour`` bot: walks its tour booth by booth, stays, opens panels, leaves cards.

It is a :class:`~metaexpo.loadtest.bots.Bot` (same join, same socket reading)
with a tour: walk the leg's path at walking speed sending a pose each tick,
stay still at the booth, send ``reach.open`` a second in, a card two seconds
in (with the consent version the harness fetched), withdraw an earlier card
when the plan says, walk out through the booth's door. A guest bot joins with
a guest token and may hop to the next server between legs: it leaves and
joins there again as the same visitor. Everything it does goes into its
process's :class:`~metaexpo.loadtest.truth.TruthBook`.
"""

from __future__ import annotations

import math
import time
from typing import Any, Protocol

import numpy as np
import orjson
from picows import WSTransport

from metaexpo.loadtest.bots import Bot, BotHost
from metaexpo.loadtest.plans import EYE, WALK_SPEED, BotPlan, Hall
from metaexpo.loadtest.tour import OPEN_GAP_S, Tour
from metaexpo.loadtest.truth import TruthBook
from metaexpo.protocol.frames import PROTOCOL_VERSION, AvatarFlag, encode_desktop_pose

#: A bot starts a leg only if it can finish it this long before the end of the run (s).
END_MARGIN_S = 8.0
#: When, into a stay, the panel is opened, the card left and an old card withdrawn (s).
OPEN_AT_S, CARD_AT_S, WITHDRAW_AT_S = 1.0, 2.0, 3.0


class TourHost(BotHost, Protocol):
    """What a tour bot needs from its process besides :class:`BotHost`."""

    truth: TruthBook
    #: The consent version of each booth's card text (English).
    consent: dict[str, str]
    #: When bots must be done (monotonic).
    stop_at: float

    def hop(self, bot: TourBot) -> None:
        """Connect ``bot`` again, to the next server."""


def _length(points: tuple[tuple[float, float], ...], start: tuple[float, float]) -> float:
    total, here = 0.0, start
    for p in points:
        total += math.hypot(p[0] - here[0], p[1] - here[1])
        here = p
    return total


class TourBot(Bot):
    """One visitor on a booth tour."""

    def __init__(
        self,
        host: TourHost,
        plan: BotPlan,
        hall: Hall,
        avatar: str,
        tour: Tour,
        token: str | None,
        identity: str,
    ) -> None:
        super().__init__(host, plan, hall, avatar)
        self.host: TourHost = host
        self.tour = tour
        self.token = token
        self.identity = identity
        self.x, self.z = tour.start
        self.leg = -1
        self.state = "ready"  # ready → walk → stay → out → ready … → done
        self.points: tuple[tuple[float, float], ...] = ()
        self.stay_until = 0.0
        self.stay_from = 0.0
        self.sent: set[str] = set()
        self.opened_at: dict[str, float] = {}
        self.keys: dict[str, str] = {}
        self.hops = 0

    # --- connection ---------------------------------------------------------------------------

    def on_ws_connected(self, transport: WSTransport) -> None:
        self.transport = transport
        self.leaving = False
        self.joined = False
        join: dict[str, Any] = {
            "type": "join",
            "v": PROTOCOL_VERSION,
            "room": self.hall.room,
            "name": f"bot-{self.plan.index}",
            "avatar": self.avatar,
            "kind": "desktop",
        }
        if self.token:
            join["token"] = self.token
        self.send_text(orjson.dumps(join))

    def on_text(self, msg: dict[str, Any]) -> None:
        kind = msg.get("type")
        if kind == "welcome":
            super().on_text(msg)  # teleports to (x, z), counts the join
            now = self._now()
            self.host.truth.joined(self.plan.index, self.identity, now)
            here = np.array([self.x]), np.array([self.z])
            self.host.truth.observe([self.plan.index], *here, now)
        elif kind == "reach.card_kept":
            booth = str(msg.get("booth"))
            self.keys[booth] = str(msg.get("key"))
            self.host.truth.card_kept(self.plan.index, booth)
        elif kind == "reach.card_withdrawn":
            gone = msg.get("booth")
            if isinstance(gone, str):
                self.host.truth.card_withdrawn(self.plan.index, gone)
        else:
            super().on_text(msg)

    @staticmethod
    def _now() -> float:
        return time.monotonic()

    def on_ws_disconnected(self, transport: WSTransport) -> None:
        super().on_ws_disconnected(transport)
        if self.transport is transport:
            self.transport = None

    # --- the tour -------------------------------------------------------------------------------

    def tour_step(self, dt: float, now: float) -> bool:
        """Advance the tour by ``dt`` seconds; True if the bot moved (and sent a pose)."""
        if not self.joined or self.leaving:
            return False
        if self.state == "ready":
            self._next_leg(now)
        if self.state == "stay":
            self._at_booth(now)
            if now >= self.stay_until:
                self.state = "out"
                self.points = self.tour.legs[self.leg].out
            return False
        if self.state in ("walk", "out"):
            return self._walk(dt, now)
        return False

    def _next_leg(self, now: float) -> None:
        hop_now = self.tour.hop_after is not None and self.leg + 1 == self.tour.hop_after
        if hop_now and not self.hops:
            self.hops += 1
            self.host.hop(self)
            return
        if self.leg + 1 >= len(self.tour.legs):
            self.state = "done"
            return
        leg = self.tour.legs[self.leg + 1]
        needed = (_length(leg.path, (self.x, self.z)) + 8.0) / WALK_SPEED + leg.stay_s
        if now + needed + END_MARGIN_S > self.host.stop_at:
            self.state = "done"
            return
        self.leg += 1
        self.state = "walk"
        self.points = leg.path
        self.sent = set()

    def _walk(self, dt: float, now: float) -> bool:
        step = WALK_SPEED * dt
        while self.points and step > 0:
            tx, tz = self.points[0]
            dx, dz = tx - self.x, tz - self.z
            dist = math.hypot(dx, dz)
            if dist <= step:
                self.x, self.z = tx, tz
                step -= dist
                self.points = self.points[1:]
            else:
                self.x += dx / dist * step
                self.z += dz / dist * step
                step = 0.0
        yaw = 0.0
        if self.points:
            yaw = math.atan2(self.x - self.points[0][0], self.z - self.points[0][1])
        self.send_binary(encode_desktop_pose((self.x, EYE, self.z), yaw, 0.0, AvatarFlag.MOVING))
        if not self.points:
            if self.state == "walk":
                leg = self.tour.legs[self.leg]
                self.state = "stay"
                self.stay_from = now
                self.stay_until = now + leg.stay_s
            else:
                self.state = "ready"
        return True

    def _at_booth(self, now: float) -> None:
        leg = self.tour.legs[self.leg]
        into = now - self.stay_from
        if into >= OPEN_AT_S and "open" not in self.sent:
            self.sent.add("open")
            last = self.opened_at.get(leg.booth)
            if leg.open_panel and (last is None or now - last >= OPEN_GAP_S):
                self.opened_at[leg.booth] = now
                self.send_text(orjson.dumps({"type": "reach.open", "booth": leg.booth}))
                self.host.truth.opened(leg.booth)
        if into >= CARD_AT_S and "card" not in self.sent:
            self.sent.add("card")
            version = self.host.consent.get(leg.booth)
            if leg.card and version:
                card = {
                    "name": f"Bot {self.identity}",
                    "organisation": "Load test",
                    "email": f"{self.identity}@example.org",
                }
                msg = {
                    "type": "reach.card",
                    "booth": leg.booth,
                    "lang": "en",
                    "consent": version,
                    "card": card,
                }
                self.send_text(orjson.dumps(msg))
        if into >= WITHDRAW_AT_S and "withdraw" not in self.sent:
            self.sent.add("withdraw")
            key = self.keys.pop(leg.withdraw, None) if leg.withdraw else None
            if key is not None:
                self.send_text(orjson.dumps({"type": "reach.withdraw", "key": key}))
