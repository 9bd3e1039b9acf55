"""Merging static geometry by material, so a whole group of pieces costs one draw call each.

Pieces that never move relative to each other and share a material (the
hall's walls and columns, a booth's panels and counters) are concatenated
into one primitive; three.js then issues one draw call per material instead
of one per piece.
"""

from __future__ import annotations

from collections import defaultdict

from metaexpo.scenebuild.graph import Primitive, SceneMesh
from metaexpo.scenebuild.materials import MATERIAL_NAMES
from metaexpo.scenebuild.mesh import Part, concat, tidy


class Batches:
    """Parts collected per material; :meth:`mesh` merges each material's parts into one."""

    def __init__(self) -> None:
        self._parts: defaultdict[str, list[Part]] = defaultdict(list)

    def add(self, material: str, *parts: Part) -> None:
        """Queue ``parts`` to be drawn with ``material``."""
        if material not in MATERIAL_NAMES:
            raise ValueError(f"unknown material {material!r}")
        self._parts[material].extend(parts)

    def mesh(self, key: str) -> SceneMesh:
        """One mesh with a primitive per material used, in the fixed material order."""
        primitives = tuple(
            Primitive(material, tidy(concat(self._parts[material])))
            for material in MATERIAL_NAMES
            if self._parts.get(material)
        )
        if not primitives:
            raise ValueError(f"mesh {key!r} has no geometry")
        return SceneMesh(key, primitives)


def single(key: str, material: str, *parts: Part) -> SceneMesh:
    """A mesh of ``parts`` merged into one primitive of ``material``."""
    batches = Batches()
    batches.add(material, *parts)
    return batches.mesh(key)
