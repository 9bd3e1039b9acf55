"""Offline first: no page the service serves references another host.

The expo runs on LANs without the internet, so nothing it serves may load
from elsewhere. This crawls every HTML page reachable from the entry points
(the client, both API reference pages, the portal and the staff console, as
a visitor, as staff and as an exhibitor with a submission waiting), and every
script and stylesheet those pages link, and looks for ``http(s)://`` with a
host other than the service's own. What it may find is written below, with
the reason it is never loaded; tests/browser/test_browser_apidocs.py proves
the API pages render with every other host blocked.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import pytest
from fastapi.testclient import TestClient

from tests.backoffice import EXHIBITOR_PASSWORD, STAFF_LOGIN, STAFF_PASSWORD, Expo, expo_app
from tests.browser.support import ensure_web_build

BOOTH = "health-01"
EXHIBITOR = "offline@firm.test"
ENTRY_POINTS = ("/", "/docs", "/redoc", "/portal/login", "/portal", "/staff", "/licenses")
#: The test client's origin: the service's own host.
OWN_HOST = "testserver"

#: Hosts named inside the third-party bundles (three.js in the client, Swagger UI, Redoc)
#: and stylesheets, as strings that no page loads. Each is a namespace or spec identifier,
#: a link in an error message or a comment, an example, or a feature the pages turn off.
NEVER_LOADED: dict[str, str] = {
    "www.w3.org": "XML namespaces (SVG, XLink, XHTML, MathML): identifiers, never fetched",
    "json-schema.org": "JSON Schema dialect and $schema identifiers",
    "spec.openapis.org": "OpenAPI dialect identifiers",
    "raw.githubusercontent.com": "ajv's meta-schema $id inside Redoc, an identifier",
    "datatracker.ietf.org": "links to RFCs in Swagger UI's keyword documentation",
    "www.rfc-editor.org": "links to RFCs in Swagger UI's keyword documentation",
    "spdx.org": "the link Swagger UI shows for a licence identifier (ours has none)",
    "swagger.io": "the default base URI of Swagger UI's reference resolver; /openapi.json "
    "resolves against the page",
    "validator.swagger.io": "Swagger UI's online validator badge, off: validatorUrl is null",
    "vladimirgorej.com": "a dummy base for checking that a server URL parses, never fetched",
    "base": "a dummy base (https://base<random>) for parsing relative URLs, never fetched",
    "redocly.com": "Redoc's 'API docs by Redocly' link, an anchor",
    "cdn.redoc.ly": "Redoc's sidebar logo, refused by the page's CSP (img-src 'self')",
    "api.": "Redoc's check of registry URLs (a template: https://api.${host}/registry/)",
    "github.com": "links in the bundles' error messages",
    "git.io": "short links in error messages",
    "fb.me": "React's short links in error messages",
    "reactjs.org": "React's links in error messages",
    "redux.js.org": "Redux's links in error messages",
    "marked.js.org": "marked's link in a deprecation message",
    "stackoverflow.com": "a link in an error message",
    "tailwindcss.com": "a comment in Swagger UI's stylesheet",
    "example.com": "examples in the bundles' messages",
    "twitter.com": "hashtag and mention links that markdown autolinking can write (anchors)",
    "www.facebook.com": "hashtag links that markdown autolinking can write (anchors)",
    "instagram.com": "hashtag and mention links that markdown autolinking can write (anchors)",
    "www.tiktok.com": "hashtag links that markdown autolinking can write (anchors)",
    "soundcloud.com": "mention links that markdown autolinking can write (anchors)",
}

#: Attributes and CSS that make a browser fetch something: never to another host, whatever
#: the allow-list says.
_LOADS = re.compile(
    r"""<(?:script|img|iframe|source|video|audio|embed|track)\b[^>]*\bsrc\s*=\s*["']?([^"'\s>]+)"""
    r"""|<link\b[^>]*\bhref\s*=\s*["']?([^"'\s>]+)"""
    r"""|\bsrcset\s*=\s*["']([^"']+)"""
    r"""|url\(\s*["']?([^"')\s]+)"""
    r"""|@import\s+["']([^"']+)""",
    re.IGNORECASE,
)
_LINKS = re.compile(r"""\b(?:href|src)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_CSS_URLS = re.compile(r"""url\(\s*["']?([^"')\s]+)|@import\s+["']([^"']+)""")
_ABSOLUTE = re.compile(r"""(?:https?:)?//([A-Za-z0-9.-]*)""")
_ANY_HOST = re.compile(r"https?://([A-Za-z0-9.-]*)", re.IGNORECASE)
#: Not worth fetching for this check: fonts, pictures, models, maps, notices.
_SKIP = re.compile(r"\.(woff2?|png|jpe?g|webp|gif|svg|ico|glb|gltf|bin|map|txt)$")
_MAX_PAGES = 1000


@dataclass
class Crawl:
    """What one crawl fetched: text bodies by URL and kind."""

    pages: dict[str, str] = field(default_factory=dict)
    scripts: dict[str, str] = field(default_factory=dict)
    styles: dict[str, str] = field(default_factory=dict)

    def merge(self, other: Crawl) -> None:
        self.pages.update(other.pages)
        self.scripts.update(other.scripts)
        self.styles.update(other.styles)


def _own(url: str) -> str | None:
    """The path (and query) of ``url`` if it is on the service itself, else None."""
    parts = urlsplit(url)
    if parts.scheme not in ("", "http", "https") or (parts.netloc and parts.netloc != OWN_HOST):
        return None
    path = parts.path or "/"
    return f"{path}?{parts.query}" if parts.query else path


def crawl(client: TestClient, starts: tuple[str, ...]) -> Crawl:
    """Every same-origin page, script and stylesheet reachable from ``starts`` by GET."""
    found = Crawl()
    queue = list(starts)
    seen: set[str] = set()
    while queue:
        path = queue.pop(0)
        if path in seen or _SKIP.search(urlsplit(path).path):
            continue
        seen.add(path)
        assert len(seen) <= _MAX_PAGES, "the crawl does not end: a link loop?"
        response = client.get(path, follow_redirects=True)
        kind = response.headers.get("content-type", "")
        if response.status_code != 200:
            continue
        base = str(response.url)
        if kind.startswith("text/html"):
            found.pages[path] = response.text
            # attribute values are HTML: '&amp;' in an href is '&' in the URL
            targets = [html.unescape(t) for t in _LINKS.findall(response.text)]
        elif "javascript" in kind:
            found.scripts[path] = response.text
            targets = []
        elif kind.startswith("text/css"):
            found.styles[path] = response.text
            targets = [a or b for a, b in _CSS_URLS.findall(response.text)]
        else:
            continue
        for target in targets:
            own = _own(urljoin(base, target))
            if own is not None and own not in seen:
                queue.append(own)
    return found


def outside_loads(body: str) -> list[str]:
    """URLs in ``body`` that a browser would fetch from another host."""
    bad = []
    for groups in _LOADS.findall(body):
        for value in groups:
            for candidate in value.split(","):
                url = candidate.strip().split(" ")[0]
                match = _ABSOLUTE.match(url)
                if match and match.group(1) not in ("", OWN_HOST):
                    bad.append(url)
    return bad


def outside_hosts(body: str) -> set[str]:
    """Every host other than the service's own named in ``body`` after http(s)://."""
    return {h.lower() for h in _ANY_HOST.findall(body)} - {"", OWN_HOST}


@pytest.fixture(scope="module")
def everything(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    """The crawl as a visitor, as staff and as an exhibitor whose submission waits."""
    ensure_web_build()
    with expo_app(tmp_path_factory.mktemp("offline")) as client:
        expo = Expo(client)
        staff = expo.staff()
        exhibitor = expo.exhibitor(staff, EXHIBITOR, [BOOTH])
        workspace = client.get(f"/api/booths/{BOOTH}/workspace", headers=exhibitor).json()
        live = workspace["live"]
        content = {key: live[key] for key in ("exhibitor", "links", "template", "colours")}
        content["exhibitor"]["name"]["en"] = "Offline Health Lab"
        saved = client.put(f"/api/booths/{BOOTH}/draft", json=content, headers=exhibitor)
        assert saved.status_code == 200, saved.text
        expo.submit(exhibitor, BOOTH)

        result = crawl(client, ENTRY_POINTS)
        for login, password in ((STAFF_LOGIN, STAFF_PASSWORD), (EXHIBITOR, EXHIBITOR_PASSWORD)):
            client.cookies.clear()
            sign_in(client, login, password)
            result.merge(crawl(client, ENTRY_POINTS))
        client.cookies.clear()
        yield result


def sign_in(client: TestClient, login: str, password: str) -> None:
    """Sign in through the portal's form, as a browser does (the session cookie is kept)."""
    page = client.get("/portal/login").text
    token = re.search(r'name="csrf" value="([^"]*)"', page)
    assert token, "no csrf field on the sign-in page"
    response = client.post(
        "/portal/login",
        data={"login": login, "password": password, "csrf": token.group(1), "next": ""},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def test_the_crawl_reaches_every_kind_of_page(everything: Crawl) -> None:
    pages = set(everything.pages)
    for expected in ("/", "/docs", "/redoc", "/portal/login", "/staff", f"/portal/booths/{BOOTH}"):
        assert expected in pages, sorted(pages)
    assert any(p.startswith("/staff/revisions/") for p in pages), "the waiting submission"
    assert any("/app/swagger-ui-bundle-" in s for s in everything.scripts)
    assert any("/app/redoc-standalone-" in s for s in everything.scripts)
    assert any(s.startswith("/app/main-") for s in everything.scripts)
    assert any(s.startswith("/portal/static/") for s in everything.scripts)
    assert any(s.startswith("/app/swagger-ui-") for s in everything.styles)


def test_no_page_script_or_stylesheet_loads_from_another_host(everything: Crawl) -> None:
    bodies = {**everything.pages, **everything.styles}
    loads = {url: outside_loads(body) for url, body in bodies.items()}
    assert {url: bad for url, bad in loads.items() if bad} == {}


def test_pages_name_no_other_host(everything: Crawl) -> None:
    """Our own pages name no other host, except the demo catalog's example links."""
    demo_links = {"example.org", "example.com"}
    named = {url: outside_hosts(body) - demo_links for url, body in everything.pages.items()}
    assert {url: hosts for url, hosts in named.items() if hosts} == {}


def test_scripts_and_stylesheets_name_only_hosts_they_never_load(everything: Crawl) -> None:
    named: dict[str, set[str]] = {}
    for url, body in {**everything.scripts, **everything.styles}.items():
        unknown = outside_hosts(body) - set(NEVER_LOADED)
        if unknown:
            named[url] = unknown
    assert named == {}, "a new outside host: check that it is never loaded, then list it"


def test_the_check_sees_an_outside_script_and_an_unknown_host() -> None:
    page = '<script src="https://cdn.example.net/x.js"></script><link href="//fonts.test/a.css">'
    assert outside_loads(page) == ["https://cdn.example.net/x.js", "//fonts.test/a.css"]
    assert outside_loads('<a href="/portal">x</a><img src="/favicon.svg">') == []
    assert outside_loads("body { background: url(https://img.test/a.png) }") == [
        "https://img.test/a.png"
    ]
    assert outside_hosts("fetch('https://tracker.test/p')") == {"tracker.test"}
