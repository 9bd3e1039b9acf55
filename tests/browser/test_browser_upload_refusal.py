"""An exhibitor uploads, through the portal in real Chromium, a model that only the Khronos
glTF-Validator refuses: the page lists the validator's code and position, labelled and
explained in the page's language (zh, then en)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext

from tests.backoffice import EXHIBITOR_PASSWORD, Expo, create_staff
from tests.browser.support import ms
from tests.live import ServerProcess
from tests.models.gltf_factory import write
from tests.models.khronos_cases import clearcoat_normal_map_without_tangents

pytestmark = pytest.mark.browser

BOOTH = "retail-02"
LOGIN = "refused@firm.test"
LABELS = {"zh": ("Khronos glTF 验证器", "位置"), "en": ("Khronos glTF-Validator", "Where")}
NOTES = {"zh": "位置指该模型", "en": "the positions refer to that model"}


def test_a_validator_refusal_is_shown_with_its_code_and_position_in_both_languages(
    server: ServerProcess, context: BrowserContext, tmp_path: Path
) -> None:
    create_staff(server.tmp / "data")
    with httpx.Client(base_url=server.http, timeout=60) as http:
        expo = Expo(http)
        expo.exhibitor(expo.staff(), LOGIN, [BOOTH])
    model = write(tmp_path / "clearcoat.glb", clearcoat_normal_map_without_tangents())

    page = context.new_page()
    page.goto(f"{server.http}/portal/login?lang=zh")
    page.fill("input[name=login]", LOGIN)
    page.fill("input[name=password]", EXHIBITOR_PASSWORD)
    page.click("form[action='/portal/login'] button[type=submit]")
    page.wait_for_url("**/portal/booths", timeout=ms(10))
    for lang in ("zh", "en"):
        page.goto(f"{server.http}/portal/booths/{BOOTH}?lang={lang}")
        form = page.locator("form.js-upload[data-url$='/model']")
        form.locator("input[type=file]").set_input_files(str(model))
        form.locator("button[type=submit]").click()
        form.locator(".upload-status.bad").wait_for(timeout=ms(30))
        problem = form.locator(".upload-problems li").first.inner_text()
        label, where = LABELS[lang]
        assert "Material requires a tangent space" in problem
        assert f"{label} · {where}: /meshes/0/primitives/0/material · " in problem
        assert "MESH_PRIMITIVE_NO_TANGENT_SPACE" in problem
        assert NOTES[lang] in form.locator(".upload-problems .khronos-note").inner_text()
