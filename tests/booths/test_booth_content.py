"""Booth content: the catalog's own rules for texts and links, plus tags and templates that fit."""

from __future__ import annotations

from typing import Any

import pytest

from metaexpo.booths.content import catalog_content, fitting_templates, parse_content
from metaexpo.config import PROJECT_ROOT
from metaexpo.errors import Invalid
from metaexpo.scenes import load_catalog

CATALOG = load_catalog(PROJECT_ROOT / "scenes")


def booth_of(template: str) -> Any:
    return next(b for b in CATALOG.booths if b.template == template)


def good() -> dict[str, Any]:
    return catalog_content(CATALOG, booth_of("kiosk")).model_dump(mode="json")


def test_every_catalog_booth_has_valid_content() -> None:
    for booth in CATALOG.booths:
        content = catalog_content(CATALOG, booth)
        assert parse_content(content.model_dump(mode="json"), CATALOG, booth) == content


def test_templates_that_fit_grow_with_the_slot() -> None:
    assert fitting_templates(booth_of("kiosk")) == ["kiosk", "showcase"]
    assert fitting_templates(booth_of("island")) == ["kiosk", "showcase", "island", "lounge"]
    assert fitting_templates(booth_of("pavilion")) == [
        "kiosk",
        "showcase",
        "island",
        "lounge",
        "pavilion",
    ]


def problems_of(data: dict[str, Any], template: str = "kiosk") -> list[dict[str, Any]]:
    with pytest.raises(Invalid) as refused:
        parse_content(data, CATALOG, booth_of(template))
    assert refused.value.problems
    return refused.value.problems


def test_every_problem_of_a_form_is_listed_at_once() -> None:
    data = good()
    data["exhibitor"]["name"]["en"] = ""
    data["exhibitor"]["contact"] = "javascript:alert(1)"
    data["colours"]["accent"] = "red"
    wheres = {p["where"] for p in problems_of(data)}
    assert {"exhibitor.name.en", "exhibitor.contact", "colours.accent"} <= wheres


def test_unknown_tags_and_a_pavilion_in_a_kiosk_slot_are_refused() -> None:
    data = good()
    data["exhibitor"]["tags"] = ["no-such-tag"]
    data["template"] = "pavilion"
    codes = {p["code"] for p in problems_of(data)}
    assert codes == {"unknown_tag", "template_too_large"}


def test_a_name_too_long_for_the_sign_is_refused() -> None:
    data = good()
    data["exhibitor"]["name"]["zh"] = "名" * 61
    assert "longer than 60" in problems_of(data)[0]["message"]


def test_unknown_fields_are_refused_not_ignored() -> None:
    data = good()
    data["exhibitor"]["script"] = "<script>"
    assert problems_of(data)[0]["where"] == "exhibitor.script"
