"""Reach figures and cards in the database, on SQLite and PostgreSQL: idempotent writes, sums
over nodes, exact uniques, retention, withdrawal, erasure, CSV that spreadsheets open safely."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from metaexpo.analytics.export import cards_csv, figures, figures_csv, safe_cell, to_csv
from metaexpo.analytics.figures import AreaRow
from metaexpo.analytics.heat import HeatGrid, pack
from metaexpo.analytics.leads import Card, LeadBook
from metaexpo.analytics.service import Batch, HeatRow, MinuteRow
from metaexpo.analytics.store import ReachStore
from metaexpo.config import Settings
from metaexpo.errors import Invalid
from metaexpo.store import Database, open_database

M = 30_000_000  # a minute number
AT = datetime.fromtimestamp(M * 60, UTC)


@pytest.fixture
def db(tmp_path: Path, database_url: str | None) -> Iterator[Database]:
    database = open_database(Settings(data_dir=tmp_path, database_url=database_url))
    try:
        yield database
    finally:
        database.close()


def batch(run: str, minute: int, visits: int, dwell: float, visitors: list[int]) -> Batch:
    row = AreaRow(visits=visits, dwell_s=dwell, occupancy_s=dwell, peak=visits, panel_opens=1)
    row.dwell_hist[1] = visits
    return Batch(
        run,
        minutes=[MinuteRow(minute, "booth", "b1", "main", row)],
        flows=[(minute, "west", "east", 2)],
        visitors=[("booth", "b1", minute, v) for v in visitors],
    )


def test_writing_a_batch_again_changes_nothing(db: Database) -> None:
    store = ReachStore(db)
    store.write(batch("node-a/1", M, 2, 20.0, [1, 2]))
    store.write(batch("node-a/1", M, 2, 20.0, [1, 2]))
    totals = store.totals("booth")["b1"]
    assert (totals.visits, totals.dwell_s, totals.unique_visitors) == (2, 20.0, 2)
    assert store.flows() == {("west", "east"): 2}


def test_a_later_write_of_the_same_minute_replaces_the_earlier_one(db: Database) -> None:
    store = ReachStore(db)
    store.write(batch("node-a/1", M, 1, 8.0, [1]))
    store.write(batch("node-a/1", M, 3, 30.0, [2, 3]))  # the minute went on
    totals = store.totals("booth")["b1"]
    assert (totals.visits, totals.dwell_s, totals.unique_visitors) == (3, 30.0, 3)


def test_nodes_and_restarts_add_up_and_a_visitor_seen_by_two_counts_once(db: Database) -> None:
    store = ReachStore(db)
    store.write(batch("node-a/1", M, 2, 20.0, [1, 2]))
    store.write(batch("node-b/1", M, 3, 30.0, [2, 3, 4]))
    store.write(batch("node-a/2", M + 1, 1, 9.5, [4]))  # node a restarted
    totals = store.totals("booth")["b1"]
    assert totals.visits == 6
    assert totals.dwell_s == pytest.approx(59.5)
    assert totals.unique_visitors == 4
    assert totals.peak == 3
    assert totals.panel_opens == 3
    assert totals.dwell_hist[1] == 6
    assert store.flows() == {("west", "east"): 6}


def test_a_period_takes_whole_minutes_from_since_up_to_until(db: Database) -> None:
    store = ReachStore(db)
    for minute in range(M, M + 5):
        store.write(batch("n/1", minute, 1, 10.0, [minute]))
    totals = store.totals("booth", M + 1, M + 3)["b1"]
    assert (totals.visits, totals.unique_visitors) == (2, 2)
    series = store.series("booth", ["b1"], M, M + 5, 2)["b1"]
    assert {slot: v["visits"] for slot, v in series.items()} == {M: 2, M + 2: 2, M + 4: 1}


def test_retention_deletes_old_minutes_only(db: Database) -> None:
    store = ReachStore(db)
    store.write(batch("n/1", M, 1, 10.0, [1]))
    store.write(batch("n/1", M + 10, 1, 10.0, [2]))
    assert store.prune(M + 5) == 3  # the minute row, the flow and the visitor of minute M
    totals = store.totals("booth")["b1"]
    assert (totals.visits, totals.unique_visitors) == (1, 1)


def test_heatmaps_of_several_nodes_add_up(db: Database) -> None:
    store = ReachStore(db)
    grid = HeatGrid.covering(-10.0, 10.0, -10.0, 10.0)
    cells = np.zeros(grid.size, np.int64)
    cells[5] = 30
    for run in ("a/1", "b/1"):
        store.write(Batch(run, heat=[HeatRow(M, "main", grid, pack(cells))]))
    summed = store.heat("main", grid, M, M + 1)
    assert summed[5] == 60 and summed.sum() == 60
    other = HeatGrid.covering(-20.0, 20.0, -20.0, 20.0)  # the hall changed: old maps are skipped
    assert store.heat("main", other, M, M + 1).sum() == 0


CARD = Card(
    name="王小明",
    organisation="西湖数字科技",
    title="经理",
    email="Wang@Example.org",
    message="你好",
)


def test_one_card_per_visitor_and_booth_and_a_new_one_replaces_it(db: Database) -> None:
    leads = LeadBook(db)
    first = leads.leave("b1", 111, CARD, "zh", "同意")
    second = leads.leave("b1", 111, Card(name="王小明", phone="+86 138 0000 0000"), "zh", "同意")
    leads.leave("b1", 222, CARD, "en", "I agree")
    leads.leave("b2", 111, CARD, "zh", "同意")
    assert leads.counts(["b1", "b2"]) == {"b1": 2, "b2": 1}
    cards = leads.cards(["b1"])
    assert [c["phone"] for c in cards if c["lang"] == "zh"] == ["+86 138 0000 0000"]
    assert leads.withdraw(first) is None  # the replaced card's key is void
    assert leads.withdraw(second) == "b1"
    assert leads.counts(["b1"]) == {"b1": 1}


def test_a_withdrawn_card_is_gone_from_exports(db: Database) -> None:
    leads = LeadBook(db)
    key = leads.leave("b1", 111, CARD, "zh", "同意")
    leads.leave("b1", 222, Card(name="Ann", email="ann@example.org"), "en", "I agree")
    assert leads.withdraw(key) == "b1"
    assert leads.withdraw(key) is None
    exported = cards_csv(leads.cards(["b1"]))
    assert "王小明" not in exported and "Ann" in exported
    report = figures(ReachStore(db), leads, booth_ids=["b1"])
    assert report["booths"]["b1"]["leads"] == 1


def test_staff_erase_every_card_of_one_person(db: Database) -> None:
    leads = LeadBook(db)
    leads.leave("b1", 111, CARD, "zh", "同意")
    leads.leave("b2", 333, Card(name="W", email="wang@example.org"), "zh", "同意")
    leads.leave("b2", 222, Card(name="Ann", email="ann@example.org"), "en", "I agree")
    held = leads.held(email="wang@EXAMPLE.org")
    assert sorted(card["booth"] for card in held) == ["b1", "b2"]
    assert leads.erase(email=" WANG@example.org ") == 2
    assert leads.counts() == {"b2": 1}
    assert leads.held(email="wang@example.org") == []
    with pytest.raises(Invalid):
        leads.erase()
    with pytest.raises(Invalid):
        leads.held(email=" ", phone="")
    with pytest.raises(Invalid):
        leads.erase(phone="()-")  # no digits: no number


def test_a_phone_number_matches_however_it_is_spaced_or_punctuated(db: Database) -> None:
    leads = LeadBook(db)
    leads.leave("b1", 1, Card(name="Li", phone="+86 571 8888-0000"), "en", "I agree")
    leads.leave("b2", 2, Card(name="Li", phone="+86 (571) 88880000"), "en", "I agree")
    leads.leave("b3", 3, Card(name="Not Li", phone="571 8888 0000"), "en", "I agree")
    assert sorted(c["booth"] for c in leads.held(phone="+8657188880000")) == ["b1", "b2"]
    assert leads.erase(phone=" +86 571 88 88 00 00 ") == 2
    assert leads.counts() == {"b3": 1}


def test_retention_deletes_old_cards(db: Database) -> None:
    leads = LeadBook(db)
    leads.leave("b1", 111, CARD, "zh", "同意")
    assert leads.prune(datetime.now(UTC) - timedelta(days=1)) == 0
    assert leads.prune(datetime.now(UTC) + timedelta(seconds=1)) == 1
    assert leads.counts() == {}


@pytest.mark.parametrize(
    ("card", "field"),
    [
        (Card(name=""), "name"),
        (Card(name="A"), "email"),
        (Card(name="A", email="not-an-address"), "email"),
        (Card(name="A", phone="call me"), "phone"),
        (Card(name="A\u202eB", email="a@b.cn"), "name"),
        (Card(name="A" * 101, email="a@b.cn"), "name"),
    ],
)
def test_a_bad_card_is_refused_naming_the_field(db: Database, card: Card, field: str) -> None:
    with pytest.raises(Invalid) as refused:
        LeadBook(db).leave("b1", 111, card, "en", "I agree")
    assert field in [p["field"] for p in refused.value.problems or []]
    assert LeadBook(db).counts() == {}


def read_csv(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_csv_keeps_chinese_and_neutralises_formulas(db: Database) -> None:
    leads = LeadBook(db)
    nasty = Card(
        name='=HYPERLINK("http://evil.example","点我")',
        organisation="+SUM(1,1)",
        title="-2+3",
        email="a@b.cn",
        message="@cmd|' /C calc'!A0\n第二行",
    )
    leads.leave("b1", 111, nasty, "zh", "同意")
    leads.leave("b1", 222, CARD, "zh", "同意")
    rows = read_csv(cards_csv(leads.cards(["b1"])))
    header, evil, good = rows[0], rows[1], rows[2]
    cell = dict(zip(header, evil, strict=True))
    assert cell["name"] == '\'=HYPERLINK("http://evil.example","点我")'
    assert cell["organisation"] == "'+SUM(1,1)"
    assert cell["title"] == "'-2+3"
    assert cell["message"] == "'@cmd|' /C calc'!A0\n第二行"
    assert dict(zip(header, good, strict=True))["organisation"] == "西湖数字科技"
    # Read back the way a spreadsheet does, every cell is text again after the apostrophe.
    assert all(not c.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for c in row)


def test_tab_and_carriage_return_starts_are_neutralised_too() -> None:
    assert safe_cell("\t=1+1") == "'\t=1+1"
    assert safe_cell("\r=1") == "'\r=1"
    assert safe_cell("plain") == "plain"
    assert safe_cell(12) == "12"
    text = to_csv(["a"], [{"a": "\t=cmd"}])
    assert read_csv(text)[1] == ["'\t=cmd"]


def test_the_figures_export_has_every_booth_and_the_five_ground_truth_names(db: Database) -> None:
    store, leads = ReachStore(db), LeadBook(db)
    store.write(batch("n/1", M, 2, 20.0, [1, 2]))
    leads.leave("b1", 1, CARD, "zh", "同意")
    report = figures(store, leads, booth_ids=["b1", "b2"])
    assert report["booths"]["b2"]["visits"] == 0
    b1 = report["booths"]["b1"]
    assert {k: b1[k] for k in ("visits", "unique_visitors", "dwell_s", "panel_opens", "leads")} == {
        "visits": 2,
        "unique_visitors": 2,
        "dwell_s": 20.0,
        "panel_opens": 1,
        "leads": 1,
    }
    later = figures(store, leads, booth_ids=["b1"], since=AT + timedelta(minutes=1))
    assert later["booths"]["b1"]["visits"] == 0
    rows = read_csv(figures_csv(report))
    assert rows[0][:3] == ["booth", "visits", "unique_visitors"]
    assert rows[1][:3] == ["b1", "2", "2"]
