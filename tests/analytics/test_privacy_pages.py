"""The console's personal-data page: staff look a person up by email or phone, see the cards the
expo holds of them, and erase them only after confirming; exhibitors and strangers are kept
out, a forged form deletes nothing, and the erasure is audited without naming the person."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from metaexpo.analytics.leads import Card, LeadBook
from metaexpo.store.schema import AuditEntry
from tests.backoffice import EXHIBITOR_PASSWORD, STAFF_LOGIN, STAFF_PASSWORD, Expo, expo_app
from tests.portal.test_portal_pages import hidden, sign_in

BOOTH, OTHER = "retail-01", "retail-02"
PERSON = "chen.jing@example.org"


@pytest.fixture(scope="module")
def expo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with expo_app(tmp_path_factory.mktemp("privacy") / "data") as client:
        api = Expo(client)
        api.exhibitor(api.staff(), "owner@firm.test", [BOOTH])
        client.cookies.clear()
        yield client


@pytest.fixture
def staff(expo: TestClient) -> Iterator[TestClient]:
    """The app in a browser where staff are signed in."""
    expo.cookies.clear()
    sign_in(expo, STAFF_LOGIN, STAFF_PASSWORD)
    yield expo
    expo.cookies.clear()


def leads_of(client: TestClient) -> LeadBook:
    leads: LeadBook = client.app.state.reach.leads  # type: ignore[attr-defined]
    return leads


def leave_cards(client: TestClient) -> None:
    leads = leads_of(client)
    leads.leave(BOOTH, 11, Card(name="陈静", organisation="西湖数字", email=PERSON), "zh", "同意")
    leads.leave(
        OTHER,
        11,
        Card(name="Chen Jing", phone="+86 571 8888 0000", message="Ask me about scans"),
        "en",
        "I agree",
    )
    leads.leave(OTHER, 12, Card(name="Someone Else", email="else@example.org"), "en", "I agree")


def look_up(client: TestClient, **person: str) -> str:
    page = client.get("/staff/privacy?lang=en")
    assert page.status_code == 200
    answer = client.post("/staff/privacy/find", data={"csrf": hidden(page.text, "csrf"), **person})
    assert answer.status_code == 200, answer.text
    return answer.text


def names_listed(page: str) -> list[str]:
    held = page.split('id="held"', 1)[-1] if 'id="held"' in page else ""
    return re.findall(r"<tr><td>[^<]*</td><td>([^<]*)</td>", held)


def test_strangers_are_sent_to_sign_in_and_exhibitors_are_refused(expo: TestClient) -> None:
    expo.cookies.clear()
    answer = expo.get("/staff/privacy", follow_redirects=False)
    assert answer.status_code == 303 and "/portal/login" in answer.headers["location"]
    refused = expo.post("/staff/privacy/erase", data={"email": PERSON}, follow_redirects=False)
    assert refused.status_code == 303
    sign_in(expo, "owner@firm.test", EXHIBITOR_PASSWORD)
    assert expo.get("/staff/privacy").status_code == 403
    assert "/staff/privacy" not in expo.get("/portal/booths").text
    expo.cookies.clear()


def test_staff_see_every_card_of_one_person_and_no_one_elses(staff: TestClient) -> None:
    leave_cards(staff)
    assert "/staff/privacy" in staff.get("/staff").text
    # The phone number as the person says it, punctuated otherwise than on the card.
    by_email = look_up(staff, email=PERSON.upper(), phone="+86 (571) 8888-0000")
    assert sorted(names_listed(by_email)) == ["Chen Jing", "陈静"]
    assert "Someone Else" not in by_email
    assert "Cards the expo holds of this person: 2" in by_email
    # Everything kept of a card is shown: title, message and the consent words they agreed to.
    assert "Ask me about scans" in by_email and "同意" in by_email
    db = staff.app.state.office.db  # type: ignore[attr-defined]
    with db.reading() as session:
        looked = [e for e in session.scalars(select(AuditEntry)) if e.action == "cards_looked_up"]
    assert looked and looked[-1].details == {"found": 2}
    nobody = look_up(staff, email="nobody@example.org")
    assert names_listed(nobody) == [] and "No card holds this email address" in nobody


def test_a_look_up_with_neither_email_nor_phone_says_what_is_missing(staff: TestClient) -> None:
    page = staff.get("/staff/privacy?lang=en")
    answer = staff.post("/staff/privacy/find", data={"csrf": hidden(page.text, "csrf")})
    assert answer.status_code == 422
    assert "an email address or a phone number" in answer.text


def test_erasing_needs_the_confirmation_and_then_deletes_only_that_persons_cards(
    staff: TestClient,
) -> None:
    leave_cards(staff)
    page = look_up(staff, email=PERSON, phone="+86 571 8888 0000")
    form = {"csrf": hidden(page, "csrf"), "email": PERSON, "phone": "+86 571 8888 0000"}
    unconfirmed = staff.post("/staff/privacy/erase", data=form)
    assert unconfirmed.status_code == 422 and "nothing was deleted" in unconfirmed.text
    assert sorted(names_listed(unconfirmed.text)) == ["Chen Jing", "陈静"]
    done = staff.post("/staff/privacy/erase", data={**form, "confirmed": "yes"})
    assert done.status_code == 200 and "Cards deleted: 2." in done.text
    leads = leads_of(staff)
    assert leads.held(email=PERSON, phone="+86 571 8888 0000") == []
    assert [c["name"] for c in leads.held(email="else@example.org")] == ["Someone Else"]
    db = staff.app.state.office.db  # type: ignore[attr-defined]
    with db.reading() as session:
        entries = session.scalars(select(AuditEntry)).all()
        audited = [str(e.details) for e in entries if e.action == "cards_erased"]
    assert audited and all(PERSON not in text and "8888" not in text for text in audited)


def test_a_forged_erase_without_the_form_token_deletes_nothing(staff: TestClient) -> None:
    leads = leads_of(staff)
    leads.leave(BOOTH, 21, Card(name="Kept Safe", email="kept@example.org"), "en", "I agree")
    forged = staff.post(
        "/staff/privacy/erase",
        data={"csrf": "forged", "email": "kept@example.org", "confirmed": "yes"},
    )
    assert forged.status_code == 403
    assert [c["name"] for c in leads.held(email="kept@example.org")] == ["Kept Safe"]


def test_the_page_speaks_chinese(staff: TestClient) -> None:
    page = staff.get("/staff/privacy?lang=zh").text
    assert "个人数据" in page and "查找" in page
