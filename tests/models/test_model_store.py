"""Content-addressed storage: one object per content, atomic, nothing partial under a final name."""

from __future__ import annotations

import hashlib
import os
import stat
import time
from pathlib import Path

import pytest

from metaexpo.models import store
from metaexpo.models.store import (
    StoreError,
    atomic_write,
    has_blob,
    object_path,
    remove_stale_temporaries,
    store_blob,
)


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_blob_is_stored_under_its_sha256(tmp_path: Path) -> None:
    digest = store_blob(tmp_path, b"booth model")
    assert digest == hashlib.sha256(b"booth model").hexdigest()
    path = tmp_path / "objects" / digest[:2] / digest[2:]
    assert path == object_path(tmp_path, digest)
    assert path.read_bytes() == b"booth model"
    assert has_blob(tmp_path, digest)
    assert not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


def test_same_bytes_twice_are_stored_once(tmp_path: Path) -> None:
    first = store_blob(tmp_path, b"same")
    inode = object_path(tmp_path, first).stat().st_ino
    second = store_blob(tmp_path, memoryview(b"same"))
    assert first == second
    assert _files(tmp_path) == [object_path(tmp_path, first)]
    assert object_path(tmp_path, first).stat().st_ino == inode  # not written again


def test_storing_bytes_again_makes_the_stored_file_young(tmp_path: Path) -> None:
    # The orphan collector removes only old files no row names: an upload reusing an old file
    # must make it young again until it records it.
    source = tmp_path / "upload.glb"
    source.write_bytes(b"reused upload")
    root = tmp_path / "store"
    for data in (b"reused bytes", source):
        path = object_path(root, store_blob(root, data))
        os.utime(path, (1_000_000, 1_000_000))
        store_blob(root, data)
        assert path.stat().st_mtime > 1_000_000 + 3600


def test_a_private_blob_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = object_path(tmp_path, store_blob(tmp_path, b"as the exhibitor sent it", private=True))
    assert stat.S_IMODE(path.stat().st_mode) == 0o400
    public = object_path(tmp_path, store_blob(tmp_path, b"served to everyone"))
    assert stat.S_IMODE(public.stat().st_mode) == 0o444


def test_file_and_bytes_with_equal_content_share_one_object(tmp_path: Path) -> None:
    source = tmp_path / "upload.glb"
    source.write_bytes(os.urandom(3 * 1024 * 1024 + 5))
    root = tmp_path / "store"
    digest = store_blob(root, source)
    assert store_blob(root, source.read_bytes()) == digest
    assert _files(root) == [object_path(root, digest)]
    assert object_path(root, digest).read_bytes() == source.read_bytes()


def test_crash_after_writing_the_temporary_file_leaves_no_final_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(src: object, dst: object) -> None:
        raise OSError("simulated crash before rename")

    monkeypatch.setattr(os, "replace", crash)
    digest = hashlib.sha256(b"partial").hexdigest()
    with pytest.raises(OSError, match="simulated crash"):
        store_blob(tmp_path, b"partial")
    assert not object_path(tmp_path, digest).exists()
    assert _files(tmp_path) == []  # and the temporary file was cleaned up


def test_interrupted_write_never_shows_under_the_final_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[list[Path]] = []
    real_fsync = os.fsync

    def watch_then_fsync(fd: int) -> None:
        seen.append(_files(tmp_path))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", watch_then_fsync)
    digest = store_blob(tmp_path, b"x" * 10_000)
    final = object_path(tmp_path, digest)
    # While data was being flushed only a temporary name existed.
    assert seen[0] and all(p.name.startswith(".tmp-") for p in seen[0])
    assert _files(tmp_path) == [final]


def test_source_changing_while_stored_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "upload.glb"
    source.write_bytes(b"v1")
    monkeypatch.setattr(store, "file_sha256", lambda path: hashlib.sha256(b"v0").hexdigest())
    with pytest.raises(StoreError, match="changed"):
        store_blob(tmp_path / "store", source)
    assert _files(tmp_path / "store") == []


@pytest.mark.parametrize("digest", ["", "../../etc/passwd", "AB" * 32, "a" * 63, "g" * 64])
def test_malformed_digest_is_refused(tmp_path: Path, digest: str) -> None:
    with pytest.raises(StoreError):
        object_path(tmp_path, digest)


def test_stale_temporaries_are_removed(tmp_path: Path) -> None:
    digest = store_blob(tmp_path, b"kept")
    stale = object_path(tmp_path, digest).parent / ".tmp-abc123"
    stale.write_bytes(b"half")
    hour_ago = time.time() - 3601
    os.utime(stale, (hour_ago, hour_ago))
    assert remove_stale_temporaries(tmp_path) == 1
    assert _files(tmp_path) == [object_path(tmp_path, digest)]
    assert remove_stale_temporaries(tmp_path / "nothing-here") == 0


def test_atomic_write_replaces_a_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "out" / "booth.glb"
    atomic_write(target, b"first")
    atomic_write(target, b"second version")
    assert target.read_bytes() == b"second version"
    assert [p.name for p in target.parent.iterdir()] == ["booth.glb"]


def test_a_temporary_being_written_now_is_left_alone(tmp_path: Path) -> None:
    """Another node sharing the data folder may be writing it (docker-compose.yml)."""
    digest = store_blob(tmp_path, b"kept")
    fresh = object_path(tmp_path, digest).parent / ".tmp-another-node"
    fresh.write_bytes(b"half")
    assert remove_stale_temporaries(tmp_path) == 0
    assert fresh.exists()
