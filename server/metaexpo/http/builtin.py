"""Built-in static files: the expo's icon from ``assets/`` and the licence notices of what it ships.

The icon is ``<assets-dir>/icons/favicon.svg`` (``--assets-dir``, the
repository's ``assets/`` by default); browsers ask for ``/favicon.ico`` by
themselves, so it answers there too. The notices (the SIL Open Font
Licence of the Noto Sans SC font files, three.js, Swagger UI, Redoc) are
copied from the npm packages by the web build into ``web/dist/licenses/``
and listed at ``/licenses``.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import FileResponse, PlainTextResponse

router = APIRouter(include_in_schema=False)

#: The icon, relative to the assets folder.
FAVICON = Path("icons") / "favicon.svg"
_NOTICE = re.compile(r"^[a-z0-9][a-z0-9-]{0,60}\.txt$")
#: Small and rarely changed: let browsers keep them a day, then revalidate.
_DAY = "public, max-age=86400"


@router.api_route("/favicon.svg", methods=["GET", "HEAD"])
@router.api_route("/favicon.ico", methods=["GET", "HEAD"])
async def favicon(request: Request) -> Response:
    """The expo's icon (SVG, also at the path browsers try by themselves)."""
    assets_dir: Path = request.app.state.settings.assets_dir
    path = assets_dir / FAVICON
    if not path.is_file():
        raise HTTPException(404, detail=f"no icon at {path} (see --assets-dir)")
    return FileResponse(path, media_type="image/svg+xml", headers={"Cache-Control": _DAY})


def _licence_dir(request: Request) -> Path:
    web_dir: Path = request.app.state.settings.web_dir
    return web_dir / "dist" / "licenses"


@router.get("/licenses")
async def licence_index(request: Request) -> Response:
    """The third-party licence notices this expo ships, one per line."""
    folder = _licence_dir(request)
    names = sorted(p.name for p in folder.glob("*.txt")) if folder.is_dir() else []
    if not names:
        raise HTTPException(
            404, detail="no licence notices: run npm run build in web/ (scripts/run does this)"
        )
    lines = [
        "Third-party software and fonts shipped by this expo, with their licences:",
        "",
        *(f"/licenses/{name}" for name in names),
    ]
    return PlainTextResponse("\n".join(lines) + "\n", headers={"Cache-Control": _DAY})


@router.get("/licenses/{name}")
async def licence(request: Request, name: str) -> Response:
    """One licence notice (plain text)."""
    path = _licence_dir(request) / name
    if not _NOTICE.match(name) or not path.is_file():
        raise HTTPException(404, detail=f"no licence notice {name!r}; see /licenses")
    return FileResponse(
        path, media_type="text/plain; charset=utf-8", headers={"Cache-Control": _DAY}
    )
