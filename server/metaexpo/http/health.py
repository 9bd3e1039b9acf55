"""Liveness and metrics endpoints."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from metaexpo.http.metrics import render

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Liveness: the service and its tick loop are running")
async def healthz(request: Request) -> dict[str, object]:
    """200 with a small status object while the sync hub is up."""
    hub = request.app.state.hub
    ticking = hub is not None and not hub.shutting_down
    return {
        "status": "ok" if ticking else "starting",
        "clients": hub.connected if hub is not None else 0,
        "rooms": sorted(hub.rooms) if hub is not None else [],
    }


@router.get("/metrics", summary="Prometheus metrics")
async def metrics(request: Request) -> Response:
    """Counters, gauges and histograms in the Prometheus text format."""
    return Response(render(request.app.state.metrics), media_type="text/plain; version=0.0.4")
