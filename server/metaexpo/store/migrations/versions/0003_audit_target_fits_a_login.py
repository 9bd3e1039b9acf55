"""The audit log's target holds any sign-in name (254 characters), not only booth ids.

PostgreSQL enforces ``VARCHAR`` lengths (SQLite does not): a sign-in, invite
or account change of a person with a sign-in name over 100 characters failed
to write its audit entry, and with it the change.

Revision ID: 0003_audit_target_fits_a_login
Revises: 0002_forums
Create Date: 2025-06-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_audit_target_fits_a_login"
down_revision: str | None = "0002_forums"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Widen ``audit_log.target`` to 300 characters."""
    with op.batch_alter_table("audit_log") as batch:
        batch.alter_column(
            "target", existing_type=sa.String(length=100), type_=sa.String(length=300)
        )


def downgrade() -> None:
    """Undo: narrow ``audit_log.target`` to 100 characters again."""
    with op.batch_alter_table("audit_log") as batch:
        batch.alter_column(
            "target", existing_type=sa.String(length=300), type_=sa.String(length=100)
        )
