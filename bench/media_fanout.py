"""Media inside the pose frames, or in frames of their own? The send cost of each, measured.

The tick can hand each listener its media in two ways:

* **inline** (what the server does): the media section rides at the end of
  the DELTA/KEYFRAME the listener gets anyway: one send per listener;
* **separate**: the pose frame unchanged plus a media frame of its own: two
  sends per listener (the design issue 10 asks to compare against).

This opens N real picows WebSocket connections on loopback (readers in a
process of their own, pinned to the other core), then times rounds of
fan-out over all N, alternating the two ways: the server-side CPU per
round (process time) and the wall time of the loop. Frames are sized like a
forum: a ~380-byte pose delta and one stage speaker's 50 ms of Opus (2.5
chunks of ~70 bytes, 8-byte record heads).

    .venv/bin/python bench/media_fanout.py --clients 1000 --rounds 200 --json out.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import statistics
import time
from typing import Any

from picows import WSFrame, WSListener, WSMsgType, WSTransport, ws_connect, ws_create_server

from metaexpo.protocol.frames import (
    MediaStream,
    MsgType,
    encode_pose_frame,
    media_record,
    media_section,
    with_media,
)

SERVER_CORE, CLIENT_CORE = 0, 1


class Sink(WSListener):
    """A reader that drops every frame."""

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        if frame.msg_type == WSMsgType.CLOSE:
            transport.disconnect()


def readers(port: int, n: int, ready: Any) -> None:
    """Child process: open ``n`` connections and read until the server closes them."""
    os.sched_setaffinity(0, {CLIENT_CORE})

    async def main() -> None:
        conns = [await ws_connect(Sink, f"ws://127.0.0.1:{port}/") for _ in range(n)]
        ready.set()
        await asyncio.gather(*(t.wait_disconnected() for t, _ in conns))

    asyncio.run(main())


class Collector(WSListener):
    """Server side of one connection: remembers its transport."""

    def __init__(self, transports: list[WSTransport]) -> None:
        self.transports = transports

    def on_ws_connected(self, transport: WSTransport) -> None:
        self.transports.append(transport)


def frames() -> tuple[bytes, bytes, bytes]:
    """(pose delta without media, the same with media inline, a media-only frame)."""
    delta = encode_pose_frame(MsgType.DELTA, 1000, 50_000, b"\x00" * 12 * 30, b"")
    chunks = [media_record(7, 1, MediaStream.STAGE, k, b"\x5a" * 70) for k in range(3)]
    section = media_section(chunks)
    inline = with_media(delta, section)
    # A media frame of its own: the 10-byte header and the same section.
    separate = delta[:10] + section
    return delta, inline, separate


async def run(clients: int, rounds: int) -> dict[str, Any]:
    os.sched_setaffinity(0, {SERVER_CORE})
    transports: list[WSTransport] = []
    server = await ws_create_server(lambda _r: Collector(transports), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    ready = mp.get_context("spawn").Event()
    child = mp.get_context("spawn").Process(target=readers, args=(port, clients, ready))
    child.start()
    while not ready.is_set() or len(transports) < clients:
        await asyncio.sleep(0.05)
    delta, inline, separate = frames()
    cpu: dict[str, list[float]] = {"inline": [], "separate": []}
    wall: dict[str, list[float]] = {"inline": [], "separate": []}
    for r in range(rounds * 2):
        way = "inline" if r % 2 == 0 else "separate"
        sends = [t.send for t in transports]
        c0, w0 = time.process_time(), time.perf_counter()
        if way == "inline":
            for send in sends:
                send(WSMsgType.BINARY, inline)
        else:
            for send in sends:
                send(WSMsgType.BINARY, delta)
                send(WSMsgType.BINARY, separate)
        cpu[way].append(time.process_time() - c0)
        wall[way].append(time.perf_counter() - w0)
        await asyncio.sleep(0.025)  # the readers drain between rounds, as between ticks
    for t in transports:
        t.send_close()
        t.disconnect()
    server.close()
    child.join(30)

    def us(values: list[float]) -> float:
        return round(statistics.median(values) / clients * 1e6, 3)

    return {
        "clients": clients,
        "rounds_each": rounds,
        "frame_bytes": {"inline": len(inline), "delta": len(delta), "media": len(separate)},
        "cpu_us_per_listener": {k: us(v) for k, v in cpu.items()},
        "wall_us_per_listener": {k: us(v) for k, v in wall.items()},
        "separate_over_inline_cpu": round(
            statistics.median(cpu["separate"]) / statistics.median(cpu["inline"]), 3
        ),
        "loadavg_before": os.getloadavg(),
        "method": "N real picows connections on loopback, readers pinned to the other core; "
        "rounds alternate the two ways; median server CPU (process time) per round / N.",
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    result = asyncio.run(run(args.clients, args.rounds))
    result["loadavg_after"] = os.getloadavg()
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        with open(args.json, "w") as fh:
            fh.write(text + "\n")


if __name__ == "__main__":
    main()
