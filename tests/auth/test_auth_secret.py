"""The secret key: generated once with mode 0600, or taken from the settings (long enough)."""

from __future__ import annotations

import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from pydantic import SecretStr

from metaexpo.auth.secret import SECRET_FILE, Keys, load_secret
from metaexpo.config import Settings
from metaexpo.errors import ConfigError


def test_a_generated_key_is_private_and_stable(tmp_path: Path) -> None:
    first = load_secret(Settings(data_dir=tmp_path))
    mode = stat.S_IMODE((tmp_path / SECRET_FILE).stat().st_mode)
    assert mode == 0o600
    assert load_secret(Settings(data_dir=tmp_path)) == first
    assert len(first) >= 32


def test_nodes_starting_together_agree_on_one_key(tmp_path: Path) -> None:
    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: load_secret(Settings(data_dir=tmp_path)), range(16)))
    assert len(keys) == 1


def test_a_configured_key_wins_over_the_file(tmp_path: Path) -> None:
    key = "k" * 40
    assert load_secret(Settings(data_dir=tmp_path, secret_key=SecretStr(key))) == key.encode()
    assert not (tmp_path / SECRET_FILE).exists()


def test_a_short_configured_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="at least 32"):
        load_secret(Settings(data_dir=tmp_path, secret_key=SecretStr("short")))


def test_tokens_and_csrf_use_different_derived_keys() -> None:
    keys = Keys(b"s" * 32)
    assert keys.tokens != keys.csrf
