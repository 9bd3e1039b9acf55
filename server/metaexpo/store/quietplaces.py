"""Staff's voice-free places, kept in the database: saved on each change, loaded at start.

The rooms apply them (``Room.set_quiet_places``) and tell the other nodes over the bus as
they change; this keeps them for a node that starts later and across restarts.
"""

from __future__ import annotations

from sqlalchemy import select

from metaexpo.roles import Principal
from metaexpo.store.audit import Action, record
from metaexpo.store.database import Database
from metaexpo.store.schema import QuietPlace, utcnow

#: A quiet area: (x0, x1, z0, z1) in metres.
Area = tuple[float, float, float, float]


def save_quiet_places(
    db: Database, room: str, hall: bool, zones: dict[str, Area], staff: Principal
) -> None:
    """Replace ``room``'s voice-free places, and record who did it in the audit log."""
    with db.transaction() as session:
        row = session.get(QuietPlace, room)
        if row is None:
            row = QuietPlace(room=room)
            session.add(row)
        row.hall = hall
        row.zones = {name: list(area) for name, area in zones.items()}
        row.updated_at = utcnow()
        row.updated_by = staff.describe()
        record(session, staff, Action.VOICE_QUIET, room, hall=hall, zones=sorted(zones))


def saved_quiet_places(db: Database) -> dict[str, tuple[bool, dict[str, Area]]]:
    """Every room's saved voice-free places: room → (whole hall, named areas)."""
    with db.reading() as session:
        rows = session.scalars(select(QuietPlace)).all()
        return {
            row.room: (
                row.hall,
                {str(name): _area(area) for name, area in dict(row.zones).items()},
            )
            for row in rows
        }


def _area(values: list[float]) -> Area:
    x0, x1, z0, z1 = (float(v) for v in values)
    return x0, x1, z0, z1
