"""Budgets and caps for exhibitor models, and the booth slot a model is fitted into.

Every number the pipeline enforces lives here with its reason, so the upload
API, the command line and the docs (``docs/models.md``) agree. Both classes
are frozen pydantic models: build a variant with ``Limits(max_triangles=…)``
or ``limits.model_copy(update=…)``; invalid values raise ``ValidationError``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

MIB = 1024 * 1024


class Limits(BaseModel):
    """Caps that keep hostile input cheap to refuse, and budgets that keep the hall fast."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # --- caps on the input: checked before the bytes they guard are read or parsed ---
    max_file_bytes: int = Field(50 * MIB, gt=0, description="Size of the uploaded file.")
    max_json_bytes: int = Field(
        8 * MIB,
        gt=0,
        description="GLB JSON chunk; for .gltf text, the JSON outside string contents.",
    )
    max_json_depth: int = Field(
        64, gt=0, description="Nesting of JSON arrays/objects (real glTF needs about 10)."
    )
    max_objects: int = Field(
        10_000, gt=0, description="Entries in any top-level glTF array (accessors, nodes, …)."
    )
    max_zip_entries: int = Field(1_000, gt=0, description="Entries in an uploaded zip.")
    max_zip_total_bytes: int = Field(
        200 * MIB, gt=0, description="Sum of the declared uncompressed sizes in a zip."
    )
    max_zip_ratio: float = Field(
        100.0, gt=1, description="Uncompressed/compressed size, per large entry and overall."
    )
    max_data_uri_bytes: int = Field(32 * MIB, gt=0, description="Decoded size of one data: URI.")
    max_name_bytes: int = Field(255, gt=0, description="UTF-8 bytes in one file or path part.")

    # --- budgets on the content: what one booth may cost every visitor ---
    max_triangles: int = Field(150_000, ge=0, description="Triangles drawn (per node instance).")
    max_vertices: int = Field(
        500_000, ge=0, description="Vertices in distinct POSITION accessors (memory bound)."
    )
    max_draw_calls: int = Field(64, ge=0, description="Primitives drawn (per node instance).")
    max_meshes: int = Field(256, ge=0, description="Meshes in the scene.")
    max_materials: int = Field(32, ge=0, description="Materials used by the scene.")
    max_textures: int = Field(16, ge=0, description="Distinct images used as textures.")
    max_texture_size: int = Field(4096, gt=0, description="Pixels per side of one texture.")
    max_texture_memory: int = Field(
        128 * MIB,
        ge=0,
        description="GPU memory of all textures: width × height × 4 bytes × 4/3 for mipmaps.",
    )
    max_nodes: int = Field(2_000, ge=0, description="Nodes in the file.")
    max_hierarchy_depth: int = Field(32, gt=0, description="Levels of nested nodes.")
    max_joints: int = Field(256, ge=0, description="Joints in one skin.")
    max_morph_targets: int = Field(32, ge=0, description="Morph targets per mesh.")

    max_problems: int = Field(100, gt=0, description="Problems listed in one report.")


class Slot(BaseModel):
    """The space a booth gives a model: a footprint (x by z) and a height (y), in metres.

    The default is the ``kiosk`` booth template (4 × 4 × 4 m, see
    ``scenes/README.md``). With ``grow`` false a model smaller than the slot
    keeps its size (it is only grounded and centred).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    width: float = Field(4.0, gt=0, le=1000, description="Extent along x, metres.")
    depth: float = Field(4.0, gt=0, le=1000, description="Extent along z, metres.")
    height: float = Field(4.0, gt=0, le=1000, description="Extent along y, metres.")
    grow: bool = Field(True, description="Scale small models up to fill the slot.")


DEFAULT_LIMITS = Limits()
DEFAULT_SLOT = Slot()
