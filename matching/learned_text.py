"""String rules of the learned skill stage: folded words, typos, abbreviations and versions.

Shared by candidate retrieval (:mod:`matching.learned_features`), training
(:mod:`matching.learned_training`) and the answers' last checks (:mod:`matching.learned`).
"""

import random
import re

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from network.text_rules import fold

# Letters in order count only for a term of at most IN_ORDER_TERM characters against a folded
# phrase of at most IN_ORDER_PHRASE.
IN_ORDER_TERM = 12
IN_ORDER_PHRASE = 12
_SPLIT = re.compile(r"[\s\-_./,;:()\[\]{}'\"&]+")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def words(text: str) -> list[str]:
    """The folded words of a phrase, in order."""
    return [w for w in (fold(part) for part in _SPLIT.split(text)) if w]


def typo(text: str, rng: random.Random) -> str:
    """``text`` with one random edit (drop, add, change or swap a letter); short text unchanged."""
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    if len(letters) < 3:
        return text
    i = rng.choice(letters)
    kind = rng.randrange(4)
    if kind == 0:
        return text[:i] + text[i + 1 :]
    if kind == 1:
        return text[:i] + rng.choice(_LETTERS) + text[i:]
    if kind == 2:
        return text[:i] + rng.choice(_LETTERS.replace(text[i].lower(), "")) + text[i + 1 :]
    j = i + 1 if i + 1 < len(text) and text[i + 1].isalpha() else i - 1
    if j < 0 or text[i] == text[j]:
        return text[:i] + text[i + 1 :]
    a, b = sorted((i, j))
    return text[:a] + text[b] + text[a] + text[b + 1 :]


def crude_stems(parts: list[str]) -> frozenset[str]:
    """Crude stems of the words that carry meaning: their first five letters."""
    return frozenset(w[:5] for w in parts if len(w) > 2 and w not in ENGLISH_STOP_WORDS)


def in_order(term: str, phrase: str) -> bool:
    """Whether the letters of a short ``term`` appear in a short ``phrase`` in order, from the
    same first one (``rb`` in ``ruby``, ``objc`` in ``objectivec``).

    Only short against short: five letters found somewhere along a thirty-letter name
    ("slack" in "salesforce nonprofit success pack") are chance, not an abbreviation; and
    only against a word: "nps" is not an abbreviation of the initialism "npsp".
    """
    if not term or not phrase or term[0] != phrase[0]:
        return False
    if len(term) > IN_ORDER_TERM or len(phrase) > IN_ORDER_PHRASE or len(term) >= len(phrase):
        return False
    if not any(ch in "aeiou" for ch in phrase):
        return False  # an initialism ("npsp") is not abbreviated further
    it = iter(phrase[1:])
    return all(ch in it for ch in term[1:])


def letters_of(key: str) -> str:
    """The letters of a folded key, digits and signs left out ("html5" → "html")."""
    return "".join(ch for ch in key if ch.isalpha())


_VERSIONED = re.compile(r"([a-z]{2,})[0-9][0-9.]*")


def versioned(key: str) -> str | None:
    """The letters of a folded key that is letters then a version number ("html5" → "html",
    "jsf2.0" → "jsf"); None for any other key."""
    match = _VERSIONED.fullmatch(key)
    return match.group(1) if match else None


def starts_either(a: str, b: str) -> bool:
    """Whether one of two non-empty strings starts the other."""
    return bool(b) and (a.startswith(b) or b.startswith(a))
