"""The staff console's pages (``/staff``): the approval queue, reviews, booths, people, audit.

Only staff see them (exhibitors get 403, strangers the sign-in page).
Approving here is the same act as ``POST /api/staff/revisions/{id}/approve``:
the booth goes live and every connected client swaps it.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request, Response

from metaexpo.errors import RequestRefused
from metaexpo.http.office import approve_and_publish
from metaexpo.http.pages import (
    check_form,
    console_staff,
    error_page,
    read_form,
    redirect,
    render,
)
from metaexpo.http.security import office_of
from metaexpo.http.staff import invite_url
from metaexpo.roles import Principal
from metaexpo.store.audit import recent

router = APIRouter(prefix="/staff", include_in_schema=False)


@router.get("")
@router.get("/")
async def queue_page(request: Request) -> Response:
    """Submissions waiting for a decision."""
    staff = await console_staff(request)
    if isinstance(staff, Response):
        return staff
    queue = await asyncio.to_thread(office_of(request).moderation.queue, staff)
    return render(request, "queue.html", {"queue": queue}, area="console", principal=staff)


@router.get("/revisions/{revision_id}")
async def review_page(revision_id: int, request: Request) -> Response:
    """One submission beside the live booth, with approve and refuse."""
    staff = await console_staff(request)
    if isinstance(staff, Response):
        return staff
    try:
        revision, live = await asyncio.to_thread(
            office_of(request).moderation.review, staff, revision_id
        )
    except RequestRefused as exc:
        return error_page(request, exc, staff, "/staff")
    context = {"revision": revision, "live": live}
    return render(request, "review.html", context, area="console", principal=staff)


@router.post("/revisions/{revision_id}/approve")
async def approve(revision_id: int, request: Request) -> Response:
    """Approve and put live; every connected client swaps the booth."""
    staff = await console_staff(request)
    if isinstance(staff, Response):
        return staff
    form = await read_form(request)
    try:
        check_form(request, staff, str(form.get("csrf", "")))
        await approve_and_publish(office_of(request), request.app.state.hub, staff, revision_id)
    except RequestRefused as exc:
        return error_page(request, exc, staff, f"/staff/revisions/{revision_id}")
    return redirect(f"/staff/revisions/{revision_id}?done=approved_live")


@router.post("/revisions/{revision_id}/refuse")
async def refuse(revision_id: int, request: Request) -> Response:
    """Refuse with a reason the exhibitor sees."""
    staff = await console_staff(request)
    if isinstance(staff, Response):
        return staff
    form = await read_form(request)
    try:
        check_form(request, staff, str(form.get("csrf", "")))
        await asyncio.to_thread(
            office_of(request).moderation.refuse, staff, revision_id, str(form.get("reason", ""))
        )
    except RequestRefused as exc:
        return error_page(request, exc, staff, f"/staff/revisions/{revision_id}")
    return redirect(f"/staff/revisions/{revision_id}?done=refused_done")


@router.get("/booths")
async def booths_page(request: Request) -> Response:
    """Every booth with its exhibitors; assign and unassign."""
    staff = await console_staff(request)
    if isinstance(staff, Response):
        return staff
    office = office_of(request)
    summaries = await asyncio.to_thread(office.editing.summaries, staff)
    users = await asyncio.to_thread(office.admin.users, staff)
    exhibitors = [u.login for u in users if u.role == "exhibitor" and not u.disabled]
    context = {"booths": summaries, "exhibitors": exhibitors}
    return render(request, "booths.html", context, area="console", principal=staff)


async def _assignment(request: Request, booth_id: str, assign: bool) -> Response:
    staff = await console_staff(request)
    if isinstance(staff, Response):
        return staff
    form = await read_form(request)
    admin = office_of(request).admin
    try:
        check_form(request, staff, str(form.get("csrf", "")))
        login = str(form.get("login", ""))
        change = admin.assign if assign else admin.unassign
        await asyncio.to_thread(change, staff, booth_id, login)
    except RequestRefused as exc:
        return error_page(request, exc, staff, "/staff/booths")
    return redirect("/staff/booths")


@router.post("/booths/{booth_id}/assign")
async def assign(booth_id: str, request: Request) -> Response:
    """Let an exhibitor edit the booth."""
    return await _assignment(request, booth_id, True)


@router.post("/booths/{booth_id}/unassign")
async def unassign(booth_id: str, request: Request) -> Response:
    """Take the booth away from an exhibitor."""
    return await _assignment(request, booth_id, False)


async def _people(
    request: Request,
    staff: Principal,
    *,
    invite_link: str | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    office = office_of(request)
    users = await asyncio.to_thread(office.admin.users, staff)
    invites = await asyncio.to_thread(office.invites.all, staff)
    context = {
        "users": users,
        "invites": invites,
        "invite_link": invite_link,
        "booth_ids": [b.id for b in office.catalog.booths],
        "message": message,
    }
    return render(
        request, "people.html", context, area="console", principal=staff, status_code=status_code
    )


@router.get("/people")
async def people_page(request: Request) -> Response:
    """Accounts, invites and the invite form."""
    staff = await console_staff(request)
    if isinstance(staff, Response):
        return staff
    return await _people(request, staff)


@router.post("/invites")
async def invite(request: Request) -> Response:
    """Create an invite and show its link once."""
    staff = await console_staff(request)
    if isinstance(staff, Response):
        return staff
    form = await read_form(request)
    try:
        check_form(request, staff, str(form.get("csrf", "")))
        secret, _ = await asyncio.to_thread(
            office_of(request).invites.create,
            staff,
            str(form.get("login", "")),
            str(form.get("display_name", "")),
            str(form.get("role", "exhibitor")),
            [str(b) for b in form.getlist("booths")],
        )
    except RequestRefused as exc:
        return await _people(request, staff, message=exc.message, status_code=exc.status)
    return await _people(request, staff, invite_link=invite_url(request, secret))


async def _toggle(request: Request, login: str, disabled: bool) -> Response:
    staff = await console_staff(request)
    if isinstance(staff, Response):
        return staff
    form = await read_form(request)
    try:
        check_form(request, staff, str(form.get("csrf", "")))
        office = office_of(request)
        user_id = await asyncio.to_thread(office.admin.set_disabled, staff, login, disabled)
        if disabled:
            await office.gate.revoke_account(user_id, staff.describe(), "the account was disabled")
    except RequestRefused as exc:
        return error_page(request, exc, staff, "/staff/people")
    return redirect("/staff/people")


@router.post("/people/{login}/disable")
async def disable(login: str, request: Request) -> Response:
    """Disable an account (signed out everywhere)."""
    return await _toggle(request, login, True)


@router.post("/people/{login}/enable")
async def enable(login: str, request: Request) -> Response:
    """Enable an account again."""
    return await _toggle(request, login, False)


@router.get("/audit")
async def audit_page(request: Request) -> Response:
    """The newest 300 audit entries."""
    staff = await console_staff(request)
    if isinstance(staff, Response):
        return staff
    office = office_of(request)

    def entries() -> list[object]:
        with office.db.reading() as session:
            rows = recent(session, 300)
            session.expunge_all()
            return list(rows)

    return render(
        request,
        "audit.html",
        {"entries": await asyncio.to_thread(entries)},
        area="console",
        principal=staff,
    )
