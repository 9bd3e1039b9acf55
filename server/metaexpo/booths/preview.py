"""A still picture of a fitted booth model: what staff and the exhibitor see at a glance.

Rendered on the server with numpy and Pillow (no GPU, no browser): the
model's triangles, flat-shaded in their base colours, seen from the front
right and a little above, drawn back to front. Big models are thinned to
their largest triangles, so rendering stays well under a second. It is a
thumbnail for lists and phones; the interactive three.js viewer shows the
real thing.
"""

from __future__ import annotations

import io
import math

import numpy as np
import trimesh
from numpy.typing import NDArray
from PIL import Image, ImageDraw
from trimesh.visual import ColorVisuals, TextureVisuals

WIDTH, HEIGHT = 480, 360
#: Supersampling factor for smooth edges.
_SS = 2
#: Most triangles drawn; beyond that the smallest (on screen) are left out.
MAX_TRIANGLES = 30_000
_BACKGROUND = (236, 239, 243, 255)
_FLOOR = (214, 219, 226, 255)
_GREY = np.array([170.0, 174.0, 180.0])
_LIGHT = np.array([0.35, 0.8, 0.5])

FloatArray = NDArray[np.float64]


def _face_colours(mesh: trimesh.Trimesh) -> FloatArray:
    """An RGB colour (0-255) per face: vertex, face, texture or material colours, else grey."""
    count = len(mesh.faces)
    visual = mesh.visual
    try:
        if isinstance(visual, TextureVisuals):
            if visual.uv is not None:
                colours = visual.to_color().vertex_colors[:, :3].astype(np.float64)  # type: ignore[no-untyped-call]
                return np.asarray(colours[mesh.faces].mean(axis=1))
            main = np.asarray(visual.material.main_color[:3], dtype=np.float64)
            return np.tile(main, (count, 1))
        if isinstance(visual, ColorVisuals) and visual.kind in ("vertex", "face"):
            return np.asarray(visual.face_colors[:, :3], dtype=np.float64)
    except (AttributeError, ValueError, IndexError, TypeError):
        pass
    return np.tile(_GREY, (count, 1))


def _world_triangles(scene: trimesh.Scene) -> tuple[FloatArray, FloatArray]:
    """Every triangle of the scene in world space (n, 3, 3) and its colour (n, 3)."""
    triangles, colours = [], []
    for node in scene.graph.nodes_geometry:
        transform, name = scene.graph[node]
        mesh = scene.geometry.get(name)
        if not isinstance(mesh, trimesh.Trimesh) or len(mesh.faces) == 0:
            continue
        vertices = trimesh.transform_points(np.asarray(mesh.vertices, dtype=np.float64), transform)
        triangles.append(vertices[np.asarray(mesh.faces)])
        colours.append(_face_colours(mesh))
    if not triangles:
        return np.zeros((0, 3, 3)), np.zeros((0, 3))
    return np.concatenate(triangles), np.concatenate(colours)


def _view(yaw_deg: float = 35.0, pitch_deg: float = 22.0) -> FloatArray:
    """Rows: the camera's right, up and towards-viewer axes in world space."""
    yaw, pitch = math.radians(yaw_deg), math.radians(pitch_deg)
    back = np.array(
        [math.sin(yaw) * math.cos(pitch), math.sin(pitch), math.cos(yaw) * math.cos(pitch)]
    )
    right = np.cross([0.0, 1.0, 0.0], back)
    right /= np.linalg.norm(right)
    up = np.cross(back, right)
    return np.stack([right, up, back])


def render_preview(glb: bytes) -> bytes:
    """A PNG picture of the model in ``glb`` (a fitted booth model; y up, front +z).

    Raises ``ValueError`` if the GLB cannot be read or draws nothing.
    """
    try:
        scene = trimesh.load(io.BytesIO(glb), file_type="glb", force="scene")
    except Exception as exc:  # trimesh raises whatever its parsers raise; one error for callers
        raise ValueError(f"the GLB cannot be read for a preview: {exc}") from exc
    if not isinstance(scene, trimesh.Scene):
        raise ValueError("not a scene")
    triangles, colours = _world_triangles(scene)
    if len(triangles) == 0:
        raise ValueError("the model has no triangles")
    return render_triangles(triangles, colours)


def render_triangles(triangles: FloatArray, colours: FloatArray) -> bytes:
    """A PNG picture of ``triangles`` (n, 3, 3; metres, y up, front +z) in ``colours`` (n, 3;
    RGB 0-255), drawn back to front (any model, however thin or open its surfaces).

    Raises ``ValueError`` if no triangle has an area.
    """
    axes = _view()
    view = triangles @ axes.T  # (n, 3, 3): x right, y up, z towards the viewer
    normals = np.cross(triangles[:, 1] - triangles[:, 0], triangles[:, 2] - triangles[:, 0])
    lengths = np.linalg.norm(normals, axis=1)
    keep = lengths > 0
    view, colours, normals, lengths = view[keep], colours[keep], normals[keep], lengths[keep]
    if len(view) == 0:
        raise ValueError("the model has no visible triangles")
    normals /= lengths[:, None]
    # Two-sided lighting: a face seen from behind is lit as if it faced the viewer.
    facing = np.sign((normals @ axes[2]) + 1e-12)
    lambert = np.clip((normals * facing[:, None]) @ (_LIGHT / np.linalg.norm(_LIGHT)), 0.0, 1.0)
    shaded = np.clip(colours * (0.45 + 0.55 * lambert)[:, None], 0, 255)

    lo = view.reshape(-1, 3).min(axis=0)
    hi = view.reshape(-1, 3).max(axis=0)
    size = np.maximum(hi - lo, 1e-9)
    scale = 0.86 * min(WIDTH / size[0], HEIGHT / size[1]) * _SS
    centre = (lo + hi) / 2
    xy = np.empty((len(view), 3, 2))
    xy[..., 0] = (view[..., 0] - centre[0]) * scale + WIDTH * _SS / 2
    xy[..., 1] = HEIGHT * _SS / 2 - (view[..., 1] - centre[1]) * scale

    if len(view) > MAX_TRIANGLES:
        e1, e2 = xy[:, 1] - xy[:, 0], xy[:, 2] - xy[:, 0]
        area = np.abs(e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0])
        chosen = np.argpartition(area, -MAX_TRIANGLES)[-MAX_TRIANGLES:]
        xy, view, shaded = xy[chosen], view[chosen], shaded[chosen]
    order = np.argsort(view[..., 2].mean(axis=1))  # far (most negative z) first

    image = Image.new("RGBA", (WIDTH * _SS, HEIGHT * _SS), _BACKGROUND)
    draw = ImageDraw.Draw(image)
    floor_y = HEIGHT * _SS / 2 - (lo[1] - centre[1]) * scale
    draw.rectangle((0, floor_y, WIDTH * _SS, HEIGHT * _SS), fill=_FLOOR)
    points = xy[order].round(1).tolist()
    fills = [tuple(int(c) for c in row) for row in shaded[order].tolist()]
    for tri, fill in zip(points, fills, strict=True):
        draw.polygon([tuple(p) for p in tri], fill=fill)
    final = image.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS).convert("RGB")
    out = io.BytesIO()
    final.save(out, format="PNG", optimize=True)
    return out.getvalue()


def render_solids(
    triangles: FloatArray, colours: FloatArray, *, yaw_deg: float, pitch_deg: float
) -> bytes:
    """A PNG picture of closed solids (``triangles`` n, 3, 3 wound counter-clockwise seen from
    outside; ``colours`` n, 3, sRGB 0-255) seen from ``yaw_deg`` right of the front and
    ``pitch_deg`` above, with hidden faces culled and a depth buffer, so a screen on a wall or
    a sign on its header shows exactly (drawing back to front gets those wrong).

    Raises ``ValueError`` if no triangle faces the viewer.
    """
    axes = _view(yaw_deg, pitch_deg)
    view = triangles @ axes.T  # x right, y up, z towards the viewer
    normals = np.cross(triangles[:, 1] - triangles[:, 0], triangles[:, 2] - triangles[:, 0])
    lengths = np.linalg.norm(normals, axis=1)
    facing = (normals @ axes[2]) > 1e-9 * np.maximum(lengths, 1e-300)
    lo = view.reshape(-1, 3).min(axis=0)
    hi = view.reshape(-1, 3).max(axis=0)
    keep = facing & (lengths > 0)
    if not keep.any():
        raise ValueError("no triangle faces the viewer")
    view, colours, normals = view[keep], colours[keep], normals[keep] / lengths[keep, None]
    lambert = np.clip(normals @ (_LIGHT / np.linalg.norm(_LIGHT)), 0.0, 1.0)
    shaded = np.clip(colours * (0.45 + 0.55 * lambert)[:, None], 0, 255)

    width, height = WIDTH * _SS, HEIGHT * _SS
    size = np.maximum(hi - lo, 1e-9)
    scale = 0.86 * min(WIDTH / size[0], HEIGHT / size[1]) * _SS
    centre = (lo + hi) / 2
    px = (view[..., 0] - centre[0]) * scale + width / 2
    py = height / 2 - (view[..., 1] - centre[1]) * scale
    image = np.empty((height, width, 3), dtype=np.float64)
    image[:] = _BACKGROUND[:3]
    floor_y = round(float(height / 2 - (lo[1] - centre[1]) * scale))
    image[max(floor_y, 0) :] = _FLOOR[:3]
    depth = np.full((height, width), -np.inf)
    for (x0, x1, x2), (y0, y1, y2), zs, fill in zip(
        px.tolist(), py.tolist(), view[..., 2].tolist(), shaded.tolist(), strict=True
    ):
        left, right = max(int(min(x0, x1, x2)), 0), min(int(max(x0, x1, x2)) + 1, width)
        top, bottom = max(int(min(y0, y1, y2)), 0), min(int(max(y0, y1, y2)) + 1, height)
        denominator = (y1 - y2) * (x0 - x2) + (x2 - x1) * (y0 - y2)
        if left >= right or top >= bottom or abs(denominator) < 1e-12:
            continue
        xs = np.arange(left, right) + 0.5
        ys = (np.arange(top, bottom) + 0.5)[:, None]
        w0 = ((y1 - y2) * (xs - x2) + (x2 - x1) * (ys - y2)) / denominator
        w1 = ((y2 - y0) * (xs - x2) + (x0 - x2) * (ys - y2)) / denominator
        w2 = 1.0 - w0 - w1
        z = w0 * zs[0] + w1 * zs[1] + w2 * zs[2]
        region = depth[top:bottom, left:right]
        nearer = (w0 >= -1e-9) & (w1 >= -1e-9) & (w2 >= -1e-9) & (z > region)
        region[nearer] = z[nearer]
        image[top:bottom, left:right][nearer] = fill
    final = Image.fromarray(image.round().astype(np.uint8), "RGB")
    final = final.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    final.save(out, format="PNG", optimize=True)
    return out.getvalue()
