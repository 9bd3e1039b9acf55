"""Voice: staff's voice-free places of each room, kept across restarts and for new nodes.

Revision ID: 0006_quiet_places
Revises: 0005_analytics
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_quiet_places"
down_revision: str | None = "0005_analytics"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create the quiet_places table."""
    op.create_table(
        "quiet_places",
        sa.Column("room", sa.String(length=64), nullable=False),
        sa.Column("hall", sa.Boolean(), nullable=False),
        sa.Column("zones", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("room", name=op.f("pk_quiet_places")),
    )


def downgrade() -> None:
    """Drop the quiet_places table."""
    op.drop_table("quiet_places")
