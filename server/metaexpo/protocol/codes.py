"""WebSocket close codes and error codes of the sync protocol (see docs/protocol.md)."""

from __future__ import annotations

from enum import IntEnum


class CloseCode(IntEnum):
    """Close codes the server sends; 4xxx are this protocol's own."""

    NORMAL = 1000
    #: The server is shutting down or restarting: reconnect (with the resume token).
    SERVICE_RESTART = 1012
    #: Hall full or the server is overloaded: try again later or another hall.
    TRY_AGAIN_LATER = 1013
    PROTOCOL_ERROR = 1002
    INVALID_DATA = 1007
    MESSAGE_TOO_BIG = 1009
    INTERNAL_ERROR = 1011
    #: The join message was missing, malformed or had invalid fields.
    BAD_JOIN = 4000
    #: The client speaks a protocol version this server does not.
    VERSION_UNSUPPORTED = 4001
    #: The join's token is invalid, forged, expired or revoked (signed out, password changed,
    #: account disabled): sign in again. Also closes an open session whose token is revoked.
    BAD_TOKEN = 4003
    #: The room named in the join does not exist.
    UNKNOWN_ROOM = 4004
    #: No join arrived in time after connecting.
    JOIN_TIMEOUT = 4008
    #: A moderator removed this visitor from the hall; they may come back after a while.
    KICKED = 4010
    #: A moderator banned this visitor (their account or guest token) from the hall.
    BANNED = 4011
    #: Too many invalid frames or messages, or a rate limit exceeded for too long.
    ABUSE = 4029
    #: The client did not read its socket for too long (its buffer stayed full).
    TOO_SLOW = 4031
    #: The same visitor joined again elsewhere (resume token used by a newer connection).
    REPLACED = 4040
