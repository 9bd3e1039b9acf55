"""The audit log: who changed, approved or refused what, and when.

Entries are added in the same transaction as the change they describe, so
the log never claims a change that did not happen, nor misses one that did.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from metaexpo.roles import Principal
from metaexpo.store.schema import AuditEntry, utcnow


class Action(StrEnum):
    """Everything the log records."""

    STAFF_CREATED = "staff_created"
    PASSWORD_RESET = "password_reset"
    SIGNED_IN = "signed_in"
    SIGN_IN_BLOCKED = "sign_in_blocked"
    INVITE_CREATED = "invite_created"
    INVITE_ACCEPTED = "invite_accepted"
    USER_DISABLED = "user_disabled"
    USER_ENABLED = "user_enabled"
    USER_SIGNED_OUT = "user_signed_out"
    BOOTH_ASSIGNED = "booth_assigned"
    BOOTH_UNASSIGNED = "booth_unassigned"
    DRAFT_EDITED = "draft_edited"
    MODEL_ACCEPTED = "model_accepted"
    MODEL_REFUSED = "model_refused"
    MODEL_REMOVED = "model_removed"
    IMAGE_SET = "image_set"
    IMAGE_REMOVED = "image_removed"
    SCREENS_ORDERED = "screens_ordered"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    APPROVED = "approved"
    REFUSED = "refused"
    PUBLISHED = "published"
    # forums (docs/forums.md)
    FORUM_SEEDED = "forum_seeded"
    FORUM_CREATED = "forum_created"
    FORUM_EDITED = "forum_edited"
    FORUM_DELETED = "forum_deleted"
    FORUM_MODERATOR_NAMED = "forum_moderator_named"
    FORUM_MODERATOR_REMOVED = "forum_moderator_removed"
    FORUM_SPEAKER_INVITED = "forum_speaker_invited"
    FORUM_SPEAKER_SIGNED_IN = "forum_speaker_signed_in"
    FORUM_SPEAKER_REVOKED = "forum_speaker_revoked"
    FORUM_SLIDES_ADDED = "forum_slides_added"
    FORUM_SLIDES_REFUSED = "forum_slides_refused"
    FORUM_LIVE = "forum_live"
    FORUM_ENDED = "forum_ended"
    FORUM_REPLAY = "forum_replay"
    FORUM_SLIDE = "forum_slide"
    FORUM_QUESTION_MODERATED = "forum_question_moderated"
    FORUM_STAGE = "forum_stage"
    FORUM_MIC_CUT = "forum_mic_cut"
    FORUM_SLOW_MODE = "forum_slow_mode"
    # the live hall (docs/moderation.md)
    MOD_MUTE = "mod_mute"
    MOD_UNMUTE = "mod_unmute"
    MOD_KICK = "mod_kick"
    MOD_BAN = "mod_ban"
    MOD_UNBAN = "mod_unban"
    MOD_DELETE = "mod_delete"
    MOD_SLOW = "mod_slow"
    REPORT_FILED = "report_filed"
    REPORT_CLOSED = "report_closed"
    VOICE_QUIET = "voice_quiet"
    # exhibitor reach (docs/privacy.md)
    CARDS_ERASED = "cards_erased"
    CARDS_LOOKED_UP = "cards_looked_up"


#: Longest target the log keeps (the column's width: a sign-in name fits).
MAX_TARGET_CHARS = 300


def record(
    session: Session,
    actor: Principal | str,
    action: Action,
    target: str,
    *,
    actor_id: str | None = None,
    **details: Any,
) -> None:
    """Add one entry; ``actor`` is a principal or a description (e.g. ``"command line"``,
    or a staff member in the hall, whose account id is then ``actor_id``)."""
    session.add(
        AuditEntry(
            at=utcnow(),
            actor_id=actor.user_id if isinstance(actor, Principal) else actor_id,
            actor=actor.describe() if isinstance(actor, Principal) else actor[:300],
            action=str(action),
            target=target[:MAX_TARGET_CHARS],
            details=details,
        )
    )


def recent(session: Session, limit: int = 200, target: str | None = None) -> list[AuditEntry]:
    """The newest entries first (of one target, if given)."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if target is not None:
        query = query.where(AuditEntry.target == target)
    return list(session.scalars(query))
