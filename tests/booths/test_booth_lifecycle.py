"""A booth from first edit to live and beyond, through the real services on real SQLite and
real PostgreSQL.

Drafts, submissions, approvals, refusals, publication, the upload lifecycle
following its revision, an approval interrupted before publication, and the
audit log.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from metaexpo.auth.commands import create_staff
from metaexpo.booths.consistency import check_consistency
from metaexpo.booths.files import assets_root
from metaexpo.config import PROJECT_ROOT, Settings
from metaexpo.errors import Conflict, Forbidden, Invalid
from metaexpo.http.office import BackOffice
from metaexpo.models import object_path
from metaexpo.roles import Principal
from metaexpo.scenes import load_catalog
from metaexpo.store.audit import recent
from metaexpo.store.schema import Upload
from tests.backoffice import BOX, DUCK

CATALOG = load_catalog(PROJECT_ROOT / "scenes")
BOOTH = "retail-01"


class Desk:
    """A back office with one staff member and one exhibitor owning BOOTH."""

    def __init__(self, data_dir: Path, database_url: str | None) -> None:
        self.data_dir = data_dir
        self.settings = Settings(data_dir=data_dir, model_workers=0, database_url=database_url)
        self.office = BackOffice.open(self.settings, CATALOG)
        create_staff(self.office.db, "boss@expo.test", "Boss", "staff-password-1")
        self.staff = self.office.accounts.sign_in("boss@expo.test", "staff-password-1", "test")
        invites = self.office.invites
        secret, _ = invites.create(self.staff, "ex@firm.test", "Ex", "exhibitor", [BOOTH])
        self.exhibitor = invites.accept(secret, "exhibitor-pass-1", "test")

    def reopen(self) -> None:
        self.office.close()
        self.office = BackOffice.open(self.settings, CATALOG)

    def upload(self, who: Principal, source: Path) -> str:
        booth = self.office.uploads.check_allowed(who, BOOTH)
        temp = self.data_dir / f"{source.name}.part"
        shutil.copyfile(source, temp)
        view = asyncio.run(self.office.uploads.process(who, booth, temp, source.name))
        return view.id

    def content(self, name: str) -> dict[str, Any]:
        data = dict(self.office.editing.workspace(self.exhibitor, BOOTH).content)
        data["exhibitor"] = {**data["exhibitor"], "name": {"zh": name, "en": name}}
        return data

    def submit_and_approve(self) -> dict[str, Any]:
        workspace = self.office.editing.submit(self.exhibitor, BOOTH)
        assert workspace.open is not None
        self.office.moderation.approve(self.staff, workspace.open.id)
        return self.office.moderation.publish(workspace.open.id, self.staff)

    def upload_state(self, upload_id: str) -> str:
        with self.office.db.reading() as session:
            row = session.get(Upload, upload_id)
            assert row is not None
            return row.state


@pytest.fixture
def desk(tmp_path: Path, database_url: str | None) -> Iterator[Desk]:
    desk = Desk(tmp_path, database_url)
    yield desk
    assert check_consistency(desk.office.db, tmp_path, hash_files=True) == []
    desk.office.close()


def test_a_first_edit_creates_a_draft_copied_from_the_catalog(desk: Desk) -> None:
    before = desk.office.editing.workspace(desk.exhibitor, BOOTH)
    assert before.open is None and before.live["revision"] == 0
    after = desk.office.editing.save_content(desk.exhibitor, BOOTH, desk.content("New name"))
    assert after.open is not None and after.open.state == "draft" and after.open.number == 1
    assert after.open.content["exhibitor"]["tagline"] == before.content["exhibitor"]["tagline"]
    assert desk.office.live.payloads()[BOOTH]["revision"] == 0, "drafts are not live"


def test_approval_puts_a_revision_live_and_retires_the_one_before(desk: Desk) -> None:
    first = desk.upload(desk.exhibitor, DUCK)
    payload = desk.submit_and_approve()
    assert payload["revision"] == 1 and payload["model"].endswith(".glb")
    assert desk.upload_state(first) == "live"

    second = desk.upload(desk.exhibitor, BOX)
    payload = desk.submit_and_approve()
    assert payload["revision"] == 2
    assert desk.upload_state(first) == "retired"
    assert desk.upload_state(second) == "live"
    states = [r.state for r in desk.office.editing.history(desk.exhibitor, BOOTH)]
    assert states == ["live", "retired"]


def test_editing_texts_keeps_the_live_model_live(desk: Desk) -> None:
    upload = desk.upload(desk.exhibitor, DUCK)
    model = desk.submit_and_approve()["model"]
    desk.office.editing.save_content(desk.exhibitor, BOOTH, desk.content("Texts only"))
    payload = desk.submit_and_approve()
    assert payload["model"] == model and payload["exhibitor"]["name"]["en"] == "Texts only"
    assert desk.upload_state(upload) == "live"


def test_a_replaced_draft_model_is_superseded(desk: Desk) -> None:
    first = desk.upload(desk.exhibitor, DUCK)
    second = desk.upload(desk.exhibitor, BOX)
    assert (desk.upload_state(first), desk.upload_state(second)) == ("superseded", "normalised")


def test_a_refusal_keeps_its_reason_and_the_next_edit_starts_from_the_refused_work(
    desk: Desk,
) -> None:
    desk.office.editing.save_content(desk.exhibitor, BOOTH, desk.content("Too loud"))
    upload = desk.upload(desk.exhibitor, DUCK)
    revision = desk.office.editing.submit(desk.exhibitor, BOOTH).open
    assert revision is not None
    desk.office.moderation.refuse(desk.staff, revision.id, "Please use your real company name.")
    workspace = desk.office.editing.workspace(desk.exhibitor, BOOTH)
    assert workspace.open is None
    assert workspace.last_decision is not None
    assert workspace.last_decision.reason == "Please use your real company name."
    assert desk.upload_state(upload) == "declined"
    summary = desk.office.editing.summaries(desk.exhibitor)[0]
    assert summary.refused_reason == "Please use your real company name."
    again = desk.office.editing.save_content(desk.exhibitor, BOOTH, desk.content("Fixed"))
    assert again.open is not None and again.open.number == 2
    assert again.open.model_url == revision.model_url, "the refused work is the starting point"


def test_a_refusal_needs_a_reason(desk: Desk) -> None:
    desk.office.editing.save_content(desk.exhibitor, BOOTH, desk.content("x"))
    revision = desk.office.editing.submit(desk.exhibitor, BOOTH).open
    assert revision is not None
    with pytest.raises(Invalid, match="reason"):
        desk.office.moderation.refuse(desk.staff, revision.id, "   ")


def test_a_submission_is_frozen_until_withdrawn(desk: Desk) -> None:
    desk.office.editing.save_content(desk.exhibitor, BOOTH, desk.content("Submitted"))
    desk.office.editing.submit(desk.exhibitor, BOOTH)
    with pytest.raises(Conflict, match="withdraw"):
        desk.office.editing.save_content(desk.exhibitor, BOOTH, desk.content("Sneaky"))
    with pytest.raises(Conflict, match="withdraw"):
        desk.office.uploads.check_allowed(desk.exhibitor, BOOTH)
    desk.office.editing.withdraw(desk.exhibitor, BOOTH)
    workspace = desk.office.editing.save_content(desk.exhibitor, BOOTH, desk.content("Edited"))
    assert workspace.open is not None and workspace.open.state == "draft"


def test_only_a_submitted_revision_can_be_approved(desk: Desk) -> None:
    workspace = desk.office.editing.save_content(desk.exhibitor, BOOTH, desk.content("Draft"))
    assert workspace.open is not None
    with pytest.raises(Conflict, match="not been submitted"):
        desk.office.moderation.approve(desk.staff, workspace.open.id)
    with pytest.raises(Forbidden):
        desk.office.moderation.approve(desk.exhibitor, workspace.open.id)


def test_an_approval_interrupted_before_publication_is_published_at_the_next_start(
    desk: Desk,
) -> None:
    desk.upload(desk.exhibitor, DUCK)
    revision = desk.office.editing.submit(desk.exhibitor, BOOTH).open
    assert revision is not None
    desk.office.moderation.approve(desk.staff, revision.id)
    assert desk.office.live.payloads()[BOOTH]["revision"] == 0
    desk.reopen()
    live = desk.office.live.payloads()[BOOTH]
    assert live["revision"] == 1 and live["model"] == revision.model_url


def test_a_revision_whose_file_vanished_is_not_approved(desk: Desk) -> None:
    desk.upload(desk.exhibitor, DUCK)
    revision = desk.office.editing.submit(desk.exhibitor, BOOTH).open
    assert revision is not None and revision.model_url is not None
    sha = revision.model_url.removeprefix("/assets/").removesuffix(".glb")
    path = object_path(assets_root(desk.data_dir), sha)
    saved = path.read_bytes()
    path.unlink()
    try:
        with pytest.raises(Conflict, match="not on disk"):
            desk.office.moderation.approve(desk.staff, revision.id)
    finally:
        path.write_bytes(saved)
    assert desk.office.live.payloads()[BOOTH]["revision"] == 0


def test_the_audit_log_names_who_did_what(desk: Desk) -> None:
    desk.upload(desk.exhibitor, DUCK)
    desk.submit_and_approve()
    with desk.office.db.reading() as session:
        entries = [(e.actor, e.action) for e in recent(session, target=BOOTH)]
    assert entries == [
        ("staff boss@expo.test", "published"),
        ("staff boss@expo.test", "approved"),
        ("exhibitor ex@firm.test", "submitted"),
        ("exhibitor ex@firm.test", "model_accepted"),
    ]


def test_a_refused_upload_is_recorded_with_its_problems_and_names_no_file(desk: Desk) -> None:
    bad = desk.data_dir / "bad.glb"
    bad.write_bytes(b"glTF" + bytes(60))
    booth = desk.office.uploads.check_allowed(desk.exhibitor, BOOTH)
    with pytest.raises(Invalid, match="refused"):
        asyncio.run(desk.office.uploads.process(desk.exhibitor, booth, bad, "bad.glb"))
    with desk.office.db.reading() as session:
        row = session.scalars(select(Upload)).one()
    assert row.state == "refused" and row.model_sha is None and row.original_sha is None
    assert row.report["problems"][0]["code"]


def test_publishing_an_already_live_revision_again_changes_nothing(desk: Desk) -> None:
    desk.upload(desk.exhibitor, DUCK)
    first = desk.submit_and_approve()
    revision_id = desk.office.editing.history(desk.exhibitor, BOOTH)[0].id
    assert desk.office.moderation.publish(revision_id, desk.staff) == first
    assert [r.state for r in desk.office.editing.history(desk.exhibitor, BOOTH)] == ["live"]
