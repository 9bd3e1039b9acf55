"""The ``booth-tour`` benchmark: do the reach figures the server stores match what the bots did?

Bots tour booths on a seeded plan (``metaexpo loadtest --scenario booth-tour``): walk there,
stay a set time, open the panel, sometimes leave a card. The harness writes its own ground
truth; once the servers have stopped (a clean stop writes the current minute),
``metaexpo analytics export --json`` prints the stored figures for the same period. Visits,
unique visitors, panel opens and cards must be equal booth by booth, dwell within 2 %
(BENCHMARKS.md; :func:`metaexpo.loadtest.truth.compare`). Two set-ups, the product's
defaults otherwise (reach sampled once a second, written every 10 s):

* ``one-node``: one server on SQLite;
* ``three-nodes``: three servers sharing Redis (live uniques, the bus) and a throwaway
  PostgreSQL (the figures), bots spread over them and hopping between them mid-tour.

    PYTHONPATH=server .venv/bin/python bench/booth_tour.py       # 2,000 on one, 600 on three
    PYTHONPATH=server .venv/bin/python bench/booth_tour.py --one-node 200 --three-nodes 0

Servers (and Redis, PostgreSQL) are pinned to core 0, the generator to core 1 (its CPU is
reported). Writes ``bench/results/booth-tour-<stamp>.json``. Loopback only; stops by itself.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from run_multinode import PY, RESULTS, node, pinned_postgres, redis_server  # noqa: E402

from metaexpo.loadtest.promtext import parse  # noqa: E402
from metaexpo.loadtest.runner import machine  # noqa: E402
from metaexpo.loadtest.truth import compare, dwell_error  # noqa: E402

#: What a stay's dwell may be off by, beyond the sampler's longest gap: one tick (20 Hz) for
#: the pose to be applied before a sample can see it.
TICK_PERIOD = 1 / 20
COUNTS = ("visits", "unique_visitors", "panel_opens", "leads")


def sample_gap(url: str) -> float:
    """The longest gap between two reach samples this server has seen (seconds)."""
    text = httpx.get(f"{url}/metrics", timeout=10).text
    return parse(text).total("metaexpo_reach_sample_gap_max_seconds")


def tour(urls: list[str], clients: int, duration: float, seed: int, out: Path) -> dict[str, Any]:
    """The harness, pinned to the generator core; its JSON report."""
    args = ["taskset", "-c", "1", PY, "-m", "metaexpo", "loadtest", "--scenario", "booth-tour"]
    for url in urls:
        args += ["--url", url]
    args += ["--clients", str(clients), "--duration", str(duration)]
    args += ["--ramp", str(max(2.0, clients / 150)), "--seed", str(seed)]
    args += ["--json", str(out), "--quiet", "--procs", "1"]
    subprocess.run(args, cwd=ROOT, check=True, timeout=duration + 600)
    report: dict[str, Any] = json.loads(out.read_text())
    return report


def export(data_dir: Path, database_url: str | None) -> dict[str, Any]:
    """``metaexpo analytics export --json`` as an operator would run it."""
    args = [PY, "-m", "metaexpo", "analytics", "export", "--json", "--data-dir", str(data_dir)]
    if database_url:
        args += ["--database-url", database_url]
    done = subprocess.run(args, cwd=ROOT, check=True, capture_output=True, text=True, timeout=300)
    figures: dict[str, Any] = json.loads(done.stdout)
    return figures


def totals(figures: dict[str, Any], name: str) -> float:
    """One figure summed over every booth."""
    return float(sum(row[name] for row in figures["booths"].values()))


def run(setup: str, clients: int, duration: float, seed: int) -> dict[str, Any]:
    """One set-up: tour, stop the servers (each writes its current minute), export, compare."""
    tmp = Path(tempfile.mkdtemp(prefix=f"tour-{setup}-"))
    names = ["n1"] if setup == "one-node" else ["n1", "n2", "n3"]
    with contextlib.ExitStack() as shared_parts:
        database = None
        shared: tuple[str, ...] = ()
        if len(names) > 1:
            database = shared_parts.enter_context(pinned_postgres())
            redis_url = shared_parts.enter_context(redis_server(tmp))
            shared = ("--redis-url", redis_url, "--database-url", database)
            shared += ("--secret-key", secrets.token_urlsafe(32))
        with contextlib.ExitStack() as nodes:
            urls = [nodes.enter_context(node(tmp, name, *shared)) for name in names]
            report = tour(urls, clients, duration, seed, tmp / "run.json")
            gap = max(sample_gap(url) for url in urls)
        figures = export(tmp / "n1", database)
    truth = report["ground_truth"]
    problems = compare(truth, figures, gap + TICK_PERIOD)
    # Counted where no bot went: compare() reads the truth's booths; look at the others too.
    problems += [
        f"{booth}: {row['visits']} visits exported where no bot went"
        for booth, row in figures["booths"].items()
        if booth not in truth["booths"] and row["visits"]
    ]
    return {
        "setup": setup,
        "nodes": len(names),
        "clients": clients,
        "duration_s": duration,
        "matches": not problems,
        "problems": problems[:50],
        "figures": {
            name: {"truth": totals(truth, name), "export": totals(figures, name)}
            for name in (*COUNTS, "dwell_s")
        },
        "hall_unique_visitors": {
            "truth": truth["unique_visitors"],
            "export": figures["halls"]["main"]["unique_visitors"],
        },
        "booths_visited": sum(1 for row in truth["booths"].values() if row["visits"]),
        "dwell_error": dwell_error(truth, figures),
        "sample_gap_max_s": round(gap, 3),
        "reach_errors": report["reach_errors"],
        "latency_ms": report["latency_ms"],
        "clients_connected": report["clients_connected"],
        "disconnects": report["disconnects"],
        "server_cpu_cores": report["server_cpu_cores"],
        "generator_cpu_cores": report["generator_cpu_cores"],
    }


def main() -> None:
    """Run the set-ups asked for; write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--one-node", type=int, default=2000, help="bots on one node (0: skip)")
    parser.add_argument("--three-nodes", type=int, default=600, help="bots on three (0: skip)")
    parser.add_argument("--duration", type=float, default=240.0)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    runs: list[dict[str, Any]] = []
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"booth-tour-{time.strftime('%Y%m%d-%H%M%S')}.json"
    for setup, clients in (("one-node", args.one_node), ("three-nodes", args.three_nodes)):
        if not clients:
            continue
        runs.append(run(setup, clients, args.duration, args.seed))
        done = runs[-1]
        print(
            f"{setup}: N={clients} matches={done['matches']} {done['figures']} "
            f"dwell error {done['dwell_error']} p99={done['latency_ms']['p99']} ms",
            flush=True,
        )
        result = {
            "benchmark": "booth-tour ground truth",
            "runs": runs,
            "command": " ".join(["bench/booth_tour.py", *sys.argv[1:]]),
            "machine": machine(),
            "load_average_at_end": os.getloadavg(),
        }
        # Written after each set-up, so one that fails later loses nothing measured.
        path.write_text(json.dumps(result, indent=2) + "\n")
    print(path)


if __name__ == "__main__":
    main()
