"""PNG plots of load-test results (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def plot_run(report: dict[str, Any], path: Path) -> None:
    """Latency and server CPU over time for one run."""
    tl = [p for p in report["timeline"] if p["latency_p50_ms"] is not None]
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(9, 6), sharex=True)
    ts = [p["t"] for p in tl]
    ax1.plot(ts, [p["latency_p50_ms"] for p in tl], label="p50")
    ax1.plot(ts, [p["latency_p99_ms"] for p in tl], label="p99")
    ax1.set_ylabel("end-to-end latency (ms)")
    ax1.legend()
    ax1.grid(alpha=0.3)
    cpu = [p for p in report["timeline"] if p["server_cpu_cores"] is not None]
    ax2.plot([p["t"] for p in cpu], [p["server_cpu_cores"] for p in cpu], color="tab:red")
    ax2.set_ylabel("server CPU (cores)")
    ax2.set_xlabel("time since start (s)")
    ax2.grid(alpha=0.3)
    fig.suptitle(f"{report['scenario']} · {report['clients']} clients")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_scaling(series: dict[str, list[dict[str, Any]]], path: Path) -> None:
    """CPU per client and p99 latency against N, one line per series (e.g. transports)."""
    fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(15, 4.5))
    for name, unsorted in series.items():
        runs = sorted(unsorted, key=lambda r: r["clients"])
        ns = [r["clients"] for r in runs]
        ax1.plot(ns, [r["server_cpu_cores"] for r in runs], marker="o", label=name)
        ax2.plot(
            ns, [1000 * r["server_cpu_cores"] / r["clients"] for r in runs], marker="o", label=name
        )
        ax3.plot(ns, [r["latency_ms"]["p99"] or float("nan") for r in runs], marker="o", label=name)
    ax1.set_ylabel("server CPU (cores)")
    ax2.set_ylabel("server CPU per client (milli-cores)")
    ax3.set_ylabel("e2e latency p99 (ms)")
    ax3.axhline(60, color="grey", linestyle="--", linewidth=1)
    for ax in (ax1, ax2, ax3):
        ax.set_xlabel("clients (N)")
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
