"""Read accessor data into numpy arrays, sparse changes applied, only after layout checks passed.

Arrays are views on the upload's bytes, copied once; their size is bounded
by bytes that exist (checked in :mod:`.layout`) or, for accessors without
data, by the vertex budget, so no declared number can make this allocate
more than the upload plus a small factor.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from metaexpo.models.layout import element_size
from metaexpo.models.problems import Code, Findings
from metaexpo.models.schema import (
    COMPONENT_DTYPE,
    COMPONENT_SIZE,
    FLOAT,
    TYPE_COMPONENTS,
    Accessor,
    Gltf,
)

_MATRIX_ROWS = {"MAT2": 2, "MAT3": 3, "MAT4": 4}
_FIX = "The file is damaged or was written by a faulty exporter: export it again."


def _view_bytes(g: Gltf, buffers: dict[int, memoryview], view_index: int) -> memoryview:
    view = g.buffer_views[view_index]
    return buffers[view.buffer][view.byte_offset : view.byte_offset + view.byte_length]


def _strided(
    data: memoryview, accessor: Accessor, offset: int, count: int, stride: int
) -> npt.NDArray[np.generic]:
    dtype = np.dtype(COMPONENT_DTYPE[accessor.component_type])
    size = COMPONENT_SIZE[accessor.component_type]
    if accessor.type in ("MAT2", "MAT3") and size < 4:
        rows = _MATRIX_ROWS[accessor.type]
        column = rows * size + (-(rows * size) % 4)
        raw = np.ndarray(
            (count, rows, rows), dtype, buffer=data, offset=offset, strides=(stride, column, size)
        )
        return raw.reshape(count, rows * rows).copy()
    width = TYPE_COMPONENTS[accessor.type]
    raw = np.ndarray((count, width), dtype, buffer=data, offset=offset, strides=(stride, size))
    return raw.copy()


@dataclass(slots=True)
class AccessorReader:
    """Reads (and caches) accessors of one document; records sparse-index problems."""

    g: Gltf
    buffers: dict[int, memoryview]
    findings: Findings
    cache: dict[int, npt.NDArray[np.generic] | None] = field(default_factory=dict)

    def raw(self, index: int) -> npt.NDArray[np.generic] | None:
        """Elements × components in the stored component type, or None if sparse data is bad."""
        if index in self.cache:
            return self.cache[index]
        accessor = self.g.accessors[index]
        dtype = np.dtype(COMPONENT_DTYPE[accessor.component_type])
        width = TYPE_COMPONENTS[accessor.type]
        if accessor.buffer_view is None:
            data = np.zeros((accessor.count, width), dtype)
        else:
            view = self.g.buffer_views[accessor.buffer_view]
            stride = view.byte_stride or element_size(accessor)
            data = _strided(
                _view_bytes(self.g, self.buffers, accessor.buffer_view),
                accessor,
                accessor.byte_offset,
                accessor.count,
                stride,
            )
        result: npt.NDArray[np.generic] | None = data
        if accessor.sparse is not None:
            result = self._apply_sparse(index, accessor, data)
        self.cache[index] = result
        return result

    def _apply_sparse(
        self, index: int, accessor: Accessor, data: npt.NDArray[np.generic]
    ) -> npt.NDArray[np.generic] | None:
        sparse = accessor.sparse
        assert sparse is not None
        indices = np.frombuffer(
            _view_bytes(self.g, self.buffers, sparse.indices.buffer_view),
            dtype=COMPONENT_DTYPE[sparse.indices.component_type],
            count=sparse.count,
            offset=sparse.indices.byte_offset,
        ).astype(np.int64)
        if np.any(indices >= accessor.count) or np.any(np.diff(indices) <= 0):
            self.findings.error(
                Code.BAD_SPARSE_ACCESSOR,
                "The sparse indices must be increasing and smaller than the accessor's count. "
                f"{_FIX}",
                f"/accessors/{index}/sparse/indices",
            )
            return None
        values = _strided(
            _view_bytes(self.g, self.buffers, sparse.values.buffer_view),
            accessor,
            sparse.values.byte_offset,
            sparse.count,
            element_size(accessor),
        )
        data[indices] = values
        return data

    def floats(self, index: int) -> npt.NDArray[np.float64] | None:
        """The accessor as float64, normalized integers mapped to [-1, 1] or [0, 1]."""
        raw = self.raw(index)
        if raw is None:
            return None
        return dequantize(raw, self.g.accessors[index])


def dequantize(raw: npt.NDArray[np.generic], accessor: Accessor) -> npt.NDArray[np.float64]:
    """``raw`` as float64: normalized integers scaled as glTF defines, others converted."""
    values = raw.astype(np.float64)
    if accessor.component_type == FLOAT or not accessor.normalized:
        return values
    info = np.iinfo(raw.dtype.str)
    if info.min < 0:
        return np.maximum(values / info.max, -1.0)
    return values / info.max
