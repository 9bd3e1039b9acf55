"""One hall, end to end: scene graph, sign atlas, GLB bytes and the figures that go with them.

This is the module that pulls in the geometry stack (trimesh, pygltflib,
Pillow); :mod:`metaexpo.scenebuild.build` imports it only when something has
to be built, so a server whose scenes are current starts without it.
"""

from __future__ import annotations

from dataclasses import dataclass

from metaexpo.scenebuild.atlas import layout_atlas, placeholder_png
from metaexpo.scenebuild.glb import encode_glb
from metaexpo.scenebuild.graph import SceneNode, draw_calls, triangles
from metaexpo.scenebuild.hall import attach_signs, hall_graph, hall_signs
from metaexpo.scenebuild.materials import ATLAS_TEXTURE
from metaexpo.scenebuild.navgrid import NavGrid, rasterise, world_obstacles
from metaexpo.scenebuild.templates import booth_model
from metaexpo.scenebuild.textures import floor_textures
from metaexpo.scenes import TEMPLATES, Catalog, Hall


@dataclass(frozen=True, slots=True)
class BuiltHall:
    """One hall's GLB bytes, its navigation grid and its figures."""

    glb: bytes
    navgrid: NavGrid
    draw_calls: int
    triangles: int
    vertices: int
    signs: int


def build_hall(catalog: Catalog, hall: Hall) -> BuiltHall:
    """Lay out, pack and measure the scene of ``hall``."""
    root = hall_graph(catalog, hall)
    signs = hall_signs(root)
    layout = layout_atlas(signs)
    attach_signs(root, layout)
    seen: set[str] = set()
    vertices = 0
    for node in root.walk():
        if node.mesh is not None and node.mesh.key not in seen:
            seen.add(node.mesh.key)
            vertices += sum(p.part.vertex_count for p in node.mesh.primitives)
    return BuiltHall(
        glb=encode_glb(root, {ATLAS_TEXTURE: placeholder_png(layout), **floor_textures()}),
        navgrid=hall_navgrid(catalog, hall, root),
        draw_calls=draw_calls(root),
        triangles=triangles(root),
        vertices=vertices,
        signs=len(signs),
    )


def hall_navgrid(catalog: Catalog, hall: Hall, root: SceneNode) -> NavGrid:
    """The navigation grid of ``hall`` from the obstacles of its scene graph ``root``."""
    booths = {
        booth.id: {
            "template": booth.template,
            "position": list(booth.position),
            "rotation_deg": booth.rotation_deg,
        }
        for booth in catalog.booths
        if booth.hall == hall.id
    }
    return rasterise(
        hall.id,
        (hall.bounds_min[0], hall.bounds_min[2]),
        (hall.bounds_max[0], hall.bounds_max[2]),
        (hall.spawn[0], hall.spawn[2]),
        world_obstacles(root),
        booths=booths,
        templates={name: list(booth_model(name).obstacles) for name in TEMPLATES},
    )
