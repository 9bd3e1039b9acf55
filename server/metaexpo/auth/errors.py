"""Refusals a person can cause in the back office, each with the HTTP status it maps to.

    RequestRefused              (status, message for a person)
     ├── NotSignedIn      401   no, expired or forged credentials
     ├── Forbidden        403   signed in, but not allowed to do this (role, ownership, CSRF)
     ├── NotFound         404
     ├── TooSlow          408   a request body that arrived too slowly and was cut
     ├── Conflict         409   not possible in the current state (e.g. approve a draft)
     ├── TooLarge         413   a body over its size cap
     ├── Invalid          422   input that breaks a rule; ``problems`` may list each one
     ├── TooMany          429   rate limited; ``retry_after`` seconds
     └── Busy             503   try again shortly; ``retry_after`` seconds

``metaexpo.http.errors`` is the one place that turns these into responses
(``{"detail": …}``); the booth service and the routers only raise them.
"""

from __future__ import annotations

from typing import Any, ClassVar

from metaexpo.errors import MetaExpoError


class RequestRefused(MetaExpoError):
    """A request that cannot be done as asked; ``message`` tells the person why."""

    status: ClassVar[int] = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotSignedIn(RequestRefused):
    """Credentials missing, expired, forged or revoked: sign in (again)."""

    status = 401


class Forbidden(RequestRefused):
    """Signed in, but this role or account may not do this."""

    status = 403


class NotFound(RequestRefused):
    """No such thing (or none this account may see)."""

    status = 404


class TooSlow(RequestRefused):
    """A request body that fell too far behind the minimum transfer rate, cut off."""

    status = 408


class Conflict(RequestRefused):
    """Not possible in the thing's current state."""

    status = 409


class TooLarge(RequestRefused):
    """A request body over its cap."""

    status = 413


class Invalid(RequestRefused):
    """Input that breaks a rule; ``problems`` lists each one when there are several."""

    status = 422

    def __init__(self, message: str, problems: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.problems = problems


class TooMany(RequestRefused):
    """Too many attempts; try again after ``retry_after`` seconds."""

    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Busy(RequestRefused):
    """The server is busy with this kind of work; try again after ``retry_after`` seconds."""

    status = 503

    def __init__(self, message: str, retry_after: int = 5) -> None:
        super().__init__(message)
        self.retry_after = retry_after
