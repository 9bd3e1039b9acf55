"""Moderation: visitors' reports of people and chat lines in the hall.

Revision ID: 0004_moderation
Revises: 0003_audit_target_fits_a_login
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_moderation"
down_revision: str | None = "0003_audit_target_fits_a_login"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create the reports table."""
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("room", sa.String(length=64), nullable=False),
        sa.Column("reporter", sa.String(length=100), nullable=False),
        sa.Column("reporter_id", sa.String(length=64), nullable=True),
        sa.Column("target_wire", sa.Integer(), nullable=False),
        sa.Column("target_name", sa.String(length=100), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=True),
        sa.Column("line_id", sa.String(length=80), nullable=True),
        sa.Column("line_text", sa.Text(), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("closed_by", sa.String(length=300), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=300), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
    )
    op.create_index(op.f("ix_reports_at"), "reports", ["at"], unique=False)
    op.create_index(op.f("ix_reports_state"), "reports", ["state"], unique=False)


def downgrade() -> None:
    """Drop the reports table."""
    op.drop_index(op.f("ix_reports_state"), table_name="reports")
    op.drop_index(op.f("ix_reports_at"), table_name="reports")
    op.drop_table("reports")
