"""Pictures of the booth templates for the booth editor, in the exhibitor's colours.

``GET /portal/booths/{booth_id}/templates/{name}.png?accent=%23rrggbb&panel=%23rrggbb``
is a still of template ``name`` as the hall draws it in the booth's zone with
those colours (metaexpo.scenebuild.template_preview), rendered on the server
(metaexpo.booths.preview) so it shows with no script, no WebGL and offline.
Only templates that fit the booth's slot are drawn. A picture is drawn in the
upload workers (``--model-workers`` processes: a render is a Python loop over
the template's triangles and tens of megabytes of buffers, which must not
share the sync tick's GIL), and kept for a while: a small cache in the
server's memory, and a week in the browser, the URL naming the builder's
version (``v``) so that pictures change with the templates.
"""

from __future__ import annotations

import re
from collections import OrderedDict

from fastapi import APIRouter, Request, Response

from metaexpo.booths.content import DEFAULT_PANEL, fitting_templates
from metaexpo.booths.preview import render_solids
from metaexpo.errors import Invalid, NotFound, RequestRefused
from metaexpo.http.pages import error_page, login_redirect, user_of
from metaexpo.http.security import office_of
from metaexpo.scenebuild import BUILDER_VERSION
from metaexpo.scenebuild.template_preview import branded_palette, template_triangles
from metaexpo.scenes import TemplateName

router = APIRouter(prefix="/portal", include_in_schema=False)

_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
#: Pictures kept in the server's memory (about 60 KB each).
CACHED_PICTURES = 128
_pictures: OrderedDict[tuple[str, str, str, str], bytes] = OrderedDict()
#: A template is seen a little lower and more from the front than an uploaded model, so a
#: canopy does not hide the floor nor a side wall the shelves.
YAW_DEG, PITCH_DEG = 22.0, 14.0


def template_picture(name: TemplateName, zone_colour: str, accent: str, panel: str) -> bytes:
    """The PNG of template ``name`` in a zone of colour ``zone_colour`` with an exhibitor's
    ``accent`` and ``panel`` colours (``#rrggbb``, lower case)."""
    triangles, colours = template_triangles(name, branded_palette(zone_colour, accent, panel))
    return render_solids(triangles, colours, yaw_deg=YAW_DEG, pitch_deg=PITCH_DEG)


def _colour(request: Request, key: str, default: str) -> str:
    """The query's colour ``key`` (``#rrggbb``), ``default`` when absent."""
    value = request.query_params.get(key)
    if value is None:
        return default
    if not _COLOUR.fullmatch(value):
        raise Invalid(f"{key} must be a colour written #rrggbb, not {value!r}")
    return value.lower()


@router.get("/booths/{booth_id}/templates/{name}.png")
async def template_preview(booth_id: str, name: str, request: Request) -> Response:
    """Template ``name`` as booth ``booth_id`` would show it (signed-in users)."""
    principal = await user_of(request)
    if principal is None:
        return login_redirect(request)
    office = office_of(request)
    try:
        booth = office.editing.booth(booth_id)
        fitting = fitting_templates(booth)
        template = next((fits for fits in fitting if fits == name), None)
        if template is None:
            raise NotFound(
                f"no template {name!r} for booth {booth_id}; it fits " + ", ".join(fitting)
            )
        zone_colour = office.editing.catalog.zone(booth.zone).colour.lower()
        accent = _colour(request, "accent", zone_colour)
        panel = _colour(request, "panel", DEFAULT_PANEL)
    except RequestRefused as exc:
        return error_page(request, exc, principal, f"/portal/booths/{booth_id}")
    key = (template, zone_colour, accent, panel)
    png = _pictures.get(key)
    if png is None:
        png = await office.uploads.workers.run(template_picture, *key)
        _pictures[key] = png
        while len(_pictures) > CACHED_PICTURES:
            _pictures.popitem(last=False)
    else:
        _pictures.move_to_end(key)
    # A week in the browser only for the URL that names this builder's version.
    current = request.query_params.get("v") == str(BUILDER_VERSION)
    cache = "private, max-age=604800" if current else "private, no-cache"
    return Response(png, media_type="image/png", headers={"Cache-Control": cache})
