"""The booth screen's slideshow as a list: at most six pictures, each once, reordered only into
a permutation of what is there, every refusal saying what to do."""

from __future__ import annotations

import pytest

from metaexpo.booths.screens import (
    MAX_SCREEN_IMAGES,
    check_room,
    moved,
    reordered,
    with_added,
    without,
)
from metaexpo.errors import Invalid, NotFound

A, B, C = "a" * 64, "b" * 64, "c" * 64


def test_pictures_are_added_at_the_end_in_the_order_they_came() -> None:
    assert with_added(with_added([], A), B) == [A, B]


def test_a_seventh_picture_is_refused_with_the_limit() -> None:
    full = [f"{i:064x}" for i in range(MAX_SCREEN_IMAGES)]
    with pytest.raises(Invalid) as refused:
        with_added(full, C)
    assert refused.value.problems is not None
    problem = refused.value.problems[0]
    assert problem["code"] == "too_many_screen_images"
    assert problem["limit"] == f"{MAX_SCREEN_IMAGES} images"
    assert "remove one" in problem["message"]
    with pytest.raises(Invalid):
        check_room(full)
    check_room(full[:-1])


def test_the_same_picture_twice_is_refused_naming_where_it_is() -> None:
    with pytest.raises(Invalid) as refused:
        with_added([A, B], B)
    assert refused.value.problems is not None
    assert refused.value.problems[0]["code"] == "duplicate_screen_image"
    assert "screen image 2" in refused.value.message


def test_removing_keeps_the_order_of_the_rest() -> None:
    assert without([A, B, C], B) == [A, C]
    with pytest.raises(NotFound):
        without([A, C], B)


@pytest.mark.parametrize(
    ("sha", "step", "expected"),
    [
        (B, -1, [B, A, C]),
        (B, 1, [A, C, B]),
        (A, -1, [A, B, C]),  # already first: stays
        (C, 1, [A, B, C]),  # already last: stays
        (A, 5, [B, C, A]),
    ],
)
def test_a_picture_moves_within_the_list(sha: str, step: int, expected: list[str]) -> None:
    assert moved([A, B, C], sha, step) == expected


def test_a_new_order_must_name_each_picture_exactly_once() -> None:
    assert reordered([A, B, C], [C, A, B]) == [C, A, B]
    for bad in ([C, A], [C, A, B, B], [A, B, "d" * 64], "ABC", [A, B, 3]):
        with pytest.raises(Invalid) as refused:
            reordered([A, B, C], bad)
        assert refused.value.problems is not None
        assert refused.value.problems[0]["code"] == "bad_screen_order"
