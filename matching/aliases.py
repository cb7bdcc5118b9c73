"""How skill names and aliases are keyed: folded words, plurals, word order and initialisms.

The exact stage of :mod:`matching.normalize` and the prose passes of :mod:`matching.extract`
look phrases up by the same keys, so the rules live here, below both.
"""

import re
from dataclasses import dataclass

from network.text_rules import fold

# Score of a skill found by its initialism ("ETL" for "Extract, transform, load").
INITIALISM_SCORE = 0.9
# Small function words left out of initialisms ("Search engine optimization" and
# "Extract, transform and load" alike).
_INITIALISM_SKIP = frozenset({"and", "of", "the", "for", "to", "in", "on", "a", "an", "&"})
_WORD_SPLIT = re.compile(r"[\s\-_./,;:()\[\]{}'\"&]+")


def singular(key: str) -> str:
    """Drop a plural ``s`` from a folded key ("apis" → "api"), leaving "ss" and short keys."""
    if len(key) > 3 and key.endswith("s") and not key.endswith("ss"):
        return key[:-1]
    return key


def folded_words(text: str) -> list[str]:
    """The folded words of a phrase, in order, empty pieces dropped."""
    return [w for w in (fold(part) for part in _WORD_SPLIT.split(text)) if w]


def order_key(words: list[str]) -> str:
    """A key equal for the same words in any order (singular forms)."""
    return " ".join(sorted(singular(w) for w in words))


def initialism(text: str) -> str:
    """First letters of the significant words of a multi-word phrase; "" when not one."""
    words = [w for w in folded_words(text) if w not in _INITIALISM_SKIP]
    if len(words) < 2 or len(words) > 6:
        return ""
    return "".join(w[0] for w in words if w[0].isalnum())


@dataclass(frozen=True)
class Alias:
    """What an alias in prose needs to fire: exact casing forms and whether it is ambiguous."""

    skill: str
    ambiguous: bool
    forms: frozenset[str]  # the alias as written in the taxonomy (case-sensitive forms)
