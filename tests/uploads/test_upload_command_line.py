"""``metaexpo check-model``: the upload check offline, through the top-level command."""

from __future__ import annotations

import json
from pathlib import Path

from tests.backoffice import DUCK
from tests.live import run_metaexpo


def test_an_accepted_model_exits_0_with_its_report() -> None:
    result = run_metaexpo("check-model", str(DUCK), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["accepted"] is True


def test_a_refused_model_exits_1_listing_its_problems(tmp_path: Path) -> None:
    bad = tmp_path / "bad.glb"
    bad.write_bytes(b"not a model at all")
    result = run_metaexpo("check-model", str(bad))
    assert result.returncode == 1
    assert "unknown_format" in result.stdout


def test_the_command_is_listed_with_the_others() -> None:
    listed = run_metaexpo("--help").stdout
    for name in ("check-model", "create-staff", "backup", "restore"):
        assert name in listed
