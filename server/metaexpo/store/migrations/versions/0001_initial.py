"""The first schema: accounts, sessions, invites, booth ownership, revisions, uploads, files, audit.

Revision ID: 0001_initial
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create every table."""
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.String(length=32), nullable=True),
        sa.Column("actor", sa.String(length=300), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("target", sa.String(length=100), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"], unique=False)
    op.create_index("ix_audit_log_target", "audit_log", ["target"], unique=False)
    op.create_table(
        "stored_files",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("media_type", sa.String(length=64), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_stored_files")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("login", sa.String(length=254), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("token_epoch", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("login", name=op.f("uq_users_login")),
    )
    op.create_table(
        "booth_owners",
        sa.Column("booth_id", sa.String(length=48), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("assigned_by", sa.String(length=32), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assigned_by"], ["users.id"], name=op.f("fk_booth_owners_assigned_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_booth_owners_user_id_users")
        ),
        sa.PrimaryKeyConstraint("booth_id", "user_id", name=op.f("pk_booth_owners")),
    )
    op.create_index(op.f("ix_booth_owners_user_id"), "booth_owners", ["user_id"], unique=False)
    op.create_table(
        "invites",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("login", sa.String(length=254), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("booths", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_by", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_invites_created_by_users")
        ),
        sa.ForeignKeyConstraint(["used_by"], ["users.id"], name=op.f("fk_invites_used_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invites")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invites_token_hash")),
    )
    op.create_table(
        "login_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_login_sessions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_login_sessions")),
    )
    op.create_index(op.f("ix_login_sessions_user_id"), "login_sessions", ["user_id"], unique=False)
    op.create_table(
        "uploads",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("booth_id", sa.String(length=48), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("original_sha", sa.String(length=64), nullable=True),
        sa.Column("model_sha", sa.String(length=64), nullable=True),
        sa.Column("preview_sha", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_sha"], ["stored_files.sha256"], name=op.f("fk_uploads_model_sha_stored_files")
        ),
        sa.ForeignKeyConstraint(
            ["original_sha"],
            ["stored_files.sha256"],
            name=op.f("fk_uploads_original_sha_stored_files"),
        ),
        sa.ForeignKeyConstraint(
            ["preview_sha"],
            ["stored_files.sha256"],
            name=op.f("fk_uploads_preview_sha_stored_files"),
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_uploads_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_uploads")),
    )
    op.create_index(op.f("ix_uploads_booth_id"), "uploads", ["booth_id"], unique=False)
    op.create_table(
        "booth_revisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("booth_id", sa.String(length=48), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("upload_id", sa.String(length=32), nullable=True),
        sa.Column("model_sha", sa.String(length=64), nullable=True),
        sa.Column("logo_sha", sa.String(length=64), nullable=True),
        sa.Column("poster_sha", sa.String(length=64), nullable=True),
        sa.Column("author_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_booth_revisions_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_booth_revisions_decided_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["logo_sha"],
            ["stored_files.sha256"],
            name=op.f("fk_booth_revisions_logo_sha_stored_files"),
        ),
        sa.ForeignKeyConstraint(
            ["model_sha"],
            ["stored_files.sha256"],
            name=op.f("fk_booth_revisions_model_sha_stored_files"),
        ),
        sa.ForeignKeyConstraint(
            ["poster_sha"],
            ["stored_files.sha256"],
            name=op.f("fk_booth_revisions_poster_sha_stored_files"),
        ),
        sa.ForeignKeyConstraint(
            ["upload_id"], ["uploads.id"], name=op.f("fk_booth_revisions_upload_id_uploads")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booth_revisions")),
        sa.UniqueConstraint("booth_id", "number", name=op.f("uq_booth_revisions_booth_id")),
    )
    op.create_index(
        op.f("ix_booth_revisions_booth_id"), "booth_revisions", ["booth_id"], unique=False
    )
    op.create_index(op.f("ix_booth_revisions_state"), "booth_revisions", ["state"], unique=False)
    op.create_table(
        "live_booths",
        sa.Column("booth_id", sa.String(length=48), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["booth_revisions.id"],
            name=op.f("fk_live_booths_revision_id_booth_revisions"),
        ),
        sa.PrimaryKeyConstraint("booth_id", name=op.f("pk_live_booths")),
    )


def downgrade() -> None:
    """Drop every table (children first)."""
    for table in (
        "live_booths",
        "booth_revisions",
        "uploads",
        "login_sessions",
        "invites",
        "booth_owners",
        "users",
        "stored_files",
        "audit_log",
    ):
        op.drop_table(table)
