"""What can be wrong with an uploaded model: stable codes, one record per problem, a collector.

A :class:`Problem` is what an exhibitor reads and what the upload API
returns: ``code`` is stable and machine-readable (clients may translate it),
``message`` is a plain sentence saying what is wrong and what to do,
``where`` points at the spot (a JSON pointer such as ``/accessors/3/count``,
a zip member, or ``file``), and ``limit`` names the limit that was exceeded.

Checks report into a :class:`Findings` collector so that one run lists every
problem it can. When going on would be unsafe or meaningless (a GLB whose
header lies, JSON that does not parse), a check raises :class:`Stop` after
recording why; the pipeline catches it and returns what it has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Code(StrEnum):
    """Stable problem codes. Never rename one: clients and translations key on them."""

    # the upload as a file
    EMPTY_FILE = "empty_file"
    FILE_TOO_LARGE = "file_too_large"
    BAD_FILE_NAME = "bad_file_name"
    UNKNOWN_FORMAT = "unknown_format"
    TRUNCATED = "truncated"
    # GLB container
    BAD_GLB_HEADER = "bad_glb_header"
    BAD_GLB_CHUNK = "bad_glb_chunk"
    # JSON
    JSON_TOO_LARGE = "json_too_large"
    JSON_TOO_DEEP = "json_too_deep"
    INVALID_JSON = "invalid_json"
    TOO_MANY_OBJECTS = "too_many_objects"
    # zip container
    BAD_ZIP = "bad_zip"
    ZIP_BOMB = "zip_bomb"
    ZIP_TOO_MANY_ENTRIES = "zip_too_many_entries"
    ZIP_SYMLINK = "zip_symlink"
    ZIP_ENCRYPTED = "zip_encrypted"
    ZIP_DUPLICATE_NAME = "zip_duplicate_name"
    ZIP_NO_GLTF = "zip_no_gltf"
    ZIP_MULTIPLE_GLTF = "zip_multiple_gltf"
    PATH_TRAVERSAL = "path_traversal"
    # references to outside data
    EXTERNAL_URI = "external_uri"
    MISSING_FILE = "missing_file"
    BAD_DATA_URI = "bad_data_uri"
    DATA_URI_TOO_LARGE = "data_uri_too_large"
    # glTF structure
    INVALID_PROPERTY = "invalid_property"
    UNSUPPORTED_VERSION = "unsupported_version"
    BAD_REFERENCE = "bad_reference"
    BUFFER_TOO_SHORT = "buffer_too_short"
    BUFFER_VIEW_OUT_OF_BOUNDS = "buffer_view_out_of_bounds"
    ACCESSOR_OUT_OF_BOUNDS = "accessor_out_of_bounds"
    ACCESSOR_MISALIGNED = "accessor_misaligned"
    ACCESSOR_TOO_LARGE = "accessor_too_large"
    BAD_SPARSE_ACCESSOR = "bad_sparse_accessor"
    BAD_ATTRIBUTE = "bad_attribute"
    BAD_INDICES = "bad_indices"
    COUNT_MISMATCH = "count_mismatch"
    BUFFER_VIEW_USAGE_CONFLICT = "buffer_view_usage_conflict"
    INVALID_BYTE_STRIDE = "invalid_byte_stride"
    MISSING_BOUNDS = "missing_bounds"
    BAD_MORPH_TARGETS = "bad_morph_targets"
    BAD_SKIN = "bad_skin"
    BAD_NODE_TRANSFORM = "bad_node_transform"
    NODE_CYCLE = "node_cycle"
    NODE_MULTIPLE_PARENTS = "node_multiple_parents"
    HIERARCHY_TOO_DEEP = "hierarchy_too_deep"
    SCENE_NON_ROOT_NODE = "scene_non_root_node"
    NO_SCENE = "no_scene"
    NO_GEOMETRY = "no_geometry"
    MISSING_TEXCOORD = "missing_texcoord"
    TEXTURE_WITHOUT_IMAGE = "texture_without_image"
    # data
    INDEX_OUT_OF_RANGE = "index_out_of_range"
    NON_FINITE_POSITION = "non_finite_position"
    NON_FINITE_VALUE = "non_finite_value"
    JOINT_OUT_OF_RANGE = "joint_out_of_range"
    BAD_SKIN_WEIGHTS = "bad_skin_weights"
    # images
    IMAGE_NOT_PNG = "image_not_png"
    IMAGE_NOT_JPEG = "image_not_jpeg"
    UNSUPPORTED_IMAGE_FORMAT = "unsupported_image_format"
    BAD_IMAGE = "bad_image"
    IMAGE_TOO_LARGE = "image_too_large"
    # extensions
    UNSUPPORTED_EXTENSION = "unsupported_extension"
    # budgets
    TOO_MANY_TRIANGLES = "too_many_triangles"
    TOO_MANY_VERTICES = "too_many_vertices"
    TOO_MANY_MATERIALS = "too_many_materials"
    TOO_MANY_TEXTURES = "too_many_textures"
    TEXTURE_MEMORY_TOO_LARGE = "texture_memory_too_large"
    TOO_MANY_NODES = "too_many_nodes"
    TOO_MANY_MESHES = "too_many_meshes"
    TOO_MANY_DRAW_CALLS = "too_many_draw_calls"
    TOO_MANY_JOINTS = "too_many_joints"
    TOO_MANY_MORPH_TARGETS = "too_many_morph_targets"
    # the report itself
    TOO_MANY_PROBLEMS = "too_many_problems"
    # warnings: the model is accepted, but something was changed or left out
    EXTENSION_REMOVED = "extension_removed"
    ANIMATIONS_REMOVED = "animations_removed"
    CAMERAS_REMOVED = "cameras_removed"
    SCENES_REMOVED = "scenes_removed"
    UNUSED_DATA_REMOVED = "unused_data_removed"
    UNKNOWN_CHUNK_IGNORED = "unknown_chunk_ignored"
    BOUNDS_CORRECTED = "bounds_corrected"
    VECTORS_REPAIRED = "vectors_repaired"
    COLORS_CLAMPED = "colors_clamped"
    WEIGHTS_RENORMALISED = "weights_renormalised"
    ROTATION_RENORMALISED = "rotation_renormalised"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with (or, as a warning, changed in) an uploaded model."""

    code: Code
    message: str
    where: str
    limit: str | None = None

    def to_json(self) -> dict[str, str | None]:
        """The shape the command line and the upload API emit."""
        return {
            "code": str(self.code),
            "message": self.message,
            "where": self.where,
            "limit": self.limit,
        }

    def __str__(self) -> str:
        limit = f" (limit: {self.limit})" if self.limit else ""
        return f"[{self.code}] {self.where}: {self.message}{limit}"


class Stop(Exception):
    """Raised by a check after recording a problem that makes further checks unsafe."""


@dataclass(slots=True)
class Findings:
    """Collects problems (refusals) and warnings (changes) with a cap on how many are kept.

    A hostile file can hold a hundred thousand broken references; keeping
    ``max_problems`` of them (and saying that more were left out) keeps the
    report, and the memory it needs, bounded.
    """

    max_problems: int = 100
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    omitted: int = 0

    def error(self, code: Code, message: str, where: str, limit: str | None = None) -> None:
        """Record a reason to refuse the model."""
        if len(self.problems) >= self.max_problems:
            self.omitted += 1
            return
        self.problems.append(Problem(code, message, where, limit))

    def warn(self, code: Code, message: str, where: str) -> None:
        """Record a change made to an accepted model (at most once per code and place)."""
        if len(self.warnings) >= self.max_problems:
            return
        problem = Problem(code, message, where)
        if problem not in self.warnings:
            self.warnings.append(problem)

    def stop(self, code: Code, message: str, where: str, limit: str | None = None) -> Stop:
        """Record a problem after which checking cannot go on; ``raise`` the result."""
        self.error(code, message, where, limit)
        return Stop(message)

    @property
    def failed(self) -> bool:
        """Whether any refusal has been recorded."""
        return bool(self.problems) or self.omitted > 0

    def final_problems(self) -> list[Problem]:
        """The problems, plus one saying how many more were left out, if any."""
        if not self.omitted:
            return list(self.problems)
        note = Problem(
            Code.TOO_MANY_PROBLEMS,
            f"{self.omitted} more problems were found and are not listed; "
            "fix the ones above and check the file again.",
            "file",
            f"{self.max_problems} problems listed",
        )
        return [*self.problems, note]
