"""Shared test helpers: paths, and a time factor for slow machines (never a speed assert)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Multiply waits and timeouts by this on a slow or loaded machine (like websockets' MS).
TIME_FACTOR = float(os.environ.get("METAEXPO_TEST_TIME_FACTOR", "1"))

# --- databases: every store test runs on SQLite and on a throwaway PostgreSQL (tests/databases.py)
from tests.databases import (  # noqa: E402
    database_kind,
    database_url,
    empty_database_url,
    module_database_url,
    postgres,
)

__all__ = [
    "database_kind",
    "database_url",
    "empty_database_url",
    "module_database_url",
    "postgres",
]
