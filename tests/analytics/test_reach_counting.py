"""Counting reach from samples: visits, dwell, uniques, events, flows, forums, minutes, peaks."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from metaexpo.analytics.areas import NOWHERE, AreaSet
from metaexpo.analytics.definitions import AREA_MARGIN_M, OPEN_REPEAT_S, VISIT_MIN_S, booth_area
from metaexpo.analytics.service import Batch, Reach
from metaexpo.analytics.uniques import ExactUniques
from tests.analytics.layouts import Crowd, layout

START = 1_800_000_000.0  # a whole minute (30,000,000 minutes since the epoch)


class Clocks:
    """A monotonic and a wall clock that move together, by hand."""

    def __init__(self, wall: float = START) -> None:
        self.mono = 100.0
        self.wall = wall

    def tick(self, seconds: float = 1.0) -> None:
        self.mono += seconds
        self.wall += seconds


def make_reach(clocks: Clocks) -> tuple[Reach, ExactUniques]:
    uniques = ExactUniques()
    reach = Reach(
        {"main": layout()},
        "test-run",
        uniques,
        lambda wall: "day",
        clock=lambda: clocks.mono,
        wall=lambda: clocks.wall,
    )
    return reach, uniques


def run(reach: Reach, crowd: Crowd, clocks: Clocks, seconds: int) -> None:
    """Sample once a second for ``seconds`` seconds."""
    for _ in range(seconds):
        reach.sample({"main": crowd})
        clocks.tick()


def booth_rows(batch: Batch) -> dict[str, dict[str, object]]:
    """The booth figures of a batch, summed over minutes."""
    out: dict[str, dict[str, object]] = {}
    for m in batch.minutes:
        if m.kind != "booth":
            continue
        row = out.setdefault(m.area, {"visits": 0, "dwell_s": 0.0, "opens": 0, "hist": None})
        row["visits"] = int(row["visits"]) + m.figures.visits  # type: ignore[call-overload]
        row["dwell_s"] = float(row["dwell_s"]) + m.figures.dwell_s  # type: ignore[arg-type]
        row["opens"] = int(row["opens"]) + m.figures.panel_opens  # type: ignore[call-overload]
    return out


def test_a_stay_of_a_few_seconds_is_a_visit_and_its_whole_time_is_dwell() -> None:
    clocks = Clocks()
    reach, uniques = make_reach(clocks)
    crowd = Crowd()
    crowd.put(1, 111, 0.0, 0.0)  # at booth b2
    run(reach, crowd, clocks, 8)
    crowd.put(1, 111, 0.0, -15.0)  # away from every booth
    run(reach, crowd, clocks, 2)
    rows = booth_rows(reach.batch())
    assert rows["b2"]["visits"] == 1
    assert rows["b2"]["dwell_s"] == pytest.approx(8.0)
    assert asyncio.run(uniques.counts(["day:booth:b2"])) == {"day:booth:b2": 1}


def test_a_stalled_sampler_credits_the_whole_gap_and_reports_it_as_the_longest() -> None:
    clocks = Clocks()
    reach, _ = make_reach(clocks)
    crowd = Crowd()
    crowd.put(1, 111, 0.0, 0.0)  # at booth b2
    run(reach, crowd, clocks, 4)
    clocks.tick(2.5)  # the loop stalled: one gap of 3.5 s between samples
    run(reach, crowd, clocks, 2)
    crowd.put(1, 111, 0.0, -15.0)
    run(reach, crowd, clocks, 1)
    # Samples at 100 to 103, 106.5 and 107.5 in the booth, the first crediting one period.
    assert booth_rows(reach.batch())["b2"]["dwell_s"] == pytest.approx(8.5)
    assert reach.longest_gap_s == pytest.approx(3.5)


def test_walking_past_a_booth_counts_nothing() -> None:
    clocks = Clocks()
    reach, _ = make_reach(clocks)
    crowd = Crowd()
    crowd.put(1, 111, 0.0, 0.0)
    run(reach, crowd, clocks, int(VISIT_MIN_S) - 1)
    crowd.put(1, 111, 0.0, -15.0)
    run(reach, crowd, clocks, 3)
    row = booth_rows(reach.batch())["b2"]  # it was there: occupancy, not a visit
    assert (row["visits"], row["dwell_s"]) == (0, 0.0)


def test_two_visits_of_one_visitor_are_two_visits_and_one_unique() -> None:
    clocks = Clocks()
    reach, uniques = make_reach(clocks)
    crowd = Crowd()
    for _ in range(2):
        crowd.put(1, 111, 0.0, 0.0)
        run(reach, crowd, clocks, 6)
        crowd.put(1, 111, -20.0, 0.0)  # at b1 meanwhile
        run(reach, crowd, clocks, 6)
    rows = booth_rows(reach.batch())
    assert rows["b2"]["visits"] == 2
    assert rows["b1"]["visits"] == 2
    counts = asyncio.run(uniques.counts(["day:booth:b2", "day:hall:main"]))
    assert counts == {"day:booth:b2": 1, "day:hall:main": 1}


def test_a_row_taken_by_someone_new_ends_the_old_stay_and_starts_a_new_one() -> None:
    clocks = Clocks()
    reach, uniques = make_reach(clocks)
    crowd = Crowd()
    crowd.put(1, 111, 0.0, 0.0)
    run(reach, crowd, clocks, 6)
    crowd.put(1, 222, 0.0, 0.0)  # the row reused by another visitor, same spot
    run(reach, crowd, clocks, 3)
    batch = reach.batch()
    assert booth_rows(batch)["b2"]["visits"] == 1  # the newcomer has stayed 3 s only
    assert asyncio.run(uniques.counts(["day:hall:main"])) == {"day:hall:main": 2}
    assert {(k, a, v) for k, a, _, v in batch.visitors if k == "booth"} == {("booth", "b2", 111)}


def test_a_dropped_visitor_who_resumes_keeps_one_stay() -> None:
    clocks = Clocks()
    reach, _ = make_reach(clocks)
    crowd = Crowd()
    crowd.put(1, 111, 0.0, 0.0)
    run(reach, crowd, clocks, 3)
    crowd.hold(1)  # connection dropped; the avatar waits for a resume
    run(reach, crowd, clocks, 4)
    crowd.put(1, 111, 0.0, 0.0)  # resumed, still there
    run(reach, crowd, clocks, 3)
    rows = booth_rows(reach.batch())
    assert rows["b2"]["visits"] == 1
    assert rows["b2"]["dwell_s"] == pytest.approx(6.0)  # the 4 s away are not dwell


def test_a_visitor_who_leaves_mid_visit_keeps_the_visit_and_its_dwell() -> None:
    clocks = Clocks()
    reach, _ = make_reach(clocks)
    crowd = Crowd()
    crowd.put(1, 111, 0.0, 0.0)
    run(reach, crowd, clocks, 7)
    crowd.leave(1)
    run(reach, crowd, clocks, 2)
    batch = reach.batch()
    assert booth_rows(batch)["b2"]["visits"] == 1
    hist = next(m.figures.dwell_hist for m in batch.minutes if m.area == "b2")
    assert hist[0] == 1  # one finished visit shorter than 15 s


def test_dwell_is_credited_to_the_minute_of_each_sample() -> None:
    clocks = Clocks(START + 50)
    reach, _ = make_reach(clocks)
    crowd = Crowd()
    crowd.put(1, 111, 0.0, 0.0)
    run(reach, crowd, clocks, 20)  # 10 s in one minute, 10 s in the next
    batch = reach.batch()
    by_minute = {m.minute: m.figures for m in batch.minutes if m.area == "b2"}
    first, second = sorted(by_minute)
    assert second == first + 1
    assert by_minute[first].visits == 1 and by_minute[first].dwell_s == pytest.approx(10.0)
    assert by_minute[second].visits == 0 and by_minute[second].dwell_s == pytest.approx(10.0)


def test_a_batch_written_is_not_written_again_but_the_current_minute_is() -> None:
    clocks = Clocks(START + 55)
    reach, _ = make_reach(clocks)
    crowd = Crowd()
    crowd.put(1, 111, 0.0, 0.0)
    run(reach, crowd, clocks, 10)
    first = reach.batch()
    assert {m.minute for m in first.minutes} == {30_000_000, 30_000_001}
    reach.written(first)
    second = reach.batch()
    assert {m.minute for m in second.minutes} == {30_000_001}
    assert second.visitors == []  # uniques go once


def test_a_panel_open_counts_once_per_visitor_and_booth_in_its_window() -> None:
    clocks = Clocks()
    reach, _ = make_reach(clocks)
    assert reach.panel_open(111, "b1")
    assert not reach.panel_open(111, "b1")  # at once again: nothing
    assert reach.panel_open(222, "b1")  # someone else
    assert reach.panel_open(111, "b2")  # another booth
    assert not reach.panel_open(111, "no-such-booth")
    clocks.tick(OPEN_REPEAT_S)
    assert reach.panel_open(111, "b1")
    assert reach.link_click(111, "b1", "https://example.org/a")
    assert not reach.link_click(111, "b1", "https://example.org/a")
    assert reach.link_click(111, "b1", "https://example.org/b")
    rows = {m.area: m.figures for m in reach.batch().minutes if m.kind == "booth"}
    assert rows["b1"].panel_opens == 3
    assert rows["b1"].link_clicks == 2
    assert rows["b2"].panel_opens == 1


def test_moving_from_zone_to_zone_is_a_flow() -> None:
    clocks = Clocks()
    reach, _ = make_reach(clocks)
    crowd = Crowd()
    crowd.put(1, 111, -30.0, -15.0)  # west, away from the booths
    run(reach, crowd, clocks, 6)
    crowd.put(1, 111, 40.0, -15.0)  # east
    run(reach, crowd, clocks, 6)
    crowd.put(1, 111, 45.0, -15.0)  # still east: no new flow
    run(reach, crowd, clocks, 6)
    flows = reach.batch().flows
    assert [(a, b, n) for _, a, b, n in flows] == [("west", "east", 1)]


def test_forum_attendance_counts_only_while_the_session_is_live() -> None:
    clocks = Clocks()
    reach, _ = make_reach(clocks)
    crowd = Crowd()
    crowd.put(1, 111, 0.0, 15.0)  # in the forum hall
    run(reach, crowd, clocks, 6)  # no session yet
    reach.set_forums("main", [("keynote", "forum-a")])
    run(reach, crowd, clocks, 10)
    reach.set_forums("main", [])
    run(reach, crowd, clocks, 6)
    forums = {m.area: m.figures for m in reach.batch().minutes if m.kind == "forum"}
    assert set(forums) == {"keynote"}
    assert forums["keynote"].visits == 1
    assert forums["keynote"].dwell_s == pytest.approx(10.0)
    assert sum(forums["keynote"].dwell_hist) == 1  # the session's end ended the stay


def test_peak_and_live_counts_include_avatars_of_other_nodes_but_visits_do_not() -> None:
    clocks = Clocks()
    reach, _ = make_reach(clocks)
    crowd = Crowd()
    crowd.put(1, 111, 0.0, 0.0)
    crowd.others = [(0.5, 0.5), (1.0, -1.0)]  # two avatars another node serves, at b2
    run(reach, crowd, clocks, 6)
    rows = {m.area: m.figures for m in reach.batch().minutes if m.kind == "booth"}
    assert rows["b2"].peak == 3
    assert rows["b2"].visits == 1
    live = reach.samplers["main"].live
    assert int(live.booth[1]) == 3
    assert int(live.zone_local[0]) == 1


def test_overlapping_areas_go_to_the_nearer_booth() -> None:
    areas = AreaSet.of_booths([("a", (0.0, 4.0), (0.0, 4.0)), ("b", (6.0, 10.0), (0.0, 4.0))])
    x = np.array([4.5, 5.5, 5.0, -2.9, -3.1, 20.0])
    z = np.array([2.0, 2.0, 2.0, 2.0, 2.0, 2.0])
    assert areas.locate(x, z).tolist() == [0, 1, 0, 0, NOWHERE, NOWHERE]


def test_a_booths_area_holds_the_point_in_front_of_it() -> None:
    x0, x1, z0, z1 = booth_area((-2.0, 2.0), (-2.0, 2.0))
    assert (x0, x1, z0, z1) == (-2 - AREA_MARGIN_M, 2 + AREA_MARGIN_M, -5.0, 5.0)
    assert z1 > 2.0 + 2.0  # the catalog's point of interest, 2 m in front


def test_the_heatmap_sums_visitor_seconds_per_square_metre() -> None:
    clocks = Clocks()
    reach, _ = make_reach(clocks)
    crowd = Crowd()
    crowd.put(1, 111, 0.5, 0.5)
    crowd.put(2, 222, 0.7, 0.2)
    run(reach, crowd, clocks, 3)
    figures = reach.samplers["main"].current
    assert figures is not None
    tenths = figures.heat.tenths()
    grid = figures.heat.grid
    cell = int(grid.cells_of(np.array([0.5]), np.array([0.5]))[0])
    assert tenths[cell] == 60  # two visitors × 3 s
    assert tenths.sum() == 60


def nearest_area(areas: AreaSet, x: float, z: float, enabled: list[bool] | None) -> int:
    """The rule, one point and every area at a time: nearest rectangle within the margin,
    the first on a tie."""
    best, best_d = NOWHERE, float("inf")
    for i, (x0, x1, z0, z1) in enumerate(areas.rects.tolist()):
        if enabled is not None and not enabled[i]:
            continue
        d = max(x0 - x, x - x1, z0 - z, z - z1, 0.0)
        if d <= areas.margin and d < best_d:
            best, best_d = i, d
    return best


@pytest.mark.parametrize("margin", [0.0, AREA_MARGIN_M])
def test_locating_by_nearby_squares_answers_as_testing_every_area(margin: float) -> None:
    rng = np.random.default_rng(5)
    corners = rng.uniform(-60, 60, (40, 2))
    sizes = rng.uniform(0.5, 14, (40, 2))
    rects = [(x, x + w, z, z + d) for (x, z), (w, d) in zip(corners, sizes, strict=True)]
    areas = AreaSet.of([(f"a{i}", r) for i, r in enumerate(rects)], margin)
    grown = areas.rects + np.array([-margin, margin, -margin, margin])
    # Random points, and points on every grown edge and corner (where rounding could bite).
    x = np.concatenate([rng.uniform(-80, 80, 3000), grown[:, 0], grown[:, 1], grown[:, 1]])
    z = np.concatenate([rng.uniform(-80, 80, 3000), grown[:, 2], grown[:, 3], grown[:, 2]])
    enabled = (rng.random(40) < 0.6).tolist()
    for mask in (None, enabled):
        got = areas.locate(x, z, None if mask is None else np.array(mask)).tolist()
        want = [nearest_area(areas, px, pz, mask) for px, pz in zip(x, z, strict=True)]
        assert got == want
