"""The project's exception tree; every error carries a message for a person.

    MetaExpoError
     ├── ConfigError          settings or content that cannot work (CLI exit 2)
     ├── PeerError            something a client sent; carries a wire error code
     │    ├── FrameError      a malformed binary frame: dropped and counted
     │    ├── ControlError    a malformed or refused control message: answered with ``error``
     │    └── SessionClosed   the connection must end: carries the close code and reason
     └── RequestRefused       a back-office request that cannot be done (HTTP status, message)
          ├── NotSignedIn      401   no, expired or forged credentials
          ├── Forbidden        403   signed in, but not allowed to do this (role, ownership, CSRF)
          ├── NotFound         404
          ├── TooSlow          408   a request body that arrived too slowly and was cut
          ├── Conflict         409   not possible in the current state (e.g. approve a draft)
          ├── TooLarge         413   a body over its size cap
          ├── Invalid          422   input that breaks a rule; ``problems`` may list each one
          ├── TooMany          429   rate limited; ``retry_after`` seconds
          └── Busy             503   try again shortly; ``retry_after`` seconds

``metaexpo.gateway.session`` is the one place that maps peer errors to close
codes. Anything else raised while handling a peer is a bug: the peer gets 1011
without details (they may be security-sensitive) and the server logs it.
``metaexpo.http.errors`` is the one place that turns refusals into responses
(``{"detail": …}``); the services, the store and the routers only raise them.
"""

from __future__ import annotations

from typing import Any, ClassVar


class MetaExpoError(Exception):
    """Base of every error this project raises on purpose."""


class ConfigError(MetaExpoError):
    """Settings or content files that cannot work; the message says which and why."""


class PeerError(MetaExpoError):
    """Something a peer sent was wrong; ``code`` is the wire error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class FrameError(PeerError):
    """A binary frame that does not follow the wire format."""


class ControlError(PeerError):
    """A control message that is malformed or not allowed right now."""


class SessionClosed(PeerError):
    """The session must end with ``close_code`` and a human-readable reason."""

    def __init__(self, close_code: int, code: str, message: str) -> None:
        super().__init__(code, message)
        self.close_code = close_code


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
