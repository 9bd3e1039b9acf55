"""What a successful check learnt about a model: the input to normalisation.

Kept apart from :mod:`.pipeline` so that :mod:`.normalise` can depend on it
without depending on the pipeline that produces it.
"""

from __future__ import annotations

from dataclasses import dataclass

from metaexpo.models.accessors import AccessorReader
from metaexpo.models.bounds import Box, Matrix
from metaexpo.models.datachecks import DataFacts
from metaexpo.models.graph import SceneGraph
from metaexpo.models.meshes import MeshFacts
from metaexpo.models.reach import Reach
from metaexpo.models.schema import Gltf
from metaexpo.models.textures import LoadedImage


@dataclass(slots=True)
class Analysis:
    """Everything a successful check learnt; what normalisation writes the output from."""

    g: Gltf
    graph: SceneGraph
    reach: Reach
    buffers: dict[int, memoryview]
    images: dict[int, LoadedImage]
    reader: AccessorReader
    meshes: MeshFacts
    data: DataFacts
    rotations: dict[int, list[float]]
    world: dict[int, Matrix]
    bounds: Box
