"""A session's live state and the rules for changing it: slides, hands, the stage, mics, slow mode.

:class:`LiveState` is plain data (it is stored as JSON and sent on the bus);
the functions here are pure: they take a state and a request and return the
new state, or raise a refusal a person can read. Who may ask for a change is
decided before (:mod:`metaexpo.forums.roles`); these rules decide whether the
change makes sense now (a hand must be raised before its owner is invited on
stage, only the invited visitor can accept, and so on).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

from metaexpo.errors import Conflict, Invalid
from metaexpo.forums.states import ForumState

#: Most hands raised at once in one session (more are told to wait).
MAX_HANDS = 500
#: Most people on stage at once (speakers and invited visitors).
MAX_ON_STAGE = 12

StageRole = Literal["speaker", "guest"]


@dataclass(frozen=True, slots=True)
class Slide:
    """The slide on the screen: a page (from 1) of a deck, and the picture's URL."""

    deck: str
    page: int
    count: int
    url: str


@dataclass(frozen=True, slots=True)
class Person:
    """Someone in a session's lists: their avatar on the wire, name, and who they are."""

    id: int
    name: str
    key: str
    at_ms: int = 0


@dataclass(frozen=True, slots=True)
class OnStage:
    """Someone on stage: a speaker or a visitor invited up, and whether their mic is on."""

    id: int
    name: str
    key: str
    role: StageRole
    mic: bool


@dataclass(frozen=True, slots=True)
class LiveState:
    """Everything about a session that changes while it runs."""

    state: str = ForumState.SCHEDULED.value
    slide: Slide | None = None
    stage: tuple[OnStage, ...] = ()
    hands: tuple[Person, ...] = ()
    invited: tuple[Person, ...] = ()
    slow_mode_s: int = 0

    # --- (de)serialisation ---------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """The stored (and bus) form: everything."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LiveState:
        """The state stored by :meth:`to_json`."""
        slide = data.get("slide")
        return cls(
            state=str(data.get("state", ForumState.SCHEDULED.value)),
            slide=Slide(**slide) if slide else None,
            stage=tuple(OnStage(**p) for p in data.get("stage", ())),
            hands=tuple(Person(**p) for p in data.get("hands", ())),
            invited=tuple(Person(**p) for p in data.get("invited", ())),
            slow_mode_s=int(data.get("slow_mode_s", 0)),
        )

    def public(self) -> dict[str, Any]:
        """What every visitor sees (``forum.state``): no one's identity beyond a name."""
        return {
            "state": self.state,
            "slide": None if self.slide is None else asdict(self.slide),
            "stage": [
                {"id": p.id, "name": p.name, "role": p.role, "mic": p.mic} for p in self.stage
            ],
            "hands": len(self.hands),
            "slow_mode_s": self.slow_mode_s,
        }

    def hand_queue(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Raised hands and invited visitors in order, for moderators."""

        def person(p: Person) -> dict[str, Any]:
            return {"id": p.id, "name": p.name, "at_ms": p.at_ms}

        return [person(p) for p in self.hands], [person(p) for p in self.invited]

    def talking(self) -> frozenset[int]:
        """Avatars that may send stage audio now: on stage, mic on, session live."""
        if self.state != ForumState.LIVE:
            return frozenset()
        return frozenset(p.id for p in self.stage if p.mic)

    def on_stage(self, avatar: int) -> OnStage | None:
        """The stage entry of an avatar, if it is on stage."""
        return next((p for p in self.stage if p.id == avatar), None)


# --- the rules ---------------------------------------------------------------------------------


def _require_live(live: LiveState, what: str) -> None:
    if live.state != ForumState.LIVE:
        raise Conflict(f"{what} only while the session is live; it is {live.state}")


def went_live(live: LiveState, first_slide: Slide | None) -> LiveState:
    """The state of a session that just went live (the first slide of its newest deck)."""
    return LiveState(state=ForumState.LIVE.value, slide=first_slide, slow_mode_s=live.slow_mode_s)


def ended(live: LiveState, state: ForumState = ForumState.ENDED) -> LiveState:
    """The state of a session that ended: nobody on stage, no hands, the last slide kept."""
    return LiveState(state=state.value, slide=live.slide, slow_mode_s=0)


def turn_to(live: LiveState, to: str | int, deck: str | None, pages: dict[str, list[str]]) -> Slide:
    """The slide ``to`` ("next", "previous" or a page from 1) of ``deck`` (default: the one
    shown, else the newest). ``pages`` maps each deck of the session to its page URLs."""
    _require_live(live, "slides turn")
    if not pages:
        raise Conflict("this session has no slides yet; upload a PDF or pictures first")
    current = live.slide
    deck_id = deck or (current.deck if current is not None else None) or list(pages)[-1]
    if deck_id not in pages:
        raise Invalid(f"this session has no slide deck {deck_id!r}")
    urls = pages[deck_id]
    page = current.page if current is not None and current.deck == deck_id else 1
    if to == "next":
        target = page + 1 if current is not None and current.deck == deck_id else 1
    elif to == "previous":
        target = page - 1
    else:
        target = int(to)
    if not 1 <= target <= len(urls):
        where = "the last" if target > len(urls) else "the first"
        raise Conflict(f"already at {where} slide ({page} of {len(urls)})")
    return Slide(deck_id, target, len(urls), urls[target - 1])


def with_slide(live: LiveState, slide: Slide) -> LiveState:
    """The state showing ``slide``."""
    return replace(live, slide=slide)


def hand(live: LiveState, who: Person, up: bool) -> LiveState:
    """Raise or lower ``who``'s hand (raising twice keeps the first place in the queue)."""
    _require_live(live, "hands are raised")
    others = tuple(p for p in live.hands if p.key != who.key)
    if not up:
        return replace(live, hands=others)
    if any(p.key == who.key for p in live.hands):
        return live
    if any(p.key == who.key for p in live.stage):
        raise Conflict("you are on stage already")
    if len(others) >= MAX_HANDS:
        raise Conflict(f"{MAX_HANDS} hands are raised already; wait a moment and try again")
    return replace(live, hands=(*others, who))


def invite(live: LiveState, avatar: int) -> tuple[LiveState, Person]:
    """Invite the visitor whose hand is up on stage (they must accept)."""
    _require_live(live, "visitors are invited on stage")
    person = next((p for p in live.hands if p.id == avatar), None)
    if person is None:
        raise Conflict(f"avatar {avatar} has no hand raised; only raised hands can be invited")
    if len(live.stage) + len(live.invited) >= MAX_ON_STAGE:
        raise Conflict(f"at most {MAX_ON_STAGE} people can be on stage; end someone's turn first")
    hands = tuple(p for p in live.hands if p.id != avatar)
    return replace(live, hands=hands, invited=(*live.invited, person)), person


def dismiss(live: LiveState, avatar: int) -> LiveState:
    """Lower a visitor's hand without inviting them."""
    if not any(p.id == avatar for p in live.hands):
        raise Conflict(f"avatar {avatar} has no hand raised")
    return replace(live, hands=tuple(p for p in live.hands if p.id != avatar))


def accept(live: LiveState, who: Person, yes: bool) -> LiveState:
    """The invited visitor goes on stage with their mic on (``yes``), or declines."""
    _require_live(live, "the stage is open")
    invited = next((p for p in live.invited if p.key == who.key), None)
    if invited is None:
        raise Conflict("you are not invited on stage (or the invitation was withdrawn)")
    rest = tuple(p for p in live.invited if p.key != who.key)
    if not yes:
        return replace(live, invited=rest)
    guest = OnStage(who.id, invited.name, who.key, "guest", True)
    return replace(live, invited=rest, stage=(*live.stage, guest))


def end_turn(live: LiveState, avatar: int) -> LiveState:
    """Take someone off the stage (or withdraw an invitation)."""
    stage = tuple(p for p in live.stage if p.id != avatar)
    invited = tuple(p for p in live.invited if p.id != avatar)
    if len(stage) == len(live.stage) and len(invited) == len(live.invited):
        raise Conflict(f"avatar {avatar} is neither on stage nor invited")
    return replace(live, stage=stage, invited=invited)


def own_mic(live: LiveState, who: Person, on: bool, is_speaker: bool) -> LiveState:
    """Switch one's own mic: a speaker steps on stage with it; an invited visitor on stage
    may switch theirs; anyone else is refused."""
    _require_live(live, "microphones work")
    mine = next((p for p in live.stage if p.key == who.key), None)
    if mine is None:
        if not is_speaker:
            raise Conflict("only people on stage can use the stage microphone")
        if len(live.stage) >= MAX_ON_STAGE:
            raise Conflict(f"at most {MAX_ON_STAGE} people can be on stage")
        entry = OnStage(who.id, who.name, who.key, "speaker", on)
        return replace(live, stage=(*live.stage, entry))
    updated = replace(mine, id=who.id, mic=on)
    return replace(live, stage=tuple(updated if p.key == who.key else p for p in live.stage))


def cut_mic(live: LiveState, avatar: int) -> LiveState:
    """A moderator turns someone's mic off."""
    target = live.on_stage(avatar)
    if target is None:
        raise Conflict(f"avatar {avatar} is not on stage")
    cut = replace(target, mic=False)
    return replace(live, stage=tuple(cut if p.id == avatar else p for p in live.stage))


def slow_mode(live: LiveState, seconds: int) -> LiveState:
    """Chat slow mode of the session (0: off)."""
    return replace(live, slow_mode_s=seconds)
