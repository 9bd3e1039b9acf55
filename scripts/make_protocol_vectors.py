"""Write docs/protocol-vectors/*.json: golden bytes of the sync protocol.

Each vector pairs bytes (hex) with the values they mean. They are packed
here with :mod:`struct` straight from the layouts in docs/protocol.md — not
through the server's numpy codec — so the Python codec, the JavaScript codec
and this file are three independent readings of the spec that must agree.
Run ``python scripts/make_protocol_vectors.py`` after a deliberate format
change; a test fails if the committed files differ from what this writes.
"""

from __future__ import annotations

import json
import math
import struct
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "docs" / "protocol-vectors"
VERSION = 2
STEP = 1 / 128


def f32(x: float) -> float:
    """``x`` rounded to float32, as it travels."""
    return float(struct.unpack("<f", struct.pack("<f", x))[0])


def desktop_pose(
    pos: tuple[float, float, float], yaw: float, pitch: float, flags: int
) -> dict[str, Any]:
    raw = struct.pack("<BB3fffB", VERSION, 0x01, *pos, yaw, pitch, flags)
    return {
        "hex": raw.hex(),
        "decoded": {
            "version": VERSION,
            "type": "DESKTOP_POSE",
            "position": [f32(c) for c in pos],
            "yaw": f32(yaw),
            "pitch": f32(pitch),
            "flags": flags,
        },
    }


def vr_pose(
    head: list[float],
    hq: list[float],
    left: list[float],
    lq: list[float],
    right: list[float],
    rq: list[float],
    flags: int,
) -> dict[str, Any]:
    raw = struct.pack("<BB21fB", VERSION, 0x02, *head, *hq, *left, *lq, *right, *rq, flags)
    return {
        "hex": raw.hex(),
        "decoded": {
            "version": VERSION,
            "type": "VR_POSE",
            "head": [f32(c) for c in head],
            "head_q": [f32(c) for c in hq],
            "left": [f32(c) for c in left],
            "left_q": [f32(c) for c in lq],
            "right": [f32(c) for c in right],
            "right_q": [f32(c) for c in rq],
            "flags": flags,
        },
    }


def pack_quat(largest: int, a: int, b: int, c: int) -> int:
    return (largest << 30) | (a << 20) | (b << 10) | c


def unpack_quat(packed: int) -> list[float]:
    """Reference smallest-three decoding (docs/protocol.md, "Orientation")."""
    largest = packed >> 30
    rng = 1 / math.sqrt(2)
    rest = [((packed >> s) & 1023) / 1023 * 2 * rng - rng for s in (20, 10, 0)]
    big = math.sqrt(max(0.0, 1 - sum(r * r for r in rest)))
    out = rest[:]
    out.insert(largest, big)
    return out


def desktop_record(
    slot: int,
    gen: int,
    pos_q: tuple[int, int, int],
    yaw_q: int,
    pitch_q: int,
    flags: int,
    origin: list[float],
) -> tuple[bytes, dict[str, Any]]:
    raw = struct.pack("<HB3HBbB", slot, gen, *pos_q, yaw_q, pitch_q, flags)
    return raw, {
        "id": slot | gen << 16,
        "slot": slot,
        "gen": gen,
        "position_q": list(pos_q),
        "position": [o + q * STEP for o, q in zip(origin, pos_q, strict=True)],
        "yaw_q": yaw_q,
        "yaw": yaw_q * 2 * math.pi / 256,
        "pitch_q": pitch_q,
        "pitch": max(pitch_q, -127) * (math.pi / 2) / 127,
        "flags": flags,
    }


def vr_record(
    slot: int,
    gen: int,
    pos_q: tuple[int, int, int],
    head_q: int,
    left: tuple[int, int, int],
    left_q: int,
    right: tuple[int, int, int],
    right_q: int,
    flags: int,
    origin: list[float],
) -> tuple[bytes, dict[str, Any]]:
    raw = struct.pack(
        "<HB3HI3bI3bIB", slot, gen, *pos_q, head_q, *left, left_q, *right, right_q, flags
    )
    head = [o + q * STEP for o, q in zip(origin, pos_q, strict=True)]
    return raw, {
        "id": slot | gen << 16,
        "slot": slot,
        "gen": gen,
        "position_q": list(pos_q),
        "position": head,
        "head_q_packed": head_q,
        "head_q": unpack_quat(head_q),
        "left_offset_cm": list(left),
        "left": [h + d / 100 for h, d in zip(head, left, strict=True)],
        "left_q_packed": left_q,
        "left_q": unpack_quat(left_q),
        "right_offset_cm": list(right),
        "right": [h + d / 100 for h, d in zip(head, right, strict=True)],
        "right_q_packed": right_q,
        "right_q": unpack_quat(right_q),
        "flags": flags,
    }


STREAMS = {1: "VOICE", 2: "STAGE"}


def audio_frame(stream: int, chunks: list[tuple[int, bytes]]) -> dict[str, Any]:
    raw = struct.pack("<BBBB", VERSION, 0x03, stream, len(chunks))
    for seq, data in chunks:
        raw += struct.pack("<HH", seq, len(data)) + data
    return {
        "hex": raw.hex(),
        "decoded": {
            "version": VERSION,
            "type": "AUDIO",
            "stream": stream,
            "stream_name": STREAMS[stream],
            "chunks": [{"seq": seq, "size": len(data), "hex": data.hex()} for seq, data in chunks],
        },
    }


def media_record(
    slot: int, gen: int, stream: int, seq: int, data: bytes
) -> tuple[bytes, dict[str, Any]]:
    raw = struct.pack("<HBBHH", slot, gen, stream, seq, len(data)) + data
    return raw, {
        "id": slot | gen << 16,
        "slot": slot,
        "gen": gen,
        "stream": stream,
        "seq": seq,
        "size": len(data),
        "hex": data.hex(),
    }


def pose_frame(
    kind: int,
    tick: int,
    time_ms: int,
    desktop: list[tuple[bytes, dict[str, Any]]],
    vr: list[tuple[bytes, dict[str, Any]]],
    gone: list[tuple[int, int]],
    origin: list[float],
    media: list[tuple[bytes, dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    media = media or []
    raw = struct.pack("<BBII", VERSION, kind, tick, time_ms)
    raw += struct.pack("<H", len(desktop)) + b"".join(r for r, _ in desktop)
    raw += struct.pack("<H", len(vr)) + b"".join(r for r, _ in vr)
    raw += struct.pack("<H", len(gone)) + b"".join(struct.pack("<HB", s, g) for s, g in gone)
    raw += struct.pack("<H", len(media)) + b"".join(r for r, _ in media)
    return {
        "hex": raw.hex(),
        "origin": origin,
        "decoded": {
            "version": VERSION,
            "type": {0x10: "DELTA", 0x11: "KEYFRAME"}[kind],
            "tick": tick,
            "time_ms": time_ms,
            "desktop": [d for _, d in desktop],
            "vr": [d for _, d in vr],
            "gone": [s | g << 16 for s, g in gone],
            "media": [d for _, d in media],
        },
    }


def crowd_frame(tick: int, time_ms: int, points: list[tuple[int, int]]) -> dict[str, Any]:
    raw = struct.pack("<BBIIH", VERSION, 0x12, tick, time_ms, len(points))
    raw += b"".join(struct.pack("<BB", x, z) for x, z in points)
    return {
        "hex": raw.hex(),
        "decoded": {
            "version": VERSION,
            "type": "CROWD",
            "tick": tick,
            "time_ms": time_ms,
            "points": [list(p) for p in points],
        },
    }


def build() -> dict[str, dict[str, Any]]:
    """All vector files, by file name."""
    origin = [-128.0, 0.0, -128.0]
    up_quat = pack_quat(3, 512, 512, 512)  # ≈ identity (w largest)
    turned = pack_quat(3, 512, 873, 512)  # 60° about y: w largest, y = 0.5
    d1 = desktop_record(7, 1, (16384, 205, 16384), 0, 0, 0, origin)
    d2 = desktop_record(0xFFFF, 255, (65535, 2048, 0), 255, -127, 0x03, origin)
    d3 = desktop_record(300, 2, (18000, 204, 12000), 64, 127, 0x01, origin)
    v1 = vr_record(
        12,
        3,
        (16512, 205, 16256),
        up_quat,
        (-25, -75, -10),
        up_quat,
        (25, -75, -10),
        turned,
        0x08,
        origin,
    )
    v2 = vr_record(
        40000,
        9,
        (100, 100, 100),
        turned,
        (-127, 127, 0),
        turned,
        (127, -127, 5),
        up_quat,
        0,
        origin,
    )
    opus_a = bytes.fromhex("fc") + bytes(range(1, 40))  # a TOC byte, then opaque payload
    opus_b = bytes.fromhex("78") + b"\xa5" * 63
    opus_c = bytes.fromhex("fc0102")
    chunk_head = struct.Struct("<HH")
    client = {
        "description": "Client → server pose and AUDIO frames (floats travel as float32); "
        "'invalid' holds AUDIO frames every codec must refuse with the given code "
        "(chunks of 1–400 bytes allowed).",
        "vectors": [
            {"name": "desktop_at_origin", **desktop_pose((0.0, 1.6, 0.0), 0.0, 0.0, 0)},
            {
                "name": "desktop_moving_looking_up",
                **desktop_pose((12.5, 1.7, -40.25), 1.5707963, 0.3, 0x01),
            },
            {
                "name": "desktop_negative_coords_speaking",
                **desktop_pose((-127.5, 0.5, 127.0), 6.0, -1.2, 0x09),
            },
            {
                "name": "vr_rest_pose",
                **vr_pose(
                    [1.0, 1.6, -1.0],
                    [0, 0, 0, 1],
                    [0.75, 0.85, -1.1],
                    [0, 0, 0, 1],
                    [1.25, 0.85, -1.1],
                    [0, 0, 0, 1],
                    0,
                ),
            },
            {
                "name": "vr_turned_hands_up",
                **vr_pose(
                    [-3.0, 1.55, 2.0],
                    [0, 0.7071068, 0, 0.7071068],
                    [-3.3, 2.0, 1.8],
                    [0.5, 0.5, 0.5, 0.5],
                    [-2.7, 2.1, 1.8],
                    [0, 0, 0.3826834, 0.9238795],
                    0x01,
                ),
            },
            {"name": "audio_voice_one_chunk", **audio_frame(1, [(7, opus_a)])},
            {
                "name": "audio_stage_three_chunks_wrapping_seq",
                **audio_frame(2, [(65534, opus_b), (65535, opus_c), (0, opus_a)]),
            },
        ],
        "invalid": [
            {"name": "audio_no_chunks", "hex": "02030100", "code": "bad_count"},
            {
                "name": "audio_six_chunks",
                "hex": (
                    struct.pack("<BBBB", VERSION, 3, 1, 6)
                    + b"".join(chunk_head.pack(i, 1) + b"\x00" for i in range(6))
                ).hex(),
                "code": "bad_count",
            },
            {
                "name": "audio_unknown_stream",
                "hex": (struct.pack("<BBBBHH", VERSION, 3, 9, 1, 0, 1) + b"\x00").hex(),
                "code": "bad_stream",
            },
            {
                "name": "audio_chunk_over_400_bytes",
                "hex": (struct.pack("<BBBBHH", VERSION, 3, 1, 1, 0, 401) + bytes(401)).hex(),
                "code": "chunk_too_large",
            },
            {
                "name": "audio_empty_chunk",
                "hex": struct.pack("<BBBBHH", VERSION, 3, 1, 1, 0, 0).hex(),
                "code": "bad_length",
            },
            {
                "name": "audio_chunk_past_the_end",
                "hex": (struct.pack("<BBBBHH", VERSION, 3, 1, 1, 0, 10) + bytes(9)).hex(),
                "code": "truncated",
            },
            {
                "name": "audio_trailing_bytes",
                "hex": (struct.pack("<BBBBHH", VERSION, 3, 1, 1, 0, 2) + bytes(3)).hex(),
                "code": "bad_length",
            },
            {"name": "audio_head_cut", "hex": "020301", "code": "truncated"},
        ],
    }
    m1 = media_record(7, 1, 1, 120, opus_a)
    m2 = media_record(7, 1, 1, 121, opus_c)
    m3 = media_record(300, 2, 1, 65535, opus_b)
    m4 = media_record(12, 3, 2, 4000, opus_a)
    server = {
        "description": "Server → client frames (protocol version 2). Positions decode as "
        "origin + q / 128 m, with the origin from the welcome's bounds.min (here -128, 0, -128); "
        "DELTA and KEYFRAME end with a media section (speaker id, stream 1 voice / 2 stage, "
        "seq, opaque Opus bytes).",
        "vectors": [
            {"name": "empty_delta", **pose_frame(0x10, 1, 0, [], [], [], origin)},
            {"name": "delta_two_desktop", **pose_frame(0x10, 42, 2100, [d1, d3], [], [], origin)},
            {
                "name": "delta_mixed_with_gone",
                **pose_frame(
                    0x10, 4294967295, 123456789, [d2], [v1], [(5, 1), (65535, 255)], origin
                ),
            },
            {"name": "keyframe_vr_only", **pose_frame(0x11, 100, 5000, [], [v1, v2], [], origin)},
            {
                "name": "delta_media_only_two_speakers",
                **pose_frame(0x10, 43, 2150, [], [], [], origin, [m1, m2, m3]),
            },
            {
                "name": "delta_records_and_stage_media",
                **pose_frame(0x10, 44, 2200, [d1], [], [(5, 1)], origin, [m4]),
            },
            {
                "name": "keyframe_with_voice_media",
                **pose_frame(0x11, 200, 10000, [d3], [v1], [], origin, [m3]),
            },
            {
                "name": "crowd_three_points",
                **crowd_frame(20, 1000, [(0, 0), (128, 64), (255, 255)]),
            },
            {"name": "crowd_empty", **crowd_frame(21, 1050, [])},
        ],
    }
    quats = {
        "description": "Smallest-three quaternion packing: u32 → x, y, z, w.",
        "vectors": [
            {"name": name, "packed": p, "quaternion": unpack_quat(p)}
            for name, p in (
                ("identity", up_quat),
                ("sixty_degrees_about_y", turned),
                ("x_largest", pack_quat(0, 600, 400, 700)),
                ("z_largest", pack_quat(2, 700, 300, 600)),
            )
        ],
    }
    return {
        "client_frames.json": client,
        "server_frames.json": server,
        "quaternions.json": quats,
        "control_messages.json": control_messages(),
    }


def control_messages() -> dict[str, Any]:
    """JSON control messages whose reading both sides must share: today the emotes."""

    def client(name: str, text: str, *, emote: str | None = None, code: str | None = None) -> Any:
        return {"name": name, "direction": "client", "text": text, "emote": emote, "error": code}

    def server(name: str, text: str, decoded: dict[str, Any] | None) -> Any:
        return {"name": name, "direction": "server", "text": text, "decoded": decoded}

    return {
        "description": "Emote messages. Client ones: what the server accepts (emote) or "
        "refuses (error code). Server ones: what a client reads (decoded), null if it must "
        "ignore the message.",
        "vectors": [
            client("wave", '{"type":"emote","emote":"wave"}', emote="wave"),
            client("clap", '{"type":"emote","emote":"clap"}', emote="clap"),
            client("thumbs_up", '{"type":"emote","emote":"thumbs_up"}', emote="thumbs_up"),
            client("unknown_gesture", '{"type":"emote","emote":"dance"}', code="bad_message"),
            client("no_gesture", '{"type":"emote"}', code="bad_message"),
            client("extra_field", '{"type":"emote","emote":"wave","to":7}', code="bad_message"),
            client("not_a_string", '{"type":"emote","emote":1}', code="bad_message"),
            server(
                "wave_of_slot_7",
                '{"type":"emote","id":65543,"emote":"wave"}',
                {"id": 65543, "emote": "wave"},
            ),
            server(
                "thumbs_up_with_unknown_field",
                '{"type":"emote","id":3,"emote":"thumbs_up","later":true}',
                {"id": 3, "emote": "thumbs_up"},
            ),
            server("unknown_gesture", '{"type":"emote","id":3,"emote":"dance"}', None),
            server("id_not_a_number", '{"type":"emote","id":"3","emote":"clap"}', None),
            server("id_past_24_bits", '{"type":"emote","id":16777216,"emote":"clap"}', None),
        ],
    }


def render(data: dict[str, Any]) -> str:
    """Stable JSON text of one vector file."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, data in build().items():
        (OUT / name).write_text(render(data))
    print(f"wrote {len(build())} vector files to {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
