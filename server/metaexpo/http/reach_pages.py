"""The reach dashboards' pages: one booth in the exhibitor portal, the whole hall in the console.

Each page is a server-rendered frame (``reach.html``): the words of the dashboard in the
page's language, the names of zones, booths and forum sessions, and the web build's
``reach`` bundle (Apache ECharts, from npm, served by the expo itself), which fetches
the figures from the reach API (:mod:`metaexpo.http.reach_api`) and refreshes them in
place. The page checks who may see what; the API checks it again on every fetch.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response

from metaexpo.analytics.uniques import HLL_ERROR_BOUND
from metaexpo.errors import RequestRefused
from metaexpo.http.forums_security import forums_of
from metaexpo.http.pages import (
    console_staff,
    error_page,
    login_redirect,
    page_lang,
    render,
    user_of,
)
from metaexpo.http.reach_api import check_booth
from metaexpo.http.security import office_of
from metaexpo.portal.i18n import translator
from metaexpo.portal.reach_strings import REACH_STRINGS

router = APIRouter(include_in_schema=False)

_BUNDLE = re.compile(r"^reach-[A-Z0-9]{8}\.js$")


def dashboard_bundle(web_dir: Path) -> str | None:
    """The URL of the web build's dashboard script (``dist/app/reach-<HASH>.js``), if built."""
    try:
        manifest = json.loads((web_dir / "dist" / "manifest.json").read_text())
    except (OSError, ValueError):
        return None
    names = manifest.get("files", {}) if isinstance(manifest, dict) else {}
    found = sorted(name for name in names if _BUNDLE.match(str(name)))
    return f"/app/{found[-1]}" if found else None


def _words(request: Request) -> str:
    """The dashboard's words in the page's language, keyed without the ``reach_`` prefix; the
    error bound of live unique counts is filled in from the one constant that defines it."""
    t = translator(page_lang(request))
    bound = f"{HLL_ERROR_BOUND * 100:.2f}"
    return json.dumps(
        {key.removeprefix("reach_"): t(key).replace("{bound}", bound) for key in REACH_STRINGS},
        ensure_ascii=False,
    )


def _frame(request: Request, kind: str, booth: str, names: dict[str, Any]) -> dict[str, Any]:
    return {
        "bundle": dashboard_bundle(office_of(request).settings.web_dir),
        "kind": kind,
        "booth": booth,
        "words": _words(request),
        "names": json.dumps(names, ensure_ascii=False),
    }


@router.get("/portal/booths/{booth_id}/reach")
async def booth_page(booth_id: str, request: Request) -> Response:
    """One booth's visits, dwell, cards and heatmap beside its zone's average (owner or staff)."""
    principal = await user_of(request)
    if principal is None:
        return login_redirect(request)
    office = office_of(request)
    try:
        await asyncio.to_thread(check_booth, office, principal, booth_id)
    except RequestRefused as exc:
        return error_page(request, exc, principal, "/portal/booths")
    lang = page_lang(request)
    booth = office.catalog.booth(booth_id)
    context = {
        **_frame(request, "booth", booth_id, {}),
        "heading": booth.exhibitor.name.pick(lang),
        "back": f"/portal/booths/{booth_id}",
    }
    return render(request, "reach.html", context, principal=principal)


@router.get("/staff/reach")
async def hall_page(request: Request) -> Response:
    """Live occupancy, top booths, zone flows, the hall's heatmap and forum attendance (staff)."""
    principal = await console_staff(request)
    if isinstance(principal, Response):
        return principal
    lang = page_lang(request)
    office = office_of(request)
    catalog = office.catalog
    names: dict[str, dict[str, str]] = {
        "zones": {z.id: z.title.pick(lang) for z in catalog.zones},
        "booths": {b.id: b.exhibitor.name.pick(lang) for b in catalog.booths},
        "forums": {},
    }
    forums = getattr(request.app.state, "forums", None)
    if forums is not None:
        sessions = await asyncio.to_thread(forums_of(request).agenda.sessions)
        names["forums"] = {s.id: s.title.get(lang) or s.title.get("en", s.id) for s in sessions}
    context = {**_frame(request, "hall", "", names), "heading": None, "back": "/staff"}
    return render(request, "reach.html", context, area="console", principal=principal)
