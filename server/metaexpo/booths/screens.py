"""The booth screen's slideshow: an ordered list of screen images, edited in the draft.

A revision names its screen images by the hash of the stored JPEG, in the
order the screen shows them (after the poster, if there is one). These pure
functions are the list's rules: at most :data:`MAX_SCREEN_IMAGES`, each
picture once (so its hash names it in the routes), reordered only into a
permutation of what is there. Each returns a new list or raises a typed
refusal saying what to do; the caller stores the result.
"""

from __future__ import annotations

from collections.abc import Sequence

from metaexpo.errors import Invalid, NotFound

#: Most pictures one booth screen cycles through (besides the poster).
MAX_SCREEN_IMAGES = 6


def _refuse(message: str, code: str, limit: str | None = None) -> Invalid:
    return Invalid(
        message, [{"code": code, "message": message, "where": "screens", "limit": limit}]
    )


def check_room(screens: Sequence[str]) -> None:
    """:class:`Invalid` if ``screens`` is full (checked before a picture is received, and
    again when it is added)."""
    if len(screens) >= MAX_SCREEN_IMAGES:
        raise _refuse(
            f"the booth screen already shows {len(screens)} images, the most it can; "
            "remove one before adding another",
            "too_many_screen_images",
            f"{MAX_SCREEN_IMAGES} images",
        )


def with_added(screens: Sequence[str], sha: str) -> list[str]:
    """``screens`` with the picture ``sha`` added at the end."""
    if sha in screens:
        raise _refuse(
            f"this picture is already screen image {list(screens).index(sha) + 1}; "
            "choose a different one",
            "duplicate_screen_image",
        )
    check_room(screens)
    return [*screens, sha]


def _position(screens: Sequence[str], sha: str) -> int:
    try:
        return list(screens).index(sha)
    except ValueError:
        raise NotFound(
            f"the draft has no screen image {sha[:12]}…; reload the page to see its images"
        ) from None


def without(screens: Sequence[str], sha: str) -> list[str]:
    """``screens`` without the picture ``sha`` (:class:`NotFound` if it is not there)."""
    position = _position(screens, sha)
    return [*screens[:position], *screens[position + 1 :]]


def moved(screens: Sequence[str], sha: str, step: int) -> list[str]:
    """``screens`` with ``sha`` moved ``step`` places (negative: earlier), kept within the list."""
    position = _position(screens, sha)
    rest = [s for s in screens if s != sha]
    target = min(max(position + step, 0), len(rest))
    return [*rest[:target], sha, *rest[target:]]


def reordered(screens: Sequence[str], order: object) -> list[str]:
    """The pictures of ``screens`` in ``order`` (a list of their hashes, each exactly once)."""
    if not isinstance(order, list) or not all(isinstance(s, str) for s in order):
        raise _refuse("the order must be a list of the screen images' ids", "bad_screen_order")
    if sorted(order) != sorted(screens):
        raise _refuse(
            f"the order must name each of the draft's {len(screens)} screen images exactly once; "
            "reload the page to see them",
            "bad_screen_order",
        )
    return list(order)
