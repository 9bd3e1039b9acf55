"""Every Khronos sample model uploaded through HTTP to a real server: the verdict is the
library's, and every accepted model becomes a booth staff can approve and the hall serves."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from metaexpo.config import PROJECT_ROOT
from metaexpo.models import check_model
from metaexpo.scenes import load_catalog
from tests.backoffice import Expo, Headers, create_staff
from tests.databases import url_args
from tests.live import ServerProcess
from tests.models.gltf_factory import fixture_input, require_fixtures

pytestmark = [pytest.mark.integration, pytest.mark.slow]

MANIFEST: dict[str, Any] = json.loads((require_fixtures() / "manifest.json").read_text())
ENTRIES: list[dict[str, Any]] = MANIFEST["files"]
BOOTHS = [b.id for b in load_catalog(PROJECT_ROOT / "scenes").booths]


class Hall:
    """A server, staff, and one exhibitor owning a booth per fixture."""

    def __init__(self, server: ServerProcess, folder: Path) -> None:
        self.folder = folder
        self.http = httpx.Client(base_url=server.http, timeout=120)
        self.expo = Expo(self.http)
        self.staff = self.expo.staff()
        self.who: Headers = self.expo.exhibitor(
            self.staff, "samples@firm.test", BOOTHS[: len(ENTRIES)]
        )


@pytest.fixture(scope="module")
def hall(
    tmp_path_factory: pytest.TempPathFactory, module_database_url: str | None
) -> Iterator[Hall]:
    tmp = tmp_path_factory.mktemp("fixtures")
    create_staff(tmp / "data", database_url=module_database_url)
    server = ServerProcess(tmp, *url_args(module_database_url)).start()
    hall = Hall(server, tmp / "inputs")
    yield hall
    hall.http.close()
    server.stop()


@pytest.mark.parametrize("index", range(len(ENTRIES)), ids=[e["file"] for e in ENTRIES])
def test_a_sample_model_gets_the_librarys_verdict_and_accepted_ones_go_live(
    hall: Hall, index: int
) -> None:
    entry = ENTRIES[index]
    booth = BOOTHS[index]
    upload = fixture_input(entry, hall.folder / str(index))
    expected = check_model(upload)
    response = hall.expo.upload(hall.who, booth, upload.read_bytes(), upload.name)
    if not expected.accepted:
        assert response.status_code == 422, response.text[:300]
        codes = {p["code"] for p in response.json()["detail"]}
        assert codes == {str(p.code) for p in expected.problems}
        return
    assert response.status_code == 201, response.text[:500]
    report = response.json()["upload"]["report"]
    assert report["stats"]["triangles"] == expected.stats.triangles
    hall.expo.submit(hall.who, booth)
    payload = hall.expo.approve(hall.staff, hall.expo.queued(hall.staff, booth))
    assert payload["id"] == booth and payload["revision"] == 1
    assert hall.expo.live(booth)["model"] == payload["model"]
    served = hall.http.get(payload["model"])
    assert served.status_code == 200 and served.content[:4] == b"glTF"
