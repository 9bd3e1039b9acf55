"""The media benchmarks' plot: pose p99 and server CPU per group, voice latency beside them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def plot_media(summary: dict[str, Any], path: Path) -> None:
    """Bars of p99 (every run's as dots) and server CPU per group of runs."""
    groups = summary["groups"]
    names = list(groups)
    fig, axes = plt.subplots(1, 4, figsize=(19, 4.5))
    for ax, key, reps, title in (
        (axes[0], "p99_ms", "p99_reps", "pose e2e p99 (ms)"),
        (axes[1], "server_cpu_cores", "cpu_reps", "server CPU (cores)"),
    ):
        values = [groups[n][key] or 0 for n in names]
        ax.bar(range(len(names)), values, color="#7aa6c2")
        for i, n in enumerate(names):
            ax.plot([i] * len(groups[n][reps]), groups[n][reps], "k.", ms=4)
        ax.set_xticks(range(len(names)), names, rotation=30, ha="right", fontsize=8)
        ax.set_title(title)
    voiced = [n for n in names if groups[n].get("voice", {}).get("latency_p99_ms") is not None]
    ax = axes[2]
    if voiced:
        p50 = [groups[n]["voice"]["latency_p50_ms"] for n in voiced]
        p99 = [groups[n]["voice"]["latency_p99_ms"] for n in voiced]
        x = range(len(voiced))
        ax.bar([i - 0.2 for i in x], p50, width=0.4, label="p50", color="#9bc59d")
        ax.bar([i + 0.2 for i in x], p99, width=0.4, label="p99", color="#3c7d40")
        ax.axhline(100, color="r", ls="--", lw=1, label="target p99 ≤ 100 ms")
        ax.set_xticks(list(x), voiced, rotation=30, ha="right", fontsize=8)
        ax.legend(fontsize=8)
    ax.set_title("voice chunk, speaker → listener (ms)")
    ax = axes[3]
    tick = summary.get("tick")
    if tick:
        kinds = [k for k in ("base", "media", "media-10pct") if k in tick]
        ax.bar(range(len(kinds)), [tick[k]["tick_cpu_ms_p50"] for k in kinds], color="#c2a67a")
        for i, k in enumerate(kinds):
            ax.plot([i] * len(tick[k]["reps"]), tick[k]["reps"], "k.", ms=4)
        ax.set_xticks(range(len(kinds)), kinds, fontsize=8)
    ax.set_title(f"tick CPU p50 (ms), N = {tick['clients'] if tick else '-'} in process")
    fig.suptitle(f"media benchmarks · {summary['started']}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
