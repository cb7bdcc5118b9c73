"""Prose cut into words for skill extraction: tokens, phrases, sentences and lists.

:class:`Text` cuts a description into folded words and records where its phrases (words joined
by spaces, hyphens or apostrophes) and sentences begin and end; :func:`stem` reduces a folded
word for inflection-blind look-ups; :func:`coordinated_items` finds the single words of a list
or a coordination ("Unit and Integration Testing"). :mod:`matching.extract` runs its passes
over these.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from network.text_rules import fold

# Stop words that carry content in skill names ("system", "front", "detail"...) are not
# function words: they count in look-ups and gaps.
FUNCTION_WORDS = frozenset(ENGLISH_STOP_WORDS) - {
    "system",
    "front",
    "back",
    "side",
    "detail",
    "describe",
    "fill",
    "find",
    "fire",
    "full",
    "empty",
    "top",
    "bottom",
    "move",
    "show",
    "call",
    "name",
    "part",
    "bill",
    "interest",
    "serious",
    "thick",
    "thin",
    "mill",
    "cry",
    "give",
    "get",
    "take",
    "keep",
    "put",
    "see",
    "made",
    "found",
    "done",
    "go",
    "co",
    "con",
    "de",
    "un",
    "re",
}
# A word, with joined pieces ("node.js", "e-commerce", "R&D") and a trailing "+"/"#" kept.
_TOKEN = re.compile(r"[^\W_][\w+#]*(?:[.\-_/'&][^\W_][\w+#]*)*[+#]*|\.[^\W_]\w*")
# What ends a sentence, just before a word: the word then starts one.
_SENTENCE_END = re.compile(r"[.!?:;\n•*\-]\s*$")
# What may stand between two words of one clause: spaces, and at most hyphens or apostrophes.
_SAME_PHRASE = re.compile(r"[\s\-'’]*")
# What ends a sentence for the exact look-up (commas and slashes do not: "Extract, transform").
_HARD_BREAK = re.compile(r"[.!?;:()\[\]{}•*\n]|\s-\s")


@lru_cache(maxsize=65536)
def _fold_word(word: str) -> str:
    return fold(word)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A folded word reduced by a small English suffix rule, for inflection-blind look-ups.

    "teams" → "team", "leading" → "lead", "automated"/"automation"/"automate" → "automat",
    "managing"/"management"/"manage" → "manag". Words of up to four letters are kept whole.
    """
    if len(word) <= 4 or not word.isalpha():
        return word
    for suffix, keep in (
        ("ies", "y"),
        ("sses", "ss"),
        ("ments", ""),
        ("ment", ""),
        ("ations", "at"),
        ("ation", "at"),
        ("ions", ""),
        ("ion", ""),
        ("ings", ""),
        ("ing", ""),
        ("ed", ""),
        ("es", "e"),
        ("s", ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) + len(keep) >= 4:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                break
            word = word[: len(word) - len(suffix)] + keep
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
        word = word[:-1]  # "running" → "runn" → "run"
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int
    folded: str
    stem: str


class Text:
    """A text cut into words, with where its phrases and sentences begin and end."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = [
            Token(m.group(), m.start(), m.end(), f, stem(f))
            for m in _TOKEN.finditer(text)
            if (f := _fold_word(m.group()))
        ]
        count = len(self.tokens)
        # phrase_end[i]: the end (exclusive) of the run of words that i belongs to, joined by
        # spaces, hyphens or apostrophes only; sentence_end[i] likewise, up to a full stop, a
        # colon, a bracket or a bullet (commas and slashes do not end it).
        self.phrase_end = [count] * count
        self.sentence_end = [count] * count
        self.sentence_start = [False] * count
        for j in range(count - 1, -1, -1):
            if j + 1 < count:
                between = self.between(j)
                self.phrase_end[j] = (
                    self.phrase_end[j + 1] if _SAME_PHRASE.fullmatch(between) else j + 1
                )
                self.sentence_end[j] = (
                    j + 1 if _HARD_BREAK.search(between) else self.sentence_end[j + 1]
                )
                self.sentence_start[j + 1] = _SENTENCE_END.search(between) is not None
        if count:
            before = text[: self.tokens[0].start]
            self.sentence_start[0] = not before.strip() or bool(_SENTENCE_END.search(before))
        # A line of bare terms (a tag line such as "javascript reactjs java"): case says nothing.
        self.bare_terms = count <= 8 and not any(t.folded in FUNCTION_WORDS for t in self.tokens)

    def between(self, j: int) -> str:
        """What stands between word j and word j + 1."""
        return self.text[self.tokens[j].end : self.tokens[j + 1].start]

    def written(self, i: int, n: int) -> str:
        """Words i..i+n as written, with what stands between them."""
        return self.text[self.tokens[i].start : self.tokens[i + n - 1].end]

    def phrases(self) -> list[tuple[int, int]]:
        """The runs of words of one phrase, as (first, end) ranges."""
        ranges = []
        i = 0
        while i < len(self.tokens):
            ranges.append((i, self.phrase_end[i]))
            i = self.phrase_end[i]
        return ranges


def coordinated_items(words: Text) -> list[tuple[list[int], int]]:
    """Coordinated single words: (the items' positions, the position after the last item).

    "Performance, Unit and Integration Testing" gives the items Performance, Unit and
    Integration, followed by "Testing"; "build and expand" gives build and expand.
    """
    tokens = words.tokens
    found: list[tuple[list[int], int]] = []
    j = 0
    while j < len(tokens) - 1:
        items = [j]
        k = j
        while k + 1 < len(tokens):
            between = words.between(k).strip()
            nxt = tokens[k + 1]
            if between in {",", "/", "&"} and nxt.folded not in FUNCTION_WORDS:
                items.append(k + 1)
                k += 1
            elif between in {"", ","} and nxt.folded in {"and", "or"} and k + 2 < len(tokens):
                if words.between(k + 1).strip() or tokens[k + 2].folded in FUNCTION_WORDS:
                    break
                items.append(k + 2)
                k += 2
            else:
                break
        if len(items) >= 2 and all(tokens[p].folded not in FUNCTION_WORDS for p in items):
            found.append((items, items[-1] + 1))
            j = items[-1]
        else:
            j += 1
    return found
