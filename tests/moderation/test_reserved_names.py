"""Reserved names: what reads as staff is refused, look-alikes included; ordinary names pass."""

from __future__ import annotations

import pytest

from metaexpo.moderation.names import ReservedNames, skeleton, words

RULE = ReservedNames()
RULE.set_staff_names(["Ada Lovelace", "王芳"])


@pytest.mark.parametrize(
    "name",
    [
        "Expo Staff",
        "expo staff",
        "EXPO STAFF",
        "Expo_Staff",
        "E.x.p.o S.t.a.f.f",
        "ExpoStaff",
        "Ｅｘｐｏ Ｓｔａｆｆ",  # full-width
        "Ехро Ѕtаff",  # Cyrillic look-alikes
        "Exp0 St4ff",  # digits
        "Expo Stáff",  # an accent
        "Expo\u200bStaff",  # a zero-width space
        "Staff",
        "Staff!",
        "staff Li",
        "Adm|n",
        "S t a f f",
        "StaffTeam",
        "Admin",
        "adm1n",
        "The Moderator",
        "Official",
        "展会工作人员",
        "展會工作人員",  # traditional
        "工作人员小李",
        "管理员",
        "官方客服",
        "Ada Lovelace",
        "ada-lovelace",
        "Ada Lovelace 2",  # contains a staff name of six letters or more
        "王芳",
        "MetaExpo Team",
    ],
)
def test_names_that_read_as_staff_are_reserved(name: str) -> None:
    assert RULE.check(name) is not None, name


@pytest.mark.parametrize(
    "name",
    ["Staffan", "Stafford", "Li Wei", "王小芳", "Moderna fan", "Adam", "Officer Dibble", "访客"],
)
def test_ordinary_names_pass(name: str) -> None:
    assert RULE.check(name) is None, name


def test_the_refusal_names_the_reserved_term_and_whether_it_is_a_colleague() -> None:
    found = RULE.check("ada lovelace")
    assert found is not None and (found.term, found.staff) == ("Ada Lovelace", True)
    generic = RULE.check("ST4FF")
    assert generic is not None and (generic.term, generic.staff) == ("staff", False)


def test_staff_names_are_replaced_not_added() -> None:
    rule = ReservedNames()
    rule.set_staff_names(["Grace Hopper"])
    rule.set_staff_names(["Ada Lovelace"])
    assert rule.check("Grace Hopper") is None
    assert rule.check("Ada Lovelace") is not None


def test_skeletons_fold_look_alikes_and_drop_the_rest() -> None:
    assert skeleton("Ｓ т а f f !") == "staffl"
    assert skeleton("工作人員") == "工作人员"
    assert words("HelloWorld_again") == ["hello", "world", "agaln"]
