"""Password hashing (argon2id) and the rules for new passwords."""

from __future__ import annotations

import pytest

from metaexpo.auth.passwords import (
    PasswordRejected,
    check_new_password,
    hash_password,
    needs_rehash,
    verify_password,
)


def test_a_hash_verifies_its_password_only() -> None:
    stored = hash_password("a long enough secret")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "a long enough secret")
    assert not verify_password(stored, "a long enough secreT")
    assert not needs_rehash(stored)


def test_two_hashes_of_one_password_differ_by_their_salt() -> None:
    assert hash_password("same password 1") != hash_password("same password 1")


def test_an_unknown_account_never_verifies() -> None:
    assert not verify_password(None, "anything at all")


def test_a_garbage_stored_hash_does_not_raise() -> None:
    assert not verify_password("not-a-hash", "whatever password")


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("short", "at least 10"),
        ("x" * 300, "longer than"),
        ("aaaaaaaaaaaa", "too few characters"),
        ("ex1@firm.test", "sign-in name"),
    ],
)
def test_weak_new_passwords_are_refused_with_the_reason(password: str, why: str) -> None:
    with pytest.raises(PasswordRejected, match=why):
        check_new_password(password, "ex1@firm.test")
