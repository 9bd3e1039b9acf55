"""The scene graph the builder assembles before packing: nodes, meshes and primitives.

It mirrors the part of glTF the hall needs (a node tree with names, extras,
translation and quarter-turn rotations; meshes of one primitive per material)
and nothing more, so that the hall layout code never touches pygltflib and
the packer never needs to know what a booth is.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from metaexpo.scenebuild.footprints import Footprint
from metaexpo.scenebuild.mesh import F64, Part
from metaexpo.scenebuild.signs import Sign

Vec3 = tuple[float, float, float]
Quaternion = tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class Primitive:
    """One draw call: a part drawn with the named material."""

    material: str
    part: Part


@dataclass(frozen=True, slots=True)
class SceneMesh:
    """A mesh; ``key`` identifies it, so nodes with equal keys share one glTF mesh."""

    key: str
    primitives: tuple[Primitive, ...]


@dataclass(slots=True)
class SceneNode:
    """A node: name, extras (three.js ``userData``), optional mesh, transform and children.

    A node with ``sign`` set is a sign panel waiting for its atlas rectangle, one
    with ``signs`` several signs merged into one mesh;
    :func:`metaexpo.scenebuild.hall.attach_signs` gives them their mesh and extras.
    ``obstacles`` are the floor footprints its pieces block, in the node's own frame
    (:mod:`metaexpo.scenebuild.navgrid` draws the walkable floor from them).
    """

    name: str
    extras: dict[str, object] = field(default_factory=dict)
    mesh: SceneMesh | None = None
    translation: Vec3 | None = None
    rotation: Quaternion | None = None
    children: list[SceneNode] = field(default_factory=list)
    sign: Sign | None = None
    signs: list[Sign] = field(default_factory=list)
    obstacles: list[Footprint] = field(default_factory=list)

    def add(self, child: SceneNode) -> SceneNode:
        """Append ``child`` and return it."""
        self.children.append(child)
        return child

    def walk(self) -> Iterator[SceneNode]:
        """This node and all its descendants, depth first, parents before children."""
        yield self
        for child in self.children:
            yield from child.walk()


def node_matrix(node: SceneNode) -> F64:
    """The 4×4 matrix of ``node``'s own translation and rotation (glTF order: T · R)."""
    matrix = np.eye(4)
    if node.rotation is not None:
        x, y, z, w = node.rotation
        matrix[:3, :3] = [
            [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
            [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
            [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
        ]
    if node.translation is not None:
        matrix[:3, 3] = node.translation
    return matrix


def draw_calls(root: SceneNode) -> int:
    """Primitives drawn for the whole tree: one per primitive per node that shows a mesh.

    That is what three.js issues without further batching: a shared mesh
    still costs a draw call per node that uses it.
    """
    return sum(len(node.mesh.primitives) for node in root.walk() if node.mesh is not None)


def triangles(root: SceneNode) -> int:
    """Triangles drawn for the whole tree (a shared mesh counts once per node)."""
    return sum(
        primitive.part.triangle_count
        for node in root.walk()
        if node.mesh is not None
        for primitive in node.mesh.primitives
    )
