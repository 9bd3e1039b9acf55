"""Count what the scene costs to draw and hold it against the budgets.

Counts are per node instance (a mesh used by three nodes is drawn three
times), because that is what a visitor's GPU pays; they come from declared
counts only, so they are cheap and safe before any data is read.
"""

from __future__ import annotations

from dataclasses import dataclass

from metaexpo.models.limits import Limits
from metaexpo.models.problems import Code, Findings
from metaexpo.models.reach import Reach
from metaexpo.models.schema import Gltf, Primitive


@dataclass(frozen=True, slots=True)
class Counts:
    """What the scene draws: triangles, primitives (draw calls), vertices and used objects."""

    triangles: int
    draw_calls: int
    vertices: int
    meshes: int
    materials: int


def primitive_triangles(g: Gltf, prim: Primitive) -> int:
    """Triangles a primitive draws (0 for points and lines)."""
    if prim.indices is not None:
        count = g.accessors[prim.indices].count
    elif "POSITION" in prim.attributes:
        count = g.accessors[prim.attributes["POSITION"]].count
    else:
        return 0
    if prim.mode == 4:
        return count // 3
    if prim.mode in (5, 6):
        return max(count - 2, 0)
    return 0


def count_scene(g: Gltf, reach: Reach) -> Counts:
    """Count the default scene's cost from declared numbers."""
    triangles = 0
    draw_calls = 0
    for i in reach.nodes:
        mesh = g.nodes[i].mesh
        if mesh is not None:
            for prim in g.meshes[mesh].primitives:
                triangles += primitive_triangles(g, prim)
                draw_calls += 1
    positions = {
        prim.attributes["POSITION"]
        for m in reach.meshes
        for prim in g.meshes[m].primitives
        if "POSITION" in prim.attributes
    }
    vertices = sum(g.accessors[a].count for a in positions)
    return Counts(triangles, draw_calls, vertices, len(reach.meshes), len(reach.materials))


def check_budgets(counts: Counts, limits: Limits, findings: Findings) -> None:
    """Record a problem for every budget the counts exceed."""
    checks = (
        (
            counts.triangles,
            limits.max_triangles,
            Code.TOO_MANY_TRIANGLES,
            "triangles",
            "Reduce the polygon count (decimate) in your 3D tool.",
        ),
        (
            counts.vertices,
            limits.max_vertices,
            Code.TOO_MANY_VERTICES,
            "vertices",
            "Reduce the polygon count (decimate) in your 3D tool.",
        ),
        (
            counts.draw_calls,
            limits.max_draw_calls,
            Code.TOO_MANY_DRAW_CALLS,
            "separately drawn parts",
            "Join objects that share a material.",
        ),
        (
            counts.meshes,
            limits.max_meshes,
            Code.TOO_MANY_MESHES,
            "meshes",
            "Join objects in your 3D tool.",
        ),
        (
            counts.materials,
            limits.max_materials,
            Code.TOO_MANY_MATERIALS,
            "materials",
            "Reuse materials or combine them with a texture atlas.",
        ),
    )
    for value, limit, code, what, advice in checks:
        if value > limit:
            findings.error(
                code,
                f"The model has {value:,} {what}; at most {limit:,} are accepted. {advice}",
                "/",
                f"{limit} {what}",
            )
