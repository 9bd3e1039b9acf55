"""The node hierarchy is a forest: one parent per node, no cycles, bounded depth.

Everything here is iterative (no recursion), so a 10,000-deep chain or a
cycle costs a linear walk, never a stack overflow. The result lists the
nodes of the default scene parents-first, the order in which world
transforms are computed and nodes are written out.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from metaexpo.models.limits import Limits
from metaexpo.models.problems import Code, Findings
from metaexpo.models.schema import Gltf

_FIX = "Fix the hierarchy in your 3D tool and export again."


@dataclass(frozen=True, slots=True)
class SceneGraph:
    """The default scene's nodes: roots, parent of every node, and a parents-first order."""

    scene: int
    roots: tuple[int, ...]
    parent: tuple[int | None, ...]
    order: tuple[int, ...]
    depth: int


def check_graph(g: Gltf, limits: Limits, findings: Findings) -> SceneGraph | None:
    """Check the hierarchy; return the default scene's graph, or None if it is unusable.

    Records ``too_many_nodes``, ``node_cycle``, ``node_multiple_parents``,
    ``scene_non_root_node``, ``no_scene`` and ``hierarchy_too_deep``.
    """
    count = len(g.nodes)
    if count > limits.max_nodes:
        findings.error(
            Code.TOO_MANY_NODES,
            f"The model has {count:,} nodes; at most {limits.max_nodes:,} are accepted. "
            "Merge objects or remove empty helpers before exporting.",
            "/nodes",
            f"{limits.max_nodes} nodes",
        )
    parent: list[int | None] = [None] * count
    broken = False
    for i, node in enumerate(g.nodes):
        for child in node.children or []:
            if child == i:
                findings.error(
                    Code.NODE_CYCLE, f"Node {i} is its own child. {_FIX}", f"/nodes/{i}/children"
                )
                broken = True
            elif parent[child] is not None:
                findings.error(
                    Code.NODE_MULTIPLE_PARENTS,
                    f"Node {child} has two parents (nodes {parent[child]} and {i}). {_FIX}",
                    f"/nodes/{i}/children",
                )
                broken = True
            else:
                parent[child] = i
    if broken:
        return None
    # With one parent each, the nodes not reachable from a parentless node sit on a cycle.
    seen = [False] * count
    queue = deque(i for i in range(count) if parent[i] is None)
    for i in queue:
        seen[i] = True
    while queue:
        for child in g.nodes[queue.popleft()].children or []:
            if not seen[child]:
                seen[child] = True
                queue.append(child)
    cyclic = [i for i in range(count) if not seen[i]]
    if cyclic:
        listed = ", ".join(str(i) for i in cyclic[:10])
        findings.error(
            Code.NODE_CYCLE,
            f"Nodes {listed} form a loop: each is an ancestor of itself. {_FIX}",
            f"/nodes/{cyclic[0]}",
        )
        return None
    scene = g.default_scene()
    if scene is None:
        findings.error(
            Code.NO_SCENE, "The file has no scene to show. Export the scene, not a library.", "/"
        )
        return None
    roots = tuple(g.scenes[scene].nodes or [])
    for j, root in enumerate(roots):
        if parent[root] is not None:
            findings.error(
                Code.SCENE_NON_ROOT_NODE,
                f"The scene lists node {root} as a root, but it is a child of node "
                f"{parent[root]}. {_FIX}",
                f"/scenes/{scene}/nodes/{j}",
            )
    if findings.failed and any(p.code is Code.SCENE_NON_ROOT_NODE for p in findings.problems):
        return None
    order: list[int] = []
    depth = dict.fromkeys(roots, 1)
    deepest = 1 if roots else 0
    queue = deque(roots)
    too_deep_reported = False
    while queue:
        i = queue.popleft()
        order.append(i)
        for child in g.nodes[i].children or []:
            depth[child] = depth[i] + 1
            if depth[child] > limits.max_hierarchy_depth and not too_deep_reported:
                too_deep_reported = True
                findings.error(
                    Code.HIERARCHY_TOO_DEEP,
                    f"Nodes are nested more than {limits.max_hierarchy_depth} levels deep "
                    f"(node {child} is at level {depth[child]}). Flatten the hierarchy.",
                    f"/nodes/{child}",
                    f"{limits.max_hierarchy_depth} levels",
                )
            deepest = max(deepest, depth[child])
            queue.append(child)
    return SceneGraph(scene, roots, tuple(parent), tuple(order), deepest)
