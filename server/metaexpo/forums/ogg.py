"""An Ogg Opus writer (RFC 7845 in RFC 3533 pages): the replay's stage audio, written by us.

The server never decodes audio: it wraps the Opus packets it was sent into
an Ogg stream. Page 0 holds the ``OpusHead`` identification header (BOS),
page 1 the ``OpusTags`` comment header, then audio pages of about a second
each; the last page carries EOS. A page's granule position is the number of
48 kHz samples decoded by the end of its last complete packet (pre-skip
included), read from each packet's TOC byte (RFC 6716 §3.1). Every page has
the Ogg CRC-32 (polynomial 0x04C11DB7, no reflection, initial value and
final XOR 0), computed with zlib's CRC by way of bit reversal.

:class:`OggOpusWriter` only makes bytes; the recorder decides where they go.
"""

from __future__ import annotations

import struct
import zlib

#: A 20 ms mono CELT packet that decodes to silence (TOC 0xF8, then the "silence" flag).
SILENT_PACKET = b"\xf8\xff\xfe"
#: Samples per second of every Opus granule position.
OPUS_RATE = 48_000
#: The usual encoder delay of Opus at 48 kHz (libopus, browsers' WebCodecs).
DEFAULT_PRE_SKIP = 312
#: Audio packets per page: about one second of 20 ms packets.
PACKETS_PER_PAGE = 50
MAX_SEGMENTS = 255

FLAG_CONTINUED = 0x01
FLAG_BOS = 0x02
FLAG_EOS = 0x04

_PAGE_HEADER = struct.Struct("<4sBBqIIIB")
_BIT_REVERSE = bytes(int(f"{i:08b}"[::-1], 2) for i in range(256))

# Frame duration in samples at 48 kHz of each TOC configuration (RFC 6716 §3.1, Table 2).
_CONFIG_SAMPLES = (
    [480, 960, 1920, 2880] * 3  # 0-11: SILK-only, NB/MB/WB: 10, 20, 40, 60 ms
    + [480, 960] * 2  # 12-15: hybrid SWB/FB: 10, 20 ms
    + [120, 240, 480, 960] * 4  # 16-31: CELT-only NB/WB/SWB/FB: 2.5, 5, 10, 20 ms
)


class OpusPacketError(ValueError):
    """Bytes that cannot be an Opus packet (empty, or a code 3 packet without its count)."""


def ogg_crc(data: bytes) -> int:
    """The Ogg page checksum of ``data`` (the page with its CRC field zeroed)."""
    # zlib computes the bit-reflected CRC-32 with pre- and post-inversion; Ogg's is the
    # unreflected one with neither. Reversing the bits of every byte (and of the result)
    # turns one into the other, and XOR 0xFFFFFFFF undoes zlib's final inversion.
    reflected = zlib.crc32(data.translate(_BIT_REVERSE), 0xFFFFFFFF) ^ 0xFFFFFFFF
    return int(f"{reflected:032b}"[::-1], 2)


def packet_samples(packet: bytes) -> int:
    """How many 48 kHz samples an Opus packet decodes to, from its TOC byte."""
    if not packet:
        raise OpusPacketError("an Opus packet has at least its TOC byte")
    toc = packet[0]
    per_frame = _CONFIG_SAMPLES[toc >> 3]
    code = toc & 0x03
    if code == 0:
        frames = 1
    elif code in (1, 2):
        frames = 2
    else:
        if len(packet) < 2:
            raise OpusPacketError("an Opus code 3 packet needs its frame count byte")
        frames = packet[1] & 0x3F
    return per_frame * frames


def opus_head(
    channels: int = 1, pre_skip: int = DEFAULT_PRE_SKIP, input_rate: int = 48_000
) -> bytes:
    """The identification header (RFC 7845 §5.1), channel mapping family 0."""
    assert channels in (1, 2), "mapping family 0 is mono or stereo"
    return b"OpusHead" + struct.pack("<BBHIhB", 1, channels, pre_skip, input_rate, 0, 0)


def opus_tags(vendor: str, comments: dict[str, str]) -> bytes:
    """The comment header (RFC 7845 §5.2): vendor string and ``KEY=value`` comments."""
    encoded_vendor = vendor.encode("utf-8")
    parts = [b"OpusTags", struct.pack("<I", len(encoded_vendor)), encoded_vendor]
    items = [f"{key.upper()}={value}".encode() for key, value in comments.items()]
    parts.append(struct.pack("<I", len(items)))
    for item in items:
        parts += [struct.pack("<I", len(item)), item]
    return b"".join(parts)


def _lacing(size: int) -> list[int]:
    return [255] * (size // 255) + [size % 255]


class OggOpusWriter:
    """Makes the bytes of one Ogg Opus logical stream, page by page."""

    def __init__(
        self,
        serial: int,
        *,
        channels: int = 1,
        pre_skip: int = DEFAULT_PRE_SKIP,
        vendor: str = "metaexpo",
        comments: dict[str, str] | None = None,
    ) -> None:
        self.serial = serial & 0xFFFFFFFF
        self.channels = channels
        self.pre_skip = pre_skip
        self.vendor = vendor
        self.comments = comments or {}
        self.sequence = 0
        self.granule = 0
        self.pending: list[bytes] = []
        self.finished = False

    @property
    def samples(self) -> int:
        """Samples of the packets written so far (what a player plays, pre-skip excluded)."""
        return max(0, self.granule - self.pre_skip)

    def headers(self) -> bytes:
        """Pages 0 (OpusHead, BOS) and 1 (OpusTags): the start of the stream."""
        assert self.sequence == 0, "headers come first, once"
        head = self._pages([opus_head(self.channels, self.pre_skip)], FLAG_BOS, [0])
        tags = self._pages([opus_tags(self.vendor, self.comments)], 0, [0])
        return head + tags

    def add(self, packet: bytes) -> None:
        """Queue one Opus packet (written by :meth:`flush`)."""
        assert not self.finished, "the stream has ended"
        packet_samples(packet)  # refuse what is not a packet before it is in the stream
        self.pending.append(bytes(packet))

    def flush(self, *, final: bool = False) -> bytes:
        """Pages for the queued packets. Without ``final``, only whole pages, keeping at least
        one packet back (so the last page can still carry EOS); with it, everything, EOS set."""
        out = bytearray()
        while len(self.pending) > PACKETS_PER_PAGE or (final and self.pending):
            batch = self.pending[:PACKETS_PER_PAGE]
            del self.pending[:PACKETS_PER_PAGE]
            granules = []
            for packet in batch:
                self.granule += packet_samples(packet)
                granules.append(self.granule)
            last = final and not self.pending
            out += self._pages(batch, FLAG_EOS if last else 0, granules)
        if final:
            self.finished = True
        return bytes(out)

    def _pages(self, packets: list[bytes], flags: int, granules: list[int]) -> bytes:
        """Lay ``packets`` (with the granule at the end of each) into pages of at most 255
        segments; a page's granule is that of the last packet ending on it (-1: none does).
        BOS goes on the first page made, EOS on the last."""
        out = bytearray()
        segments: list[int] = []
        body = bytearray()
        page_flags = flags & FLAG_BOS
        page_granule = -1
        for packet, granule in zip(packets, granules, strict=True):
            offset = 0
            started = False
            for segment in _lacing(len(packet)):
                if len(segments) == MAX_SEGMENTS:
                    out += self._page(segments, body, page_flags, page_granule)
                    page_flags = FLAG_CONTINUED if started else 0
                    page_granule = -1
                    segments, body = [], bytearray()
                segments.append(segment)
                body += packet[offset : offset + segment]
                offset += segment
                started = True
            page_granule = granule
        out += self._page(segments, body, page_flags | (flags & FLAG_EOS), page_granule)
        return bytes(out)

    def _page(
        self, segments: list[int], body: bytes | bytearray, flags: int, granule: int
    ) -> bytes:
        header = _PAGE_HEADER.pack(
            b"OggS", 0, flags, granule, self.serial, self.sequence, 0, len(segments)
        )
        page = bytearray(header + bytes(segments) + bytes(body))
        struct.pack_into("<I", page, 22, ogg_crc(bytes(page)))
        self.sequence += 1
        return bytes(page)
