"""Signed tokens: genuine ones pass; expired, forged, tampered or malformed ones never do."""

from __future__ import annotations

import base64
import json

import pytest

from metaexpo.tokens import MAX_TOKEN_CHARS, TokenSigner

KEY = b"k" * 32


class Clock:
    """A settable clock."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_bearer_token_carries_its_subject_role_and_epoch() -> None:
    signer = TokenSigner(KEY)
    issued = signer.issue("bearer", "user-1", "staff", 60, epoch=3)
    claims = signer.check(issued.token)
    assert claims is not None
    assert (claims.kind, claims.subject, claims.role, claims.epoch) == (
        "bearer",
        "user-1",
        "staff",
        3,
    )


def test_a_token_expires_at_its_ttl() -> None:
    clock = Clock()
    signer = TokenSigner(KEY, clock)
    token = signer.issue("bearer", "u", "exhibitor", 60).token
    clock.now += 59
    assert signer.check(token) is not None
    clock.now += 1
    assert signer.check(token) is None


def test_a_token_signed_with_another_key_is_refused() -> None:
    token = TokenSigner(b"other-key-" * 4).issue("bearer", "u", "staff", 60).token
    assert TokenSigner(KEY).check(token) is None


def test_a_tampered_payload_is_refused_even_if_well_formed() -> None:
    signer = TokenSigner(KEY)
    prefix, payload, signature = signer.issue("bearer", "u", "exhibitor", 60).token.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=="))
    data["r"] = "staff"
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    assert signer.check(f"{prefix}.{forged}.{signature}") is None


@pytest.mark.parametrize(
    "token",
    [
        "",
        "mx1",
        "mx1..",
        "mx1.e30.",
        "mx2.e30.AAAA",
        "a.b.c.d",
        "mx1.!!!.???",
        "x" * (MAX_TOKEN_CHARS + 1),
    ],
)
def test_malformed_tokens_are_refused_without_raising(token: str) -> None:
    assert TokenSigner(KEY).check(token) is None


def test_a_guest_token_is_always_a_visitor_with_a_guest_id() -> None:
    signer = TokenSigner(KEY)
    claims = signer.check(signer.issue_guest(60).token)
    assert claims is not None
    assert claims.kind == "guest" and claims.role == "visitor"
    assert claims.subject.startswith("guest-")


def test_a_guest_token_claiming_staff_is_refused() -> None:
    signer = TokenSigner(KEY)
    assert signer.check(signer.issue("guest", "guest-1", "staff", 60).token) is None
