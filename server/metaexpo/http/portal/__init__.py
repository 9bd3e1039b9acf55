"""The exhibitor portal's pages (``/portal``): sign in, accept an invite, list and edit booths.

Server-rendered (``metaexpo/portal/templates``), usable on a phone, in
Chinese and English. One module per job: :mod:`.signin` (sign in and out,
invites), :mod:`.booths` (the booth list and editor), :mod:`.viewer` (the 3D
preview and the portal's static files), :mod:`.template_preview` (a picture of
each booth template in the exhibitor's colours). Text edits are plain HTML forms;
files are sent by ``portal.js`` to the JSON API
(``/api/booths/{id}/model|logo|poster``) with a progress bar, and the verdict
is shown in plain words. Every form carries a CSRF token; every action is
checked again by the services (role and ownership) whatever the page showed.
"""

from __future__ import annotations

from fastapi import APIRouter

from metaexpo.http.portal import booths, signin, template_preview, viewer

router = APIRouter()
router.include_router(signin.router)
router.include_router(booths.router)
router.include_router(viewer.router)
router.include_router(template_preview.router)
