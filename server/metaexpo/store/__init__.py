"""Durable storage: the SQLAlchemy schema, the database (SQLite WAL or PostgreSQL), migrations,
repositories for accounts, booths, uploads and the audit log, and backup/restore.

Files live beside the database in ``<data-dir>/assets`` (content-addressed,
written atomically by :mod:`metaexpo.models.store`); rows name them by hash.
"""

from metaexpo.store.database import Database, open_database

__all__ = ["Database", "open_database"]
