"""Reserved names: a visitor cannot call themself "Expo Staff", "展会工作人员" or a staff member.

Names are compared by their *skeleton*, so that look-alikes read the same
(docs/moderation.md states the rule for staff):

1. Unicode NFKC (full-width ``Ｓｔａｆｆ`` → ``Staff``), accents dropped
   (``Stáff`` → ``Staff``), case folded, traditional Chinese characters of
   the reserved terms folded to simplified (``工作人員`` → ``工作人员``);
2. look-alike letters and digits folded to one Latin letter: Cyrillic and
   Greek homoglyphs (``Ѕtаff`` with Cyrillic letters), ``0``→o, ``1 i | !``→l,
   ``3``→e, ``4 @``→a, ``5 $``→s, ``7``→t, ``8``→b;
3. everything that is not a letter or a digit removed (spaces, dots,
   underscores, emoji, zero-width characters).

A name is refused when

* its skeleton contains a reserved **phrase** (``expostaff``, ``metaexpo``,
  ``工作人员``, ``管理员``, …), or
* its skeleton, or the skeleton of one of its words (split at spaces,
  punctuation and lower→upper case changes: ``StaffTeam`` is two words), is
  a reserved **word** (``staff``, ``admin``, ``moderator``, ``official``, …),
  so ``Staffan`` is fine but ``Staff Li`` and ``S t a f f`` are not, or
* its skeleton is a staff member's display name's skeleton, or contains one
  of at least six characters (three for Chinese).

Staff and speakers are never checked: they join with their account's name.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

#: Look-alikes folded to one Latin letter (after NFKC and case folding).
_CONFUSABLES = str.maketrans(
    {
        # Cyrillic
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
        "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "l", "ї": "l",
        "ј": "j", "ԁ": "d", "һ": "h", "ԛ": "q", "ԝ": "w", "ɡ": "g",
        # Greek
        "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "l", "κ": "k", "ν": "v", "ο": "o",
        "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "μ": "u",
        # Latin look-alikes and digits
        "i": "l", "ı": "l", "0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t",
        "8": "b", "@": "a", "$": "s", "|": "l", "!": "l",
    }
)  # fmt: skip
#: Traditional characters of the reserved terms, folded to simplified.
_TRADITIONAL = str.maketrans(
    {"員": "员", "會": "会", "務": "务", "職": "职", "辦": "办", "營": "营", "服": "服"}
)
#: Kept as part of a word when splitting (they are look-alikes of letters).
_WORDISH = "@$|!"
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def skeleton(text: str) -> str:
    """What ``text`` reads as, for comparing names (see the module docstring)."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if unicodedata.category(ch) != "Mn"
    )
    text = text.casefold().translate(_TRADITIONAL).translate(_CONFUSABLES)
    return "".join(ch for ch in text if ch.isalnum())


def words(text: str) -> list[str]:
    """The skeletons of ``text``'s words (split at non-letters and lower→upper changes)."""
    text = _CAMEL.sub(" ", unicodedata.normalize("NFKC", text))
    parts = re.split(rf"[^\w{re.escape(_WORDISH)}]+|_", text)
    # A look-alike symbol at a word's end is as likely punctuation ("Staff!"): try both.
    found = [skeleton(p) for p in parts] + [skeleton(p.strip(_WORDISH)) for p in parts]
    return list(dict.fromkeys(s for s in found if s))


#: Reserved anywhere in a name.
PHRASES: tuple[str, ...] = (
    "Expo Staff",
    "Expo Support",
    "Expo Team",
    "Staff Member",
    "MetaExpo",
    "元宇宙浙江",
    "展会工作人员",
    "工作人员",
    "管理员",
    "主持人",
    "组委会",
    "客服",
    "版主",
    "官方",
)
#: Reserved as a whole name or as one word of it.
WORDS: tuple[str, ...] = (
    "staff",
    "admin",
    "administrator",
    "moderator",
    "mod",
    "official",
    "organizer",
    "organiser",
    "system",
    "support",
    "security",
    "speaker",
)


def _is_cjk(text: str) -> bool:
    return any(unicodedata.name(ch, "").startswith("CJK") for ch in text)


@dataclass(frozen=True, slots=True)
class Reserved:
    """Why a name is reserved: the reserved term it reads as."""

    term: str
    staff: bool


class ReservedNames:
    """The reserved phrases and words, and the staff's display names (refreshed by the caller)."""

    def __init__(
        self, phrases: Iterable[str] = PHRASES, reserved_words: Iterable[str] = WORDS
    ) -> None:
        self._phrases = {skeleton(p): p for p in phrases}
        self._words = {skeleton(w): w for w in reserved_words}
        self._staff: dict[str, str] = {}

    def set_staff_names(self, names: Iterable[str]) -> None:
        """The display names of today's staff accounts (replacing the previous ones)."""
        self._staff = {s: n for n in names if (s := skeleton(n))}

    def check(self, name: str) -> Reserved | None:
        """The reserved term ``name`` reads as, or None if a visitor may use it."""
        whole = skeleton(name)
        if not whole:
            return None
        for phrase, original in self._phrases.items():
            if phrase and phrase in whole:
                return Reserved(original, staff=False)
        for word in [whole, *words(name)]:
            if word in self._words:
                return Reserved(self._words[word], staff=False)
        for staff, original in self._staff.items():
            long_enough = len(staff) >= (3 if _is_cjk(staff) else 6)
            if whole == staff or (long_enough and staff in whole):
                return Reserved(original, staff=True)
        return None
