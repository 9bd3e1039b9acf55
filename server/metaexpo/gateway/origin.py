"""Which web pages may open the sync WebSocket: the Origin check.

Browsers send the page's origin with every WebSocket upgrade; a page on
another site must not be able to join the hall in its visitors' names. The
default allows the expo's own origin (whatever host the visitor used) and
loopback pages; ``--allowed-origins`` lists the others explicitly (e.g. a
reverse proxy's public name). Programs that send no Origin (the load-test
bots, native clients) are not browsers and are let through.
"""

from __future__ import annotations

from urllib.parse import urlsplit

_LOOPBACK = {"localhost", "127.0.0.1", "::1"}


def origin_allowed(origin: str | None, host: str | None, allowed: list[str]) -> bool:
    """True if a WebSocket upgrade with this ``Origin`` and ``Host`` may proceed."""
    if not origin:
        return True
    if origin in allowed or "*" in allowed:
        return True
    parts = urlsplit(origin)
    if not parts.scheme or not parts.netloc:
        return False
    if host and parts.netloc.lower() == host.lower():
        return True  # the page came from this very server
    return parts.hostname in _LOOPBACK
