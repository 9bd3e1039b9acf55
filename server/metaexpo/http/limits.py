"""Request bodies under a cap and a deadline, enforced while they are read.

A pure ASGI middleware, outside routing, sign-in checks and parsing: a
declared ``Content-Length`` over the route's cap is answered 413 before a
byte of the body is read, and a body that grows past it (chunked, or a
client that lies) is cut off the moment it does, so no request can make the
server buffer or parse more than its cap. Every route gets
``--body-max-bytes`` (JSON and forms are small) except the upload routes,
which stream to disk under their own caps (``--upload-max-bytes``,
``--image-max-bytes``); those have their own transfer rules, so only the
small bodies also get a deadline (``--body-timeout-s``, 408).

The 413 and 408 answers carry ``Connection: close``: the rest of the body is
never read.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from metaexpo.config import Settings
from metaexpo.errors import TooLarge
from metaexpo.gateway.guard import EdgeStats
from metaexpo.http.errors import refusal_response


@dataclass(frozen=True, slots=True)
class BodyRule:
    """The cap of the routes whose path matches ``path``: they stream their bodies themselves."""

    path: re.Pattern[str]
    what: str
    cap: Callable[[Settings], int]


#: The upload routes (metaexpo.http.uploads, the forums' slides) and their caps; every other
#: route is small.
UPLOAD_RULES = (
    BodyRule(re.compile(r"/api/booths/[^/]+/model"), "model file", lambda s: s.upload_max_bytes),
    BodyRule(re.compile(r"/api/booths/[^/]+/logo"), "logo", lambda s: s.image_max_bytes),
    BodyRule(re.compile(r"/api/booths/[^/]+/poster"), "poster", lambda s: s.image_max_bytes),
    BodyRule(re.compile(r"/api/booths/[^/]+/screens"), "screen image", lambda s: s.image_max_bytes),
    BodyRule(
        re.compile(r"/api/forums/sessions/[^/]+/slides"), "slides", lambda s: s.slides_max_bytes
    ),
)


def size_text(size: int) -> str:
    """``64 KB``, ``50 MB``: a cap as a person reads it (1 KB = 1,024 bytes)."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.3g} MB"
    if size >= 1024:
        return f"{size / 1024:.3g} KB"
    return f"{size} bytes"


def too_large(cap: int, what: str) -> TooLarge:
    """The refusal of a body over ``cap`` bytes."""
    return TooLarge(f"the {what} is larger than {size_text(cap)}, the most this expo accepts")


class _Refused(Exception):
    """Raised into the application by ``receive`` when the body broke its cap or deadline."""


def timeout_response() -> JSONResponse:
    """The 408 for a body that did not arrive in time."""
    return JSONResponse(
        {"detail": "the request body did not arrive in time; send it at once, then retry"},
        status_code=408,
        headers={"Connection": "close", "Cache-Control": "no-store"},
    )


class BodyLimit:
    """ASGI middleware: each request's body under its route's cap (and, if small, a deadline)."""

    def __init__(self, app: ASGIApp, settings: Settings, stats: EdgeStats) -> None:
        self.app = app
        self.settings = settings
        self.stats = stats

    def rule_for(self, path: str) -> tuple[int, str, bool]:
        """(cap, what the body is, whether the small-body deadline applies) for ``path``."""
        for rule in UPLOAD_RULES:
            if rule.path.fullmatch(path):
                return rule.cap(self.settings), rule.what, False
        return self.settings.body_max_bytes, "request body", True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared: int | None = None
        chunked = False
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit():
                declared = int(value)
            elif name == b"transfer-encoding":
                chunked = True
        if not chunked and not declared:
            await self.app(scope, receive, send)  # no body to guard
            return
        cap, what, timed = self.rule_for(scope["path"])
        if declared is not None and declared > cap:
            self.stats.bodies_refused += 1
            await refusal_response(too_large(cap, what))(scope, receive, send)
            return
        await _GuardedRequest(self, cap, what, timed).run(scope, receive, send)


class _GuardedRequest:
    """One request whose body is counted and timed as the application reads it."""

    def __init__(self, limit: BodyLimit, cap: int, what: str, timed: bool) -> None:
        self.limit = limit
        self.cap = cap
        self.what = what
        self.timed = timed
        self.received = 0
        self.done = False
        self.deadline: float | None = None
        self.started = False
        self.refusal: JSONResponse | None = None

    async def run(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def guarded_receive() -> Message:
            return await self.receive(receive)

        async def guarded_send(message: Message) -> None:
            if self.refusal is not None and not self.started:
                return  # the application's answer to our refusal (e.g. a 400): ours goes instead
            if message["type"] == "http.response.start":
                self.started = True
            await send(message)

        try:
            await self.limit.app(scope, guarded_receive, guarded_send)
        except _Refused:
            if self.started:
                raise
        if self.refusal is not None and not self.started:
            self.started = True
            await self.refusal(scope, receive, send)

    def _refuse(self, refusal: JSONResponse) -> Message:
        """Stop the application reading: with the refusal, or as a disconnect once it answers."""
        self.refusal = refusal
        if self.started:  # e.g. a streamed answer listening for the client to leave
            return {"type": "http.disconnect"}
        raise _Refused

    async def receive(self, receive: Receive) -> Message:
        if self.refusal is not None:
            return self._refuse(self.refusal)
        if self.done:
            return await receive()  # e.g. waiting for the client to disconnect
        if self.timed:
            loop = asyncio.get_running_loop()
            if self.deadline is None:
                self.deadline = loop.time() + self.limit.settings.body_timeout_s
            try:
                async with asyncio.timeout_at(self.deadline):
                    message = await receive()
            except TimeoutError:
                self.limit.stats.timeouts["body"] += 1
                return self._refuse(timeout_response())
        else:
            message = await receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if not message.get("more_body", False):
                self.done = True
            if self.received > self.cap:
                self.limit.stats.bodies_refused += 1
                return self._refuse(refusal_response(too_large(self.cap, self.what)))
        return message
