"""The Python codec against the shared golden vectors (docs/protocol-vectors/)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import numpy as np
import pytest

from metaexpo.errors import FrameError
from metaexpo.protocol import quantise as q
from metaexpo.protocol.frames import (
    DESKTOP_POSE_IN,
    VR_POSE_IN,
    MediaStream,
    MsgType,
    client_frame_kind,
    decode_audio_frame,
    decode_server_frame,
    encode_audio_frame,
    encode_desktop_pose,
    encode_vr_pose,
    media_record,
    media_section,
    record_ids,
)
from tests.conftest import ROOT

VECTORS = ROOT / "docs" / "protocol-vectors"


def load(name: str, key: str = "vectors") -> list[dict[str, Any]]:
    return list(json.loads((VECTORS / name).read_text())[key])


#: The chunk size limit the invalid AUDIO vectors are written against.
VECTOR_CHUNK_MAX = 400


def test_committed_vectors_match_the_generator() -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, sys; sys.path.insert(0, 'scripts'); import make_protocol_vectors as m;"
            "json.dump({k: m.render(v) for k, v in m.build().items()}, sys.stdout)",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    for name, text in json.loads(out.stdout).items():
        assert (VECTORS / name).read_text() == text, (
            f"{name} is stale: run scripts/make_protocol_vectors.py"
        )


@pytest.mark.parametrize("vec", load("client_frames.json"), ids=lambda v: v["name"])
def test_client_encoders_produce_the_golden_bytes(vec: dict[str, Any]) -> None:
    d = vec["decoded"]
    if d["type"] == "AUDIO":
        chunks = [(c["seq"], bytes.fromhex(c["hex"])) for c in d["chunks"]]
        raw = encode_audio_frame(MediaStream(d["stream"]), chunks)
        assert client_frame_kind(raw) is MsgType.AUDIO
        decoded = decode_audio_frame(raw, VECTOR_CHUNK_MAX)
        assert decoded.stream.name == d["stream_name"]
        assert list(decoded.chunks) == chunks
    elif d["type"] == "DESKTOP_POSE":
        raw = encode_desktop_pose(tuple(d["position"]), d["yaw"], d["pitch"], d["flags"])
        rec = np.frombuffer(raw, DESKTOP_POSE_IN)[0]
        assert list(rec["pos"]) == d["position"]
    else:
        raw = encode_vr_pose(
            tuple(d["head"]),
            tuple(d["head_q"]),
            tuple(d["left"]),
            tuple(d["left_q"]),
            tuple(d["right"]),
            tuple(d["right_q"]),
            d["flags"],
        )
        rec = np.frombuffer(raw, VR_POSE_IN)[0]
        assert list(rec["right_q"]) == d["right_q"]
    assert raw.hex() == vec["hex"]


@pytest.mark.parametrize("vec", load("server_frames.json"), ids=lambda v: v["name"])
def test_server_frames_decode_to_the_golden_values(vec: dict[str, Any]) -> None:
    frame = decode_server_frame(bytes.fromhex(vec["hex"]))
    d = vec["decoded"]
    assert frame.kind.name == d["type"]
    assert (frame.tick, frame.time_ms) == (d["tick"], d["time_ms"])
    if frame.kind is MsgType.CROWD:
        assert frame.crowd.tolist() == [tuple(p) for p in d["points"]]
        return
    origin = np.array(vec["origin"])
    assert record_ids(frame.desktop).tolist() == [r["id"] for r in d["desktop"]]
    for rec, want in zip(frame.desktop, d["desktop"], strict=True):
        assert rec["pos"].tolist() == want["position_q"]
        assert np.allclose(q.dequantise_position(rec["pos"], origin), want["position"])
        assert np.isclose(q.dequantise_yaw(rec["yaw"]), want["yaw"])
        assert np.isclose(q.dequantise_pitch(rec["pitch"]), want["pitch"])
        assert rec["flags"] == want["flags"]
    for rec, want in zip(frame.vr, d["vr"], strict=True):
        head = q.dequantise_position(rec["pos"], origin)
        assert np.allclose(head, want["position"])
        assert np.allclose(q.unpack_quaternion(rec["head_q"]), want["head_q"])
        assert np.allclose(head + q.dequantise_hand_offset(rec["left"]), want["left"])
        assert np.allclose(q.unpack_quaternion(rec["right_q"]), want["right_q"])
    assert record_ids(frame.gone).tolist() == d["gone"]
    got = [(m.id, m.slot, m.gen, m.stream, m.seq, m.data.hex()) for m in frame.media]
    want = [(m["id"], m["slot"], m["gen"], m["stream"], m["seq"], m["hex"]) for m in d["media"]]
    assert got == want


@pytest.mark.parametrize("vec", load("server_frames.json"), ids=lambda v: v["name"])
def test_media_sections_encode_to_the_golden_bytes(vec: dict[str, Any]) -> None:
    d = vec["decoded"]
    if d["type"] == "CROWD":
        return
    records = [
        media_record(m["slot"], m["gen"], m["stream"], m["seq"], bytes.fromhex(m["hex"]))
        for m in d["media"]
    ]
    assert vec["hex"].endswith(media_section(records).hex())


@pytest.mark.parametrize("vec", load("client_frames.json", "invalid"), ids=lambda v: v["name"])
def test_invalid_audio_vectors_are_refused_with_their_code(vec: dict[str, Any]) -> None:
    raw = bytes.fromhex(vec["hex"])
    with pytest.raises(FrameError) as err:
        client_frame_kind(raw)
        decode_audio_frame(raw, VECTOR_CHUNK_MAX)
    assert err.value.code == vec["code"]


@pytest.mark.parametrize("vec", load("quaternions.json"), ids=lambda v: v["name"])
def test_quaternion_vectors_unpack_and_repack(vec: dict[str, Any]) -> None:
    unpacked = q.unpack_quaternion(np.array([vec["packed"]], np.uint32))[0]
    assert np.allclose(unpacked, vec["quaternion"])
    assert int(q.pack_quaternion(unpacked[None])[0]) == vec["packed"]


@pytest.mark.parametrize(
    ("mutate", "code"),
    [
        (lambda b: b[:-1], "truncated"),
        (lambda b: b + b"\0", "bad_length"),
        (lambda b: b"\x01" + b[1:], "bad_version"),
        (lambda b: b[:1] + b"\x7f" + b[2:], "bad_type"),
        (lambda b: b[:5], "truncated"),
    ],
)
def test_malformed_server_frames_raise_frame_error_with_a_code(mutate: Any, code: str) -> None:
    good = bytes.fromhex(load("server_frames.json")[1]["hex"])
    with pytest.raises(FrameError) as err:
        decode_server_frame(mutate(good))
    assert err.value.code == code
