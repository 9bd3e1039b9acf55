"""Check a scenes folder from the command line: ``python -m metaexpo.scenes [scenes_dir]``.

Content editors run this after an edit: it prints a one-screen summary when
the catalog loads, or every problem (file, entry, field, line) and exits 2.
"""

from __future__ import annotations

import sys
from pathlib import Path

from metaexpo.scenes.catalog import CatalogError, load_catalog


def main(argv: list[str] | None = None) -> int:
    """Load the catalog named on the command line (default ``scenes``) and report on it."""
    args = sys.argv[1:] if argv is None else argv
    scenes_dir = Path(args[0]) if args else Path("scenes")
    try:
        catalog = load_catalog(scenes_dir)
    except CatalogError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"{catalog.title.zh} · {catalog.title.en}: catalog OK ({catalog.fingerprint[:12]})")
    for zone in catalog.zones:
        booths = catalog.booths_in_zone(zone.id)
        print(f"  {zone.id:<16} {len(booths):>3} booths  {zone.title.zh} · {zone.title.en}")
    for forum in catalog.forum_halls:
        print(f"  forum {forum.id}: {len(forum.seats)} seats")
    if catalog.forum_sessions:
        days = max(session.day for session in catalog.forum_sessions)
        print(f"  agenda: {len(catalog.forum_sessions)} forum sessions over {days} day(s)")
    totals = f"{len(catalog.booths)} booths, {len(catalog.zones)} zones, {len(catalog.halls)} halls"
    print(f"  {totals}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
