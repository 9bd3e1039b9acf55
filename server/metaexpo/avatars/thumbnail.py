"""A 128×128 PNG portrait of an avatar, rendered on the CPU with numpy and Pillow.

No GPU here, so this is a tiny z-buffer rasteriser: triangles are projected
orthographically from a front three-quarter view, back faces are dropped,
and each remaining face is filled with its vertex colour under flat Lambert
lighting, keeping the nearest surface per pixel. A depth buffer rather than
sorting triangles, because painter's sorting draws the small decals (eyes,
panels) behind the big faces they sit on. Drawing happens at 4× size and
Pillow scales it down for anti-aliasing. Every step is deterministic, so the
PNG bytes are too (for a given Pillow and zlib).
"""

from __future__ import annotations

import io
import math

import numpy as np
import numpy.typing as npt
from PIL import Image

from metaexpo.avatars.colours import linear_to_srgb8
from metaexpo.avatars.geometry import F64
from metaexpo.avatars.model import AvatarModel

SIZE = 128
_SUPERSAMPLE = 4
#: Camera yaw (turned towards the avatar's right) and pitch (looking slightly down), degrees.
_YAW, _PITCH = 28.0, 8.0
#: The avatar-space heights the portrait spans: knees to above the tallest hat, the
#: same for every avatar so they are drawn at one scale.
_VIEW_BOTTOM, _VIEW_TOP = 0.5, 1.96
#: Light direction in avatar space (from above, the avatar's front left), and the ambient share.
_LIGHT = np.array([-0.45, 0.75, -0.6])
_AMBIENT = 0.4


def _view_basis() -> tuple[F64, F64, F64]:
    """(right, up, forward) unit vectors of a camera in front of the avatar looking at it."""
    yaw, pitch = math.radians(_YAW), math.radians(_PITCH)
    # The avatar faces -Z, so the camera stands on its -Z side looking towards +Z.
    forward = np.array(
        [-math.sin(yaw) * math.cos(pitch), -math.sin(pitch), math.cos(yaw) * math.cos(pitch)]
    )
    right = np.cross(forward, [0.0, 1.0, 0.0])
    right /= np.linalg.norm(right)
    up = np.cross(right, forward)
    return right, up, forward


def _project_and_shade(model: AvatarModel) -> tuple[F64, F64]:
    """Screen-space triangles (m×3×3: x px, y px, depth) and their shaded sRGB colours (m×3)."""
    mesh = model.in_avatar_space()
    right, up, forward = _view_basis()
    tris = mesh.positions[mesh.indices]
    facing = np.cross(tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0]) @ forward < 0
    tris = tris[facing]
    indices = mesh.indices[facing]

    normals = mesh.normals[indices].mean(axis=1)
    normals /= np.linalg.norm(normals, axis=1, keepdims=True)
    light = _LIGHT / np.linalg.norm(_LIGHT)
    lambert = _AMBIENT + (1 - _AMBIENT) * np.clip(normals @ light, 0.0, 1.0)
    linear = mesh.colours[indices].mean(axis=1) * lambert[:, None]
    srgb = np.array([linear_to_srgb8((float(r), float(g), float(b))) for r, g, b in linear])

    big = SIZE * _SUPERSAMPLE
    scale = big / (_VIEW_TOP - _VIEW_BOTTOM)
    # Heights are measured along the (pitched) view-up vector, for the vertices
    # and for the middle of the view alike.
    middle = 0.5 * (_VIEW_TOP + _VIEW_BOTTOM) * up[1]
    screen = np.stack(
        [tris @ right * scale + big / 2, (middle - tris @ up) * scale + big / 2, tris @ forward],
        axis=-1,
    )
    return screen, srgb.astype(np.float64)


def _rasterise(screen: F64, colours: F64, size: int) -> npt.NDArray[np.uint8]:
    """Fill triangles into an RGBA image with a depth test (nearest wins)."""
    depth = np.full((size, size), np.inf)
    rgba = np.zeros((size, size, 4), dtype=np.uint8)
    for tri, colour in zip(screen, colours, strict=True):
        (x0, y0, z0), (x1, y1, z1), (x2, y2, z2) = tri
        area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0)
        if abs(area) < 1e-9:
            continue
        left, right = (
            max(math.floor(min(x0, x1, x2)), 0),
            min(math.ceil(max(x0, x1, x2)), size - 1),
        )
        top, bottom = (
            max(math.floor(min(y0, y1, y2)), 0),
            min(math.ceil(max(y0, y1, y2)), size - 1),
        )
        if left > right or top > bottom:
            continue
        # Sample at pixel centres.
        px, py = np.meshgrid(np.arange(left, right + 1) + 0.5, np.arange(top, bottom + 1) + 0.5)
        w0 = ((x1 - px) * (y2 - py) - (x2 - px) * (y1 - py)) / area
        w1 = ((x2 - px) * (y0 - py) - (x0 - px) * (y2 - py)) / area
        w2 = 1.0 - w0 - w1
        inside = (w0 >= 0) & (w1 >= 0) & (w2 >= 0)
        z = w0 * z0 + w1 * z1 + w2 * z2
        window = depth[top : bottom + 1, left : right + 1]
        nearer = inside & (z < window)
        window[nearer] = z[nearer]
        rgba[top : bottom + 1, left : right + 1][nearer] = (*colour.astype(np.uint8), 255)
    return rgba


def render_thumbnail(model: AvatarModel) -> bytes:
    """Render ``model`` as a transparent 128×128 PNG and return its bytes."""
    big = SIZE * _SUPERSAMPLE
    screen, colours = _project_and_shade(model)
    image = Image.fromarray(_rasterise(screen, colours, big), mode="RGBA")
    small = image.resize((SIZE, SIZE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    small.save(out, format="PNG", optimize=False, compress_level=9)
    return out.getvalue()
