"""Compare two trees' hall-walk scaling runs (before/after a change): median p50/p99, server
and generator CPU, per N; writes one JSON and one PNG plot under bench/results/.

Each tree is exported (``git archive``) into a folder of its own and runs its own suite, so
neither overwrites the other's runs or the committed ones; then this compares the saved runs
(``$BEFORE`` and ``$AFTER`` are two empty folders, ``$REPO`` this checkout):

    git archive 9c722a5 | tar -x -C "$BEFORE"; git archive HEAD | tar -x -C "$AFTER"
    cd "$BEFORE" && PYTHONPATH=server "$REPO/.venv/bin/python" \\
        bench/run_benchmarks.py --only scaling --sizes 1000 2000    # the same in "$AFTER"
    cd "$REPO" && .venv/bin/python bench/compare_scaling.py "$BEFORE" 9c722a5 "$AFTER" HEAD
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

RESULTS = Path(__file__).resolve().parent / "results"


def tree_figures(tree: Path, sizes: list[int]) -> list[dict[str, Any]]:
    """Per N, the medians over the tree's saved ``picows-hall-walk`` runs (and each run)."""
    rows = []
    for n in sizes:
        runs = [
            json.loads(p.read_text())
            for p in sorted((tree / "bench" / "results").glob(f"picows-hall-walk-n{n}-s*.json"))
        ]
        ok = [r for r in runs if "failed" not in r]
        if not ok:
            failed = [r.get("failed") for r in runs]
            rows.append({"clients": n, "runs": len(runs), "failed": failed})
            continue
        rows.append(
            {
                "clients": n,
                "runs": len(ok),
                "p50_ms": statistics.median(r["latency_ms"]["p50"] for r in ok),
                "p99_ms": statistics.median(r["latency_ms"]["p99"] for r in ok),
                "p99_ms_each": [r["latency_ms"]["p99"] for r in ok],
                "server_cpu_cores": statistics.median(r["server_cpu_cores"] for r in ok),
                "generator_cpu_cores": statistics.median(r["generator_cpu_cores"] for r in ok),
                "disconnects": sum(r["disconnects"] for r in ok),
                "machine": ok[0].get("machine"),
            }
        )
    return rows


def plot(result: dict[str, Any], out: Path) -> None:
    """p99 and server CPU against N, one line per tree."""
    fig, (lat, cpu) = plt.subplots(1, 2, figsize=(10, 4))
    for side in ("before", "after"):
        rows = [r for r in result[side]["figures"] if "p99_ms" in r]
        ns = [r["clients"] for r in rows]
        label = f"{side} ({result[side]['tree']})"
        lat.plot(ns, [r["p99_ms"] for r in rows], marker="o", label=label)
        cpu.plot(ns, [r["server_cpu_cores"] for r in rows], marker="o", label=label)
    lat.axhline(60, color="grey", linestyle="--", linewidth=1, label="target p99 60 ms")
    lat.set(xlabel="visitors (N)", ylabel="p99 pose latency (ms)", title="hall-walk p99")
    cpu.set(xlabel="visitors (N)", ylabel="server CPU (cores)", title="hall-walk server CPU")
    for ax in (lat, cpu):
        ax.legend()
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path, help="the exported tree of the earlier commit")
    parser.add_argument("before_name", help="what that tree is (a commit)")
    parser.add_argument("after", type=Path)
    parser.add_argument("after_name")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000])
    parser.add_argument("--name", default="scaling-before-after")
    args = parser.parse_args()
    result: dict[str, Any] = {
        "made": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": " ".join(["bench/compare_scaling.py", *sys.argv[1:]])
        .replace(str(args.before), "$BEFORE")
        .replace(str(args.after), "$AFTER"),
        "runs": "bench/run_benchmarks.py --only scaling (server on core 0, generator on core 1)",
        "load_average_at_compare": os.getloadavg(),
        "python": platform.python_version(),
        "before": {"tree": args.before_name, "figures": tree_figures(args.before, args.sizes)},
        "after": {"tree": args.after_name, "figures": tree_figures(args.after, args.sizes)},
    }
    ratios = []
    for b, a in zip(result["before"]["figures"], result["after"]["figures"], strict=True):
        if "p99_ms" in b and "p99_ms" in a:
            ratios.append(
                {
                    "clients": b["clients"],
                    "p99_after_over_before": round(a["p99_ms"] / b["p99_ms"], 3),
                    "cpu_after_over_before": round(
                        a["server_cpu_cores"] / b["server_cpu_cores"], 3
                    ),
                }
            )
    result["ratios"] = ratios
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{args.name}.json").write_text(json.dumps(result, indent=2) + "\n")
    plot(result, RESULTS / f"{args.name}.png")
    print(json.dumps(ratios))


if __name__ == "__main__":
    main()
