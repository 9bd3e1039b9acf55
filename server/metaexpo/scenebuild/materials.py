"""The few shared materials of a hall, all glTF PBR metallic-roughness.

Colour comes from vertex colours (``COLOR_0``) on a white base, so one
material serves every zone's colour and static geometry can be merged into
few draw calls. Signs are the one textured material: the atlas the client
paints.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MaterialSpec:
    """A material: name, base colour factor (linear RGBA), roughness, metalness, whether its
    base colour comes from the sign atlas."""

    name: str
    base_colour: tuple[float, float, float, float]
    roughness: float
    metallic: float = 0.0
    textured: bool = False


FLOOR = "floor"
STRUCTURE = "structure"
SIGNS = "signs"
SCREEN = "screen"

#: Every material a hall may use, in the order they are written to the GLB.
MATERIALS: tuple[MaterialSpec, ...] = (
    # Polished floors catch a little light; vertex colours tint them per zone.
    MaterialSpec(FLOOR, (1.0, 1.0, 1.0, 1.0), roughness=0.55),
    MaterialSpec(STRUCTURE, (1.0, 1.0, 1.0, 1.0), roughness=0.7),
    # Matte, so text stays readable from any angle.
    MaterialSpec(SIGNS, (1.0, 1.0, 1.0, 1.0), roughness=0.9, textured=True),
    # A dark glossy panel the client may replace with slides or video.
    MaterialSpec(SCREEN, (0.012, 0.016, 0.024, 1.0), roughness=0.3),
)
MATERIAL_NAMES = tuple(material.name for material in MATERIALS)
