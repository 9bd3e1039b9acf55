"""Alembic migrations of the expo database (run by :mod:`metaexpo.store.migrate`)."""
