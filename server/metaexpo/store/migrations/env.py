"""Alembic's environment: migrate the connection :mod:`metaexpo.store.migrate` hands over.

There is no ``alembic.ini`` and no URL here: the server (or a test) opens
the engine and passes a connection in ``config.attributes["connection"]``.
"""

from __future__ import annotations

from alembic import context

from metaexpo.store.schema import Base

connection = context.config.attributes.get("connection")
assert connection is not None, "run migrations through metaexpo.store.migrate"

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.engine.url.get_backend_name() == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
