"""Read an uploaded zip (a .gltf and its files) without extracting it and without trusting it.

Nothing is written to disk: members are read into memory on demand, each at
most once. Before :mod:`zipfile` parses the central directory, the end
record is read by hand so a zip declaring millions of entries is refused
without building millions of objects. Then, before any member is
decompressed, every entry is vetted: its name (no ``..``, absolute paths,
backslashes, drive letters, NUL, direction overrides, over-long names), its
type (no symlinks or special files), its flags (no encryption), its
compression (stored or deflate only: :mod:`zipfile` bounds deflate output
per read but not bzip2/lzma output), and the declared sizes against the
total cap and the compression-ratio cap. While reading, :mod:`zipfile`
stops at the declared size and checks the CRC.
"""

from __future__ import annotations

import posixpath
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import BinaryIO

from metaexpo.models.limits import MIB, Limits
from metaexpo.models.names import check_name, printable, same_name_key
from metaexpo.models.problems import Code, Findings, Stop

_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
_EOCD64 = b"PK\x06\x06"
_EOCD_BYTES = 22
_MAX_COMMENT = 65535
#: Entries smaller than this are not judged by their own compression ratio (a 4 KB file of
#: zeros compresses 200:1 and harms no one); they still count towards the total.
_RATIO_FLOOR = 1 * MIB
_READ_CHUNK = 1 * MIB
_ALLOWED_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}


@dataclass(slots=True)
class ZipUpload:
    """A vetted zip: its one .gltf member and a reader for the files it references."""

    archive: zipfile.ZipFile
    gltf_name: str
    members: dict[str, zipfile.ZipInfo]
    cache: dict[str, bytes] = field(default_factory=dict)

    @property
    def gltf_dir(self) -> str:
        """The folder of the .gltf inside the zip, against which URIs resolve."""
        return posixpath.dirname(self.gltf_name)

    def read(self, name: str) -> bytes | None:
        """The bytes of member ``name`` (matched in NFC form), or None when there is none.

        Raises :class:`CorruptMember` when the member cannot be decompressed
        or fails its CRC check.
        """
        key = same_name_key(name)
        if key in self.cache:
            return self.cache[key]
        info = self.members.get(key)
        if info is None:
            return None
        data = _read_member(self.archive, info)
        self.cache[key] = data
        return data


class CorruptMember(Exception):
    """A zip member that cannot be read back; the message is for the exhibitor."""


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    parts: list[bytes] = []
    total = 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(_READ_CHUNK):
                total += len(chunk)
                if total > info.file_size:  # zipfile stops at file_size; belt and braces
                    raise zipfile.BadZipFile("member longer than declared")
                parts.append(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError):
        raise CorruptMember(
            f"The zip entry {printable(info.orig_filename)} is damaged and cannot be unpacked. "
            "Create the zip again."
        ) from None
    if total != info.file_size:
        raise CorruptMember(
            f"The zip entry {printable(info.orig_filename)} is shorter than its header says. "
            "Create the zip again."
        )
    return b"".join(parts)


def count_entries(handle: BinaryIO, size: int) -> tuple[int, int] | None:
    """(entries, central directory bytes) from the end records, or None if there are none."""
    tail_size = min(size, _EOCD_BYTES + _MAX_COMMENT)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < _EOCD_BYTES:
        return None
    (_, disk, cd_disk, _, entries, cd_size, _, _) = struct.unpack_from("<4sHHHHIIH", tail, at)
    if disk != 0 or cd_disk != 0:
        return (-1, 0)  # multi-volume archives are refused as malformed
    if entries == 0xFFFF or cd_size == 0xFFFFFFFF:
        locator_at = at - 20
        if locator_at < 0 or tail[locator_at : locator_at + 4] != _EOCD64_LOCATOR:
            return None
        (record_offset,) = struct.unpack_from("<Q", tail, locator_at + 8)
        if record_offset + 56 > size:
            return None
        handle.seek(record_offset)
        record = handle.read(56)
        if len(record) < 56 or record[:4] != _EOCD64:
            return None
        entries, cd_size = struct.unpack_from("<QQ", record, 32)
    return entries, cd_size


def open_zip(
    handle: BinaryIO, size: int, limits: Limits, findings: Findings, where: str
) -> ZipUpload:
    """Vet the zip open in ``handle`` (``size`` bytes) and find its .gltf.

    Records every problem with the entries before giving up, then raises
    :class:`~metaexpo.models.problems.Stop` if any were found. Nothing is
    decompressed here; the caller reads the .gltf and the files it names
    through :meth:`ZipUpload.read`.
    """
    counted = count_entries(handle, size)
    if counted is None or counted[0] < 0 or counted[1] > size:
        raise findings.stop(
            Code.BAD_ZIP,
            "The zip file is damaged or uses an unsupported layout (split or multi-volume). "
            "Create it again with a standard zip tool.",
            where,
        )
    entries, directory_bytes = counted
    # zipfile parses the whole central directory whatever the entry count says, so its size
    # is capped too (real entries take about 100 bytes; 512 leaves room for long names).
    if entries > limits.max_zip_entries or directory_bytes > limits.max_zip_entries * 512:
        raise findings.stop(
            Code.ZIP_TOO_MANY_ENTRIES,
            f"The zip holds {max(entries, directory_bytes // 512):,} entries or more; at most "
            f"{limits.max_zip_entries:,} are accepted. "
            "Put only the .gltf and the files it uses in the zip.",
            where,
            f"{limits.max_zip_entries} entries",
        )
    handle.seek(0)
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, EOFError) as exc:
        raise findings.stop(
            Code.BAD_ZIP,
            f"The zip file cannot be read ({exc}). Create it again with a standard zip tool.",
            where,
        ) from None
    members = _vet_entries(archive, size, limits, findings)
    gltfs = [
        name
        for name, info in members.items()
        if info.filename.lower().endswith(".gltf")
        and not info.filename.startswith("__MACOSX/")
        and not posixpath.basename(info.filename).startswith("._")
    ]
    if findings.failed:
        archive.close()
        raise Stop("unsafe zip entries")
    if not gltfs:
        archive.close()
        raise findings.stop(
            Code.ZIP_NO_GLTF,
            "The zip holds no .gltf file. Zip the .gltf together with its .bin and textures, "
            "or upload a .glb.",
            where,
        )
    if len(gltfs) > 1:
        archive.close()
        listed = ", ".join(sorted(members[name].filename for name in gltfs)[:5])
        raise findings.stop(
            Code.ZIP_MULTIPLE_GLTF,
            f"The zip holds {len(gltfs)} .gltf files ({listed}); upload one model per zip.",
            where,
        )
    gltf = members[gltfs[0]]
    if gltf.file_size > limits.max_file_bytes:
        archive.close()
        raise findings.stop(
            Code.JSON_TOO_LARGE,
            f"The .gltf in the zip is {gltf.file_size:,} bytes; at most "
            f"{limits.max_file_bytes:,} are accepted. Keep data in .bin files, or upload a .glb.",
            f"zip:{printable(gltf.filename)}",
            f"{limits.max_file_bytes} bytes",
        )
    return ZipUpload(archive, gltf.filename, members)


def _vet_entries(
    archive: zipfile.ZipFile, size: int, limits: Limits, findings: Findings
) -> dict[str, zipfile.ZipInfo]:
    members: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in archive.infolist():
        name = info.orig_filename
        where = f"zip:{printable(name)}"
        total += info.file_size
        problem = check_name(
            name.rstrip("/"), max_part_bytes=limits.max_name_bytes, allow_folders=True
        )
        if problem is not None:
            findings.error(
                problem.code,
                f"A zip entry has an unsafe name: {problem.reason}. "
                "Rename it and refer to it by a plain relative path.",
                where,
            )
            continue
        # Unix file type bits; zero when the tool wrote permissions only (Python's zipfile does).
        kind = stat.S_IFMT(info.external_attr >> 16)
        if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
            findings.error(
                Code.ZIP_SYMLINK,
                "A zip entry is a symbolic link or special file; only ordinary files are "
                "accepted. Zip the real files instead.",
                where,
            )
            continue
        if info.flag_bits & 0x1:
            findings.error(
                Code.ZIP_ENCRYPTED,
                "A zip entry is password-protected; upload a zip without a password.",
                where,
            )
            continue
        if info.is_dir():
            continue
        if info.compress_type not in _ALLOWED_METHODS:
            findings.error(
                Code.BAD_ZIP,
                f"A zip entry uses compression method {info.compress_type}; only 'stored' and "
                "'deflate' (what standard zip tools use) are accepted.",
                where,
            )
            continue
        if info.file_size > _RATIO_FLOOR and info.file_size > limits.max_zip_ratio * max(
            info.compress_size, 1
        ):
            findings.error(
                Code.ZIP_BOMB,
                f"A zip entry expands from {info.compress_size:,} to {info.file_size:,} bytes, "
                "far more than real model files do. The zip was not opened.",
                where,
                f"{limits.max_zip_ratio:g}:1",
            )
            continue
        key = same_name_key(name)
        if key in members:
            findings.error(
                Code.ZIP_DUPLICATE_NAME,
                "Two zip entries have the same name; keep one.",
                where,
            )
            continue
        members[key] = info
    if total > limits.max_zip_total_bytes:
        findings.error(
            Code.ZIP_BOMB,
            f"The zip's files add up to {total:,} bytes when unpacked; at most "
            f"{limits.max_zip_total_bytes:,} are accepted. The zip was not opened.",
            "file",
            f"{limits.max_zip_total_bytes} bytes",
        )
    elif total > _RATIO_FLOOR and total > limits.max_zip_ratio * max(size, 1):
        findings.error(
            Code.ZIP_BOMB,
            f"The zip expands from {size:,} to {total:,} bytes, far more than real model files "
            "do. The zip was not opened.",
            "file",
            f"{limits.max_zip_ratio:g}:1",
        )
    return members
