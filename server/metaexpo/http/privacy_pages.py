"""The console's personal-data page (``/staff/privacy``): find and erase one person's cards.

A person asks the expo what it holds of them, or to delete it, by email address or phone
number. Staff look the person up first (the cards with that address or number, their
booths and dates, to show the person or to check it is the right one), then erase them
after confirming they checked who is asking. Both steps are POSTs, so the address never
appears in a URL or an access log; the erasure is the same act as
``POST /api/reach/erase`` and is audited the same way (how many, never whose); a look-up is
audited too.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request, Response

from metaexpo.analytics.leads import LeadBook
from metaexpo.errors import Invalid, RequestRefused
from metaexpo.http.pages import check_form, console_staff, read_form, render
from metaexpo.http.reach_api import erase_cards, wiring_of
from metaexpo.roles import Principal
from metaexpo.store.audit import Action, record

router = APIRouter(prefix="/staff/privacy", include_in_schema=False)


def _page(
    request: Request,
    staff: Principal,
    *,
    status_code: int = 200,
    **context: Any,
) -> Response:
    full: dict[str, Any] = {"email": "", "phone": "", "held": None, "erased": None, **context}
    return render(
        request, "privacy.html", full, area="console", principal=staff, status_code=status_code
    )


async def _person(request: Request, staff: Principal) -> tuple[str, str, Any]:
    """The form's email address and phone number (checked against the form token)."""
    form = await read_form(request)
    check_form(request, staff, str(form.get("csrf", "")))
    return str(form.get("email", "")).strip(), str(form.get("phone", "")).strip(), form


@router.get("")
async def privacy_page(request: Request) -> Response:
    """The look-up form."""
    staff = await console_staff(request)
    if isinstance(staff, Response):
        return staff
    return _page(request, staff)


@router.post("/find")
async def find(request: Request) -> Response:
    """The cards held of one person, with the erase form when there are any."""
    staff = await console_staff(request)
    if isinstance(staff, Response):
        return staff
    email, phone = "", ""
    try:
        email, phone, _ = await _person(request, staff)
        held = await asyncio.to_thread(_look_up, wiring_of(request).leads, staff, email, phone)
    except RequestRefused as exc:
        return _page(
            request, staff, email=email, phone=phone, message=exc.message, status_code=exc.status
        )
    return _page(request, staff, email=email, phone=phone, held=held)


def _look_up(leads: LeadBook, staff: Principal, email: str, phone: str) -> list[dict[str, Any]]:
    """The person's cards; the audit log records that staff looked and how many cards there
    were, never whose."""
    held = leads.held(email=email, phone=phone)
    with leads.db.transaction() as session:
        record(session, staff, Action.CARDS_LOOKED_UP, "cards", found=len(held))
    return held


@router.post("/erase")
async def erase(request: Request) -> Response:
    """Delete the person's cards once staff confirm they checked who is asking."""
    staff = await console_staff(request)
    if isinstance(staff, Response):
        return staff
    email, phone = "", ""
    try:
        email, phone, form = await _person(request, staff)
        if form.get("confirmed") != "yes":
            raise Invalid(
                "tick that you checked who is asking before deleting their cards; "
                "nothing was deleted"
            )
        erased = await asyncio.to_thread(erase_cards, wiring_of(request), staff, email, phone)
    except RequestRefused as exc:
        held = None
        if email or phone:
            leads = wiring_of(request).leads
            held = await asyncio.to_thread(leads.held, email=email, phone=phone)
        return _page(
            request,
            staff,
            email=email,
            phone=phone,
            held=held,
            message=exc.message,
            status_code=exc.status,
        )
    return _page(request, staff, erased=erased)
