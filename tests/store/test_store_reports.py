"""Visitors' reports on every database: filed with their audit entry, listed newest first, closed
once; the longest names, line ids, reasons and staff logins fit (PostgreSQL enforces widths)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from metaexpo.config import Settings
from metaexpo.protocol.moderation import parse_moderation_message
from metaexpo.store import Database, open_database
from metaexpo.store.audit import recent
from metaexpo.store.reports import add_report, close_report, list_reports

#: A staff member's description as the console gives it: role and a sign-in name of 254.
LONGEST_STAFF = "staff " + "s" * 244 + "@expo.test"


@pytest.fixture
def db(tmp_path: Path, database_url: str | None) -> Iterator[Database]:
    database = open_database(Settings(data_dir=tmp_path, database_url=database_url))
    yield database
    database.close()


def longest_report() -> dict[str, object]:
    names = Settings().name_max_chars
    # The longest line id and reason a visitor's ``report`` may carry (the protocol accepts them).
    reason_chars, line_chars = 300, 80
    parse_moderation_message(
        {"type": "report", "target": 1, "line": "L" * line_chars, "reason": "理" * reason_chars}
    )
    return {
        "room": "main",
        "reporter": "报" * names,
        "reporter_id": "guest-" + "0" * 16,
        "target_wire": 0xFFFFFF,
        "target_name": "名" * names,
        "target_id": "speaker-" + "1" * 32,
        "line_id": "L" * line_chars,
        "line_text": "很长的一行" * 100,
        "reason": "理" * reason_chars,
    }


def test_the_longest_report_is_filed_audited_listed_and_closed_once(db: Database) -> None:
    fields = longest_report()
    with db.transaction() as session:
        filed = add_report(session, **fields)
    with db.transaction() as session:
        closed = close_report(session, filed.id, LONGEST_STAFF, "a" * 32, "报" * 300)
        again = close_report(session, filed.id, LONGEST_STAFF, "a" * 32, "twice")
    with db.reading() as session:
        open_now = list_reports(session)
        every = list_reports(session, open_only=False)
        actions = [(e.action, e.actor_id) for e in recent(session)]
    assert closed is not None and closed.state == "closed" and closed.outcome == "报" * 300
    assert again is None, "a closed report is not closed again"
    assert open_now == []
    assert [r.reason for r in every] == [fields["reason"]]
    assert every[0].target_name == fields["target_name"]
    assert actions == [("report_closed", "a" * 32), ("report_filed", fields["reporter_id"])]


def test_open_reports_come_newest_first(db: Database) -> None:
    with db.transaction() as session:
        ids = [add_report(session, **{**longest_report(), "reason": f"r{i}"}).id for i in range(3)]
    with db.transaction() as session:
        close_report(session, ids[1], "staff x", None, "done")
    with db.reading() as session:
        assert [r.id for r in list_reports(session)] == [ids[2], ids[0]]
