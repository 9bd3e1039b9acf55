"""A booth as the hall shows it: the one JSON shape of the ``booth`` announcement,
``GET /api/booths`` and the booth entries of ``GET /api/catalog``.

::

    {"type": "booth", "id", "hall", "revision": int,
     "model": "/assets/<sha256>.glb" | null,        null: draw the template
     "template": "kiosk" | "showcase" | "island" | "lounge" | "pavilion",
     "colours": {"accent": "#rrggbb", "panel": "#rrggbb"},
     "exhibitor": {"name": T, "tagline": T, "description": T, "tags": [id], "contact": url},
     "links": [{"title": T, "url": url}],
     "logo": "/assets/<sha256>.png" | null, "poster": "/assets/<sha256>.jpg" | null,
     "screens": ["/assets/<sha256>.jpg", ...]}      the screen's slideshow after the poster

``revision`` counts the booth's published versions (0: as in the catalog);
a client keeps the highest it has seen, so an old message never undoes a
newer one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from metaexpo.booths.content import BoothContent
from metaexpo.booths.files import FileKind, asset_url, url_or_none
from metaexpo.scenes import Booth, Text


def _text(text: Text) -> dict[str, str]:
    return {"zh": text.zh, "en": text.en}


def booth_payload(
    booth: Booth,
    content: BoothContent,
    revision: int,
    *,
    model_sha: str | None = None,
    logo_sha: str | None = None,
    poster_sha: str | None = None,
    screen_shas: Sequence[str] = (),
) -> dict[str, Any]:
    """The booth announcement (``type: booth``) for ``booth`` showing ``content``."""
    exhibitor = content.exhibitor
    return {
        "type": "booth",
        "id": booth.id,
        "hall": booth.hall,
        "revision": revision,
        "model": url_or_none(FileKind.MODEL, model_sha),
        "template": content.template,
        "colours": {"accent": content.colours.accent, "panel": content.colours.panel},
        "exhibitor": {
            "name": _text(exhibitor.name),
            "tagline": _text(exhibitor.tagline),
            "description": _text(exhibitor.description),
            "tags": list(exhibitor.tags),
            "contact": exhibitor.contact,
        },
        "links": [{"title": _text(link.title), "url": link.url} for link in content.links],
        "logo": url_or_none(FileKind.LOGO, logo_sha),
        "poster": url_or_none(FileKind.POSTER, poster_sha),
        "screens": [asset_url(FileKind.SCREEN, sha) for sha in screen_shas],
    }


def public_state(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload without its message ``type``: one entry of ``GET /api/booths``."""
    return {key: value for key, value in payload.items() if key != "type"}


#: Fields of a catalog booth entry that the live state replaces or adds.
OVERLAY_FIELDS = (
    "template",
    "exhibitor",
    "revision",
    "model",
    "colours",
    "links",
    "logo",
    "poster",
    "screens",
)


def overlay_catalog_booth(entry: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    """A ``/api/catalog`` booth entry with the live state's fields (slot geometry unchanged)."""
    merged = dict(entry)
    for key in OVERLAY_FIELDS:
        merged[key] = payload[key]
    return merged
