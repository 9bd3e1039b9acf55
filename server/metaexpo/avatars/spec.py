"""What an avatar is made of: style choices and a palette, as plain data.

A spec says *which* head, face, headwear, body, hands and back piece an
avatar has and its colours; the part builders (``heads``, ``bodies``,
``hands``) turn each choice into geometry. Adding an avatar means adding a
spec to ``catalog``, not writing geometry.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from metaexpo.avatars.colours import Rgb, hex_to_linear


class HeadStyle(StrEnum):
    """Head silhouettes."""

    ROUND = "round"
    CAPSULE = "capsule"
    BOXY = "boxy"
    ROBOT = "robot"


class FaceStyle(StrEnum):
    """What sits on the front of the head."""

    EYES = "eyes"
    EYES_BLUSH = "eyes_blush"
    VISOR = "visor"
    SCREEN = "screen"


class Headwear(StrEnum):
    """What sits on top of the head."""

    NONE = "none"
    BAMBOO_HAT = "bamboo_hat"
    FELT_HAT = "felt_hat"
    CAP = "cap"
    SPROUT = "sprout"
    EARS = "ears"
    BUN = "bun"
    ANTENNA = "antenna"


class BodyStyle(StrEnum):
    """Torso and legs (the body node)."""

    CAPSULE = "capsule"
    TAPERED = "tapered"
    BOXY = "boxy"
    ROBE = "robe"


class HandStyle(StrEnum):
    """Hand shapes (mirrored between left and right)."""

    ROUND = "round"
    MITTEN = "mitten"
    CLAW = "claw"


class BackStyle(StrEnum):
    """Something worn on the body: on the back, or round the neck."""

    NONE = "none"
    BACKPACK = "backpack"
    BASKET = "basket"
    SCARF = "scarf"


@dataclass(frozen=True)
class Palette:
    """An avatar's colours as sRGB ``#rrggbb`` strings (as the manifest shows them)."""

    head: str
    primary: str
    secondary: str
    accent: str
    detail: str
    dark: str

    def linear(self, role: str) -> Rgb:
        """The named colour in linear RGB, as glTF vertex colours need it."""
        value: str = getattr(self, role)
        return hex_to_linear(value)

    def as_dict(self) -> dict[str, str]:
        """All roles and their hex colours, in a fixed order, for the manifest."""
        return {
            "head": self.head,
            "primary": self.primary,
            "secondary": self.secondary,
            "accent": self.accent,
            "detail": self.detail,
            "dark": self.dark,
        }


@dataclass(frozen=True)
class AvatarSpec:
    """One avatar: id (lowercase slug), bilingual name, style choices and palette."""

    id: str
    name_zh: str
    name_en: str
    head: HeadStyle
    face: FaceStyle
    headwear: Headwear
    body: BodyStyle
    hands: HandStyle
    back: BackStyle
    palette: Palette
