"""Leftovers of interrupted uploads: cleared at start-up, never another node's upload in flight."""

from __future__ import annotations

import os
import time
from pathlib import Path

from metaexpo.booths.receive import UPLOADS_TMP, clear_temp_folder, temp_folder


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_leftovers_of_a_crash_are_removed_at_start_up(tmp_path: Path) -> None:
    folder = temp_folder(tmp_path)
    for name in ("a.part", "b.glb.part"):
        (folder / name).write_bytes(b"half an upload")
        _age(folder / name, 2 * 3600)
    assert clear_temp_folder(tmp_path) == 2
    assert list(folder.iterdir()) == []


def test_an_upload_another_node_is_receiving_now_is_kept(tmp_path: Path) -> None:
    """Several nodes share one data folder (docker-compose.yml); one restarting must not
    delete the body another is streaming or checking."""
    folder = temp_folder(tmp_path)
    (folder / "live.part").write_bytes(b"arriving")
    (folder / "old.part").write_bytes(b"crashed")
    _age(folder / "old.part", 2 * 3600)
    assert clear_temp_folder(tmp_path) == 1
    assert [p.name for p in folder.iterdir()] == ["live.part"]


def test_no_folder_nothing_to_do(tmp_path: Path) -> None:
    assert clear_temp_folder(tmp_path) == 0
    assert not (tmp_path / UPLOADS_TMP).exists()
