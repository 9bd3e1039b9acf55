"""The Ogg Opus writer: files that independent readers and a real decoder accept."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import mutagen.oggopus
import pytest

from metaexpo.forums.ogg import (
    FLAG_BOS,
    FLAG_CONTINUED,
    FLAG_EOS,
    SILENT_PACKET,
    OggOpusWriter,
    OpusPacketError,
    ogg_crc,
    packet_samples,
)
from tests.forums.opus_tools import decoded_seconds, opus_packets, opusinfo, pages_of


def reference_crc(data: bytes) -> int:
    """The Ogg CRC bit by bit, straight from RFC 3533's definition (slow, obviously right)."""
    crc = 0
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
            crc &= 0xFFFFFFFF
    return crc


def write(packets: list[bytes], serial: int = 7) -> bytes:
    writer = OggOpusWriter(serial, comments={"title": "talk"})
    data = writer.headers()
    for packet in packets:
        writer.add(packet)
        if len(writer.pending) > 120:
            data += writer.flush()
    return data + writer.flush(final=True)


@pytest.mark.parametrize("data", [b"", b"OggS", bytes(range(256)) * 3, b"\xff" * 1000])
def test_crc_matches_the_definition(data: bytes) -> None:
    assert ogg_crc(data) == reference_crc(data)


def test_real_opus_packets_make_a_file_opusinfo_and_opusdec_accept(tmp_path: Path) -> None:
    packets = opus_packets(tmp_path, 3.0)
    path = tmp_path / "replay.opus"
    path.write_bytes(write(packets))
    report = opusinfo(path)
    assert "Opus stream 1" in report and "Channels: 1" in report
    assert "WARNING" not in report and "ERROR" not in report.upper().replace("ERRORS", ""), report
    expected = len(packets) * 0.02
    assert abs(decoded_seconds(path, tmp_path) - expected) < 0.05


def test_mutagen_reads_the_stream_and_its_pages_reserialise_to_the_same_bytes(
    tmp_path: Path,
) -> None:
    packets = opus_packets(tmp_path, 2.0)
    data = write(packets)
    info = mutagen.oggopus.OggOpus(io.BytesIO(data))
    assert info.info.channels == 1
    assert abs(info.info.length - len(packets) * 0.02) < 0.02
    assert info.tags["title"] == ["talk"]
    pages = pages_of(data)
    # mutagen computes each page's CRC itself when it writes one: equal bytes, equal CRCs.
    assert b"".join(page.write() for page in pages) == data
    assert pages[0].first and pages[0].position == 0 and pages[-1].last
    assert [p.sequence for p in pages] == list(range(len(pages)))
    positions = [p.position for p in pages[2:]]
    assert positions == sorted(positions) and positions[-1] == len(packets) * 960


def test_a_corrupted_byte_is_caught_by_the_independent_reader(tmp_path: Path) -> None:
    data = bytearray(write([SILENT_PACKET] * 200))
    data[-5] ^= 0x40  # inside the last page's packets: its CRC no longer matches
    path = tmp_path / "broken.opus"
    path.write_bytes(bytes(data))
    assert "WARNING" in opusinfo(path) or "corrupt" in opusinfo(path).lower()


def test_header_pages_follow_rfc_7845() -> None:
    data = write([SILENT_PACKET])
    head, tags, audio = pages_of(data)
    assert head.packets[0][:8] == b"OpusHead" and head.first and head.position == 0
    version, channels, pre_skip, rate = struct.unpack("<BBHI", head.packets[0][8:16])
    assert (version, channels, pre_skip, rate) == (1, 1, 312, 48_000)
    assert tags.packets[0][:8] == b"OpusTags" and tags.position == 0
    assert audio.last and audio.position == 960
    assert data[5] == FLAG_BOS and FLAG_EOS & data[-len(audio.write()) + 5]


def test_a_packet_bigger_than_a_page_continues_on_the_next_one() -> None:
    big = bytes([0xF8]) + b"\x55" * 70_000  # CELT 20 ms TOC, then filler
    writer = OggOpusWriter(1)
    data = writer.headers()
    writer.add(big)
    data += writer.flush(final=True)
    pages = pages_of(data)
    assert len(pages) == 4 and pages[3].continued and not pages[2].continued
    assert pages[2].position == -1 and pages[3].position == 960
    assert pages[3].last and bool(data[-len(pages[3].write()) + 5] & FLAG_CONTINUED)
    assert pages[2].packets[0] + pages[3].packets[0] == big


@pytest.mark.parametrize(
    ("packet", "samples"),
    [
        (SILENT_PACKET, 960),  # CELT FB 20 ms
        (bytes([0x08]), 960),  # SILK NB 20 ms
        (bytes([0x18]), 2880),  # SILK NB 60 ms
        (bytes([0x71]), 480 * 2),  # hybrid FB 10 ms, two frames
        (bytes([0xEB, 0x03]), 240 * 3),  # CELT FB 5 ms, code 3 with three frames
    ],
)
def test_packet_durations_come_from_the_toc(packet: bytes, samples: int) -> None:
    assert packet_samples(packet) == samples


def test_not_a_packet_is_refused() -> None:
    with pytest.raises(OpusPacketError):
        packet_samples(b"")
    with pytest.raises(OpusPacketError):
        packet_samples(b"\x03")
