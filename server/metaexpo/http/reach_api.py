"""The reach API (``/api/reach``): figures for exhibitors (their booths) and staff (everything).

| method | path | who |
|---|---|---|
| GET | /api/reach/consent/{booth} | anyone: the consent text of a card, zh and en, with versions |
| POST | /api/reach/cards/withdraw | anyone holding a card's withdrawal key |
| GET | /api/reach/booths | signed in: my booths (staff: all) with today's figures |
| GET | /api/reach/booths/{booth} | owner or staff: figures, series, zone average, heatmap, live |
| GET | /api/reach/booths/{booth}/cards | owner or staff: the cards (``?format=csv`` for CSV) |
| GET | /api/reach/overview | staff: occupancy, top booths, flows, hall heatmap, forums |
| GET | /api/reach/export | staff: ``metaexpo analytics export`` over HTTP (json or csv) |
| POST | /api/reach/erase | staff: delete one person's cards (email or phone) |

Visitors (no sign-in) get 401 on every figure; an exhibitor asking for
another's booth gets 403. Periods are ``since``/``until`` (ISO 8601, whole
minutes; default: the expo's day so far). Database work runs in threads.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import numpy as np
from fastapi import APIRouter, Body, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from metaexpo.analytics.export import cards_csv, figures, figures_csv, minute_of, time_of
from metaexpo.analytics.leads import consent_version
from metaexpo.analytics.store import AreaTotals
from metaexpo.errors import Invalid, NotFound
from metaexpo.http.reach_wiring import ReachWiring
from metaexpo.http.security import Caller, Office
from metaexpo.roles import Principal, require_booth_access, require_staff
from metaexpo.store.accounts import booths_of
from metaexpo.store.audit import Action, record

router = APIRouter(prefix="/api/reach", tags=["reach"])

#: How far around a booth its heatmap reaches (metres beyond its area).
HEAT_AROUND_M = 12.0
#: Chart steps (minutes) by the length of the period.
_STEPS = ((180, 5), (24 * 60, 15), (7 * 24 * 60, 60))


def wiring_of(request: Request) -> ReachWiring:
    """The app's reach wiring (opened by the lifespan)."""
    wiring: ReachWiring | None = getattr(request.app.state, "reach", None)
    assert wiring is not None, "the reach wiring is opened by the app's lifespan"
    return wiring


def _period(
    wiring: ReachWiring, since: datetime | None, until: datetime | None
) -> tuple[datetime, datetime]:
    """[since, until) with zones; by default the expo's day so far."""
    zone = ZoneInfo(wiring.catalog.time_zone)
    now = datetime.now(zone)
    start = since or now.replace(hour=0, minute=0, second=0, microsecond=0)
    end = until or now + timedelta(minutes=1)
    start = start if start.tzinfo else start.replace(tzinfo=zone)
    end = end if end.tzinfo else end.replace(tzinfo=zone)
    if end <= start:
        raise Invalid("until must come after since")
    if end - start > timedelta(days=92):
        raise Invalid("a period is at most 92 days long")
    return start, end


def _step(minutes: int) -> int:
    for longest, step in _STEPS:
        if minutes <= longest:
            return step
    return 24 * 60


def _owned(office: Any, principal: Principal) -> list[str] | None:
    """The booths an exhibitor manages (None for staff: every booth)."""
    if principal.is_staff:
        return None
    with office.db.reading() as session:
        return booths_of(session, principal.user_id)


def check_booth(office: Any, principal: Principal, booth_id: str) -> None:
    """404 for a booth the catalog lacks, 403 for an exhibitor's booth that is not theirs."""
    office.editing.booth(booth_id)
    owned = _owned(office, principal)
    require_booth_access(principal, booth_id, owned or ())


@router.get("/consent/{booth_id}", summary="The consent text of a card left at a booth")
def consent(booth_id: str, request: Request, office: Office) -> dict[str, Any]:
    """What a visitor agrees to, in both languages, and the version to send with the card."""
    office.editing.booth(booth_id)
    wiring = wiring_of(request)
    texts = {lang: wiring.consent(booth_id, lang) for lang in ("zh", "en")}
    return {
        "booth": booth_id,
        "retention_days": wiring.settings.leads_retention_days,
        **{lang: {"text": t, "version": consent_version(t)} for lang, t in texts.items()},
    }


class WithdrawBody(BaseModel):
    """A card's withdrawal key, as the server gave it when the card was left."""

    model_config = ConfigDict(extra="forbid")

    key: Annotated[str, Field(min_length=16, max_length=64)]


@router.post("/cards/withdraw", summary="Withdraw a card with its key")
def withdraw(body: WithdrawBody, request: Request) -> dict[str, Any]:
    """Delete the card; ``{"booth": id}`` (``null`` if there was no such card any more)."""
    return {"booth": wiring_of(request).leads.withdraw(body.key)}


def _today_scopes(wiring: ReachWiring, kind: str, areas: list[str]) -> list[str]:
    import time  # noqa: PLC0415 - the one call that needs the clock

    day = wiring.day_of(time.time())
    return [f"{day}:{kind}:{area}" for area in areas]


def _live_booths(wiring: ReachWiring) -> dict[str, int]:
    """Avatars in each booth's area now (hall-wide)."""
    out: dict[str, int] = {}
    reach = wiring.reach
    if reach is None:
        return out
    for sampler in reach.samplers.values():
        counts = sampler.live.booth.tolist()
        for booth_id, n in zip(sampler.layout.booths.ids, counts, strict=False):
            out[booth_id] = int(n)
    return out


@router.get("/booths", summary="My booths with today's figures")
async def my_booths(caller: Caller, request: Request, office: Office) -> dict[str, Any]:
    """Per booth the caller may see: today's visits, uniques, dwell, opens, cards; live count."""
    wiring = wiring_of(request)
    owned = await asyncio.to_thread(_owned, office, caller)
    booths = [b.id for b in wiring.catalog.booths if owned is None or b.id in owned]
    start, end = _period(wiring, None, None)
    report = await asyncio.to_thread(
        figures, wiring.store, wiring.leads, since=start, until=end, booths=booths
    )
    live = _live_booths(wiring)
    return {
        "since": start.isoformat(),
        "until": end.isoformat(),
        "booths": [
            {
                "id": booth_id,
                "name": office.catalog.booth(booth_id).exhibitor.name.model_dump(),
                "zone": office.catalog.booth(booth_id).zone,
                "now": live.get(booth_id, 0),
                **report["booths"][booth_id],
            }
            for booth_id in booths
        ],
    }


def _booth_figures(
    wiring: ReachWiring, booth_id: str, start: datetime, end: datetime
) -> dict[str, Any]:
    """The dashboard of one booth over [start, end) (blocking)."""
    catalog = wiring.catalog
    booth = catalog.booth(booth_id)
    zone_booths = [b.id for b in catalog.booths if b.zone == booth.zone]
    since, until = minute_of(start), minute_of(end) + (1 if end.second or end.microsecond else 0)
    step = _step(until - since)
    store = wiring.store
    totals = store.totals("booth", since, until, [booth_id]).get(booth_id, AreaTotals())
    series = store.series("booth", zone_booths, since, until, step)
    slots = list(range(since, until, step))

    def line(area: str, key: str) -> list[float]:
        values = series.get(area, {})
        return [round(values.get(s, {}).get(key, 0.0), 1) for s in slots]

    mine = {key: line(booth_id, key) for key in ("visits", "dwell_s", "panel_opens")}
    others = len(zone_booths)
    average = {
        key: [
            round(sum(line(b, key)[i] for b in zone_booths) / others, 2) for i in range(len(slots))
        ]
        for key in ("visits", "dwell_s")
    }
    cards = wiring.leads.times([booth_id], start, end)
    card_line = [0] * len(slots)
    for at in cards:
        slot = (minute_of(at) - since) // step
        if 0 <= slot < len(slots):
            card_line[slot] += 1
    layout = wiring.reach.samplers[booth.hall].layout if wiring.reach else None
    heat: dict[str, Any] | None = None
    if layout is not None:
        grid = layout.grid
        summed = store.heat(booth.hall, grid, since, until).reshape(grid.rows, grid.columns)
        number = layout.booths.index(booth_id)
        assert number is not None, "a booth of the hall is in its layout"
        x0, x1, z0, z1 = layout.booths.area(number)
        c0 = max(0, int((x0 - HEAT_AROUND_M - grid.x0) // grid.cell))
        c1 = min(grid.columns, int((x1 + HEAT_AROUND_M - grid.x0) // grid.cell) + 1)
        r0 = max(0, int((z0 - HEAT_AROUND_M - grid.z0) // grid.cell))
        r1 = min(grid.rows, int((z1 + HEAT_AROUND_M - grid.z0) // grid.cell) + 1)
        crop = summed[r0:r1, c0:c1] / 10.0
        heat = {
            "x0": grid.x0 + c0 * grid.cell,
            "z0": grid.z0 + r0 * grid.cell,
            "cell": grid.cell,
            "columns": c1 - c0,
            "rows": r1 - r0,
            "seconds": np.round(crop, 1).tolist(),
            "booth": {"x": list(booth.rect.x), "z": list(booth.rect.z)},
            "area": [x0, x1, z0, z1],
        }
    return {
        "booth": booth_id,
        "zone": booth.zone,
        "zone_booths": others,
        "since": start.isoformat(),
        "until": end.isoformat(),
        "step_minutes": step,
        "totals": {**totals.as_dict(), "leads": len(cards)},
        "series": {
            # In the expo's time zone: the dashboard shows these clock times as they are.
            "t": [time_of(s).astimezone(ZoneInfo(catalog.time_zone)).isoformat() for s in slots],
            **mine,
            "leads": card_line,
            "zone_visits": average["visits"],
            "zone_dwell_s": average["dwell_s"],
        },
        "heat": heat,
    }


@router.get("/booths/{booth_id}", summary="One booth's figures (owner or staff)")
async def booth_figures(
    booth_id: str,
    caller: Caller,
    request: Request,
    office: Office,
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, Any]:
    """Totals, series beside the zone's average, the heatmap around the booth, and now."""
    await asyncio.to_thread(check_booth, office, caller, booth_id)
    wiring = wiring_of(request)
    start, end = _period(wiring, since, until)
    body = await asyncio.to_thread(_booth_figures, wiring, booth_id, start, end)
    uniques = wiring.uniques
    today: dict[str, int] = {}
    if uniques is not None:
        today = await uniques.counts(_today_scopes(wiring, "booth", [booth_id]))
    body["live"] = {
        "now": _live_booths(wiring).get(booth_id, 0),
        "unique_visitors_today": next(iter(today.values()), 0),
        "approximate": bool(uniques is not None and uniques.approximate),
    }
    return body


@router.get("/booths/{booth_id}/cards", summary="The cards left at a booth (owner or staff)")
async def booth_cards(
    booth_id: str,
    caller: Caller,
    request: Request,
    office: Office,
    since: datetime | None = None,
    until: datetime | None = None,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
) -> Response:
    """Every card (withdrawn ones are gone), as JSON or as CSV for spreadsheets."""
    await asyncio.to_thread(check_booth, office, caller, booth_id)
    wiring = wiring_of(request)
    cards = await asyncio.to_thread(wiring.leads.cards, [booth_id], since, until)
    headers = {"Cache-Control": "no-store"}
    if format == "csv":
        headers["Content-Disposition"] = f'attachment; filename="cards-{booth_id}.csv"'
        return Response(cards_csv(cards), media_type="text/csv; charset=utf-8", headers=headers)
    import orjson  # noqa: PLC0415

    body = orjson.dumps({"booth": booth_id, "cards": cards})
    return Response(body, media_type="application/json", headers=headers)


def _overview(wiring: ReachWiring, start: datetime, end: datetime) -> dict[str, Any]:
    since, until = minute_of(start), minute_of(end) + 1
    store = wiring.store
    booths = store.totals("booth", since, until)
    zones = store.totals("zone", since, until)
    forums = store.totals("forum", since, until)
    flows = store.flows(since, until)
    top = sorted(booths.items(), key=lambda kv: (-kv[1].visits, kv[0]))[:10]
    hall_uniques = {
        hall.id: store.unique_visitors("hall", hall.id, since, until)
        for hall in wiring.catalog.halls
    }
    return {
        "since": start.isoformat(),
        "until": end.isoformat(),
        "top_booths": [{"id": b, **t.as_dict()} for b, t in top],
        "zones": {z: t.as_dict() for z, t in zones.items()},
        "forums": {
            sid: {**t.as_dict(), "average_listening_s": round(t.dwell_s / t.unique_visitors, 1)}
            if t.unique_visitors
            else {**t.as_dict(), "average_listening_s": 0.0}
            for sid, t in forums.items()
        },
        "flows": [{"from": a, "to": b, "visitors": n} for (a, b), n in sorted(flows.items())],
        "unique_visitors": hall_uniques,
    }


@router.get("/overview", summary="The whole hall (staff)")
async def overview(caller: Caller, request: Request) -> dict[str, Any]:
    """Live occupancy per zone and forum, the live hall heatmap, and today's top booths, zone
    flows and forum attendance."""
    require_staff(caller)
    wiring = wiring_of(request)
    start, end = _period(wiring, None, None)
    body = await asyncio.to_thread(_overview, wiring, start, end)
    halls: dict[str, Any] = {}
    if wiring.reach is not None:
        for room_id, sampler in wiring.reach.samplers.items():
            live, layout = sampler.live, sampler.layout
            cells = np.bincount(live.cells, minlength=layout.grid.size)
            nonzero = np.flatnonzero(cells)
            halls[room_id] = {
                "at": live.at,
                "visitors": live.hall,
                "zones": dict(zip(layout.zones.ids, live.zone.tolist(), strict=False)),
                "forums": dict(zip(sampler.forums.ids, live.forum.tolist(), strict=False)),
                "grid": layout.grid.describe(),
                # Sparse: [cell number, avatars] for every occupied square metre.
                "heat": np.stack([nonzero, cells[nonzero]], axis=1).tolist(),
                "zone_areas": {
                    z: list(layout.zones.area(i)) for i, z in enumerate(layout.zones.ids)
                },
                "booth_areas": {
                    b: list(layout.booths.area(i)) for i, b in enumerate(layout.booths.ids)
                },
            }
    uniques = wiring.uniques
    today = {}
    if uniques is not None:
        scopes = _today_scopes(wiring, "hall", [h.id for h in wiring.catalog.halls])
        today = await uniques.counts(scopes)
    body["live"] = {
        "halls": halls,
        "unique_visitors_today": sum(today.values()),
        "approximate": bool(uniques is not None and uniques.approximate),
    }
    return body


@router.get("/export", summary="The reach figures of a period (staff)")
async def export(
    caller: Caller,
    request: Request,
    since: datetime | None = None,
    until: datetime | None = None,
    booth: Annotated[list[str] | None, Query()] = None,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
) -> Response:
    """What ``metaexpo analytics export`` prints, for the same period and booths."""
    require_staff(caller)
    wiring = wiring_of(request)
    known = [b.id for b in wiring.catalog.booths]
    for b in booth or []:
        if b not in known:
            raise NotFound(f"no booth {b!r}")
    report = await asyncio.to_thread(
        figures,
        wiring.store,
        wiring.leads,
        since=since,
        until=until,
        booths=booth,
        booth_ids=known,
        hall_ids=[hall.id for hall in wiring.catalog.halls],
    )
    if format == "csv":
        return Response(figures_csv(report), media_type="text/csv; charset=utf-8")
    import orjson  # noqa: PLC0415

    return Response(orjson.dumps(report), media_type="application/json")


class EraseBody(BaseModel):
    """Whose cards to delete: an email address, a phone number, or both."""

    model_config = ConfigDict(extra="forbid")

    email: Annotated[str, Field(max_length=254)] | None = None
    phone: Annotated[str, Field(max_length=40)] | None = None


@router.post("/erase", summary="Delete one person's cards (staff)")
def erase(caller: Caller, request: Request, body: Annotated[EraseBody, Body()]) -> dict[str, int]:
    """Every card with this email address or phone number, on the person's request; the
    audit log records that it was done and how many (not whose data it was)."""
    require_staff(caller)
    return {"deleted": erase_cards(wiring_of(request), caller, body.email, body.phone)}


def erase_cards(wiring: ReachWiring, staff: Principal, email: str | None, phone: str | None) -> int:
    """Delete one person's cards for ``staff`` and audit it in the same transaction (that it was
    done, by whom, how many; never whose data it was). Shared by the API and the console."""

    def audit(session: Any, deleted: int) -> None:
        record(session, staff, Action.CARDS_ERASED, "cards", deleted=deleted)

    return wiring.leads.erase(email=email, phone=phone, audit=audit)
