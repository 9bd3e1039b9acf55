"""What the default scene uses: the objects that are checked, counted and written out.

Anything not reachable from the scene (other scenes, animations, unused
meshes, materials, accessors …) is neither budgeted nor kept: the output
holds only what is drawn, which also drops data smuggled into unused parts.
"""

from __future__ import annotations

from dataclasses import dataclass

from metaexpo.models.graph import SceneGraph
from metaexpo.models.references import material_texture_infos
from metaexpo.models.schema import Gltf


@dataclass(frozen=True, slots=True)
class Reach:
    """Indices (sorted, except ``nodes`` which is parents-first) of what the scene uses."""

    nodes: tuple[int, ...]
    meshes: tuple[int, ...]
    skins: tuple[int, ...]
    materials: tuple[int, ...]
    textures: tuple[int, ...]
    images: tuple[int, ...]
    samplers: tuple[int, ...]
    accessors: tuple[int, ...]
    buffer_views: tuple[int, ...]
    buffers: tuple[int, ...]


def compute_reach(g: Gltf, graph: SceneGraph) -> Reach:
    """Walk from the default scene's nodes to everything they use."""
    meshes: set[int] = set()
    skins: set[int] = set()
    for i in graph.order:
        node = g.nodes[i]
        if node.mesh is not None:
            meshes.add(node.mesh)
            if node.skin is not None:
                skins.add(node.skin)
    materials: set[int] = set()
    accessors: set[int] = set()
    for m in meshes:
        for prim in g.meshes[m].primitives:
            accessors.update(prim.attributes.values())
            for target in prim.targets or []:
                accessors.update(target.values())
            if prim.indices is not None:
                accessors.add(prim.indices)
            if prim.material is not None:
                materials.add(prim.material)
    for s in skins:
        if g.skins[s].inverse_bind_matrices is not None:
            accessors.add(g.skins[s].inverse_bind_matrices)  # type: ignore[arg-type]
    textures = {
        info.index
        for m in materials
        for _, info in material_texture_infos(g.materials[m], f"/materials/{m}")
    }
    images = {g.textures[t].source for t in textures} - {None}
    samplers = {g.textures[t].sampler for t in textures} - {None}
    views: set[int] = set()
    for a in accessors:
        accessor = g.accessors[a]
        if accessor.buffer_view is not None:
            views.add(accessor.buffer_view)
        if accessor.sparse is not None:
            views.add(accessor.sparse.indices.buffer_view)
            views.add(accessor.sparse.values.buffer_view)
    for im in images:
        assert im is not None
        view = g.images[im].buffer_view
        if view is not None:
            views.add(view)
    buffers = {g.buffer_views[v].buffer for v in views}
    return Reach(
        nodes=graph.order,
        meshes=tuple(sorted(meshes)),
        skins=tuple(sorted(skins)),
        materials=tuple(sorted(materials)),
        textures=tuple(sorted(textures)),
        images=tuple(sorted(i for i in images if i is not None)),
        samplers=tuple(sorted(s for s in samplers if s is not None)),
        accessors=tuple(sorted(accessors)),
        buffer_views=tuple(sorted(views)),
        buffers=tuple(sorted(buffers)),
    )
