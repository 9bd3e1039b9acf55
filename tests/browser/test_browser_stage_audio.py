"""Stage audio in real Chromium against a real server: a speaker's microphone (a WAV file of tone
bursts made here, Chromium's fake device) is encoded to Opus with WebCodecs, sent as AUDIO frames,
routed by the server's tick, and decoded and played by two audience pages through their jitter
buffers; a raised hand brought on stage is heard too, and a moderator's cut silences the speaker.
The same modules also run in one page without the server (forum/testhook.js ``loopback``), and a
visitor whose browser cannot speak (a refused permission, no microphone, no WebCodecs) is told
why.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.browser.forum_pages import (
    HEARD,
    StaffApi,
    forum,
    hall_page,
    launch_media_browser,
    live_button,
    new_context,
    speaker_page,
    stage_key,
    start_forum_server,
    tone_bursts,
)
from tests.browser.support import expo, wait_until
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
    # Read and encoded in the microphone's worker, decoded in the decoders' worker and played by
    # the playout worklet on the audio thread: off the page's main thread, which may be busy
    # drawing.
    assert mic["path"] == "worker" and mic["packets"] > 0
    assert heard["decodedIn"] == "worker"
    assert heard["playedIn"] == "worklet"
    # The WAV is 0.4 s of tone, 0.6 s of silence: the gate held some of the silence back.
    wait_until(page, "() => __expo.forum.audio.mic.gated > 0", timeout=30)
    assert heard["jitter"]["played"] >= 10
    # What the page plays is not silence (the mixed output, read after the speakers' graph).
    wait_until(page, "() => __expoTest.forum.outputLevel() > 0.01", timeout=30)
    page.evaluate("() => __expoTest.forum.stopMic()")
    assert forum(page)["audio"]["mic"] is None
    assert not page.errors  # type: ignore[attr-defined]
    context.close()


def test_a_page_too_busy_to_read_its_microphone_loses_none_of_it(
    media_browser: Browser, forum_server: ServerProcess
) -> None:
    # A page drawing the hall on a slow device holds its main thread for long stretches; read
    # there, the microphone's processor dropped what its buffer could not hold (seconds of a
    # speaker's voice). Read in a worker, every frame of a three-second stall is still there.
    context = new_context(media_browser)
    page = hall_page(context, forum_server.http, "Busy")
    assert page.evaluate("() => __expoTest.forum.startMic()") is None
    before = wait_until(
        page, "() => { const m = __expo.forum.audio.mic; return m && m.frames > 50 ? m : false; }"
    )
    page.evaluate("() => { const t = performance.now(); while (performance.now() - t < 3000); }")
    # The stall's three seconds and more arrive (frames are 10 ms), with no input lost between them.
    after = wait_until(
        page,
        "n => { const m = __expo.forum.audio.mic; return m.frames > n ? m : false; }",
        before["frames"] + 350,
    )
    assert after["gapMs"] == 0, after
    assert after["packets"] > before["packets"] + 150, after
    page.evaluate("() => __expoTest.forum.stopMic()")
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


#: A speaker's STAGE chunks a listener has received so far.
RECEIVED = "k => __expo.forum.audio.speakers[k]?.jitter.received ?? 0"
GREW = "([k, n]) => (__expo.forum.audio.speakers[k]?.jitter.received ?? 0) >= n"


def page_audio(page: Any) -> Any:
    """A page's stage-audio state, without the bulky parts (for a failure's message)."""
    return page.evaluate(
        """() => { const a = __expo.forum.audio;
          return {...a, speakers: Object.fromEntries(Object.entries(a.speakers ?? {}).map(
            ([k, s]) => [k, {decoded: s.decoded, scheduled: s.scheduled, peakRms: s.peakRms,
              received: s.jitter?.received}]))}; }"""
    )


def test_the_audience_hears_the_speaker_then_a_raised_hand_and_the_moderator_cuts_the_speaker(
    media_browser: Browser, forum_server: ServerProcess, staff: StaffApi
) -> None:
    """The moderator works from the API here (the in-hall tools are in test_browser_forums.py):
    every page in the hall draws in software, and three of them share two cores."""
    session = "audio-live"
    staff.schedule(session, "A talk you can hear", "听得见的演讲")
    staff.slides(session, deck(1), "one.pdf")
    link = staff.invite_speaker(session, "Lin Xiaolan")
    staff.go_live(session)
    contexts = [new_context(media_browser) for _ in range(3)]
    try:
        speaker = speaker_page(contexts[0], link)
        ana = hall_page(contexts[1], forum_server.http, "Ana", session=session)
        bo = hall_page(contexts[2], forum_server.http, "Bo", session=session)
        speaker_id = expo(speaker, "__expo.id")
        host = stage_key(speaker_id)
        bo_id = expo(bo, "__expo.id")

        # The speaker steps on stage; both audience pages decode and play what they say.
        wait_until(speaker, "() => !!document.querySelector('#forum-live [data-key=step]')")
        live_button(speaker, "step")
        for page in (ana, bo):
            try:
                wait_until(page, HEARD, [host, 5], timeout=120)
            except PlaywrightTimeoutError as exc:
                # What each side saw, for whoever reads a failure (a CI log is all they have).
                seen = {
                    "speaker": page_audio(speaker),
                    "listener": page_audio(page),
                    "listener_live": forum(page)["live"].get(session),
                }
                raise AssertionError(f"the audience did not hear the speaker: {seen}") from exc
        assert forum(speaker)["audio"]["sent"] > 0
        assert not forum(ana)["problem"]

        # Bo raises a hand, the moderator invites him, he accepts: Ana hears him too.
        live_button(bo, "hand")
        wait_until(bo, "s => __expo.forum.live[s].hands === 1", session)
        hands = staff.http.get(f"/api/forums/sessions/{session}/live", headers=staff.headers)
        assert any(h["id"] == bo_id for h in hands.json()["hands"]), hands.text
        staff.act(session, {"type": "forum.stage", "action": "invite", "id": bo_id})
        wait_until(bo, "() => !!document.querySelector('#forum-live .forum-invite')")
        live_button(bo, "accept")
        guest = stage_key(bo_id)
        wait_until(ana, HEARD, [guest, 5], timeout=120)

        # The moderator cuts the speaker: their microphone closes and nothing more of them
        # arrives, while Bo goes on being heard. (Chunks already on their way land while Bo says
        # ten more; after that the speaker's count must stand still while he says ten again.)
        staff.act(session, {"type": "forum.mic", "on": False, "id": speaker_id})
        wait_until(speaker, "() => !__expo.forum.audio.mic")
        wait_until(
            ana,
            "([s, id]) => __expo.forum.live[s].stage.some((p) => p.id === id && !p.mic)",
            [session, speaker_id],
        )
        wait_until(ana, GREW, [guest, ana.evaluate(RECEIVED, guest) + 10], timeout=120)
        cut_at = ana.evaluate(RECEIVED, host)
        wait_until(ana, GREW, [guest, ana.evaluate(RECEIVED, guest) + 10], timeout=120)
        # The same count, or none at all: a page forgets a speaker silent for 30 s.
        assert ana.evaluate(RECEIVED, host) in (cut_at, 0)
        staff.end(session)
        for page in (speaker, ana, bo):
            assert not page.errors, page.errors  # type: ignore[attr-defined]
    finally:
        for context in contexts:
            context.close()
