"""Exports: the reach figures of a period (JSON, CSV) and an exhibitor's cards (JSON, CSV).

The figures' JSON object is what ``metaexpo analytics export --json`` prints
and what the load-test harness's ground truth is compared with:
``booths.<booth id>`` carries ``visits``, ``unique_visitors``, ``dwell_s``,
``panel_opens`` and ``leads`` (and more), over minutes [since, until).

CSV files open in spreadsheet programs as they are: UTF-8 with a byte-order
mark (so Chinese shows right), one header row, and every text cell that a
spreadsheet would take for a formula (starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) prefixed with an apostrophe, which the
programs show as text and never run (OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from metaexpo.analytics.leads import LeadBook
from metaexpo.analytics.store import AreaTotals, ReachStore

#: A byte-order mark: spreadsheet programs read the file as UTF-8 only with it.
BOM = "\ufeff"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Columns of the figures CSV (one row per booth), in order.
FIGURE_COLUMNS = (
    "booth",
    "visits",
    "unique_visitors",
    "dwell_s",
    "panel_opens",
    "link_clicks",
    "leads",
    "peak",
)
#: Columns of the cards CSV, in order.
CARD_COLUMNS = (
    "booth",
    "name",
    "organisation",
    "title",
    "email",
    "phone",
    "message",
    "lang",
    "left_at",
    "consent",
)


def safe_cell(value: object) -> str:
    """A value as a CSV cell that no spreadsheet runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def to_csv(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> str:
    """Rows as CSV text with a BOM, a header and formula-safe cells."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(row.get(column, "")) for column in columns])
    return out.getvalue()


def minute_of(at: datetime) -> int:
    """Minutes since the epoch of a timezone-aware datetime."""
    assert at.tzinfo is not None, "aware datetimes only"
    return int(at.timestamp() // 60)


def time_of(minute: int) -> datetime:
    """The start of a minute as a UTC datetime."""
    return datetime.fromtimestamp(minute * 60, UTC)


def figures(
    store: ReachStore,
    leads: LeadBook,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    booths: Sequence[str] | None = None,
    booth_ids: Sequence[str] = (),
    hall_ids: Sequence[str] = (),
) -> dict[str, Any]:
    """The reach of a period as one JSON-able object (see the module docstring).

    ``booth_ids`` lists every booth of the catalog (each gets an entry, zeros
    included); ``booths`` narrows the export to some of them; ``hall_ids`` get
    their unique visitors (everyone who came into the hall in the period).
    """
    start = None if since is None else minute_of(since)
    end = None if until is None else minute_of(until)
    wanted = list(booths) if booths is not None else list(booth_ids)
    totals = store.totals("booth", start, end, wanted)
    cards = leads.counts(wanted, since, until)
    booth_rows: dict[str, Any] = {}
    for booth_id in wanted:
        row = totals.get(booth_id, AreaTotals()).as_dict()
        row["leads"] = cards.get(booth_id, 0)
        booth_rows[booth_id] = row
    span = store.minutes_with_data()
    data = None
    if span is not None:
        data = {
            "first_minute": time_of(span[0]).isoformat(),
            "last_minute": time_of(span[1]).isoformat(),
        }
    return {
        "since": None if since is None else since.isoformat(),
        "until": None if until is None else until.isoformat(),
        "data": data,
        "halls": {
            hall: {"unique_visitors": store.unique_visitors("hall", hall, start, end)}
            for hall in hall_ids
        },
        "booths": booth_rows,
        "zones": {
            zone: t.as_dict() for zone, t in sorted(store.totals("zone", start, end).items())
        },
        "forums": {
            sid: t.as_dict() for sid, t in sorted(store.totals("forum", start, end).items())
        },
        "flows": [
            {"from": a, "to": b, "visitors": n}
            for (a, b), n in sorted(store.flows(start, end).items())
        ],
    }


def figures_csv(report: dict[str, Any]) -> str:
    """The booths of :func:`figures` as CSV (one row per booth)."""
    rows = [{"booth": booth_id, **row} for booth_id, row in report["booths"].items()]
    return to_csv(FIGURE_COLUMNS, rows)


def cards_csv(cards: Iterable[dict[str, Any]]) -> str:
    """Cards (:meth:`LeadBook.cards`) as CSV."""
    return to_csv(CARD_COLUMNS, cards)
