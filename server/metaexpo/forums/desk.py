"""The forum desk: live forum logic on every node, for the socket and the HTTP API alike.

A ``forum.*`` message from a visitor (or a console action) comes here with
who sent it. The desk resolves the sender's roles in the session from the
database, checks them (:mod:`metaexpo.forums.roles`), and makes the change
in the database (:mod:`metaexpo.forums.livestore`, :mod:`metaexpo.forums.questions`),
which orders changes made on any node. It then applies the new state here —
``forum.state`` to the room's visitors, the hand queue to moderators, media
permissions on the room — and publishes it on the bus, so every other node
does the same. Nodes apply only versions newer than the one they have, and
look at the database every few seconds to catch anything the bus lost.

Everything here runs on the event loop; database work goes to threads. The
desk knows the rooms only through :class:`~metaexpo.forums.ports.StageRoom`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import orjson
from sqlalchemy.orm import Session

from metaexpo.errors import Forbidden, NotFound, RequestRefused, TooMany
from metaexpo.forums import live as rules
from metaexpo.forums.live import LiveState, Person, Slide
from metaexpo.forums.livestore import LiveStore, Snapshot, deck_pages
from metaexpo.forums.people import People
from metaexpo.forums.ports import Caller, ForumBus, StageRoom
from metaexpo.forums.questions import Bucket, Questions, clean_question
from metaexpo.forums.recorder import StageAudioRecorder
from metaexpo.forums.replay import Replays
from metaexpo.forums.roles import (
    SPEAKER_SUBJECT_PREFIX,
    Actor,
    ForumAction,
    ForumRole,
    may,
    require,
)
from metaexpo.forums.states import ForumState, advance
from metaexpo.protocol import forum_messages as fm
from metaexpo.protocol.control import dumps, error_message
from metaexpo.store.audit import Action, record
from metaexpo.store.schema import ForumSession, ForumSlideEvent, utcnow

log = logging.getLogger(__name__)

#: Version of the forum messages on the bus.
BUS_VERSION = 1
#: How long changes of the top questions are gathered before they are sent.
QUESTIONS_DELAY_S = 0.2
#: How often the database is asked for changes the bus may have lost.
RESYNC_S = 5.0
#: A session that ended this long ago without a replay gets one without audio.
REPLAY_GRACE = timedelta(seconds=60)
#: How long the actor behind a join token is remembered (accounts and speakers).
ACTOR_TTL_S = 5.0
#: Forum messages one connection may send: a burst, then per minute (beyond: refused unread).
MESSAGE_BURST = 20
MESSAGES_PER_MINUTE = 240.0


@dataclass(frozen=True, slots=True)
class StageInfo:
    """Where a forum hall is: its stage number, its room, the audience area and the sound's
    source."""

    index: int
    room_id: str
    area: tuple[float, float, float, float]
    source: tuple[float, float, float]


@dataclass(frozen=True, slots=True)
class DeskLimits:
    """What visitors may send."""

    question_max_chars: int
    questions_per_minute: float
    hands_per_minute: float


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a socket message came from: a visitor of a room on this node."""

    room_id: str
    row: int
    wire_id: int
    name: str


@dataclass(slots=True)
class _Watchers:
    """Moderators on this node watching one session: avatar id → room."""

    rooms: dict[int, str] = field(default_factory=dict)


def refusal_code(exc: RequestRefused) -> str:
    """The ``error`` code of a refusal on the socket."""
    return {
        401: "forum_sign_in",
        403: "forum_forbidden",
        404: "forum_not_found",
        409: "forum_conflict",
        422: "forum_invalid",
        429: "rate_limited",
    }.get(exc.status, "forum_refused")


class ForumDesk:
    """The live forums of one node."""

    def __init__(
        self,
        *,
        people: People,
        questions: Questions,
        store: LiveStore,
        replays: Replays,
        rooms: Mapping[str, StageRoom],
        stages: Mapping[str, StageInfo],
        bus: ForumBus,
        limits: DeskLimits,
        recorder: StageAudioRecorder | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.people = people
        self.questions = questions
        self.store = store
        self.replays = replays
        self.rooms = rooms
        self.stages = stages
        self.bus = bus
        self.limits = limits
        self.recorder = recorder
        self.clock = clock
        self.snapshots: dict[str, Snapshot] = {}
        self.talking: dict[str, frozenset[int]] = {}
        self.watchers: dict[str, _Watchers] = {}
        self.top: dict[str, bytes] = {}
        self.ask_limits = Bucket(2, limits.questions_per_minute, clock)
        self.hand_limits = Bucket(3, limits.hands_per_minute, clock)
        self.message_limits = Bucket(MESSAGE_BURST, MESSAGES_PER_MINUTE, clock)
        self._flood_told: dict[int, float] = {}
        self._actors: dict[str, tuple[float, Actor]] = {}
        self._question_flush: dict[str, asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._resync: asyncio.Task[None] | None = None
        self.errors = 0

    # --- life ---------------------------------------------------------------------------------

    async def start(self) -> None:
        """Load the live sessions, apply them here and listen to the other nodes."""
        self.bus.subscribe(self.on_bus)
        for snapshot in await asyncio.to_thread(self.store.load_live):
            self._apply(snapshot, publish=False)
        self._resync = asyncio.get_running_loop().create_task(self._resync_loop())

    async def close(self) -> None:
        """Stop background work."""
        if self._resync is not None:
            self._resync.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._resync
        for handle in self._question_flush.values():
            handle.cancel()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def _spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- the sync socket ----------------------------------------------------------------------

    def receive(self, room_id: str, row: int, caller: Caller, message: fm.ForumMessage) -> None:
        """A ``forum.*`` message from a visitor on this node (handled in the background)."""
        port = self.rooms.get(room_id)
        wire = None if port is None else port.wire_id(row)
        if port is None or wire is None:
            return
        origin = Origin(room_id, row, wire, port.name_of(row) or "")
        # A flood costs the desk nothing but this check: no task, no database work.
        wait = self.message_limits.take(f"{room_id}:{wire}")
        if wait:
            now = self.clock()
            if now - self._flood_told.get(wire, -1e9) >= 1.0:
                if len(self._flood_told) > 10_000:
                    self._flood_told.clear()
                self._flood_told[wire] = now
                self._reply(
                    origin,
                    error_message(
                        "rate_limited",
                        f"too many forum messages: at most {MESSAGE_BURST} at once and "
                        f"{MESSAGES_PER_MINUTE:g} a minute",
                    ),
                )
            return
        self._spawn(self._from_socket(origin, caller, message))

    def joined(self, room_id: str, row: int) -> None:
        """A visitor just joined ``room_id``: the state and top questions of every live
        session there."""
        port = self.rooms.get(room_id)
        if port is None:
            return
        for snapshot in self.snapshots.values():
            stage = self.stages.get(snapshot.forum_hall)
            if stage is None or stage.room_id != room_id:
                continue
            if snapshot.live.state != ForumState.LIVE:
                continue
            port.deliver(self._state_bytes(snapshot), [row])
            top = self.top.get(snapshot.session_id)
            if top is not None:
                port.deliver(top, [row])

    async def _from_socket(self, origin: Origin, caller: Caller, message: fm.ForumMessage) -> None:
        try:
            actor = await self._actor(caller, origin.name)
            if isinstance(message, fm.ForumSync):
                await self._sync(origin, actor, message.session)
            else:
                await self.act(actor, message, origin)
        except RequestRefused as exc:
            self._reply(origin, error_message(refusal_code(exc), exc.message))
        except Exception:
            self.errors += 1
            log.exception("bug while handling a forum message")
            self._reply(origin, error_message("forum_error", "the forum desk failed; try again"))

    def _reply(self, origin: Origin, message: dict[str, Any]) -> None:
        port = self.rooms.get(origin.room_id)
        if port is not None and port.wire_id(origin.row) == origin.wire_id:
            port.deliver(dumps(message), [origin.row])

    async def _actor(self, caller: Caller, name: str) -> Actor:
        """Who is behind a join token (accounts and speakers are looked up, briefly cached)."""
        subject = caller.user_id
        if subject is None:
            return Actor("anonymous", None, name)
        if subject.startswith("guest-"):
            return Actor("guest", subject, name)
        cached = self._actors.get(subject)
        now = self.clock()
        if cached is not None and now - cached[0] < ACTOR_TTL_S:
            return cached[1]
        if subject.startswith(SPEAKER_SUBJECT_PREFIX):
            found = await asyncio.to_thread(self.people.speaker_from_subject, subject)
        elif caller.role in ("staff", "exhibitor"):
            found = await asyncio.to_thread(self.people.account_actor, subject)
        else:
            found = None
        actor = found or Actor("guest", subject, name)
        if len(self._actors) > 10_000:
            self._actors.clear()
        self._actors[subject] = (now, actor)
        return actor

    async def _sync(self, origin: Origin, actor: Actor, session_id: str | None) -> None:
        """Send one session's (or every live session's) state, questions and, to moderators,
        the hand queue and the question queue."""
        if session_id is None:
            ids = [
                s.session_id
                for s in self.snapshots.values()
                if s.live.state == ForumState.LIVE
                and (stage := self.stages.get(s.forum_hall)) is not None
                and stage.room_id == origin.room_id
            ]
        else:
            ids = [session_id]
        for sid in ids:
            known = self.snapshots.get(sid)
            snapshot = known if known is not None else await asyncio.to_thread(self.store.load, sid)
            self._reply(origin, orjson.loads(self._state_bytes(snapshot)))
            top = await asyncio.to_thread(self.questions.top, sid)
            self._reply(origin, fm.questions_message(sid, [q.public() for q in top]))
            roles = await asyncio.to_thread(self.people.roles, sid, actor)
            if may(ForumAction.WATCH, roles):
                self._watch(sid, origin)
                # The queue as it is now, not as it was before the awaits above: a hand raised
                # meanwhile reached the watchers before this moderator was one.
                hands, invited = self.snapshots.get(sid, snapshot).live.hand_queue()
                self._reply(origin, fm.hands_message(sid, hands, invited))
                queue = await asyncio.to_thread(self.questions.queue, sid)
                self._reply(origin, fm.queue_message(sid, [q.full() for q in queue]))

    def _watch(self, session_id: str, origin: Origin) -> None:
        self.watchers.setdefault(session_id, _Watchers()).rooms[origin.wire_id] = origin.room_id

    def _to_watchers(self, session_id: str, message: dict[str, Any]) -> None:
        watchers = self.watchers.get(session_id)
        if watchers is None:
            return
        data = dumps(message)
        for wire, room_id in list(watchers.rooms.items()):
            port = self.rooms.get(room_id)
            row = None if port is None else port.row_of(wire)
            if port is None or row is None:
                del watchers.rooms[wire]
                continue
            port.deliver(data, [row])

    # --- acting (socket and HTTP) -------------------------------------------------------------

    async def act(
        self, actor: Actor, message: fm.ForumMessage, origin: Origin | None = None
    ) -> Any:
        """Do what ``message`` asks as ``actor``: checked, stored, applied and published.

        ``origin`` is the visitor's avatar for socket messages (None from the HTTP API,
        which then cannot raise hands or accept invitations). Returns the new state's
        public form, or the question concerned. Raises a :class:`RequestRefused`.
        """
        session_id = message.session
        assert session_id is not None
        roles = await asyncio.to_thread(self.people.roles, session_id, actor)
        if isinstance(message, fm.ForumQuestion):
            return await self._ask(actor, roles, message, origin)
        if isinstance(message, fm.ForumVote):
            require(ForumAction.VOTE, roles, session_id)
            voter = self._key(actor, "upvote")
            view = await asyncio.to_thread(self.questions.vote, session_id, message.question, voter)
            self._questions_changed(session_id)
            return view.public()
        if isinstance(message, fm.ForumModerate):
            require(ForumAction.MODERATE, roles, session_id)
            if origin is not None:
                self._watch(session_id, origin)
            view = await asyncio.to_thread(
                self.questions.moderate,
                actor.describe(),
                session_id,
                message.question,
                message.action,
            )
            self._questions_changed(session_id)
            return view.full()
        change, after = self._live_change(actor, roles, message, origin)
        snapshot = await asyncio.to_thread(self.store.change, session_id, change)
        self._apply(snapshot, publish=True)
        if after is not None:
            after(snapshot)
        return self.public(snapshot)

    def _key(self, actor: Actor, what: str) -> str:
        if actor.key is None:
            raise Forbidden(
                f"to {what}, join with a token: sign in, or get a guest token "
                "(POST /api/auth/guest) and join with it"
            )
        return actor.key

    async def _ask(
        self,
        actor: Actor,
        roles: frozenset[ForumRole],
        message: fm.ForumQuestion,
        origin: Origin | None,
    ) -> dict[str, Any]:
        session_id = message.session
        require(ForumAction.ASK, roles, session_id)
        key = self._key(actor, "ask a question")
        text = clean_question(message.text, self.limits.question_max_chars)
        snapshot = self.snapshots.get(session_id)
        slow = snapshot.live.slow_mode_s if snapshot is not None else 0
        wait = self.ask_limits.take(f"{session_id}:{key}", float(slow))
        if wait:
            raise TooMany(
                f"slow down: wait {wait:.0f} s before your next question", retry_after=int(wait) + 1
            )
        name = None if message.anonymous else (origin.name if origin else actor.shown_name)
        view = await asyncio.to_thread(self.questions.ask, session_id, key, name, text)
        if origin is not None:
            self._reply(origin, fm.asked_message(session_id, view.full()))
        self._questions_changed(session_id)
        return view.full()

    def _person(self, actor: Actor, origin: Origin | None, what: str) -> Person:
        key = self._key(actor, what)
        if origin is None:
            raise Forbidden(f"to {what}, be in the hall: send it on the hall's socket")
        return Person(origin.wire_id, origin.name or actor.shown_name, key, int(time.time() * 1000))

    def _live_change(
        self,
        actor: Actor,
        roles: frozenset[ForumRole],
        message: fm.ForumMessage,
        origin: Origin | None,
    ) -> tuple[
        Callable[[LiveState, ForumSession, Session], LiveState], Callable[[Snapshot], None] | None
    ]:
        """The database change for a live message, and what to do once it is applied."""
        sid = message.session
        assert sid is not None
        who = actor.describe()

        if isinstance(message, fm.ForumSessionControl):
            if message.action == "live":
                require(ForumAction.GO_LIVE, roles, sid)

                def go_live(live: LiveState, forum: ForumSession, session: Session) -> LiveState:
                    forum.state = advance(sid, forum.state, ForumState.LIVE)
                    forum.went_live_at = forum.updated_at = utcnow()
                    pages = deck_pages(session, sid)
                    first = None
                    if pages:
                        deck = list(pages)[-1]
                        first = Slide(deck, 1, len(pages[deck]), pages[deck][0])
                        _slide_event(session, sid, first)
                    record(session, who, Action.FORUM_LIVE, sid)
                    return rules.went_live(live, first)

                return go_live, None
            require(ForumAction.END, roles, sid)

            def end(live: LiveState, forum: ForumSession, session: Session) -> LiveState:
                forum.state = advance(sid, forum.state, ForumState.ENDED)
                forum.ended_at = forum.updated_at = utcnow()
                record(session, who, Action.FORUM_ENDED, sid)
                return rules.ended(live)

            return end, lambda snapshot: self._spawn(self.finish(sid))

        if isinstance(message, fm.ForumSlide):
            require(ForumAction.TURN_SLIDES, roles, sid)

            def turn(live: LiveState, forum: ForumSession, session: Session) -> LiveState:
                slide = rules.turn_to(live, message.to, message.deck, deck_pages(session, sid))
                _slide_event(session, sid, slide)
                record(session, who, Action.FORUM_SLIDE, sid, deck=slide.deck, page=slide.page)
                return rules.with_slide(live, slide)

            return turn, None

        if isinstance(message, fm.ForumHand):
            require(ForumAction.RAISE_HAND, roles, sid)
            person = self._person(actor, origin, "raise a hand")
            wait = self.hand_limits.take(f"{sid}:{person.key}")
            if wait:
                raise TooMany(f"wait {wait:.0f} s before raising your hand again", int(wait) + 1)
            return (lambda live, forum, session: rules.hand(live, person, message.up)), None

        if isinstance(message, fm.ForumStage):
            require(ForumAction.RUN_STAGE, roles, sid)
            if origin is not None:
                self._watch(sid, origin)
            target = message.id

            def stage(live: LiveState, forum: ForumSession, session: Session) -> LiveState:
                if message.action == "invite":
                    new, _ = rules.invite(live, target)
                elif message.action == "dismiss":
                    new = rules.dismiss(live, target)
                else:
                    new = rules.end_turn(live, target)
                record(session, who, Action.FORUM_STAGE, sid, step=message.action, avatar=target)
                return new

            return stage, None

        if isinstance(message, fm.ForumStageAccept):
            person = self._person(actor, origin, "go on stage")
            return (lambda live, forum, session: rules.accept(live, person, message.accept)), None

        if isinstance(message, fm.ForumMic):
            if message.id is not None:
                require(ForumAction.CUT_MIC, roles, sid)
                target = message.id

                def cut(live: LiveState, forum: ForumSession, session: Session) -> LiveState:
                    record(session, who, Action.FORUM_MIC_CUT, sid, avatar=target)
                    return rules.cut_mic(live, target)

                return cut, None
            person = self._person(actor, origin, "use the microphone")
            speaker = ForumRole.SPEAKER in roles
            return (
                lambda live, forum, session: rules.own_mic(live, person, message.on, speaker)
            ), None

        if isinstance(message, fm.ForumSlowMode):
            require(ForumAction.SLOW_MODE, roles, sid)
            seconds = message.seconds

            def slow(live: LiveState, forum: ForumSession, session: Session) -> LiveState:
                record(session, who, Action.FORUM_SLOW_MODE, sid, seconds=seconds)
                return rules.slow_mode(live, seconds)

            return slow, None
        raise NotFound(f"the forum desk does not handle {message.type}")

    # --- ending: the replay -------------------------------------------------------------------

    async def finish(self, session_id: str) -> None:
        """Store the replay of a session that ended here, then offer it (ENDED → REPLAY).

        A failure is logged; the resync loop stores a replay without audio later.
        """
        try:
            await self._finish(session_id)
        except Exception:
            log.exception("could not store the replay of %s", session_id)

    async def _finish(self, session_id: str) -> None:
        recorded = await self.recorder.finish(session_id) if self.recorder is not None else None
        try:
            await asyncio.to_thread(
                self.replays.store,
                session_id,
                recorded.path if recorded else None,
                recorded.duration_ms if recorded else 0,
                self.bus.node_id,
            )
        finally:
            if recorded is not None:
                recorded.path.unlink(missing_ok=True)
        await self._offer_replay(session_id)

    async def _offer_replay(self, session_id: str) -> None:
        def to_replay(live: LiveState, forum: ForumSession, session: Session) -> LiveState:
            if forum.state == ForumState.REPLAY:
                return live
            forum.state = advance(session_id, forum.state, ForumState.REPLAY)
            forum.updated_at = utcnow()
            return rules.ended(live, ForumState.REPLAY)

        snapshot = await asyncio.to_thread(self.store.change, session_id, to_replay)
        self._apply(snapshot, publish=True)

    # --- applying a new state on this node ----------------------------------------------------

    def public(self, snapshot: Snapshot) -> dict[str, Any]:
        """``forum.state`` of a snapshot (as a dict)."""
        return fm.state_message(
            snapshot.session_id, {"version": snapshot.version, **snapshot.live.public()}
        )

    def _state_bytes(self, snapshot: Snapshot) -> bytes:
        return dumps(self.public(snapshot))

    def _apply(self, snapshot: Snapshot, *, publish: bool) -> None:
        """Make ``snapshot`` this node's state of its session (if it is newer)."""
        sid = snapshot.session_id
        previous = self.snapshots.get(sid)
        if previous is not None and previous.version >= snapshot.version:
            return
        self.snapshots[sid] = snapshot
        if publish:
            self.bus.publish(
                orjson.dumps(
                    {
                        "v": BUS_VERSION,
                        "node": self.bus.node_id,
                        "kind": "live",
                        "session": sid,
                        "hall": snapshot.forum_hall,
                        "version": snapshot.version,
                        "live": snapshot.live.to_json(),
                    }
                )
            )
        stage = self.stages.get(snapshot.forum_hall)
        port = None if stage is None else self.rooms.get(stage.room_id)
        if stage is None or port is None:
            return
        was_live = previous is not None and previous.live.state == ForumState.LIVE
        is_live = snapshot.live.state == ForumState.LIVE
        if is_live and sid not in self.top and sid not in self._question_flush:
            self._questions_changed(sid, publish=False)  # late joiners get the top questions
        if was_live != is_live:
            port.set_stage(stage.index, stage.area, stage.source, is_live)
            if self.recorder is not None:
                if is_live:
                    self.recorder.start(stage.index, sid)
                elif not publish:
                    self.recorder.discard(sid)  # the node that ended the session keeps it
        talking = snapshot.live.talking()
        before = self.talking.get(sid, frozenset())
        for wire in sorted(talking - before):
            port.allow_stage_audio(wire, stage.index)
        for wire in sorted(before - talking):
            port.allow_stage_audio(wire, None)
        self.talking[sid] = talking
        port.deliver(self._state_bytes(snapshot))
        old = previous.live if previous is not None else LiveState()
        if (old.hands, old.invited) != (snapshot.live.hands, snapshot.live.invited):
            hands, invited = snapshot.live.hand_queue()
            self._to_watchers(sid, fm.hands_message(sid, hands, invited))
        newly_invited = {p.id for p in snapshot.live.invited} - {p.id for p in old.invited}
        if newly_invited:
            data = dumps(fm.invite_message(sid))
            for wire in sorted(newly_invited):
                row = port.row_of(wire)
                if row is not None:
                    port.deliver(data, [row])

    def slow_mode_s(self, room_id: str) -> int:
        """The chat slow mode in force in ``room_id``: the largest of its live sessions'
        (0: none). For the chat's rate limit; the forums enforce it on questions."""
        return max(
            (
                s.live.slow_mode_s
                for s in self.snapshots.values()
                if s.live.state == ForumState.LIVE
                and (stage := self.stages.get(s.forum_hall)) is not None
                and stage.room_id == room_id
            ),
            default=0,
        )

    # --- questions ----------------------------------------------------------------------------

    def _questions_changed(self, session_id: str, *, publish: bool = True) -> None:
        """Send the top questions (and moderators' queue) soon, gathering bursts of changes."""
        if publish:
            self.bus.publish(
                orjson.dumps(
                    {
                        "v": BUS_VERSION,
                        "node": self.bus.node_id,
                        "kind": "questions",
                        "session": session_id,
                    }
                )
            )
        if session_id in self._question_flush:
            return
        loop = asyncio.get_running_loop()
        self._question_flush[session_id] = loop.call_later(
            QUESTIONS_DELAY_S, lambda: self._spawn(self._send_questions(session_id))
        )

    async def _send_questions(self, session_id: str) -> None:
        self._question_flush.pop(session_id, None)
        snapshot = self.snapshots.get(session_id)
        if snapshot is None:
            try:
                snapshot = await asyncio.to_thread(self.store.load, session_id)
            except NotFound:
                return
        top = await asyncio.to_thread(self.questions.top, session_id)
        data = dumps(fm.questions_message(session_id, [q.public() for q in top]))
        self.top[session_id] = data
        stage = self.stages.get(snapshot.forum_hall)
        port = None if stage is None else self.rooms.get(stage.room_id)
        if port is not None:
            port.deliver(data)
        if self.watchers.get(session_id):
            queue = await asyncio.to_thread(self.questions.queue, session_id)
            self._to_watchers(session_id, fm.queue_message(session_id, [q.full() for q in queue]))

    # --- other nodes --------------------------------------------------------------------------

    def on_bus(self, payload: bytes) -> None:
        """An event another node published."""
        try:
            event = orjson.loads(payload)
            if event.get("v") != BUS_VERSION or event.get("node") == self.bus.node_id:
                return
            kind = event["kind"]
            session_id = str(event["session"])
            if kind == "live":
                live = LiveState.from_json(event["live"])
                self._apply(
                    Snapshot(session_id, str(event["hall"]), int(event["version"]), live),
                    publish=False,
                )
            elif kind == "questions":
                self._questions_changed(session_id, publish=False)
            elif kind == "agenda":
                self.announce_agenda(session_id, publish=False)
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            self.errors += 1
            log.warning("ignored a malformed forum event on the bus")

    def announce_agenda(self, session_id: str, *, publish: bool = True) -> None:
        """Tell every visitor (on every node) that the agenda changed."""
        if publish:
            self.bus.publish(
                orjson.dumps(
                    {
                        "v": BUS_VERSION,
                        "node": self.bus.node_id,
                        "kind": "agenda",
                        "session": session_id,
                    }
                )
            )
        data = dumps(fm.agenda_message(session_id))
        for port in self.rooms.values():
            port.deliver(data)

    async def resync(self) -> None:
        """Apply whatever changed in the database that the bus did not bring (once)."""
        known = [sid for sid, s in self.snapshots.items() if s.live.state == ForumState.LIVE]
        for snapshot in await asyncio.to_thread(self.store.load_live):
            current = self.snapshots.get(snapshot.session_id)
            if current is None or current.version < snapshot.version:
                self._apply(snapshot, publish=False)
        for sid in known:
            try:
                snapshot = await asyncio.to_thread(self.store.load, sid)
            except NotFound:
                continue
            self._apply(snapshot, publish=False)
        stale = await asyncio.to_thread(self.store.ended_without_replay, utcnow() - REPLAY_GRACE)
        for sid in stale:
            log.warning("session %s ended without a replay; storing one without audio", sid)
            await asyncio.to_thread(self.replays.store, sid, None, 0, self.bus.node_id)
            with contextlib.suppress(RequestRefused):
                await self._offer_replay(sid)

    async def _resync_loop(self) -> None:
        while True:
            await asyncio.sleep(RESYNC_S)
            try:
                await self.resync()
            except Exception:
                log.exception("forum resync failed; trying again")


def _slide_event(session: Session, session_id: str, slide: Slide) -> None:
    session.add(
        ForumSlideEvent(session_id=session_id, at=utcnow(), deck_id=slide.deck, page=slide.page)
    )
