"""A room: one hall's avatars, the clients connected to it, and what they may ask.

The room owns the state arrays and is the only writer to them outside the
tick. Socket handlers call the small methods here (join, submit a pose, chat,
teleport, leave); poses are only queued (latest wins) and applied by the tick,
so a flood of input can never starve the tick. Who is in the room lives in
:mod:`metaexpo.sync.members`, the bus side in :mod:`metaexpo.sync.federation`,
what only the tick keeps in :mod:`metaexpo.sync.tick_memory`. Everything runs
on one event loop thread: no locks, and no method here awaits.
"""

from __future__ import annotations

import math
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from metaexpo.errors import ControlError, FrameError, SessionClosed
from metaexpo.protocol import control
from metaexpo.protocol.codes import CloseCode
from metaexpo.protocol.frames import AvatarFlag, MediaStream, decode_audio_frame
from metaexpo.sync.bus import Bus
from metaexpo.sync.clients import ClientTable
from metaexpo.sync.config import SyncConfig
from metaexpo.sync.federation import Federation
from metaexpo.sync.ingest import IngestResult, PoseLimits, ingest
from metaexpo.sync.interest import Grid, visible_sets
from metaexpo.sync.link import ClientLink
from metaexpo.sync.media import NO_STAGE, Rect, Refusal, RoomMedia, StageRecorder
from metaexpo.sync.members import JoinResult, Member, Members
from metaexpo.sync.state import Bounds, Partition, RoomState, Vec3
from metaexpo.sync.stats import SyncStats
from metaexpo.sync.tick_memory import TickMemory

#: Chat lines a room keeps for moderators to review.
RECENT_CHAT_LINES = 200

#: Least time between two emotes of one visitor (an emote plays for about two seconds).
EMOTE_MIN_INTERVAL_S = 1.0


@dataclass(frozen=True, slots=True)
class RoomSpec:
    """Where a room is and where visitors appear (from the catalog)."""

    id: str
    bounds: Bounds
    spawn: Vec3
    spawn_yaw: float = 0.0
    eye_height: float = 1.6
    #: Booth voice zones (x0, x1, z0, z1): people inside hear each other, not the aisle.
    voice_zones: tuple[Rect, ...] = ()


class Room:
    """One hall's live state and membership."""

    def __init__(
        self,
        spec: RoomSpec,
        config: SyncConfig,
        bus: Bus,
        clock: Callable[[], float] = time.monotonic,
        partition: Partition | None = None,
    ) -> None:
        self.spec = spec
        self.id = spec.id
        self.config = config
        self.bus = bus
        self.clock = clock
        self.state = RoomState(spec.bounds, partition=partition, phases=config.fanout_phases)
        self.clients = ClientTable(self.state.capacity)
        b = spec.bounds
        self.grid = Grid.covering((b.min[0], b.min[2]), (b.max[0], b.max[2]), config.cell_size)
        self.members = Members(spec.id)
        #: Latest unapplied pose frame per row (coalesced: latest wins).
        self.pending: dict[int, bytes] = {}
        self.chat_queue: list[dict[str, Any]] = []
        #: The room's latest chat lines, local and relayed (for moderators).
        self.recent_chat: deque[dict[str, Any]] = deque(maxlen=RECENT_CHAT_LINES)
        self._chat_seq = 0
        self.stats = SyncStats()
        self.tick_count = 0
        self.epoch = clock()
        #: Rows whose poses were applied since the last tick (for the server-added latency).
        self.applied: list[npt.NDArray[np.intp]] = []
        self.tick_memory = TickMemory.for_phases(config.fanout_phases)
        self.media = RoomMedia(config.fanout_phases, list(spec.voice_zones))
        self.federation = Federation(spec.id, self.state, bus, self)
        bus.subscribe(self.id, self.federation.receive)

    # --- admission and membership ----------------------------------------------------------

    @property
    def connected(self) -> int:
        """Clients connected to this room on this node."""
        return int(self.clients.live.sum())

    def time_ms(self, now: float) -> int:
        """Room clock in ms (sent in every frame so clients can interpolate)."""
        return int((now - self.epoch) * 1000.0)

    def check_admission(self) -> None:
        """Raise SessionClosed(1013) when a new visitor would degrade everyone else."""
        if self.connected >= self.config.max_clients:
            self.stats.joins_refused["full"] += 1
            raise SessionClosed(
                CloseCode.TRY_AGAIN_LATER,
                "hall_full",
                f"hall full: {self.connected} visitors are in, the most this server takes; "
                "try again in a minute",
            )
        if self.stats.load > self.config.tick_load_limit:
            self.stats.joins_refused["overload"] += 1
            raise SessionClosed(
                CloseCode.TRY_AGAIN_LATER,
                "hall_full",
                "hall full: the server is at capacity right now; try again in a minute",
            )

    def has_token(self, token: str) -> bool:
        """True if ``token`` resumes an avatar held by this node."""
        return self.members.row_of_token(token) is not None

    def join(
        self,
        link: ClientLink,
        name: str,
        avatar: str,
        kind: str,
        resume: str | None = None,
        adopt: int | None = None,
        badge: str | None = None,
        visitor: int = 0,
    ) -> JoinResult:
        """Admit a visitor and return what to welcome them with.

        ``resume`` is a token of an avatar this node holds; ``adopt`` is the wire
        id of an avatar another node held, found through the resume registry.
        ``visitor`` is the visitor's key for reach figures (a resumed avatar keeps its own).
        ``badge`` (``staff``, ``speaker``) is shown beside the name.
        """
        now = self.clock()
        row = self.members.row_of_token(resume)
        if row is not None:
            joined = self._resume(row, link, name, avatar, kind, now)
            self.members[row].badge = badge
            return joined
        self.check_admission()
        if adopt is not None:
            position, yaw = self.federation.last_pose(adopt) or (self._spawn_point(), 0.0)
            row = self.state.adopt(adopt & 0xFFFF, adopt >> 16, position, yaw, vr=kind == "vr")
            self.federation.announce_takeover(adopt)
            if resume:
                self.members.forget_token(resume)
            self.stats.resumes += 1
        else:
            position, yaw = self._spawn_point(), self.spec.spawn_yaw
            row = self.state.allocate(position, yaw, vr=kind == "vr")
            self.stats.joins += 1
        self.state.updated_at[row] = now
        self.clients.ensure(self.state.capacity)
        member = Member(
            name, avatar, kind, "", link, float(self.config.chat_burst), now, badge=badge
        )
        member.visitor = visitor
        self.members.add(row, member, self.state.wire_id(row))
        self.clients.attach(row, link)
        self.federation.joined_here(member.roster(self.state.wire_id(row)))
        return JoinResult(
            row,
            self.state.wire_id(row),
            member.token,
            adopt is not None,
            position,
            yaw,
            self._roster_near(row),
        )

    def _resume(
        self, row: int, link: ClientLink, name: str, avatar: str, kind: str, now: float
    ) -> JoinResult:
        member = self.members[row]
        old = member.link
        if old is not None and old is not link:
            old.close(CloseCode.REPLACED, "this visitor reconnected on a newer connection")
            self.clients.detach(row)
        self.members.issue_token(row, member, self.state.wire_id(row))
        member.name, member.avatar, member.kind, member.link = name, avatar, kind, link
        self.members.back(row)
        st = self.state
        st.flags[row] &= np.uint8(~AvatarFlag.AWAY & 0xFF)
        st.mark_jumped(row)
        st.mark_changed(row)
        st.updated_at[row] = now
        st.encode(np.array([row]))
        self.clients.attach(row, link)
        self.stats.resumes += 1
        pos = tuple(float(c) for c in st.pos[row])
        return JoinResult(
            row,
            st.wire_id(row),
            member.token,
            True,
            (pos[0], pos[1], pos[2]),
            float(st.yaw[row]),
            self._roster_near(row),
        )

    def _spawn_point(self) -> Vec3:
        """The spawn point, jittered so arrivals do not stack inside each other."""
        x, y, z = self.spec.spawn
        r = 2.0 * math.sqrt(secrets.randbelow(10_000) / 10_000)
        a = secrets.randbelow(3600) / 3600 * 2 * math.pi
        lo, hi = self.spec.bounds.min, self.spec.bounds.max
        return (
            min(max(x + r * math.cos(a), lo[0]), hi[0]),
            min(max(y, lo[1]), hi[1]),
            min(max(z + r * math.sin(a), lo[2]), hi[2]),
        )

    def _roster_near(self, row: int) -> list[dict[str, Any]]:
        st = self.state
        active = st.active_rows()
        cell = self.grid.cell_of(st.pos[row : row + 1, [0, 2]])
        vis = visible_sets(
            self.grid,
            st.pos[active][:, [0, 2]],
            active.astype(np.int64),
            cell,
            self.config.interest_radius,
            self.config.visible_cap,
        )
        entries = (self.roster_entry(int(r)) for r in vis.rows)
        return [e for e in entries if e is not None]

    def roster_entry(self, row: int) -> dict[str, Any] | None:
        """Name, avatar and kind of the avatar in ``row``, if known on this node."""
        wire = self.state.wire_id(row)
        member = self.members.get(row)
        if member is not None:
            return member.roster(wire)
        return self.federation.entry(wire)

    def local_roster_entry(self, wire: int) -> dict[str, Any] | None:
        """The roster entry of a local avatar by wire id (other nodes ask for it)."""
        member = self.members.get(self.state.row_of(wire))
        return member.roster(wire) if member is not None else None

    def announce(self, message: dict[str, Any]) -> None:
        """Send a control message to every visitor of the room, on every node."""
        self.deliver(control.dumps(message))
        self.federation.announce(message)

    def deliver(self, data: bytes) -> None:
        """Send an encoded control message to this node's visitors of the room."""
        for member in self.members:
            if member.link is not None:
                member.link.send_text(data)

    def deliver_near(self, data: bytes, x: float, z: float, exclude: int = -1) -> None:
        """Send an encoded control message to this node's clients that may see the point
        (x, z) at full rate: those whose interest cell's centre is within the interest radius
        of it (the same test that puts an avatar in a cell's visible set)."""
        cl = self.clients
        live = np.flatnonzero(cl.live)
        if not len(live):
            return
        centres = self.grid.centre(self.grid.cell_of(self.state.pos[live][:, [0, 2]]))
        d2 = (centres[:, 0] - x) ** 2 + (centres[:, 1] - z) ** 2
        radius = self.config.interest_radius
        for row in live[d2 <= radius * radius].tolist():
            link = cl.links[row]
            if row != exclude and link is not None:
                link.send_text(data)

    def send_roster(self, row: int, entries: list[dict[str, Any]]) -> None:
        """Tell the client in ``row`` names it asked about."""
        member = self.members.get(row)
        if member is not None and member.link is not None:
            member.link.send_text(control.dumps({"type": "roster", "join": entries, "leave": []}))

    def taken_over(self, wire: int) -> None:
        """Another node resumed this avatar: let go of it here without announcing a leave."""
        row = self.state.row_of(wire)
        member = self.members.get(row)
        if row is None or member is None:
            return
        if member.link is not None:
            member.link.close(CloseCode.REPLACED, "you reconnected through another server")
            self.clients.detach(row)
        self._remove(row, announce=False)

    def disconnect(self, row: int, link: ClientLink, *, clean: bool, reason: str) -> None:
        """The connection ended: leave now if clean, else wait for a resume (AWAY)."""
        member = self.members.get(row)
        if member is None or member.link is not link:
            return  # already replaced by a resumed connection, or already gone
        self.clients.detach(row)
        self.pending.pop(row, None)
        self.stats.disconnects[reason] += 1
        member.link = None
        if clean or self.config.resume_window_s <= 0:
            self._remove(row)
            return
        self.members.set_away(row, self.clock() + self.config.resume_window_s)
        self.state.flags[row] |= np.uint8(AvatarFlag.AWAY)
        self.state.mark_changed(row)
        self.state.encode(np.array([row]))

    def _remove(self, row: int, *, announce: bool = True) -> None:
        self.members.remove(row)
        self.clients.voice_muted[row] = False  # the row's next avatar starts unmuted
        if announce:
            self.federation.left_here(self.state.wire_id(row))
        self.state.release(row)

    def expire_away(self, now: float) -> None:
        """Remove avatars whose resume window has passed."""
        if not self.members.away:
            return
        for row in self.members.expired(now):
            self._remove(row)

    # --- inputs ----------------------------------------------------------------------------

    def apply_pending(self, now: float) -> IngestResult:
        """Validate and apply the queued poses (latest per client); answer the bad ones."""
        pending, self.pending = self.pending, {}
        s = self.config
        result = ingest(
            self.state, pending, now, PoseLimits(s.max_speed, s.speed_slack, s.tick_period)
        )
        self.stats.poses_accepted += len(result.applied)
        for row, code, message in result.rejected:
            self.note_error(row, code, message, now)
        if len(result.applied):
            self.applied.append(result.applied)
        return result

    def flush_bus(self, now: float) -> None:
        """Between ticks, with other nodes listening: apply queued poses and publish them.

        Publishing every few milliseconds instead of once a tick spares a
        cross-node pose a second tick's wait (docs/perf.md).
        """
        if self.pending:
            self.apply_pending(now)
        self.federation.flush(self.tick_count, self.time_ms(now))

    def submit_pose(self, row: int, frame: bytes, now: float) -> None:
        """Queue a validated-shape pose frame; the tick applies the latest one."""
        self.pending[row] = frame
        self.clients.received_at[row] = now

    def submit_audio(self, row: int, payload: bytes, now: float) -> None:
        """Check an AUDIO frame (shape, rate, permission) and keep its chunks for the tick.

        Refusals are answered with ``error`` and counted; malformed and too
        frequent frames count toward the invalid-frame limit, permission
        refusals (not on stage, muted, voice-free here) do not.
        """
        s = self.config
        try:
            frame = decode_audio_frame(payload, s.media_chunk_max_bytes)
        except FrameError as exc:
            self.note_error(row, exc.code, exc.message, now)
            return
        verdict = self._media_verdict(row, frame.stream, frame.chunks, now)
        if isinstance(verdict, Refusal):
            self.note_error(row, verdict.code, verdict.message, now, abuse=verdict.abuse)
            return
        st = self.state
        size = self.media.keep(
            int(st.wire_slot[row]), int(st.gen[row]), frame.stream, verdict, frame.chunks, now
        )
        self.stats.media_chunks_in += len(frame.chunks)
        self.stats.media_bytes_in += size
        if self.bus.has_peers:
            self.federation.media_here(self.state.wire_id(row), frame.stream, verdict, frame.chunks)

    def _media_verdict(
        self, row: int, stream: int, chunks: tuple[tuple[int, bytes], ...], now: float
    ) -> int | Refusal:
        """The stage the chunks belong to (NO_STAGE for voice), or why they are refused."""
        s, cl = self.config, self.clients
        size = sum(len(opus) for _, opus in chunks)
        # Token buckets of one second's allowance, topped up lazily.
        elapsed = now - cl.media_at[row]
        cl.media_at[row] = now
        tokens = min(s.media_chunks_per_s, cl.media_chunks[row] + elapsed * s.media_chunks_per_s)
        budget = min(s.media_bytes_per_s, cl.media_bytes[row] + elapsed * s.media_bytes_per_s)
        if tokens < len(chunks) or budget < size:
            cl.media_chunks[row], cl.media_bytes[row] = tokens, budget
            return Refusal(
                "media_rate_limited",
                f"send media at most in real time: {s.media_chunks_per_s:g} chunks and "
                f"{s.media_bytes_per_s:g} bytes a second",
                abuse=True,
            )
        cl.media_chunks[row], cl.media_bytes[row] = tokens - len(chunks), budget - size
        if stream == MediaStream.STAGE:
            return self.media.stage_of(self.state.wire_id(row))
        if cl.voice_muted[row]:
            return Refusal("voice_muted", "a moderator muted your voice")
        x, _, z = self.state.pos[row].tolist()
        if self.media.voice_off_at(x, z):
            return Refusal("voice_off_here", "voice is off here (a forum session, or a quiet zone)")
        return NO_STAGE

    def set_voice_muted(self, row: int, muted: bool) -> None:
        """Mute (or unmute) the voice of the local visitor in ``row`` (a moderator's call)."""
        self.clients.voice_muted[row] = muted

    def set_stage(
        self,
        stage: int,
        area: tuple[float, float, float, float],
        source: tuple[float, float, float],
        live: bool,
    ) -> None:
        """The audience region (x0, x1, z0, z1) of forum hall number ``stage`` and where its
        sound comes from; ``live`` while a session is live there (audience voice is muted)."""
        self.media.set_stage(stage, area, source, live)

    def allow_stage_audio(self, wire_id: int, stage: int | None) -> None:
        """This avatar may (stage) or may no longer (None) send STAGE audio."""
        self.media.allow_stage_audio(wire_id, stage)

    def set_stage_recorder(self, recorder: StageRecorder | None) -> None:
        """Hand every STAGE chunk of a live stage (local or from other nodes) to ``recorder``."""
        self.media.recorder = recorder

    def set_voice_free_zone(
        self, zone_id: str, area: tuple[float, float, float, float] | None
    ) -> None:
        """Staff make ``area`` (x0, x1, z0, z1) voice-free as ``zone_id``, or lift it (None)."""
        self.media.set_voice_free_zone(zone_id, area)

    def set_voice_free_hall(self, free: bool) -> None:
        """Staff make the whole hall voice-free (True), or let people talk again (False)."""
        self.media.set_voice_free_hall(free)

    def set_quiet_places(
        self,
        quiet_hall: bool,
        zones: dict[str, tuple[float, float, float, float]],
        *,
        publish: bool = True,
    ) -> None:
        """Staff's voice-free places of the room, replacing the previous ones: the whole hall, or
        named areas (x0, x1, z0, z1). Applied on every node (``publish``); every visitor of the
        room is told (``voice.places``) so their client can show where voice is off."""
        for name in [n for n in self.media.free_zones if n not in zones]:
            self.media.set_voice_free_zone(name, None)
        for name, area in zones.items():
            self.media.set_voice_free_zone(name, area)
        self.media.set_voice_free_hall(quiet_hall)
        self.deliver(control.dumps(self.quiet_places()))
        if publish:
            self.federation.quiet_places(quiet_hall, zones)

    def quiet_places(self) -> dict[str, Any]:
        """The ``voice.places`` message of the room's current quiet places."""
        return self.media.quiet_places()

    def media_from_peer(
        self, wire: int, stream: int, stage: int, chunks: list[tuple[int, bytes]], now: float
    ) -> None:
        """Chunks another node admitted: route them here too (and record stage ones if live)."""
        if stream == MediaStream.STAGE:
            info = self.media.stages.get(stage)
            if info is None or not info.live:
                self.stats.dropped["media_stage_not_live"] += len(chunks)
                return
        self.media.keep(wire & 0xFFFF, wire >> 16, stream, stage, tuple(chunks), now)

    def chat(self, row: int, text: str, min_gap_s: float = 0.0) -> None:
        """Queue a chat line (rate- and length-limited) for the next tick's broadcast.

        Refused while the member is muted, and sooner than ``min_gap_s`` after
        their last line (slow mode). Each line gets an id unique across nodes.
        """
        s = self.config
        text = self._text(text, "chat message", s.chat_max_chars)
        member = self.members[row]
        now = self.clock()
        if now < member.muted_until:
            self.stats.dropped["muted"] += 1
            raise ControlError("muted", member.muted_because)
        if now - member.line_at < min_gap_s:
            self.stats.dropped["slow_mode"] += 1
            wait = math.ceil(min_gap_s - (now - member.line_at))
            raise ControlError(
                "slow_mode",
                f"slow mode: one chat message every {min_gap_s:g} s; wait {wait} s",
            )
        member.chat_tokens = min(
            float(s.chat_burst),
            member.chat_tokens + (now - member.chat_at) * s.chat_per_minute / 60,
        )
        member.chat_at = now
        if member.chat_tokens < 1.0:
            self.stats.dropped["chat_rate"] += 1
            raise ControlError(
                "rate_limited",
                f"slow down: at most {s.chat_burst} chat messages at once and "
                f"{s.chat_per_minute:g} a minute",
            )
        member.chat_tokens -= 1.0
        member.line_at = now
        self.stats.chat_messages += 1
        self._chat_seq += 1
        line = {
            "id": f"{self.bus.node_id}.{self._chat_seq}",
            "from": self.state.wire_id(row),
            "name": member.name,
            "text": text,
            "t": self.time_ms(now),
        }
        if member.badge:
            line["badge"] = member.badge
        self.chat_queue.append(line)
        self.federation.chat_here(line)

    def set_chat_muted(self, row: int, until: float, because: str) -> None:
        """Refuse the member's chat lines until ``until`` (room clock) with ``because``."""
        member = self.members.get(row)
        if member is not None:
            member.muted_until, member.muted_because = until, because

    @staticmethod
    def _text(text: str, what: str, limit: int) -> str:
        try:
            return control.check_display_text(text, what=what, max_chars=limit)
        except ValueError as exc:
            raise ControlError("bad_text", str(exc)) from None

    def teleport(self, row: int, to: Vec3, yaw: float | None) -> None:
        """Jump an avatar to ``to`` (head position) if inside the hall and not too often."""
        member = self.members[row]
        now = self.clock()
        if not self.spec.bounds.contains(to):
            raise ControlError("teleport_refused", "teleport target is outside the hall")
        if now - member.teleport_at < self.config.teleport_min_interval_s:
            raise ControlError(
                "teleport_refused",
                f"teleports are limited to one per {self.config.teleport_min_interval_s:g} s",
            )
        member.teleport_at = now
        st = self.state
        self.pending.pop(row, None)  # a pose sent before the jump would fail the speed check
        new_yaw = float(st.yaw[row]) if yaw is None else yaw % (2 * math.pi)
        offset = np.asarray(to, np.float32) - st.pos[row]
        st.set_desktop_pose(row, to, new_yaw, float(st.pitch[row]))
        st.left[row] += offset
        st.right[row] += offset
        st.mark_jumped(row)
        st.updated_at[row] = now
        st.encode(np.array([row]))

    def emote(self, row: int, emote: str) -> None:
        """Show the avatar in ``row`` making the gesture ``emote`` to the visitors who can see
        it, on this node and the others (at most one every ``EMOTE_MIN_INTERVAL_S``)."""
        member = self.members[row]
        now = self.clock()
        if now - member.emote_at < EMOTE_MIN_INTERVAL_S:
            self.stats.dropped["emote_rate"] += 1
            raise ControlError(
                "rate_limited", f"slow down: at most one emote every {EMOTE_MIN_INTERVAL_S:g} s"
            )
        member.emote_at = now
        message = control.emote_message(self.state.wire_id(row), emote)
        x, z = float(self.state.pos[row, 0]), float(self.state.pos[row, 2])
        self.deliver_near(control.dumps(message), x, z, exclude=row)
        self.federation.emote_here(message, x, z)

    def who(self, asker: int, ids: list[int]) -> dict[str, Any]:
        """Roster entries for live ids, and the ids no longer in the room.

        Names of other nodes' avatars that this node has not learnt yet are
        asked of their owner; the answer reaches ``asker`` in a later roster.
        """
        known, gone = [], []
        for aid in ids:
            row = self.state.row_of(aid)
            entry = self.roster_entry(row) if row is not None else None
            if entry is not None:
                known.append(entry)
            elif row is None:
                gone.append(aid)
            else:
                self.federation.ask(aid, asker)
        return {"type": "roster", "join": known, "leave": gone}

    def note_error(
        self, row: int, code: str, message: str, now: float, *, abuse: bool = True
    ) -> None:
        """Count a bad frame or message; answer ``error`` at most once a second per code,
        and close the client once it passes the invalid-frame limit.

        A refusal that is not abuse (``abuse=False``: e.g. a muted visitor's open
        microphone) is counted and answered but never closes the connection.
        """
        self.stats.dropped[code] += 1
        member = self.members.get(row)
        if member is None or member.link is None:
            return
        if abuse and self.clients.count_invalid(row) > self.config.invalid_frame_limit:
            member.link.close(
                CloseCode.ABUSE,
                f"more than {self.config.invalid_frame_limit} invalid frames in 10 s "
                f"(last: {message})",
            )
            return
        if now - member.error_at.get(code, -math.inf) >= 1.0:
            member.error_at[code] = now
            member.link.send_text(control.dumps(control.error_message(code, message)))

    def set_congested(self, row: int, congested: bool) -> None:
        """The transport's send buffer crossed its high (True) or low (False) mark."""
        self.clients.set_congested(row, congested, self.clock())
