"""What the hall shows for every booth right now: its live revision, else the catalog's.

Read from the database on every call (one small query), so every node of an
expo agrees as soon as an approval commits, whichever node approved it.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from metaexpo.booths.content import BoothContent, catalog_content
from metaexpo.booths.payload import booth_payload
from metaexpo.scenes import Booth, Catalog
from metaexpo.store import Database
from metaexpo.store.schema import BoothRevision, LiveBooth


def revision_payload(booth: Booth, revision: BoothRevision) -> dict[str, Any]:
    """The announcement for ``booth`` showing ``revision``."""
    return booth_payload(
        booth,
        BoothContent.model_validate(revision.content),
        revision.number,
        model_sha=revision.model_sha,
        logo_sha=revision.logo_sha,
        poster_sha=revision.poster_sha,
        screen_shas=revision.screen_shas,
    )


class LiveBooths:
    """The live state of every booth of the catalog."""

    def __init__(self, db: Database, catalog: Catalog) -> None:
        self._db = db
        self._catalog = catalog
        self._defaults = {
            booth.id: booth_payload(booth, catalog_content(catalog, booth), 0)
            for booth in catalog.booths
        }

    def default(self, booth_id: str) -> dict[str, Any]:
        """The booth as the catalog describes it (revision 0)."""
        return dict(self._defaults[booth_id])

    def payloads(self) -> dict[str, dict[str, Any]]:
        """booth id → live payload, for every booth, in catalog order."""
        with self._db.reading() as session:
            live = self.live_rows(session)
        result = {}
        for booth in self._catalog.booths:
            revision = live.get(booth.id)
            result[booth.id] = (
                self._defaults[booth.id] if revision is None else revision_payload(booth, revision)
            )
        return result

    def payload(self, session: Session, booth: Booth) -> dict[str, Any]:
        """One booth's live payload, read in ``session``."""
        live = session.get(LiveBooth, booth.id)
        revision = None if live is None else session.get(BoothRevision, live.revision_id)
        return self.default(booth.id) if revision is None else revision_payload(booth, revision)

    @staticmethod
    def live_rows(session: Session) -> dict[str, BoothRevision]:
        """booth id → its live revision, for booths that have one."""
        query = select(LiveBooth.booth_id, BoothRevision).join(
            BoothRevision, BoothRevision.id == LiveBooth.revision_id
        )
        return {row[0]: row[1] for row in session.execute(query)}


def live_key(payloads: dict[str, dict[str, Any]]) -> str | None:
    """A short digest of which revision each booth shows (None: all as in the catalog)."""
    changed = sorted((bid, p["revision"]) for bid, p in payloads.items() if p["revision"])
    if not changed:
        return None
    text = ";".join(f"{bid}:{rev}" for bid, rev in changed)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
