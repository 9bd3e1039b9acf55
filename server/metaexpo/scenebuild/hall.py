"""One hall of the catalog as a scene graph: the node layout the web client relies on.

The layout (documented in ``docs/scenes.md``)::

    hall                         extras: hall_id, catalog_fingerprint, builder_version, …
    ├── floor                    walkable: avenues and plaza (stone)
    ├── floor:zones              walkable: every zone's carpet, tinted in its colour
    ├── architecture             walls, glass, columns, roof, skylights, entrance, info wall,
    │                            gateways, banners, forum rooms: a primitive per material
    ├── shadows                  contact shadows on the floor
    ├── signs                    every sign that is not a booth's, merged (extras: signs)
    ├── zone:<zone_id>           extras: zone_id
    │   └── booth:<booth_id>     extras: booth_id, zone_id, template; placed and turned
    │       └── sign:booth:<booth_id>
    └── forum:<forum_id>         extras: forum_id
        ├── forum:<forum_id>:floor   walkable
        ├── forum:<forum_id>:stage   walkable
        ├── forum:<forum_id>:seats   every seat merged
        └── forum:<forum_id>:screen  extras: screen

Sign nodes get their mesh once the atlas is laid out (:func:`attach_signs`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from functools import partial

from metaexpo.scenebuild import architecture, palette
from metaexpo.scenebuild.ao import occlude
from metaexpo.scenebuild.atlas import AtlasLayout
from metaexpo.scenebuild.floorplan import AVENUES, Cell, Region, floor_part, split_floor
from metaexpo.scenebuild.footprints import Footprint, Solids
from metaexpo.scenebuild.forum import forum_pieces
from metaexpo.scenebuild.gateways import gate_spots, gateways, zone_banner
from metaexpo.scenebuild.graph import Quaternion, SceneNode
from metaexpo.scenebuild.materials import (
    FLOOR_CARPET,
    FLOOR_STONE,
    FLOOR_WOOD,
    METAL,
    SCREEN,
    SHADOW,
    SIGNS,
    STRUCTURE,
)
from metaexpo.scenebuild.merge import Batches, single
from metaexpo.scenebuild.mesh import concat
from metaexpo.scenebuild.palette import Rgba8, rgba8, zone_palette
from metaexpo.scenebuild.shadows import Rect as ShadowRect
from metaexpo.scenebuild.shadows import shadows
from metaexpo.scenebuild.signs import Sign, sign_part
from metaexpo.scenebuild.templates import booth_model
from metaexpo.scenebuild.textures import TILE_METRES
from metaexpo.scenebuild.version import BUILDER_VERSION
from metaexpo.scenes import Booth, Catalog, ForumHall, Hall, Zone

_HALF = 0.7071067811865476
#: glTF rotations [x, y, z, w] for the booths' quarter turns about +y (three.js rotation.y).
QUARTER_TURNS: dict[int, Quaternion] = {
    90: (0.0, _HALF, 0.0, _HALF),
    180: (0.0, 1.0, 0.0, 0.0),
    270: (0.0, _HALF, 0.0, -_HALF),
}
#: Width (m) of the coloured border just inside each zone, and of the plaza's inlay band.
ZONE_BORDER = 0.8
PLAZA_INLAY = 1.2


def _booth_node(booth: Booth, zone: Zone) -> SceneNode:
    model = booth_model(booth.template)
    node = SceneNode(
        f"booth:{booth.id}",
        extras={"booth_id": booth.id, "zone_id": booth.zone, "template": booth.template},
        obstacles=list(model.obstacles),
        # Every booth of one template and zone looks the same, so they share one mesh.
        mesh=single(
            f"booth:{booth.template}:{zone.colour}",
            STRUCTURE,
            model.body(zone_palette(zone.colour)),
        ),
        translation=(booth.position[0], 0.0, booth.position[1]),
        rotation=QUARTER_TURNS.get(booth.rotation_deg),
    )
    node.add(
        SceneNode(
            f"sign:booth:{booth.id}",
            sign=Sign("booth", booth.id, model.sign_faces, model.atlas_width),
        )
    )
    return node


def _in_band(
    cell: Cell, rect_x: tuple[float, float], rect_z: tuple[float, float], band: float
) -> bool:
    """Whether ``cell`` lies in the band of width ``band`` just inside the rectangle's edge."""
    cx, cz = (cell[0] + cell[1]) / 2, (cell[2] + cell[3]) / 2
    return (
        cx < rect_x[0] + band
        or cx > rect_x[1] - band
        or cz < rect_z[0] + band
        or cz > rect_z[1] - band
    )


def _floors(
    catalog: Catalog, hall: Hall, zones: list[Zone], forums: list[ForumHall]
) -> tuple[dict[str, list[Cell]], Callable[[str, Cell], Rgba8]]:
    """The floor's cells per region and the colour of each cell."""
    plaza = catalog.plaza if catalog.plaza.hall == hall.id else None
    regions = [Region(f"zone:{zone.id}", zone.area) for zone in zones]
    regions += [Region(f"forum:{forum.id}", forum.area) for forum in forums]
    extra_x: list[float] = []
    extra_z: list[float] = []
    for zone in zones:
        extra_x += [zone.area.x[0] + ZONE_BORDER, zone.area.x[1] - ZONE_BORDER]
        extra_z += [zone.area.z[0] + ZONE_BORDER, zone.area.z[1] - ZONE_BORDER]
    if plaza is not None:
        regions.append(Region("plaza", plaza.area))
        extra_x += [plaza.area.x[0] + PLAZA_INLAY, plaza.area.x[1] - PLAZA_INLAY]
        extra_z += [plaza.area.z[0] + PLAZA_INLAY, plaza.area.z[1] - PLAZA_INLAY]
    aisles: dict[str, list[tuple[float, float]]] = {}
    for forum in forums:
        aisles[forum.id] = _forum_aisles(forum)
        for low, high in aisles[forum.id]:
            extra_z += [low, high]
    cells = split_floor(hall.floor, regions, extra_x, extra_z)
    zone_by_key = {f"zone:{zone.id}": zone for zone in zones}
    forum_by_key = {f"forum:{forum.id}": forum for forum in forums}

    def colour(key: str, cell: Cell) -> Rgba8:
        if key == "plaza" and plaza is not None:
            inlay = _in_band(cell, plaza.area.x, plaza.area.z, PLAZA_INLAY)
            return rgba8(palette.PLAZA_INLAY if inlay else palette.PLAZA)
        if key in zone_by_key:
            zone = zone_by_key[key]
            shades = zone_palette(zone.colour)
            return (
                shades.accent_dark
                if _in_band(cell, zone.area.x, zone.area.z, ZONE_BORDER)
                else shades.floor
            )
        if key in forum_by_key:
            forum = forum_by_key[key]
            cz = (cell[2] + cell[3]) / 2
            cx = (cell[0] + cell[1]) / 2
            in_aisle = (
                any(low < cz < high for low, high in aisles[forum.id]) and cx < forum.stage.x[0]
            )
            return rgba8(palette.FORUM_AISLE if in_aisle else palette.FORUM_FLOOR)
        return rgba8(palette.AVENUE)

    return cells, colour


def _forum_aisles(forum: ForumHall) -> list[tuple[float, float]]:
    """The z ranges of the aisles of a forum whose rows run along z (seats facing ±x)."""
    found: list[tuple[float, float]] = []
    start = 0
    for block in forum.seating:
        row = forum.seats[start : start + block.seats_per_row]
        start += block.rows * block.seats_per_row
        if any(abs(a[0] - b[0]) > 1e-6 for a, b in itertools.pairwise(row)):
            continue  # rows do not run along z: no runners for this block
        zs = sorted(seat[1] for seat in row)
        for a, b in itertools.pairwise(zs):
            if b - a > block.seat_spacing + 0.3:
                found.append((round(a + 0.35, 6), round(b - 0.35, 6)))
    return found


def hall_graph(catalog: Catalog, hall: Hall) -> SceneNode:
    """The scene graph of ``hall`` with sign nodes still waiting for the atlas."""
    root = SceneNode(
        "hall",
        extras={
            "hall_id": hall.id,
            "catalog_fingerprint": catalog.fingerprint,
            "builder_version": BUILDER_VERSION,
        },
    )
    zones = [zone for zone in catalog.zones if zone.hall == hall.id]
    forums = [forum for forum in catalog.forum_halls if forum.hall == hall.id]
    plaza = catalog.plaza if catalog.plaza.hall == hall.id else None
    cells, colour = _floors(catalog, hall, zones, forums)

    stone = [*cells.get(AVENUES, []), *cells.get("plaza", [])]
    keyed = {id(cell): key for key, group in cells.items() for cell in group}
    root.add(
        SceneNode(
            "floor",
            {"walkable": True},
            mesh=single(
                "floor",
                FLOOR_STONE,
                floor_part(stone, lambda c: colour(keyed[id(c)], c), TILE_METRES["stone"]),
            ),
        )
    )
    carpet = [cell for zone in zones for cell in cells.get(f"zone:{zone.id}", [])]
    if carpet:
        root.add(
            SceneNode(
                "floor:zones",
                {"walkable": True, "zones": [zone.id for zone in zones]},
                mesh=single(
                    "floor:zones",
                    FLOOR_CARPET,
                    floor_part(carpet, lambda c: colour(keyed[id(c)], c), TILE_METRES["carpet"]),
                ),
            )
        )

    built = Solids()
    built.extend(architecture.perimeter(hall))
    built.extend(architecture.roof(hall))
    entrance = architecture.entrance(hall)
    built.extend(entrance.body)
    static_signs: list[Sign] = [entrance.sign]
    grounded: list[ShadowRect] = []
    if plaza is not None:
        wall = architecture.info_wall(plaza.info_wall, hall.id)
        built.extend(wall.body)
        static_signs += [wall.sign, wall.hall_sign]
    for zone in zones:
        banner, banner_sign = zone_banner(zone)
        built.add(banner)
        booths = catalog.booths_in_zone(zone.id)
        gates, gate_sign = gateways(zone, gate_spots(zone, booths, hall))
        built.extend(gates)
        static_signs.append(banner_sign)
        if gate_sign is not None:
            static_signs.append(gate_sign)
    forum_nodes = []
    for forum in forums:
        pieces = forum_pieces(forum)
        built.extend(pieces.room)
        static_signs.append(pieces.sign)
        forum_nodes.append((forum, pieces))

    architecture_node = root.add(SceneNode("architecture"))
    batches = Batches()
    for material, parts in built.by_material().items():
        shaded = [occlude(part) for part in parts] if material in (STRUCTURE, METAL) else parts
        batches.add(material, *shaded)
    architecture_node.mesh = batches.mesh("architecture")
    architecture_node.obstacles = built.obstacles
    grounded += [_bounds(footprint) for footprint in built.obstacles]

    zone_nodes = []
    for zone in zones:
        zone_node = SceneNode(f"zone:{zone.id}", {"zone_id": zone.id})
        for booth in catalog.booths_in_zone(zone.id):
            zone_node.add(_booth_node(booth, zone))
            grounded.append((booth.rect.x[0], booth.rect.z[0], booth.rect.x[1], booth.rect.z[1]))
        zone_nodes.append(zone_node)

    ground = shadows(_shadow_rects(grounded))
    if ground is not None:
        root.add(SceneNode("shadows", mesh=single("shadows", SHADOW, ground)))
    root.add(SceneNode("signs", signs=static_signs))
    for zone_node in zone_nodes:
        root.add(zone_node)

    for forum, pieces in forum_nodes:
        forum_node = root.add(SceneNode(f"forum:{forum.id}", {"forum_id": forum.id}))
        walkable = {"walkable": True, "forum_id": forum.id}
        carpet_cells = cells.get(f"forum:{forum.id}", [])
        forum_node.add(
            SceneNode(
                f"forum:{forum.id}:floor",
                dict(walkable),
                mesh=single(
                    f"forum:{forum.id}:floor",
                    FLOOR_CARPET,
                    floor_part(
                        carpet_cells, partial(colour, f"forum:{forum.id}"), TILE_METRES["carpet"]
                    ),
                ),
            )
        )
        forum_node.add(
            SceneNode(
                f"forum:{forum.id}:stage",
                dict(walkable),
                mesh=single(f"forum:{forum.id}:stage", FLOOR_WOOD, pieces.stage.part()),
                obstacles=pieces.stage.obstacles,
            )
        )
        forum_node.add(
            SceneNode(
                f"forum:{forum.id}:seats",
                {"forum_id": forum.id, "seat_count": len(forum.seats)},
                mesh=single(
                    f"forum:{forum.id}:seats",
                    STRUCTURE,
                    *[occlude(part) for part in pieces.seats.parts],
                ),
                obstacles=pieces.seats.obstacles,
            )
        )
        forum_node.add(
            SceneNode(
                f"forum:{forum.id}:screen",
                {"screen": {"forum_id": forum.id, "aspect": pieces.screen_aspect}},
                mesh=single(f"forum:{forum.id}:screen", SCREEN, pieces.screen),
            )
        )
    return root


def _bounds(footprint: Footprint) -> ShadowRect:
    """A footprint's bounding rectangle (x0, z0, x1, z1)."""
    array = footprint.array()
    low, high = array.min(axis=0), array.max(axis=0)
    return (float(low[0]), float(low[1]), float(high[0]), float(high[1]))


def _shadow_rects(rects: list[ShadowRect]) -> list[ShadowRect]:
    """The rectangles worth a shadow: standing pieces bigger than a post, and no zero-width
    edges (a stage's edge line, a door's glass)."""
    return [r for r in rects if (r[2] - r[0]) > 0.3 and (r[3] - r[1]) > 0.3]


def hall_signs(root: SceneNode) -> list[Sign]:
    """Every sign of the graph, in node order."""
    found: list[Sign] = []
    for node in root.walk():
        if node.sign is not None:
            found.append(node.sign)
        found.extend(node.signs)
    return found


def _sign_extras(sign: Sign, layout: AtlasLayout) -> dict[str, object]:
    return {
        "kind": sign.kind,
        "id": sign.id,
        "rect": list(layout.uv_rect(sign.key)),
        "aspect": round(sign.aspect, 4),
        "height_m": round(sign.faces[0].height, 4),
    }


def attach_signs(root: SceneNode, layout: AtlasLayout) -> None:
    """Give every sign node its quad mesh (UVs on its atlas rectangle) and its extras."""
    root.extras["sign_atlas_px"] = list(layout.size)
    for node in root.walk():
        if node.sign is not None:
            sign = node.sign
            node.mesh = single(
                f"sign:{sign.kind}:{sign.id}", SIGNS, sign_part(sign, layout.uv_rect(sign.key))
            )
            node.extras["sign"] = _sign_extras(sign, layout)
        elif node.signs:
            parts = [sign_part(sign, layout.uv_rect(sign.key)) for sign in node.signs]
            node.mesh = single(node.name, SIGNS, concat(parts))
            node.extras["signs"] = [_sign_extras(sign, layout) for sign in node.signs]
