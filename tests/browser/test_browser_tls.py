"""HTTPS and wss:// on the one port: --self-signed makes a certificate once and reuses it, and
the client joins over wss:// through the TLS transport (the first-bytes router hands the
decrypted stream to picows)."""

from __future__ import annotations

import contextlib
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser

from tests.browser.support import VIEWPORT, client_url, wait_for, wait_joined, wait_until
from tests.conftest import ROOT, TIME_FACTOR
from tests.live import spare_port

pytestmark = pytest.mark.browser


class TlsServer:
    """``metaexpo serve --self-signed`` on a free loopback port (ServerProcess polls HTTP)."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.port = spare_port()  # kept across the restart below
        self.proc: subprocess.Popen[bytes] | None = None
        self.cert = tmp / "data" / "tls" / "self-signed.crt"

    @property
    def base(self) -> str:
        return f"https://localhost:{self.port}"

    def start(self, timeout: float = 60.0) -> TlsServer:
        port_file = self.tmp / "port"
        port_file.unlink(missing_ok=True)
        cmd = [sys.executable, "-m", "metaexpo", "serve", "--host", "127.0.0.1", "--port",
               str(self.port), "--port-file", str(port_file), "--data-dir", str(self.tmp / "data"),
               "--log-level", "warning", "--self-signed"]  # fmt: skip
        log = (self.tmp / "server.log").open("ab")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout * TIME_FACTOR
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError((self.tmp / "server.log").read_text())
            if port_file.exists() and port_file.read_text().strip() and self.cert.exists():
                self.port = int(port_file.read_text())
                verify = ssl.create_default_context(cafile=str(self.cert))
                with contextlib.suppress(httpx.HTTPError, OSError):
                    if httpx.get(f"{self.base}/healthz", verify=verify, timeout=1).is_success:
                        return self
            time.sleep(0.1)
        raise RuntimeError(f"no HTTPS server: {(self.tmp / 'server.log').read_text()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(20)


@pytest.fixture
def tls_server(tmp_path: Path, web_dist: Path) -> Iterator[TlsServer]:
    server = TlsServer(tmp_path).start()
    yield server
    server.stop()


def test_self_signed_https_serves_the_client_and_wss_joins(
    browser: Browser, tls_server: TlsServer
) -> None:
    # The certificate names this machine, so it verifies for "localhost" against itself.
    verify = ssl.create_default_context(cafile=str(tls_server.cert))
    page_html = httpx.get(f"{tls_server.base}/", verify=verify, timeout=5)
    assert page_html.status_code == 200 and "/app/main-" in page_html.text
    key = tls_server.cert.with_suffix(".key")
    assert key.stat().st_mode & 0o077 == 0, "the private key is readable by its owner only"

    # A browser that accepted the certificate (as a visitor does once) joins over wss://.
    ctx = browser.new_context(viewport=VIEWPORT, ignore_https_errors=True)  # type: ignore[arg-type]
    try:
        page = ctx.new_page()
        page.goto(client_url(tls_server.base, name="Secure", autoenter="1"))
        wait_for(page, "window.__expo && __expo.hall.ready", timeout=30)
        wait_joined(page)
        assert page.evaluate("location.protocol") == "https:"
        assert page.evaluate("isSecureContext") is True
        # Frames flow over the TLS socket: the server's clock reaches the page (pongs, frames).
        wait_until(page, "__expo.frames > 10")
        assert page.evaluate("__expo.connection") == "joined"
    finally:
        ctx.close()

    # A restart reuses the certificate (visitors accept it once, not on every start).
    before = tls_server.cert.read_bytes()
    tls_server.stop()
    tls_server.start()
    assert tls_server.cert.read_bytes() == before
