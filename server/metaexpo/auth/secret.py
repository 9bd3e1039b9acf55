"""The expo's secret key: from the settings, or generated once into the data folder.

Tokens, CSRF values and invite links are HMAC-signed with keys derived from
it, so every node of one expo must use the same key: give it to all of them
as ``METAEXPO_SECRET_KEY`` (or share the data folder). A key generated here is
written with mode 0600 and published atomically (hard link of a complete
file), so two nodes starting at once agree on one key.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import os
import secrets
import stat
from pathlib import Path

from metaexpo.config import Settings
from metaexpo.errors import ConfigError

log = logging.getLogger(__name__)

SECRET_FILE = "secret_key"
#: Shortest key accepted from the settings (characters).
MIN_KEY_CHARS = 32


class Keys:
    """Separate HMAC keys for each use, derived from the one secret (a token is never a CSRF
    value, an invite never a token)."""

    def __init__(self, secret: bytes) -> None:
        assert len(secret) >= 16, "secret too short"
        self.tokens = self._derive(secret, b"tokens")
        self.csrf = self._derive(secret, b"csrf")

    @staticmethod
    def _derive(secret: bytes, purpose: bytes) -> bytes:
        return hmac.new(secret, b"metaexpo/" + purpose, hashlib.sha256).digest()


def load_secret(settings: Settings) -> bytes:
    """The secret from ``settings.secret_key``, else from (or newly into) ``<data-dir>/secret_key``.

    Raises :class:`ConfigError` if the configured key is too short or the file
    cannot be read or made.
    """
    if settings.secret_key is not None:
        value = settings.secret_key.get_secret_value()
        if len(value) < MIN_KEY_CHARS:
            raise ConfigError(
                f"--secret-key / METAEXPO_SECRET_KEY is {len(value)} characters; use at least "
                f"{MIN_KEY_CHARS} random ones, e.g. from: python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))'"
            )
        return value.encode("utf-8")
    path = settings.data_dir / SECRET_FILE
    try:
        return _read_or_create(path)
    except OSError as exc:
        raise ConfigError(f"cannot read or create the secret key file {path}: {exc}") from None


def _read_or_create(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(32) + "\n")
                out.flush()
                os.fsync(out.fileno())
            with contextlib.suppress(FileExistsError):
                os.link(temp, path)  # atomic, never replaces: the first node's key wins
                log.info("generated a new secret key in %s", path)
        finally:
            temp.unlink(missing_ok=True)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning("%s was readable by others (mode %o); made it 0600", path, mode)
        path.chmod(0o600)
    value = path.read_text().strip()
    if len(value) < MIN_KEY_CHARS:
        raise OSError(f"it holds {len(value)} characters, expected at least {MIN_KEY_CHARS}")
    return value.encode("utf-8")
