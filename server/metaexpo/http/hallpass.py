"""``GET /api/auth/pass``: the one question a hall page asks before it joins.

A browser may be signed in to the portal (the session cookie), signed in as
a forum speaker by their link (the speaker cookie), or neither. The page
asks once, on its own origin: the answer is a fresh join token and what it
stands for (an account or a speaker), or 204 when the browser is neither —
then the page joins with its guest token (``POST /api/auth/guest``). Asking
costs no failed request, so an ordinary visitor's console stays clean.
An account comes before a speaker unless the page says ``as=speaker`` (it
came from the speaker's page).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from metaexpo.errors import NotSignedIn
from metaexpo.http.forums_security import ForumsDep
from metaexpo.http.forums_speaker import speaker_pass
from metaexpo.http.office import BackOffice
from metaexpo.http.security import SESSION_COOKIE, Office

router = APIRouter(prefix="/api/auth", tags=["accounts"])


@router.get(
    "/pass",
    summary="The join token this browser is entitled to (account or speaker), or 204",
    responses={204: {"description": "neither signed in nor a speaker: join as a guest"}},
)
def hall_pass(
    request: Request,
    office: Office,
    forums: ForumsDep,
    response: Response,
    as_: Annotated[Literal["account", "speaker"], Query(alias="as")] = "account",
) -> Any:
    """For the hall page's ``join``: an account's token if the portal cookie is signed in,
    a speaker's if the speaker cookie is; 204 otherwise (no error: most visitors are
    neither)."""
    response.headers["Cache-Control"] = "no-store"
    order = ("speaker", "account") if as_ == "speaker" else ("account", "speaker")
    for kind in order:
        found = _account(request, office) if kind == "account" else speaker_pass(request, forums)
        if found is not None:
            return found
    return Response(status_code=204, headers={"Cache-Control": "no-store"})


def _account(request: Request, office: BackOffice) -> dict[str, Any] | None:
    secret = request.cookies.get(SESSION_COOKIE)
    principal = office.accounts.session_principal(secret) if secret else None
    if principal is None:
        return None
    try:
        issued = office.accounts.issue_bearer(principal)
    except NotSignedIn:  # the account was disabled a moment ago: not signed in after all
        return None
    return {"kind": "account", "token": issued.token, "expires_at": issued.expires}
