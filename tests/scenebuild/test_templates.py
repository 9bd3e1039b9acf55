"""The five booth templates: what each is made of, what the client relies on (a front screen,
role labels, signs where a same-sized template has them) and that the catalog uses each one in
every zone where it fits, so a booth switched to it live can borrow its shape in its colours."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from metaexpo.scenebuild.palette import zone_palette
from metaexpo.scenebuild.template_preview import branded_palette, template_triangles
from metaexpo.scenebuild.templates import ROLES, booth_model
from metaexpo.scenes import TEMPLATES, Catalog, load_catalog

SCENES = Path(__file__).resolve().parents[2] / "scenes"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(SCENES)


def test_there_are_five_templates_two_on_each_small_footprint() -> None:
    assert set(TEMPLATES) == {"kiosk", "showcase", "island", "lounge", "pavilion"}
    assert TEMPLATES["showcase"].footprint == TEMPLATES["kiosk"].footprint
    assert TEMPLATES["lounge"].footprint == TEMPLATES["island"].footprint


@pytest.mark.parametrize(("name", "twin"), [("showcase", "kiosk"), ("lounge", "island")])
def test_a_new_template_shows_its_sign_where_its_same_sized_twin_does(name: str, twin: str) -> None:
    """A booth switched live keeps its sign node, so the sign must fit the new body too."""
    assert booth_model(name).sign_faces == booth_model(twin).sign_faces
    assert booth_model(name).atlas_width == booth_model(twin).atlas_width


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_template_has_one_front_facing_screen_for_the_poster(name: str) -> None:
    model = booth_model(name)
    screens = [part for part, role in model.pieces if role == "screen"]
    assert screens
    fronts = [
        part.positions[part.normals[:, 2] > 0.9, 2].max()
        for part in screens
        if (part.normals[:, 2] > 0.9).any()
    ]
    assert fronts, "no screen faces the front"


@pytest.mark.parametrize(
    ("name", "roles", "least_pieces"),
    [
        ("showcase", {"screen", "counter_top", "light", "plant", "accent", "panel"}, 60),
        ("lounge", {"screen", "counter_top", "light", "plant", "accent", "panel"}, 35),
    ],
)
def test_the_new_templates_carry_shelves_counters_screens_plants_and_lights(
    name: str, roles: set[str], least_pieces: int
) -> None:
    model = booth_model(name)
    assert roles <= {role for _, role in model.pieces}
    assert len(model.pieces) >= least_pieces
    body = model.body(zone_palette("#fb8c00"))
    assert body.triangle_count < 1500  # modest: every zone's copy is a mesh in the hall
    # Lamps carry no baked shade: every light vertex is the palette's light colour.
    assert body.colours is not None
    assert body.labels is not None
    lights = body.colours[body.labels == ROLES.index("light")]
    assert (lights == np.array(zone_palette("#fb8c00").light)).all()


def test_furniture_blocks_the_floor_but_leaves_the_inside_open() -> None:
    for name in ("showcase", "lounge"):
        model = booth_model(name)
        x, z = model.inside
        for footprint in model.obstacles:
            (x0, z0), (x1, z1) = footprint.array().min(axis=0), footprint.array().max(axis=0)
            assert not (x0 - 0.3 < x < x1 + 0.3 and z0 - 0.3 < z < z1 + 0.3), (name, footprint)
        assert len(model.obstacles) >= 10


def test_every_zone_has_a_booth_of_each_template_its_slots_fit(catalog: Catalog) -> None:
    for zone in catalog.zones:
        booths = [b for b in catalog.booths if b.zone == zone.id]
        footprints = {b.footprint for b in booths}
        used = {b.template for b in booths}
        expected = {name for name, t in TEMPLATES.items() if t.footprint in footprints}
        assert expected <= used, (zone.id, sorted(expected - used))


def test_a_preview_is_the_template_painted_as_the_client_brands_it() -> None:
    palette = branded_palette("#fb8c00", "#d01010", "#10c020")
    assert palette.accent != zone_palette("#fb8c00").accent
    assert palette.platform == zone_palette("#fb8c00").platform
    triangles, colours = template_triangles("showcase", palette)
    assert triangles.shape[1:] == (3, 3) and colours.shape == (len(triangles), 3)
    body = booth_model("showcase").body(palette)
    faces = len(booth_model("showcase").sign_faces)
    assert len(triangles) == body.triangle_count + 2 * faces
    assert colours.min() >= 0 and colours.max() <= 255
