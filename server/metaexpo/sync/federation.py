"""A room's side of the bus: one hall served by several nodes.

Each tick the room publishes its local avatars' changes (and about once a
second its whole local picture) and merges what other nodes published. Media
chunks its visitors sent cross once per node, in the same flushes as poses,
and other nodes' chunks are handed to the room to route like local ones.
Names travel separately, once: a node announces its joiners, and answers
roster questions about its own avatars. Chat lines of local visitors are
relayed; a visitor who resumes on another node is taken over from the old one.

Messages from the bus only land in a bounded inbox; the tick drains it, so
nothing from the network touches the arrays between ticks.
"""

from __future__ import annotations

import logging
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from metaexpo.errors import FrameError
from metaexpo.protocol import control
from metaexpo.protocol.bus_messages import (
    bus_media_record,
    decode_bus_control,
    decode_bus_media,
    decode_bus_tick,
    encode_bus_control,
    encode_bus_media,
    encode_bus_tick,
    is_control,
    is_media,
)
from metaexpo.protocol.frames import AVATAR_ID
from metaexpo.sync import remote
from metaexpo.sync.bus import Bus
from metaexpo.sync.remote import Liveness, PeerNodes
from metaexpo.sync.state import RoomState

log = logging.getLogger(__name__)
#: Most bus messages held between two ticks; beyond it the oldest are dropped (and counted).
INBOX_LIMIT = 4096
#: How long a remote avatar's last pose is kept after its node vanished (for resumes elsewhere).
GRAVEYARD_S = 60.0


@dataclass
class FederationStats:
    """What crossed the bus, for /metrics."""

    messages_in: int = 0
    bytes_in: int = 0
    messages_out: int = 0
    bytes_out: int = 0
    ignored: Counter[str] = field(default_factory=Counter)
    inbox_dropped: int = 0
    nodes_stale: int = 0
    nodes_dropped: int = 0
    avatars_dropped: int = 0


@dataclass(frozen=True, slots=True)
class Grave:
    """The last known pose of an avatar whose node vanished."""

    position: tuple[float, float, float]
    yaw: float
    until: float


class RoomPort(Protocol):
    """What the federation asks of its room: the little it needs, nothing more.

    Calls happen inside :meth:`Federation.merge`, in the order the messages
    came, because a takeover must let go of the avatar before a later
    message of its new node installs it here.
    """

    def local_roster_entry(self, wire: int) -> dict[str, Any] | None:
        """The roster entry of a local avatar by wire id (another node asked)."""

    def send_roster(self, row: int, entries: list[dict[str, Any]]) -> None:
        """Tell the local client in ``row`` names it asked about."""

    def taken_over(self, wire: int) -> None:
        """Another node resumed this local avatar: let go of it without announcing a leave."""

    def deliver(self, data: bytes) -> None:
        """Send an encoded control message to this node's visitors of the room."""

    def deliver_near(self, data: bytes, x: float, z: float, exclude: int = -1) -> None:
        """Send an encoded control message to this node's visitors who may see (x, z)."""

    def media_from_peer(
        self, wire: int, stream: int, stage: int, chunks: list[tuple[int, bytes]], now: float
    ) -> None:
        """Media chunks another node's visitor ``wire`` sent (already admitted there)."""

    def set_quiet_places(
        self,
        quiet_hall: bool,
        zones: dict[str, tuple[float, float, float, float]],
        *,
        publish: bool = True,
    ) -> None:
        """Staff's voice-free places, as another node's staff set them (``publish=False``)."""


class Federation:
    """Bus traffic of one room."""

    def __init__(
        self,
        room_id: str,
        state: RoomState,
        bus: Bus,
        room: RoomPort,
        liveness: Liveness | None = None,
    ) -> None:
        self.room_id = room_id
        self.state = state
        self.bus = bus
        self.room = room
        self.node_id = bus.node_id
        self.peers = PeerNodes()
        self.liveness = liveness or Liveness()
        self.inbox: deque[bytes] = deque()
        self.outbox: list[bytes] = []
        self.stats = FederationStats()
        #: Names of other nodes' avatars, by wire id.
        self.roster: dict[int, dict[str, Any]] = {}
        #: Local clients waiting for names the owner node has not told us yet.
        self.waiting: dict[int, set[int]] = {}
        self.asked: set[int] = set()
        #: Roster entries of local joiners, wire ids of local avatars that left, local chat
        #: lines: what the next publish tells the other nodes.
        self.joined: list[dict[str, Any]] = []
        self.departed: list[int] = []
        self.chat_out: list[dict[str, Any]] = []
        #: Media chunks of local visitors, as bus records, for the next flush.
        self.media_out: list[bytes] = []
        #: Chat lines other nodes relayed, until merge hands them to the tick.
        self.chat_in: list[dict[str, Any]] = []
        self.graveyard: dict[int, Grave] = {}

    # --- from the bus (any time) -----------------------------------------------------------

    def receive(self, payload: bytes) -> None:
        """Bus callback: hold the message for the next tick (bounded)."""
        if len(self.inbox) >= INBOX_LIMIT:
            self.inbox.popleft()
            self.stats.inbox_dropped += 1
        self.inbox.append(payload)

    # --- told by the room ------------------------------------------------------------------

    def joined_here(self, entry: dict[str, Any]) -> None:
        """A visitor joined on this node: announce its name with the next publish."""
        self.joined.append(entry)

    def left_here(self, wire: int) -> None:
        """A local avatar left: tell the other nodes with the next publish."""
        self.departed.append(wire)

    def chat_here(self, line: dict[str, Any]) -> None:
        """A local visitor chatted: relay the line with the next publish."""
        self.chat_out.append(line)

    def media_here(
        self, wire: int, stream: int, stage: int, chunks: tuple[tuple[int, bytes], ...]
    ) -> None:
        """A local visitor's admitted media chunks: send them with the next flush."""
        self.media_out.extend(bus_media_record(wire, stream, stage, seq, o) for seq, o in chunks)

    def drop_unpublished(self) -> None:
        """Forget joins, leaves, chat lines and media nobody was told of (no peer listened).

        On a single node nothing is ever published, so these must not pile up; a
        node that appears later asks for the names it lacks (``roster_req``).
        """
        self.departed.clear()
        self.joined.clear()
        self.chat_out.clear()
        self.media_out.clear()

    # --- in the tick -----------------------------------------------------------------------

    def merge(self, now: float) -> list[dict[str, Any]]:
        """Apply every held message, then expire silent nodes.

        Returns the chat lines other nodes relayed, for the tick to broadcast.
        """
        st = self.state
        inbox, self.inbox = self.inbox, deque()
        for payload in inbox:
            self.stats.messages_in += 1
            self.stats.bytes_in += len(payload)
            try:
                if is_control(payload):
                    self._control(decode_bus_control(payload), now)
                    continue
                if is_media(payload):
                    self._media(payload, now)
                    continue
                msg = decode_bus_tick(payload)
            except FrameError as exc:
                self.stats.ignored[exc.code] += 1
                continue
            if msg.node_id == self.node_id:
                continue
            peer = self.peers.heard(msg.node_id, now)
            peer.stale = False
            for wire in remote.merge(st, msg, peer.index, now):
                self.roster.pop(wire, None)
        stale, dead = remote.silent_peers(self.peers, now, self.liveness)
        for peer in stale:
            log.warning("node %s silent: its avatars in %s are stale", peer.node_id, self.room_id)
            remote.mark_stale(st, peer.index)
            peer.stale = True
            self.stats.nodes_stale += 1
        for peer in dead:
            log.warning("node %s gone: removing its avatars from %s", peer.node_id, self.room_id)
            self._bury(peer.index, now)
            removed = remote.drop_node(st, peer.index)
            for wire in removed:
                self.roster.pop(wire, None)
            self.peers.forget(peer)
            self.stats.nodes_dropped += 1
            self.stats.avatars_dropped += len(removed)
        if self.graveyard:
            for wire in [w for w, g in self.graveyard.items() if g.until <= now]:
                del self.graveyard[wire]
        chat, self.chat_in = self.chat_in, []
        return chat

    def _media(self, payload: bytes, now: float) -> None:
        media = decode_bus_media(payload)
        if media.node_id == self.node_id:
            return
        room = self.room
        for c in media.chunks:
            room.media_from_peer(c.wire, c.stream, c.stage, [(c.seq, c.opus)], now)

    def _bury(self, owner: int, now: float) -> None:
        st = self.state
        for row in np.flatnonzero(st.active & (st.owner == owner)).tolist():
            x, y, z = (float(c) for c in st.pos[row])
            self.graveyard[st.wire_id(row)] = Grave(
                (x, y, z), float(st.yaw[row]), now + GRAVEYARD_S
            )

    def _control(self, msg: dict[str, Any], now: float) -> None:
        node = msg["node"]
        if node == self.node_id:
            return
        kind = msg["t"]
        if kind == "join" or (kind == "roster" and msg.get("to") == self.node_id):
            self._learn(msg.get("entries", []))
        elif kind == "roster_req" and msg.get("to") == self.node_id:
            entries = [e for e in map(self.room.local_roster_entry, msg.get("ids", [])) if e]
            if entries:
                self._send("roster", to=node, entries=entries)
        elif kind == "chat":
            self.chat_in.extend(m for m in msg.get("messages", []) if isinstance(m, dict))
        elif kind == "takeover":
            self.room.taken_over(int(msg.get("id", -1)))
        elif kind == "announce" and isinstance(msg.get("message"), dict):
            self.room.deliver(control.dumps(msg["message"]))
        elif kind == "emote" and isinstance(msg.get("message"), dict):
            at = msg.get("at")
            if isinstance(at, list) and len(at) == 2 and all(isinstance(c, float) for c in at):
                self.room.deliver_near(control.dumps(msg["message"]), at[0], at[1])
            else:
                self.stats.ignored["bad_emote"] += 1
        elif kind == "quiet":
            self._quiet(msg)

    def _quiet(self, msg: dict[str, Any]) -> None:
        """Another node's staff changed the room's voice-free places: the same here."""
        try:
            zones = {
                str(name): (float(a[0]), float(a[1]), float(a[2]), float(a[3]))
                for name, a in dict(msg["zones"]).items()
            }
            if not all(x0 < x1 and z0 < z1 for x0, x1, z0, z1 in zones.values()):
                raise ValueError("an empty area")
            hall = bool(msg["hall"])
        except (KeyError, TypeError, ValueError, IndexError):
            self.stats.ignored["bad_quiet"] += 1
            return
        self.room.set_quiet_places(hall, zones, publish=False)

    def _learn(self, entries: list[dict[str, Any]]) -> None:
        room = self.room
        for entry in entries:
            try:
                wire = int(entry["id"])
                item = control.roster_entry(
                    wire,
                    str(entry["name"]),
                    str(entry["avatar"]),
                    str(entry["kind"]),
                    entry.get("badge"),
                )
            except (KeyError, TypeError, ValueError):
                self.stats.ignored["bad_roster"] += 1
                continue
            self.roster[wire] = item
            self.asked.discard(wire)
            for row in self.waiting.pop(wire, ()):
                room.send_roster(row, [item])

    def publish(self, tick: int, time_ms: int, full: bool) -> None:
        """The tick's messages: unpublished changes (or everything), joins, chat, answers."""
        self.flush(tick, time_ms, full=full)

    def flush(self, tick: int, time_ms: int, *, full: bool = False) -> None:
        """Publish local changes not yet sent (or the full picture) and queued control messages."""
        st = self.state
        rows = remote.local_rows(st) if full else np.flatnonzero(st.unpublished)
        pending = self.departed or self.joined or self.chat_out or self.outbox or self.media_out
        if not (full or len(rows) or pending):
            return
        st.unpublished[rows] = False
        gone = np.array(self.departed, np.int64)
        self.departed.clear()
        if full or len(rows) or len(gone):
            vr = st.is_vr[rows]
            ids = np.empty(len(gone), AVATAR_ID)
            ids["slot"] = gone & 0xFFFF
            ids["gen"] = gone >> 16
            self._publish(
                encode_bus_tick(
                    self.node_id,
                    tick,
                    time_ms,
                    st.rec_desktop[rows[~vr]].tobytes(),
                    st.rec_vr[rows[vr]].tobytes(),
                    ids.tobytes(),
                    full=full,
                )
            )
        if self.joined:
            self._send("join", entries=self.joined)
            self.joined = []
        if self.chat_out:
            self._send("chat", messages=self.chat_out)
            self.chat_out = []
        if self.media_out:
            self._publish(encode_bus_media(self.node_id, self.media_out))
            self.media_out = []
        for payload in self.outbox:
            self._publish(payload)
        self.outbox.clear()

    def _send(self, kind: str, **fields: Any) -> None:
        self._publish(encode_bus_control(self.node_id, kind, **fields))

    def _publish(self, payload: bytes) -> None:
        self.stats.messages_out += 1
        self.stats.bytes_out += len(payload)
        self.bus.publish(self.room_id, payload)

    # --- asked by the room -----------------------------------------------------------------

    def entry(self, wire: int) -> dict[str, Any] | None:
        """The name of another node's avatar, if known."""
        return self.roster.get(wire)

    def ask(self, wire: int, row: int) -> None:
        """A local client asked about a remote avatar whose name we lack: ask its owner."""
        st = self.state
        r = st.row_of(wire)
        if r is None:
            return
        peer = self.peers.by_index.get(int(st.owner[r]))
        if peer is None:
            return
        self.waiting.setdefault(wire, set()).add(row)
        if wire not in self.asked:
            self.asked.add(wire)
            self.outbox.append(
                encode_bus_control(self.node_id, "roster_req", to=peer.node_id, ids=[wire])
            )

    def announce(self, message: dict[str, Any]) -> None:
        """Relay a control message for every visitor to the other nodes."""
        self.outbox.append(encode_bus_control(self.node_id, "announce", message=message))

    def emote_here(self, message: dict[str, Any], x: float, z: float) -> None:
        """A local avatar at (x, z) made a gesture: other nodes' visitors near it see it too."""
        if self.bus.has_peers:
            self.outbox.append(
                encode_bus_control(self.node_id, "emote", message=message, at=[x, z])
            )

    def quiet_places(
        self, quiet_hall: bool, zones: dict[str, tuple[float, float, float, float]]
    ) -> None:
        """Relay staff's voice-free places of the room to the other nodes."""
        self.outbox.append(
            encode_bus_control(
                self.node_id,
                "quiet",
                hall=quiet_hall,
                zones={name: list(area) for name, area in zones.items()},
            )
        )

    def announce_takeover(self, wire: int) -> None:
        """Tell the avatar's previous node that it lives here now."""
        self.outbox.append(encode_bus_control(self.node_id, "takeover", id=wire))

    def last_pose(self, wire: int) -> tuple[tuple[float, float, float], float] | None:
        """Where another node's avatar was last seen (live or buried), for a resume here."""
        st = self.state
        row = st.row_of(wire)
        if row is not None and not st.local[row]:
            x, y, z = (float(c) for c in st.pos[row])
            return (x, y, z), float(st.yaw[row])
        grave = self.graveyard.get(wire)
        return (grave.position, grave.yaw) if grave is not None else None
