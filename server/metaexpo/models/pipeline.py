"""The exhibitor model pipeline: check an upload, and fit an accepted one into a booth slot.

    check_model(path, limits)              -> CheckResult
    normalise_model(path, slot, limits)    -> NormaliseResult (check + fitted GLB)
    ingest_model(path, root, slot, limits) -> IngestResult (the fitted GLB through the
                                              Khronos glTF-Validator, then both stored by hash)

Each call is self-contained: no global state, no temporary files, no
network; memory and time are bounded by the limits. They are safe to run
in worker threads or processes (results are picklable). Steps, cheapest
and most dangerous first (see ``docs/models.md``):

    container → JSON → schema → extensions → references → node graph
    → URIs → budgets → byte layout → meshes, nodes, skins → [load buffers]
    → textures → [read accessors] → data checks → bounds

Checks collect every problem they can; a step that finds problems stops
the run before the next step would read data the problems make unsafe.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from metaexpo.khronos import GltfValidator
from metaexpo.models.accessors import AccessorReader
from metaexpo.models.analysis import Analysis
from metaexpo.models.bounds import scene_bounds, world_matrices
from metaexpo.models.budgets import check_budgets, count_scene
from metaexpo.models.container import Source, check_file_name, open_source
from metaexpo.models.datachecks import check_data
from metaexpo.models.document import load_document
from metaexpo.models.extensions import check_extensions
from metaexpo.models.graph import SceneGraph, check_graph
from metaexpo.models.layout import check_accessors, check_views
from metaexpo.models.limits import DEFAULT_LIMITS, DEFAULT_SLOT, Limits, Slot
from metaexpo.models.meshes import MeshFacts, check_meshes
from metaexpo.models.nodes import check_nodes
from metaexpo.models.normalise import build_glb, fit_box
from metaexpo.models.problems import Code, Findings, Stop
from metaexpo.models.reach import Reach, compute_reach
from metaexpo.models.references import check_references
from metaexpo.models.resources import Resources, check_uris, load_buffers
from metaexpo.models.results import CheckResult, IngestResult, ModelStats, NormaliseResult
from metaexpo.models.schema import Gltf
from metaexpo.models.store import store_blob
from metaexpo.models.textures import check_textures

_MIN_EXTENT = 1e-9


@dataclass(slots=True)
class _Run:
    findings: Findings
    stats: ModelStats = field(default_factory=ModelStats)
    analysis: Analysis | None = None

    def result(self) -> CheckResult:
        problems = self.findings.final_problems()
        return CheckResult(
            accepted=not problems,
            problems=problems,
            warnings=[] if problems else list(self.findings.warnings),
            stats=self.stats,
        )


def check_model(
    path: Path, limits: Limits = DEFAULT_LIMITS, *, filename: str | None = None
) -> CheckResult:
    """Check the upload at ``path``; ``filename`` is the name the uploader gave (default: its own).

    Never raises for anything in the file; ``OSError`` if ``path`` cannot
    be read at all.
    """
    return _analyse(path, limits, filename).result()


def normalise_model(
    path: Path,
    slot: Slot = DEFAULT_SLOT,
    limits: Limits = DEFAULT_LIMITS,
    *,
    filename: str | None = None,
) -> NormaliseResult:
    """Check the upload and, if accepted, fit it into ``slot`` as a new, self-contained GLB.

    The model is scaled uniformly to fit the slot's footprint and height,
    stood on the floor (lowest point at y = 0) and centred on x and z. The
    GLB holds only what the default scene draws, with materials and
    textures byte-for-byte as uploaded; see ``docs/models.md`` for what is
    removed. Never raises for anything in the file.
    """
    run = _analyse(path, limits, filename)
    check = run.result()
    if not check.accepted or run.analysis is None:
        return NormaliseResult(check, None, None)
    fit = fit_box(run.analysis.bounds, slot)
    glb = build_glb(run.analysis, fit)
    return NormaliseResult(check, glb, fit)


def ingest_model(
    path: Path,
    store_root: Path,
    slot: Slot = DEFAULT_SLOT,
    limits: Limits = DEFAULT_LIMITS,
    *,
    filename: str | None = None,
    validator: GltfValidator | None = None,
) -> IngestResult:
    """Check and fit the upload, run the Khronos glTF-Validator on the fitted GLB, and, if
    both accept it, store the original and the fitted GLB by hash.

    Any validator error refuses the upload (nothing is stored); its
    warnings are kept in the result. The original is kept byte for byte
    (for moderation and re-fitting into another slot); the fitted GLB is
    what the hall serves. Raises
    :class:`~metaexpo.khronos.ValidatorError` when the validator
    cannot give a verdict (nothing is stored then either), and
    :class:`~metaexpo.models.store.StoreError` or ``OSError`` for storage
    failures.
    """
    result = normalise_model(path, slot, limits, filename=filename)
    if result.glb is None:
        return IngestResult(result, None, None)
    gate = validator if validator is not None else GltfValidator()
    khronos = gate.validate_glb(result.glb, filename if filename is not None else path.name)
    if not khronos.valid:
        return IngestResult(result, None, None, khronos)
    # The original is kept as sent, metadata and all: readable by the service's user only.
    original = store_blob(store_root, path, private=True)
    normalised = store_blob(store_root, result.glb)
    return IngestResult(result, original, normalised, khronos)


def _analyse(path: Path, limits: Limits, filename: str | None) -> _Run:
    run = _Run(Findings(max_problems=limits.max_problems))
    check_file_name(filename if filename is not None else path.name, limits, run.findings)
    try:
        with open_source(path, limits, run.findings) as source:
            run.stats = replace(run.stats, bytes=source.size, format=str(source.kind))
            g = load_document(source.json_bytes, source.json_where, limits, run.findings)
            run.stats = replace(run.stats, nodes=len(g.nodes), animations=len(g.animations))
            graph, reach = _check_structure(g, limits, run.findings)
            resources, checked = _check_layout(g, graph, reach, source, limits, run)
            run.analysis = _check_content(g, graph, reach, resources, checked, limits, run)
    except Stop:
        pass
    return run


def _stop_if_failed(findings: Findings, stage: str) -> None:
    if findings.failed:
        raise Stop(stage)


def _check_structure(g: Gltf, limits: Limits, findings: Findings) -> tuple[SceneGraph, Reach]:
    """Extensions, references and the node graph; what the default scene uses."""
    check_extensions(g, findings)
    check_references(g, findings)
    _stop_if_failed(findings, "references")  # everything below follows indices
    graph = check_graph(g, limits, findings)
    if graph is None:
        raise Stop("graph")
    return graph, compute_reach(g, graph)


@dataclass(frozen=True, slots=True)
class _Layout:
    meshes: MeshFacts
    rotations: dict[int, list[float]]
    triangles: int


def _check_layout(
    g: Gltf, graph: SceneGraph, reach: Reach, source: Source, limits: Limits, run: _Run
) -> tuple[Resources, _Layout]:
    """URIs, budgets from declared counts, byte ranges, meshes, nodes and skins: no data read."""
    findings = run.findings
    resources = check_uris(g, source, limits, findings)
    counts = count_scene(g, reach)
    run.stats = replace(
        run.stats,
        triangles=counts.triangles,
        vertices=counts.vertices,
        draw_calls=counts.draw_calls,
        meshes=counts.meshes,
        materials=counts.materials,
        textures=len(reach.images),
        skins=len(reach.skins),
        morph_targets=max(
            (len(p.targets or []) for m in reach.meshes for p in g.meshes[m].primitives),
            default=0,
        ),
    )
    check_budgets(counts, limits, findings)
    check_views(g, list(reach.buffer_views), findings)
    check_accessors(g, list(reach.accessors), limits, findings)
    _stop_if_failed(findings, "layout")  # the mesh checks below rely on sane byte ranges
    mesh_facts = check_meshes(g, reach, limits, findings)
    rotations = check_nodes(g, graph, reach, limits, findings)
    _stop_if_failed(findings, "meshes")  # nothing is loaded for a model already refused
    return resources, _Layout(mesh_facts, rotations, counts.triangles)


def _check_content(
    g: Gltf,
    graph: SceneGraph,
    reach: Reach,
    resources: Resources,
    layout: _Layout,
    limits: Limits,
    run: _Run,
) -> Analysis:
    """Load buffers and images, check the numbers, compute the bounds."""
    findings = run.findings
    buffers = load_buffers(g, resources, list(reach.buffers), findings)
    images = check_textures(g, reach, resources, limits, findings)
    run.stats = replace(run.stats, texture_bytes=sum(image.gpu_bytes for image in images.values()))
    _stop_if_failed(findings, "resources")
    reader = AccessorReader(g, buffers, findings)
    data = check_data(g, reach, reader, findings)
    _stop_if_failed(findings, "data")
    world = world_matrices(g, graph.order, graph.parent, layout.rotations)
    bounds = scene_bounds(g, graph.order, world, reader)
    if bounds is None or max(bounds.size) < _MIN_EXTENT or layout.triangles == 0:
        raise findings.stop(
            Code.NO_GEOMETRY,
            "The model has no visible triangles (or all of them sit at one point). "
            "Check that the scene you export contains the mesh.",
            "/",
        )
    run.stats = replace(run.stats, bounds=bounds)
    _note_removals(g, reach, findings)
    return Analysis(
        g,
        graph,
        reach,
        buffers,
        images,
        reader,
        layout.meshes,
        data,
        layout.rotations,
        world,
        bounds,
    )


def _note_removals(g: Gltf, reach: Reach, findings: Findings) -> None:
    if g.animations:
        findings.warn(
            Code.ANIMATIONS_REMOVED,
            f"{len(g.animations)} animation(s) were removed: booth models are shown still, in "
            "their rest pose, so they always stay inside the booth.",
            "/animations",
        )
    if any(g.nodes[i].camera is not None for i in reach.nodes) or g.cameras:
        findings.warn(
            Code.CAMERAS_REMOVED, "Cameras were removed; visitors use their own.", "/cameras"
        )
    if len(g.scenes) > 1:
        findings.warn(
            Code.SCENES_REMOVED,
            f"Only scene {reach_scene(g)} is kept; the file's other scenes were removed.",
            "/scenes",
        )
    unused = (
        len(g.nodes) - len(reach.nodes),
        len(g.meshes) - len(reach.meshes),
        len(g.materials) - len(reach.materials),
        len(g.images) - len(reach.images),
    )
    if any(unused):
        findings.warn(
            Code.UNUSED_DATA_REMOVED,
            f"Parts not used by the scene were removed ({unused[0]} nodes, {unused[1]} meshes, "
            f"{unused[2]} materials, {unused[3]} images).",
            "/",
        )


def reach_scene(g: Gltf) -> int:
    """The index of the scene that is kept (for messages)."""
    scene = g.default_scene()
    return 0 if scene is None else scene
