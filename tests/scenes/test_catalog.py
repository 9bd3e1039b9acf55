"""The expo catalog: the built-in content meets the brief; broken catalogs are refused clearly."""

from __future__ import annotations

import copy
import itertools
import json
import math
import re
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from metaexpo.errors import ConfigError
from metaexpo.scenes import Catalog, CatalogError, load_catalog
from metaexpo.scenes.__main__ import main as check_command
from metaexpo.scenes.checks import BOOTH_CLEARANCE
from metaexpo.scenes.geometry import Rect, camera_forward, yaw_towards

SCENES = Path(__file__).resolve().parents[2] / "scenes"

PLAN_ZONES = {
    "retail": "元零售",
    "culture": "元文娱",
    "office": "元办公",
    "education": "元教育",
    "manufacturing": "元制造",
    "health": "元医疗",
    "city": "元城市",
    "virtual-humans": "虚拟人",
    "tech": "元技术",
}

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(SCENES)


# -- the built-in catalog -------------------------------------------------------------------------


def _booth_texts(catalog: Catalog) -> list[tuple[str, str, str]]:
    """(booth id, zh, en) for every bilingual text a booth shows."""
    found = []
    for booth in catalog.booths:
        exhibitor = booth.exhibitor
        texts = [exhibitor.name, exhibitor.tagline, exhibitor.description]
        for scenario in booth.scenarios:
            texts += [scenario.title, scenario.description]
        found += [(booth.id, text.zh, text.en) for text in texts]
    return found


def test_builtin_catalog_has_at_least_50_bilingual_booths(catalog: Catalog) -> None:
    assert len(catalog.booths) >= 50
    for booth_id, zh, en in _booth_texts(catalog):
        assert CJK.search(zh), f"{booth_id}: Chinese text without Chinese characters: {zh!r}"
        assert not CJK.search(en), f"{booth_id}: English text with Chinese characters: {en!r}"


def test_every_zone_of_the_action_plan_is_present(catalog: Catalog) -> None:
    assert {zone.id for zone in catalog.zones} == set(PLAN_ZONES)
    for zone_id, name in PLAN_ZONES.items():
        zone = catalog.zone(zone_id)
        assert name in zone.title.zh
        assert zone.description.zh and zone.description.en
        assert len(catalog.booths_in_zone(zone_id)) >= 5


def test_zone_colours_are_distinct_hex(catalog: Catalog) -> None:
    colours = [zone.colour for zone in catalog.zones]
    assert all(re.fullmatch(r"#[0-9a-f]{6}", colour) for colour in colours)
    assert len(set(colours)) == len(colours)


def test_booth_descriptions_have_two_to_four_sentences(catalog: Catalog) -> None:
    for booth in catalog.booths:
        description = booth.exhibitor.description
        zh_sentences = len(re.findall(r"[。！？]", description.zh))
        en_sentences = len(re.findall(r"[.!?](?:\s|$)", description.en))
        assert 2 <= zh_sentences <= 4, booth.id
        assert 2 <= en_sentences <= 4, booth.id


def test_every_booth_has_tags_scenarios_and_an_example_contact(catalog: Catalog) -> None:
    for booth in catalog.booths:
        assert booth.scenarios, booth.id
        assert all(tag in catalog.tags for tag in booth.exhibitor.tags), booth.id
        parts = urlsplit(booth.exhibitor.contact)
        assert parts.scheme == "https"
        assert parts.hostname in {"example.org", "example.com"}, booth.id
    templates = {booth.template for booth in catalog.booths}
    assert templates == {"kiosk", "showcase", "island", "lounge", "pavilion"}


def test_hall_is_256_m_square_and_16_m_high(catalog: Catalog) -> None:
    hall = catalog.hall("main")
    assert hall.size == (256.0, 256.0)
    assert hall.bounds_min == (-128.0, 0.0, -128.0)
    assert hall.bounds_max == (128.0, 16.0, 128.0)


def test_booths_do_not_overlap_and_stay_in_their_zone(catalog: Catalog) -> None:
    hall = catalog.hall("main").floor
    for booth in catalog.booths:
        zone = catalog.zone(booth.zone)
        assert zone.area.contains(booth.rect), booth.id
        assert hall.contains(booth.rect), booth.id
        assert not booth.rect.overlaps(catalog.plaza.area), booth.id
        for forum in catalog.forum_halls:
            assert not booth.rect.overlaps(forum.area), booth.id
    for first, second in itertools.combinations(catalog.booths, 2):
        assert first.rect.clearance(second.rect) >= BOOTH_CLEARANCE, (first.id, second.id)


def test_zones_plaza_and_forum_hall_do_not_overlap(catalog: Catalog) -> None:
    areas = [("plaza", catalog.plaza.area)]
    areas += [(zone.id, zone.area) for zone in catalog.zones]
    areas += [(forum.id, forum.area) for forum in catalog.forum_halls]
    hall = catalog.hall("main").floor
    for name, area in areas:
        assert hall.contains(area), name
    for (first, a), (second, b) in itertools.combinations(areas, 2):
        assert not a.overlaps(b), (first, second)


def test_points_of_interest_are_in_front_of_each_booth_and_clear(catalog: Catalog) -> None:
    points = catalog.points_of_interest("main")
    assert len(points) == len(catalog.booths)
    hall = catalog.hall("main").floor
    for booth, point in zip(catalog.booths, points, strict=True):
        assert point == booth.front
        assert hall.contains_point(point)
        assert not booth.rect.contains_point(point)
        towards = (point[0] - booth.position[0], point[1] - booth.position[1])
        assert towards[0] * booth.facing[0] + towards[1] * booth.facing[1] > 0
        assert not any(other.rect.contains_point(point) for other in catalog.booths)


def test_forum_hall_seats_at_least_300(catalog: Catalog) -> None:
    assert catalog.forum_halls
    forum = catalog.forum_halls[0]
    assert len(forum.seats) >= 300
    assert len(set(forum.seats)) == len(forum.seats)
    centre = forum.stage.centre
    for x, z, yaw in forum.seats:
        assert forum.area.contains_point((x, z))
        assert not forum.stage.contains_point((x, z))
        look = camera_forward(yaw)
        to_stage = (centre[0] - x, centre[1] - z)
        cosine = (look[0] * to_stage[0] + look[1] * to_stage[1]) / math.hypot(*to_stage)
        assert cosine > 0.9999, (x, z, yaw)


def test_spawn_is_on_the_plaza_facing_the_info_wall(catalog: Catalog) -> None:
    hall = catalog.hall("main")
    assert hall.spawn[1] == 0.0
    spawn = (hall.spawn[0], hall.spawn[2])
    plaza = catalog.plaza
    assert plaza.hall == "main"
    assert plaza.area.contains_point(spawn)
    wall = plaza.info_wall
    look = camera_forward(hall.spawn_yaw_deg)
    to_wall = (wall.position[0] - spawn[0], wall.position[1] - spawn[1])
    assert look[0] * to_wall[0] + look[1] * to_wall[1] > 0


def test_info_wall_shows_the_three_1050_targets(catalog: Catalog) -> None:
    wall = catalog.plaza.info_wall
    assert [[item.count for item in target.items] for target in wall.targets] == [[10, 50]] * 3
    assert "1050" in wall.headline.zh and "1050" in wall.headline.en
    assert wall.goals
    assert len(wall.key_tasks) == 5
    assert len(wall.key_projects) == 5


DENYLIST_EN = [
    "Alibaba", "Alipay", "Taobao", "Tmall", "DingTalk", "NetEase", "Hikvision", "Dahua", "Geely",
    "Rokid", "Huawei", "Tencent", "Zhejiang University", "Westlake University", "Zhejiang Lab",
    "Ant Group", "ByteDance", "Douyin", "Pico", "Xiaomi", "Baidu", "iFlytek", "SenseTime",
    "Sunny Optical", "Unitree", "FaceUnity", "Supcon", "Hundsun", "Songcheng", "Hengdian",
    "Wasu", "Lenovo", "Samsung", "Sony", "Microsoft", "HoloLens", "Nvidia", "Apple", "Google",
    "Oculus", "Unreal", "DJI", "Kujiale",
]  # fmt: skip
DENYLIST_ZH = [
    "阿里", "支付宝", "淘宝", "天猫", "钉钉", "网易", "海康", "大华", "吉利", "灵伴", "华为",
    "腾讯", "浙江大学", "浙大", "西湖大学", "之江实验室", "蚂蚁", "字节跳动", "抖音", "小米",
    "百度", "讯飞", "商汤", "舜宇", "宇树", "相芯", "中控", "恒生", "宋城", "横店", "华数",
    "联想", "三星", "索尼", "微软", "英伟达", "苹果", "谷歌", "大疆", "酷家乐", "平头哥",
]  # fmt: skip


def test_no_real_company_names() -> None:
    text = "\n".join(path.read_text("utf-8") for path in sorted(SCENES.rglob("*.y*ml")))
    for name in DENYLIST_EN:
        assert not re.search(rf"\b{re.escape(name)}\b", text, re.IGNORECASE), name
    for name in DENYLIST_ZH:
        assert name not in text, name


def test_lookups_of_unknown_ids_raise_catalog_error(catalog: Catalog) -> None:
    with pytest.raises(CatalogError, match='no hall "nowhere"'):
        catalog.hall("nowhere")
    with pytest.raises(CatalogError, match='no zone "nowhere"'):
        catalog.zone("nowhere")
    with pytest.raises(CatalogError, match='no booth "nowhere"'):
        catalog.booth("nowhere")
    with pytest.raises(CatalogError, match='no hall "nowhere"'):
        catalog.points_of_interest("nowhere")
    assert catalog.booth("retail-01").zone == "retail"


def test_catalog_dumps_to_json_for_the_client(catalog: Catalog) -> None:
    dumped = json.loads(catalog.model_dump_json())
    assert dumped["title"] == {"zh": "元宇宙浙江", "en": "Metaverse Zhejiang"}
    assert len(dumped["booths"]) == len(catalog.booths)
    assert len(dumped["forum_halls"][0]["seats"][0]) == 3


def test_fingerprint_changes_when_a_file_changes(tmp_path: Path) -> None:
    scenes = tmp_path / "scenes"
    shutil.copytree(SCENES, scenes)
    first = load_catalog(scenes).fingerprint
    assert re.fullmatch(r"[0-9a-f]{64}", first)
    assert load_catalog(scenes).fingerprint == first
    retail = next(scenes.glob("zones/*retail.yaml"))
    retail.write_text(retail.read_text("utf-8") + "\n# an editor's note\n", "utf-8")
    second = load_catalog(scenes).fingerprint
    assert second != first
    retail.rename(retail.with_name("00-retail.yaml"))
    assert load_catalog(scenes).fingerprint not in {first, second}


# -- broken catalogs ------------------------------------------------------------------------------


def _t(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


def _booth(booth_id: str, position: list[float], rotation: int) -> dict[str, Any]:
    return {
        "id": booth_id,
        "template": "kiosk",
        "position": position,
        "rotation_deg": rotation,
        "exhibitor": {
            "name": _t("测试展商", "Test Exhibitor"),
            "tagline": _t("一句话介绍", "A one-line pitch"),
            "description": _t("第一句。第二句。", "First sentence. Second sentence."),
            "tags": ["ar"],
            "contact": "https://example.org/test",
        },
        "scenarios": [
            {"title": _t("场景", "Scenario"), "description": _t("一句话。", "One line.")}
        ],
    }


def _minimal() -> dict[str, dict[str, Any]]:
    """A small valid catalog: a 100 m hall, a plaza, a forum hall and one zone with two booths."""
    expo = {
        "expo": {
            "title": _t("测试展", "Test Expo"),
            "subtitle": _t("副标题", "Subtitle"),
            "notice": _t("虚构内容", "Fictional content"),
        },
        "tags": {"ar": _t("增强现实", "AR"), "vr": _t("虚拟现实", "VR")},
        "halls": [
            {
                "id": "main",
                "title": _t("主馆", "Main"),
                "size": [100, 100],
                "height": 10,
                "spawn": {"position": [0, 5], "yaw_deg": 0},
            }
        ],
        "plaza": {
            "hall": "main",
            "title": _t("广场", "Plaza"),
            "area": {"x": [-10, 10], "z": [-10, 10]},
            "info_wall": {
                "position": [0, -8],
                "width": 8,
                "height": 4,
                "headline": _t("目标", "Goals"),
                "goals": [_t("目标一", "Goal one")],
                "targets": [
                    {
                        "title": _t("企业", "Firms"),
                        "items": [{"count": 10, "label": _t("家", "firms")}],
                    }
                ],
            },
        },
        "forum_halls": [
            {
                "id": "forum",
                "hall": "main",
                "title": _t("论坛", "Forum"),
                "description": _t("论坛厅。", "The forum hall."),
                "area": {"x": [20, 48], "z": [-14, 14]},
                "stage": {"x": [40, 46], "z": [-6, 6]},
                "capacity": 20,
                "seating": [
                    {
                        "front_row_centre": [36, 0],
                        "rows": 4,
                        "seats_per_row": 5,
                        "seat_spacing": 1.0,
                        "row_spacing": 1.2,
                    }
                ],
            }
        ],
    }
    zone = {
        "zone": {
            "id": "retail",
            "hall": "main",
            "title": _t("元零售", "Meta-Retail"),
            "description": _t("零售。", "Retail."),
            "colour": "#ff8800",
            "area": {"x": [-48, -14], "z": [-48, -14]},
        },
        "booths": [_booth("retail-01", [-40, -40], 90), _booth("retail-02", [-22, -40], 270)],
    }
    return {"expo.yaml": expo, "zones/retail.yaml": zone}


def _write(tmp_path: Path, files: dict[str, Any]) -> Path:
    scenes = tmp_path / "scenes"
    for name, content in files.items():
        path = scenes / name
        path.parent.mkdir(parents=True, exist_ok=True)
        text = (
            content
            if isinstance(content, str)
            else yaml.safe_dump(content, allow_unicode=True, sort_keys=False)
        )
        path.write_text(text, "utf-8")
    return scenes


def _problems(tmp_path: Path, files: dict[str, Any]) -> str:
    with pytest.raises(CatalogError) as caught:
        load_catalog(_write(tmp_path, files))
    return str(caught.value)


def test_minimal_catalog_loads(tmp_path: Path) -> None:
    catalog = load_catalog(_write(tmp_path, _minimal()))
    assert [booth.id for booth in catalog.booths] == ["retail-01", "retail-02"]
    assert all(booth.zone == "retail" and booth.hall == "main" for booth in catalog.booths)
    assert len(catalog.forum_halls[0].seats) == 20
    assert catalog.sources == ["expo.yaml", "zones/retail.yaml"]


def test_missing_english_name_names_file_entry_and_field(tmp_path: Path) -> None:
    files = _minimal()
    del files["zones/retail.yaml"]["booths"][1]["exhibitor"]["name"]["en"]
    message = _problems(tmp_path, files)
    assert (
        'scenes/zones/retail.yaml: booths[1] (id "retail-02"): exhibitor.name.en: field required'
        in message
    )
    assert re.search(r"field required \(line \d+\)", message)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    files = _minimal()
    del files["zones/retail.yaml"]["booths"][0]["exhibitor"]["tagline"]["zh"]
    files["zones/retail.yaml"]["booths"][1]["exhibitor"]["contact"] = "mailto:someone@example.org"
    files["expo.yaml"]["halls"][0]["title"]["en"] = "   "
    with pytest.raises(CatalogError) as caught:
        load_catalog(_write(tmp_path, files))
    problems = caught.value.problems
    assert len(problems) == 3
    assert any("exhibitor.tagline.zh: field required" in line for line in problems)
    assert any("exhibitor.contact:" in line and "not an http(s) link" in line for line in problems)
    assert any('halls[0] (id "main"): title.en: must not be empty' in line for line in problems)
    assert all(line in str(caught.value) for line in problems)


def test_yaml_syntax_error_reports_line(tmp_path: Path) -> None:
    files: dict[str, Any] = _minimal()
    files["zones/broken.yaml"] = "zone:\n  id: broken\n  title: {zh: 坏, en: [oops\n  hall: main\n"
    message = _problems(tmp_path, files)
    assert "scenes/zones/broken.yaml: YAML syntax error" in message
    assert re.search(r"broken\.yaml: YAML syntax error.*\(line [34]", message)


def test_a_key_written_twice_is_refused_with_its_line(tmp_path: Path) -> None:
    files: dict[str, Any] = _minimal()
    text = yaml.safe_dump(files["zones/retail.yaml"], allow_unicode=True, sort_keys=False)
    files["zones/retail.yaml"] = text.replace(
        "  colour: '#ff8800'\n", "  colour: '#ff8800'\n  colour: '#00ff00'\n"
    )
    message = _problems(tmp_path, files)
    line = text.splitlines().index("  colour: '#ff8800'") + 2
    assert f'the key "colour" is written twice (first on line {line - 1}) (line {line}' in message


def test_duplicate_booth_id_is_refused(tmp_path: Path) -> None:
    files = _minimal()
    files["zones/retail.yaml"]["booths"][1]["id"] = "retail-01"
    message = _problems(tmp_path, files)
    assert (
        'booths[1] (id "retail-01"): id: "retail-01" is already the id of booth booths[0]'
        in message
    )


def test_unknown_key_is_refused(tmp_path: Path) -> None:
    files = _minimal()
    zone = files["zones/retail.yaml"]["zone"]
    zone["color"] = zone.pop("colour")
    files["zones/retail.yaml"]["booths"][0]["exhibitor"]["slogan"] = _t("口号", "Slogan")
    message = _problems(tmp_path, files)
    assert 'zone (id "retail"): color: unknown key; did you mean "colour"?' in message
    assert 'zone (id "retail"): colour: field required' in message
    assert 'booths[0] (id "retail-01"): exhibitor.slogan: unknown key' in message


def test_unknown_top_level_key_and_wrong_shapes_are_refused(tmp_path: Path) -> None:
    files: dict[str, Any] = _minimal()
    files["zones/retail.yaml"]["boths"] = files["zones/retail.yaml"].pop("booths")
    files["more.yaml"] = {"booths": {"id": "x"}}
    files["list.yaml"] = [1, 2]
    files["empty.yaml"] = ""
    message = _problems(tmp_path, files)
    assert (
        'scenes/zones/retail.yaml: boths: unknown top-level key; did you mean "booths"?' in message
    )
    assert "scenes/more.yaml: booths: expected a list of entries" in message
    assert "scenes/list.yaml: holds a list at the top level; expected a mapping" in message
    assert "scenes/empty.yaml: is empty" in message


def test_unknown_zone_and_hall_references_are_refused(tmp_path: Path) -> None:
    files = _minimal()
    files["zones/retail.yaml"]["booths"][1]["zone"] = "shops"
    files["expo.yaml"]["forum_halls"][0]["hall"] = "annex"
    message = _problems(tmp_path, files)
    assert (
        'booths[1] (id "retail-02"): zone: unknown zone "shops"; known zones: "retail"' in message
    )
    assert 'forum_halls[0] (id "forum"): hall: unknown hall "annex"; known halls: "main"' in message


def test_a_broken_zone_does_not_make_its_booths_unknown(tmp_path: Path) -> None:
    files = _minimal()
    del files["zones/retail.yaml"]["zone"]["title"]
    with pytest.raises(CatalogError) as caught:
        load_catalog(_write(tmp_path, files))
    assert len(caught.value.problems) == 1
    assert 'zone (id "retail"): title: field required' in caught.value.problems[0]


def test_overlapping_booths_are_refused(tmp_path: Path) -> None:
    files = _minimal()
    files["zones/retail.yaml"]["booths"][1]["position"] = [-38, -38]
    message = _problems(tmp_path, files)
    assert (
        'booths[1] (id "retail-02"): position: '
        'the booth\'s footprint x [-40, -36] z [-40, -36] overlaps booth "retail-01"' in message
    )


def test_booths_need_an_aisle_between_them(tmp_path: Path) -> None:
    files = _minimal()
    files["zones/retail.yaml"]["booths"][1]["position"] = [-40, -35]
    message = _problems(tmp_path, files)
    assert 'the booth is only 1 m from booth "retail-01"' in message


def test_booth_outside_its_zone_or_the_hall_is_refused(tmp_path: Path) -> None:
    files = _minimal()
    files["zones/retail.yaml"]["booths"][0]["position"] = [-12, -30]
    files["zones/retail.yaml"]["booths"][1]["position"] = [-49, -30]
    message = _problems(tmp_path, files)
    assert (
        'booths[0] (id "retail-01"): position: '
        'the booth\'s footprint x [-14, -10] z [-32, -28] is outside its zone "retail"' in message
    )
    assert (
        'booths[1] (id "retail-02"): position: '
        'the booth\'s footprint x [-51, -47] z [-32, -28] is outside hall "main"' in message
    )


def test_booth_facing_a_wall_or_another_booth_is_refused(tmp_path: Path) -> None:
    files = _minimal()
    files["zones/retail.yaml"]["zone"]["area"] = {"x": [-50, -14], "z": [-48, -14]}
    booths = files["zones/retail.yaml"]["booths"]
    booths[0]["position"] = [-47.5, -30]
    booths[0]["rotation_deg"] = 270
    booths[1]["position"] = [-34, -30]
    booths[1]["rotation_deg"] = 90
    booths.append(_booth("retail-03", [-28, -30], 0))
    message = _problems(tmp_path, files)
    assert (
        'booths[0] (id "retail-01"): rotation_deg: '
        "the spot in front of the booth (-51.5, -30) is outside the hall" in message
    )
    assert (
        'booths[1] (id "retail-02"): rotation_deg: '
        'the spot in front of the booth (-30, -30) falls on booth "retail-03"' in message
    )


def test_zones_overlapping_the_plaza_or_forum_hall_are_refused(tmp_path: Path) -> None:
    files = _minimal()
    files["zones/retail.yaml"]["zone"]["area"] = {"x": [-48, 30], "z": [-48, -5]}
    message = _problems(tmp_path, files)
    assert (
        'zone (id "retail"): area: the zone x [-48, 30] z [-48, -5] overlaps the plaza' in message
    )
    assert 'overlaps forum hall "forum"' in message


def test_bad_colours_are_refused(tmp_path: Path) -> None:
    files = _minimal()
    files["zones/retail.yaml"]["zone"]["colour"] = "orange"
    message = _problems(tmp_path, files)
    assert 'colour: "orange" is not a hex colour' in message
    text = yaml.safe_dump(_minimal()["zones/retail.yaml"], allow_unicode=True, sort_keys=False)
    unquoted = {**_minimal(), "zones/retail.yaml": text.replace("'#ff8800'", "#ff8800")}
    message = _problems(tmp_path / "unquoted", unquoted)
    assert "colour: is empty; write the colour in quotes" in message


def test_non_http_contact_is_refused(tmp_path: Path) -> None:
    files = _minimal()
    files["zones/retail.yaml"]["booths"][0]["exhibitor"]["contact"] = "javascript:alert(1)"
    message = _problems(tmp_path, files)
    assert 'exhibitor.contact: "javascript:alert(1)" is not an http(s) link' in message


def test_bad_ids_texts_and_angles_are_refused(tmp_path: Path) -> None:
    files = _minimal()
    booth = files["zones/retail.yaml"]["booths"][0]
    booth["id"] = "Retail 01"
    booth["rotation_deg"] = 45
    booth["template"] = "tent"
    booth["exhibitor"]["name"]["zh"] = "换行\n名字"
    booth["exhibitor"]["tags"] = ["ar", "ar"]
    message = _problems(tmp_path, files)
    assert 'id: "Retail 01" is not a valid id' in message
    assert "rotation_deg: 45 is not a multiple of 90 degrees" in message
    assert (
        "template: input should be 'kiosk', 'showcase', 'island', 'lounge' or 'pavilion', "
        'got "tent"' in message
    )
    assert "exhibitor.name.zh: contains the control character U+000A" in message
    assert 'exhibitor.tags: "ar" is listed twice' in message


def test_unknown_tag_is_refused(tmp_path: Path) -> None:
    files = _minimal()
    files["zones/retail.yaml"]["booths"][0]["exhibitor"]["tags"] = ["vrr"]
    message = _problems(tmp_path, files)
    assert 'exhibitor.tags[0]: unknown tag "vrr"; did you mean "vr"?' in message


def test_too_few_seats_is_refused(tmp_path: Path) -> None:
    files = _minimal()
    files["expo.yaml"]["forum_halls"][0]["capacity"] = 300
    message = _problems(tmp_path, files)
    assert (
        'forum_halls[0] (id "forum"): capacity: '
        "the seating blocks give 20 seats, too few for the capacity of 300" in message
    )


def test_seats_outside_the_forum_or_on_the_stage_are_refused(tmp_path: Path) -> None:
    files = _minimal()
    seating = files["expo.yaml"]["forum_halls"][0]["seating"]
    seating[0]["rows"] = 20
    seating.append({**seating[0], "front_row_centre": [41, 0], "rows": 1, "seats_per_row": 1})
    seating.append({**seating[0], "front_row_centre": [34, 0], "rows": 1, "seats_per_row": 3})
    message = _problems(tmp_path, files)
    assert "seating[0]: row 15, seat 1 at (19.2, -2) is outside the forum hall's area" in message
    assert "seating[1]: row 1, seat 1 at (41, 0) is on the stage" in message
    assert (
        "seating[2]: the seating block x [33.75, 34.25] z [-1.25, 1.25] overlaps seating[0]"
        in message
    )


def test_spawn_off_the_plaza_is_refused(tmp_path: Path) -> None:
    files = _minimal()
    files["expo.yaml"]["halls"][0]["spawn"]["position"] = [0, 30]
    message = _problems(tmp_path, files)
    assert 'halls[0] (id "main"): spawn.position: (0, 30) is not on the plaza' in message
    files["expo.yaml"]["halls"][0]["spawn"]["position"] = [0, -8]
    message = _problems(tmp_path / "again", files)
    assert "spawn.position: (0, -8) is on the plaza's info wall" in message


def test_hall_too_big_for_the_wire_is_refused(tmp_path: Path) -> None:
    files = _minimal()
    files["expo.yaml"]["halls"][0]["size"] = [600, 100]
    message = _problems(tmp_path, files)
    assert "size: 600 m along x is more than the 511.99 m" in message


def test_missing_or_repeated_singletons_are_reported(tmp_path: Path) -> None:
    files: dict[str, Any] = _minimal()
    del files["expo.yaml"]["expo"]
    files["again.yaml"] = {"plaza": copy.deepcopy(files["expo.yaml"]["plaza"])}
    message = _problems(tmp_path, files)
    assert "scenes/: no file declares `expo:`" in message
    assert "scenes/expo.yaml: plaza: `plaza` is already declared in scenes/again.yaml" in message


def test_booth_without_a_zone_in_a_file_without_one_is_refused(tmp_path: Path) -> None:
    files: dict[str, Any] = _minimal()
    files["extra.yaml"] = {"booths": [_booth("retail-03", [-30, -20], 0)]}
    message = _problems(tmp_path, files)
    assert 'scenes/extra.yaml: booths[0] (id "retail-03"): zone: field required' in message
    files["extra.yaml"]["booths"][0]["zone"] = "retail"
    catalog = load_catalog(_write(tmp_path / "fixed", files))
    assert catalog.booth("retail-03").zone == "retail"


def test_missing_scenes_folder_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_catalog(tmp_path / "nowhere")
    (tmp_path / "blank").mkdir()
    with pytest.raises(CatalogError, match=r"holds no \.yaml files"):
        load_catalog(tmp_path / "blank")


_FUZZ_TARGETS: list[tuple[str | int, ...]] = [
    ("zones/retail.yaml", "booths", 0, "position"),
    ("zones/retail.yaml", "booths", 0, "rotation_deg"),
    ("zones/retail.yaml", "booths", 0, "exhibitor", "tags"),
    ("zones/retail.yaml", "booths", 1),
    ("zones/retail.yaml", "booths"),
    ("zones/retail.yaml", "zone", "area"),
    ("zones/retail.yaml", "zone", "id"),
    ("expo.yaml", "forum_halls", 0, "seating", 0, "rows"),
    ("expo.yaml", "forum_halls", 0, "seating", 0, "front_row_centre"),
    ("expo.yaml", "halls", 0, "spawn"),
    ("expo.yaml", "halls", 0, "size"),
    ("expo.yaml", "plaza", "info_wall", "position"),
    ("expo.yaml", "tags"),
]
_YAML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-300, 300) | st.floats() | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)


@settings(max_examples=80, deadline=None)
@given(target=st.sampled_from(_FUZZ_TARGETS), value=_YAML_VALUES)
def test_any_edit_either_loads_or_raises_catalog_error(
    tmp_path_factory: pytest.TempPathFactory, target: tuple[str | int, ...], value: object
) -> None:
    files = _minimal()
    node: Any = files
    for part in target[:-1]:
        node = node[part]
    node[target[-1]] = value
    try:
        load_catalog(_write(tmp_path_factory.mktemp("fuzz"), files))
    except CatalogError as exc:
        assert exc.problems
        assert all(line.startswith("scenes/") for line in exc.problems)


def test_check_command_prints_a_summary_or_every_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert check_command([str(SCENES)]) == 0
    assert "catalog OK" in capsys.readouterr().out
    files = _minimal()
    files["zones/retail.yaml"]["booths"][0]["template"] = "tent"
    assert check_command([str(_write(tmp_path, files))]) == 2
    assert 'booths[0] (id "retail-01"): template:' in capsys.readouterr().err


# -- geometry -------------------------------------------------------------------------------------


@given(st.floats(-1000, 1000), st.floats(-1000, 1000))
def test_yaw_towards_is_the_inverse_of_camera_forward(dx: float, dz: float) -> None:
    length = math.hypot(dx, dz)
    if length < 1e-3:
        return
    look = camera_forward(yaw_towards((dx, dz)))
    assert math.isclose(look[0], dx / length, abs_tol=1e-6)
    assert math.isclose(look[1], dz / length, abs_tol=1e-6)


def test_camera_yaw_follows_three_js_rotation_y() -> None:
    assert camera_forward(0) == pytest.approx((0.0, -1.0))
    assert camera_forward(90) == pytest.approx((-1.0, 0.0))
    assert yaw_towards((1.0, 0.0)) == 270.0


def test_rect_clearance_is_the_widest_straight_gap() -> None:
    a = Rect(x=(0, 4), z=(0, 4))
    assert a.clearance(Rect(x=(6, 8), z=(0, 4))) == 2
    assert a.clearance(Rect(x=(6, 8), z=(7, 9))) == 3
    assert a.overlaps(Rect(x=(3, 5), z=(3, 5)))
    assert not a.overlaps(Rect(x=(4, 5), z=(0, 4)))
