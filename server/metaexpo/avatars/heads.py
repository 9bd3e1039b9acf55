"""Head geometry, in the head node's frame: origin at eye level in the middle of the head.

The head's main shape is centred on the origin so the client can put the
node straight at a VR head pose; the face looks down -Z. Headwear and face
details are placed from the shape's measurements (:class:`HeadFrame`), so
any face or hat fits any head.
"""

from __future__ import annotations

from dataclasses import dataclass

from metaexpo.avatars.geometry import Solid
from metaexpo.avatars.shapes import (
    box,
    capsule,
    ellipsoid,
    frustum,
    place,
    rotation,
    scaling,
    translation,
)
from metaexpo.avatars.spec import AvatarSpec, FaceStyle, HeadStyle, Headwear, Palette


@dataclass(frozen=True)
class HeadFrame:
    """The head's main shape and where its surfaces are, for placing details."""

    solids: tuple[Solid, ...]
    top: float
    front: float
    half_width: float
    half_depth: float
    flat_top: bool


def _shape(style: HeadStyle, palette: Palette) -> HeadFrame:
    colour = palette.linear("head")
    if style is HeadStyle.ROUND:
        solid = ellipsoid((0.15, 0.155, 0.145), colour, rings=6, sections=10)
        return HeadFrame(
            (solid,), top=0.155, front=-0.145, half_width=0.15, half_depth=0.145, flat_top=False
        )
    if style is HeadStyle.CAPSULE:
        solid = place(
            capsule(0.135, 0.34, colour, cap_rings=3, sections=10), translation(0, -0.17, 0)
        )
        return HeadFrame(
            (solid,), top=0.17, front=-0.135, half_width=0.135, half_depth=0.135, flat_top=False
        )
    if style is HeadStyle.BOXY:
        main = box((0.27, 0.28, 0.25), colour)
        jaw = place(box((0.22, 0.04, 0.2), colour), translation(0, -0.155, 0))
        return HeadFrame(
            (main, jaw), top=0.14, front=-0.125, half_width=0.135, half_depth=0.125, flat_top=True
        )
    steel = palette.linear("secondary")
    main = box((0.3, 0.25, 0.25), colour)
    ear = place(
        frustum(0.055, 0.045, 0.03, steel, sections=8), rotation("z", -90), translation(0.15, 0, 0)
    )
    return HeadFrame(
        (main, ear, ear.mirrored_x()),
        top=0.125,
        front=-0.125,
        half_width=0.15,
        half_depth=0.125,
        flat_top=True,
    )


def _face(style: FaceStyle, frame: HeadFrame, palette: Palette) -> tuple[Solid, ...]:
    dark, accent = palette.linear("dark"), palette.linear("accent")
    z = frame.front
    if style in (FaceStyle.EYES, FaceStyle.EYES_BLUSH):
        eye = place(
            ellipsoid((0.02, 0.028, 0.012), dark, rings=3, sections=6),
            translation(0.045, 0.005, z + 0.006),
        )
        solids: tuple[Solid, ...] = (eye, eye.mirrored_x())
        if style is FaceStyle.EYES_BLUSH:
            blush = place(
                ellipsoid((0.022, 0.012, 0.008), palette.linear("detail"), rings=2, sections=6),
                translation(0.075, -0.035, z + 0.022),
            )
            solids += (blush, blush.mirrored_x())
        return solids
    if style is FaceStyle.VISOR:
        band = place(
            ellipsoid((frame.half_width * 0.9, 0.04, 0.05), accent, rings=4, sections=10),
            scaling(1.0, 1.0, 0.9),
            translation(0, 0.005, z + 0.035),
        )
        return (band,)
    eye = place(box((0.05, 0.035, 0.014), accent), translation(0.05, 0.01, z - 0.004))
    mouth = place(
        box((0.1, 0.012, 0.012), palette.linear("detail")), translation(0, -0.055, z - 0.004)
    )
    return (eye, eye.mirrored_x(), mouth)


def _headwear(style: Headwear, frame: HeadFrame, palette: Palette) -> tuple[Solid, ...]:
    top, accent, detail = frame.top, palette.linear("accent"), palette.linear("detail")
    if style is Headwear.NONE:
        return ()
    if style is Headwear.BAMBOO_HAT:
        hat = frustum(0.3, 0.0, 0.15, accent, sections=12)
        tip = place(
            ellipsoid((0.018, 0.018, 0.018), detail, rings=2, sections=6), translation(0, 0.15, 0)
        )
        return tuple(place(s, translation(0, top - 0.045, 0)) for s in (hat, tip))
    if style is Headwear.FELT_HAT:
        brim = frustum(0.165, 0.155, 0.035, detail, sections=12)
        crown = place(frustum(0.135, 0.125, 0.1, accent, sections=12), translation(0, 0.035, 0))
        return tuple(place(s, translation(0, top - 0.05, 0)) for s in (brim, crown))
    if style is Headwear.CAP:
        # A flat-topped head would poke through a dome, so it gets a box crown.
        if frame.flat_top:
            crown_size = (2 * frame.half_width + 0.02, 0.06, 2 * frame.half_depth + 0.02)
            dome = place(box(crown_size, accent), translation(0, top, 0))
            peak_y = top - 0.025
        else:
            radii = (frame.half_width + 0.012, 0.075, frame.half_depth + 0.01)
            dome = place(
                ellipsoid(radii, accent, rings=4, sections=10), translation(0, top - 0.04, 0)
            )
            peak_y = top - 0.05
        peak = place(
            box((0.17, 0.012, 0.1), detail),
            rotation("x", -8),
            translation(0, peak_y, frame.front - 0.03),
        )
        return (dome, peak)
    if style is Headwear.SPROUT:
        stem = place(frustum(0.008, 0.006, 0.05, detail, sections=5), translation(0, top - 0.01, 0))
        bud = place(
            ellipsoid((0.014, 0.03, 0.014), accent, rings=3, sections=6),
            translation(0, top + 0.065, 0),
        )
        leaf = place(
            ellipsoid((0.055, 0.01, 0.026), accent, rings=3, sections=6, crease_deg=60),
            translation(0.05, 0, 0),
            rotation("z", 28),
            translation(0, top + 0.035, 0),
        )
        return (stem, bud, leaf, leaf.mirrored_x())
    if style is Headwear.EARS:
        ear = place(
            ellipsoid((0.045, 0.045, 0.02), palette.linear("head"), rings=3, sections=8),
            rotation("z", -25),
            translation(0.085, top - 0.015, 0.01),
        )
        inner = place(
            ellipsoid((0.026, 0.026, 0.01), detail, rings=2, sections=6),
            rotation("z", -25),
            translation(0.085, top - 0.015, 0.0),
        )
        return (ear, ear.mirrored_x(), inner, inner.mirrored_x())
    if style is Headwear.BUN:
        bun = place(
            ellipsoid((0.065, 0.06, 0.06), palette.linear("dark"), rings=4, sections=8),
            translation(0, top - 0.005, 0.06),
        )
        pin = place(
            box((0.17, 0.012, 0.012), accent), rotation("z", 15), translation(0, top + 0.01, 0.06)
        )
        flower = place(
            ellipsoid((0.022, 0.022, 0.022), detail, rings=2, sections=6),
            translation(0.07, top + 0.035, 0.06),
        )
        return (bun, pin, flower)
    stalk = place(
        frustum(0.01, 0.008, 0.09, palette.linear("secondary"), sections=5), translation(0, top, 0)
    )
    ball = place(
        ellipsoid((0.025, 0.025, 0.025), accent, rings=3, sections=6), translation(0, top + 0.1, 0)
    )
    return (stalk, ball)


def build_head(spec: AvatarSpec) -> tuple[Solid, ...]:
    """All solids of ``spec``'s head in the head node's frame."""
    frame = _shape(spec.head, spec.palette)
    return (
        frame.solids
        + _face(spec.face, frame, spec.palette)
        + _headwear(spec.headwear, frame, spec.palette)
    )
