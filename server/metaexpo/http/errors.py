"""The one place back-office refusals become HTTP responses: ``{"detail": …}`` and a status.

A refusal with several problems (an upload, a booth form) answers
``{"detail": [{"code", "message", "where", "limit"}, …], "message": "…"}``;
any other ``{"detail": "a sentence"}``. Rate limits and busy answers carry
``Retry-After``. A request that does not match its route's schema answers
FastAPI's 422 ``{"detail": [{"type", "loc", "msg"}, …]}`` without the
offending input.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
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


#: Most problems listed in a 422 for a malformed request, and the longest part of a location.
_MAX_PROBLEMS = 20
_MAX_LOC_PART = 64


def _loc_part(part: Any) -> str | int:
    if isinstance(part, int):
        return part
    text = str(part)
    return text if len(text) <= _MAX_LOC_PART else text[: _MAX_LOC_PART - 3] + "..."


def validation_response(exc: RequestValidationError) -> JSONResponse:
    """The 422 for a request FastAPI could not validate: where and what, never the input.

    FastAPI's own answer echoes each offending value back (``input``), so a
    large or secret field (a password) would come back in the response.
    """
    problems = [
        {
            "type": str(error.get("type", "invalid")),
            "loc": [_loc_part(part) for part in error.get("loc", ())],
            "msg": str(error.get("msg", "invalid value"))[:200],
        }
        for error in exc.errors()[:_MAX_PROBLEMS]
    ]
    return JSONResponse(
        {"detail": problems}, status_code=422, headers={"Cache-Control": "no-store"}
    )


async def _invalid(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return validation_response(exc)


def install_error_handlers(app: FastAPI) -> None:
    """Map every :class:`RequestRefused` raised by a route to its JSON response, and FastAPI's
    validation errors to a 422 that does not echo the input."""
    app.add_exception_handler(RequestRefused, _handle)
    app.add_exception_handler(RequestValidationError, _invalid)
