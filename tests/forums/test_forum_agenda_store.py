"""The agenda in the database: seeded once from the catalog, then edited by staff only while
scheduled, every change audit-logged; Q&A rows and people."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from metaexpo.auth.secret import Keys
from metaexpo.errors import Conflict, Invalid, NotFound
from metaexpo.forums.agenda import Agenda, parse_draft
from metaexpo.forums.people import People
from metaexpo.forums.questions import Bucket, Questions, clean_question
from metaexpo.forums.roles import Actor, ForumRole
from metaexpo.forums.seed import first_ahead, opening_date, seed_agenda
from metaexpo.scenes import load_catalog
from metaexpo.store import Database
from metaexpo.store.schema import AuditEntry, ForumSession, User, utcnow
from metaexpo.tokens import TokenSigner
from tests.forums.conftest import FORUM_HALL, STAFF, draft

SCENES = Path(__file__).resolve().parents[2] / "scenes"
GUEST = Actor("guest", "guest-1", "Ana")


def test_seeding_writes_each_catalog_session_once_and_keeps_deleted_ones_away(
    db: Database,
) -> None:
    catalog = load_catalog(SCENES)
    opens = date(2025, 11, 20)
    added = seed_agenda(db, catalog.forum_sessions, opens, catalog.time_zone)
    assert added == [s.id for s in catalog.forum_sessions]
    assert seed_agenda(db, catalog.forum_sessions, opens, catalog.time_zone) == []
    agenda = Agenda(db, [FORUM_HALL])
    keynote = agenda.get("opening-keynote")
    assert keynote.starts_at == datetime(2025, 11, 20, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai
    assert keynote.local_start.strftime("%H:%M") == "09:30"
    agenda.delete(STAFF, "opening-keynote")
    assert seed_agenda(db, catalog.forum_sessions, opens, catalog.time_zone) == []
    assert "opening-keynote" not in [s.id for s in agenda.sessions()]


def test_opening_date_is_the_setting_else_remembered_else_ahead(db: Database) -> None:
    catalog = load_catalog(SCENES)
    zone = catalog.time_zone
    early = datetime(2025, 6, 1, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai: before the 09:30 keynote
    late = datetime(2025, 6, 1, 6, 0, tzinfo=UTC)  # 14:00: the keynote has started
    assert first_ahead(catalog.forum_sessions, zone, early) == date(2025, 6, 1)
    assert first_ahead(catalog.forum_sessions, zone, late) == date(2025, 6, 2)
    assert opening_date(db, date(2030, 1, 1), catalog.forum_sessions, zone, late) == date(
        2030, 1, 1
    )
    seed_agenda(db, catalog.forum_sessions, date(2025, 6, 2), zone)
    later = late + timedelta(days=40)
    assert opening_date(db, None, catalog.forum_sessions, zone, later) == date(2025, 6, 2)


def test_staff_create_edit_and_delete_scheduled_sessions_with_audit(agenda: Agenda) -> None:
    view = agenda.get("talk")
    assert view.state == "scheduled" and view.revision == 0
    changed = agenda.update(STAFF, "talk", draft("ignored", 2))
    assert changed.id == "talk" and changed.revision == 1
    made = agenda.create(STAFF, draft(None))  # type: ignore[arg-type]
    assert made.id == "a-talk"
    agenda.delete(STAFF, "other")
    with pytest.raises(NotFound):
        agenda.get("other")
    with pytest.raises(Conflict, match="taken"):
        agenda.create(STAFF, draft("other"))
    with agenda.db.reading() as session:
        actions = [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == [
        "forum_created",
        "forum_created",
        "forum_edited",
        "forum_created",
        "forum_deleted",
    ]


def test_a_session_that_went_live_can_no_longer_be_edited_or_deleted(agenda: Agenda) -> None:
    with agenda.db.transaction() as session:
        row = session.get(ForumSession, "talk")
        assert row is not None
        row.state = "live"
    with pytest.raises(Conflict, match="only a scheduled session"):
        agenda.update(STAFF, "talk", draft("talk"))
    with pytest.raises(Conflict, match="only a scheduled session"):
        agenda.delete(STAFF, "talk")


def test_bad_drafts_list_every_problem() -> None:
    start = datetime(2025, 1, 1, 9, tzinfo=UTC)
    with pytest.raises(Invalid) as caught:
        parse_draft(
            {
                "forum_hall": "nowhere",
                "title": {"zh": "", "en": "x"},
                "abstract": {"zh": "a", "en": "b"},
                "starts_at": start.isoformat(),
                "ends_at": (start - timedelta(hours=1)).isoformat(),
                "time_zone": "Mars/Olympus",
            },
            [FORUM_HALL],
        )
    wheres = {p["where"] for p in caught.value.problems or []}
    assert {"title.zh", "time_zone"} <= wheres
    with pytest.raises(Invalid, match="must end after it starts"):
        parse_draft(
            {
                "forum_hall": FORUM_HALL,
                "title": {"zh": "题", "en": "T"},
                "abstract": {"zh": "a", "en": "b"},
                "starts_at": start.isoformat(),
                "ends_at": start.isoformat(),
            },
            [FORUM_HALL],
        )
    with pytest.raises(Invalid, match="no forum hall 'nowhere'"):
        parse_draft(
            {
                "forum_hall": "nowhere",
                "title": {"zh": "题", "en": "T"},
                "abstract": {"zh": "a", "en": "b"},
                "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(hours=1)).isoformat(),
            },
            [FORUM_HALL],
        )


def _user(db: Database, login: str, role: str) -> Actor:
    with db.transaction() as session:
        user = User(
            id=login[:1] * 32,
            login=login,
            display_name=login,
            role=role,
            password_hash="x",
            disabled=False,
            token_epoch=0,
            created_at=utcnow(),
        )
        session.add(user)
    return Actor("account", user.id, login, role)


def people(db: Database) -> People:
    return People(db, TokenSigner(Keys(b"k" * 32).tokens), 3600, 3600)


def test_roles_come_from_the_database_per_session(agenda: Agenda) -> None:
    db = agenda.db
    book = people(db)
    moderator = _user(db, "mod@expo.test", "exhibitor")
    _user(db, "staff@expo.test", "staff")
    book.name_moderator(STAFF, "talk", "mod@expo.test")
    assert book.roles("talk", moderator) == {ForumRole.MODERATOR, ForumRole.AUDIENCE}
    assert book.roles("other", moderator) == {ForumRole.AUDIENCE}
    assert ForumRole.STAFF in book.roles("talk", STAFF)
    book.remove_moderator(STAFF, "talk", "mod@expo.test")
    assert book.roles("talk", moderator) == {ForumRole.AUDIENCE}
    with pytest.raises(NotFound):
        book.roles("nowhere", moderator)


def test_a_speaker_link_works_once_for_one_session_until_revoked(agenda: Agenda) -> None:
    book = people(agenda.db)
    _user(agenda.db, "staff@expo.test", "staff")
    secret, speaker = book.invite_speaker(STAFF, "talk", "Lin Xiaolan")
    assert book.invite_info(secret) is not None
    signed = book.accept(secret)
    with pytest.raises(NotFound, match="not valid"):
        book.accept(secret)
    actor = book.speaker_actor(signed.token.token)
    assert actor is not None and actor.speaker_session == "talk"
    assert ForumRole.SPEAKER in book.roles("talk", actor)
    assert ForumRole.SPEAKER not in book.roles("other", actor)
    book.revoke_speaker(STAFF, "talk", speaker.id)
    assert book.speaker_actor(signed.token.token) is None
    assert ForumRole.SPEAKER not in book.roles("talk", actor)


def test_questions_are_pending_until_approved_and_ordered_pinned_then_votes(
    agenda: Agenda,
) -> None:
    qa = Questions(agenda.db)
    first = qa.ask("talk", "guest-1", "Ana", "How fast?")
    second = qa.ask("talk", "guest-2", None, "<script>alert(1)</script>")
    third = qa.ask("talk", "guest-3", "Bo", "Why?")
    assert qa.top("talk") == []
    for q in (first, second, third):
        qa.moderate("mod", "talk", q.id, "approve")
    qa.vote("talk", third.id, "guest-1")
    qa.vote("talk", third.id, "guest-2")
    qa.vote("talk", second.id, "guest-1")
    qa.moderate("mod", "talk", first.id, "pin")
    assert [q.id for q in qa.top("talk")] == [first.id, third.id, second.id]
    assert qa.top("talk")[2].text == "<script>alert(1)</script>"  # stored as text, verbatim
    qa.moderate("mod", "talk", third.id, "answered")
    assert [q.id for q in qa.top("talk")] == [first.id, second.id]
    assert [q.id for q in qa.answered("talk")] == [third.id]
    qa.moderate("mod", "talk", second.id, "hide")
    assert [q.id for q in qa.top("talk")] == [first.id]


def test_a_visitor_upvotes_a_question_once_and_only_shown_ones(agenda: Agenda) -> None:
    qa = Questions(agenda.db)
    question = qa.ask("talk", "guest-1", "Ana", "How?")
    with pytest.raises(NotFound):
        qa.vote("talk", question.id, "guest-2")  # still pending
    qa.moderate("mod", "talk", question.id, "approve")
    assert qa.vote("talk", question.id, "guest-2").votes == 1
    with pytest.raises(Conflict, match="already"):
        qa.vote("talk", question.id, "guest-2")
    with pytest.raises(NotFound):
        qa.vote("other", question.id, "guest-3")  # another session's question
    assert qa.top("talk")[0].votes == 1


def test_question_text_is_checked_like_chat() -> None:
    assert clean_question("  Why?  ", 300) == "Why?"
    for bad in ("", "   ", "x" * 301, "a\x00b", "evil\u202eeman"):
        with pytest.raises(Invalid):
            clean_question(bad, 300)


def test_bucket_allows_bursts_then_the_rate_and_spaces_slow_mode() -> None:
    now = [0.0]
    bucket = Bucket(2, 6, clock=lambda: now[0])  # 2 at once, then one per 10 s
    assert bucket.take("a") == 0 and bucket.take("a") == 0
    assert bucket.take("a") > 9
    assert bucket.take("b") == 0
    now[0] = 10.0
    assert bucket.take("a") == 0
    assert bucket.take("b", min_gap_s=30) > 0  # slow mode: 30 s between two
