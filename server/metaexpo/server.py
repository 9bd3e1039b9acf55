"""Run the service: uvicorn for HTTP, picows for /ws, both on one socket.

The socket is bound here (not by uvicorn) so that ``--port 0`` works and the
chosen port can be written to ``--port-file`` for scripts and tests.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from picows import WSUpgradeRequest, WSUpgradeResponse, WSUpgradeResponseWithListener

from metaexpo.config import Settings
from metaexpo.gateway.guard import Pending
from metaexpo.gateway.origin import origin_allowed
from metaexpo.gateway.picows_link import SyncListener
from metaexpo.gateway.router import ListenerFactory, bind_router
from metaexpo.http.app import create_app
from metaexpo.store.filemodes import make_private_folder
from metaexpo.tls import with_tls

log = logging.getLogger(__name__)


def sync_listener_factory(app: FastAPI) -> ListenerFactory:
    """picows listener factory for /ws, finding the hub through the app's state."""

    def factory(
        request: WSUpgradeRequest, pending: Pending
    ) -> SyncListener | WSUpgradeResponseWithListener | None:
        hub = app.state.hub
        path = bytes(request.path).split(b"?", 1)[0]
        if hub is None or path != b"/ws":
            return None  # picows answers 404
        headers = request.headers
        if not origin_allowed(
            headers.get("Origin"), headers.get("Host"), hub.settings.allowed_origins
        ):
            body = b'{"detail": "this page\'s origin may not open the expo\'s WebSocket"}'
            refusal = WSUpgradeResponse.create_error_response(403, body)
            refusal.headers["Content-Type"] = "application/json"
            return WSUpgradeResponseWithListener(refusal, None)
        return SyncListener(hub, pending)

    return factory


def bind_socket(host: str, port: int, *, reuse_port: bool = False) -> socket.socket:
    """A listening-ready TCP socket for ``host:port`` (IPv6 if the host says so)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        # Several node processes accept on one port; the kernel spreads connections.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


class _Server(uvicorn.Server):
    """uvicorn's server, but a graceful stop on SIGTERM/SIGINT exits 0.

    uvicorn re-raises the captured signal after shutting down, so the process
    would die "by SIGTERM" even after a clean shutdown; a second signal still
    forces the exit.
    """

    def __init__(self, config: uvicorn.Config, ready: Any = None) -> None:
        super().__init__(config)
        self.ready = ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.ready is not None:
            self.ready.set()  # a worker tells the parent it is accepting connections

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in _SIGNALS}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def serve(settings: Settings, port_file: Path | None = None) -> None:
    """Serve until SIGINT/SIGTERM, then shut down gracefully."""
    # Private before the first file lands in it (the self-signed key may be that file).
    make_private_folder(settings.data_dir)
    # Resolved once, here: worker processes share one (self-signed) certificate.
    settings = with_tls(settings)
    if settings.workers > 1:
        serve_workers(settings, port_file)
        return
    _serve_one(settings, port_file, reuse_port=False)


def serve_workers(settings: Settings, port_file: Path | None) -> None:
    """Run ``settings.workers`` node processes on one port (SO_REUSEPORT), joined by Redis."""
    holder = bind_socket(settings.host, settings.port, reuse_port=True)
    port = holder.getsockname()[1]
    ctx = multiprocessing.get_context("spawn")
    children, ready = [], []
    for k in range(settings.workers):
        child = settings.model_copy(
            update={"workers": 1, "port": port, "node_id": f"{settings.node_id}-w{k}"}
        )
        event = ctx.Event()
        proc = ctx.Process(
            target=_serve_one, args=(child, None), kwargs={"reuse_port": True, "ready": event}
        )
        proc.start()
        children.append(proc)
        ready.append(event)
    holder.close()
    for event in ready:  # publish the port only once every worker accepts connections
        event.wait(120)
    if port_file is not None:
        port_file.write_text(f"{port}\n")

    def stop(signum: int, _frame: object) -> None:
        for proc in children:
            if proc.is_alive() and proc.pid is not None:
                os.kill(proc.pid, signal.SIGTERM)

    for sig in _SIGNALS:
        signal.signal(sig, stop)
    for proc in children:
        proc.join()


def _serve_one(
    settings: Settings, port_file: Path | None, *, reuse_port: bool, ready: Any = None
) -> None:
    """One node process: the app on its own socket."""
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    app = create_app(settings)
    factory = sync_listener_factory(app) if settings.sync_transport == "picows" else None
    sock = bind_socket(settings.host, settings.port, reuse_port=reuse_port)
    host, port = sock.getsockname()[:2]
    config = uvicorn.Config(
        app,
        http=bind_router(settings, factory, app.state.guard),
        loop="uvloop",
        lifespan="on",
        log_level=settings.log_level,
        access_log=False,
        timeout_graceful_shutdown=int(settings.shutdown_grace_s) + 3,
        # X-Forwarded-For/-Proto only from the proxies the settings name (docs/security.md).
        proxy_headers=bool(settings.forwarded_allow_ips.strip()),
        forwarded_allow_ips=settings.forwarded_allow_ips.strip() or "",
        ssl_certfile=settings.certfile,
        ssl_keyfile=settings.keyfile,
    )
    if port_file is not None:
        port_file.write_text(f"{port}\n")
    scheme = "https" if settings.certfile else "http"
    if settings.public_url is None and host not in ("127.0.0.1", "::1", "localhost"):
        log.warning(
            "no --public-url: invite links start with the address each request reaches "
            "(%s://<this host's address>:%d); behind a reverse proxy set --public-url",
            scheme,
            port,
        )
    log.info(
        "expo on %s://%s:%d (sync WebSocket /ws via %s)",
        scheme,
        host,
        port,
        settings.sync_transport,
    )
    _Server(config, ready).run(sockets=[sock])
