"""One hall, end to end: scene graph, sign atlas, GLB bytes and the figures that go with them.

This is the module that pulls in the geometry stack (trimesh, pygltflib,
Pillow); :mod:`metaexpo.scenebuild.build` imports it only when something has
to be built, so a server whose scenes are current starts without it.
"""

from __future__ import annotations

from dataclasses import dataclass

from metaexpo.scenebuild.atlas import layout_atlas, placeholder_png
from metaexpo.scenebuild.glb import encode_glb
from metaexpo.scenebuild.graph import draw_calls, triangles
from metaexpo.scenebuild.hall import attach_signs, hall_graph, hall_signs
from metaexpo.scenes import Catalog, Hall


@dataclass(frozen=True, slots=True)
class BuiltHall:
    """One hall's GLB bytes and its figures."""

    glb: bytes
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
        glb=encode_glb(root, placeholder_png(layout)),
        draw_calls=draw_calls(root),
        triangles=triangles(root),
        vertices=vertices,
        signs=len(signs),
    )
