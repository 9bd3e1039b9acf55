"""The API reference pages, ``/docs`` (Swagger UI) and ``/redoc`` (Redoc), from the expo's files.

FastAPI's built-in pages load their scripts from a CDN, which leaves them
blank on an offline LAN. These pages load the bundles that the web build
copies from npm into ``web/dist/app/`` (hashed names listed in
``web/dist/manifest.json`` under ``docs``, see ``web/tools/vendor.mjs``).
Their Content Security Policy allows nothing from another host, so even a
bundle that tries (Redoc's sidebar logo does) cannot reach out. Without a
web build the pages answer 503 and say what to run.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from metaexpo.http.headers import DOCS_CSP

router = APIRouter(include_in_schema=False)

_HEADERS = {
    "Content-Security-Policy": DOCS_CSP,
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

_SWAGGER = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · API (Swagger UI)</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/app/{css}">
</head><body>
<div id="swagger-ui" data-openapi="{openapi}"></div>
<script src="/app/{bundle}"></script>
<script type="module" src="/app/{start}"></script>
</body></html>
"""

_REDOC = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · API (Redoc)</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<style>body {{ margin: 0; padding: 0; }}</style>
</head><body>
<redoc spec-url="{openapi}"></redoc>
<script src="/app/{bundle}"></script>
</body></html>
"""

_MISSING = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>API reference: not built</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>API reference</h1>
<p>The API reference pages come with the web build, and <code>{dist}</code> has none.</p>
<p>Run <code>npm run build</code> in <code>web/</code> (scripts/run does this), then reload.
The OpenAPI document itself is at <a href="{openapi}">{openapi}</a>.</p>
</body></html>
"""


def docs_bundles(web_dir: Path) -> dict[str, str] | None:
    """The hashed names of the reference pages' files in ``web/dist/app``, or None if not built.

    Keys: ``swaggerJs``, ``swaggerCss``, ``redocJs`` (copied from npm) and ``start``
    (our module that starts Swagger UI).
    """
    try:
        manifest = json.loads((web_dir / "dist" / "manifest.json").read_text())
    except (OSError, ValueError):
        return None
    docs = manifest.get("docs") if isinstance(manifest, dict) else None
    files = manifest.get("files", {}) if isinstance(manifest, dict) else {}
    starts = sorted(name for name in files if name.startswith("apidocs-") and name.endswith(".js"))
    if not isinstance(docs, dict) or not starts:
        return None
    found = {key: str(docs.get(key, "")) for key in ("swaggerJs", "swaggerCss", "redocJs")}
    if not all(found.values()):
        return None
    return {**found, "start": starts[-1]}


def _page(request: Request, render: str, **names: str) -> Response:
    openapi = request.app.openapi_url or "/openapi.json"
    web_dir: Path = request.app.state.settings.web_dir
    bundles = docs_bundles(web_dir)
    if bundles is None:
        body = _MISSING.format(dist=html.escape(str(web_dir / "dist")), openapi=openapi)
        return HTMLResponse(body, status_code=503, headers={**_HEADERS, "Retry-After": "30"})
    values = {key: bundles[value] for key, value in names.items()}
    body = render.format(title=html.escape(request.app.title), openapi=openapi, **values)
    return HTMLResponse(body, headers=_HEADERS)


@router.get("/docs")
async def swagger_page(request: Request) -> Response:
    """The interactive API reference (Swagger UI)."""
    return _page(request, _SWAGGER, css="swaggerCss", bundle="swaggerJs", start="start")


@router.get("/redoc")
async def redoc_page(request: Request) -> Response:
    """The readable API reference (Redoc)."""
    return _page(request, _REDOC, bundle="redocJs")
