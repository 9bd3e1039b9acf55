"""Proximity voice in real Chromium, end to end through a real server: each visitor's fake
microphone (a WAV of tone bursts made here) is encoded to Opus with WebCodecs, sent as VOICE
frames, routed by the server's interest sets, and decoded and played by the visitors near the
speaker, from where the speaker stands; a visitor 30 m away hears nobody until they walk over.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Playwright

from tests.backoffice import STAFF_LOGIN, STAFF_PASSWORD, create_staff
from tests.browser.forum_pages import hall_page, launch_media_browser, new_context, tone_bursts
from tests.browser.support import IWER_INSTALL, IWER_UMD, click_tool, wait_until
from tests.conftest import TIME_FACTOR
from tests.live import ServerProcess

pytestmark = pytest.mark.browser

EYE = 1.6
#: Where the three visitors stand along x from the spot: two together, one 30 m away.
TOGETHER, FAR, NEAR = 2.0, 30.0, 4.0


@pytest.fixture(scope="module")
def wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tone_bursts(tmp_path_factory.mktemp("voice-audio") / "tone-bursts.wav", seconds=4.0)


@pytest.fixture(scope="module")
def media_browser(playwright_driver: Playwright, wav: Path) -> Iterator[Browser]:
    browser = launch_media_browser(playwright_driver, wav)
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def refusing_browser(playwright_driver: Playwright, wav: Path) -> Iterator[Browser]:
    browser = launch_media_browser(playwright_driver, wav, grant=False)
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, web_dist: Path) -> Iterator[ServerProcess]:
    """A real server with a staff account (staff set quiet places)."""
    tmp = tmp_path_factory.mktemp("voice-server")
    create_staff(tmp / "data")
    proc = ServerProcess(tmp).start()
    yield proc
    if proc.proc is not None and proc.proc.poll() is None:
        proc.stop()


def _inside(rect: list[float], x: float, z: float, margin: float = 1.0) -> bool:
    return rect[0] - margin <= x < rect[1] + margin and rect[2] - margin <= z < rect[3] + margin


def open_spot(room: dict[str, Any]) -> tuple[float, float]:
    """A floor point (x, z) of ``room`` from which the points 2, 4 and 30 m along +x are all in
    the open hall: inside the bounds, outside booth voice zones and forum halls."""
    lo, hi = room["bounds"]["min"], room["bounds"]["max"]
    places = room["voice_zones"] + room["forum_areas"]
    for z in [lo[2] + 6 + 2 * k for k in range(int((hi[2] - lo[2] - 12) / 2))]:
        for x in [lo[0] + 6 + 2 * k for k in range(int((hi[0] - lo[0] - 12 - FAR) / 2))]:
            points = [(x + dx, z) for dx in (0.0, TOGETHER, NEAR, FAR)]
            if all(not any(_inside(r, px, pz) for r in places) for px, pz in points):
                return x, z
    raise AssertionError(f"no open stretch of {FAR} m in room {room['id']}")


def first_room(base: str) -> dict[str, Any]:
    room: dict[str, Any] = httpx.get(f"{base}/api/rooms", timeout=30).json()[0]
    return room


def voice(page: Page) -> dict[str, Any]:
    state: dict[str, Any] = page.evaluate("() => __expo.voice")
    return state


def stand(page: Page, x: float, z: float) -> None:
    page.evaluate("([x, z]) => __expoTest.setPose(x, 1.6, z, 0)", [x, z])
    wait_until(
        page,
        "([x, z]) => Math.hypot(__expo.me.position[0] - x, __expo.me.position[2] - z) < 0.05",
        [x, z],
        what=f"the visitor standing at ({x}, {z})",
    )


def hears(page: Page, speaker: int, at_least: int = 15) -> dict[str, Any]:
    """Wait until ``page`` has decoded ``at_least`` chunks of ``speaker``, and not silence."""
    heard: dict[str, Any] = wait_until(
        page,
        """([id, n]) => {
          const s = __expo.voice.hearing.speakers[id];
          return s && s.decoded >= n && s.peakRms > 0.05 ? s : false;
        }""",
        [speaker, at_least],
        timeout=90,
        what=f"{at_least} decoded, audible chunks of speaker {speaker}",
    )
    # Played by the page's playout worklet, on the audio thread (media/playoutworklet.js).
    assert heard["playedIn"] == "worklet", heard
    return heard


def test_neighbours_hear_each_other_the_far_one_joins_by_walking_and_a_local_mute_is_local(
    media_browser: Browser, server: ServerProcess
) -> None:
    room = first_room(server.http)
    x, z = open_spot(room)
    pages: list[Page] = []
    for name in ("Ada", "Bo", "Cai"):
        page = hall_page(new_context(media_browser), server.http, name, query={"room": room["id"]})
        pages.append(page)
    a, b, c = pages
    ids = [p.evaluate("() => __expo.id") for p in pages]
    stand(a, x, z)
    stand(b, x + TOGETHER, z)
    stand(c, x + FAR, z)
    assert voice(a)["indicator"] == "off" and not voice(a)["mic"]["open"]  # mic off by default

    # Ada holds the talk key; Bo and Cai switch their open mic on.
    a.evaluate("() => __expoTest.voice.press('key')")
    b.evaluate("() => __expoTest.voice.setOpen(true)")
    c.evaluate("() => __expoTest.voice.setOpen(true)")
    for page in pages:
        wait_until(page, "() => __expo.voice.indicator === 'live'", what="the mic indicator live")

    from_b = hears(a, ids[1])
    hears(b, ids[0])
    # Ada hears Bo from where Bo's mouth is (HRTF, inverse distance), ears at Ada's camera.
    px, py, pz = from_b["panner"]["position"]
    assert from_b["panner"]["model"] == "HRTF"
    assert math.isclose(px, x + TOGETHER, abs_tol=0.1) and math.isclose(pz, z, abs_tol=0.1)
    assert math.isclose(py, EYE - 0.1, abs_tol=0.1)
    # Cai, 30 m away, heard nobody, and nobody heard Cai; silence was held back.
    assert voice(c)["hearing"]["received"] == 0
    assert str(ids[2]) not in voice(a)["hearing"]["speakers"]
    assert str(ids[2]) not in voice(b)["hearing"]["speakers"]
    wait_until(a, "() => __expo.voice.mic.gated > 0", what="the silence gate holding silence")

    # Cai walks over and joins in: Cai hears both, and both hear Cai.
    stand(c, x + NEAR, z)
    hears(c, ids[0])
    hears(c, ids[1])
    hears(a, ids[2])

    # Cai mutes Ada: Ada goes quiet for Cai alone; Bo still reaches Cai, Ada still reaches Bo.
    c.evaluate("(id) => __expoTest.voice.mute(id, true)", ids[0])
    start = voice(c)["hearing"]["speakers"]
    b_from_a = voice(b)["hearing"]["speakers"][str(ids[0])]["decoded"]
    wait_until(
        c,
        """([a, b, ia, db]) => {
          const s = __expo.voice.hearing.speakers;
          return s[a].ignored >= ia + 15 && s[b].decoded >= db + 15;
        }""",
        [ids[0], ids[1], start[str(ids[0])]["ignored"], start[str(ids[1])]["decoded"]],
        timeout=90,
        what="Ada's chunks ignored and Bo's decoded after the mute",
    )
    # What Ada says after the mute is never decoded: a stretch in which Ada talked (chunks
    # ignored) and Bo was heard, with nothing of Ada decoded (what was already in the decoder
    # may come out just after the mute, so the stretch is looked for, within a bounded time).
    deadline = time.monotonic() + 90 * TIME_FACTOR
    muted = voice(c)["hearing"]["speakers"]
    while True:
        wait_until(
            c,
            """([a, b, ia, db]) => {
              const s = __expo.voice.hearing.speakers;
              return s[a].ignored >= ia + 15 && s[b].decoded >= db + 15;
            }""",
            [ids[0], ids[1], muted[str(ids[0])]["ignored"], muted[str(ids[1])]["decoded"]],
            timeout=90,
            what="Ada still talking and Bo still heard",
        )
        later = voice(c)["hearing"]["speakers"]
        if later[str(ids[0])]["decoded"] == muted[str(ids[0])]["decoded"]:
            break
        assert time.monotonic() < deadline, f"Ada's voice still decoded after the mute: {later}"
        muted = later
    assert muted[str(ids[0])]["gain"] == 0
    hears(b, ids[0], at_least=b_from_a + 15)

    # Ada lets go of the key: the indicator says the mic is no longer sent.
    a.evaluate("() => __expoTest.voice.release('key')")
    wait_until(a, "() => ['ready', 'off'].includes(__expo.voice.indicator)")
    assert not voice(a)["sending"]
    # The microphone stays captured 8 s (no prompt at the next sentence), and what it hears
    # meanwhile is dropped before the encoder, in the worker that reads it: over the next half
    # second of frames, no packet more than the few already in the encoder at the release. (A
    # machine slow enough to pass the 8 s first has released the microphone: nothing to send.)
    released = voice(a)["mic"]
    after = wait_until(
        a,
        "n => { const m = __expo.voice.mic; return !m.open || m.frames >= n ? m : false; }",
        released.get("frames", 0) + 50,
        what="half a second of frames after the release, or the microphone released",
    )
    if after["open"]:
        assert after["path"] == "worker", after
        assert after["packets"] <= released["packets"] + 3, (released, after)
        assert after["droppedFrames"] >= released["droppedFrames"] + 40, (released, after)
    for page in pages:
        assert not page.errors, page.errors  # type: ignore[attr-defined]
        page.context.close()


def test_a_refused_microphone_is_said_and_the_mic_stays_off(
    refusing_browser: Browser, server: ServerProcess
) -> None:
    context = new_context(refusing_browser)
    page = hall_page(context, server.http, "Shy")
    page.evaluate("() => __expoTest.voice.press('key')")
    problem = wait_until(page, "() => __expo.voice.problem", what="the refusal said")
    assert problem["key"] == "media.micDenied"
    said = page.text_content("#voice-msg")
    assert said and "refused" in said
    assert voice(page)["indicator"] == "off" and not voice(page)["mic"]["open"]
    assert page.is_visible("#voice-mic")
    context.close()


def test_a_browser_without_webcodecs_is_told_it_cannot_send_its_voice(
    media_browser: Browser, server: ServerProcess
) -> None:
    context = new_context(media_browser)
    context.add_init_script("delete window.AudioEncoder; delete window.AudioDecoder;")
    page = hall_page(context, server.http, "Old")
    page.evaluate("() => __expoTest.voice.setOpen(true)")
    problem = wait_until(page, "() => __expo.voice.problem", what="the missing encoder said")
    assert problem["key"] == "media.noEncoder"
    assert "AudioEncoder" in (page.text_content("#voice-msg") or "")
    assert voice(page)["indicator"] == "off"
    context.close()


def test_the_visitor_is_shown_booth_talk_zones_and_staff_quiet_places(
    media_browser: Browser, server: ServerProcess
) -> None:
    rooms = httpx.get(f"{server.http}/api/rooms", timeout=30).json()
    room = next(r for r in rooms if r["voice_zones"])
    x0, x1, z0, z1 = room["voice_zones"][0]
    context = new_context(media_browser)
    page = hall_page(context, server.http, "Dee", query={"room": room["id"]})
    stand(page, (x0 + x1) / 2, (z0 + z1) / 2)
    wait_until(page, "() => __expo.voice.place.kind === 'private'", what="inside a booth zone")
    assert "Booth talk zone" in (page.text_content("#voice-msg") or "")

    x, z = open_spot(room)
    stand(page, x, z)
    wait_until(page, "() => __expo.voice.place.kind === 'open'", what="back in the open hall")
    staff = httpx.Client(base_url=server.http, timeout=30 * TIME_FACTOR)
    token = staff.post(
        "/api/auth/login", json={"login": STAFF_LOGIN, "password": STAFF_PASSWORD}
    ).json()["token"]
    staff.headers["Authorization"] = f"Bearer {token}"
    quiet = {"quiet_zones": {"corner": [x - 3, x + 3, z - 3, z + 3]}}
    put = staff.put(f"/api/staff/rooms/{room['id']}/voice", json=quiet)
    assert put.status_code == 200, put.text
    wait_until(page, "() => __expo.voice.place.kind === 'off'", what="the quiet zone shown")
    assert "Quiet zone" in (page.text_content("#voice-msg") or "")
    # Trying to talk there: the indicator says voice is off, and nothing goes out.
    page.evaluate("() => __expoTest.voice.press('key')")
    wait_until(page, "() => __expo.voice.indicator === 'blocked'", what="the mic indicator blocked")
    assert voice(page)["mic"]["sent"] == 0 and not voice(page)["sending"]
    page.evaluate("() => __expoTest.voice.release('key')")
    staff.put(f"/api/staff/rooms/{room['id']}/voice", json={})
    wait_until(page, "() => __expo.voice.place.kind === 'open'", what="the quiet zone lifted")
    staff.close()
    assert not page.errors, page.errors  # type: ignore[attr-defined]
    context.close()


def rotate(q: list[float], v: tuple[float, float, float]) -> list[float]:
    """``v`` turned by the unit quaternion ``q`` (x, y, z, w)."""
    x, y, z, w = q
    tx, ty, tz = 2 * (y * v[2] - z * v[1]), 2 * (z * v[0] - x * v[2]), 2 * (x * v[1] - y * v[0])
    return [
        v[0] + w * tx + (y * tz - z * ty),
        v[1] + w * ty + (z * tx - x * tz),
        v[2] + w * tz + (x * ty - y * tx),
    ]


def test_in_vr_the_left_grip_talks_and_the_ears_follow_the_headset(
    media_browser: Browser, server: ServerProcess
) -> None:
    room = first_room(server.http)
    x, z = open_spot(room)
    vr_context, desk_context = new_context(media_browser), new_context(media_browser)
    vr = hall_page(
        vr_context,
        server.http,
        "Quest",
        query={"room": room["id"]},
        init_scripts=(IWER_UMD, IWER_INSTALL),
    )
    desk = hall_page(desk_context, server.http, "Desk", query={"room": room["id"]})
    stand(vr, x, z)
    stand(desk, x + TOGETHER, z)
    wait_until(vr, "() => __expo.xr.supported && __expo.xr.button === 'ready'")
    click_tool(vr, "btn-vr")
    wait_until(vr, "() => __expo.xr.presenting && __expo.me.vr", what="the VR session")
    vr.evaluate(
        """() => {
          xrDevice.position.set(0.2, 1.7, -0.3);
          xrDevice.quaternion.set(0, Math.sin(0.4), 0, Math.cos(0.4));
        }"""
    )
    wait_until(vr, "() => Math.abs(__expo.me.head.position[1] - 1.7) < 0.005")
    # Holding the left grip talks; the desktop visitor hears the headset's wearer.
    vr.evaluate("() => xrDevice.controllers.left.updateButtonValue('squeeze', 1)")
    wait_until(vr, "() => __expo.voice.held.includes('vr')", what="the grip held as a talk key")
    vr_id, desk_id = vr.evaluate("() => __expo.id"), desk.evaluate("() => __expo.id")
    hears(desk, vr_id)
    # The VR visitor hears the desktop one, with ears where the headset is and facing its way.
    desk.evaluate("() => __expoTest.voice.setOpen(true)")
    hears(vr, desk_id)
    head = vr.evaluate("() => __expo.me.head")
    ears = voice(vr)["hearing"]["ears"]
    assert math.dist(ears["position"], head["position"]) < 0.05
    forward = rotate(head["quaternion"], (0.0, 0.0, -1.0))
    assert math.dist(ears["forward"], forward) < 0.02
    vr.evaluate("() => xrDevice.controllers.left.updateButtonValue('squeeze', 0)")
    wait_until(vr, "() => !__expo.voice.held.includes('vr') && !__expo.voice.sending")
    for page in (vr, desk):
        assert not page.errors, page.errors  # type: ignore[attr-defined]
    vr_context.close()
    desk_context.close()
