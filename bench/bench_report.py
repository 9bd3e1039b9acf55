"""Rebuild the benchmark summary (JSON, Markdown tables, PNG plots) from the saved runs.

run_benchmarks.py calls it after every suite; by hand:

    .venv/bin/python bench/bench_report.py [bench/results]
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from metaexpo.loadtest.plot import plot_run, plot_scaling


def _f(v: Any, nd: int = 1) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.{nd}f}"
    return str(v)


#: Which suite a saved run belongs to, by its label (and scenario).
_SUITES = {
    ("picows", "hall-walk"): "scaling",
    ("picows", "crowd"): "crowd",
    ("one-phase", "hall-walk"): "one_phase",
    ("asgi", "hall-walk"): "transport",
    ("naive", "hall-walk"): "naive",
    ("sr-base", "hall-walk"): "slow_reader",
    ("sr-slow", "slow-reader"): "slow_reader",
    ("churn", "churn"): "churn",
    ("capacity", "hall-walk"): "capacity",
    ("overload", "hall-walk"): "overload",
}


def summary_from_results(folder: Path) -> dict[str, Any]:
    """Group every saved run into its suite; repeated runs collapse to the median p99."""
    groups: dict[tuple[str, str, str, int], list[dict[str, Any]]] = {}
    for path in sorted(folder.glob("*-n*-s*.json")):
        run = json.loads(path.read_text())
        suite = _SUITES.get((run.get("label", ""), run.get("scenario", "")))
        if suite is None:
            continue
        key = (suite, run["label"], run["scenario"], run["clients"])
        groups.setdefault(key, []).append(run)
    summary: dict[str, Any] = {}
    for (suite, _label, _scenario, _n), runs in sorted(groups.items(), key=lambda kv: kv[0][3]):
        ok = sorted(
            (r for r in runs if "failed" not in r), key=lambda r: r["latency_ms"]["p99"] or 1e9
        )
        if suite == "slow_reader":
            summary.setdefault(suite, []).extend(ok)
            continue
        pick = dict(ok[len(ok) // 2]) if ok else dict(runs[0])
        pick["reps"] = len(runs)
        pick["p99_reps"] = [r["latency_ms"]["p99"] for r in ok]
        summary.setdefault(suite, []).append(pick)
    return summary


def table(runs: list[dict[str, Any]]) -> str:
    """One row per run with the BENCHMARKS.md figures."""
    head = (
        "| run | N | connected | disc. | p50 ms | p95 ms | p99 ms | max ms | server-added p99 ms "
        "| server CPU (cores) | gen. CPU | down B/s/client | up B/s/client | B/update "
        "| updates/client/s | tick p50/p99 ms | overruns | RSS MB |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    rows = []
    for r in runs:
        if "failed" in r:
            rows.append(
                f"| {r['label']} {r['scenario']} | {r['clients']} | failed: {r['failed']} |"
            )
            continue
        lat = r["latency_ms"]
        rows.append(
            f"| {r.get('label') or r.get('transport')} {r['scenario']} | {r['clients']} "
            f"| {r['clients_connected']} | {r['disconnects']} | {_f(lat['p50'], 0)} "
            f"| {_f(lat['p95'], 0)} | {_f(lat['p99'], 0)} | {_f(lat['max'], 0)} "
            f"| {_f(r['server_added_ms']['p99'])} | {_f(r['server_cpu_cores'], 3)} "
            f"| {_f(r['generator_cpu_cores'], 2)} | {_f(r['bytes_per_client_s']['down'], 0)} "
            f"| {_f(r['bytes_per_client_s']['up'], 0)} | {_f(r['bytes_per_avatar_update'])} "
            f"| {_f(r['updates_per_client_s'])} "
            f"| {_f(r['tick_ms']['p50'], 2)} / {_f(r['tick_ms']['p99'], 2)} | {r['tick_overruns']} "
            f"| {_f(r['server_rss_mb'], 0)} |"
        )
    return head + "\n".join(rows) + "\n"


def write_report(summary: dict[str, Any], out: Path, stamp: str) -> Path:
    """Write summary-<stamp>.md and the plots next to it; return the Markdown path."""
    parts = [f"# Benchmark summary {stamp}\n", f"Last command: `{' '.join(summary['argv'])}`\n"]
    suites = (
        "scaling",
        "one_phase",
        "crowd",
        "transport",
        "naive",
        "slow_reader",
        "churn",
        "capacity",
        "overload",
    )
    for key in suites:
        if summary.get(key):
            parts.append(f"\n## {key}\n\n" + table(summary[key]))
    series = {}
    for key, name in (
        ("scaling", "picows (ours)"),
        ("transport", "FastAPI/uvicorn route (ours)"),
        ("naive", "naive JSON broadcast (picows)"),
    ):
        finished = [r for r in summary.get(key, []) if "failed" not in r]
        if finished:
            series[name] = finished
    if series:
        plot_scaling(series, out / f"scaling-{stamp}.png")
        parts.append(f"\n![scaling](scaling-{stamp}.png)\n")
    for r in summary.get("scaling", []):
        if r["clients"] == 1000 and r.get("timeline"):
            plot_run(r, out / f"hall-walk-1000-{stamp}.png")
            parts.append(f"\n![hall-walk 1000](hall-walk-1000-{stamp}.png)\n")
    md = out / f"summary-{stamp}.md"
    md.write_text("".join(parts))
    return md


def rebuild(folder: Path, argv: list[str]) -> Path:
    """summary.json and a stamped Markdown report with plots, from every run saved in ``folder``."""
    summary = summary_from_results(folder)
    summary["argv"] = argv
    (folder / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return write_report(summary, folder, time.strftime("%Y%m%d-%H%M%S"))


if __name__ == "__main__":
    print(
        rebuild(
            Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "results", sys.argv
        )
    )
