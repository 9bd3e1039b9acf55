"""Byte ranges: buffer views inside their buffers, accessors inside their views, aligned.

These checks use only declared numbers (offsets, lengths, counts, strides),
so a huge ``count`` with a few bytes of data is refused here, before any
array is allocated. After they pass, reading an accessor can never run past
its data (see :mod:`.accessors`).
"""

from __future__ import annotations

from metaexpo.models.limits import Limits
from metaexpo.models.problems import Code, Findings
from metaexpo.models.schema import COMPONENT_SIZE, TYPE_COMPONENTS, Accessor, Gltf

_FIX = "The file is damaged or was written by a faulty exporter: export it again."
_NORMALIZABLE = {5120, 5121, 5122, 5123}


def element_size(accessor: Accessor) -> int:
    """Bytes of one element, with the column padding matrices of small components need."""
    size = COMPONENT_SIZE[accessor.component_type]
    if accessor.type in ("MAT2", "MAT3") and size < 4:
        rows = 2 if accessor.type == "MAT2" else 3
        column = rows * size
        column += -column % 4
        return column * rows
    return TYPE_COMPONENTS[accessor.type] * size


def stride_of(g: Gltf, accessor: Accessor) -> int:
    """Distance between elements: the view's byteStride, else the element size."""
    if accessor.buffer_view is not None:
        stride = g.buffer_views[accessor.buffer_view].byte_stride
        if stride is not None:
            return stride
    return element_size(accessor)


def check_views(g: Gltf, views: list[int], findings: Findings) -> None:
    """Record ``buffer_view_out_of_bounds`` / ``invalid_byte_stride`` for the given views."""
    for i in views:
        view = g.buffer_views[i]
        where = f"/bufferViews/{i}"
        buffer = g.buffers[view.buffer]
        end = view.byte_offset + view.byte_length
        if end > buffer.byte_length:
            findings.error(
                Code.BUFFER_VIEW_OUT_OF_BOUNDS,
                f"This buffer view covers bytes {view.byte_offset:,}–{end:,} of buffer "
                f"{view.buffer}, which has only {buffer.byte_length:,}. {_FIX}",
                where,
            )
        if view.byte_stride is not None and view.byte_stride > view.byte_length:
            findings.error(
                Code.INVALID_BYTE_STRIDE,
                f"This buffer view's byteStride ({view.byte_stride}) is larger than the view. "
                f"{_FIX}",
                f"{where}/byteStride",
            )


def check_accessors(g: Gltf, accessors: list[int], limits: Limits, findings: Findings) -> None:
    """Record range and alignment problems of the given accessors (and their sparse parts)."""
    for i in accessors:
        accessor = g.accessors[i]
        where = f"/accessors/{i}"
        size = COMPONENT_SIZE[accessor.component_type]
        if accessor.normalized and accessor.component_type not in _NORMALIZABLE:
            findings.error(
                Code.INVALID_PROPERTY,
                f"Only 8- and 16-bit integer accessors can be normalized. {_FIX}",
                f"{where}/normalized",
            )
        if accessor.buffer_view is None:
            # No data: all zeros (plus sparse changes); it would be allocated from `count`.
            if accessor.count > limits.max_vertices:
                findings.error(
                    Code.ACCESSOR_TOO_LARGE,
                    f"This accessor declares {accessor.count:,} elements without data; at most "
                    f"{limits.max_vertices:,} are accepted. {_FIX}",
                    f"{where}/count",
                    f"{limits.max_vertices} elements",
                )
        else:
            _check_dense(g, i, accessor, size, findings)
        if accessor.sparse is not None:
            _check_sparse(g, i, accessor, findings)


def _check_dense(g: Gltf, i: int, accessor: Accessor, size: int, findings: Findings) -> None:
    assert accessor.buffer_view is not None
    where = f"/accessors/{i}"
    view = g.buffer_views[accessor.buffer_view]
    elem = element_size(accessor)
    stride = view.byte_stride if view.byte_stride is not None else elem
    if accessor.byte_offset % size or (view.byte_offset + accessor.byte_offset) % size:
        findings.error(
            Code.ACCESSOR_MISALIGNED,
            f"This accessor's data does not start on a multiple of {size} bytes. {_FIX}",
            f"{where}/byteOffset",
        )
    if stride < elem:
        findings.error(
            Code.INVALID_BYTE_STRIDE,
            f"Elements are {elem} bytes but the buffer view's byteStride is {stride}. {_FIX}",
            f"/bufferViews/{accessor.buffer_view}/byteStride",
        )
        return
    needed = accessor.byte_offset + stride * (accessor.count - 1) + elem
    if needed > view.byte_length:
        findings.error(
            Code.ACCESSOR_OUT_OF_BOUNDS,
            f"This accessor declares {accessor.count:,} elements, which need {needed:,} bytes, "
            f"but its buffer view has {view.byte_length:,}. {_FIX}",
            where,
        )


def _check_sparse(g: Gltf, i: int, accessor: Accessor, findings: Findings) -> None:
    sparse = accessor.sparse
    assert sparse is not None
    where = f"/accessors/{i}/sparse"
    if sparse.count > accessor.count:
        findings.error(
            Code.BAD_SPARSE_ACCESSOR,
            f"The sparse part replaces {sparse.count:,} elements of an accessor that has "
            f"{accessor.count:,}. {_FIX}",
            f"{where}/count",
        )
        return
    index_size = COMPONENT_SIZE[sparse.indices.component_type]
    value_size = COMPONENT_SIZE[accessor.component_type]
    parts = (
        ("indices", sparse.indices.buffer_view, sparse.indices.byte_offset, index_size, index_size),
        (
            "values",
            sparse.values.buffer_view,
            sparse.values.byte_offset,
            element_size(accessor),
            value_size,
        ),
    )
    for part, view_index, offset, elem, component in parts:
        view = g.buffer_views[view_index]
        needed = offset + sparse.count * elem
        if view.byte_stride is not None:
            findings.error(
                Code.INVALID_BYTE_STRIDE,
                f"The buffer view of sparse {part} must not have a byteStride. {_FIX}",
                f"/bufferViews/{view_index}/byteStride",
            )
        elif needed > view.byte_length:
            findings.error(
                Code.BAD_SPARSE_ACCESSOR,
                f"The sparse {part} need {needed:,} bytes but their buffer view has "
                f"{view.byte_length:,}. {_FIX}",
                f"{where}/{part}",
            )
        elif (view.byte_offset + offset) % component:
            findings.error(
                Code.ACCESSOR_MISALIGNED,
                f"The sparse {part} are not aligned to their component size. {_FIX}",
                f"{where}/{part}/byteOffset",
            )
