"""What the figures mean: a booth's area, a visit, dwell, a panel open, a lead (docs/analytics.md).

The one place these rules are written down in code. The server's sampler
counts by them and the load-test harness (``booth-tour``) writes its ground
truth by them, so the two can be compared figure for figure.

* A **booth's area** is its footprint grown by :data:`AREA_MARGIN_M` on every
  side: the floor in front of it, where the catalog puts its point of
  interest (:data:`metaexpo.scenes.model.FRONT_DISTANCE` = 2 m out), and a
  metre beyond. Where the areas of two booths overlap, a visitor there belongs
  to the booth whose footprint is nearer (Chebyshev distance), the first in
  catalog order on a tie. Zones and forum halls use their own rectangles.
* A **stay** is an unbroken run of samples of one visitor inside one area
  (a visitor whose connection dropped is not sampled until they resume or
  their avatar goes; that neither breaks nor extends the stay).
* A **visit** is a stay of at least :data:`VISIT_MIN_S` seconds; it is
  counted in the minute it reaches that length. Shorter stays (walking past)
  count for nothing: not a visit, not dwell.
* **Dwell** is the time of visits, all of it (the first seconds too), credited
  to the minute of each sample; its **distribution** counts finished visits
  by length (:data:`DWELL_EDGES_S`).
* A **unique visitor** of an area in a period is a distinct visitor key
  (:mod:`metaexpo.analytics.visitors`) with a visit there in that period.
* A **panel open** (and a **link click**) counts at most once per visitor,
  booth (and link) in :data:`OPEN_REPEAT_S` seconds: reopening a panel at
  once, or a script's flood, adds nothing.
* A **lead** is a business card a visitor left at a booth with consent, at
  most one per visitor and booth (a new one replaces it); a withdrawn card is
  deleted and is no lead.
"""

from __future__ import annotations

#: How far around a booth's footprint its area reaches, in metres (the point in front of a
#: booth is 2 m out; a visitor standing there and looking is well inside).
AREA_MARGIN_M = 3.0
#: The shortest stay in an area that counts as a visit, in seconds.
VISIT_MIN_S = 5.0
#: A panel open or link click repeated within this many seconds counts once.
OPEN_REPEAT_S = 30.0
#: Upper edges of the dwell distribution's bins, in seconds (the last bin is open-ended).
DWELL_EDGES_S: tuple[float, ...] = (15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0)
#: Side of a heatmap cell, in metres.
HEAT_CELL_M = 1.0
#: How often the server samples positions by default (per second).
SAMPLE_HZ = 1.0

#: A rectangle on the floor: (x0, x1, z0, z1) with x0 < x1 and z0 < z1, metres.
Area = tuple[float, float, float, float]


def booth_area(rect_x: tuple[float, float], rect_z: tuple[float, float]) -> Area:
    """The area of a booth whose footprint spans ``rect_x`` × ``rect_z`` (metres)."""
    m = AREA_MARGIN_M
    return (rect_x[0] - m, rect_x[1] + m, rect_z[0] - m, rect_z[1] + m)


def dwell_bin(seconds: float) -> int:
    """The distribution bin of a visit that lasted ``seconds``."""
    for index, edge in enumerate(DWELL_EDGES_S):
        if seconds < edge:
            return index
    return len(DWELL_EDGES_S)


def is_visit(stay_s: float) -> bool:
    """Whether a stay of ``stay_s`` seconds is a visit."""
    return stay_s >= VISIT_MIN_S
