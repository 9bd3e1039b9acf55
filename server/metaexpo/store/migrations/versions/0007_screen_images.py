"""Booths: each revision's screen images, the pictures the booth screen's slideshow cycles.

Revision ID: 0007_screen_images
Revises: 0006_quiet_places
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_screen_images"
down_revision: str | None = "0006_quiet_places"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Add booth_revisions.screen_shas (every existing revision: no screen images)."""
    with op.batch_alter_table("booth_revisions") as batch:
        batch.add_column(
            sa.Column("screen_shas", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )


def downgrade() -> None:
    """Drop booth_revisions.screen_shas."""
    with op.batch_alter_table("booth_revisions") as batch:
        batch.drop_column("screen_shas")
