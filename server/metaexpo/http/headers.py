"""Security headers on every HTTP response, as a pure ASGI middleware.

* ``Content-Security-Policy``: scripts, styles and fonts only from the expo
  itself, no inline script; images, fetches and workers also from ``blob:``
  and ``data:`` URLs, which three.js's glTF loader makes for the textures
  inside a GLB; WebSocket to the expo's own origin (``'self'`` covers ws: and
  wss: of the page's host); no plugins; no framing (``frame-ancestors``).
  The API docs (``/docs``, ``/redoc``) also allow inline styles (their
  bundles set them) and nothing else more.
* ``X-Frame-Options: DENY`` for browsers that predate ``frame-ancestors``.
* ``X-Content-Type-Options: nosniff``: a file is what its type says.
* ``Referrer-Policy: same-origin``: links out of the expo (an exhibitor's
  website) do not learn the page they came from, e.g. an invite link.
* ``Cross-Origin-Opener-Policy: same-origin``: a page the expo opens cannot
  script the expo's window.

A header the route set itself is left as it is.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: The policy of the client, the portal and everything else.
CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self' blob: data:",
        "media-src 'self' blob:",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
#: The policy of the API docs pages (http/apidocs.py): scripts are files of the expo only,
#: never inline; Swagger UI and Redoc set inline styles, and Redoc runs its search index in
#: a blob: worker. Nothing from another host, so a bundle that tries cannot reach out.
DOCS_CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
_DOCS_PREFIXES = ("/docs", "/redoc")


def _common() -> list[tuple[bytes, bytes]]:
    return [
        (b"x-frame-options", b"DENY"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]


_APP_HEADERS = [(b"content-security-policy", CSP.encode()), *_common()]
_DOCS_HEADERS = [(b"content-security-policy", DOCS_CSP.encode()), *_common()]


def headers_for(path: str) -> list[tuple[bytes, bytes]]:
    """The security headers of a response to ``path``."""
    return _DOCS_HEADERS if path.startswith(_DOCS_PREFIXES) else _APP_HEADERS


class SecurityHeaders:
    """ASGI middleware: adds :func:`headers_for` to each HTTP response that lacks them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = headers_for(scope["path"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in extra if h[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
