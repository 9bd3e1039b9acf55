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
    else:
        _forum_panel(ax, groups)
    ax = axes[3]
    tick = summary.get("tick")
    if not tick:
        ax.axis("off")
    else:
        kinds = [k for k in ("base", "media", "media-10pct") if k in tick]
        ax.bar(range(len(kinds)), [tick[k]["tick_cpu_ms_p50"] for k in kinds], color="#c2a67a")
        for i, k in enumerate(kinds):
            ax.plot([i] * len(tick[k]["reps"]), tick[k]["reps"], "k.", ms=4)
        ax.set_xticks(range(len(kinds)), kinds, fontsize=8)
        ax.set_title(f"tick CPU p50 (ms), N = {tick['clients']} in process")
    fig.suptitle(f"media benchmarks · {summary['started']}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _forum_panel(ax: Any, groups: dict[str, Any]) -> None:
    """Stage audio p50 / p99 and slide p99 of the forum groups, with their targets."""
    forums = [n for n in groups if groups[n].get("forum")]
    if not forums:
        ax.axis("off")
        return
    x = range(len(forums))
    for offset, key, colour, label in (
        (-0.27, "audio_latency_p50_ms", "#9bc59d", "audio p50"),
        (0.0, "audio_latency_p99_ms", "#3c7d40", "audio p99 (target ≤ 150)"),
        (0.27, "slides_latency_p99_ms", "#c2a67a", "slide p99 (target ≤ 200)"),
    ):
        values = [groups[n]["forum"][key] or 0 for n in forums]
        ax.bar([i + offset for i in x], values, width=0.27, color=colour, label=label)
    ax.axhline(150, color="r", ls="--", lw=1)
    ax.axhline(200, color="r", ls=":", lw=1)
    ax.set_xticks(list(x), forums, rotation=30, ha="right", fontsize=8)
    ax.legend(fontsize=8)
    ax.set_title("forum: stage audio and slides (ms)")
