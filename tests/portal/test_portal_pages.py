"""The exhibitor portal and the staff console as a person uses them: forms, cookies, languages,
problems in plain words, escaping, and the approval round trip."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.backoffice import (
    DUCK,
    EXHIBITOR_PASSWORD,
    STAFF_LOGIN,
    STAFF_PASSWORD,
    Expo,
    Headers,
    expo_app,
)

BOOTH = "health-01"


class Portal:
    """The app, a staff bearer header and an invite link for an exhibitor of BOOTH."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.expo = Expo(client)
        self.staff: Headers = self.expo.staff()


@pytest.fixture(scope="module")
def portal(
    tmp_path_factory: pytest.TempPathFactory, module_database_url: str | None
) -> Iterator[Portal]:
    with expo_app(tmp_path_factory.mktemp("portal"), database_url=module_database_url) as client:
        yield Portal(client)


@pytest.fixture
def browser(portal: Portal) -> Iterator[TestClient]:
    """The same client with a fresh cookie jar, like a new browser."""
    portal.client.cookies.clear()
    yield portal.client
    portal.client.cookies.clear()


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, f"no {name} field"
    return match.group(1)


def meta_csrf(page: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]*)"', page)
    assert match
    return match.group(1)


def sign_in(client: TestClient, login: str, password: str) -> str:
    page = client.get("/portal/login").text
    response = client.post(
        "/portal/login",
        data={"login": login, "password": password, "csrf": hidden(page, "csrf"), "next": ""},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return response.headers["location"]


def test_the_sign_in_page_speaks_the_browsers_language_and_remembers_a_choice(
    browser: TestClient,
) -> None:
    assert "登录名" in browser.get("/portal/login", headers={"Accept-Language": "zh-CN,zh"}).text
    assert "Sign-in name" in browser.get("/portal/login", headers={"Accept-Language": "en"}).text
    chosen = browser.get("/portal/login?lang=zh", headers={"Accept-Language": "en"})
    assert "登录名" in chosen.text and chosen.cookies.get("metaexpo_lang") == "zh"
    assert "登录名" in browser.get("/portal/login", headers={"Accept-Language": "en"}).text


def test_pages_carry_protective_headers(browser: TestClient) -> None:
    page = browser.get("/portal/login")
    assert page.headers["x-frame-options"] == "DENY"
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"


def test_signing_in_sets_an_httponly_samesite_cookie_that_is_secure_over_https(
    portal: Portal,
) -> None:
    for base, secure in (("http://testserver", False), ("https://testserver", True)):
        portal.client.cookies.clear()
        portal.client.base_url = base  # type: ignore[assignment]
        page = portal.client.get("/portal/login").text
        response = portal.client.post(
            "/portal/login",
            data={"login": STAFF_LOGIN, "password": STAFF_PASSWORD, "csrf": hidden(page, "csrf")},
            follow_redirects=False,
        )
        cookie = next(
            h for h in response.headers.get_list("set-cookie") if h.startswith("metaexpo_session=")
        )
        flags = {part.strip().lower() for part in cookie.split(";")}
        assert "httponly" in flags and "samesite=lax" in flags and "path=/" in flags
        assert ("secure" in flags) is secure, base
    portal.client.base_url = "http://testserver"  # type: ignore[assignment]
    portal.client.cookies.clear()


def test_a_wrong_password_shows_the_form_again_with_the_reason(browser: TestClient) -> None:
    page = browser.get("/portal/login").text
    response = browser.post(
        "/portal/login",
        data={"login": STAFF_LOGIN, "password": "not the password", "csrf": hidden(page, "csrf")},
    )
    assert response.status_code == 401
    assert "wrong sign-in name or password" in response.text
    assert STAFF_LOGIN in response.text, "the typed name is kept"


def test_an_invited_exhibitor_sets_a_password_and_lands_on_their_booth(
    portal: Portal, browser: TestClient
) -> None:
    secret = portal.expo.invite(portal.staff, "ana@firm.test", [BOOTH])
    page = browser.get(f"/portal/invite/{secret}", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "ana@firm.test" in page.text and BOOTH in page.text
    mismatch = browser.post(
        f"/portal/invite/{secret}",
        data={
            "password": EXHIBITOR_PASSWORD,
            "password2": "different-one",
            "csrf": hidden(page.text, "csrf"),
        },
    )
    assert mismatch.status_code == 422 and "differ" in mismatch.text
    response = browser.post(
        f"/portal/invite/{secret}",
        data={
            "password": EXHIBITOR_PASSWORD,
            "password2": EXHIBITOR_PASSWORD,
            "csrf": hidden(page.text, "csrf"),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/portal/booths"
    booths = browser.get("/portal/booths")
    assert f"/portal/booths/{BOOTH}" in booths.text
    assert browser.get(f"/portal/invite/{secret}").status_code == 404


def booth_form(page: str, **changes: str) -> dict[str, object]:
    """The editor's form as a browser would send it, with ``changes``."""
    fields: dict[str, object] = {}
    for name, value in re.findall(r'<input name="([^"]+)"[^>]*value="([^"]*)"', page):
        fields[name] = value
    for name, value in re.findall(r'<textarea name="([^"]+)"[^>]*>([^<]*)</textarea>', page):
        fields[name] = value
    fields["tags"] = re.findall(r'name="tags" value="([^"]+)" checked', page)
    fields["template"] = re.findall(r'name="template" value="([^"]+)" checked', page)[0]
    fields["csrf"] = meta_csrf(page)
    fields.update(changes)
    return {k: v for k, v in fields.items() if k in _FORM_FIELDS or k.startswith("link")}


_FORM_FIELDS = {
    "name_zh",
    "name_en",
    "tagline_zh",
    "tagline_en",
    "description_zh",
    "description_en",
    "contact",
    "tags",
    "template",
    "accent",
    "panel",
    "csrf",
}


def test_the_editor_saves_texts_and_shows_problems_without_losing_input(
    browser: TestClient,
) -> None:
    sign_in(browser, "ana@firm.test", EXHIBITOR_PASSWORD)
    page = browser.get(f"/portal/booths/{BOOTH}").text
    saved = browser.post(
        f"/portal/booths/{BOOTH}",
        data=booth_form(page, name_en="Ana Health Lab", accent="#123456"),
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"].endswith("?done=saved")
    page = browser.get(saved.headers["location"]).text
    assert 'value="Ana Health Lab"' in page and 'value="#123456"' in page
    assert "Draft saved." in page or "草稿已保存" in page
    refused = browser.post(
        f"/portal/booths/{BOOTH}",
        data=booth_form(page, name_en="Kept while refused", contact="ftp://nope", accent="red"),
    )
    assert refused.status_code == 422
    assert "is not an http(s) link" in refused.text
    assert "exhibitor.contact" in refused.text
    assert 'value="Kept while refused"' in refused.text


def test_texts_are_escaped_never_markup(portal: Portal, browser: TestClient) -> None:
    sign_in(browser, "ana@firm.test", EXHIBITOR_PASSWORD)
    page = browser.get(f"/portal/booths/{BOOTH}").text
    attack = '<script>alert("x")</script>'
    browser.post(f"/portal/booths/{BOOTH}", data=booth_form(page, name_en=attack))
    shown = browser.get(f"/portal/booths/{BOOTH}").text
    assert attack not in shown
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in shown


def test_staff_approve_in_the_console_and_the_booth_goes_live(
    portal: Portal, browser: TestClient
) -> None:
    sign_in(browser, "ana@firm.test", EXHIBITOR_PASSWORD)
    page = browser.get(f"/portal/booths/{BOOTH}").text
    browser.post(f"/portal/booths/{BOOTH}", data=booth_form(page, name_en="Ana Approved"))
    submitted = browser.post(
        f"/portal/booths/{BOOTH}/submit", data={"csrf": meta_csrf(page)}, follow_redirects=False
    )
    assert submitted.status_code == 303
    browser.cookies.clear()
    assert sign_in(browser, STAFF_LOGIN, STAFF_PASSWORD) == "/staff"
    queue = browser.get("/staff").text
    revision = re.search(r'href="/staff/revisions/(\d+)"', queue)
    assert revision and "Ana Approved" in queue
    review = browser.get(f"/staff/revisions/{revision.group(1)}").text
    assert "Ana Approved" in review and "changed" in review
    approved = browser.post(
        f"/staff/revisions/{revision.group(1)}/approve",
        data={"csrf": meta_csrf(review)},
        follow_redirects=False,
    )
    assert approved.status_code == 303
    assert portal.expo.live(BOOTH)["exhibitor"]["name"]["en"] == "Ana Approved"
    audit = browser.get("/staff/audit").text
    assert "approved" in audit and "published" in audit


def test_a_refusal_reason_reaches_the_exhibitor(portal: Portal, browser: TestClient) -> None:
    sign_in(browser, "ana@firm.test", EXHIBITOR_PASSWORD)
    page = browser.get(f"/portal/booths/{BOOTH}").text
    browser.post(f"/portal/booths/{BOOTH}", data=booth_form(page, name_en="Ana Too Loud"))
    browser.post(f"/portal/booths/{BOOTH}/submit", data={"csrf": meta_csrf(page)})
    revision = portal.expo.queued(portal.staff, BOOTH)
    browser.cookies.clear()
    sign_in(browser, STAFF_LOGIN, STAFF_PASSWORD)
    review = browser.get(f"/staff/revisions/{revision}").text
    browser.post(
        f"/staff/revisions/{revision}/refuse",
        data={"csrf": meta_csrf(review), "reason": "Please drop the capital letters."},
    )
    browser.cookies.clear()
    sign_in(browser, "ana@firm.test", EXHIBITOR_PASSWORD)
    assert "Please drop the capital letters." in browser.get("/portal/booths").text
    assert "Please drop the capital letters." in browser.get(f"/portal/booths/{BOOTH}").text


def test_staff_invite_from_the_console_shows_the_link_once(browser: TestClient) -> None:
    sign_in(browser, STAFF_LOGIN, STAFF_PASSWORD)
    people = browser.get("/staff/people").text
    response = browser.post(
        "/staff/invites",
        data={
            "csrf": meta_csrf(people),
            "login": "bo@firm.test",
            "display_name": "Bo",
            "role": "exhibitor",
            "booths": ["city-01", "city-02"],
        },
    )
    assert response.status_code == 200
    link = re.search(r'value="(http://testserver/portal/invite/[^"]+)"', response.text)
    assert link
    assert "/portal/invite/" not in browser.get("/staff/people").text


def test_signing_out_ends_the_session_on_the_server(browser: TestClient) -> None:
    sign_in(browser, STAFF_LOGIN, STAFF_PASSWORD)
    session = browser.cookies.get("metaexpo_session")
    page = browser.get("/staff").text
    out = browser.post("/portal/logout", data={"csrf": meta_csrf(page)}, follow_redirects=False)
    assert out.status_code == 303
    browser.cookies.set("metaexpo_session", session or "")
    assert browser.get("/staff", follow_redirects=False).status_code == 303


def test_the_3d_viewer_page_falls_back_to_the_preview_picture_without_a_viewer_bundle(
    portal: Portal, browser: TestClient
) -> None:
    sign_in(browser, STAFF_LOGIN, STAFF_PASSWORD)
    response = portal.expo.upload(portal.staff, "city-03", DUCK.read_bytes())
    upload = response.json()["upload"]
    page = browser.get(f"/portal/view?model={upload['model']}&booth=city-03")
    assert page.status_code == 200
    assert upload["preview"] in page.text
    assert browser.get("/portal/view?model=/etc/passwd&booth=city-03").status_code == 404


@pytest.mark.parametrize(
    "target", ["//evil.example/", "/\t/evil.example", "/\\evil.example", "https://evil.example/"]
)
def test_signing_in_never_redirects_off_the_site(browser: TestClient, target: str) -> None:
    page = browser.get("/portal/login").text
    response = browser.post(
        "/portal/login",
        data={
            "login": STAFF_LOGIN,
            "password": STAFF_PASSWORD,
            "csrf": hidden(page, "csrf"),
            "next": target,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/staff"
