"""Absolute links the expo hands out (invites), never built from what the client claims.

With ``--public-url`` set, every absolute link starts with it. Without it,
a link starts with the address the request actually arrived at: the scheme
of the connection (TLS, or a trusted proxy's ``X-Forwarded-Proto``) and this
server's own socket address, which a client cannot choose. The ``Host``
header is never used: ``Host: evil.example`` would otherwise put the
attacker's site in an invite link that staff copy and send on.
"""

from __future__ import annotations

from starlette.requests import Request

from metaexpo.errors import ConfigError

_DEFAULT_PORTS = {"http": 80, "https": 443}


def public_base(request: Request) -> str:
    """``scheme://host[:port]`` (and path) that absolute links start with, no trailing slash."""
    configured: str | None = request.app.state.settings.public_url
    if configured:
        return configured
    scheme = request.scope.get("scheme", "http")
    scheme = scheme if scheme in _DEFAULT_PORTS else "http"
    server = request.scope.get("server")
    if not server:
        raise ConfigError("this server has no network address to link to; set --public-url")
    host, port = server[0], server[1]
    if ":" in host:
        host = f"[{host}]"
    if port is None or port == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def absolute(request: Request, path: str) -> str:
    """The absolute link to ``path`` (which starts with ``/``)."""
    assert path.startswith("/"), "paths of absolute links start with /"
    return public_base(request) + path
