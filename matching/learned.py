"""The learned stage of skill normalization: retrieve candidate skills, score them with a model.

:class:`LearnedMatcher` is built from one taxonomy and knows nothing else: no alias lists, no
model trained elsewhere. It answers terms the exact stages of :mod:`matching.normalize` missed.
The stage has three parts:

- **Candidates and features** (:mod:`matching.learned_features`): every name and alias is a
  phrase under several indexes (character n-grams, whole words, edits, letters in order); a
  term's candidate skills each get a row of features (cosine, rapidfuzz ratios, coverage,
  letters in order, edits...). A ``LearnedMatcher`` is such a :class:`PhraseIndex`.
- **Training and calibration** (:mod:`matching.learned_training`): when the matcher is built,
  gradient-boosted trees are fitted on queries made from the taxonomy alone (held-out aliases,
  typos, attached words, left-out skills, made-up names), and the cut-off is calibrated on
  out-of-fold scores.
- **Answers** (here): a term's best skill when the model is at least as sure as the cut-off.
  Below the cut-off the term is unknown, and so is a term whose two best skills score within
  :data:`TIE_MARGIN` of each other, a versioned term (``html5``) whose letters start none of
  the best skill's phrases, and a one-word term that is only a part, not the start, of a
  one-word phrase of it (``sql`` of PostgreSQL).

Trained matchers are cached in-process by a hash of the taxonomy (:data:`CACHE_SIZE` of them).
"""

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence

import numpy as np
from rapidfuzz.distance import OSA
from sklearn.ensemble import HistGradientBoostingClassifier

from matching.learned_features import PhraseIndex, Query
from matching.learned_text import letters_of, starts_either, versioned, words
from matching.learned_training import LEXICAL_RATIO, fit, probability
from network.text_rules import fold

# When the runner-up skill scores within this of the best, the term is ambiguous: no answer.
TIE_MARGIN = 0.01
CACHE_SIZE = 8


class LearnedMatcher(PhraseIndex):
    """Candidate retrieval and a trained scorer over one taxonomy's names and aliases."""

    def __init__(self, pairs: Sequence[tuple[str, Sequence[str]]]) -> None:
        """Index the phrases of ``pairs`` (``(name, aliases)``); :func:`build` also trains."""
        super().__init__(pairs)
        self.models: list[HistGradientBoostingClassifier] = []
        self.cutoff = LEXICAL_RATIO / 100  # until a model is fitted: the spelling alone
        self.training_summary: dict[str, float] = {}

    def train(self) -> None:
        """Fit the scorer on this taxonomy and set the cut-off from out-of-fold scores."""
        fitted = fit(self)
        self.models = fitted.models
        self.cutoff = fitted.cutoff
        self.training_summary = fitted.summary

    def _probability(self, features: np.ndarray) -> np.ndarray:
        return probability(self.models, features)

    # --- answering -----------------------------------------------------------------------

    def ranked(self, terms: Sequence[str], k: int) -> list[list[tuple[str, float]]]:
        """For each term, up to ``k`` (skill, probability) pairs, best first."""
        features, owners = self.candidate_features([Query(t) for t in terms])
        probs = self._probability(features)
        scored: list[list[tuple[float, int]]] = [[] for _ in terms]
        for (qi, sid), p in zip(owners, probs, strict=True):
            scored[qi].append((float(p), sid))
        result = []
        for items in scored:
            items.sort(key=lambda item: (-item[0], item[1]))
            result.append([(self.skills[sid], round(p, 4)) for p, sid in items[:k]])
        return result

    def best(self, terms: Sequence[str]) -> list[tuple[str, float] | None]:
        """For each term, its best skill when the model is at least as sure as the cut-off
        and no other skill scores within :data:`TIE_MARGIN` of it, and a versioned term
        (:func:`versioned`) names it."""
        found: list[tuple[str, float] | None] = []
        for term, items in zip(terms, self.ranked(terms, 2), strict=True):
            if not items or items[0][1] < self.cutoff:
                found.append(None)
            elif len(items) > 1 and items[0][1] - items[1][1] < TIE_MARGIN:
                found.append(None)
            elif not self._version_fits(term, items[0][0]) or self._only_a_tail(term, items[0][0]):
                found.append(None)
            else:
                found.append(items[0])
        return found

    def _only_a_tail(self, term: str, skill: str) -> bool:
        """Whether a one-word term is only a part, not the start, of a one-word phrase of the
        skill ("sql" of "postgresql", "script" of "javascript"): another tool, most likely.
        A phrase of the skill that the term starts, or one edit from the term, outweighs it."""
        key = fold(term)
        if len(words(term)) != 1:
            return False
        phrases = [p for p in self.phrases_of[self.skill_ids[skill]] if " " not in self.spaced[p]]
        inside = any(key in self.keys[p] and not self.keys[p].startswith(key) for p in phrases)
        if not inside:
            return False
        return not any(
            starts_either(key, self.keys[p]) or OSA.distance(key, self.keys[p], score_cutoff=1) <= 1
            for p in self.phrases_of[self.skill_ids[skill]]
        )

    def _version_fits(self, term: str, skill: str) -> bool:
        """A versioned term ("html5") names a skill only when its letters start one of the
        skill's phrases (digits aside), a phrase's letters start them, or they are a phrase's
        initials (or, from the same first letter, one edit from such a start): "css3" is CSS,
        "win7" Windows 7, "pyhton3" Python, but "html5" is not "PHTML" one edit away."""
        found = versioned(fold(term))
        if found is None:
            return True
        for pid in self.phrases_of[self.skill_ids[skill]]:
            letters = letters_of(self.keys[pid])
            if starts_either(found, letters):
                return True
            # The same with a typo, from the same first letter ("pyhton3").
            if letters[:1] == found[:1] and OSA.distance(found, letters[: len(found)]) <= 1:
                return True
            if found == "".join(w[0] for w in self.spaced[pid].split() if w[0].isalpha()):
                return True
        return False


_cache: OrderedDict[str, LearnedMatcher] = OrderedDict()
_lock = threading.Lock()


def taxonomy_key(pairs: Iterable[tuple[str, Sequence[str]]]) -> str:
    """A hash of a taxonomy's names and aliases, in order."""
    digest = hashlib.blake2b(digest_size=16)
    for name, aliases in pairs:
        digest.update(name.encode())
        digest.update(b"\x00")
        for alias in aliases:
            digest.update(alias.encode())
            digest.update(b"\x01")
        digest.update(b"\x02")
    return digest.hexdigest()


def build(pairs: Sequence[tuple[str, Sequence[str]]]) -> LearnedMatcher:
    """The trained matcher for a taxonomy, from the in-process cache when it was built before."""
    key = taxonomy_key(pairs)
    with _lock:
        cached = _cache.get(key)
        if cached is not None:
            _cache.move_to_end(key)
            return cached
    matcher = LearnedMatcher(pairs)
    matcher.train()
    with _lock:
        _cache[key] = matcher
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return matcher


def clear_cache() -> None:
    """Forget every trained matcher (tests)."""
    with _lock:
        _cache.clear()
