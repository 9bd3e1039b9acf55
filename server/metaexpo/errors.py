"""The project's exception tree; every error carries a message for a person.

    MetaExpoError
     ├── ConfigError          settings or content that cannot work (CLI exit 2)
     └── PeerError            something a client sent; carries a wire error code
          ├── FrameError      a malformed binary frame: dropped and counted
          ├── ControlError    a malformed or refused control message: answered with ``error``
          └── SessionClosed   the connection must end: carries the close code and reason

``metaexpo.gateway.session`` is the one place that maps these to close codes.
Anything else raised while handling a peer is a bug: the peer gets 1011
without details (they may be security-sensitive) and the server logs it.
"""

from __future__ import annotations


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
