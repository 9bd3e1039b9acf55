"""Node transforms, morph weights on nodes, and skins.

A node has either a matrix or translation/rotation/scale; a matrix must be
an affine transform without shear (it must decompose into T·R·S, as glTF
requires); a rotation must be a unit quaternion (slightly-off ones are
renormalised, a zero one is refused). A skinned node's mesh must carry
joints and weights; a skin's joints must be in the scene under one common
root, with one inverse bind matrix each.
"""

from __future__ import annotations

import math

import numpy as np

from metaexpo.models.graph import SceneGraph
from metaexpo.models.limits import Limits
from metaexpo.models.problems import Code, Findings
from metaexpo.models.reach import Reach
from metaexpo.models.schema import FLOAT, Gltf, Node

_FIX = "Export the model again from your 3D tool."
#: Rotations further than this from unit length are renormalised (float32 exports are ~1e-7 off;
#: the glTF-Validator refuses beyond ~0.008).
_RENORMALISE_ABOVE = 1e-5
_SHEAR_TOLERANCE = 1e-4


def check_nodes(
    g: Gltf, graph: SceneGraph, reach: Reach, limits: Limits, findings: Findings
) -> dict[int, list[float]]:
    """Check the scene's nodes and skins; return repaired rotations by node index."""
    rotations: dict[int, list[float]] = {}
    in_scene = set(graph.order)
    for i in graph.order:
        node = g.nodes[i]
        where = f"/nodes/{i}"
        _check_transform(node, where, rotations, i, findings)
        mesh = g.meshes[node.mesh] if node.mesh is not None else None
        if node.weights is not None and mesh is not None:
            targets = len(mesh.primitives[0].targets or [])
            if len(node.weights) != targets:
                findings.error(
                    Code.BAD_MORPH_TARGETS,
                    f"The node has {len(node.weights)} morph weights for a mesh with {targets} "
                    f"morph targets. {_FIX}",
                    f"{where}/weights",
                )
        if node.skin is not None and mesh is not None:
            for p, prim in enumerate(mesh.primitives):
                if "JOINTS_0" not in prim.attributes or "WEIGHTS_0" not in prim.attributes:
                    findings.error(
                        Code.BAD_SKIN,
                        f"The node is skinned but primitive {p} of its mesh has no JOINTS_0 and "
                        f"WEIGHTS_0. {_FIX}",
                        f"{where}/skin",
                    )
                    break
    for s in reach.skins:
        _check_skin(g, s, graph, in_scene, limits, findings)
    return rotations


def _check_transform(
    node: Node, where: str, rotations: dict[int, list[float]], i: int, findings: Findings
) -> None:
    has_trs = node.translation is not None or node.rotation is not None or node.scale is not None
    if node.matrix is not None:
        if has_trs:
            findings.error(
                Code.BAD_NODE_TRANSFORM,
                f"The node has both a matrix and translation/rotation/scale. {_FIX}",
                where,
            )
        elif not decomposable(node.matrix):
            findings.error(
                Code.BAD_NODE_TRANSFORM,
                "The node's matrix is not a plain move/rotate/scale (it shears or projects). "
                "Apply the transform to the mesh in your 3D tool and export again.",
                f"{where}/matrix",
            )
    if node.rotation is not None:
        length = math.sqrt(sum(c * c for c in node.rotation))
        if length < 1e-6:
            findings.error(
                Code.BAD_NODE_TRANSFORM,
                f"The node's rotation quaternion is zero. {_FIX}",
                f"{where}/rotation",
            )
        elif abs(length - 1.0) > _RENORMALISE_ABOVE:
            rotations[i] = [c / length for c in node.rotation]
            findings.warn(
                Code.ROTATION_RENORMALISED,
                "A node rotation was not of unit length and was normalised.",
                f"{where}/rotation",
            )


def decomposable(matrix: list[float]) -> bool:
    """Whether a column-major 4×4 ``matrix`` is T·R·S: last row 0 0 0 1, orthogonal columns."""
    m = np.array(matrix, dtype=np.float64).reshape(4, 4).T
    if not np.allclose(m[3], (0.0, 0.0, 0.0, 1.0), atol=1e-7):
        return False
    basis = m[:3, :3]
    gram = basis.T @ basis
    scale = np.sqrt(np.maximum(np.diag(gram), 0.0))
    if np.any(scale == 0.0):
        return True  # a zero scale collapses the axis; glTF allows it
    normalised = gram / np.outer(scale, scale)
    return bool(np.allclose(normalised, np.eye(3), atol=_SHEAR_TOLERANCE))


def _check_skin(
    g: Gltf, s: int, graph: SceneGraph, in_scene: set[int], limits: Limits, findings: Findings
) -> None:
    skin = g.skins[s]
    where = f"/skins/{s}"
    if len(skin.joints) > limits.max_joints:
        findings.error(
            Code.TOO_MANY_JOINTS,
            f"The skin has {len(skin.joints)} joints; at most {limits.max_joints} are accepted. "
            "Simplify the rig.",
            f"{where}/joints",
            f"{limits.max_joints} joints",
        )
    outside = [j for j in skin.joints if j not in in_scene]
    if outside:
        findings.error(
            Code.BAD_SKIN,
            f"Joint node {outside[0]} of this skin is not in the scene. {_FIX}",
            f"{where}/joints",
        )
        return
    roots = {_root(graph, j) for j in skin.joints}
    if len(roots) > 1:
        findings.error(
            Code.BAD_SKIN,
            f"The joints of this skin do not share one root node. {_FIX}",
            f"{where}/joints",
        )
    if skin.inverse_bind_matrices is not None:
        ibm = g.accessors[skin.inverse_bind_matrices]
        if ibm.type != "MAT4" or ibm.component_type != FLOAT:
            findings.error(
                Code.BAD_SKIN,
                f"Inverse bind matrices must be 4×4 float matrices. {_FIX}",
                f"{where}/inverseBindMatrices",
            )
        elif ibm.count < len(skin.joints):
            findings.error(
                Code.BAD_SKIN,
                f"The skin has {len(skin.joints)} joints but only {ibm.count} inverse bind "
                f"matrices. {_FIX}",
                f"{where}/inverseBindMatrices",
            )


def _root(graph: SceneGraph, node: int) -> int:
    # Depth is bounded (checked in graph), and the graph is acyclic, so this ends.
    while (up := graph.parent[node]) is not None:
        node = up
    return node
