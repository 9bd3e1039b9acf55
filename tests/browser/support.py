"""Helpers for the browser tests: Chromium flags, the web build, and driving the client page.

The client exposes ``window.__expo`` (read-only state) and, with ``?test`` in the
URL, ``window.__expoTest`` (a few actions); tests read those instead of guessing
from pixels. See web/src/app/hook.js.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from playwright.sync_api import BrowserContext, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.conftest import ROOT, TIME_FACTOR

#: Debian's Chromium (never `playwright install`: no downloads on this machine).
CHROMIUM = Path("/usr/bin/chromium")
#: Flags from shared/recipes/browser-testing.md (Playwright adds --headless, --no-sandbox, ...).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-unsafe-swiftshader",
]
VIEWPORT = {"width": 640, "height": 480}
WEB = ROOT / "web"
IWER_UMD = WEB / "node_modules" / "iwer" / "build" / "iwer.min.js"
#: Install IWER's emulated Quest 3 before any page script runs (recipe: forceInstall, since
#: Chromium has navigator.xr); give it after IWER_UMD.
IWER_INSTALL = (
    "window.xrDevice = new IWER.XRDevice(IWER.metaQuest3);"
    "xrDevice.installRuntime({forceInstall: true});"
)


def ms(seconds: float) -> float:
    """Playwright timeouts are in ms; scale by the environment's time factor."""
    return seconds * 1000 * TIME_FACTOR


def web_sources() -> list[Path]:
    """Files whose change makes web/dist stale."""
    files = [p for p in (WEB / "src").rglob("*") if p.is_file()]
    files += [p for p in (WEB / "tools").rglob("*") if p.is_file()]
    files += [
        WEB / "index.html",
        WEB / "build.mjs",
        WEB / "package.json",
        WEB / "package-lock.json",
    ]
    return [p for p in files if p.exists()]


def ensure_web_build() -> Path:
    """Build web/dist if it is missing or older than its sources; return dist/index.html."""
    index = WEB / "dist" / "index.html"
    newest = max(p.stat().st_mtime for p in web_sources())
    if index.exists() and index.stat().st_mtime >= newest:
        return index
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed to build the web client (scripts/bootstrap installs it)")
    subprocess.run([npm, "run", "build", "--silent"], cwd=WEB, check=True, timeout=300)
    return index


def client_url(base: str, **query: str) -> str:
    """The client's URL with test hooks on and ``query`` (name, lang, autoenter, ...)."""
    return f"{base}/?{urlencode({'test': '1', **query})}"


def open_client(
    context: BrowserContext,
    base: str,
    name: str,
    *,
    lang: str = "en",
    enter: bool = True,
    avatar: str | None = None,
    init_scripts: tuple[str | Path, ...] = (),
) -> Page:
    """A new page with the client; with ``enter`` it joins the hall and waits for the welcome.
    ``init_scripts`` (paths or source) run before any page script (e.g. IWER)."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors  # type: ignore[attr-defined]
    for script in init_scripts:
        if isinstance(script, Path):
            page.add_init_script(path=str(script))
        else:
            page.add_init_script(script)
    query = {"name": name, "lang": lang}
    if enter:
        query["autoenter"] = "1"
    if avatar:
        query["avatar"] = avatar
    page.goto(client_url(base, **query))
    wait_for(page, "window.__expo && window.__expo.hall.ready", timeout=60)
    if enter:
        wait_joined(page)
    return page


def wait_joined(page: Page, timeout: float = 30) -> dict[str, Any]:
    """Wait until the page's socket has its welcome; returns {id, resumed}."""
    try:
        wait_for(page, "window.__expo.connection === 'joined'", timeout=timeout)
    except Exception as exc:
        state = page.evaluate(
            "JSON.stringify({c: __expo.connection, s: __expo.status, e: __expo.lastError,"
            " lobby: document.getElementById('lobby').hidden, t: __expo.timing})"
        )
        raise AssertionError(f"the page did not join: {state}") from exc
    state: dict[str, Any] = page.evaluate("({id: __expo.id, resumed: __expo.resumed})")
    return state


def expo(page: Page, expr: str) -> Any:
    """Evaluate ``expr`` over window.__expo (e.g. ``"__expo.avatars"``)."""
    return page.evaluate(f"() => {expr}")


_FUNCTION = re.compile(r"\s*(async\s+)?(function\b|\([^()]*\)\s*=>|[A-Za-z_$][\w$]*\s*=>)")


def as_function(js: str) -> str:
    """``js`` as a function's source: an expression becomes ``() => (expression)``.

    Playwright evaluates a predicate given as an expression with the page's
    ``eval``, which the expo's Content-Security-Policy forbids (no
    'unsafe-eval'); a function is called without it.
    """
    return js if _FUNCTION.match(js) else f"() => ({js})"


def wait_for(page: Page, predicate: str, arg: Any = None, timeout: float = 15) -> Any:
    """``page.wait_for_function`` under the expo's CSP, with the time factor; the handle."""
    return page.wait_for_function(as_function(predicate), arg=arg, timeout=ms(timeout))


def wait_until(
    page: Page, predicate: str, arg: Any = None, timeout: float = 30, what: str = ""
) -> Any:
    """``page.wait_for_function`` under the CSP with the time factor; returns the predicate's
    value. ``what`` names the awaited event in the failure."""
    try:
        handle = wait_for(page, predicate, arg, timeout)
    except PlaywrightTimeoutError as exc:
        if not what:
            raise
        raise AssertionError(
            f"{what}: did not happen within {timeout * TIME_FACTOR:.1f} s"
        ) from exc
    return handle.json_value()


def wait_frames(page: Page, n: int = 3, timeout: float = 30) -> None:
    """Wait until the page has drawn ``n`` more frames: its frame loop has then read
    (and shown) whatever the test just changed. A count of frames, not a span of time."""
    start = expo(page, "__expo.frames")
    wait_until(page, "([start, n]) => __expo.frames >= start + n", [start, n], timeout=timeout)


def click_tool(page: Page, button_id: str) -> None:
    """Click the toolbar's ``button_id`` as a visitor would: through the More menu when the
    bar is too narrow to show it (web/src/ui/toolbar.js lays the bar out again when its texts
    change, so where the button is is checked until it can be seen)."""
    wait_until(
        page,
        """id => {
          const b = document.getElementById(id);
          const menu = document.getElementById('toolbar-menu');
          if (menu.contains(b) && menu.hidden) document.getElementById('btn-more').click();
          return b.offsetParent !== null;
        }""",
        button_id,
        what=f"the toolbar shows #{button_id}",
    )
    page.click(f"#{button_id}")


#: Where a visitor holds the left hand to read the wrist menu: below and in front of the
#: eyes (metres, in the XR rig's space, from the head).
READING_HAND = (0.0, -0.25, -0.4)


def set_left_controller(page: Page, position: list[float], quaternion: list[float]) -> None:
    """Put IWER's left controller (its target ray, in the rig's space) there; wait until the
    page has drawn frames with it."""
    page.evaluate(
        """([p, q]) => {
          const c = xrDevice.controllers.left;
          c.position.set(p[0], p[1], p[2]);
          c.quaternion.set(q[0], q[1], q[2], q[3]);
        }""",
        [position, quaternion],
    )
    wait_frames(page)


def left_palm_to_face(
    page: Page, offset: tuple[float, float, float] = READING_HAND
) -> dict[str, list[float]]:
    """Hold the left controller at ``offset`` from the head with the palm turned to the face
    (the pose comes from the page, web/src/app/testhooks.js leftPalmToFace); returns it."""
    pose: dict[str, list[float]] = wait_until(
        page, "o => __expoTest.leftPalmToFace(o)", list(offset), what="a left controller"
    )
    set_left_controller(page, pose["position"], pose["quaternion"])
    return pose
