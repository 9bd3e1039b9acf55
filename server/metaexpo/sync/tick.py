"""The tick: one function that moves a room forward by one step.

Order matters and is fixed:

1. drain inputs   — take the coalesced latest pose of each client (latest wins)
2. apply          — validate them all at once; write the accepted ones
3. housekeeping   — expire unresumed avatars, drop clients too slow to read
4. interest       — group this phase's clients by grid cell; each cell's visible set
5. encode         — each cell's delta / keyframe / crowd frame, once; media chunks routed
                    to their listeners, one media section per distinct set of speakers
6. fan-out        — hand every client its cell's bytes (with its media section, if any);
                    never wait for anyone
7. publish        — this node's changes to the bus (only if a peer listens)
8. reset          — clear per-tick flags, remember what each cell saw

The loop runs ``fanout_phases`` ticks per frame period, and each tick serves
the clients of one phase's cells (cell key modulo ``fanout_phases``): every client
still gets ``tick_hz`` frames a second, but one tick's fan-out — the time the
last client of a tick waits for its bytes — is a fraction of it.

Socket handlers never touch the world in between; they only queue.
"""

from __future__ import annotations

import logging

import numpy as np
import numpy.typing as npt

from metaexpo.protocol import control
from metaexpo.protocol.codes import CloseCode
from metaexpo.protocol.frames import MsgType, encode_pose_frame, with_media
from metaexpo.sync.clients import INVALID_WINDOW_S
from metaexpo.sync.encode import CellFrames, build_cell_frames, gone_records, wire_ids
from metaexpo.sync.interest import visible_sets
from metaexpo.sync.mediaroute import MediaPlan, route_media
from metaexpo.sync.room import Room

log = logging.getLogger(__name__)
#: Spread periodic keyframes and crowd frames of different cells over different ticks.
_KEYFRAME_PHASE = 7
_CROWD_PHASE = 13
#: How often a node publishes its whole picture (heartbeat and resync for other nodes).
FULL_STATE_INTERVAL_S = 0.5
_NO_ROWS = np.zeros(0, np.intp)


def run_tick(room: Room, now: float) -> None:
    """Advance ``room`` by one tick at time ``now`` (see the module docstring for the order)."""
    st, cl, s = room.state, room.clients, room.config
    memory = room.tick_memory
    phases = s.fanout_phases
    room.tick_count += 1
    tick = room.tick_count
    phase = tick % phases
    time_ms = room.time_ms(now)

    # 1–2. Drain and apply the coalesced inputs (some may have been applied between ticks).
    room.apply_pending(now)
    chat_in = room.federation.merge(now)
    # Every phase's clients have yet to get what changed since their last frame.
    st.unsent[:, :phases] |= st.changed[:, None]

    # 3. Housekeeping.
    room.expire_away(now)
    _drop_slow_clients(room, now)
    if tick % s.steps(INVALID_WINDOW_S) == 0:
        cl.invalid[:] = 0

    # 4–6. This phase's clients: interest, encode once per cell, fan-out.
    live = np.flatnonzero(cl.live)
    live_cells = room.grid.cell_of(st.pos[live][:, [0, 2]])
    # Every client's cell is watched on every step, served or not: one that steps into
    # another phase's cell and back between its turns has missed a frame (and the gone
    # ids in it), so it is owed a keyframe like any client that changed cells.
    cl.needs_keyframe[live[live_cells != cl.cell[live]]] = True
    cl.cell[live] = live_cells
    mine = live_cells % phases == phase
    clients, client_cells = live[mine], live_cells[mine]
    prev = memory.prev_pairs[phase]
    # Media chunks since this phase's last turn (taken even when nobody listens, so none
    # linger), and further back for a client that walked in from another phase's cell.
    log = room.media.log
    owed = cl.media_from[clients]
    owed[owed < 0] = log.cursor[phase]
    chunks = log.take(phase, int(owed.min()) if len(owed) else None)
    cl.media_from[clients] = log.cursor[phase]
    if len(clients):
        cells, inverse = np.unique(client_cells, return_inverse=True)
        active = st.active_rows().astype(np.int64)
        vis = visible_sets(
            room.grid, st.pos[active][:, [0, 2]], active, cells, s.interest_radius, s.visible_cap
        )
        pairs = (vis.cells[vis.query] << 24) | wire_ids(st, vis.rows)
        current = np.sort(pairs)
        entrant = ~_member(pairs, prev)
        gone = prev[~_member(prev, current)]
        gone = gone[_member(gone >> 24, cells)]
        frame = memory.phase_frames[phase]
        memory.phase_frames[phase] += 1
        # One phase's cells share a residue, so their stagger counts in cells // phases.
        stagger = cells // phases
        periodic_kf = (frame + stagger * _KEYFRAME_PHASE) % s.ticks(s.keyframe_interval_s) == 0
        want_kf = periodic_kf | (np.bincount(inverse, cl.needs_keyframe[clients], len(cells)) > 0)
        want_crowd = (frame + stagger * _CROWD_PHASE) % s.ticks(s.crowd_interval_s) == 0
        want_crowd |= np.bincount(inverse, cl.needs_crowd[clients], len(cells)) > 0
        frames = build_cell_frames(
            st,
            st.unsent[:, phase],
            vis,
            entrant,
            gone_records(st, gone, vis),
            want_kf,
            want_crowd,
            tick,
            time_ms,
            s.crowd_max_points,
        )
        plan = None
        if len(chunks):
            plan = route_media(
                chunks,
                st,
                room.grid,
                clients,
                client_cells,
                current,
                room.media,
                s.voice_radius,
                s.voice_cap,
                owed,
            )
        _fan_out(room, clients, inverse, frames, periodic_kf, plan, tick, time_ms)
        memory.prev_pairs[phase] = current
    else:
        memory.prev_pairs[phase] = prev[:0]
    st.unsent[:, phase] = False
    st.jumps[:, phase] = False

    # 7. Publish this node's changes (a no-op on a single node).
    if room.bus.has_peers:
        full = tick % s.steps(FULL_STATE_INTERVAL_S) == 0
        room.federation.publish(tick, time_ms, full)
    room.federation.drop_unpublished()

    # Chat lines of this tick (local and from other nodes) go out as one message, encoded once.
    room.chat_queue.extend(chat_in)
    room.recent_chat.extend(room.chat_queue)
    if room.chat_queue:
        chat = control.dumps({"type": "chat", "messages": room.chat_queue})
        room.chat_queue = []
        for row in live.tolist():
            link = cl.links[row]
            if link is not None:
                link.send_text(chat)

    # 8. Reset and account: a pose counts as sent once every phase has served it.
    end = room.clock()
    if len(chunks) and len(clients):
        room.stats.media_added_seconds.observe_many(end - chunks.fresh_received)
    memory.applied_unsent.append(np.concatenate(room.applied) if room.applied else _NO_ROWS)
    room.applied = []
    if len(memory.applied_unsent) >= phases:
        done = memory.applied_unsent.popleft()
        room.stats.server_added_seconds.observe_many(end - cl.received_at[done])
    st.changed[:] = False
    room.stats.ticks += 1


def _member(
    values: npt.NDArray[np.int64], sorted_set: npt.NDArray[np.int64]
) -> npt.NDArray[np.bool_]:
    """``np.isin`` for a set that is already sorted: a binary search, no hashing."""
    if len(sorted_set) == 0:
        return np.zeros(len(values), np.bool_)
    idx = np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)
    return sorted_set[idx] == values


def _fan_out(
    room: Room,
    clients: npt.NDArray[np.intp],
    inverse: npt.NDArray[np.intp],
    frames: CellFrames,
    periodic_kf: npt.NDArray[np.bool_],
    media: MediaPlan | None,
    tick: int,
    time_ms: int,
) -> None:
    """Send each client its cell's frames, skipping (not waiting for) congested ones.

    Most cells take the fast path: no keyframe due, nobody congested and no
    media, so each client costs one call with the shared delta bytes. A
    client with media gets its cell's frame with its media section appended
    (built once per cell and section), or a DELTA without records if nothing
    moved near it.
    """
    cl, stats = room.clients, room.stats
    n_cells = len(frames.delta)
    order = np.argsort(inverse, kind="stable")
    grouped = clients[order]
    bounds = np.searchsorted(inverse[order], np.arange(n_cells + 1)).tolist()
    congested_g = cl.congested[grouped]
    needs_kf_g = cl.needs_keyframe[grouped]
    cell_of_g = inverse[order]
    slow = (np.bincount(cell_of_g, congested_g | needs_kf_g, n_cells) > 0) | periodic_kf
    media_of: list[int] = []
    sections: list[bytes] = []
    counts: list[int] = []
    # Cells whose only reason to leave the fast path is media: a lighter loop serves them.
    media_only = [False] * n_cells
    if media is not None:
        media_g = media.group[order]
        heard = np.bincount(cell_of_g, media_g > 0, n_cells) > 0
        media_only = (heard & ~slow).tolist()
        slow |= heard
        media_of, sections, counts = media_g.tolist(), media.sections, media.counts
    slow_path = slow.tolist()
    rows = grouped.tolist()
    send = cl.send
    senders = [send[s] for s in rows]
    congested = congested_g.tolist()
    needs_kf = needs_kf_g.tolist()
    served_kf: list[int] = []
    skipped: list[int] = []
    failed: list[int] = []
    frames_out = bytes_out = records_out = 0
    media_frames = media_chunks = media_bytes = 0
    empty: bytes | None = None
    for q in range(n_cells):
        a, b = bounds[q], bounds[q + 1]
        delta, keyframe, crowd = frames.delta[q], frames.keyframe[q], frames.crowd[q]
        if not slow_path[q]:
            if delta is not None:
                for i in range(a, b):
                    try:
                        senders[i](delta)
                    except Exception:  # a broken transport must not stop the others
                        failed.append(rows[i])
                n = b - a
                frames_out += n
                bytes_out += n * len(delta)
                records_out += n * frames.delta_records[q]
        elif media_only[q]:
            by_group: dict[int, bytes] = {}
            n_delta = 0
            for i in range(a, b):
                g = media_of[i]
                if g:
                    out = by_group.get(g)
                    if out is None:
                        if delta is None and empty is None:
                            empty = encode_pose_frame(MsgType.DELTA, tick, time_ms, b"", b"")
                        out = with_media(delta if delta is not None else empty, sections[g])  # type: ignore[arg-type]
                        by_group[g] = out
                    media_frames += 1
                    media_chunks += counts[g]
                    media_bytes += len(sections[g])
                elif delta is None:
                    continue
                else:
                    out = delta
                try:
                    senders[i](out)
                except Exception:
                    failed.append(rows[i])
                    continue
                frames_out += 1
                bytes_out += len(out)
                n_delta += 1
            if delta is not None:
                records_out += n_delta * frames.delta_records[q]
        else:
            every = keyframe is not None and periodic_kf[q]
            with_sections: dict[tuple[bool, int], bytes] = {}
            for i in range(a, b):
                if congested[i]:
                    skipped.append(rows[i])
                    continue
                is_kf = keyframe is not None and (every or needs_kf[i])
                out = keyframe if is_kf else delta
                g = media_of[i] if media_of else 0
                if g:
                    built = with_sections.get((is_kf, g))
                    if built is None:
                        if out is None:
                            if empty is None:
                                empty = encode_pose_frame(MsgType.DELTA, tick, time_ms, b"", b"")
                            out = empty
                        built = with_media(out, sections[g])
                        with_sections[(is_kf, g)] = built
                    out = built
                if out is None:
                    continue
                try:
                    senders[i](out)
                except Exception:
                    failed.append(rows[i])
                    continue
                frames_out += 1
                bytes_out += len(out)
                if is_kf:
                    served_kf.append(rows[i])
                    records_out += frames.keyframe_records[q]
                elif delta is not None:
                    records_out += frames.delta_records[q]
                if g:
                    media_frames += 1
                    media_chunks += counts[g]
                    media_bytes += len(sections[g])
        if crowd is not None:
            n_crowd = 0
            for i in range(a, b):
                if not congested[i]:
                    try:
                        senders[i](crowd)
                        n_crowd += 1
                    except Exception:
                        failed.append(rows[i])
            frames_out += n_crowd
            bytes_out += n_crowd * len(crowd)
    cl.needs_keyframe[served_kf] = False
    crowd_cells = np.array([f is not None for f in frames.crowd], np.bool_)
    got_crowd = grouped[crowd_cells[cell_of_g] & ~congested_g]
    cl.needs_crowd[got_crowd] = False
    cl.needs_keyframe[skipped] = True  # it missed deltas: resync when it drains
    stats.frames_out += frames_out
    stats.bytes_out += bytes_out
    stats.records_out += records_out
    stats.media_frames_out += media_frames
    stats.media_chunks_out += media_chunks
    stats.media_bytes_out += media_bytes
    stats.frames_skipped_congested += len(skipped)
    for row in set(failed):
        link = cl.links[row]
        if link is not None:
            log.error("sending to row %d failed; closing it", row)
            link.close(CloseCode.INTERNAL_ERROR, "internal error while sending")


def _drop_slow_clients(room: Room, now: float) -> None:
    """Close clients whose send buffer has stayed full for too long."""
    cl = room.clients
    limit = room.config.slow_client_timeout_s
    slow = np.flatnonzero(cl.live & cl.congested & (now - cl.congested_since > limit))
    for row in slow.tolist():
        link = cl.links[row]
        if link is not None:
            room.stats.disconnects["too_slow"] += 1
            link.close(
                CloseCode.TOO_SLOW,
                f"your connection did not keep up for {limit:g} s; reconnect to resume",
            )
            # Closing takes a moment; do not close it again on the next tick.
            cl.congested_since[row] = np.inf
