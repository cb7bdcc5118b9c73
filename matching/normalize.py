"""Skill normalization: turn the phrases people write into the taxonomy's canonical skills.

A :class:`Normalizer` knows only the taxonomy it is built from (canonical names and their
aliases) plus general rules, so its quality can be measured on taxonomies it has never seen
(``tests/matching/test_quality.py``). ``normalize`` runs three stages:

1. **Exact, after folding** (score 1.0): ``network.text.fold`` (case, accents, spaces and
   ``-_./`` ignored, ``+``/``#`` kept), then the same with a plural ``s`` dropped, then the
   words in any order ("NPSP Salesforce" = "Salesforce NPSP").
2. **Initialisms** (score :data:`INITIALISM_SCORE`): the first letters of the words of every
   multi-word name or alias ("Extract, transform, load" gives ``etl``), kept only when exactly
   one skill claims them and no name or alias already folds to them.
3. **Fuzzy** (score = similarity / 100): rapidfuzz's ``fuzz.ratio`` on the folded strings and
   ``token_sort_ratio`` on the space-kept folded strings, best of the two, cut off at
   :data:`FUZZY_CUTOFF` (tuned on held-back public aliases, see that constant). Terms whose
   folded form has at most :data:`MIN_FUZZY_LENGTH` - 1 characters match exactly or not at all.

Anything else is unknown (``None``); ``normalize_many`` keeps unknown terms in place.

``extract`` finds skills named in free text by matching word n-grams against the folded alias
dictionary, longest match first, without overlaps. Aliases that could be ordinary words fire
only with evidence; see :meth:`Normalizer.extract` for the rule.
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from matching.types import NormalizedTerm, SkillMatch
from network.text import fold

# Best-of(ratio, token_sort_ratio) similarity, in [0, 100], below which a fuzzy candidate is
# rejected. Tuned on the tuning bucket of held-back public aliases (Stack Overflow, Linguist,
# ESCO; tests/matching/evaluation.py, 1,433 aliases): the cut-off that maximises
# right - 5 x wrong (a wrong skill misleads silently, an unknown is shown) is 83; with a
# penalty of 3 it is 81, and 88 would halve the wrong answers for a third fewer right ones.
FUZZY_CUTOFF = 83.0
# Folded terms shorter than this are never matched fuzzily: "go" is not "Git".
MIN_FUZZY_LENGTH = 4
INITIALISM_SCORE = 0.9
# Words that, next to an ambiguous alias, say a skill is meant ("the R language", "Go developer").
CONTEXT_WORDS = frozenset(
    {
        "language",
        "languages",
        "programming",
        "framework",
        "frameworks",
        "library",
        "libraries",
        "developer",
        "developers",
        "development",
        "engineer",
        "engineers",
        "code",
        "coding",
        "scripting",
        "software",
        "platform",
        "experience",
        "skills",
        "proficiency",
        "proficient",
    }
)
# Small function words left out of initialisms ("Search engine optimization" and
# "Extract, transform and load" alike).
_INITIALISM_SKIP = frozenset({"and", "of", "the", "for", "to", "in", "on", "a", "an", "&"})
_WORD_SPLIT = re.compile(r"[\s\-_./,;:()\[\]{}'\"&]+")
_TOKEN = re.compile(r"[^\W_][\w+#]*(?:[.\-_/'][^\W_][\w+#]*)*[+#]*|\.[^\W_]\w*")
_SENTENCE_END = re.compile(r"[.!?:;\n•*\-]\s*$|^\s*$")


def _singular(key: str) -> str:
    """Drop a plural ``s`` from a folded key ("apis" → "api"), leaving "ss" and short keys."""
    if len(key) > 3 and key.endswith("s") and not key.endswith("ss"):
        return key[:-1]
    return key


def _words(text: str) -> list[str]:
    """The folded words of a phrase, in order, empty pieces dropped."""
    return [w for w in (fold(part) for part in _WORD_SPLIT.split(text)) if w]


def _spaced(text: str) -> str:
    """Folded words joined by single spaces, for word-aware fuzzy scoring."""
    return " ".join(_words(text))


def _order_key(words: list[str]) -> str:
    """A key equal for the same words in any order (singular forms)."""
    return " ".join(sorted(_singular(w) for w in words))


def _initialism(text: str) -> str:
    """First letters of the significant words of a multi-word phrase; "" when not one."""
    words = [w for w in _words(text) if w not in _INITIALISM_SKIP]
    if len(words) < 2 or len(words) > 6:
        return ""
    return "".join(w[0] for w in words if w[0].isalnum())


@dataclass(frozen=True)
class _Alias:
    """What an alias in prose needs to fire: exact casing forms and whether it is ambiguous."""

    skill: str
    ambiguous: bool
    forms: frozenset[str]  # the alias as written in the taxonomy (case-sensitive forms)


class Normalizer:
    """Maps skill phrases to canonical skill names of one taxonomy."""

    def __init__(
        self,
        exact: dict[str, str],
        order: dict[str, str],
        initialisms: dict[str, str],
        fuzzy_choices: list[str],
        fuzzy_spaced: list[str],
        fuzzy_skills: list[str],
        phrases: dict[str, _Alias],
        max_words: int,
    ) -> None:
        """Use :meth:`from_taxonomy`; the arguments are its precomputed tables."""
        self._exact = exact
        self._order = order
        self._initialisms = initialisms
        self._fuzzy_choices = fuzzy_choices
        self._fuzzy_spaced = fuzzy_spaced
        self._fuzzy_skills = fuzzy_skills
        self._phrases = phrases
        self._max_words = max_words
        self.fuzzy_cutoff = FUZZY_CUTOFF

    @classmethod
    def from_taxonomy(
        cls,
        entries: Iterable[tuple[str, Iterable[str]]],
        *,
        common_words: Iterable[str] = (),
    ) -> "Normalizer":
        """Build from ``(canonical name, aliases)`` pairs.

        Names win over aliases, and earlier entries over later ones, when two fold alike; an
        alias that folds to two different skills' aliases keeps the first. ``common_words``
        (lower-case) adds ordinary words that must not fire in prose without evidence, on top
        of scikit-learn's English stop words and the taxonomy's bare head words.
        """
        pairs: list[tuple[str, list[str]]] = [(name, list(aliases)) for name, aliases in entries]
        exact: dict[str, str] = {}
        order: dict[str, str] = {}
        # Names first, so that an alias never takes a key a canonical name folds to.
        for name, _aliases in pairs:
            exact.setdefault(fold(name), name)
        for name, aliases in pairs:
            for alias in aliases:
                key = fold(alias)
                if key:
                    exact.setdefault(key, name)
        # Plural forms after all the written forms, so "Rails" keeps its own skill.
        for key, name in list(exact.items()):
            exact.setdefault(_singular(key), name)
        # Word order, for multi-word phrases.
        for name, aliases in pairs:
            for phrase in (name, *aliases):
                words = _words(phrase)
                if len(words) >= 2:
                    order.setdefault(_order_key(words), name)

        claims: dict[str, set[str]] = defaultdict(set)
        for name, aliases in pairs:
            for phrase in (name, *aliases):
                initials = _initialism(phrase)
                if len(initials) >= 2:
                    claims[initials].add(name)
        initialisms = {
            key: next(iter(names))
            for key, names in claims.items()
            if len(names) == 1 and key not in exact and _singular(key) not in exact
        }

        fuzzy_choices: list[str] = []
        fuzzy_spaced: list[str] = []
        fuzzy_skills: list[str] = []
        seen: set[str] = set()
        for name, aliases in pairs:
            for phrase in (name, *aliases):
                key = fold(phrase)
                if len(key) < MIN_FUZZY_LENGTH or key in seen:
                    continue
                seen.add(key)
                fuzzy_choices.append(key)
                fuzzy_spaced.append(_spaced(phrase))
                fuzzy_skills.append(exact.get(key, name))

        # Bare head words: a plain capitalised word that the taxonomy also writes with a
        # qualifier in front ("Access" beside "Microsoft Access", "Hosting" beside "Web
        # hosting") is an ordinary word that the qualifier disambiguates.
        heads: set[str] = set()
        for name, aliases in pairs:
            forms_of_skill = [name, *aliases]
            last_words = {_words(f)[-1] for f in forms_of_skill if len(f.split()) >= 2}
            for phrase in forms_of_skill:
                word = phrase.strip()
                if word.isalpha() and word[:1].isupper() and word[1:].islower():
                    if fold(word) in last_words:
                        heads.add(fold(word))
        common = set(ENGLISH_STOP_WORDS) | {w.casefold() for w in common_words}

        phrases: dict[str, _Alias] = {}
        forms: dict[str, set[str]] = defaultdict(set)
        max_words = 1
        for name, aliases in pairs:
            for phrase in (name, *aliases):
                key = fold(phrase)
                if not key:
                    continue
                forms[key].add(phrase.strip())
                max_words = max(max_words, len(_words(phrase)))
        for key, written in forms.items():
            skill = exact[key]
            single = all(len(_words(w)) == 1 for w in written)
            ambiguous = len(key) <= 2 or (single and (key in common or key in heads))
            phrases[key] = _Alias(skill=skill, ambiguous=ambiguous, forms=frozenset(written))
        return cls(
            exact,
            order,
            initialisms,
            fuzzy_choices,
            fuzzy_spaced,
            fuzzy_skills,
            phrases,
            min(max_words, 8),
        )

    def exact(self, term: str) -> SkillMatch | None:
        """The exact stage alone: folded name or alias, plural, word order, initialism."""
        key = fold(term)
        if not key:
            return None
        skill = self._exact.get(key) or self._exact.get(_singular(key))
        if skill is None:
            words = _words(term)
            if len(words) >= 2:
                skill = self._order.get(_order_key(words))
        if skill is not None:
            return SkillMatch(skill=skill, score=1.0)
        initial = self._initialisms.get(key) or self._initialisms.get(_singular(key))
        if initial is not None:
            return SkillMatch(skill=initial, score=INITIALISM_SCORE)
        return None

    def fuzzy(self, term: str, cutoff: float | None = None) -> SkillMatch | None:
        """The fuzzy stage alone: best similarity over names and aliases, at least ``cutoff``."""
        key = fold(term)
        if len(key) < MIN_FUZZY_LENGTH or not self._fuzzy_choices:
            return None
        limit = self.fuzzy_cutoff if cutoff is None else cutoff
        best_score = -1.0
        best_index = -1
        hit = process.extractOne(
            key, self._fuzzy_choices, scorer=fuzz.ratio, processor=None, score_cutoff=limit
        )
        if hit is not None:
            best_score, best_index = hit[1], hit[2]
        spaced = _spaced(term)
        if " " in spaced:
            hit = process.extractOne(
                spaced,
                self._fuzzy_spaced,
                scorer=fuzz.token_sort_ratio,
                processor=None,
                score_cutoff=max(limit, best_score + 1e-9),
            )
            if hit is not None:
                best_score, best_index = hit[1], hit[2]
        if best_index < 0:
            return None
        return SkillMatch(skill=self._fuzzy_skills[best_index], score=round(best_score / 100, 4))

    def normalize(self, term: str) -> SkillMatch | None:
        """The canonical skill a phrase names, with a score in [0, 1]; None when unknown."""
        return self.exact(term) or self.fuzzy(term)

    def normalize_many(self, terms: Iterable[str]) -> list[NormalizedTerm]:
        """Normalize each term, in order; unknown terms are kept with ``match`` None."""
        return [NormalizedTerm(term=term, match=self.normalize(term)) for term in terms]

    def extract(self, text: str) -> list[SkillMatch]:
        """Skills named in free text, de-duplicated, in order of first appearance.

        Word n-grams (longest first, up to the longest alias in words) are looked up exactly
        after folding (plural ``s`` and, for two words or more, word order ignored); a match
        consumes its words so matches never overlap. An alias is *ambiguous* when it folds to
        at most two characters, or is a single word that is an English stop word
        (scikit-learn's list), a word in ``common_words``, or a *bare head word*: a plain
        capitalised word that the taxonomy also writes after a qualifier for the same skill
        ("Access" beside "Microsoft Access", "Windows" beside "Microsoft Windows").
        An ambiguous alias fires only when

        - it is written exactly as in the taxonomy, that form has a capital letter, and it is
          not the first word of a sentence (unless written in capitals of two letters or more,
          "IT", "UI"): "we use Go", "in R", "Microsoft Access"-style "Access"; or
        - a context word (:data:`CONTEXT_WORDS`: "language", "programming", "developer"...)
          is within two words of it: "the go language".

        Initialisms fire in prose only when written in capitals ("ETL").
        """
        tokens = [(m.group(), m.start()) for m in _TOKEN.finditer(text)]
        folded = [fold(tok) for tok, _ in tokens]
        found: list[SkillMatch] = []
        seen: set[str] = set()
        i = 0
        while i < len(tokens):
            hit: tuple[int, SkillMatch] | None = None
            for n in range(min(self._max_words, len(tokens) - i), 0, -1):
                match = self._phrase_at(text, tokens, folded, i, n)
                if match is not None:
                    hit = (n, match)
                    break
            if hit is None:
                i += 1
                continue
            n, match = hit
            if match.skill not in seen:
                seen.add(match.skill)
                found.append(match)
            i += n
        return found

    def _phrase_at(
        self,
        text: str,
        tokens: list[tuple[str, int]],
        folded: list[str],
        i: int,
        n: int,
    ) -> SkillMatch | None:
        """The skill the n words from token i name in prose, or None."""
        key = "".join(folded[i : i + n])
        if not key:
            return None
        alias = self._phrases.get(key)
        if alias is None:
            skill = self._exact.get(key) or self._exact.get(_singular(key))
            if skill is None and n >= 2:
                skill = self._order.get(_order_key(folded[i : i + n]))
            if skill is not None:
                alias = self._phrases.get(fold(skill))
                if alias is None or alias.ambiguous:
                    # A plural or reordered form of an ambiguous alias needs the same evidence.
                    alias = _Alias(
                        skill=skill, ambiguous=n == 1 and len(key) <= 3, forms=frozenset()
                    )
                else:
                    alias = _Alias(skill=skill, ambiguous=False, forms=frozenset())
        if alias is None:
            if n == 1:
                written = tokens[i][0]
                initial = self._initialisms.get(key)
                if initial is not None and written.isupper() and len(written) >= 2:
                    return SkillMatch(skill=initial, score=INITIALISM_SCORE)
            return None
        if not alias.ambiguous:
            return SkillMatch(skill=alias.skill, score=1.0)
        written = text[tokens[i][1] : tokens[i + n - 1][1] + len(tokens[i + n - 1][0])]
        if self._has_context(folded, i, n):
            return SkillMatch(skill=alias.skill, score=1.0)
        if written in alias.forms and any(ch.isupper() for ch in written):
            sentence_start = _SENTENCE_END.search(text[: tokens[i][1]]) is not None
            if not sentence_start or (written.isupper() and len(written) >= 2):
                return SkillMatch(skill=alias.skill, score=1.0)
        return None

    @staticmethod
    def _has_context(folded: list[str], i: int, n: int) -> bool:
        """Whether a context word lies within two words before or after tokens i..i+n."""
        window = folded[max(0, i - 2) : i] + folded[i + n : i + n + 2]
        return any(word in CONTEXT_WORDS for word in window)
