"""Serving content-addressed files: cached forever, validated by ETag, gzip when asked.

A content-addressed URL carries the file's hash, so the bytes behind it never
change: clients may cache it forever (``immutable``) and a change of content
is a new URL. Compressed twins are written once into the data folder's
cache, not compressed per request.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

from fastapi import HTTPException, Request, Response
from fastapi.responses import FileResponse

IMMUTABLE = "public, max-age=31536000, immutable"
#: Do not bother compressing files smaller than this.
_MIN_GZIP = 1024


def gzip_twin(path: Path, cache_dir: Path, key: str) -> Path | None:
    """The gzip of ``path``, written once (atomically) under ``cache_dir``; None if it
    does not pay. ``key`` names the content (its hash), so a twin is never stale."""
    twin = cache_dir / f"{key}.gz"
    if twin.exists():
        return twin
    if path.stat().st_size < _MIN_GZIP:
        return None
    data = gzip.compress(path.read_bytes(), compresslevel=9, mtime=0)
    if len(data) >= path.stat().st_size * 0.9:
        return None
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = twin.with_name(f".{twin.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, twin)
    return twin


def immutable_file(request: Request, path: Path, etag: str, media_type: str) -> Response:
    """A response for a content-addressed file: 304 on a matching ETag, gzip if accepted."""
    if not path.is_file():
        raise HTTPException(404, detail=f"no such file: {path.name}")
    quoted = f'"{etag}"'
    headers = {"Cache-Control": IMMUTABLE, "ETag": quoted, "Vary": "Accept-Encoding"}
    if quoted in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        twin = gzip_twin(path, request.app.state.settings.data_dir / "cache" / "gzip", etag)
        if twin is not None:
            headers["Content-Encoding"] = "gzip"
            return FileResponse(twin, media_type=media_type, headers=headers)
    return FileResponse(path, media_type=media_type, headers=headers)
