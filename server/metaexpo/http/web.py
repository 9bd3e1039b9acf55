"""The browser client: ``/`` serves the built page, ``/app/<file>`` its hashed bundles and fonts.

``npm run build`` in ``web/`` (``scripts/bootstrap`` runs it) writes
``web/dist/index.html`` and ``web/dist/app/*``. Every file under ``app/``
carries a content hash in its name (``main-3FQX2K7L.js``), so it is cached
forever and a new build is new URLs; the page itself is revalidated on every
load (``no-cache``) so visitors pick up a new build at once. Without a build
the service still runs its APIs and answers ``/`` with a 503 that says what
to do.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import FileResponse, HTMLResponse

from metaexpo.http.assets import immutable_file

router = APIRouter(tags=["web"])

#: Bundle names esbuild writes: ``<name>-<HASH>.<ext>`` (see web/build.mjs).
_ASSET = re.compile(
    r"^[A-Za-z0-9_-]{1,120}-[A-Z0-9]{8}\.(js|css|woff2|woff|png|svg)(\.map|\.LEGAL\.txt)?$"
)
_TYPES = {
    "js": "text/javascript; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "woff2": "font/woff2",
    "woff": "font/woff",
    "png": "image/png",
    "svg": "image/svg+xml",
    ".map": "application/json",
    ".LEGAL.txt": "text/plain; charset=utf-8",
}
_MISSING = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Metaverse Zhejiang Expo: client not built</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>元宇宙浙江 · Metaverse Zhejiang Expo</h1>
<p>The web client has not been built: <code>{dist}</code> is missing.</p>
<p>Run <code>npm run build</code> in <code>web/</code> (scripts/run does this), then reload.</p>
<p lang="zh-CN">网页客户端尚未构建：请在 <code>web/</code> 目录运行
<code>npm run build</code>（scripts/run 会自动执行），然后刷新。</p>
</body></html>
"""


def _dist(request: Request) -> Path:
    web_dir: Path = request.app.state.settings.web_dir
    return web_dir / "dist"


@router.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
async def index(request: Request) -> Response:
    """The client page, revalidated on every load; 503 with instructions if not built."""
    page = _dist(request) / "index.html"
    if not page.is_file():
        wants_html = "text/html" in request.headers.get("accept", "")
        message = (
            f"the web client is not built ({page.parent} is missing): "
            "run npm run build in web/ — scripts/run does this"
        )
        if wants_html:
            return HTMLResponse(
                _MISSING.format(dist=page.parent), status_code=503, headers={"Retry-After": "30"}
            )
        return Response(
            content=f'{{"detail": "{message}"}}',
            status_code=503,
            media_type="application/json",
            headers={"Retry-After": "30"},
        )
    return FileResponse(
        page, media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-cache"}
    )


@router.api_route("/app/{name}", methods=["GET", "HEAD"], include_in_schema=False)
async def bundle(request: Request, name: str) -> Response:
    """A hashed bundle, stylesheet or font of the client, cached forever."""
    m = _ASSET.match(name)
    if m is None:
        raise HTTPException(404, detail=f"no client file {name!r}")
    path = _dist(request) / "app" / name
    kind = m.group(2) or m.group(1)
    return immutable_file(request, path, f"web-{name}", _TYPES[kind])
