"""Screenshots of the expo hall at fixed viewpoints, for docs/hall.md's before and after.

Starts ``metaexpo serve`` on loopback with a fresh data folder, enters the hall
in Debian's headless Chromium (1280×800, English) and, once the signs are
painted, saves one PNG per viewpoint: the arrival view, the entrance, the
roof over the plaza, a zone's gateway, a booth close up and the forum hall.

Usage::

    .venv/bin/python bench/hall_shots.py OUT_DIR [--prefix after-]

Pictures only: no threshold is checked here (the screenshot tour with its
perceptual comparison is a browser test).
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from metaexpo.scenes import load_catalog  # noqa: E402
from tests.browser.support import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    client_url,
    ensure_web_build,
    wait_for,
)
from tests.live import ServerProcess  # noqa: E402

EYE = 1.6
Pose = tuple[float, float, float, float, float]


def _looking(
    x: float, z: float, at: tuple[float, float], y: float = EYE, pitch: float = 0.0
) -> Pose:
    """The head pose at (x, y, z) looking towards ``at`` (camera yaw 0 looks along -z)."""
    yaw = math.atan2(-(at[0] - x), -(at[1] - z))
    return (x, y, z, yaw, pitch)


def viewpoints() -> dict[str, Pose | None]:
    """Name → head pose (None: where the visitor arrives)."""
    catalog = load_catalog(ROOT / "scenes")
    hall = catalog.hall("main")
    zone = catalog.zones[0]
    booth = catalog.booths_in_zone(zone.id)[0]
    forum = catalog.forum_halls[0]
    fx, fz = forum.stage.centre
    (ax0, ax1), (az0, az1) = forum.area.x, forum.area.z
    # Stand at the far end of the forum from its stage, looking at it.
    far_x = ax1 - 4 if abs(fx - ax0) < abs(fx - ax1) else ax0 + 4
    zx, zz = zone.area.centre
    south = hall.bounds_max[2]
    return {
        "arrival": None,
        "entrance": _looking(0.0, south - 40.0, (0.0, south), pitch=0.12),
        "roof": _looking(14.0, 14.0, (0.0, 0.0), pitch=0.55),
        "zone": _looking(zx, zz + (zone.area.z[1] - zz) + 10.0, (zx, zz), pitch=0.05),
        "booth": _looking(
            booth.position[0] + booth.facing[0] * (booth.footprint[1] / 2 + 7.0),
            booth.position[1] + booth.facing[1] * (booth.footprint[1] / 2 + 7.0),
            booth.position,
            pitch=0.12,
        ),
        "forum": _looking(far_x, (az0 + az1) / 2, (fx, fz), pitch=0.06),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--prefix", default="")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    ensure_web_build()
    poses = viewpoints()
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp)).start(timeout=120)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
                )
                ctx = browser.new_context(viewport={"width": 1280, "height": 800})
                page = ctx.new_page()
                page.goto(client_url(server.http, name="Shots", lang="en", autoenter="1"))
                wait_for(page, "window.__expo && __expo.connection === 'joined'", timeout=120)
                wait_for(page, "__expo.timing.signsMs !== null", timeout=120)
                for name, pose in poses.items():
                    if pose is not None:
                        page.evaluate("(p) => __expoTest.setPose(...p)", list(pose))
                    # Two frames drawn after the move (no fixed sleep).
                    page.evaluate(
                        "() => new Promise((r) => requestAnimationFrame(() =>"
                        " requestAnimationFrame(() => r(null))))"
                    )
                    page.screenshot(path=str(args.out / f"{args.prefix}{name}.png"))
                    print(args.out / f"{args.prefix}{name}.png")
                ctx.close()
                browser.close()
        finally:
            server.stop()


if __name__ == "__main__":
    main()
