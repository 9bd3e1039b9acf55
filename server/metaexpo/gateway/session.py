"""One sync connection's protocol state machine, independent of the WebSocket library.

    AWAITING_JOIN ──join ok──► JOINED ──close/leave/error──► CLOSED
          │    └─resume token held elsewhere─► JOINING ──┘        ▲
          └──────────── bad join / timeout / binary first ────────┘

Transports (picows, the ASGI route) feed it frames and a disconnect; it
talks back through a :class:`~metaexpo.sync.link.ClientLink`. This is the one
place that maps errors to close codes: ``SessionClosed`` carries its own;
``ControlError``/``FrameError`` are answered with an ``error`` message and
counted; anything else is a bug, logged here and answered with 1011 without
details.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from metaexpo.analytics.visitors import parse_key
from metaexpo.errors import ControlError, FrameError, SessionClosed
from metaexpo.gateway.identity import Identity
from metaexpo.protocol import control
from metaexpo.protocol.codes import CloseCode
from metaexpo.protocol.forum_messages import FORUM_MESSAGE_TYPES
from metaexpo.protocol.frames import PROTOCOL_VERSION, MsgType, client_frame_kind
from metaexpo.protocol.moderation import MESSAGE_TYPES as MODERATION_TYPES
from metaexpo.protocol.reach_messages import REACH_MESSAGE_TYPES
from metaexpo.sync.link import ClientLink

if TYPE_CHECKING:
    from metaexpo.gateway.hub import SyncHub
    from metaexpo.sync.members import JoinResult
    from metaexpo.sync.room import Room

log = logging.getLogger(__name__)


class SessionState(enum.Enum):
    """Where a connection is in its life."""

    AWAITING_JOIN = "awaiting_join"
    #: Looking the resume token up in the shared registry (several nodes).
    JOINING = "joining"
    JOINED = "joined"
    CLOSED = "closed"


class Session:
    """Protocol state of one client connection."""

    __slots__ = (
        "_clock",
        "hub",
        "identity",
        "link",
        "rate_count",
        "rate_window",
        "room",
        "row",
        "state",
    )

    def __init__(
        self, hub: SyncHub, link: ClientLink, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.hub = hub
        self.link = link
        self.state = SessionState.AWAITING_JOIN
        self.room: Room | None = None
        self.identity = Identity("visitor")
        self.row = -1
        self.rate_window = 0.0
        self.rate_count = 0
        self._clock = clock
        hub.sessions.add(self)

    # --- inbound ---------------------------------------------------------------------------

    def on_binary(self, payload: bytes) -> None:
        """A binary frame arrived: a pose or media (after join) or a protocol error."""
        room = self.room
        if room is None:
            if self.state is SessionState.AWAITING_JOIN:
                self._guard(self._binary_before_join)
            return
        now = self._clock()
        room.stats.frames_in += 1
        room.stats.bytes_in += len(payload)
        try:
            kind = client_frame_kind(payload)
        except FrameError as exc:
            room.note_error(self.row, exc.code, exc.message, now)
            return
        if kind is MsgType.AUDIO:
            room.submit_audio(self.row, payload, now)
            return
        if now - self.rate_window >= 1.0:
            self.rate_window = now
            self.rate_count = 0
        self.rate_count += 1
        if self.rate_count > self.hub.settings.pose_rate_limit:
            room.note_error(
                self.row,
                "rate_limited",
                f"more than {self.hub.settings.pose_rate_limit:g} pose frames a second; "
                "send at the tick rate from the welcome",
                now,
            )
            return
        room.submit_pose(self.row, payload, now)

    def _binary_before_join(self) -> None:
        raise SessionClosed(
            CloseCode.PROTOCOL_ERROR,
            "join_first",
            "send a join message before pose or media frames",
        )

    def on_text(self, payload: bytes | str) -> None:
        """A text frame arrived: the join, or a control message."""
        if self.state is SessionState.JOINING:
            self.link.send_text(
                control.dumps(control.error_message("joining", "wait for the welcome"))
            )
        elif self.state is SessionState.AWAITING_JOIN:
            self._guard(self._join, payload)
        elif self.state is SessionState.JOINED:
            self._guard(self._control, payload)

    def on_disconnected(self, *, clean: bool, reason: str = "closed") -> None:
        """The transport is gone. A clean close leaves at once; otherwise the avatar waits."""
        if self.room is not None and self.state is not SessionState.CLOSED:
            self.room.disconnect(self.row, self.link, clean=clean, reason=reason)
        self.state = SessionState.CLOSED
        self.hub.sessions.discard(self)

    def on_congestion(self, congested: bool) -> None:
        """The transport's send buffer went over (True) or back under (False) its limit."""
        if self.room is not None and self.state is SessionState.JOINED:
            self.room.set_congested(self.row, congested)

    def on_join_timeout(self) -> None:
        """Called by the transport when the join deadline passes."""
        if self.state is SessionState.AWAITING_JOIN:
            self.close(
                CloseCode.JOIN_TIMEOUT,
                f"no join message within {self.hub.settings.join_timeout_s:g} s",
            )

    # --- handlers --------------------------------------------------------------------------

    def _join(self, payload: bytes | str) -> None:
        try:
            msg = control.parse_client_message(payload)
        except ControlError as exc:
            raise SessionClosed(CloseCode.BAD_JOIN, exc.code, exc.message) from None
        if not isinstance(msg, control.Join):
            raise SessionClosed(
                CloseCode.BAD_JOIN,
                "join_first",
                f"the first message must be a join, not {msg.type}",
            )
        if msg.v != PROTOCOL_VERSION:
            raise SessionClosed(
                CloseCode.VERSION_UNSUPPORTED,
                "version_unsupported",
                f"protocol version {msg.v} is not supported: " + control.protocol_version_message(),
            )
        hub = self.hub
        room = hub.rooms.get(msg.room)
        if room is None:
            raise SessionClosed(
                CloseCode.UNKNOWN_ROOM,
                "unknown_room",
                f"no room {msg.room!r}; rooms here: {', '.join(sorted(hub.rooms))}",
            )
        if hub.shutting_down:
            raise SessionClosed(
                CloseCode.SERVICE_RESTART, "shutting_down", "the server is restarting; reconnect"
            )
        try:
            name = control.check_display_text(
                msg.name, what="name", max_chars=hub.settings.name_max_chars
            )
        except ValueError as exc:
            raise SessionClosed(CloseCode.BAD_JOIN, "bad_name", str(exc)) from None
        if hub.avatar_ids and msg.avatar not in hub.avatar_ids:
            raise SessionClosed(
                CloseCode.BAD_JOIN,
                "unknown_avatar",
                f"no avatar {msg.avatar!r}; choose one of {', '.join(sorted(hub.avatar_ids))}",
            )
        self.identity = self._identify(msg.token)
        if hub.moderation is not None:
            name = hub.moderation.admit(self.identity, name, room.id)
        if msg.resume and not room.has_token(msg.resume) and hub.resumes is not None:
            self.state = SessionState.JOINING
            hub.spawn(self._join_elsewhere(room, name, msg))
            return
        visitor = hub.visitor_keys.of(self.identity.user_id)
        badge = self.identity.badge
        joined = room.join(
            self.link, name, msg.avatar, msg.kind, msg.resume, badge=badge, visitor=visitor
        )
        self._welcome(room, joined)

    def _identify(self, token: str | None) -> Identity:
        """The visitor's identity from the join's token (anonymous visitor without one)."""
        if token is None:
            return Identity("visitor")
        identity = self.hub.identify(token) if self.hub.identify is not None else None
        if identity is None:
            raise SessionClosed(
                CloseCode.BAD_TOKEN,
                "bad_token",
                "your sign-in has expired or is not valid; sign in again",
            )
        return identity

    async def _join_elsewhere(self, room: Room, name: str, msg: control.Join) -> None:
        """Finish a join whose resume token another node issued (or nobody knows)."""
        assert self.hub.resumes is not None and msg.resume is not None
        try:
            record = await self.hub.resumes.lookup(msg.resume)
        except Exception:
            log.warning("resume registry unavailable; joining as a new visitor", exc_info=True)
            record = None
        if self.state is not SessionState.JOINING:
            return  # the client left while we looked
        adopt = int(record["id"]) if record and record.get("room") == room.id else None
        # The visitor stays who they were for reach figures, whichever node they come back to.
        known = parse_key(record.get("visitor")) if record and adopt is not None else None
        self._guard(self._adopt, room, name, msg, adopt, known)

    def _adopt(
        self, room: Room, name: str, msg: control.Join, adopt: int | None, visitor: int | None
    ) -> None:
        resume = msg.resume if adopt is not None else None
        key = visitor or self.hub.visitor_keys.of(self.identity.user_id)
        badge = self.identity.badge
        joined = room.join(
            self.link, name, msg.avatar, msg.kind, resume, adopt, badge=badge, visitor=key
        )
        self._welcome(room, joined)

    def _welcome(self, room: Room, joined: JoinResult) -> None:
        hub = self.hub
        self.room, self.row = room, joined.row
        self.state = SessionState.JOINED
        s = hub.settings
        b = room.spec.bounds
        welcome = {
            "type": "welcome",
            "v": PROTOCOL_VERSION,
            "id": joined.avatar_id,
            "room": room.id,
            "tick_hz": s.tick_hz,
            "tick": room.tick_count,
            "server_ms": room.time_ms(self._clock()),
            "bounds": {"min": list(b.min), "max": list(b.max)},
            "position_step": 1 / 128,
            "pose": {"position": list(joined.position), "yaw": joined.yaw},
            "resume": joined.token,
            "resumed": joined.resumed,
            "roster": joined.roster,
            "you": {
                "name": room.members[joined.row].name,
                "badge": self.identity.badge,
                "moderator": self.identity.is_staff,
            },
            "node": {
                "id": hub.bus.node_id,
                "ids": [room.state.partition.first, room.state.partition.size],
            },
            "limits": {
                "pose_hz": s.tick_hz,
                "chat_max_chars": s.chat_max_chars,
                "chat_burst": s.chat_burst,
                "chat_per_minute": s.chat_per_minute,
                "resume_window_s": s.resume_window_s,
                "media_chunk_max_bytes": s.media_chunk_max_bytes,
                "media_chunks_per_s": s.media_chunks_per_s,
                "media_bytes_per_s": s.media_bytes_per_s,
                "voice_radius": s.voice_radius,
                "voice_cap": s.voice_cap,
            },
        }
        self.link.send_text(control.dumps(welcome))
        if hub.moderation is not None:
            hub.moderation.joined(self)
        quiet = room.quiet_places()
        if quiet["quiet_hall"] or quiet["quiet_zones"]:
            self.link.send_text(control.dumps(quiet))
        if hub.forums is not None:
            hub.forums.joined(room.id, joined.row)

    def _control(self, payload: bytes | str) -> None:
        room = self.room
        assert room is not None, "joined sessions have a room"
        try:
            msg = control.parse_client_message(payload)
            moderation = self.hub.moderation
            if isinstance(msg, control.Chat):
                gap = moderation.chat_gap_s(room.id) if moderation is not None else 0.0
                room.chat(self.row, msg.text, gap)
            elif isinstance(msg, MODERATION_TYPES) and moderation is not None:
                moderation.receive(self, msg)
            elif isinstance(msg, control.Teleport):
                room.teleport(self.row, msg.to, msg.yaw)
            elif isinstance(msg, control.Emote):
                room.emote(self.row, msg.emote)
            elif isinstance(msg, control.Who):
                self.link.send_text(control.dumps(room.who(self.row, msg.ids)))
            elif isinstance(msg, control.Ping):
                now = self._clock()
                self.link.send_text(
                    control.dumps(
                        {
                            "type": "pong",
                            "t": msg.t,
                            "server_ms": room.time_ms(now),
                            "tick": room.tick_count,
                        }
                    )
                )
            elif isinstance(msg, control.Leave):
                self.close(CloseCode.NORMAL, "goodbye", clean=True)
            elif isinstance(msg, FORUM_MESSAGE_TYPES) and self.hub.forums is not None:
                self.hub.forums.receive(room.id, self.row, self.identity, msg)
            elif isinstance(msg, REACH_MESSAGE_TYPES) and self.hub.reach is not None:
                member = room.members.get(self.row)
                visitor = member.visitor if member is not None else 0
                self.hub.reach.receive(visitor, msg, self.link.send_text)
            else:
                raise ControlError("already_joined", "this connection has already joined")
        except ControlError as exc:
            room.note_error(self.row, exc.code, exc.message, self._clock())

    # --- errors and closing ----------------------------------------------------------------

    def _guard(self, handler: Callable[..., None], *args: object) -> None:
        try:
            handler(*args)
        except SessionClosed as exc:
            self.close(exc.close_code, exc.message, code=exc.code)
        except Exception:
            log.exception("bug while handling a client message")
            self.close(CloseCode.INTERNAL_ERROR, "internal server error")

    def close(
        self, close_code: int, reason: str, *, code: str | None = None, clean: bool = False
    ) -> None:
        """Tell the client why (an ``error`` message for 4xxx/1013), then close the socket."""
        if self.state is SessionState.CLOSED:
            return
        if code is not None and close_code != CloseCode.NORMAL:
            self.link.send_text(control.dumps(control.error_message(code, reason)))
        self.link.close(close_code, reason)
        self.on_disconnected(clean=clean, reason=code or "closed")
