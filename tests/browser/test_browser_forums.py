"""The forums in real Chromium against a real server: the agenda in Chinese and English; a speaker
(through their invitation link) turns a slide and the audience's screens follow, then the replay
turns the slides at the same moments; a question asked on an audience page reaches the moderator,
is approved, upvoted and pinned, and shows beside the stage; a raised hand is invited on stage,
accepts with the microphone, is badged for the others and taken off again; a headset (IWER) in
the audience sees the slide on the big screen, raises a hand from the 3D panel and hears the
speaker on stage.

Staff schedule and start the sessions through the JSON API; everything the visitors, speakers and
moderators do goes through the pages' own buttons. The pages are read through window.__expo.forum.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, Playwright

from tests.browser.forum_pages import (
    FORUM_HALL,
    HEARD,
    SLIDE_RGB,
    SMALL,
    StaffApi,
    forum,
    hall_page,
    launch_media_browser,
    live_button,
    new_context,
    picture,
    speaker_page,
    staff_page,
    stage_key,
    start_forum_server,
    tone_bursts,
)
from tests.browser.support import IWER_INSTALL, IWER_UMD, click_tool, expo, wait_until
from tests.forums.pdfs import deck
from tests.live import ServerProcess

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def media_browser(
    playwright_driver: Playwright, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Browser]:
    browser = launch_media_browser(
        playwright_driver, tone_bursts(tmp_path_factory.mktemp("audio") / "tone-bursts.wav")
    )
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def forum_server(
    tmp_path_factory: pytest.TempPathFactory, web_dist: Path
) -> Iterator[ServerProcess]:
    server = start_forum_server(tmp_path_factory.mktemp("forum-server"))
    yield server
    if server.proc is not None and server.proc.poll() is None:
        server.stop()


@pytest.fixture
def staff(forum_server: ServerProcess) -> Iterator[StaffApi]:
    api = StaffApi(forum_server.http)
    yield api
    api.close()


@pytest.fixture
def contexts(media_browser: Browser) -> Iterator[list[BrowserContext]]:
    """Three separate visitors (own storage: own guest tokens, own cookies)."""
    made = [new_context(media_browser) for _ in range(3)]
    yield made
    for c in made:
        c.close()


def no_page_errors(*pages: Page) -> None:
    for page in pages:
        assert not page.errors, page.errors  # type: ignore[attr-defined]


AGENDA_ITEMS = """() => [...document.querySelectorAll('#forum-agenda li.forum-session')].map(
  (li) => ({id: li.dataset.session, title: li.querySelector('h3').textContent,
            time: li.querySelector('time').textContent,
            ics: li.querySelector('a[download]')?.href ?? ''}))"""
ON_STAGE = """([s, id, role]) => __expo.forum.live[s].stage.some(
  (p) => p.id === id && p.role === role && p.mic)"""
BADGED = "([id, role]) => __expo.forum.badges.some((b) => b.id === id && b.role === role)"
MIC_SENDS = "() => __expo.forum.audio.mic && __expo.forum.audio.mic.packets > 0"
OVERLAY_SHOWS = """url => { const o = document.querySelector('#forum-slide-overlay');
  return !o.hidden && o.querySelector('img').getAttribute('src') === url; }"""


#: Where the agenda test's visitor lives: not the sessions' zone (Asia/Shanghai), so the times
#: it reads are converted; December there is GMT-5.
FAR_TZ = "America/New_York"


def test_agenda_lists_every_session_in_chinese_and_english_in_the_visitors_time_zone(
    media_browser: Browser, forum_server: ServerProcess, staff: StaffApi
) -> None:
    context = media_browser.new_context(viewport=SMALL, timezone_id=FAR_TZ)  # type: ignore[arg-type]
    page = hall_page(context, forum_server.http, "读者", lang="zh")
    click_tool(page, "btn-forums")
    sessions = sorted(staff.agenda()["sessions"], key=lambda s: (s["starts_at"], s["id"]))
    wait_until(
        page,
        "n => document.querySelectorAll('#forum-agenda li.forum-session').length === n",
        len(sessions),
    )
    items: list[dict[str, str]] = page.evaluate(AGENDA_ITEMS)
    assert [i["id"] for i in items] == [s["id"] for s in sessions]
    assert [i["title"] for i in items] == [s["title"]["zh"] for s in sessions]
    # The visitor lives in New York: the times they read are New York's, not the venue's.
    for item, session in zip(items, sessions, strict=True):
        start = datetime.fromisoformat(session["starts_at"]).astimezone(ZoneInfo(FAR_TZ))
        end = datetime.fromisoformat(session["ends_at"]).astimezone(ZoneInfo(FAR_TZ))
        assert f"{start:%H:%M}–{end:%H:%M}" in item["time"], (item, session["starts_at"])
    assert "GMT-5" in page.text_content("#forum-agenda .hint")
    first = sessions[0]
    assert items[0]["ics"].endswith(f"/api/forums/sessions/{first['id']}.ics?lang=zh")
    calendar = page.request.get(items[0]["ics"])
    assert calendar.ok and "text/calendar" in calendar.headers["content-type"]
    assert "BEGIN:VEVENT" in calendar.text()
    # The board at the forum hall's entrance shows what comes next.
    board = wait_until(
        page,
        "h => { const b = __expo.forum.halls[h]; return b && b.board.length ? b : false; }",
        FORUM_HALL,
    )

    click_tool(page, "btn-lang")
    wait_until(
        page,
        "t => document.querySelector('#forum-agenda li.forum-session h3').textContent === t",
        sessions[0]["title"]["en"],
    )
    english = page.evaluate(AGENDA_ITEMS)
    assert [i["title"] for i in english] == [s["title"]["en"] for s in sessions]
    assert [i["time"][-11:] for i in english] == [i["time"][-11:] for i in items]
    wait_until(
        page,
        "([h, n]) => __expo.forum.halls[h].boardPainted > n",
        [FORUM_HALL, board["boardPainted"]],
    )
    no_page_errors(page)
    context.close()


def test_a_session_about_to_start_is_announced_and_take_me_there_goes_to_its_hall(
    contexts: list[BrowserContext], forum_server: ServerProcess, staff: StaffApi
) -> None:
    session = "browser-soon"
    staff.schedule(session, "Starting soon", "马上开始", minutes_ahead=3)
    page = hall_page(contexts[0], forum_server.http, "Early")
    assert FORUM_HALL not in forum(page)["inHall"]
    notice = wait_until(
        page,
        """s => { const n = document.querySelector('#forum-notice');
                  return !n.hidden && n.dataset.session === s ? n.textContent : false; }""",
        session,
    )
    assert "Starting in" in notice and "Starting soon" in notice, notice
    assert forum(page)["panels"]["notice"] == {"session": session, "kind": "soon"}
    page.click("#forum-notice button.primary")
    wait_until(page, "h => __expo.forum.inHall.includes(h)", FORUM_HALL, timeout=30)
    assert page.is_hidden("#forum-notice")
    deleted = staff.http.delete(f"/api/forums/sessions/{session}", headers=staff.headers)
    assert deleted.status_code in (200, 204), deleted.text
    no_page_errors(page)


def test_speaker_turns_a_slide_the_audience_follows_and_the_replay_turns_it_again(
    contexts: list[BrowserContext], forum_server: ServerProcess, staff: StaffApi
) -> None:
    session = "browser-slides"
    staff.schedule(session, "Slides in the browser", "浏览器里的幻灯片")
    staff.slides(session, deck(3), "talk.pdf")
    link = staff.invite_speaker(session, "Lin Xiaolan")
    staff.go_live(session)

    speaker = speaker_page(contexts[0], link)
    ana = hall_page(contexts[1], forum_server.http, "Ana", session=session)
    bo = hall_page(contexts[2], forum_server.http, "Bo", session=session)
    assert forum(speaker)["token"] == "speaker"
    wait_until(speaker, "s => (__expo.forum.roles[s] || []).includes('speaker')", session)
    # The speaker came through ?forum=…: the panel is that session's, with the presenter's buttons.
    wait_until(speaker, "() => !!document.querySelector('#forum-live [data-key=next]')")
    for page in (ana, bo):
        wait_until(page, "s => __expo.forum.live[s]?.slide?.page === 1", session)
        assert forum(page)["token"] == "guest"

    live_button(speaker, "next")
    for page in (ana, bo):
        wait_until(page, "s => __expo.forum.live[s].slide.page === 2", session)
        # The big screen in the hall and the 2D panel both show page 2.
        wait_until(page, "h => __expo.forum.halls[h].screen.page === 2", FORUM_HALL)
        wait_until(page, "() => document.querySelector('#forum-live figure').dataset.page === '2'")
    ink = ana.evaluate("h => __expoTest.forum.screenInk(h)", FORUM_HALL)
    # tests/forums/pdfs.py paints page 2 in (40, 120, 200); JPEG moves it a little.
    assert all(abs(a - b) <= 12 for a, b in zip(ink["middle"], (40, 120, 200), strict=True)), ink

    # Enlarged over the whole view, the slide follows the speaker's next turn.
    live_button(ana, "enlarge")
    page2 = forum(ana)["live"][session]["slide"]["url"]
    wait_until(ana, OVERLAY_SHOWS, page2)
    live_button(speaker, "next")
    page3 = wait_until(
        ana, "s => __expo.forum.live[s].slide.page === 3 && __expo.forum.live[s].slide.url", session
    )
    assert page3 != page2
    wait_until(ana, OVERLAY_SHOWS, page3)
    ana.keyboard.press("Escape")
    wait_until(ana, "() => document.querySelector('#forum-slide-overlay').hidden")
    # Switching the page to Chinese keeps the panel's heading the session's title.
    click_tool(ana, "btn-lang")
    heading = "t => document.querySelector('#forum-live-title').textContent === t"
    wait_until(ana, heading, "浏览器里的幻灯片")

    # The speaker steps on stage (the fake microphone opens) and is badged for the audience.
    speaker_id = expo(speaker, "__expo.id")
    live_button(speaker, "step")
    wait_until(ana, ON_STAGE, [session, speaker_id, "speaker"])
    wait_until(speaker, MIC_SENDS)
    wait_until(ana, BADGED, [speaker_id, "speaker"])
    # The audience has received some of what the speaker said: the server routed it, and
    # recorded it for the replay.
    wait_until(
        ana,
        "([k, n]) => (__expo.forum.audio.speakers[k]?.jitter.received ?? 0) >= n",
        [f"{speaker_id}:2", 3],
        what="the audience receives the speaker's stage audio",
    )

    # After the session, the agenda offers the replay, whose slides turn at the same moments.
    staff.end(session)
    wait_until(
        bo,
        "s => __expo.forum.agenda.find((x) => x.id === s).state === 'replay'",
        session,
        timeout=60,
    )
    wait_until(speaker, "() => !__expo.forum.audio.mic")
    click_tool(bo, "btn-forums")
    bo.click(f'#forum-agenda [data-key="replay:{session}"]')
    wait_until(bo, "() => document.querySelector('#forum-replay').dataset.page === '1'")
    replay = staff.http.get(f"/api/forums/sessions/{session}/replay").json()
    turned = next(e for e in replay["timeline"] if e["page"] == 2)
    after = next(e for e in replay["timeline"] if e["page"] == 3)
    # The speaker talked with the microphone on: the replay has the stage audio, and its
    # player's position turns the slides (a replay without audio has a slider instead).
    assert replay["audio"] is not None, replay
    bo.evaluate(
        "ms => { document.querySelector('#forum-replay audio').currentTime = ms / 1000; }",
        (turned["at_ms"] + after["at_ms"]) // 2,
    )
    wait_until(bo, "() => document.querySelector('#forum-replay').dataset.page === '2'")
    assert bo.get_attribute("#forum-replay img.forum-slide", "src") == turned["url"]
    no_page_errors(speaker, ana, bo)


def test_question_goes_through_moderation_and_a_raised_hand_goes_on_stage(
    contexts: list[BrowserContext], forum_server: ServerProcess, staff: StaffApi
) -> None:
    session = "browser-questions"
    staff.schedule(session, "Questions in the browser", "浏览器里的提问")
    staff.slides(session, deck(1), "one.pdf")
    staff.go_live(session)

    moderator = staff_page(contexts[0], forum_server.http, session)
    ana = hall_page(contexts[1], forum_server.http, "Ana", session=session)
    bo = hall_page(contexts[2], forum_server.http, "Bo", session=session)
    assert forum(moderator)["token"] == "account"
    wait_until(moderator, "s => (__expo.forum.roles[s] || []).includes('staff')", session)
    wait_until(moderator, "() => !!document.querySelector('#forum-live .forum-mod:not([hidden])')")

    # Ana asks; only she (and the moderators) see it until it is approved.
    ana.fill("#forum-ask-text", "<b>How</b> do twins reach the shop floor?")
    ana.click("#forum-live .forum-ask button[type=submit]")
    mine = wait_until(
        ana, "() => __expo.forum.questions.find((q) => q.mine && q.state === 'pending') || false"
    )
    qid = mine["id"]
    queued = wait_until(
        moderator,
        "([s, id]) => (__expo.forum.queue[s] || []).find((q) => q.id === id) || false",
        [session, qid],
    )
    assert queued["name"] == "Ana" and queued["state"] == "pending"
    assert not any(q["id"] == qid for q in forum(bo)["questions"])

    live_button(moderator, f"approve:{qid}")
    wait_until(bo, "id => __expo.forum.questions.some((q) => q.id === id)", qid)
    # The text shows as typed: never as markup.
    shown = bo.text_content(f'#forum-live li[data-question="{qid}"] .text')
    assert shown == "<b>How</b> do twins reach the shop floor?"
    assert bo.locator(f'#forum-live li[data-question="{qid}"] b').count() == 0

    bo.click(f'#forum-live [data-key="vote:{qid}"]')
    wait_until(
        ana, "id => __expo.forum.questions.some((q) => q.id === id && q.votes === 1 && q.mine)", qid
    )
    live_button(moderator, f"pin:{qid}")
    for page in (ana, bo):
        wait_until(page, "id => __expo.forum.questions.some((q) => q.id === id && q.pinned)", qid)
        # Beside the stage: the questions board paints it.
        wait_until(
            page, "([h, id]) => __expo.forum.halls[h].questions.includes(id)", [FORUM_HALL, qid]
        )
    # Bo asks anonymously: the moderator sees no name.
    bo.check("#forum-ask-anon")
    bo.fill("#forum-ask-text", "Who pays for the headsets?")
    bo.click("#forum-live .forum-ask button[type=submit]")
    wait_until(
        moderator,
        "s => (__expo.forum.queue[s] || []).some((q) => !q.name && q.text.startsWith('Who'))",
        session,
    )

    # Bo raises a hand; the moderator invites him; he accepts and his microphone goes live.
    bo_id = expo(bo, "__expo.id")
    live_button(bo, "hand")
    wait_until(
        moderator,
        "([s, id]) => ((__expo.forum.hands[s] || {}).hands || []).some((h) => h.id === id)",
        [session, bo_id],
    )
    live_button(moderator, f"invite:{bo_id}")
    wait_until(bo, "() => !!document.querySelector('#forum-live .forum-invite')")
    live_button(bo, "accept")
    wait_until(ana, ON_STAGE, [session, bo_id, "guest"])
    wait_until(bo, MIC_SENDS)
    wait_until(ana, BADGED, [bo_id, "guest"])

    # The moderator ends his turn: off the stage, microphone closed.
    live_button(moderator, f"end:{bo_id}")
    wait_until(
        ana, "([s, id]) => !__expo.forum.live[s].stage.some((p) => p.id === id)", [session, bo_id]
    )
    wait_until(bo, "() => !__expo.forum.audio.mic")
    staff.end(session)
    no_page_errors(moderator, ana, bo)


#: Point the right controller at a button of the forum's VR panel (world → the reference space
#: the controllers live in: the rig stands at the feet, turned by the player's yaw).
AIM = """id => {
  const target = __expoTest.forum.vrButtonPoint(id);
  const me = __expo.me;
  const hl = xrDevice.position;
  const c = Math.cos(me.yaw), s = Math.sin(me.yaw);
  const rot = (v) => [v[0] * c + v[2] * s, v[1], -v[0] * s + v[2] * c];
  const unrot = (v) => [v[0] * c - v[2] * s, v[1], v[0] * s + v[2] * c];
  const hr = rot([hl.x, hl.y, hl.z]);
  const rig = me.head.position.map((v, i) => v - hr[i]);
  const local = unrot(target.map((v, i) => v - rig[i]));
  const from = [hl.x + 0.15, hl.y - 0.25, hl.z - 0.1];
  let d = local.map((v, i) => v - from[i]);
  const n = Math.hypot(...d);
  d = d.map((v) => v / n);
  // The rotation of a = (0, 0, -1) onto d: q = (a × d, 1 + a · d), normalised.
  const q = [d[1], -d[0], 0, 1 - d[2]];
  const qn = Math.hypot(...q);
  const ctl = xrDevice.controllers.right;
  ctl.position.set(...from);
  ctl.quaternion.set(q[0] / qn, q[1] / qn, q[2] / qn, q[3] / qn);
  return __expo.frames;
}"""


def magenta_share(png: bytes) -> float:
    """The share of pixels of the slide's colour in a screenshot."""
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    close = np.ones(rgb.shape[:2], dtype=bool)
    for channel, value in enumerate(SLIDE_RGB):
        close &= abs(rgb[..., channel] - value) < 45
    return float(close.mean())


def test_headset_in_the_audience_sees_the_slide_raises_a_hand_and_hears_the_speaker(
    contexts: list[BrowserContext], forum_server: ServerProcess, staff: StaffApi
) -> None:
    session = "browser-headset"
    staff.schedule(session, "A talk seen in VR", "在 VR 里看的演讲")
    staff.slides(session, picture(), "magenta.png")
    link = staff.invite_speaker(session, "Lin Xiaolan")
    staff.go_live(session)

    vr = hall_page(
        contexts[0],
        forum_server.http,
        "Quest",
        session=session,
        init_scripts=(IWER_UMD, IWER_INSTALL),
    )
    wait_until(vr, "__expo.xr.supported && __expo.xr.button === 'ready'")
    wait_until(vr, "h => __expo.forum.halls[h].screen.page === 1", FORUM_HALL)
    ink = vr.evaluate("h => __expoTest.forum.screenInk(h)", FORUM_HALL)
    assert all(abs(a - b) <= 12 for a, b in zip(ink["middle"], SLIDE_RGB, strict=True)), ink

    click_tool(vr, "btn-vr")
    wait_until(vr, "__expo.xr.presenting && __expo.me.vr")
    # In front of the stage, looking at it: the slide fills a good part of the headset's view.
    frames = expo(vr, "__expo.frames")
    wait_until(vr, "n => __expo.frames > n + 3", frames)
    seen = magenta_share(vr.screenshot())
    assert seen > 0.02, f"the headset's view shows {seen:.1%} of the slide's colour"

    # The forum's VR panel: point at "raise your hand" and pull the trigger.
    wait_until(vr, "() => __expo.forum.vr.visible && __expo.forum.vr.buttons.includes('hand')")
    frames = vr.evaluate(AIM, "hand")
    wait_until(vr, "n => __expo.frames > n + 3", frames)
    vr.evaluate("xrDevice.controllers.right.updateButtonValue('trigger', 1)")
    wait_until(vr, "s => __expo.forum.handUp.includes(s)", session)
    vr.evaluate("xrDevice.controllers.right.updateButtonValue('trigger', 0)")
    assert expo(vr, "__expo.forum.vr.lastAction") == "hand"
    assert not expo(vr, "__expo.xr.aiming"), "the pull went to the panel, not to a teleport"
    wait_until(vr, "s => __expo.forum.live[s].hands === 1", session)

    # The speaker steps on stage and talks: the headset in the audience hears them.
    speaker = speaker_page(contexts[1], link)
    wait_until(speaker, "() => !!document.querySelector('#forum-live [data-key=step]')")
    live_button(speaker, "step")
    wait_until(vr, HEARD, [stage_key(expo(speaker, "__expo.id")), 5], timeout=120)
    assert expo(vr, "__expo.xr.presenting"), "the headset left VR"
    staff.end(session)
    no_page_errors(vr, speaker)
