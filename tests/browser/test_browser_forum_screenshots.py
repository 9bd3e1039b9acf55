"""The screenshots of docs/forums.md, in Chinese and in English, taken from real Chromium driving
a real server through one session's life: staff schedule it in the console, a speaker opens
their invitation, a visitor asks and raises a hand while staff run the session, and the replay.

Every picture is checked before it is kept: the page shows the expected words of its language,
and the picture is not blank. By default they go to a temporary folder; ``scripts/screenshots``
sets ``METAEXPO_SCREENSHOTS_DIR=docs/images/forums`` to refresh the documentation's. The last
test checks that docs/forums.md shows exactly the pictures made here.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, Playwright

from metaexpo.portal.forum_strings import FORUM_STRINGS
from tests.backoffice import STAFF_LOGIN, STAFF_PASSWORD
from tests.browser.forum_pages import (
    StaffApi,
    forum,
    hall_page,
    launch_media_browser,
    live_button,
    start_forum_server,
    tone_bursts,
)
from tests.browser.support import click_tool, ms, wait_for, wait_until
from tests.live import ServerProcess

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "forums.md"
#: The documentation's pictures, by name (each in -zh and -en).
SHOTS = (
    "console-agenda",
    "console-new",
    "speaker-invitation",
    "speaker-page",
    "console-run",
    "hall-agenda",
    "hall-live",
    "hall-replay",
)
LANGS = ("zh", "en")
#: Wide enough for the console's tables and for the hall beside a panel.
VIEW = {"width": 1100, "height": 700}
SESSION = "screenshots-talk"
TITLE = {
    "zh": "数字孪生工厂：从设计到车间",
    "en": "Digital twin factories: from design to shop floor",
}
ABSTRACT = {
    "zh": "长三角制造企业如何用数字孪生把新产线的调试时间减半。",
    "en": "How makers of the Yangtze River Delta halve commissioning with digital twins.",
}

#: The slides: two pages drawn as HTML and printed to PDF by Chromium (the server renders them
#: back to pictures, as it does for any speaker's deck).
DECK_HTML = """<!doctype html><html><head><meta charset="utf-8"><style>
@page { size: 1280px 720px; margin: 0 }
body { margin: 0; font-family: 'Noto Sans CJK SC', sans-serif }
section { width: 1280px; height: 720px; box-sizing: border-box; padding: 90px 110px;
          page-break-after: always; color: #fff;
          background: linear-gradient(135deg, #0b4f6c 0%, #01baef 100%) }
section + section { background: linear-gradient(135deg, #3d1f5c 0%, #c0398a 100%) }
h1 { font-size: 74px; margin: 0 0 30px } h2 { font-size: 40px; font-weight: 400; margin: 0 }
ul { font-size: 40px; line-height: 1.7 }
</style></head><body>
<section><h1>数字孪生工厂</h1><h2>Digital twin factories</h2>
<h2 style="margin-top:160px">元宇宙浙江 · Metaverse Zhejiang Expo</h2></section>
<section><h1>调试时间减半 · Half the commissioning</h1>
<ul><li>虚拟产线先跑通 · Run the line virtually first</li>
<li>传感器数据回写 · Sensor data flows back</li><li>远程验收 · Remote acceptance</li></ul></section>
</body></html>"""


#: An image has arrived and been decoded.
SLIDE_LOADED = (
    "sel => { const i = document.querySelector(sel); return i.complete && i.naturalWidth > 0; }"
)


def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the pictures go: METAEXPO_SCREENSHOTS_DIR (relative to the repository), or tmp."""
    chosen = os.environ.get("METAEXPO_SCREENSHOTS_DIR")
    if not chosen:
        return tmp_path_factory.mktemp("screenshots")
    path = Path(chosen)
    path = path if path.is_absolute() else ROOT / path
    path.mkdir(parents=True, exist_ok=True)
    return path


def s(key: str, lang: str) -> str:
    """A console string in a language."""
    zh, en = FORUM_STRINGS[key]
    return zh if lang == "zh" else en


class Album:
    """The pictures taken so far; each is checked, then kept as an optimised PNG."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.taken: list[str] = []

    def take(self, page: Page, name: str, lang: str, *, shows: str, whole: bool = False) -> None:
        """Screenshot ``page`` (``whole``: all of it, not only the view) once it shows
        ``shows`` (words of ``lang``), with its panels scrolled to their tops."""
        assert name in SHOTS, name
        wait_until(page, "t => document.body.innerText.includes(t)", shows, timeout=30)
        page.evaluate(
            "() => document.querySelectorAll('.forum-panel, .forum-body')"
            ".forEach((el) => { el.scrollTop = 0; })"
        )
        png = page.screenshot(full_page=whole)
        image = Image.open(io.BytesIO(png)).convert("RGB")
        colours = len(np.unique(np.asarray(image).reshape(-1, 3), axis=0))
        assert colours > 40, f"{name}-{lang} is almost blank ({colours} colours)"
        image.save(self.folder / f"{name}-{lang}.png", optimize=True)
        self.taken.append(f"{name}-{lang}")


def make_deck(browser: Browser) -> bytes:
    context = browser.new_context()
    page = context.new_page()
    page.set_content(DECK_HTML)
    pdf = page.pdf(width="1280px", height="720px", print_background=True)
    context.close()
    return pdf


def sign_in(context: BrowserContext, base: str) -> Page:
    """A staff member signed in at the portal (the real form)."""
    page = context.new_page()
    page.goto(f"{base}/portal/login")
    page.fill("input[name=login]", STAFF_LOGIN)
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/portal/login" not in url, timeout=ms(30))
    return page


@pytest.fixture(scope="module")
def album(tmp_path_factory: pytest.TempPathFactory) -> Album:
    return Album(out_dir(tmp_path_factory))


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
    server = start_forum_server(tmp_path_factory.mktemp("screenshots-server"))
    yield server
    if server.proc is not None and server.proc.poll() is None:
        server.stop()


def test_a_session_from_schedule_to_replay_is_pictured_in_chinese_and_english(
    media_browser: Browser, forum_server: ServerProcess, album: Album
) -> None:
    base = forum_server.http
    staff = StaffApi(base)
    contexts: list[BrowserContext] = []

    def context() -> BrowserContext:
        made = media_browser.new_context(viewport=VIEW, timezone_id="Asia/Shanghai")  # type: ignore[arg-type]
        contexts.append(made)
        return made

    try:
        staff.schedule(SESSION, TITLE["en"], TITLE["zh"], minutes_ahead=30, abstract=ABSTRACT)
        staff.slides(SESSION, make_deck(media_browser), "digital-twins.pdf")

        # The console: the agenda, and a new session being filled in.
        console = sign_in(context(), base)
        for lang in LANGS:
            console.goto(f"{base}/staff/forums?lang={lang}")
            album.take(console, "console-agenda", lang, shows=TITLE[lang], whole=True)
            console.goto(f"{base}/staff/forums/new?lang={lang}")
            console.fill("input[name=id]", "ai-in-retail")
            console.fill("input[name=title_zh]", "零售业的人工智能")
            console.fill("input[name=title_en]", "AI in retail")
            console.fill("textarea[name=abstract_zh]", "从选品到客服：杭州商户的经验。")
            console.fill("textarea[name=abstract_en]", "From buying to service: Hangzhou's shops.")
            console.fill("textarea[name=speakers]", "王嘉 | Wang Jia | 店长 | Store manager")
            shows = s("forum_speakers_lines", lang)
            album.take(console, "console-new", lang, shows=shows, whole=True)

        # The speaker: the invitation (seen before accepting), then their own page.
        link = staff.invite_speaker(SESSION, "林晓岚 Lin Xiaolan")
        speaker = context().new_page()
        for lang in LANGS:
            speaker.goto(f"{link}?lang={lang}")
            album.take(speaker, "speaker-invitation", lang, shows=s("forum_speaker_accept", lang))
        speaker.click("form button[type=submit]")
        speaker.wait_for_url("**/portal/speaker", timeout=ms(30))
        for lang in LANGS:
            speaker.goto(f"{base}/portal/speaker?lang={lang}")
            shows = s("forum_speaker_enter", lang)
            album.take(speaker, "speaker-page", lang, shows=shows, whole=True)

        # Live: a visitor in the hall asks two questions and raises a hand; staff run it.
        staff.go_live(SESSION)
        visitor = hall_page(context(), base, "Chen Yu", session=SESSION, lang="zh")
        wait_until(visitor, "s => __expo.forum.live[s]?.slide?.page === 1", SESSION)
        for text in ("产线改造要多久？How long does a retrofit take?", "中小企业用得起吗？"):
            visitor.fill("#forum-ask-text", text)
            visitor.click("#forum-live .forum-ask button[type=submit]")
            wait_until(visitor, "t => __expo.forum.questions.some((q) => q.text === t)", text)
        first, second = (q["id"] for q in forum(visitor)["questions"])
        staff.act(SESSION, {"type": "forum.moderate", "question": first, "action": "approve"})
        staff.act(SESSION, {"type": "forum.moderate", "question": first, "action": "pin"})
        live_button(visitor, "hand")
        wait_until(visitor, "s => __expo.forum.live[s].hands === 1", SESSION)
        for lang in LANGS:
            console.goto(f"{base}/staff/forums/{SESSION}/run?lang={lang}")
            shows = s("forum_invite_on_stage", lang)
            album.take(console, "console-run", lang, shows=shows, whole=True)

        # What the visitor sees: the slide on the big screen and in the panel, the questions.
        wait_until(
            visitor, "id => __expo.forum.questions.some((q) => q.id === id && q.pinned)", first
        )
        wait_until(visitor, "h => __expo.forum.halls[h].screen.page === 1", "qiantang-forum")
        wait_until(visitor, SLIDE_LOADED, "#forum-live img.forum-slide")
        for lang in LANGS:
            if forum_lang(visitor) != lang:
                click_tool(visitor, "btn-lang")
            album.take(visitor, "hall-live", lang, shows=TITLE[lang])
        visitor.click("#forum-live button.close")
        for lang in ("en", "zh"):
            if forum_lang(visitor) != lang:
                click_tool(visitor, "btn-lang")
            if visitor.is_hidden("#forum-agenda"):
                click_tool(visitor, "btn-forums")
            album.take(visitor, "hall-agenda", lang, shows=TITLE[lang])
        visitor.click("#forum-agenda button.close")

        # The replay: a turned slide, an answered question.
        staff.act(SESSION, {"type": "forum.slide", "to": "next"})
        staff.act(SESSION, {"type": "forum.moderate", "question": first, "action": "answered"})
        staff.act(SESSION, {"type": "forum.moderate", "question": second, "action": "hide"})
        staff.end(SESSION)
        wait_until(
            visitor,
            "s => __expo.forum.agenda.find((x) => x.id === s).state === 'replay'",
            SESSION,
            timeout=60,
        )
        click_tool(visitor, "btn-forums")
        visitor.click(f'#forum-agenda [data-key="replay:{SESSION}"]')
        wait_for(visitor, "() => document.querySelector('#forum-replay').dataset.page === '1'")
        wait_until(visitor, SLIDE_LOADED, "#forum-replay img.forum-slide")
        assert visitor.is_hidden("#forum-agenda"), "the replay takes the agenda's place"
        for lang in ("zh", "en"):
            if forum_lang(visitor) != lang:
                click_tool(visitor, "btn-lang")
            album.take(visitor, "hall-replay", lang, shows=TITLE[lang])
        assert not visitor.errors  # type: ignore[attr-defined]
    finally:
        for made in contexts:
            made.close()
        staff.close()
    assert sorted(album.taken) == sorted(f"{n}-{lang}" for n in SHOTS for lang in LANGS)


def forum_lang(page: Page) -> str:
    """The hall page's language now."""
    lang: str = page.evaluate("() => document.documentElement.lang")
    return "zh" if lang.startswith("zh") else "en"


def test_the_forums_guide_shows_every_picture_and_only_those() -> None:
    shown = set(re.findall(r"\(images/forums/([a-z-]+-(?:zh|en))\.png\)", DOC.read_text()))
    assert shown == {f"{n}-{lang}" for n in SHOTS for lang in LANGS}
    missing = [
        n for n in sorted(shown) if not (DOC.parent / "images" / "forums" / f"{n}.png").exists()
    ]
    assert not missing, f"run scripts/screenshots to make {missing}"
