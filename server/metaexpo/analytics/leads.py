"""Business cards left at booths, only with consent: keep, withdraw, erase, list, expire.

A visitor sees a consent text that names the exhibitor and the purpose, in
their language (:func:`consent_text`), fills in a card and sends it with the
text's version. The server stores the card with the exact words they agreed
to and returns a withdrawal key that only their browser keeps (the database
holds its SHA-256). At most one card per visitor and booth: a new one
replaces the old (and its key). Withdrawing, a staff erasure on request and
retention all delete the row itself; nothing of the person is kept.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from metaexpo.errors import Invalid
from metaexpo.store import Database
from metaexpo.store.schema import Lead, utcnow

#: The consent text's wording, per language: {exhibitor} and {days} are filled in.
CONSENT: dict[str, str] = {
    "zh": (
        "我同意将这张名片（姓名、单位、职务、电子邮箱或电话、留言）交给展商“{exhibitor}”，"
        "仅用于该展商就其产品、服务和本届展会与我联系。本展会最多保存 {days} 天后删除；"
        "我可以随时在该展位的面板中撤回名片，撤回后展商将不再看到它。"
    ),
    "en": (
        "I agree to give this card (name, organisation, title, email or phone, message) to "
        'the exhibitor "{exhibitor}", only so that they can contact me about their products, '
        "services and this expo. The expo keeps it for at most {days} days and then deletes "
        "it; I can withdraw it at any time from this booth's panel, and the exhibitor will no "
        "longer see it."
    ),
}
#: Field limits of a card (characters).
LIMITS = {
    "name": 100,
    "organisation": 200,
    "title": 100,
    "email": 254,
    "phone": 40,
    "message": 1000,
}
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{4,38}$")
#: Characters a card's one-line fields may not hold (controls, bidi overrides).
_FORBIDDEN = re.compile("[\x00-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def consent_text(exhibitor: str, lang: str, days: int) -> str:
    """The consent a visitor gives to ``exhibitor`` (their name in ``lang``), in ``lang``."""
    return CONSENT["zh" if lang == "zh" else "en"].format(exhibitor=exhibitor, days=days)


def consent_version(text: str) -> str:
    """A short digest that says which consent text a visitor read."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Card:
    """A business card as a visitor fills it in (checked by :func:`check_card`)."""

    name: str
    organisation: str = ""
    title: str = ""
    email: str = ""
    phone: str = ""
    message: str = ""


def check_card(card: Card) -> Card:
    """The card trimmed, or :class:`~metaexpo.errors.Invalid` listing every problem."""
    values = {
        "name": card.name.strip(),
        "organisation": card.organisation.strip(),
        "title": card.title.strip(),
        "email": card.email.strip(),
        "phone": card.phone.strip(),
        "message": card.message.strip(),
    }
    problems: list[dict[str, Any]] = []
    for key, value in values.items():
        if len(value) > LIMITS[key]:
            problems.append({"field": key, "message": f"at most {LIMITS[key]} characters"})
        elif key != "message" and _FORBIDDEN.search(value):
            problems.append({"field": key, "message": "control characters are not allowed"})
    if not values["name"]:
        problems.append({"field": "name", "message": "a name is needed"})
    if not values["email"] and not values["phone"]:
        problems.append({"field": "email", "message": "an email address or a phone number"})
    if values["email"] and not _EMAIL.match(values["email"]):
        problems.append({"field": "email", "message": "not an email address"})
    if values["phone"] and not _PHONE.match(values["phone"]):
        problems.append({"field": "phone", "message": "digits, spaces, +, - and brackets only"})
    if re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", values["message"]):
        problems.append({"field": "message", "message": "control characters are not allowed"})
    if problems:
        detail = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        raise Invalid(f"the card cannot be left: {detail}", problems)
    return Card(**values)


def withdraw_hash(key: str) -> str:
    """What the database keeps of a withdrawal key."""
    return hashlib.sha256(key.encode()).hexdigest()


class LeadBook:
    """The cards left at booths, in the database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def leave(self, booth_id: str, visitor: int, card: Card, lang: str, consent: str) -> str:
        """Keep ``card`` for ``booth_id`` (replacing this visitor's earlier one); returns the
        withdrawal key, shown to the visitor's browser only."""
        card = check_card(card)
        key = secrets.token_urlsafe(24)
        now = utcnow()
        with self.db.transaction() as session:
            lead = session.scalars(
                select(Lead).where(Lead.booth_id == booth_id, Lead.visitor == visitor)
            ).one_or_none()
            if lead is None:
                lead = Lead(id=secrets.token_hex(12), booth_id=booth_id, visitor=visitor)
                lead.created_at = now
                session.add(lead)
            lead.name, lead.organisation, lead.title = card.name, card.organisation, card.title
            lead.email = card.email.lower() or None
            lead.phone = card.phone or None
            lead.message = card.message
            lead.lang = "zh" if lang == "zh" else "en"
            lead.consent = consent
            lead.withdraw_hash = withdraw_hash(key)
            lead.updated_at = now
        return key

    def withdraw(self, key: str) -> str | None:
        """Delete the card this withdrawal key belongs to; its booth id, or None if none."""
        with self.db.transaction() as session:
            lead = session.scalars(
                select(Lead).where(Lead.withdraw_hash == withdraw_hash(key))
            ).one_or_none()
            if lead is None:
                return None
            booth_id = lead.booth_id
            session.delete(lead)
        return booth_id

    def erase(
        self,
        *,
        email: str | None = None,
        phone: str | None = None,
        audit: Callable[[Session, int], None] | None = None,
    ) -> int:
        """Delete every card with this email address or phone number (a person's request);
        ``audit`` records it in the same transaction (given the number deleted)."""
        with self.db.transaction() as session:
            whose = _person(session, email, phone, "delete")
            result = session.execute(delete(Lead).where(whose))
            deleted = int(getattr(result, "rowcount", 0) or 0)
            if audit is not None:
                audit(session, deleted)
            return deleted

    def held(self, *, email: str | None = None, phone: str | None = None) -> list[dict[str, Any]]:
        """What the expo holds of one person (a request to see or erase it): every card with
        this email address or phone number, with everything stored of it."""
        with self.db.reading() as session:
            whose = _person(session, email, phone, "find")
            leads = session.scalars(select(Lead).where(whose).order_by(Lead.created_at)).all()
        return [card_view(lead) for lead in leads]

    def prune(self, before: datetime) -> int:
        """Delete the cards left before ``before`` (retention)."""
        with self.db.transaction() as session:
            result = session.execute(delete(Lead).where(Lead.created_at < before))
            return int(getattr(result, "rowcount", 0) or 0)

    def cards(
        self,
        booth_ids: Sequence[str],
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[dict[str, Any]]:
        """The cards of these booths left in [since, until), oldest first."""
        query = select(Lead).where(Lead.booth_id.in_(list(booth_ids)))
        if since is not None:
            query = query.where(Lead.created_at >= since)
        if until is not None:
            query = query.where(Lead.created_at < until)
        with self.db.reading() as session:
            leads = session.scalars(query.order_by(Lead.created_at, Lead.id)).all()
        return [card_view(lead) for lead in leads]

    def counts(
        self,
        booth_ids: Sequence[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> dict[str, int]:
        """How many cards each booth holds that were left in [since, until)."""
        query = select(Lead.booth_id, func.count(Lead.id))
        if booth_ids is not None:
            query = query.where(Lead.booth_id.in_(list(booth_ids)))
        if since is not None:
            query = query.where(Lead.created_at >= since)
        if until is not None:
            query = query.where(Lead.created_at < until)
        with self.db.reading() as session:
            rows = session.execute(query.group_by(Lead.booth_id))
            return {booth: int(n) for booth, n in rows}

    def times(self, booth_ids: Sequence[str], since: datetime, until: datetime) -> list[datetime]:
        """When each card of these booths was left in the period (for the chart)."""
        query = select(Lead.created_at).where(
            Lead.booth_id.in_(list(booth_ids)), Lead.created_at >= since, Lead.created_at < until
        )
        with self.db.reading() as session:
            return list(session.scalars(query.order_by(Lead.created_at)))


def card_view(lead: Lead) -> dict[str, Any]:
    """Everything kept of one card, as the exports and the console's personal-data page show it."""
    return {
        "id": lead.id,
        "booth": lead.booth_id,
        "name": lead.name,
        "organisation": lead.organisation,
        "title": lead.title,
        "email": lead.email or "",
        "phone": lead.phone or "",
        "message": lead.message,
        "lang": lead.lang,
        "consent": lead.consent,
        "left_at": lead.created_at.isoformat(timespec="seconds"),
        "updated_at": lead.updated_at.isoformat(timespec="seconds"),
    }


def phone_digits(phone: str) -> str:
    """A phone number as compared: its digits, with a leading + if it has one (a card may be
    written "+86 571 8888-0000" or "+86 (571) 88880000"; both are the same number)."""
    text = phone.strip()
    return ("+" if text.startswith("+") else "") + re.sub(r"\D", "", text)


def _person(session: Session, email: str | None, phone: str | None, doing: str) -> Any:
    """The condition that picks one person's cards: this email address, or this phone number
    however it was spaced or punctuated."""
    conditions = []
    if email and email.strip():
        conditions.append(Lead.email == email.strip().lower())
    if phone and phone_digits(phone).lstrip("+"):
        wanted = phone_digits(phone)
        numbers = session.execute(select(Lead.id, Lead.phone).where(Lead.phone.is_not(None)))
        ids = [lead_id for lead_id, number in numbers if phone_digits(number or "") == wanted]
        conditions.append(Lead.id.in_(ids))
    if not conditions:
        raise Invalid(f"say whose data to {doing}: an email address or a phone number")
    return or_(*conditions)
