"""Media in the tick: who hears stage audio and voices, refusals, sharing, backpressure."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from metaexpo.bus.local import LocalBus
from metaexpo.config import Settings
from metaexpo.gateway.tuning import sync_config
from metaexpo.protocol.frames import (
    MediaStream,
    MsgType,
    ServerFrame,
    encode_audio_frame,
)
from metaexpo.sync.room import Room, RoomSpec
from metaexpo.sync.state import Bounds
from metaexpo.sync.tick import run_tick
from tests.sync.links import RecordingLink

BOOTH = (40.0, 52.0, 40.0, 55.0)
SPEC = RoomSpec(
    "main",
    Bounds((-128.0, 0.0, -128.0), (128.0, 16.0, 128.0)),
    (0.0, 1.6, 0.0),
    voice_zones=(BOOTH,),
)
STAGE_AREA = (-100.0, -60.0, 60.0, 100.0)
VOICE, STAGE = MediaStream.VOICE, MediaStream.STAGE


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Recorder:
    def __init__(self) -> None:
        self.chunks: list[tuple[int, int, bytes, float]] = []
        self.speakers: list[int] = []

    def stage_chunk(
        self, stage: int, speaker: int, seq: int, opus: bytes, received_at: float
    ) -> None:
        self.chunks.append((stage, seq, opus, received_at))
        self.speakers.append(speaker)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_room(clock: FakeClock, **overrides: object) -> Room:
    defaults = {"tick_hz": 20.0, "fanout_phases": 1, "keyframe_interval_s": 100.0}
    settings = Settings(**{**defaults, **overrides})  # type: ignore[arg-type]
    return Room(SPEC, sync_config(settings), LocalBus(), clock=clock)


def step(room: Room, clock: FakeClock, n: int = 1) -> None:
    for _ in range(n):
        clock.now += room.config.step_period
        run_tick(room, clock.now)


def place(
    room: Room, clock: FakeClock, *spots: tuple[float, float]
) -> list[tuple[int, RecordingLink]]:
    """Join one visitor per (x, z) spot and stand them there; frames so far are dropped."""
    people = []
    for i, (x, z) in enumerate(spots):
        link = RecordingLink()
        joined = room.join(link, f"v{i}", "celadon", "desktop")
        room.teleport(joined.row, (x, 1.6, z), None)
        people.append((joined.row, link))
    step(room, clock)
    for _, link in people:
        link.take()
    return people


_seq = itertools.count(1)


def talk(room: Room, clock: FakeClock, row: int, stream: int = VOICE, size: int = 60) -> bytes:
    """Send one chunk whose bytes name the speaker and a sequence number; returns them."""
    seq = next(_seq)
    opus = (row.to_bytes(2, "little") + seq.to_bytes(4, "little")).ljust(size, b"\x5a")
    room.submit_audio(row, encode_audio_frame(MediaStream(stream), [(seq, opus)]), clock.now)
    return opus


def media_of(link: RecordingLink) -> list[ServerFrame]:
    return [f for f in link.take() if f.kind is not MsgType.CROWD and f.media]


def heard(link: RecordingLink) -> set[bytes]:
    return {m.data for f in media_of(link) for m in f.media}


def errors(link: RecordingLink) -> list[str]:
    return [str(m["code"]) for m in link.text if m.get("type") == "error"]


# --- stage --------------------------------------------------------------------------------


def test_stage_audio_reaches_everyone_in_the_live_stage_area_in_the_same_bytes(
    clock: FakeClock,
) -> None:
    room = make_room(clock)
    (speaker, _s_link), (_a, a_link), (_b, b_link), (_out, out_link) = place(
        room, clock, (-80.0, 95.0), (-90.0, 70.0), (-65.0, 62.0), (-50.0, 80.0)
    )
    room.set_stage(0, STAGE_AREA, (-80.0, 3.0, 98.0), live=True)
    room.allow_stage_audio(room.state.wire_id(speaker), 0)
    opus = talk(room, clock, speaker, STAGE)
    step(room, clock)
    fa, fb = media_of(a_link), media_of(b_link)
    assert [m.data for f in fa for m in f.media] == [opus]
    (record,) = fa[0].media
    assert (record.id, record.stream) == (room.state.wire_id(speaker), STAGE)
    # Both listeners are far apart (different cells), yet the media bytes are identical.
    assert fa[0].media == fb[0].media
    assert media_of(out_link) == []
    assert room.stats.media_chunks_out >= 2


def test_stage_audio_from_someone_not_on_stage_is_refused_and_counted(clock: FakeClock) -> None:
    room = make_room(clock)
    (speaker, s_link), (_a, a_link) = place(room, clock, (-80.0, 95.0), (-90.0, 70.0))
    room.set_stage(0, STAGE_AREA, (-80.0, 3.0, 98.0), live=True)
    talk(room, clock, speaker, STAGE)
    step(room, clock)
    assert media_of(a_link) == []
    assert errors(s_link) == ["not_on_stage"]
    assert room.stats.dropped["not_on_stage"] == 1
    assert room.clients.invalid[speaker] == 0  # not abuse: an open microphone


def test_stage_audio_stops_when_the_session_ends_or_the_speaker_leaves_the_stage(
    clock: FakeClock,
) -> None:
    room = make_room(clock)
    (speaker, s_link), (_a, a_link) = place(room, clock, (-80.0, 95.0), (-90.0, 70.0))
    wire = room.state.wire_id(speaker)
    room.set_stage(0, STAGE_AREA, (-80.0, 3.0, 98.0), live=True)
    room.allow_stage_audio(wire, 0)
    talk(room, clock, speaker, STAGE)
    step(room, clock)
    assert len(heard(a_link)) == 1
    room.set_stage(0, STAGE_AREA, (-80.0, 3.0, 98.0), live=False)
    clock.now += 1.1  # past the once-a-second limit of error messages
    talk(room, clock, speaker, STAGE)
    step(room, clock)
    room.set_stage(0, STAGE_AREA, (-80.0, 3.0, 98.0), live=True)
    room.allow_stage_audio(wire, None)
    clock.now += 1.1
    talk(room, clock, speaker, STAGE)
    step(room, clock)
    assert heard(a_link) == set()
    assert errors(s_link) == ["not_on_stage", "not_on_stage"]


def test_every_stage_chunk_of_a_live_stage_goes_to_the_recorder_and_voice_never(
    clock: FakeClock,
) -> None:
    room = make_room(clock)
    recorder = Recorder()
    room.set_stage_recorder(recorder)
    (speaker, _), (other, _) = place(room, clock, (-80.0, 95.0), (10.0, 10.0))
    room.set_stage(3, STAGE_AREA, (-80.0, 3.0, 98.0), live=True)
    room.allow_stage_audio(room.state.wire_id(speaker), 3)
    sent = [talk(room, clock, speaker, STAGE) for _ in range(3)]
    talk(room, clock, other, VOICE)
    step(room, clock)
    assert [(s, o) for s, _, o, _ in recorder.chunks] == [(3, o) for o in sent]
    assert recorder.speakers == [room.state.wire_id(speaker)] * 3
    seqs = [seq for _, seq, _, _ in recorder.chunks]
    assert seqs == sorted(seqs) and len(set(seqs)) == 3
    assert all(t == clock.now - room.config.step_period for *_, t in recorder.chunks)


# --- voice ----------------------------------------------------------------------------------


def test_a_voice_reaches_listeners_within_the_radius_and_not_the_speaker_or_farther(
    clock: FakeClock,
) -> None:
    room = make_room(clock)
    (speaker, s_link), (_near, n_link), (_edge, e_link), (_far, f_link) = place(
        room, clock, (0.0, 0.0), (5.0, 0.0), (0.0, 11.5), (0.0, 13.0)
    )
    opus = talk(room, clock, speaker)
    step(room, clock)
    assert heard(n_link) == {opus}
    assert heard(e_link) == {opus}
    assert heard(f_link) == set()
    assert heard(s_link) == set()


def test_each_listener_hears_only_its_nearest_speakers_up_to_the_cap(clock: FakeClock) -> None:
    room = make_room(clock, voice_cap=3)
    spots = [(0.0, 0.0)] + [(2.0 + i, 0.0) for i in range(6)]
    people = place(room, clock, *spots)
    (_, listener), speakers = people[0], [row for row, _ in people[1:]]
    sent = {row: talk(room, clock, row) for row in speakers}
    step(room, clock)
    assert heard(listener) == {sent[row] for row in speakers[:3]}


def test_listeners_who_hear_the_same_speakers_share_the_media_bytes(clock: FakeClock) -> None:
    room = make_room(clock)
    (speaker, _), (_a, a_link), (_b, b_link), (_c, c_link) = place(
        room, clock, (1.0, 1.0), (3.0, 1.0), (1.0, 3.0), (30.0, 30.0)
    )
    talk(room, clock, speaker)
    step(room, clock)
    (fa,), (fb,) = a_link.binary, b_link.binary
    assert fa is fb  # one frame object for both: encoded once
    assert c_link.binary == []


def test_a_delta_carries_media_when_nothing_moved(clock: FakeClock) -> None:
    room = make_room(clock)
    (speaker, _), (_listener, link) = place(room, clock, (0.0, 0.0), (2.0, 0.0))
    step(room, clock)
    assert link.take() == []  # nothing moved: no frame at all
    opus = talk(room, clock, speaker)
    step(room, clock)
    (frame,) = link.take()
    assert frame.kind is MsgType.DELTA and frame.record_count == 0 and len(frame.gone) == 0
    assert [m.data for m in frame.media] == [opus]


def test_a_speaker_outside_the_listeners_near_set_is_not_heard(clock: FakeClock) -> None:
    room = make_room(clock, visible_cap=2)
    # The listener's cell sees only the 2 avatars nearest its centre (8, 8): the speaker is
    # within the voice radius of the listener but not among them.
    (_listener, link), _, _, (speaker, _) = place(
        room, clock, (8.0, 8.0), (8.5, 8.0), (8.0, 8.5), (8.0, -3.0)
    )
    talk(room, clock, speaker)
    step(room, clock)
    assert heard(link) == set()


def test_a_booth_voice_zone_keeps_its_talk_in_and_the_aisle_out(clock: FakeClock) -> None:
    room = make_room(clock)
    (inside, in_link), (_inside2, in2_link), (aisle, aisle_link) = place(
        room, clock, (45.0, 45.0), (48.0, 45.0), (38.0, 45.0)
    )
    private = talk(room, clock, inside)
    public = talk(room, clock, aisle)
    step(room, clock)
    assert heard(in2_link) == {private}
    assert heard(aisle_link) == set()
    assert heard(in_link) == set()
    assert public not in heard(in2_link)


def test_voice_is_refused_in_a_live_forum_hall_and_quiet_zones_and_a_quiet_hall(
    clock: FakeClock,
) -> None:
    room = make_room(clock)
    (in_hall, h_link), (_near, n_link), (plaza, p_link), (near2, _) = place(
        room, clock, (-80.0, 90.0), (-82.0, 90.0), (0.0, 0.0), (2.0, 0.0)
    )
    room.set_stage(0, STAGE_AREA, (-80.0, 3.0, 98.0), live=True)
    talk(room, clock, in_hall)
    room.set_voice_free_zone("plaza", (-5.0, 5.0, -5.0, 5.0))
    talk(room, clock, plaza)
    step(room, clock)
    assert errors(h_link) == ["voice_off_here"] and errors(p_link) == ["voice_off_here"]
    assert heard(n_link) == set()
    room.set_voice_free_zone("plaza", None)
    clock.now += 1.1
    opus = talk(room, clock, plaza)
    step(room, clock)
    assert opus in heard(room_link(room, near2))
    room.set_voice_free_hall(True)
    clock.now += 1.1
    talk(room, clock, plaza)
    step(room, clock)
    assert errors(p_link)[-1] == "voice_off_here"
    assert room.stats.dropped["voice_off_here"] == 3


def room_link(room: Room, row: int) -> RecordingLink:
    link = room.clients.links[row]
    assert isinstance(link, RecordingLink)
    return link


def test_a_muted_visitor_is_refused_and_never_disconnected_for_it(clock: FakeClock) -> None:
    room = make_room(clock, invalid_frame_limit=10)
    (speaker, s_link), (_listener, l_link) = place(room, clock, (0.0, 0.0), (2.0, 0.0))
    room.set_voice_muted(speaker, True)
    for _ in range(50):
        clock.now += 0.02
        talk(room, clock, speaker)
    step(room, clock)
    assert heard(l_link) == set()
    assert s_link.closed is None
    assert room.stats.dropped["voice_muted"] == 50
    assert errors(s_link) == ["voice_muted"]  # answered once a second, not 50 times
    room.set_voice_muted(speaker, False)
    opus = talk(room, clock, speaker)
    step(room, clock)
    assert heard(l_link) == {opus}


def test_a_mute_ends_with_the_avatar_and_does_not_pass_to_the_next_in_its_row(
    clock: FakeClock,
) -> None:
    room = make_room(clock, resume_window_s=0.0)
    (speaker, s_link), _ = place(room, clock, (0.0, 0.0), (2.0, 0.0))
    room.set_voice_muted(speaker, True)
    room.disconnect(speaker, s_link, clean=True, reason="closed")
    newcomer = room.join(RecordingLink(), "new", "celadon", "desktop")
    assert newcomer.row == speaker
    assert not room.clients.voice_muted[newcomer.row]


def test_too_much_media_is_refused_and_a_flood_is_closed(clock: FakeClock) -> None:
    room = make_room(clock, media_chunks_per_s=50.0, invalid_frame_limit=20)
    (speaker, s_link), (_listener, _l_link) = place(room, clock, (0.0, 0.0), (2.0, 0.0))
    for _ in range(10):  # 50 chunks at once: one second's allowance
        room.submit_audio(
            speaker, encode_audio_frame(VOICE, [(i, b"x" * 60) for i in range(5)]), clock.now
        )
    assert errors(s_link) == []
    room.submit_audio(speaker, encode_audio_frame(VOICE, [(0, b"x" * 60)]), clock.now)
    assert errors(s_link) == ["media_rate_limited"]
    for _ in range(30):
        room.submit_audio(speaker, encode_audio_frame(VOICE, [(0, b"x" * 60)]), clock.now)
    assert s_link.closed is not None and s_link.closed[0] == 4029
    assert room.stats.dropped["media_rate_limited"] == 31  # all counted, closed after 21


def test_the_byte_rate_is_limited_too(clock: FakeClock) -> None:
    room = make_room(clock, media_bytes_per_s=1000.0)
    (speaker, s_link), _ = place(room, clock, (0.0, 0.0), (2.0, 0.0))
    room.submit_audio(speaker, encode_audio_frame(VOICE, [(0, b"x" * 400)] * 2), clock.now)
    room.submit_audio(speaker, encode_audio_frame(VOICE, [(2, b"x" * 400)]), clock.now)
    assert errors(s_link) == ["media_rate_limited"]
    clock.now += 0.5  # half a second later: 500 bytes more allowed
    room.submit_audio(speaker, encode_audio_frame(VOICE, [(3, b"x" * 400)]), clock.now)
    assert errors(s_link) == ["media_rate_limited"]
    assert room.stats.media_chunks_in == 3


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        (b"\x02\x03\x01\x00", "bad_count"),
        (b"\x02\x03\x03\x01\x00\x00\x01\x00x", "bad_stream"),
        (b"\x02\x03\x01\x01\x00\x00\x91\x01" + b"x" * 401, "chunk_too_large"),
        (b"\x02\x03\x01\x01\x00\x00\x05\x00xxxx", "truncated"),
        (b"\x02\x03\x01\x01\x00\x00\x01\x00xx", "bad_length"),
    ],
)
def test_malformed_audio_frames_are_refused_counted_and_count_as_invalid(
    clock: FakeClock, frame: bytes, code: str
) -> None:
    room = make_room(clock)
    (speaker, s_link), (_listener, l_link) = place(room, clock, (0.0, 0.0), (2.0, 0.0))
    room.submit_audio(speaker, frame, clock.now)
    step(room, clock)
    assert errors(s_link) == [code]
    assert room.stats.dropped[code] == 1
    assert room.clients.invalid[speaker] == 1
    assert heard(l_link) == set()


# --- backpressure and phases ----------------------------------------------------------------


def test_a_congested_listener_skips_media_and_the_others_still_get_it(clock: FakeClock) -> None:
    room = make_room(clock)
    (speaker, _), (slow, slow_link), (_ok, ok_link) = place(
        room, clock, (0.0, 0.0), (2.0, 0.0), (0.0, 2.0)
    )
    room.set_congested(slow, True)
    first = talk(room, clock, speaker)
    step(room, clock)
    assert heard(slow_link) == set()
    assert heard(ok_link) == {first}
    room.set_congested(slow, False)
    second = talk(room, clock, speaker)
    step(room, clock)
    assert heard(slow_link) == {second}  # no catching up on what it missed


def test_with_two_fanout_phases_every_listener_gets_every_chunk_once(clock: FakeClock) -> None:
    room = make_room(clock, fanout_phases=2)
    # Listeners in cells of both phases (cells are 16 m): the cell key's parity differs.
    people = place(room, clock, (7.0, 7.0), (9.0, 7.0), (7.0, 17.0), (10.0, 17.0))
    (speaker, _), listeners = people[0], people[1:]
    sent = []
    for _ in range(4):
        sent.append(talk(room, clock, speaker))
        step(room, clock)
    step(room, clock, 2)
    for _, link in listeners:
        got = [m.data for f in media_of(link) for m in f.media]
        assert sorted(got) == sorted(sent)
    # The log keeps each phase's previous turn too (for listeners who change phase), then
    # forgets: nothing lingers.
    step(room, clock, 2)
    assert len(room.media.log) == 0


@pytest.mark.parametrize("stay", [1, 2, 3])
def test_a_listener_walking_between_cells_of_the_two_phases_misses_no_chunk(
    clock: FakeClock, stay: int
) -> None:
    # Each phase serves its own cells; a listener that steps into a cell of the other phase
    # between its turns must get the chunks that phase already routed to others, once.
    room = make_room(clock, fanout_phases=2, teleport_min_interval_s=0.0)
    (speaker, _), (walker, link), (_still, still_link) = place(
        room, clock, (7.0, 7.0), (9.0, 7.0), (9.0, 9.0)
    )
    spots = [(9.0, 7.0), (10.0, 17.0)]  # cells of different phases (as in the test above)
    sent = []
    for k in range(24):
        if k % stay == 0:
            x, z = spots[(k // stay) % 2]
            room.teleport(walker, (x, 1.6, z), None)
        sent.append(talk(room, clock, speaker))
        step(room, clock)
    step(room, clock, 3)
    got = [m.data for f in media_of(link) for m in f.media]
    assert sorted(got) == sorted(sent), f"missed {len(set(sent) - set(got))}, {len(got)} got"
    assert sorted(m.data for f in media_of(still_link) for m in f.media) == sorted(sent)


# --- the routing against a brute-force reference --------------------------------------------


def reference(room: Room, speakers: list[int], listeners: list[int]) -> dict[int, set[int]]:
    """Who should hear whom, from the rules written out one pair at a time."""
    st, s = room.state, room.config
    zones = room.media.zones
    out: dict[int, set[int]] = {}
    seen = visible_rows(room)
    for li in listeners:
        lx, lz = float(st.pos[li, 0]), float(st.pos[li, 2])
        (lzone,) = zones.labels(np.array([[lx, lz]], np.float32)).tolist()
        near = []
        for sp in speakers:
            sx, sz = float(st.pos[sp, 0]), float(st.pos[sp, 2])
            (szone,) = zones.labels(np.array([[sx, sz]], np.float32)).tolist()
            d = math.dist((lx, lz), (sx, sz))
            if sp != li and d <= s.voice_radius and lzone == szone != -1 and sp in seen[li]:
                near.append((np.float32(d * d), sp))
        out[li] = {sp for _, sp in sorted(near)[: s.voice_cap]}
    return out


def visible_rows(room: Room) -> dict[int, set[int]]:
    from metaexpo.sync.interest import visible_sets  # noqa: PLC0415

    st, s = room.state, room.config
    active = st.active_rows().astype(np.int64)
    rows = np.flatnonzero(room.clients.live)
    cells = room.grid.cell_of(st.pos[rows][:, [0, 2]])
    uniq = np.unique(cells)
    vis = visible_sets(
        room.grid, st.pos[active][:, [0, 2]], active, uniq, s.interest_radius, s.visible_cap
    )
    by_cell = {int(c): set(vis.of(i).tolist()) for i, c in enumerate(uniq.tolist())}
    return {int(r): by_cell[int(c)] for r, c in zip(rows.tolist(), cells.tolist(), strict=True)}


@pytest.mark.parametrize("seed", range(4))
def test_vectorised_voice_routing_matches_the_rules_pair_by_pair(
    clock: FakeClock, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    room = make_room(clock, voice_cap=4, visible_cap=24)
    spots = [(float(x), float(z)) for x, z in rng.uniform(30, 60, size=(60, 2))]
    people = place(room, clock, *spots)
    speakers = [row for row, _ in people[: len(people) // 3]]
    chunk = {row: talk(room, clock, row) for row in speakers}
    expected = reference(room, speakers, [row for row, _ in people])
    step(room, clock)
    by_bytes = {v: k for k, v in chunk.items()}
    hearing = 0
    for row, link in people:
        got = {by_bytes[b] for b in heard(link)}
        assert got == expected[row], f"listener {row}"
        hearing += len(got)
    assert hearing > 20  # the scene is dense enough to exercise radius, cap and zones
