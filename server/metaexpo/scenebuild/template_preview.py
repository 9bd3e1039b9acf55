"""A booth template as the hall would draw it for one exhibitor, as coloured triangles.

The portal shows an exhibitor each template their slot fits before they pick
one (http/portal/template_preview.py renders these triangles to a picture).
They come from the very model the scene builder puts in the hall
(:func:`metaexpo.scenebuild.templates.booth_model`), painted as the client
paints an approved revision (web/src/world/branding.js): the zone's palette,
with the exhibitor's accent on the accent roles (darkened for ``accent_dark``)
and their panel colour on the walls. The sign faces are drawn as blank light
panels, where the client paints the booth's name.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from metaexpo.scenebuild.mesh import F64
from metaexpo.scenebuild.palette import BLACK, INFO_WALL, ZonePalette, mix_srgb, rgba8, zone_palette
from metaexpo.scenebuild.signs import face_quad
from metaexpo.scenebuild.templates import booth_model
from metaexpo.scenes import TemplateName


def branded_palette(zone_colour: str, accent: str, panel: str) -> ZonePalette:
    """The palette of a booth in the zone of colour ``zone_colour`` whose exhibitor chose
    ``accent`` and ``panel`` (all ``#rrggbb``, sRGB)."""
    return replace(
        zone_palette(zone_colour),
        accent=rgba8(accent),
        accent_dark=rgba8(mix_srgb(accent, BLACK, 0.35)),
        panel=rgba8(panel),
    )


def _srgb255(linear8: F64) -> F64:
    """Linear RGBA8 channels (0-255) as sRGB channels (0-255)."""
    linear = linear8 / 255.0
    srgb = np.where(linear <= 0.0031308, linear * 12.92, 1.055 * linear ** (1 / 2.4) - 0.055)
    return np.asarray(np.clip(srgb * 255.0, 0.0, 255.0), dtype=np.float64)


def template_triangles(name: TemplateName, palette: ZonePalette) -> tuple[F64, F64]:
    """Template ``name`` painted in ``palette``, its sign faces blank: every triangle in the
    booth's frame (n, 3, 3; metres, y up, front +z) and its sRGB colour (n, 3; 0-255)."""
    model = booth_model(name)
    body = model.body(palette)
    assert body.colours is not None
    triangles = body.positions[body.indices]
    colours = _srgb255(body.colours[body.indices, :3].astype(np.float64).mean(axis=1))
    blank = np.array(rgba8(INFO_WALL)[:3], dtype=np.float64)
    faces = [face_quad(face, (0.0, 0.0, 1.0, 1.0)) for face in model.sign_faces]
    sign_triangles = np.concatenate([face.positions[face.indices] for face in faces])
    sign_colours = np.tile(_srgb255(blank), (len(sign_triangles), 1))
    return (
        np.concatenate([triangles, sign_triangles]),
        np.concatenate([colours, sign_colours]),
    )
