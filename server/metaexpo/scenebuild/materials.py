"""The few shared materials of a hall, all glTF PBR metallic-roughness.

Colour mostly comes from vertex colours (``COLOR_0``, with ambient occlusion
baked in) on a white base, so one material serves every zone's colour and
static geometry merges into few draw calls. Four materials carry a texture:
the three floors (small tiling patterns the builder draws, tinted by the
vertex colours) and ``signs``, the atlas the client paints texts, logos,
posters and screen slides into. The client lights them all with an
environment map and a key light (docs/scenes.md "Materials and light").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

AlphaMode = Literal["OPAQUE", "BLEND"]


@dataclass(frozen=True, slots=True)
class MaterialSpec:
    """A material: name, base colour factor (linear RGBA), roughness, metalness, the texture
    its base colour comes from (a key of the images the GLB embeds), emissive factor, alpha
    mode and whether it is unlit (KHR_materials_unlit)."""

    name: str
    base_colour: tuple[float, float, float, float]
    roughness: float
    metallic: float = 0.0
    texture: str | None = None
    emissive: tuple[float, float, float] | None = None
    alpha: AlphaMode = "OPAQUE"
    unlit: bool = False
    double_sided: bool = False


FLOOR_STONE = "floor_stone"
FLOOR_CARPET = "floor_carpet"
FLOOR_WOOD = "floor_wood"
STRUCTURE = "structure"
METAL = "metal"
GLASS = "glass"
GLOW = "glow"
SIGNS = "signs"
SCREEN = "screen"
SHADOW = "shadow"

#: Texture keys: the sign atlas and the floor patterns (metaexpo.scenebuild.textures).
ATLAS_TEXTURE = "atlas"

#: Every material a hall may use, in the order they are written to the GLB.
MATERIALS: tuple[MaterialSpec, ...] = (
    # Polished stone slabs on the avenues and the plaza: they catch the skylights.
    MaterialSpec(FLOOR_STONE, (1.0, 1.0, 1.0, 1.0), roughness=0.32, texture="stone"),
    # The zones' carpet, tinted in each zone's colour.
    MaterialSpec(FLOOR_CARPET, (1.0, 1.0, 1.0, 1.0), roughness=0.92, texture="carpet"),
    # Oak boards: the forum hall and its stage.
    MaterialSpec(FLOOR_WOOD, (1.0, 1.0, 1.0, 1.0), roughness=0.48, texture="wood"),
    MaterialSpec(STRUCTURE, (1.0, 1.0, 1.0, 1.0), roughness=0.66),
    # Brushed steel: mullions, roof trusses, gateway frames, railings.
    MaterialSpec(METAL, (1.0, 1.0, 1.0, 1.0), roughness=0.3, metallic=0.9),
    # Curtain walls and skylights: the sky shows through. Unlit: a faint tint needs no light,
    # and blended PBR fragments over a third of the screen cost software renderers dearly.
    MaterialSpec(GLASS, (0.62, 0.74, 0.8, 0.22), roughness=0.05, alpha="BLEND", unlit=True),
    # Light panels: skylight diffusers, stage lights, booth spots. Lit by themselves.
    MaterialSpec(GLOW, (1.0, 1.0, 1.0, 1.0), roughness=0.5, emissive=(1.0, 0.96, 0.88)),
    # Matte, so text stays readable from any angle.
    MaterialSpec(SIGNS, (1.0, 1.0, 1.0, 1.0), roughness=0.9, texture=ATLAS_TEXTURE),
    # A dark glossy panel the client replaces with slides or video (forum screens).
    MaterialSpec(SCREEN, (0.012, 0.016, 0.024, 1.0), roughness=0.3),
    # Soft contact shadows on the floor: black, their strength in the vertex alpha.
    MaterialSpec(SHADOW, (0.0, 0.0, 0.0, 1.0), roughness=1.0, alpha="BLEND", unlit=True),
)
MATERIAL_NAMES = tuple(material.name for material in MATERIALS)
