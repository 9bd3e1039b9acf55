"""The naive baseline the real sync engine is measured against.

Same transport (picows), same join handshake and pose frames, so the load-test
harness drives it unchanged — but none of the design: every pose a client
sends is turned into a JSON message and broadcast to every other client at
once. No coalescing, no tick, no interest management, no binary records.
It answers just enough HTTP for the harness (/api/rooms/<id>, /metrics).

    .venv/bin/python bench/naive_server.py --port 8100 [--catalog scenes]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import uvloop
from picows import (
    WSFrame,
    WSListener,
    WSMsgType,
    WSTransport,
    WSUpgradeRequest,
    WSUpgradeResponse,
    WSUpgradeResponseWithListener,
    ws_create_server,
)
from prometheus_client import CollectorRegistry, ProcessCollector, generate_latest

from metaexpo.protocol.frames import DESKTOP_POSE_IN, VR_POSE_IN
from metaexpo.scenes.catalog import load_catalog


class Naive:
    """All connected clients; every pose goes to all of them as JSON."""

    def __init__(self, room_info: bytes, bounds: dict[str, list[float]]) -> None:
        self.clients: dict[int, WSTransport] = {}
        self.next_id = 1
        self.room_info = room_info
        self.bounds = bounds
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)

    def broadcast(self, sender: int, payload: bytes) -> None:
        if len(payload) == DESKTOP_POSE_IN.itemsize:
            f = np.frombuffer(payload, DESKTOP_POSE_IN)[0]
            msg = {
                "type": "pose",
                "id": sender,
                "p": f["pos"].tolist(),
                "yaw": float(f["yaw"]),
                "pitch": float(f["pitch"]),
                "flags": int(f["flags"]),
            }
        elif len(payload) == VR_POSE_IN.itemsize:
            f = np.frombuffer(payload, VR_POSE_IN)[0]
            msg = {
                "type": "pose",
                "id": sender,
                "p": f["head"].tolist(),
                "q": f["head_q"].tolist(),
                "l": f["left"].tolist(),
                "r": f["right"].tolist(),
                "flags": int(f["flags"]),
            }
        else:
            return
        data = json.dumps(msg).encode()
        for cid, t in self.clients.items():
            if cid != sender:
                t.send(WSMsgType.TEXT, data)


class Client(WSListener):  # type: ignore[misc]
    def __init__(self, naive: Naive) -> None:
        self.naive = naive
        self.id = 0

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        if frame.msg_type == WSMsgType.BINARY and self.id:
            self.naive.broadcast(self.id, frame.get_payload_as_bytes())
        elif frame.msg_type == WSMsgType.TEXT:
            msg = json.loads(frame.get_payload_as_bytes())
            if msg.get("type") == "join" and not self.id:
                self.id = self.naive.next_id
                self.naive.next_id += 1
                self.naive.clients[self.id] = transport
                welcome = {
                    "type": "welcome",
                    "v": 2,
                    "id": self.id,
                    "bounds": self.naive.bounds,
                    "pose": {"position": [0, 1.6, 0], "yaw": 0},
                    "tick_hz": 20,
                }
                transport.send(WSMsgType.TEXT, json.dumps(welcome).encode())
            elif msg.get("type") == "leave":
                transport.send_close()
                transport.disconnect()
        elif frame.msg_type == WSMsgType.CLOSE:
            transport.send_close(frame.get_close_code())
            transport.disconnect()

    def on_ws_disconnected(self, transport: WSTransport) -> None:
        self.naive.clients.pop(self.id, None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--catalog", type=Path, default=Path("scenes"))
    args = parser.parse_args()
    catalog = load_catalog(args.catalog)
    hall = catalog.halls[0]
    bounds = {"min": list(hall.bounds_min), "max": list(hall.bounds_max)}
    info = json.dumps(
        {
            "id": hall.id,
            "bounds": bounds,
            "spawn": list(hall.spawn),
            "points_of_interest": [list(p) for p in catalog.points_of_interest(hall.id)],
            "stages": [list(f.stage.centre) for f in catalog.forum_halls],
        }
    ).encode()
    naive = Naive(info, bounds)

    def route(request: WSUpgradeRequest) -> object:
        path = bytes(request.path).split(b"?")[0]
        if path == b"/ws":
            return Client(naive)
        if path.startswith(b"/api/rooms/"):
            r = WSUpgradeResponse.create_ok_response(naive.room_info)
            r.headers["Content-Type"] = "application/json"
            return WSUpgradeResponseWithListener(r, None)
        if path == b"/metrics":
            r = WSUpgradeResponse.create_ok_response(generate_latest(naive.registry))
            return WSUpgradeResponseWithListener(r, None)
        return None

    async def serve() -> None:
        server = await ws_create_server(route, "127.0.0.1", args.port, max_frame_size=8192)
        print(f"naive baseline on http://127.0.0.1:{args.port}", flush=True)
        await server.serve_forever()

    uvloop.run(serve())


if __name__ == "__main__":
    main()
