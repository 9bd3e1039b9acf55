"""Turn a benchmark summary into Markdown tables and PNG plots (used by run_benchmarks.py).

.venv/bin/python bench/bench_report.py bench/results/summary-<stamp>.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from metaexpo.loadtest.plot import plot_run, plot_scaling


def _f(v: Any, nd: int = 1) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.{nd}f}"
    return str(v)


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
    parts = [f"# Benchmark summary {stamp}\n", f"Command: `{' '.join(summary['argv'])}`\n"]
    suites = (
        "scaling",
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
        if summary.get(key):
            series[name] = summary[key]
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


if __name__ == "__main__":
    path = Path(sys.argv[1])
    write_report(json.loads(path.read_text()), path.parent, path.stem.removeprefix("summary-"))
