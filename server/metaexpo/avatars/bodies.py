"""Body geometry (torso, legs, worn items) in avatar space: feet on y = 0, facing -Z.

The body node sits at the avatar origin, so these coordinates are both node
and avatar coordinates. The torso stops a few centimetres below the head so
a tracked head can tilt without passing through it.
"""

from __future__ import annotations

from dataclasses import dataclass

from metaexpo.avatars.geometry import Solid
from metaexpo.avatars.shapes import (
    box,
    capsule,
    ellipsoid,
    frustum,
    lathe,
    place,
    rotation,
    translation,
)
from metaexpo.avatars.spec import AvatarSpec, BackStyle, BodyStyle, Palette


@dataclass(frozen=True)
class BodyFrame:
    """The torso and legs, and where the back and the neck are, for worn items."""

    solids: tuple[Solid, ...]
    back: float
    neck: float


def _legs_and_feet(palette: Palette, leg_radius: float, top: float) -> tuple[Solid, ...]:
    leg = place(
        capsule(leg_radius, top, palette.linear("secondary"), cap_rings=2, sections=7),
        translation(0.09, 0, 0),
    )
    foot = place(
        ellipsoid((0.065, 0.045, 0.1), palette.linear("dark"), rings=3, sections=7),
        translation(0.095, 0.045, -0.035),
    )
    return (leg, leg.mirrored_x(), foot, foot.mirrored_x())


def _torso(style: BodyStyle, palette: Palette) -> BodyFrame:
    primary, secondary = palette.linear("primary"), palette.linear("secondary")
    accent = palette.linear("accent")
    if style is BodyStyle.CAPSULE:
        torso = place(
            capsule(0.215, 0.62, primary, cap_rings=2, sections=10), translation(0, 0.78, 0)
        )
        badge = place(
            frustum(0.075, 0.07, 0.02, accent, sections=10),
            rotation("x", -90),
            translation(0, 1.2, -0.205),
        )
        legs = _legs_and_feet(palette, 0.08, 0.88)
        return BodyFrame((torso, badge, *legs), back=0.215, neck=1.4)
    if style is BodyStyle.TAPERED:
        profile = [
            (0.0, 0.8),
            (0.165, 0.8),
            (0.175, 0.95),
            (0.225, 1.25),
            (0.205, 1.35),
            (0.11, 1.395),
            (0.0, 1.4),
        ]
        torso = lathe(profile, primary, sections=10, crease_deg=40)
        belt = place(frustum(0.18, 0.183, 0.06, accent, sections=10), translation(0, 0.86, 0))
        legs = _legs_and_feet(palette, 0.078, 0.9)
        return BodyFrame((torso, belt, *legs), back=0.22, neck=1.4)
    if style is BodyStyle.BOXY:
        chest = place(box((0.44, 0.46, 0.28), primary), translation(0, 1.17, 0))
        panel = place(box((0.16, 0.12, 0.02), accent), translation(0, 1.2, -0.145))
        hips = place(box((0.32, 0.14, 0.24), secondary), translation(0, 0.87, 0))
        leg = place(box((0.13, 0.8, 0.15), secondary), translation(0.09, 0.4, 0))
        foot = place(
            box((0.15, 0.07, 0.23), palette.linear("dark")), translation(0.09, 0.035, -0.03)
        )
        solids = (chest, panel, hips, leg, leg.mirrored_x(), foot, foot.mirrored_x())
        return BodyFrame(solids, back=0.14, neck=1.4)
    profile = [
        (0.0, 0.0),
        (0.28, 0.0),
        (0.27, 0.08),
        (0.2, 0.7),
        (0.185, 1.0),
        (0.225, 1.26),
        (0.15, 1.385),
        (0.0, 1.4),
    ]
    robe = lathe(profile, primary, sections=10, crease_deg=40)
    sash = place(frustum(0.195, 0.19, 0.07, accent, sections=10), translation(0, 0.97, 0))
    hem = frustum(0.285, 0.275, 0.05, secondary, sections=10)
    return BodyFrame((robe, sash, hem), back=0.22, neck=1.4)


def _worn(style: BackStyle, frame: BodyFrame, palette: Palette) -> tuple[Solid, ...]:
    accent, detail = palette.linear("accent"), palette.linear("detail")
    if style is BackStyle.NONE:
        return ()
    if style is BackStyle.BACKPACK:
        pack = place(
            box((0.3, 0.38, 0.14), palette.linear("secondary")),
            translation(0, 1.12, frame.back + 0.06),
        )
        flap = place(box((0.26, 0.12, 0.03), accent), translation(0, 1.25, frame.back + 0.13))
        pocket = place(box((0.18, 0.1, 0.04), detail), translation(0, 1.0, frame.back + 0.14))
        return (pack, flap, pocket)
    if style is BackStyle.BASKET:
        basket = place(
            frustum(0.1, 0.14, 0.3, accent, sections=8), translation(0, 0.95, frame.back + 0.1)
        )
        rim = place(
            frustum(0.15, 0.15, 0.03, detail, sections=8), translation(0, 1.25, frame.back + 0.1)
        )
        return (basket, rim)
    collar = place(
        frustum(0.19, 0.14, 0.08, accent, sections=10), translation(0, frame.neck - 0.1, 0)
    )
    tail = place(
        box((0.07, 0.3, 0.02), accent),
        rotation("z", 8),
        translation(0.08, frame.neck - 0.25, -0.215),
    )
    return (collar, tail)


def build_body(spec: AvatarSpec) -> tuple[Solid, ...]:
    """All solids of ``spec``'s body in avatar space."""
    frame = _torso(spec.body, spec.palette)
    return frame.solids + _worn(spec.back, frame, spec.palette)
