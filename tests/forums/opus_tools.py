"""Independent Opus tools for the replay tests: real packets made by opusenc (read out with
mutagen), and opusinfo/opusdec to check what the server writes.

Debian's opus-tools; ``scripts/bootstrap test`` installs them. A test that needs them
fails (never skips) when they are missing.
"""

from __future__ import annotations

import io
import math
import shutil
import struct
import subprocess
import wave
from pathlib import Path

import mutagen.ogg
import pytest

from tests.conftest import TIME_FACTOR


def tool(name: str) -> str:
    """The path of an opus-tools program, or a failing test saying how to get it."""
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: run scripts/bootstrap test (apt opus-tools)")
    return found


def tone_wav(path: Path, seconds: float, hz: float = 440.0) -> Path:
    """A mono 48 kHz 16-bit WAV of a sine tone (the project's own test sound)."""
    rate = 48_000
    frames = b"".join(
        struct.pack("<h", int(12_000 * math.sin(2 * math.pi * hz * n / rate)))
        for n in range(int(seconds * rate))
    )
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return path


def opus_packets(tmp: Path, seconds: float) -> list[bytes]:
    """Real 20 ms mono Opus packets of a tone, encoded by opusenc, read out by mutagen."""
    source = tone_wav(tmp / "tone.wav", seconds)
    encoded = tmp / "tone.opus"
    subprocess.run(
        [
            tool("opusenc"),
            "--quiet",
            "--bitrate",
            "24",
            "--framesize",
            "20",
            str(source),
            str(encoded),
        ],
        check=True,
        timeout=60 * TIME_FACTOR,
    )
    pages = []
    with encoded.open("rb") as handle:
        while True:
            try:
                pages.append(mutagen.ogg.OggPage(handle))
            except EOFError:
                break
    packets = mutagen.ogg.OggPage.to_packets(pages)
    assert packets[0].startswith(b"OpusHead") and packets[1].startswith(b"OpusTags")
    return packets[2:]


def opusinfo(path: Path) -> str:
    """opusinfo's report (it checks pages, CRCs and granule positions)."""
    done = subprocess.run(
        [tool("opusinfo"), str(path)],
        check=False,
        capture_output=True,
        text=True,
        timeout=60 * TIME_FACTOR,
    )
    return done.stdout + done.stderr


def decoded_seconds(path: Path, tmp: Path) -> float:
    """How long the file plays when opusdec decodes it (a real decoder)."""
    out = tmp / f"{path.stem}.wav"
    subprocess.run(
        [tool("opusdec"), "--quiet", "--rate", "48000", str(path), str(out)],
        check=True,
        capture_output=True,
        timeout=60 * TIME_FACTOR,
    )
    with wave.open(str(out), "rb") as decoded:
        return decoded.getnframes() / decoded.getframerate()


def pages_of(data: bytes) -> list[mutagen.ogg.OggPage]:
    """The Ogg pages of ``data`` as mutagen reads them."""
    handle = io.BytesIO(data)
    pages = []
    while True:
        try:
            pages.append(mutagen.ogg.OggPage(handle))
        except EOFError:
            return pages
