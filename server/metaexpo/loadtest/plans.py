"""Scenario plans: where each bot starts, whether it walks, probes or stops reading.

Pure functions of the hall layout and a seed, so a run is reproducible and
several generator processes agree on the plan without talking to each other.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

import numpy as np


class Scenario(enum.StrEnum):
    """The load-test scenarios of BENCHMARKS.md."""

    HALL_WALK = "hall-walk"
    CROWD = "crowd"
    CHURN = "churn"
    SLOW_READER = "slow-reader"
    #: hall-walk in which a share of the visitors talk in turns (proximity voice).
    VOICE = "voice"
    #: An audience in the forum hall and one host streaming stage audio.
    FORUM = "forum"


@dataclass(frozen=True, slots=True)
class Hall:
    """What the harness knows of the hall (from GET /api/rooms/{id})."""

    room: str
    bounds_min: tuple[float, float, float]
    bounds_max: tuple[float, float, float]
    points: tuple[tuple[float, float], ...]
    stage: tuple[float, float]
    #: The first forum hall's audience area (x0, x1, z0, z1), if the hall has one.
    forum_area: tuple[float, float, float, float] | None = None
    #: Booth voice zones (x0, x1, z0, z1).
    voice_zones: tuple[tuple[float, float, float, float], ...] = ()


@dataclass(frozen=True, slots=True)
class BotPlan:
    """One bot's part in the run."""

    index: int
    start: tuple[float, float]
    walker: bool
    vr: bool
    probe: bool
    slow_reader: bool
    url_index: int
    #: The forum host: joins with the speaker's token, streams stage audio, turns slides.
    host: bool = False
    #: forum: the staff member watching the question queue (times the questions).
    moderator: bool = False
    #: forum: which guest token this audience member asks questions with (-1: never asks).
    asker: int = -1
    #: Where a walker roams (x0, x1, z0, z1); None: between the booths.
    roam: tuple[float, float, float, float] | None = None


#: forum: audience members who ask questions (each about every 24 s: under the desk's
#: limit of 3 a minute per visitor), with guest tokens the harness fetches.
FORUM_ASKERS = 20
#: Share of hall-walk visitors who walk between booths (BENCHMARKS.md).
WALKER_SHARE = 0.30
SLOW_SHARE = 0.05
CROWD_RADIUS = 20.0
WALK_SPEED = 1.4
EYE = 1.6


def clamp_xz(hall: Hall, x: float, z: float) -> tuple[float, float]:
    """Keep a floor point 1 m inside the hall."""
    lo, hi = hall.bounds_min, hall.bounds_max
    return min(max(x, lo[0] + 1), hi[0] - 1), min(max(z, lo[2] + 1), hi[2] - 1)


def make_plans(
    hall: Hall, scenario: Scenario, n: int, seed: int, probes: int, urls: int
) -> list[BotPlan]:
    """Plans for ``n`` bots; probes are spread evenly through the index range."""
    rng = np.random.default_rng(seed)
    probe_every = max(1, n // max(1, probes)) if probes else n + 1
    plans = []
    if scenario is Scenario.FORUM:
        return _forum_plans(hall, n, rng, probe_every, probes, urls)
    for i in range(n):
        is_probe = probes > 0 and i % probe_every == 0 and i // probe_every < probes
        if scenario is Scenario.CROWD:
            r = CROWD_RADIUS * math.sqrt(rng.uniform(0.02, 1.0))
            a = rng.uniform(0, 2 * math.pi)
            start = clamp_xz(hall, hall.stage[0] + r * math.cos(a), hall.stage[1] + r * math.sin(a))
            plans.append(
                BotPlan(
                    i,
                    start,
                    walker=False,
                    vr=True,
                    probe=is_probe,
                    slow_reader=False,
                    url_index=i % urls,
                )
            )
            continue
        px, pz = hall.points[int(rng.integers(len(hall.points)))]
        start = clamp_xz(hall, px + rng.normal(0, 2.0), pz + rng.normal(0, 2.0))
        walker = is_probe or rng.random() < WALKER_SHARE
        slow = scenario is Scenario.SLOW_READER and not is_probe and rng.random() < SLOW_SHARE
        plans.append(
            BotPlan(
                i,
                start,
                walker=walker,
                vr=False,
                probe=is_probe,
                slow_reader=slow,
                url_index=i % urls,
            )
        )
    return plans


def _forum_plans(
    hall: Hall, n: int, rng: np.random.Generator, probe_every: int, probes: int, urls: int
) -> list[BotPlan]:
    """Bot 0 hosts from the stage, bot 1 moderates from the front row; the others stand or
    walk about in the forum hall, the first :data:`FORUM_ASKERS` of them asking questions."""
    if hall.forum_area is None:
        raise ValueError(f"hall {hall.room} has no forum hall for the forum scenario")
    x0, x1, z0, z1 = hall.forum_area
    plans = [BotPlan(0, hall.stage, False, False, False, False, 0, host=True)]
    if n > 1:
        front = (float((x0 + x1) / 2), float(z0 + 1))
        plans.append(BotPlan(1, front, False, False, False, False, 1 % urls, moderator=True))
    askers = 0
    for i in range(2, n):
        k = i - 2
        is_probe = probes > 0 and k % probe_every == 0 and k // probe_every < probes
        start = (float(rng.uniform(x0 + 1, x1 - 1)), float(rng.uniform(z0 + 1, z1 - 1)))
        walker = is_probe or rng.random() < WALKER_SHARE
        asker = -1
        if not is_probe and askers < FORUM_ASKERS:
            asker, askers = askers, askers + 1
        plans.append(
            BotPlan(
                i,
                start,
                walker=walker,
                vr=False,
                probe=is_probe,
                slow_reader=False,
                url_index=i % urls,
                roam=hall.forum_area,
                asker=asker,
            )
        )
    return plans


def next_target(hall: Hall, rng: np.random.Generator, x: float, z: float) -> tuple[float, float]:
    """The next booth a walker heads for: a random one among the 8 nearest."""
    pts = np.asarray(hall.points)
    d = np.hypot(pts[:, 0] - x, pts[:, 1] - z)
    near = np.argsort(d)[1:9]
    px, pz = pts[int(rng.choice(near))]
    return clamp_xz(hall, float(px + rng.normal(0, 1.5)), float(pz + rng.normal(0, 1.5)))


def roam_target(
    area: tuple[float, float, float, float], rng: np.random.Generator
) -> tuple[float, float]:
    """The next spot a walker roaming inside ``area`` heads for."""
    x0, x1, z0, z1 = area
    return float(rng.uniform(x0 + 1, x1 - 1)), float(rng.uniform(z0 + 1, z1 - 1))
