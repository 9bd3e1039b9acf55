"""One hall of the catalog as a scene graph: the node layout the web client relies on.

The layout (documented in ``docs/scenes.md``)::

    hall                         extras: hall_id, catalog_fingerprint, builder_version, …
    ├── floor                    walkable: the avenues
    ├── plaza                    walkable
    ├── architecture             walls, columns, info wall, sign frames, screen walls (merged)
    ├── sign:info_wall:plaza     sign
    ├── sign:hall:<hall_id>      sign (on the info wall's crown, both sides)
    ├── zone:<zone_id>           extras: zone_id
    │   ├── zone:<zone_id>:floor walkable, tinted in the zone's colour
    │   ├── sign:zone:<zone_id>  sign (four-sided, hung over the zone's centre)
    │   └── booth:<booth_id>     extras: booth_id, zone_id, template; placed and turned
    │       └── sign:booth:<booth_id>
    └── forum:<forum_id>         extras: forum_id
        ├── forum:<forum_id>:floor   walkable
        ├── forum:<forum_id>:stage   walkable
        ├── forum:<forum_id>:seats   every seat merged
        ├── forum:<forum_id>:screen  extras: screen
        └── sign:forum:<forum_id>

Sign nodes get their mesh once the atlas is laid out (:func:`attach_signs`).
"""

from __future__ import annotations

from metaexpo.scenebuild import architecture, palette
from metaexpo.scenebuild.atlas import AtlasLayout
from metaexpo.scenebuild.floorplan import AVENUES, Region, split_floor
from metaexpo.scenebuild.graph import Quaternion, SceneNode
from metaexpo.scenebuild.materials import FLOOR, SCREEN, SIGNS, STRUCTURE
from metaexpo.scenebuild.merge import Batches, single
from metaexpo.scenebuild.palette import rgba8, zone_palette
from metaexpo.scenebuild.signs import Sign, sign_part
from metaexpo.scenebuild.templates import booth_model
from metaexpo.scenebuild.version import BUILDER_VERSION
from metaexpo.scenes import Booth, Catalog, Hall, Zone

_HALF = 0.7071067811865476
#: glTF rotations [x, y, z, w] for the booths' quarter turns about +y (three.js rotation.y).
QUARTER_TURNS: dict[int, Quaternion] = {
    90: (0.0, _HALF, 0.0, _HALF),
    180: (0.0, 1.0, 0.0, 0.0),
    270: (0.0, _HALF, 0.0, -_HALF),
}


def _sign_node(sign: Sign) -> SceneNode:
    return SceneNode(sign.node_name, sign=sign)


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
    node.add(_sign_node(Sign("booth", booth.id, model.sign_faces, model.atlas_width)))
    return node


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
    regions = [Region(f"zone:{zone.id}", zone.area) for zone in zones]
    regions += [Region(f"forum:{forum.id}", forum.area) for forum in forums]
    if plaza is not None:
        regions.append(Region("plaza", plaza.area))
    floors = split_floor(hall.floor, regions)
    static = Batches()
    blocked = architecture.perimeter(hall)

    if AVENUES in floors:
        avenues = floors[AVENUES].painted(rgba8(palette.AVENUE))
        root.add(SceneNode("floor", {"walkable": True}, mesh=single("floor", FLOOR, avenues)))
    if plaza is not None:
        paving = floors["plaza"].painted(rgba8(palette.PLAZA))
        root.add(SceneNode("plaza", {"walkable": True}, mesh=single("plaza", FLOOR, paving)))
        wall = architecture.info_wall(plaza.info_wall, hall.id)
        blocked.extend(wall.body)
        root.add(_sign_node(wall.sign))
        root.add(_sign_node(wall.hall_sign))
    architecture_node = root.add(SceneNode("architecture"))

    for zone in zones:
        zone_node = root.add(SceneNode(f"zone:{zone.id}", {"zone_id": zone.id}))
        tinted = floors[f"zone:{zone.id}"].painted(zone_palette(zone.colour).floor)
        zone_node.add(
            SceneNode(
                f"zone:{zone.id}:floor",
                {"walkable": True, "zone_id": zone.id},
                mesh=single(f"zone:{zone.id}:floor", FLOOR, tinted),
            )
        )
        banner, banner_sign = architecture.zone_banner(zone, hall)
        static.add(STRUCTURE, banner)
        zone_node.add(_sign_node(banner_sign))
        for booth in catalog.booths_in_zone(zone.id):
            zone_node.add(_booth_node(booth, zone))

    for forum in forums:
        pieces = architecture.forum(forum)
        forum_node = root.add(SceneNode(f"forum:{forum.id}", {"forum_id": forum.id}))
        carpet = floors[f"forum:{forum.id}"].painted(rgba8(palette.FORUM_FLOOR))
        walkable = {"walkable": True, "forum_id": forum.id}
        forum_node.add(
            SceneNode(
                f"forum:{forum.id}:floor",
                dict(walkable),
                mesh=single(f"forum:{forum.id}:floor", FLOOR, carpet),
            )
        )
        forum_node.add(
            SceneNode(
                f"forum:{forum.id}:stage",
                dict(walkable),
                mesh=single(f"forum:{forum.id}:stage", FLOOR, pieces.stage.part()),
                obstacles=pieces.stage.obstacles,
            )
        )
        forum_node.add(
            SceneNode(
                f"forum:{forum.id}:seats",
                {"forum_id": forum.id, "seat_count": len(forum.seats)},
                mesh=single(f"forum:{forum.id}:seats", STRUCTURE, pieces.seats.part()),
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
        forum_node.add(_sign_node(pieces.sign))
        blocked.extend(pieces.wall)

    static.add(STRUCTURE, *blocked.parts)
    architecture_node.mesh = static.mesh("architecture")
    architecture_node.obstacles = blocked.obstacles
    return root


def hall_signs(root: SceneNode) -> list[Sign]:
    """Every sign of the graph, in node order."""
    return [node.sign for node in root.walk() if node.sign is not None]


def attach_signs(root: SceneNode, layout: AtlasLayout) -> None:
    """Give every sign node its quad mesh (UVs on its atlas rectangle) and its extras."""
    root.extras["sign_atlas_px"] = list(layout.size)
    for node in root.walk():
        sign = node.sign
        if sign is None:
            continue
        rect = layout.uv_rect(sign.key)
        node.mesh = single(f"sign:{sign.kind}:{sign.id}", SIGNS, sign_part(sign, rect))
        node.extras["sign"] = {
            "kind": sign.kind,
            "id": sign.id,
            "rect": list(rect),
            "aspect": round(sign.aspect, 4),
        }
