"""Measure the expo hall against its budgets (BENCHMARKS.md "Scenes and client").

Builds the built-in catalog's scenes, runs the Khronos validator on them, then
starts ``metaexpo serve`` on loopback and opens the client cold (a new
browser context each run, so nothing is cached) in Debian's headless
Chromium. Per run it reads, through the page's hooks:

- ``first_frame_s``: navigation to the first frame with the hall
  (``__expo.timing.firstFrameMs``);
- ``spawn_calls``: ``renderer.info.render.calls`` of one frame at the spawn
  point, looking at the info wall (``__expoTest.measureDrawCalls``);
- ``hall_calls``: the same for the whole hall with frustum culling off, the
  worst any viewpoint can cost (``__expoTest.measureHallDrawCalls``, when the
  client has it).

Usage::

    .venv/bin/python bench/hall_scene.py [--runs 5] [--json]

Prints the build's figures and the medians of the runs. Cold load times on
this shared 2-core machine (software rendering) depend on the load: compare
before and after in one sitting.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from metaexpo.khronos import GltfValidator  # noqa: E402
from metaexpo.scenebuild import build_scenes  # noqa: E402
from metaexpo.scenes import load_catalog  # noqa: E402
from tests.browser.support import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    VIEWPORT,
    client_url,
    ensure_web_build,
    wait_for,
)
from tests.live import ServerProcess  # noqa: E402


def build_figures(out: Path) -> dict[str, Any]:
    """Build the scenes into ``out`` and return the main hall's figures and verdict."""
    started = time.perf_counter()
    manifest = build_scenes(load_catalog(ROOT / "scenes"), out)
    seconds = time.perf_counter() - started
    scene = manifest.halls["main"]
    report = GltfValidator().validate_files([out / scene.file])[0]
    return {
        "bytes": scene.bytes,
        "draw_calls": scene.draw_calls,
        "triangles": scene.triangles,
        "vertices": scene.vertices,
        "build_s": round(seconds, 3),
        "validator": {
            "errors": report.error_count,
            "warnings": report.warning_count,
            "infos": report.to_json().get("infos"),
        },
    }


def browser_runs(runs: int) -> list[dict[str, Any]]:
    """Cold loads of the client in headless Chromium against a fresh server."""
    ensure_web_build()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp)).start(timeout=120)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
                )
                for _ in range(runs):
                    ctx = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
                    page = ctx.new_page()
                    page.goto(client_url(server.http))
                    wait_for(
                        page, "window.__expo && __expo.timing.firstFrameMs !== null", timeout=60
                    )
                    wait_for(page, "__expo.timing.signsMs !== null", timeout=60)
                    timing = page.evaluate("() => __expo.timing")
                    spawn = page.evaluate("() => __expoTest.measureDrawCalls()")
                    whole = page.evaluate(
                        "() => __expoTest.measureHallDrawCalls ?"
                        " __expoTest.measureHallDrawCalls() : null"
                    )
                    results.append(
                        {
                            "first_frame_s": round(timing["firstFrameMs"] / 1000, 3),
                            "spawn_calls": spawn["total"],
                            "hall_calls": None if whole is None else whole["total"],
                        }
                    )
                    ctx.close()
                browser.close()
        finally:
            server.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="one JSON object, nothing else")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        figures = build_figures(Path(tmp))
    runs = browser_runs(args.runs)

    def median(key: str) -> float | None:
        values = [r[key] for r in runs if r[key] is not None]
        return statistics.median(values) if values else None

    document = {
        **figures,
        "runs": runs,
        "median_first_frame_s": median("first_frame_s"),
        "median_spawn_calls": median("spawn_calls"),
        "median_hall_calls": median("hall_calls"),
    }
    if args.json:
        print(json.dumps(document))
        return
    print(json.dumps(document, indent=2))


if __name__ == "__main__":
    main()
