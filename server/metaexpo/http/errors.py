"""The one place back-office refusals become HTTP responses: ``{"detail": …}`` and a status.

A refusal with several problems (an upload, a booth form) answers
``{"detail": [{"code", "message", "where", "limit"}, …], "message": "…"}``;
any other ``{"detail": "a sentence"}``. Rate limits and busy answers carry
``Retry-After``.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from metaexpo.errors import (
    Busy,
    Invalid,
    NotSignedIn,
    RequestRefused,
    TooLarge,
    TooMany,
    TooSlow,
)


def refusal_response(exc: RequestRefused) -> JSONResponse:
    """The JSON response for a refusal."""
    headers: dict[str, str] = {"Cache-Control": "no-store"}
    if isinstance(exc, TooMany | Busy):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, TooLarge | TooSlow):
        # Close instead of draining the rest of the body: the cap saves bandwidth too, and a
        # body too slow to wait for is not worth reading to its end.
        headers["Connection"] = "close"
    if isinstance(exc, NotSignedIn):
        headers["WWW-Authenticate"] = 'Bearer realm="metaexpo"'
    if isinstance(exc, Invalid) and exc.problems is not None:
        body: dict[str, object] = {"detail": exc.problems, "message": exc.message}
    else:
        body = {"detail": exc.message}
    return JSONResponse(body, status_code=exc.status, headers=headers)


async def _handle(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestRefused)
    return refusal_response(exc)


def install_error_handlers(app: FastAPI) -> None:
    """Map every :class:`RequestRefused` raised by a route to its JSON response."""
    app.add_exception_handler(RequestRefused, _handle)
