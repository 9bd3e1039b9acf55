"""The forum scenario's session, run through the real forum API, as event staff would run it.

Before the bots join, the harness signs in as staff, schedules a session of
its own in the hall's first forum hall, invites a speaker and takes the
speaker's token for the host bot, uploads a deck of slides it draws itself
(a PDF: the server renders it like any other), fetches guest tokens for the
audience members who ask questions, and goes live. The bots then use the
hall's socket only: the host turns on its microphone and turns the slides,
the askers send ``forum.question``, a staff bot watches the question queue.
After the run the session is ended (its replay is stored like any other).

Nothing here is a shortcut around the product: every step is the JSON API a
person's browser or the console uses (docs/forums.md), so ``slides.latency_ms``
and ``qa.latency_ms`` are the real paths' figures.
"""

from __future__ import annotations

import contextlib
import io
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from PIL import Image, ImageDraw

from metaexpo.errors import MetaExpoError

#: Pages of the harness's deck (a slide turns every ``--slide-every`` seconds; it wraps).
DECK_PAGES = 12
#: How a question's text carries its send stamp, so the moderator's side can time it.
QUESTION_PREFIX = "lt "


class ForumSetupError(MetaExpoError):
    """The forum session for the run cannot be set up; the message says which step failed."""


@dataclass(frozen=True, slots=True)
class ForumRun:
    """What the bots need to run the session: its id and the tokens of who does what."""

    session: str
    #: The speaker's token (the host bot: microphone and slides).
    host_token: str
    #: A staff token (the moderator bot: watches the question queue).
    moderator_token: str
    #: Guest tokens of the audience members who ask questions.
    asker_tokens: tuple[str, ...]
    pages: int


def deck_pdf(pages: int, size: tuple[int, int] = (960, 540)) -> bytes:
    """A real PDF of ``pages`` pages, each a colour of its own with a bar as long as its
    number (drawn here; the server renders it to pictures like any speaker's deck)."""
    images = []
    for n in range(pages):
        image = Image.new("RGB", size, (30 + 20 * n % 200, 110, 190))
        ImageDraw.Draw(image).rectangle((60, 60, 60 + 60 * (n + 1), 200), fill=(255, 255, 255))
        images.append(image)
    out = io.BytesIO()
    images[0].save(out, format="PDF", save_all=True, append_images=images[1:], resolution=96)
    return out.getvalue()


def _ok(response: httpx.Response, step: str, status: int = 200) -> httpx.Response:
    if response.status_code != status:
        raise ForumSetupError(
            f"forum scenario: {step} answered {response.status_code}: {response.text[:300]}"
        )
    return response


def prepare(
    http: str, room: str, login: str, password: str, askers: int, pages: int = DECK_PAGES
) -> ForumRun:
    """Schedule, staff and start a live session in ``room``'s first forum hall (blocking)."""
    with httpx.Client(base_url=http, timeout=60) as c:
        signed = c.post("/api/auth/login", json={"login": login, "password": password})
        staff = _ok(signed, "staff sign-in (--staff-login, METAEXPO_LOADTEST_STAFF_PASSWORD)")
        token = str(staff.json()["token"])
        auth = {"Authorization": f"Bearer {token}"}
        halls = list(_ok(c.get("/api/forums"), "the agenda").json()["forum_halls"])
        hall = next((f for f in halls if f["hall"] == room), None)
        if hall is None:
            raise ForumSetupError(f"forum scenario: hall {room!r} has no forum hall")
        now = datetime.now(UTC)
        session = f"loadtest-{int(time.time())}"
        draft = {
            "id": session,
            "forum_hall": hall["id"],
            "title": {"zh": "负载测试", "en": "Load test"},
            "abstract": {"zh": "负载测试的场次", "en": "A session the load harness runs"},
            "starts_at": now.isoformat(),
            "ends_at": (now + timedelta(hours=1)).isoformat(),
            "time_zone": "UTC",
        }
        _ok(c.post("/api/forums/sessions", json=draft, headers=auth), "scheduling", 201)
        invited = c.post(
            f"/api/forums/sessions/{session}/speakers",
            json={"display_name": "Load test host"},
            headers=auth,
        )
        secret = _ok(invited, "inviting the speaker", 201).json()["url"].rsplit("/", 1)[1]
        accepted = _ok(c.post(f"/api/forums/speakers/{secret}/accept"), "the speaker link")
        host = str(accepted.json()["token"])
        uploaded = c.post(
            f"/api/forums/sessions/{session}/slides?filename=loadtest.pdf",
            content=deck_pdf(pages),
            headers={"Authorization": f"Bearer {host}"},
        )
        _ok(uploaded, "uploading the slides", 201)
        guests = tuple(
            str(_ok(c.post("/api/auth/guest"), "a guest token").json()["token"])
            for _ in range(askers)
        )
        live = c.post(
            f"/api/forums/sessions/{session}/live",
            json={"type": "forum.session", "action": "live"},
            headers=auth,
        )
        _ok(live, "going live")
    return ForumRun(session, host, token, guests, pages)


def finish(http: str, run: ForumRun) -> None:
    """End the session (best effort: the report does not depend on it)."""
    with contextlib.suppress(httpx.HTTPError):
        httpx.post(
            f"{http}/api/forums/sessions/{run.session}/live",
            json={"type": "forum.session", "action": "end"},
            headers={"Authorization": f"Bearer {run.moderator_token}"},
            timeout=30,
        )
