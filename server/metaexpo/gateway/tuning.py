"""The sync core's config, built from the server's settings at the edge.

:class:`~metaexpo.config.Settings` stays the one source of every value (its
flags, environment variables and defaults); this picks out the numbers a
room needs, so nothing in :mod:`metaexpo.sync` depends on the whole settings.
"""

from __future__ import annotations

from dataclasses import fields

from metaexpo.config import Settings
from metaexpo.sync.config import SyncConfig


def sync_config(settings: Settings) -> SyncConfig:
    """The sync core's share of ``settings`` (same names, same values)."""
    return SyncConfig(**{f.name: getattr(settings, f.name) for f in fields(SyncConfig)})
