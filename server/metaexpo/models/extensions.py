"""Which glTF extensions a model may use: kept, removed, or a reason to refuse it.

* Kept (content checked by :mod:`.schema`, rendered by three.js):
  ``KHR_mesh_quantization`` (quantized attributes are read and checked like
  any other), ``KHR_texture_transform`` and the material extensions in
  :data:`KEPT` (emissive strength, unlit, clearcoat, transmission, volume,
  ior, specular, sheen).
* Refused whenever used: ``KHR_draco_mesh_compression`` and
  ``EXT_meshopt_compression``. Their geometry cannot be decoded here (no
  Draco or meshopt decoder is available to the server), so it could be
  neither checked nor fitted into the booth, and the client would have to
  run a decoder on unchecked data.
* Any other extension: refused when ``extensionsRequired`` lists it (the
  model would not display correctly without it), else removed with a
  warning. Removing an optional extension is always safe: glTF requires
  such models to look right without it. Texture-format extensions
  (``KHR_texture_basisu``, ``EXT_texture_webp``, ``EXT_texture_avif``) fall
  back to the texture's PNG/JPEG ``source`` when it has one.
"""

from __future__ import annotations

from metaexpo.models.problems import Code, Findings
from metaexpo.models.schema import Gltf, MaterialExtensions

KEPT = frozenset(
    {
        "KHR_mesh_quantization",
        "KHR_texture_transform",
        *(info.alias for info in MaterialExtensions.model_fields.values() if info.alias),
    }
)
_DECODERS = {
    "KHR_draco_mesh_compression": "Draco mesh compression",
    "EXT_meshopt_compression": "meshopt compression",
}
_IMAGE_FORMATS = {
    "KHR_texture_basisu": "KTX2 / Basis Universal",
    "EXT_texture_webp": "WebP",
    "EXT_texture_avif": "AVIF",
}


def check_extensions(g: Gltf, findings: Findings) -> None:
    """Record refusals for extensions that cannot be honoured, warnings for removed ones."""
    used = list(dict.fromkeys(g.extensions_used or []))
    required = list(dict.fromkeys(g.extensions_required or []))
    for name in dict.fromkeys(used + required):
        where = (
            f"/extensionsRequired/{required.index(name)}"
            if name in required
            else f"/extensionsUsed/{used.index(name)}"
        )
        shown = name[:80]
        if name in _DECODERS:
            findings.error(
                Code.UNSUPPORTED_EXTENSION,
                f"The model uses {_DECODERS[name]} ({shown}), which the expo cannot check or "
                "fit into a booth. Export it again without mesh compression.",
                where,
            )
        elif name in KEPT:
            continue
        elif name in required:
            if name in _IMAGE_FORMATS:
                message = (
                    f"The model requires {_IMAGE_FORMATS[name]} textures ({shown}). "
                    "Export textures as PNG or JPEG."
                )
            else:
                message = (
                    f"The model requires the extension {shown}, which the expo cannot display. "
                    "Export it again without that feature."
                )
            findings.error(Code.UNSUPPORTED_EXTENSION, message, where)
        else:
            findings.warn(
                Code.EXTENSION_REMOVED,
                f"The optional extension {shown} is not supported and was removed; the model "
                "looks as it would in a viewer without it.",
                where,
            )
