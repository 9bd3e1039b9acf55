"""Forums: sessions of the agenda, moderators, speakers, slide decks, live state, Q&A, replays.

Revision ID: 0002_forums
Revises: 0001_initial
Create Date: 2025-02-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_forums"
down_revision: str | None = "0001_initial"
branch_labels: str | None = None
depends_on: str | None = None

_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the forum tables."""
    op.create_table(
        "forum_sessions",
        sa.Column("id", sa.String(length=48), nullable=False),
        sa.Column("forum_hall", sa.String(length=48), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("abstract", sa.JSON(), nullable=False),
        sa.Column("speakers", sa.JSON(), nullable=False),
        sa.Column("starts_at", _TIME, nullable=False),
        sa.Column("ends_at", _TIME, nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.Column("went_live_at", _TIME, nullable=True),
        sa.Column("ended_at", _TIME, nullable=True),
        sa.Column("deleted_at", _TIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_sessions")),
    )
    op.create_index(
        op.f("ix_forum_sessions_starts_at"), "forum_sessions", ["starts_at"], unique=False
    )
    op.create_index(op.f("ix_forum_sessions_state"), "forum_sessions", ["state"], unique=False)
    op.create_table(
        "forum_files",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("media_type", sa.String(length=64), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_forum_files")),
    )
    op.create_table(
        "forum_moderators",
        sa.Column("session_id", sa.String(length=48), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("named_by", sa.String(length=32), nullable=True),
        sa.Column("named_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["named_by"], ["users.id"], name=op.f("fk_forum_moderators_named_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["forum_sessions.id"],
            name=op.f("fk_forum_moderators_session_id_forum_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_forum_moderators_user_id_users")
        ),
        sa.PrimaryKeyConstraint("session_id", "user_id", name=op.f("pk_forum_moderators")),
    )
    op.create_index(
        op.f("ix_forum_moderators_user_id"), "forum_moderators", ["user_id"], unique=False
    )
    op.create_table(
        "forum_speakers",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("session_id", sa.String(length=48), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("expires_at", _TIME, nullable=False),
        sa.Column("used_at", _TIME, nullable=True),
        sa.Column("revoked_at", _TIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_forum_speakers_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["forum_sessions.id"],
            name=op.f("fk_forum_speakers_session_id_forum_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_speakers")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_forum_speakers_token_hash")),
    )
    op.create_index(
        op.f("ix_forum_speakers_session_id"), "forum_speakers", ["session_id"], unique=False
    )
    op.create_table(
        "forum_decks",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("session_id", sa.String(length=48), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("pages", sa.JSON(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=300), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["forum_sessions.id"],
            name=op.f("fk_forum_decks_session_id_forum_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_decks")),
    )
    op.create_index(op.f("ix_forum_decks_session_id"), "forum_decks", ["session_id"], unique=False)
    op.create_table(
        "forum_live",
        sa.Column("session_id", sa.String(length=48), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["forum_sessions.id"],
            name=op.f("fk_forum_live_session_id_forum_sessions"),
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_forum_live")),
    )
    op.create_table(
        "forum_slide_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.String(length=48), nullable=False),
        sa.Column("at", _TIME, nullable=False),
        sa.Column("deck_id", sa.String(length=32), nullable=True),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["forum_sessions.id"],
            name=op.f("fk_forum_slide_events_session_id_forum_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_slide_events")),
    )
    op.create_index(
        op.f("ix_forum_slide_events_session_id"),
        "forum_slide_events",
        ["session_id"],
        unique=False,
    )
    op.create_table(
        "forum_questions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.String(length=48), nullable=False),
        sa.Column("author_key", sa.String(length=80), nullable=False),
        sa.Column("author_name", sa.String(length=64), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("answered_at", _TIME, nullable=True),
        sa.Column("votes", sa.Integer(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["forum_sessions.id"],
            name=op.f("fk_forum_questions_session_id_forum_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_questions")),
    )
    op.create_index(
        op.f("ix_forum_questions_session_id"), "forum_questions", ["session_id"], unique=False
    )
    op.create_table(
        "forum_votes",
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("voter_key", sa.String(length=80), nullable=False),
        sa.Column("at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["forum_questions.id"],
            name=op.f("fk_forum_votes_question_id_forum_questions"),
        ),
        sa.PrimaryKeyConstraint("question_id", "voter_key", name=op.f("pk_forum_votes")),
    )
    op.create_table(
        "forum_replays",
        sa.Column("session_id", sa.String(length=48), nullable=False),
        sa.Column("audio_sha", sa.String(length=64), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("timeline", sa.JSON(), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("started_at", _TIME, nullable=False),
        sa.Column("ended_at", _TIME, nullable=False),
        sa.Column("node", sa.String(length=100), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["audio_sha"],
            ["forum_files.sha256"],
            name=op.f("fk_forum_replays_audio_sha_forum_files"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["forum_sessions.id"],
            name=op.f("fk_forum_replays_session_id_forum_sessions"),
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_forum_replays")),
    )


def downgrade() -> None:
    """Drop the forum tables (children first)."""
    for table in (
        "forum_replays",
        "forum_votes",
        "forum_questions",
        "forum_slide_events",
        "forum_live",
        "forum_decks",
        "forum_speakers",
        "forum_moderators",
        "forum_files",
        "forum_sessions",
    ):
        op.drop_table(table)
