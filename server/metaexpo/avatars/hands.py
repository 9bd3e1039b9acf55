"""Hand geometry, centred on each hand node; the right hand is built and mirrored.

Fingers point along -Z and the back of the hand faces +Y, so at rest (no
rotation) both hands reach slightly forward, and a VR client can line the
mesh up with a controller's grip pose with one fixed rotation. The thumb is
on the inner side (towards the body).
"""

from __future__ import annotations

from metaexpo.avatars.geometry import Solid
from metaexpo.avatars.shapes import box, ellipsoid, place, rotation, translation
from metaexpo.avatars.spec import AvatarSpec, HandStyle


def _right_hand(spec: AvatarSpec) -> tuple[Solid, ...]:
    palette = spec.palette
    if spec.hands is HandStyle.ROUND:
        return (ellipsoid((0.048, 0.048, 0.055), palette.linear("head"), rings=4, sections=8),)
    if spec.hands is HandStyle.MITTEN:
        palm = ellipsoid((0.042, 0.035, 0.06), palette.linear("accent"), rings=4, sections=8)
        thumb = place(
            ellipsoid((0.016, 0.016, 0.03), palette.linear("accent"), rings=3, sections=6),
            rotation("y", 30),
            translation(-0.04, 0.008, -0.02),
        )
        return (palm, thumb)
    steel, accent = palette.linear("secondary"), palette.linear("accent")
    palm = box((0.07, 0.045, 0.07), steel)
    finger = place(box((0.018, 0.02, 0.05), accent), translation(0.02, 0, -0.055))
    thumb = place(box((0.018, 0.02, 0.04), accent), rotation("y", 25), translation(-0.04, 0, -0.04))
    return (palm, finger, place(finger, translation(-0.035, 0, 0)), thumb)


def build_hands(spec: AvatarSpec) -> tuple[tuple[Solid, ...], tuple[Solid, ...]]:
    """(left, right) hand solids, each centred on its own node's origin."""
    right = _right_hand(spec)
    left = tuple(s.mirrored_x() for s in right)
    return left, right
