"""Find the bytes behind every buffer and image: the GLB chunk, a data: URI or a zip member.

Every ``uri`` in the document is classified (see :mod:`.uris`), used or
not, so an upload naming ``http://…`` or ``../../etc/passwd`` is refused
even where that buffer is never read. Only the buffers and images the
scene uses are then loaded, each at most once, with its size checked
against what the document declares.
"""

from __future__ import annotations

from dataclasses import dataclass

from metaexpo.models.container import Source, SourceKind
from metaexpo.models.limits import Limits
from metaexpo.models.names import printable
from metaexpo.models.problems import Code, Findings
from metaexpo.models.schema import Gltf
from metaexpo.models.uris import DataUri, RefusedUri, RelativePath, classify, decode_data
from metaexpo.models.zipped import CorruptMember

_BUFFER_MIME = {"application/octet-stream", "application/gltf-buffer"}


@dataclass(slots=True)
class Resources:
    """Loaded buffer data (sliced to the declared length) and a loader for images."""

    source: Source
    uris: dict[str, DataUri | RelativePath]
    buffers: dict[int, memoryview]


def check_uris(g: Gltf, source: Source, limits: Limits, findings: Findings) -> Resources:
    """Classify every buffer and image URI; record ``external_uri``, ``path_traversal`` …"""
    uris: dict[str, DataUri | RelativePath] = {}
    items = [(f"/buffers/{i}/uri", b.uri) for i, b in enumerate(g.buffers)]
    items += [(f"/images/{i}/uri", img.uri) for i, img in enumerate(g.images)]
    for where, uri in items:
        if uri is None:
            continue
        kind = classify(uri, source.base_dir, max_part_bytes=limits.max_name_bytes)
        shown = printable(uri[:80])
        if isinstance(kind, RefusedUri):
            findings.error(kind.code, f"The link '{shown}' is refused: {kind.reason}.", where)
        elif isinstance(kind, RelativePath) and source.kind is not SourceKind.ZIP:
            findings.error(
                Code.EXTERNAL_URI,
                f"The link '{shown}' names a separate file, which is not part of this upload. "
                "Upload a .glb, or a .zip holding the .gltf and all its files.",
                where,
            )
        elif isinstance(kind, DataUri) and kind.decoded_size > limits.max_data_uri_bytes:
            findings.error(
                Code.DATA_URI_TOO_LARGE,
                f"An embedded data: URI holds about {kind.decoded_size:,} bytes; at most "
                f"{limits.max_data_uri_bytes:,} are accepted. Export a .glb instead.",
                where,
                f"{limits.max_data_uri_bytes} bytes",
            )
        else:
            uris[where] = kind
    for i, buffer in enumerate(g.buffers):
        where = f"/buffers/{i}"
        if buffer.uri is None and not (source.kind is SourceKind.GLB and i == 0):
            findings.error(
                Code.INVALID_PROPERTY,
                "This buffer has no uri; only the first buffer of a .glb may omit it. "
                "Export the model again.",
                where,
            )
        kind_at = uris.get(f"{where}/uri")
        if isinstance(kind_at, DataUri) and kind_at.mime_type not in _BUFFER_MIME:
            findings.error(
                Code.BAD_DATA_URI,
                f"A buffer's data: URI has media type '{printable(kind_at.mime_type[:40])}'; "
                "it must be application/octet-stream.",
                f"{where}/uri",
            )
    return Resources(source, uris, {})


def fetch(resources: Resources, where: str, findings: Findings) -> bytes | memoryview | None:
    """The bytes behind the URI at ``where`` (a checked URI), or None after recording why not."""
    kind = resources.uris.get(where)
    if kind is None:
        return None  # refused earlier
    if isinstance(kind, DataUri):
        data = decode_data(kind)
        if data is None:
            findings.error(Code.BAD_DATA_URI, "The embedded data: URI is not valid base64.", where)
        return data
    upload = resources.source.zip
    assert upload is not None  # check_uris only keeps relative paths for zips
    try:
        member = upload.read(kind.path)
    except CorruptMember as exc:
        findings.error(Code.BAD_ZIP, str(exc), where)
        return None
    if member is None:
        findings.error(
            Code.MISSING_FILE,
            f"The file '{printable(kind.path)}' is not in the zip. Add it next to the .gltf "
            "(names are case-sensitive).",
            where,
        )
    return member


def load_buffers(
    g: Gltf, resources: Resources, needed: list[int], findings: Findings
) -> dict[int, memoryview]:
    """Load the ``needed`` buffers; record ``buffer_too_short`` when data is missing."""
    for i in needed:
        buffer = g.buffers[i]
        where = f"/buffers/{i}"
        data: bytes | memoryview | None
        if buffer.uri is None:
            data = resources.source.bin_chunk
            if data is None:
                findings.error(
                    Code.BUFFER_TOO_SHORT,
                    "The first buffer refers to the GLB binary chunk, but the file has none. "
                    "Export the model again.",
                    where,
                )
                continue
        else:
            data = fetch(resources, f"{where}/uri", findings)
            if data is None:
                continue
        if len(data) < buffer.byte_length:
            findings.error(
                Code.BUFFER_TOO_SHORT,
                f"The buffer declares {buffer.byte_length:,} bytes but its data has only "
                f"{len(data):,}. The file was cut off or damaged: export it again.",
                where,
            )
            continue
        resources.buffers[i] = memoryview(data)[: buffer.byte_length]
    return resources.buffers
