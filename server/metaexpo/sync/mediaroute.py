"""Who hears which chunks in one fan-out phase, and the media sections they get, vectorised.

Stage chunks go to every listener inside their live stage's audience area.
Voice chunks go to each listener for whom the speaker is

* within the voice radius of the listener's own position,
* in the listener's near set (the visible set of its cell: the client knows
  where that avatar is, so it can place the voice at its head),
* in the same voice zone (:mod:`metaexpo.sync.media`), neither voice-free,
* and among the ``cap`` nearest such speakers talking in this phase.

Pairs come from a grid search (:func:`~metaexpo.sync.interest.pairs_within`),
the cap from one sort of (listener, distance) keys, and listeners who hear
the same stage and speakers share one media section: it is built once per
distinct set, whichever cell they are in. No loop runs over avatars; loops
run over chunks and over distinct sets.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from metaexpo.protocol.frames import COUNT, MediaStream
from metaexpo.sync.interest import Grid, distance_key, pairs_within
from metaexpo.sync.media import NO_STAGE, VOICE_FREE, MediaBatch, RoomMedia
from metaexpo.sync.state import RoomState

Ints = npt.NDArray[np.int64]
_SPEAKER_BITS = 16


@dataclass(slots=True)
class MediaPlan:
    """What each of a phase's clients gets: a media section, or none (group 0)."""

    #: Per client, in the order of the phase's clients: index into ``sections`` (0: none).
    group: npt.NDArray[np.intp]
    #: Media sections (u16 count + records); entry 0 is unused.
    sections: list[bytes]
    #: Chunks in each section.
    counts: list[int]


def _member(values: Ints, sorted_set: Ints) -> npt.NDArray[np.bool_]:
    if len(sorted_set) == 0:
        return np.zeros(len(values), np.bool_)
    idx = np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)
    return sorted_set[idx] == values


def _blobs(keys: list[int], records: list[bytes]) -> dict[int, tuple[bytes, int]]:
    """Records grouped by key, in arrival order: key → (joined bytes, count)."""
    parts: defaultdict[int, list[bytes]] = defaultdict(list)
    for key, record in zip(keys, records, strict=True):
        parts[key].append(record)
    return {key: (b"".join(p), len(p)) for key, p in parts.items()}


def _stage_listeners(
    media: RoomMedia, stages: dict[int, tuple[bytes, int]], xz: npt.NDArray[np.float32]
) -> Ints:
    """Per listener, the live stage whose audience it is in (NO_STAGE: none)."""
    out = np.full(len(xz), NO_STAGE, np.int64)
    for number in sorted(stages):
        info = media.stages.get(number)
        if info is None or not info.live:
            continue
        x0, x1, z0, z1 = info.area
        inside = (xz[:, 0] >= x0) & (xz[:, 0] < x1) & (xz[:, 1] >= z0) & (xz[:, 1] < z1)
        out[inside & (out == NO_STAGE)] = number
    return out


def route_media(
    batch: MediaBatch,
    state: RoomState,
    grid: Grid,
    clients: npt.NDArray[np.intp],
    client_cells: Ints,
    seen_pairs: Ints,
    media: RoomMedia,
    radius: float,
    cap: int,
    owed_from: Ints | None = None,
) -> MediaPlan:
    """Route ``batch`` to ``clients`` (rows, with their cells); see the module docstring.

    ``seen_pairs`` are the phase's sorted ``cell << 24 | avatar id`` visible-set keys.
    ``owed_from`` is, per client, the log position from which it is owed chunks (a client
    that walked in from another phase's cell is owed some this phase already routed, or
    has had some it routes now); None: every client is owed the whole batch. Clients owed
    from the same position share sections; there is one routing per such position.
    """
    starts = np.unique(owed_from) if owed_from is not None else None
    if starts is None or len(starts) <= 1:
        start = int(starts[0]) if starts is not None and len(starts) else None
        part = batch if start is None else batch.since(start)
        return _route(part, state, grid, clients, client_cells, seen_pairs, media, radius, cap)
    assert owed_from is not None
    plan = MediaPlan(np.zeros(len(clients), np.intp), [b""], [0])
    for start in starts.tolist():
        mine = np.flatnonzero(owed_from == start)
        routed = _route(
            batch.since(start),
            state,
            grid,
            clients[mine],
            client_cells[mine],
            seen_pairs,
            media,
            radius,
            cap,
        )
        offset = len(plan.sections) - 1
        plan.group[mine] = np.where(routed.group > 0, routed.group + offset, 0)
        plan.sections.extend(routed.sections[1:])
        plan.counts.extend(routed.counts[1:])
    return plan


def _route(
    batch: MediaBatch,
    state: RoomState,
    grid: Grid,
    clients: npt.NDArray[np.intp],
    client_cells: Ints,
    seen_pairs: Ints,
    media: RoomMedia,
    radius: float,
    cap: int,
) -> MediaPlan:
    """Route ``batch`` to ``clients``, every one of them owed all of it."""
    n = len(clients)
    plan = MediaPlan(np.zeros(n, np.intp), [b""], [0])
    if n == 0 or len(batch) == 0:
        return plan
    xz = state.pos[clients][:, [0, 2]]
    is_stage = batch.stream == MediaStream.STAGE
    stage_idx = np.flatnonzero(is_stage)
    stage_blobs = _blobs(batch.stage[stage_idx].tolist(), [batch.records[i] for i in stage_idx])
    stage_of = _stage_listeners(media, stage_blobs, xz)

    # Voice: speakers still in the room, by row.
    voice_idx = np.flatnonzero(~is_stage)
    wires = batch.speaker[voice_idx]
    rows = state.row_of_wire[wires & 0xFFFF].astype(np.int64)
    ok = rows >= 0
    ok[ok] = state.active[rows[ok]] & (state.gen[rows[ok]] == (wires[ok] >> 16))
    voice_idx, rows, wires = voice_idx[ok], rows[ok], wires[ok]
    speakers, which = np.unique(rows, return_inverse=True)
    voice_blobs = _blobs(which.tolist(), [batch.records[i] for i in voice_idx])
    li = si = np.zeros(0, np.int64)
    if len(speakers):
        assert len(speakers) < (1 << _SPEAKER_BITS), "too many speakers for the rank key"
        speaker_wire = np.zeros(len(speakers), np.int64)
        speaker_wire[which] = wires
        sxz = state.pos[speakers][:, [0, 2]]
        zs = media.zones.labels(sxz)
        zl = media.zones.labels(xz)
        li, si, d2 = pairs_within(grid, xz, sxz, radius)
        keep = (clients[li] != speakers[si]) & (zl[li] == zs[si]) & (zl[li] != VOICE_FREE)
        keep &= _member((client_cells[li] << 24) | speaker_wire[si], seen_pairs)
        li, si, d2 = li[keep], si[keep], d2[keep]
        # The cap: rank each listener's speakers by distance (ties by speaker), keep `cap`.
        key = (li << 40) | (distance_key(d2, radius) << _SPEAKER_BITS) | si
        key.sort()
        li = key >> 40
        first = np.searchsorted(li, li, "left")
        kept = np.arange(len(key)) - first < cap
        li, si = li[kept], key[kept] & ((1 << _SPEAKER_BITS) - 1)

    # One signature per listener with media: its stage, then its speakers in ascending order.
    hears = (stage_of != NO_STAGE) | (np.bincount(li, minlength=n) > 0)
    listeners = np.flatnonzero(hears)
    if len(listeners) == 0:
        return plan
    local = np.full(n, -1, np.int64)
    local[listeners] = np.arange(len(listeners))
    sig = np.full((len(listeners), cap + 1), -1, np.int64)
    sig[:, 0] = stage_of[listeners]
    if len(li):
        by_speaker = np.sort((li << _SPEAKER_BITS) | si)
        li2 = by_speaker >> _SPEAKER_BITS
        rank = np.arange(len(by_speaker)) - np.searchsorted(li2, li2, "left")
        sig[local[li2], 1 + rank] = by_speaker & ((1 << _SPEAKER_BITS) - 1)
    # Distinct signatures (np.unique(axis=0) sorts void records: a lexsort is ~10x faster).
    order = np.lexsort(sig.T[::-1])
    ordered = sig[order]
    first_of_set = np.ones(len(ordered), np.bool_)
    first_of_set[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
    inverse = np.empty(len(ordered), np.int64)
    inverse[order] = np.cumsum(first_of_set)
    plan.group[listeners] = inverse
    for row in ordered[first_of_set].tolist():
        parts, count = [], 0
        stage, *heard = row
        if stage != NO_STAGE:
            blob, k = stage_blobs[stage]
            parts.append(blob)
            count += k
        for s in heard:
            if s >= 0:
                blob, k = voice_blobs[s]
                parts.append(blob)
                count += k
        plan.sections.append(COUNT.pack(count) + b"".join(parts))
        plan.counts.append(count)
    return plan
