"""Exhibitor reach: minute figures per area and run, unique visitors, zone flows, heatmaps, leads.

Revision ID: 0005_analytics
Revises: 0004_moderation
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_analytics"
down_revision: str | None = "0004_moderation"
branch_labels: str | None = None
depends_on: str | None = None

_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the reach tables."""
    op.create_table(
        "reach_minutes",
        sa.Column("run", sa.String(length=120), nullable=False),
        sa.Column("minute", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("area", sa.String(length=64), nullable=False),
        sa.Column("hall", sa.String(length=64), nullable=False),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.Column("dwell_s", sa.Float(), nullable=False),
        sa.Column("occupancy_s", sa.Float(), nullable=False),
        sa.Column("peak", sa.Integer(), nullable=False),
        sa.Column("panel_opens", sa.Integer(), nullable=False),
        sa.Column("link_clicks", sa.Integer(), nullable=False),
        sa.Column("dwell_hist", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("run", "minute", "kind", "area", name=op.f("pk_reach_minutes")),
    )
    op.create_index(op.f("ix_reach_minutes_minute"), "reach_minutes", ["minute"], unique=False)
    op.create_index(
        "ix_reach_minutes_area", "reach_minutes", ["kind", "area", "minute"], unique=False
    )
    op.create_table(
        "reach_visitors",
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("area", sa.String(length=64), nullable=False),
        sa.Column("minute", sa.Integer(), nullable=False),
        sa.Column("visitor", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "kind", "area", "minute", "visitor", name=op.f("pk_reach_visitors")
        ),
    )
    op.create_index(op.f("ix_reach_visitors_minute"), "reach_visitors", ["minute"], unique=False)
    op.create_table(
        "reach_flows",
        sa.Column("run", sa.String(length=120), nullable=False),
        sa.Column("minute", sa.Integer(), nullable=False),
        sa.Column("from_zone", sa.String(length=64), nullable=False),
        sa.Column("to_zone", sa.String(length=64), nullable=False),
        sa.Column("visitors", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "run", "minute", "from_zone", "to_zone", name=op.f("pk_reach_flows")
        ),
    )
    op.create_index(op.f("ix_reach_flows_minute"), "reach_flows", ["minute"], unique=False)
    op.create_table(
        "reach_heat",
        sa.Column("run", sa.String(length=120), nullable=False),
        sa.Column("minute", sa.Integer(), nullable=False),
        sa.Column("hall", sa.String(length=64), nullable=False),
        sa.Column("x0", sa.Float(), nullable=False),
        sa.Column("z0", sa.Float(), nullable=False),
        sa.Column("cell", sa.Float(), nullable=False),
        sa.Column("columns", sa.Integer(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("cells", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("run", "minute", "hall", name=op.f("pk_reach_heat")),
    )
    op.create_index(op.f("ix_reach_heat_minute"), "reach_heat", ["minute"], unique=False)
    op.create_table(
        "leads",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("booth_id", sa.String(length=48), nullable=False),
        sa.Column("visitor", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("consent", sa.Text(), nullable=False),
        sa.Column("withdraw_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leads")),
        sa.UniqueConstraint("booth_id", "visitor", name=op.f("uq_leads_booth_id")),
        sa.UniqueConstraint("withdraw_hash", name=op.f("uq_leads_withdraw_hash")),
    )
    op.create_index(op.f("ix_leads_booth_id"), "leads", ["booth_id"], unique=False)
    op.create_index(op.f("ix_leads_created_at"), "leads", ["created_at"], unique=False)
    op.create_index(op.f("ix_leads_email"), "leads", ["email"], unique=False)
    op.create_index(op.f("ix_leads_phone"), "leads", ["phone"], unique=False)


def downgrade() -> None:
    """Drop the reach tables (their figures and leads go with them)."""
    for index, table in (
        ("ix_leads_phone", "leads"),
        ("ix_leads_email", "leads"),
        ("ix_leads_created_at", "leads"),
        ("ix_leads_booth_id", "leads"),
        ("ix_reach_heat_minute", "reach_heat"),
        ("ix_reach_flows_minute", "reach_flows"),
        ("ix_reach_visitors_minute", "reach_visitors"),
        ("ix_reach_minutes_minute", "reach_minutes"),
    ):
        op.drop_index(op.f(index), table_name=table)
    op.drop_index("ix_reach_minutes_area", table_name="reach_minutes")
    for table in ("leads", "reach_heat", "reach_flows", "reach_visitors", "reach_minutes"):
        op.drop_table(table)
