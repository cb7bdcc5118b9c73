"""Text rules without Django: how names and skill phrases compare, and what may hide in them.

``fold`` is the one rule by which skill names and aliases are compared: the matching engine
and the alias table share it. It lives in ``network`` because the taxonomy's uniqueness
constraints depend on it and ``matching`` may import ``network``, never the other way round; it
lives apart from ``network.text`` (which adds Django's validator) so that the engine imports no
Django.
"""

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s\-_./]+")
_DROPPED = re.compile(r"[^\w+#]")


def fold(text: str) -> str:
    """Lower-case, strip accents, and drop spaces, hyphens, underscores, dots and slashes.

    ``+`` and ``#`` survive because they carry meaning in skill names (C++, C#, F#).
    """
    normalized = unicodedata.normalize("NFKD", text)
    without_accents = "".join(ch for ch in normalized if not unicodedata.combining(ch))
    lowered = without_accents.casefold().strip()
    joined = _SEPARATORS.sub("", lowered)
    return _DROPPED.sub("", joined)


# Characters that change how a name looks without showing themselves: controls (Cc), format
# characters such as zero-width spaces and joiners and the bidirectional overrides and isolates
# (Cf), private-use, surrogate and unassigned code points, line and paragraph separators, and
# the letters and symbols that render as blanks (Hangul fillers, the blank Braille pattern, the
# combining grapheme joiner).
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})
_BLANK_CHARACTERS = frozenset("\u034f\u115f\u1160\u2800\u3164\uffa0")


def hidden_characters(text: str) -> list[str]:
    """The code points in ``text`` that would hide or reorder what a reader sees, as U+XXXX."""
    return [
        f"U+{ord(character):04X}"
        for character in text
        if unicodedata.category(character) in _HIDDEN_CATEGORIES or character in _BLANK_CHARACTERS
    ]


def name_key(name: str) -> str:
    """How a person's name compares with another: compatibility forms folded, case ignored,
    runs of spaces as one (so "member  05" and "Member 05" are the same name)."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())
