"""The depth-tested renderer the template pictures use: the nearer surface wins wherever it is
listed, and faces turned away from the viewer are not drawn."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from metaexpo.booths.preview import HEIGHT, WIDTH, render_solids


def _quad(z: float, size: float, lift: float = 0.0) -> np.ndarray:
    """Two triangles of a square facing +z at depth ``z``, counter-clockwise from the front."""
    h = size / 2
    a, b, c, d = (-h, lift - h, z), (h, lift - h, z), (h, lift + h, z), (-h, lift + h, z)
    return np.array([[a, b, c], [a, c, d]], dtype=np.float64)


def _render(triangles: np.ndarray, colours: np.ndarray, yaw_deg: float = 0.0) -> np.ndarray:
    png = render_solids(triangles, colours, yaw_deg=yaw_deg, pitch_deg=0.0)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size == (WIDTH, HEIGHT)
    return np.asarray(image, dtype=np.int32)


def test_the_nearer_surface_shows_whatever_the_order_of_the_triangles() -> None:
    """A screen 3 cm in front of a wall, seen at an angle: half the wall's triangles have
    their middle nearer the viewer than the screen's, so back-to-front drawing would paint
    them over it."""
    near, far = _quad(0.03, 1.0), _quad(0.0, 4.0)
    red, blue = np.array([[220.0, 20, 20]] * 2), np.array([[20.0, 20, 220]] * 2)
    for triangles, colours in (
        (np.concatenate([near, far]), np.concatenate([red, blue])),
        (np.concatenate([far, near]), np.concatenate([blue, red])),
    ):
        image = _render(triangles, colours, yaw_deg=35.0)
        for dx in (-20, 0, 20):
            for dy in (-20, 0, 20):
                pixel = image[HEIGHT // 2 + dy, WIDTH // 2 + dx]
                assert pixel[0] > 2 * pixel[2], (dx, dy, pixel)  # the red screen in front
        edge = image[HEIGHT // 2, WIDTH // 2 + 80]
        assert edge[2] > 2 * edge[0], edge  # the blue wall around it


def test_faces_turned_away_are_not_drawn() -> None:
    front = _quad(0.0, 1.0)
    back = front[:, ::-1] + np.array([0.0, 0.0, 0.5])  # wound clockwise: facing away, in front
    colours = np.array([[220.0, 20, 20]] * 2 + [[20.0, 20, 220]] * 2)
    image = _render(np.concatenate([front, back]), colours)
    centre = image[HEIGHT // 2, WIDTH // 2]
    assert centre[0] > 2 * centre[2], centre
