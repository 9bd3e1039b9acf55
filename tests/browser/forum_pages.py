"""Helpers for the forum browser tests: a Chromium with a fake microphone fed by a WAV file of our
own making, a server with a staff account, sessions scheduled through the JSON API, and pages of
the hall for the audience, a speaker (through their real invitation link) and a moderator (signed
in at the portal).
"""

from __future__ import annotations

import io
import wave
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, BrowserContext, Page, Playwright

from tests.backoffice import STAFF_LOGIN, STAFF_PASSWORD, bearer, create_staff
from tests.browser.support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    client_url,
    ms,
    wait_for,
    wait_joined,
)
from tests.conftest import TIME_FACTOR
from tests.live import ServerProcess

#: The forum hall of the built-in catalog.
FORUM_HALL = "qiantang-forum"
#: A small page: the hall draws in software here, and several pages share two cores.
SMALL = {"width": 480, "height": 360}
#: The time zone the test visitors live in (the agenda shows times in it).
VISITOR_TZ = "Asia/Shanghai"
#: A slide colour no part of the hall has: magenta.
SLIDE_RGB = (200, 30, 160)


def tone_bursts(path: Path, seconds: float = 6.0, rate: int = 48000) -> Path:
    """A 16-bit mono WAV: 440 Hz bursts of 0.4 s, then 0.6 s of silence (so the microphone's
    silence gate has something to hold back), made here with numpy."""
    t = np.arange(int(rate * seconds)) / rate
    signal = 0.5 * np.sin(2 * np.pi * 440.0 * t) * ((t % 1.0) < 0.4)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((signal * 32767).astype("<i2").tobytes())
    return path


def launch_media_browser(driver: Playwright, wav: Path | None, *, grant: bool = True) -> Browser:
    """Chromium whose microphone is the WAV file, playing sound without a click (recipe:
    shared/recipes/webcodecs-audio.md). With ``grant`` the microphone is granted without a
    prompt; without it, headless Chromium refuses the permission as a visitor who says no.
    Without a WAV there is no fake microphone: a machine with no sound device has none."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (scripts/bootstrap test)")
    return driver.chromium.launch(
        executable_path=str(CHROMIUM),
        headless=True,
        args=[
            *CHROMIUM_ARGS,
            *(["--use-fake-ui-for-media-stream"] if grant else []),
            *(
                ["--use-fake-device-for-media-stream", f"--use-file-for-fake-audio-capture={wav}"]
                if wav is not None
                else []
            ),
            "--autoplay-policy=no-user-gesture-required",
        ],
    )


def start_forum_server(tmp: Path) -> ServerProcess:
    """A real expo server with a staff account (made by ``metaexpo create-staff``)."""
    create_staff(tmp / "data")
    return ServerProcess(tmp).start()


def new_context(browser: Browser, **extra: Any) -> BrowserContext:
    """A context of the small size, in the visitors' time zone."""
    return browser.new_context(viewport=SMALL, timezone_id=VISITOR_TZ, **extra)  # type: ignore[arg-type]


class StaffApi:
    """Staff work through the JSON API: scheduling, slides, speakers, going live and ending."""

    def __init__(self, base: str) -> None:
        self.http = httpx.Client(base_url=base, timeout=60 * TIME_FACTOR)
        signed = self.http.post(
            "/api/auth/login", json={"login": STAFF_LOGIN, "password": STAFF_PASSWORD}
        )
        assert signed.status_code == 200, signed.text
        self.headers = bearer(str(signed.json()["token"]))

    def close(self) -> None:
        self.http.close()

    def schedule(
        self,
        session: str,
        title_en: str,
        title_zh: str,
        minutes_ahead: int = 1,
        abstract: dict[str, str] | None = None,
    ) -> None:
        """A session in the forum hall starting ``minutes_ahead`` from now, one hour long."""
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=minutes_ahead)
        made = self.http.post(
            "/api/forums/sessions",
            json={
                "id": session,
                "forum_hall": FORUM_HALL,
                "title": {"zh": title_zh, "en": title_en},
                "abstract": abstract
                or {"zh": "浏览器测试的场次。", "en": "A session of the browser tests."},
                "speakers": [
                    {
                        "name": {"zh": "林晓岚", "en": "Lin Xiaolan"},
                        "title": {"zh": "主讲", "en": "Speaker"},
                    }
                ],
                "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(hours=1)).isoformat(),
                "time_zone": "Asia/Shanghai",
            },
            headers=self.headers,
        )
        assert made.status_code == 201, made.text

    def slides(self, session: str, body: bytes, filename: str) -> dict[str, Any]:
        done = self.http.post(
            f"/api/forums/sessions/{session}/slides?filename={filename}",
            content=body,
            headers=self.headers,
        )
        assert done.status_code == 201, done.text
        deck: dict[str, Any] = done.json()
        return deck

    def invite_speaker(self, session: str, name: str) -> str:
        """The speaker's one-time link."""
        made = self.http.post(
            f"/api/forums/sessions/{session}/speakers",
            json={"display_name": name},
            headers=self.headers,
        )
        assert made.status_code == 201, made.text
        return str(made.json()["url"])

    def act(self, session: str, message: dict[str, Any]) -> dict[str, Any]:
        done = self.http.post(
            f"/api/forums/sessions/{session}/live", json=message, headers=self.headers
        )
        assert done.status_code == 200, done.text
        answer: dict[str, Any] = done.json()
        return answer

    def go_live(self, session: str) -> dict[str, Any]:
        return self.act(session, {"type": "forum.session", "action": "live"})

    def end(self, session: str) -> None:
        self.act(session, {"type": "forum.session", "action": "end"})

    def agenda(self) -> dict[str, Any]:
        found: dict[str, Any] = self.http.get("/api/forums").json()
        return found


def picture(rgb: tuple[int, int, int] = SLIDE_RGB) -> bytes:
    """A 16:9 PNG slide of one colour with a white box on it."""
    image = Image.new("RGB", (1280, 720), rgb)
    ImageDraw.Draw(image).rectangle((100, 100, 600, 300), fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def hall_page(
    context: BrowserContext,
    base: str,
    name: str,
    *,
    session: str | None = None,
    lang: str = "en",
    init_scripts: tuple[str | Path, ...] = (),
    query: dict[str, str] | None = None,
) -> Page:
    """A page of the hall that enters at once, attending ``session`` if given; waits for the
    welcome and for the forums' join token."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors  # type: ignore[attr-defined]
    for script in init_scripts:
        if isinstance(script, Path):
            page.add_init_script(path=str(script))
        else:
            page.add_init_script(script)
    params = {"name": name, "lang": lang, "autoenter": "1", **(query or {})}
    if session:
        params["forum"] = session
    page.goto(client_url(base, **params))
    wait_for(page, "window.__expo && window.__expo.hall.ready", timeout=60)
    wait_joined(page, timeout=60)
    return page


def staff_page(context: BrowserContext, base: str, session: str, name: str = "Moderator") -> Page:
    """A moderator's page: signed in at the portal (the real form), then the session's run page
    and its "Moderate in the hall" link, and the lobby's Enter."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors  # type: ignore[attr-defined]
    page.goto(f"{base}/portal/login")
    page.fill("input[name=login]", STAFF_LOGIN)
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/portal/login" not in url, timeout=ms(30))
    page.goto(f"{base}/staff/forums/{session}/run")
    page.click("a[href*='as=staff']")
    wait_for(page, "window.__expo && window.__expo.hall.ready", timeout=60)
    page.fill("#lobby-name", name)
    page.click("#lobby-enter")
    wait_joined(page, timeout=60)
    return page


def speaker_page(context: BrowserContext, link: str, name: str = "Lin") -> Page:
    """A speaker's page through their invitation: open the link, accept, then the speaker page's
    own way into the hall, and the lobby's Enter (no test parameters: the page as a speaker has
    it, apart from the name typed)."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors  # type: ignore[attr-defined]
    page.goto(link)
    page.click("form button[type=submit]")
    page.wait_for_url("**/portal/speaker", timeout=ms(30))
    page.click("a[href*='as=speaker']")
    wait_for(page, "window.__expo && window.__expo.hall.ready", timeout=60)
    page.fill("#lobby-name", name)
    page.click("#lobby-enter")
    wait_joined(page, timeout=60)
    return page


def forum(page: Page) -> dict[str, Any]:
    """The page's forum state (window.__expo.forum)."""
    state: dict[str, Any] = page.evaluate("() => __expo.forum")
    return state


def live_button(page: Page, key: str) -> None:
    """Click a button of the live panel (or its moderator tools) by its data-key."""
    page.click(f'#forum-live [data-key="{key}"]')


#: A speaker's STAGE channel on a listener's page is heard: decoded frames that are not silence,
#: and buffers started on the page's audio clock.
HEARD = """([key, n]) => {
  const s = __expo.forum.audio.speakers[key];
  return s && s.decoded >= n && s.scheduled >= 1 && s.peakRms > 0.05 ? s : false;
}"""


def stage_key(wire_id: int) -> str:
    """How a page's StageAudio names a speaker's STAGE channel."""
    return f"{wire_id}:2"
