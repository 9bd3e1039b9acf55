"""Texture images the scene uses: present, really PNG or JPEG, and within the pixel budgets."""

from __future__ import annotations

from dataclasses import dataclass

from metaexpo.models.images import ACCEPTED, BadImage, ImageFormat, ImageHeader, read_header, sniff
from metaexpo.models.limits import Limits
from metaexpo.models.problems import Code, Findings
from metaexpo.models.reach import Reach
from metaexpo.models.resources import Resources, fetch
from metaexpo.models.schema import Gltf
from metaexpo.models.uris import DataUri

_EXPORT = "Export textures as PNG or JPEG."


@dataclass(frozen=True, slots=True)
class LoadedImage:
    """An image's bytes and what its header says."""

    data: bytes | memoryview
    header: ImageHeader

    @property
    def gpu_bytes(self) -> int:
        """GPU memory once uploaded: RGBA8 plus a third for the mipmap chain."""
        return self.header.width * self.header.height * 4 * 4 // 3


def check_textures(
    g: Gltf, reach: Reach, resources: Resources, limits: Limits, findings: Findings
) -> dict[int, LoadedImage]:
    """Load and check every image the scene uses; return them by image index."""
    for t in reach.textures:
        if g.textures[t].source is None:
            findings.error(
                Code.TEXTURE_WITHOUT_IMAGE,
                "This texture has no PNG or JPEG image (only an image in an extension format, "
                f"or none at all). {_EXPORT}",
                f"/textures/{t}",
            )
    loaded: dict[int, LoadedImage] = {}
    for i in reach.images:
        image = _check_image(g, i, resources, limits, findings)
        if image is not None:
            loaded[i] = image
    if len(reach.images) > limits.max_textures:
        findings.error(
            Code.TOO_MANY_TEXTURES,
            f"The model uses {len(reach.images)} texture images; at most {limits.max_textures} "
            "are accepted. Combine textures into an atlas.",
            "/images",
            f"{limits.max_textures} textures",
        )
    memory = sum(image.gpu_bytes for image in loaded.values())
    if memory > limits.max_texture_memory:
        findings.error(
            Code.TEXTURE_MEMORY_TOO_LARGE,
            f"The textures need {memory / 2**20:,.0f} MB of graphics memory; at most "
            f"{limits.max_texture_memory / 2**20:,.0f} MB are accepted. Use fewer or smaller "
            "textures (2048 × 2048 is plenty for a booth).",
            "/images",
            f"{limits.max_texture_memory} bytes",
        )
    return loaded


def _check_image(
    g: Gltf, i: int, resources: Resources, limits: Limits, findings: Findings
) -> LoadedImage | None:
    image = g.images[i]
    where = f"/images/{i}"
    declared = image.mime_type
    data: bytes | memoryview | None
    if image.uri is not None:
        kind = resources.uris.get(f"{where}/uri")
        if isinstance(kind, DataUri):
            declared = kind.mime_type
        data = fetch(resources, f"{where}/uri", findings)
    elif image.buffer_view is not None:
        view = g.buffer_views[image.buffer_view]
        buffer = resources.buffers.get(view.buffer)
        data = (
            None
            if buffer is None
            else buffer[view.byte_offset : view.byte_offset + view.byte_length]
        )
    else:
        findings.error(
            Code.INVALID_PROPERTY,
            f"This image has neither a uri nor a bufferView. {_EXPORT}",
            where,
        )
        return None
    if data is None:
        return None
    actual = sniff(data)
    if declared == ImageFormat.PNG and actual is not ImageFormat.PNG:
        findings.error(
            Code.IMAGE_NOT_PNG,
            f"This image is declared as PNG but its data is {_name(actual)}. {_EXPORT}",
            where,
        )
        return None
    if declared == ImageFormat.JPEG and actual is not ImageFormat.JPEG:
        findings.error(
            Code.IMAGE_NOT_JPEG,
            f"This image is declared as JPEG but its data is {_name(actual)}. {_EXPORT}",
            where,
        )
        return None
    if actual not in ACCEPTED or (declared is not None and declared not in ACCEPTED):
        shown = _name(actual) if actual is not ImageFormat.UNKNOWN else f"'{declared}'"
        findings.error(
            Code.UNSUPPORTED_IMAGE_FORMAT,
            f"This texture is {shown}; only PNG and JPEG textures are accepted. {_EXPORT}",
            where,
        )
        return None
    try:
        header = read_header(data)
    except BadImage as exc:
        findings.error(Code.BAD_IMAGE, f"This image is damaged: {exc}. {_EXPORT}", where)
        return None
    side = limits.max_texture_size
    if header.width > side or header.height > side:
        findings.error(
            Code.IMAGE_TOO_LARGE,
            f"This texture is {header.width:,} × {header.height:,} pixels; at most {side} × "
            f"{side} are accepted. Scale it down.",
            where,
            f"{side} px per side",
        )
        return None
    return LoadedImage(data, header)


def _name(fmt: ImageFormat) -> str:
    return {
        ImageFormat.PNG: "a PNG image",
        ImageFormat.JPEG: "a JPEG image",
        ImageFormat.KTX2: "a KTX2 (Basis Universal) image",
        ImageFormat.WEBP: "a WebP image",
        ImageFormat.GIF: "a GIF image",
    }.get(fmt, "not an image format the expo knows")
