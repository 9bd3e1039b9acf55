"""The lobby: keyboard-only entry, choices remembered across a reload, every string in both
languages, visible focus."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page

from tests.browser.support import client_url, expo, wait_for, wait_joined, wait_until
from tests.live import ServerProcess

pytestmark = pytest.mark.browser

CJK = r"/[\u3400-\u9fff]/"
#: Every translated text on the page: element text, aria-label, placeholder, title.
TEXTS = f"""() => {{
  const out = [];
  const all = (sel) => document.querySelectorAll(sel);
  for (const el of all('[data-i18n]')) out.push([el.dataset.i18n, el.textContent]);
  for (const el of all('[data-i18n-aria]')) {{
    out.push([el.dataset.i18nAria, el.getAttribute('aria-label')]);
  }}
  for (const el of all('[data-i18n-placeholder]')) {{
    out.push([el.dataset.i18nPlaceholder, el.placeholder]);
  }}
  return out.map(([k, t]) => [k, t, {CJK}.test(t || '')]);
}}"""


AVATARS_SHOWN = "document.querySelectorAll('input[name=avatar]').length >= 10"


def wait_lobby(page: Page) -> None:
    """Wait for the avatar choices; on a timeout, say what the client knew."""
    try:
        wait_for(page, AVATARS_SHOWN, timeout=20)
    except Exception as exc:
        state = page.evaluate(
            "JSON.stringify({e: __expo.lastError, t: __expo.timing, h: __expo.hall})"
        )
        raise AssertionError(f"the lobby never showed the avatars: {state}") from exc


def open_lobby(context: BrowserContext, base: str) -> Page:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors  # type: ignore[attr-defined]
    page.goto(client_url(base))
    wait_lobby(page)
    return page


FOCUSED = """() => {
  const e = document.activeElement;
  // A radio is visually hidden; its label shows the focus ring.
  const shown = e.type === 'radio' ? e.closest('label') : e;
  const s = getComputedStyle(shown);
  return {id: e.id, name: e.name || '', value: e.value || '', outline: s.outlineStyle};
}"""


def focused(page: Page) -> dict[str, str]:
    result: dict[str, str] = page.evaluate(FOCUSED)
    return result


def test_keyboard_only_visitor_enters_and_choices_survive_a_reload(
    context: BrowserContext, server: ServerProcess
) -> None:
    page = open_lobby(context, server.http)
    assert expo(page, "__expo.lang") == "en"
    avatars = page.evaluate(
        "[...document.querySelectorAll('input[name=avatar]')].map((i) => i.value)"
    )
    visited = []
    for _ in range(12):
        page.keyboard.press("Tab")
        f = focused(page)
        visited.append(f["id"] or f"{f['name']}={f['value']}")
        assert f["outline"] != "none", f"focus is visible on {f}"
        if f["name"] == "lang":
            page.keyboard.press("ArrowLeft")  # to 中文
            wait_until(page, "__expo.lang === 'zh'")
        elif f["id"] == "lobby-name":
            page.keyboard.type("键盘访客")
        elif f["name"] == "avatar":
            page.keyboard.press("ArrowRight")
        elif f["id"] == "lobby-enter":
            break
    assert visited[-1] == "lobby-enter", visited
    assert page.locator("#lobby-enter").text_content() == "进入展馆"
    page.keyboard.press("Enter")
    wait_joined(page)
    assert page.locator("#lobby").is_hidden()

    # Reload: the lobby comes back as it was left.
    page.goto(client_url(server.http))
    wait_lobby(page)
    assert page.input_value("#lobby-name") == "键盘访客"
    assert page.evaluate("document.querySelector('input[name=avatar]:checked').value") == avatars[1]
    assert page.evaluate("document.querySelector('input[name=lang]:checked').value") == "zh"
    assert expo(page, "__expo.lang") == "zh"
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    assert not page.errors  # type: ignore[attr-defined]


def test_every_string_switches_language(context: BrowserContext, server: ServerProcess) -> None:
    page = open_lobby(context, server.http)
    page.click("input[name=lang][value=zh]", force=True)
    wait_until(page, "__expo.lang === 'zh'")
    zh = page.evaluate(TEXTS)
    assert len(zh) > 40
    # Placeholder-only keys such as "{n}°" aside, every Chinese string has Chinese in it.
    assert [k for k, _, cjk in zh if not cjk] == []
    page.click("input[name=lang][value=en]", force=True)
    wait_until(page, "__expo.lang === 'en'")
    en = page.evaluate(TEXTS)
    assert [k for k, t, cjk in en if cjk or not t] == []
    assert [k for k, _, _ in zh] == [k for k, _, _ in en]
    # The catalog's own texts (expo title, avatar names) follow too.
    assert page.locator("#lobby-title").text_content() == "Metaverse Zhejiang"
    assert "Celadon" in page.locator(".avatar-grid").text_content()


def test_an_empty_name_is_refused_with_a_message(
    context: BrowserContext, server: ServerProcess
) -> None:
    page = open_lobby(context, server.http)
    page.fill("#lobby-name", "   ")
    page.click("#lobby-enter")
    assert page.locator("#lobby-name-error").text_content() == "Please enter a name."
    assert page.get_attribute("#lobby-name", "aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "lobby-name"
    assert expo(page, "__expo.connection") == "idle"
    assert not page.errors  # type: ignore[attr-defined]
