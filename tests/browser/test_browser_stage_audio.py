"""Stage audio in real Chromium: the microphone (a WAV file of tone bursts made here) is encoded
to Opus with WebCodecs, held back in silence, put through the jitter buffer, decoded and played
with Web Audio, all inside one page; and a visitor whose browser cannot speak (a refused
permission, no microphone, no WebCodecs) is told why.

The media path of the server (protocol version 2) is not in this branch's client codec yet, so
the end-to-end loop runs inside the page (forum/testhook.js `loopback`): the same modules the
hall uses, with the socket replaced by the page's own playback.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright

from tests.browser.forum_pages import (
    StaffApi,
    forum,
    hall_page,
    launch_media_browser,
    live_button,
    new_context,
    speaker_page,
    start_forum_server,
    tone_bursts,
)
from tests.browser.support import wait_until
from tests.forums.pdfs import deck
from tests.live import ServerProcess

pytestmark = pytest.mark.browser

#: The id the in-page loop plays its chunks as, on the STAGE stream (forum/testhook.js).
LOOP = "65534:2"


@pytest.fixture(scope="module")
def wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tone_bursts(tmp_path_factory.mktemp("audio") / "tone-bursts.wav")


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
def micless_browser(playwright_driver: Playwright) -> Iterator[Browser]:
    browser = launch_media_browser(playwright_driver, None)
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def forum_server(
    tmp_path_factory: pytest.TempPathFactory, web_dist: Path
) -> Iterator[ServerProcess]:
    server = start_forum_server(tmp_path_factory.mktemp("audio-server"))
    yield server
    if server.proc is not None and server.proc.poll() is None:
        server.stop()


@pytest.fixture
def staff(forum_server: ServerProcess) -> Iterator[StaffApi]:
    api = StaffApi(forum_server.http)
    yield api
    api.close()


def test_microphone_is_encoded_buffered_decoded_and_played_in_one_page(
    media_browser: Browser, forum_server: ServerProcess
) -> None:
    context = new_context(media_browser)
    page = hall_page(context, forum_server.http, "Echo")
    page.evaluate("() => __expoTest.forum.loopback(true)")
    assert page.evaluate("() => __expoTest.forum.startMic()") is None
    heard = wait_until(
        page,
        """id => {
          const s = __expo.forum.audio.speakers[id];
          return s && s.decoded >= 20 && s.scheduled >= 10 && s.peakRms > 0.05 ? s : false;
        }""",
        LOOP,
        timeout=90,
    )
    mic = forum(page)["audio"]["mic"]
    assert mic["path"] == "track-processor" and mic["packets"] > 0
    # The WAV is 0.4 s of tone, 0.6 s of silence: the gate held some of the silence back.
    wait_until(page, "() => __expo.forum.audio.mic.gated > 0", timeout=30)
    assert heard["jitter"]["played"] >= 10
    # What the page plays is not silence (the mixed output, read after the speakers' graph).
    wait_until(page, "() => __expoTest.forum.outputLevel() > 0.01", timeout=30)
    page.evaluate("() => __expoTest.forum.stopMic()")
    assert forum(page)["audio"]["mic"] is None
    assert not page.errors  # type: ignore[attr-defined]
    context.close()


def test_a_refused_microphone_is_said_and_the_speaker_stays_off_stage(
    refusing_browser: Browser, staff: StaffApi
) -> None:
    session = "audio-refused"
    staff.schedule(session, "A speaker who says no", "拒绝麦克风的主讲")
    staff.slides(session, deck(1), "one.pdf")
    link = staff.invite_speaker(session, "Lin Xiaolan")
    staff.go_live(session)
    context = new_context(refusing_browser)
    speaker = speaker_page(context, link)
    wait_until(speaker, "() => !!document.querySelector('#forum-live [data-key=step]')")
    live_button(speaker, "step")
    problem = wait_until(speaker, "() => __expo.forum.problem")
    assert "refused" in problem
    assert speaker.text_content("#forum-live .error[role=alert]") == problem
    assert forum(speaker)["live"][session]["stage"] == []
    assert forum(speaker)["audio"]["mic"] is None
    staff.end(session)
    context.close()


def test_a_browser_without_webcodecs_is_told_it_can_neither_speak_nor_play(
    media_browser: Browser, forum_server: ServerProcess, staff: StaffApi
) -> None:
    session = "audio-no-webcodecs"
    staff.schedule(session, "An old browser", "旧浏览器")
    staff.slides(session, deck(1), "one.pdf")
    link = staff.invite_speaker(session, "Lin Xiaolan")
    staff.go_live(session)
    context = new_context(media_browser)
    # A browser from before WebCodecs: the page's globals have no AudioEncoder / AudioDecoder.
    context.add_init_script("delete window.AudioEncoder; delete window.AudioDecoder;")
    listener = hall_page(context, forum_server.http, "Old", session=session)
    said = wait_until(listener, "() => __expo.forum.problem")
    assert "AudioDecoder" in said
    speaker = speaker_page(context, link)
    wait_until(speaker, "() => !!document.querySelector('#forum-live [data-key=step]')")
    live_button(speaker, "step")
    wait_until(speaker, "() => (__expo.forum.problem || '').includes('AudioEncoder')")
    assert forum(speaker)["live"][session]["stage"] == []
    staff.end(session)
    context.close()


def test_a_speaker_without_a_microphone_is_told_so_and_stays_off_stage(
    micless_browser: Browser, staff: StaffApi
) -> None:
    session = "audio-no-microphone"
    staff.schedule(session, "A speaker with no microphone", "没有麦克风的主讲")
    staff.slides(session, deck(1), "one.pdf")
    link = staff.invite_speaker(session, "Lin Xiaolan")
    staff.go_live(session)
    context = new_context(micless_browser)
    speaker = speaker_page(context, link)
    inputs = speaker.evaluate(
        """async () => (await navigator.mediaDevices.enumerateDevices())
             .filter((d) => d.kind === 'audioinput').length"""
    )
    assert inputs == 0, "this test needs a machine without a sound input (a headless server)"
    wait_until(speaker, "() => !!document.querySelector('#forum-live [data-key=step]')")
    live_button(speaker, "step")
    problem = wait_until(speaker, "() => __expo.forum.problem")
    assert "No microphone was found" in problem
    assert speaker.text_content("#forum-live .error[role=alert]") == problem
    assert forum(speaker)["live"][session]["stage"] == []
    assert forum(speaker)["audio"]["mic"] is None
    staff.end(session)
    context.close()
