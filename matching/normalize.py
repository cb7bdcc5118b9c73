"""Skill normalization: turn the phrases people write into the taxonomy's canonical skills.

A :class:`Normalizer` knows only the taxonomy it is built from (canonical names and their
aliases) plus general rules, so its quality can be measured on taxonomies it has never seen
(``manage.py evaluate_matching``, ``tests/matching/test_quality.py``). ``normalize`` runs three
stages:

1. **Exact, after folding** (score 1.0): ``network.text_rules.fold`` (case, accents, spaces and
   ``-_./`` ignored, ``+``/``#`` kept), then the same with a plural ``s`` dropped, then the
   words in any order ("NPSP Salesforce" = "Salesforce NPSP").
2. **Initialisms** (score :data:`INITIALISM_SCORE`): the first letters of the words of every
   multi-word name or alias ("Extract, transform, load" gives ``etl``), kept only when exactly
   one skill claims them and no name or alias already folds to them.
3. **Learned** (score = the model's probability): :mod:`matching.learned` retrieves candidate
   skills (character n-gram TF-IDF, word n-grams and glued heads that are whole phrases,
   letters in order) and scores each (term, skill) pair with a gradient-boosted classifier
   trained, when the normalizer is built, on this taxonomy's own aliases, typos and left-out
   skills; below its calibrated cut-off (:attr:`Normalizer.cutoff`) the term is unknown.
   Folded terms shorter than :data:`MIN_FUZZY_LENGTH` never reach it.

Anything else is unknown (``None``); ``normalize_many`` keeps unknown terms in place.

``extract`` finds skills named in free text (exact n-grams first, then lists, inflections and
the model on what is left; ordinary words only with evidence): see :mod:`matching.extract`.
"""

from collections import defaultdict
from collections.abc import Iterable

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from matching.aliases import (
    INITIALISM_SCORE,
    Alias,
    folded_words,
    initialism,
    order_key,
    singular,
)
from matching.extract import Extractor
from matching.learned import LearnedMatcher
from matching.learned import build as learned_matcher
from matching.types import NormalizedTerm, SkillMatch
from network.text_rules import fold

# Folded terms shorter than this never reach the learned stage (one letter names nothing).
MIN_FUZZY_LENGTH = 2
# The learned stage's answers a normalizer remembers, by term (then it starts again). A
# request's skills and text are looked up again on every view of its matches, and each call
# of the model has a fixed cost of a millisecond or two whatever it is asked: most of a match
# call on a small network. An answer depends on the term alone, and the memory goes with the
# normalizer: a new taxonomy builds a new index, and with it a new normalizer.
FUZZY_MEMO_SIZE = 4096
# Indexes pickled before the alias keys moved to ``matching.aliases`` name the class here.
_Alias = Alias


class Normalizer:
    """Maps skill phrases to canonical skill names of one taxonomy."""

    def __init__(
        self,
        exact: dict[str, str],
        order: dict[str, str],
        initialisms: dict[str, str],
        learned: LearnedMatcher,
        phrases: dict[str, Alias],
        max_words: int,
    ) -> None:
        """Use :meth:`from_taxonomy`; the arguments are its precomputed tables."""
        self._exact = exact
        self._order = order
        self._initialisms = initialisms
        self._learned = learned
        self._phrases = phrases
        self._max_words = max_words

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
            exact.setdefault(singular(key), name)
        # Word order, for multi-word phrases.
        for name, aliases in pairs:
            for phrase in (name, *aliases):
                words = folded_words(phrase)
                if len(words) >= 2:
                    order.setdefault(order_key(words), name)

        claims: dict[str, set[str]] = defaultdict(set)
        for name, aliases in pairs:
            for phrase in (name, *aliases):
                initials = initialism(phrase)
                if len(initials) >= 2:
                    claims[initials].add(name)
        initialisms = {
            key: next(iter(names))
            for key, names in claims.items()
            if len(names) == 1 and key not in exact and singular(key) not in exact
        }

        learned = learned_matcher([(name, aliases) for name, aliases in pairs])

        # Bare head words: a plain capitalised word that the taxonomy also writes with a
        # qualifier in front ("Access" beside "Microsoft Access", "Hosting" beside "Web
        # hosting") is an ordinary word that the qualifier disambiguates.
        heads: set[str] = set()
        for name, aliases in pairs:
            forms_of_skill = [name, *aliases]
            last_words = {folded_words(f)[-1] for f in forms_of_skill if len(f.split()) >= 2}
            for phrase in forms_of_skill:
                word = phrase.strip()
                if word.isalpha() and word[:1].isupper() and word[1:].islower():
                    if fold(word) in last_words:
                        heads.add(fold(word))
        common = set(ENGLISH_STOP_WORDS) | {w.casefold() for w in common_words}

        phrases: dict[str, Alias] = {}
        forms: dict[str, set[str]] = defaultdict(set)
        max_words = 1
        for name, aliases in pairs:
            for phrase in (name, *aliases):
                key = fold(phrase)
                if not key:
                    continue
                forms[key].add(phrase.strip())
                max_words = max(max_words, len(folded_words(phrase)))
        for key, written in forms.items():
            skill = exact[key]
            single = all(len(folded_words(w)) == 1 for w in written)
            ambiguous = len(key) <= 2 or (single and (key in common or key in heads))
            phrases[key] = Alias(skill=skill, ambiguous=ambiguous, forms=frozenset(written))
        return cls(
            exact,
            order,
            initialisms,
            learned,
            phrases,
            min(max_words, 8),
        )

    def exact(self, term: str) -> SkillMatch | None:
        """The exact stage alone: folded name or alias, plural, word order, initialism."""
        key = fold(term)
        if not key:
            return None
        skill = self._exact.get(key) or self._exact.get(singular(key))
        if skill is None:
            words = folded_words(term)
            if len(words) >= 2:
                skill = self._order.get(order_key(words))
        if skill is not None:
            return SkillMatch(skill=skill, score=1.0)
        initial = self._initialisms.get(key) or self._initialisms.get(singular(key))
        if initial is not None:
            return SkillMatch(skill=initial, score=INITIALISM_SCORE)
        return None

    @property
    def cutoff(self) -> float:
        """The learned stage's cut-off on its probability (calibrated on this taxonomy)."""
        return self._learned.cutoff

    def fuzzy(self, term: str) -> SkillMatch | None:
        """The learned stage alone: the best candidate when the model is sure enough."""
        return self._fuzzy_many([term])[0]

    def _fuzzy_many(self, terms: list[str]) -> list[SkillMatch | None]:
        memo: dict[str, SkillMatch | None] = self.__dict__.setdefault("_fuzzy_memo", {})
        asked = [term for term in terms if len(fold(term)) >= MIN_FUZZY_LENGTH]
        answers = {term: memo[term] for term in asked if term in memo}
        new = list(dict.fromkeys(term for term in asked if term not in answers))
        if new:
            for term, hit in zip(new, self._learned.best(new), strict=True):
                answers[term] = None if hit is None else SkillMatch(skill=hit[0], score=hit[1])
            if len(memo) + len(new) > FUZZY_MEMO_SIZE:
                memo.clear()
            memo.update((term, answers[term]) for term in new)
        return [answers.get(term) for term in terms]

    def __getstate__(self) -> dict:
        # Pickled into the index's files without what it has remembered.
        state = self.__dict__.copy()
        state.pop("_fuzzy_memo", None)
        return state

    def normalize(self, term: str) -> SkillMatch | None:
        """The canonical skill a phrase names, with a score in [0, 1]; None when unknown."""
        return self.exact(term) or self.fuzzy(term)

    def normalize_many(self, terms: Iterable[str]) -> list[NormalizedTerm]:
        """Normalize each term, in order (the learned stage batched); unknown: ``match`` None."""
        terms = list(terms)
        matches = [self.exact(term) for term in terms]
        rest = [i for i, match in enumerate(matches) if match is None]
        for i, match in zip(rest, self._fuzzy_many([terms[i] for i in rest]), strict=True):
            matches[i] = match
        return [NormalizedTerm(term=t, match=m) for t, m in zip(terms, matches, strict=True)]

    def candidates(self, term: str, k: int = 3) -> list[SkillMatch]:
        """Up to ``k`` skills the term may name, best first (the exact match, if any, first).

        Unlike :meth:`normalize` these are not cut off: the model's probability is the score.
        """
        return self.candidates_many([term], k)[0]

    def candidates_many(self, terms: Iterable[str], k: int = 3) -> list[list[SkillMatch]]:
        """:meth:`candidates` for each term, the learned stage batched."""
        terms = list(terms)
        found: list[list[SkillMatch]] = []
        for term in terms:
            exact = self.exact(term)
            found.append([exact] if exact is not None else [])
        asked = [i for i, term in enumerate(terms) if len(fold(term)) >= MIN_FUZZY_LENGTH]
        ranked = self._learned.ranked([terms[i] for i in asked], k + 1)
        for i, items in zip(asked, ranked, strict=True):
            for skill, score in items:
                if all(skill != m.skill for m in found[i]):
                    found[i].append(SkillMatch(skill=skill, score=score))
        return [matches[:k] for matches in found]

    def extract(self, text: str) -> list[SkillMatch]:
        """Skills named in free text, de-duplicated, in order of first appearance.

        See :mod:`matching.extract` for the stages and for when an ordinary word counts.
        """
        extractor = getattr(self, "_extractor", None)
        if extractor is None:
            extractor = self._extractor = Extractor(self)
        return extractor.extract(text)
