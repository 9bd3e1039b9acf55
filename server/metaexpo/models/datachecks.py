"""Check the numbers themselves: indices in range, finite values, unit normals, sane skin weights.

Runs only after every structural check passed, on what the scene uses.
Problems a viewer would choke on are refused (an index past the vertices,
NaN or infinite coordinates, joints past the skin); small numeric slips
that exporters often make are repaired in the output and reported as
warnings (normals or tangents not quite unit length, colours outside 0–1,
float weights that do not sum to 1), with the glTF-Validator's tolerances.
POSITION bounds are computed from the data; the declared ones are replaced.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from metaexpo.models.accessors import AccessorReader
from metaexpo.models.problems import Code, Findings
from metaexpo.models.reach import Reach
from metaexpo.models.schema import FLOAT, Gltf

#: The glTF-Validator's tolerances: unit length of 3- and 4-vectors, weight-sum step.
_UNIT_VEC3 = 0.00674
_WEIGHT_STEP = 0.0039216
_RESTART = {np.dtype("<u1"): 0xFF, np.dtype("<u2"): 0xFFFF, np.dtype("<u4"): 0xFFFFFFFF}
_FIX = "Export the model again from your 3D tool."


@dataclass(slots=True)
class DataFacts:
    """Replacement data for repaired accessors and the true bounds of POSITION accessors."""

    replaced: dict[int, npt.NDArray[np.generic]] = field(default_factory=dict)
    bounds: dict[int, tuple[list[float], list[float]]] = field(default_factory=dict)


def check_data(g: Gltf, reach: Reach, reader: AccessorReader, findings: Findings) -> DataFacts:
    """Check every accessor the scene draws; return repairs and bounds."""
    facts = DataFacts()
    done: set[int] = set()
    joint_limits = _joint_limits(g, reach)
    for m in reach.meshes:
        for p, prim in enumerate(g.meshes[m].primitives):
            where = f"/meshes/{m}/primitives/{p}"
            vertices = g.accessors[prim.attributes["POSITION"]].count
            for name, a in prim.attributes.items():
                if a not in done:
                    done.add(a)
                    _check_attribute(g, name, a, reader, facts, findings)
            for target in prim.targets or []:
                for name, a in target.items():
                    if a not in done:
                        done.add(a)
                        finite = _check_finite(g, a, reader, findings, Code.NON_FINITE_VALUE)
                        if finite is not None and name == "POSITION":
                            # glTF requires bounds on morph target positions too.
                            _record_bounds(g, a, reader, facts, findings)
            if prim.indices is not None:
                _check_indices(prim.indices, vertices, reader, f"{where}/indices", findings)
            if m in joint_limits:
                _check_influences(
                    g, prim.attributes, joint_limits[m], reader, facts, where, findings
                )
    for s in reach.skins:
        ibm = g.skins[s].inverse_bind_matrices
        if ibm is not None:
            _check_ibm(ibm, reader, f"/skins/{s}/inverseBindMatrices", findings)
    return facts


def _joint_limits(g: Gltf, reach: Reach) -> dict[int, int]:
    # A mesh may be skinned by several nodes; its joint indices must fit the smallest skin.
    limits: dict[int, int] = {}
    for i in reach.nodes:
        node = g.nodes[i]
        if node.mesh is not None and node.skin is not None:
            joints = len(g.skins[node.skin].joints)
            limits[node.mesh] = min(limits.get(node.mesh, joints), joints)
    return limits


def _check_finite(
    g: Gltf, a: int, reader: AccessorReader, findings: Findings, code: Code
) -> npt.NDArray[np.float64] | None:
    values = reader.floats(a)
    if values is None:
        return None
    if g.accessors[a].component_type == FLOAT and not np.isfinite(values).all():
        bad = int(np.argwhere(~np.isfinite(values))[0][0])
        what = "vertex positions" if code is Code.NON_FINITE_POSITION else "values"
        findings.error(
            code,
            f"The {what} contain NaN or infinity (element {bad} is the first). {_FIX}",
            f"/accessors/{a}",
        )
        return None
    return values


def _check_attribute(
    g: Gltf, name: str, a: int, reader: AccessorReader, facts: DataFacts, findings: Findings
) -> None:
    code = Code.NON_FINITE_POSITION if name == "POSITION" else Code.NON_FINITE_VALUE
    values = _check_finite(g, a, reader, findings, code)
    if values is None:
        return
    accessor = g.accessors[a]
    where = f"/accessors/{a}"
    if name == "POSITION":
        _record_bounds(g, a, reader, facts, findings)
        return
    if accessor.component_type != FLOAT:
        return
    if name in ("NORMAL", "TANGENT"):
        xyz = values[:, :3]
        length = np.linalg.norm(xyz, axis=1)
        bad = np.abs(length - 1.0) > _UNIT_VEC3
        sign_bad = np.zeros(len(values), dtype=bool)
        if name == "TANGENT":
            sign_bad = (values[:, 3] != 1.0) & (values[:, 3] != -1.0)
        if bad.any() or sign_bad.any():
            fixed = values.copy()
            safe = np.where(length > 1e-12, length, 1.0)
            fixed[:, :3] = xyz / safe[:, None]
            fixed[length <= 1e-12, :3] = (0.0, 0.0, 1.0) if name == "NORMAL" else (1.0, 0.0, 0.0)
            if name == "TANGENT":
                fixed[:, 3] = np.where(values[:, 3] < 0, -1.0, 1.0)
            facts.replaced[a] = fixed.astype("<f4")
            findings.warn(
                Code.VECTORS_REPAIRED,
                f"{int(bad.sum() + sign_bad.sum()):,} {name.lower()} vectors were not of unit "
                "length (or had a bad sign) and were corrected.",
                where,
            )
    elif name.startswith("COLOR_") and ((values < 0.0).any() or (values > 1.0).any()):
        facts.replaced[a] = np.clip(values, 0.0, 1.0).astype("<f4")
        findings.warn(Code.COLORS_CLAMPED, "Vertex colours outside 0–1 were clamped.", where)


def _record_bounds(
    g: Gltf, a: int, reader: AccessorReader, facts: DataFacts, findings: Findings
) -> None:
    accessor = g.accessors[a]
    raw = reader.raw(a)
    assert raw is not None
    low = [_number(v, accessor.component_type) for v in raw.min(axis=0)]
    high = [_number(v, accessor.component_type) for v in raw.max(axis=0)]
    facts.bounds[a] = (low, high)
    if (
        accessor.min is not None
        and accessor.max is not None
        and not (_close(accessor.min, low) and _close(accessor.max, high))
    ):
        findings.warn(
            Code.BOUNDS_CORRECTED,
            "The declared bounds of the vertex positions were wrong and were recomputed.",
            f"/accessors/{a}",
        )


def _close(declared: list[float], actual: list[float]) -> bool:
    return len(declared) == len(actual) and bool(np.allclose(declared, actual, rtol=1e-6, atol=0))


def _number(value: np.generic, component_type: int) -> float:
    # Bounds are written in the component type: exact float32 values, or integers.
    return float(value) if component_type == FLOAT else int(value.item())


def _check_indices(
    a: int, vertices: int, reader: AccessorReader, where: str, findings: Findings
) -> None:
    raw = reader.raw(a)
    if raw is None or raw.size == 0:
        return
    restart = _RESTART[raw.dtype]
    highest = int(raw.max())
    if highest == restart:
        findings.error(
            Code.INDEX_OUT_OF_RANGE,
            f"The indices use the reserved value {restart} (primitive restart). {_FIX}",
            where,
        )
    elif highest >= vertices:
        findings.error(
            Code.INDEX_OUT_OF_RANGE,
            f"An index refers to vertex {highest:,}, but the primitive has {vertices:,} "
            f"vertices. {_FIX}",
            where,
        )


def _check_influences(
    g: Gltf,
    attributes: dict[str, int],
    joint_count: int,
    reader: AccessorReader,
    facts: DataFacts,
    where: str,
    findings: Findings,
) -> None:
    sets = sum(1 for name in attributes if name.startswith("JOINTS_"))
    joints_list = []
    weights_list = []
    for n in range(sets):
        joints = reader.raw(attributes[f"JOINTS_{n}"])
        weights = reader.floats(attributes[f"WEIGHTS_{n}"])
        if joints is None or weights is None:
            return
        joints_list.append(joints.astype(np.int64))
        weights_list.append(weights)
    if not joints_list:
        return
    joints = np.concatenate(joints_list, axis=1)
    weights = np.concatenate(weights_list, axis=1)
    if int(joints.max()) >= joint_count:
        findings.error(
            Code.JOINT_OUT_OF_RANGE,
            f"A vertex is bound to joint {int(joints.max())}, but the skin has {joint_count} "
            f"joints. {_FIX}",
            f"{where}/attributes/JOINTS_0",
        )
        return
    if (weights < 0).any():
        findings.error(
            Code.BAD_SKIN_WEIGHTS, f"Some skin weights are negative. {_FIX}", f"{where}/attributes"
        )
        return
    used = np.where(weights > 0, joints, -1 - np.arange(joints.shape[1]))
    ordered = np.sort(used, axis=1)
    if (np.diff(ordered, axis=1) == 0).any():
        findings.error(
            Code.BAD_SKIN_WEIGHTS,
            f"A vertex lists the same joint twice with non-zero weights. {_FIX}",
            f"{where}/attributes",
        )
        return
    # The validator sums in float32, component by component across the sets.
    total = np.zeros(len(weights), dtype=np.float32)
    for c in range(4):
        for n in range(sets):
            total = (total + weights[:, n * 4 + c].astype(np.float32)).astype(np.float32)
    nonzero = (weights > 0).sum(axis=1)
    threshold = _WEIGHT_STEP * np.maximum(((nonzero + 1) >> 1) - 1, 0)
    off = np.abs(total.astype(np.float64) - 1.0) > threshold
    if not off.any():
        return
    float_sets = all(
        g.accessors[attributes[f"WEIGHTS_{n}"]].component_type == FLOAT for n in range(sets)
    )
    if not float_sets or (total[off] <= 0).any():
        findings.error(
            Code.BAD_SKIN_WEIGHTS,
            f"{int(off.sum()):,} vertices have skin weights that do not add up to 1. "
            "Normalise the weights in your 3D tool and export again.",
            f"{where}/attributes",
        )
        return
    normalised = weights / total.astype(np.float64)[:, None]
    for n in range(sets):
        a = attributes[f"WEIGHTS_{n}"]
        fixed = normalised[:, n * 4 : n * 4 + 4].astype("<f4")
        # float32 rounding can leave the sum one ulp off; put the remainder on the largest weight
        fixed = _exact_unit_sum(fixed) if sets == 1 else fixed
        facts.replaced[a] = fixed
    findings.warn(
        Code.WEIGHTS_RENORMALISED,
        f"{int(off.sum()):,} vertices had skin weights not adding up to 1; they were rescaled.",
        f"{where}/attributes",
    )


def _exact_unit_sum(weights: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    total = np.zeros(len(weights), dtype=np.float32)
    for c in range(4):
        total = (total + weights[:, c]).astype(np.float32)
    largest = np.argmax(weights, axis=1)
    rows = np.arange(len(weights))
    weights[rows, largest] = (weights[rows, largest] + (np.float32(1.0) - total)).astype(np.float32)
    return weights


def _check_ibm(a: int, reader: AccessorReader, where: str, findings: Findings) -> None:
    values = reader.floats(a)
    if values is None:
        return
    if not np.isfinite(values).all():
        findings.error(
            Code.BAD_SKIN, f"The inverse bind matrices contain NaN or infinity. {_FIX}", where
        )
        return
    # Column-major: elements 3, 7, 11 (bottom row) must be 0 and 15 must be 1.
    bottom = values[:, [3, 7, 11, 15]]
    if not np.allclose(bottom, (0.0, 0.0, 0.0, 1.0), atol=1e-6):
        findings.error(
            Code.BAD_SKIN,
            f"An inverse bind matrix is not an affine transform (its last row is not 0 0 0 1). "
            f"{_FIX}",
            where,
        )
