"""The learned stage of skill normalization: retrieve candidate skills, score them with a model.

:class:`LearnedMatcher` is built from one taxonomy and knows nothing else: no alias lists, no
model trained elsewhere. It answers terms the exact stages of :mod:`matching.normalize` missed.

**Candidates.** Every name and alias is a *phrase* (folded, words kept apart). A term's
candidates come from several indexes over the phrases: character n-gram TF-IDF (``char_wb``,
2-4 grams, sparse cosine, top :data:`RETRIEVE` phrases); the term's word n-grams that are a whole
phrase (``php-include`` → ``php``, ``jwt-auth`` → ``jwt``); a phrase with at most four characters
glued to a one-word term (``wrenlang``, ``ada2005``); a name without its bracketed qualifier
(``python`` → "Python (computer programming)"); phrases at most two edits from a one-word term
(a deletion index: ``postgress`` → PostgreSQL) and one-word phrases one edit from a word of a
longer term (``wordpess-filter`` → WordPress); and, for short terms, short phrases holding the
term's letters in order from the same first letter (``rb`` → Ruby, ``objc`` → Objective-C; not
``slack`` along "Salesforce Nonprofit Success Pack", nor inside an initialism such as ``npsp``).
Phrases are grouped by skill; each skill keeps its best phrase.

**Features** of a (term, candidate skill) pair (:data:`FEATURES`): n-gram cosine, its gap to the
best other skill, the skill's rank, how many of the top phrases name the skill, rapidfuzz ratio,
partial ratio, token-set and token-sort ratios, Jaro-Winkler, edit distances, whether a word
n-gram of the term is a phrase of the skill, how much of the term it covers and where, letters
in order, substring either way, prefix, crude-stem overlap, lengths and their ratio, digits,
how many skills score close to the best, the skill's phrase count and name length, the gap of
its rapidfuzz WRatio to the runner-up, which index found it, whether a versioned term's letters
start a phrase of the skill (``css3``/``css``, not ``html5``/``phtml``), the edits to the
skill's closest phrase per character, whether the term is only a part of a one-word phrase
(``sql`` of ``postgresql``) and how much of it a misspelt word covers.

**Training**, when the matcher is built, from the taxonomy alone (fixed seeds, so the same
taxonomy always gives the same model): each alias (and each name of a skill with aliases) is a
query with that phrase left out of every index (so no feature counts it), its own skill the
positive and the other candidates near-miss negatives; the same with one typo (as many as
:data:`MAX_HELD_TYPO_QUERIES`: an unseen alias misspelt is what a typed typo mostly is); one
typo of names and aliases with the phrase kept, a name with a word attached (``mysql-query``)
and a name without its bracketed qualifier are positives, and so are a name with a word attached
and one typo, and a short abbreviation of a one-word phrase (its first letter and later
consonants) that abbreviates no other skill; a name queried with *all* of its skill's phrases
left out is a tool the taxonomy lacks, every candidate a negative, and so are made-up names (the
start of one phrase glued to the end of another, as many as :data:`MAX_MADE_UP_QUERIES` in a
small taxonomy, where left-out skills are few), a one-word phrase with a version number and its
skill left out, and the part of a one-word phrase after its start.
:class:`~sklearn.ensemble.HistGradientBoostingClassifier` is fitted twice, each time on the
queries of half of the skills; a pair's score is the mean of the two models' probabilities. A
taxonomy giving fewer than :data:`SMALL_ROWS` rows gets one small model on all of them and the
fixed cut-off :data:`SMALL_CUTOFF` (too few queries to calibrate on); one giving fewer than
:data:`MIN_ROWS` (two skills without aliases) gets no model at all, and a candidate counts only
when spelt nearly like one of its skill's phrases (:data:`LEXICAL_RATIO`).

**Calibration.** Each query's best candidate is scored by the model that did not see it
(out-of-fold); the cut-off maximising right - :data:`WRONG_COST` x wrong over those queries
counts for :data:`CALIBRATION_WEIGHT` and :data:`DEFAULT_CUTOFF` for the rest, kept within
:data:`CUTOFF_RANGE`: one global-ish rule across taxonomies, since the optimum alone swings with
small changes to the training data. Below the cut-off the term is unknown, and so is a term
whose two best skills score within :data:`TIE_MARGIN` of each other, a versioned term
(``html5``) whose letters start none of the best skill's phrases, and a one-word term that is
only a part, not the start, of a one-word phrase of it (``sql`` of PostgreSQL).

Trained matchers are cached in-process by a hash of the taxonomy (:data:`CACHE_SIZE` of them).
"""

import hashlib
import random
import re
import threading
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein
from scipy import sparse
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from threadpoolctl import ThreadpoolController

from network.text import fold

RETRIEVE = 12  # phrases taken from the n-gram index per term
MAX_CANDIDATES = 8  # skills scored per term
AGREE_TOP = 10  # phrases looked at for "how many of the top phrases name this skill"
MIN_KEY = 2  # folded terms shorter than this never reach the model
# Cut-off on the model's probability: the default and the range a taxonomy may move it in.
DEFAULT_CUTOFF = 0.3
CUTOFF_RANGE = (0.3, 0.5)
# How far a taxonomy's own best cut-off moves it from DEFAULT_CUTOFF (the rest is the default):
# the out-of-fold optimum swings by 0.1 with small changes to the training data.
CALIBRATION_WEIGHT = 0.25
# A taxonomy too small to calibrate on (under SMALL_ROWS training rows) gets this cut-off.
SMALL_CUTOFF = 0.5
# When the runner-up skill scores within this of the best, the term is ambiguous: no answer.
TIE_MARGIN = 0.01
WRONG_COST = 1.5  # a wrong skill misleads silently; an unknown one is shown
# Training queries of each kind, at most (a large taxonomy is sampled, with a fixed seed).
MAX_ALIAS_QUERIES = 1500
MAX_TYPO_QUERIES = 1000
# Held-out aliases asked again with one typo: the closest kind of query to an unseen alias
# misspelt, so as many as the held-out aliases allow up to this many.
MAX_HELD_TYPO_QUERIES = 1200
MAX_ATTACHED_QUERIES = 300
MAX_UNKNOWN_QUERIES = 800
MAX_MADE_UP_QUERIES = 200
SEED = 20240611
# Letters in order count only for a term of at most IN_ORDER_TERM characters against a folded
# phrase of at most IN_ORDER_PHRASE.
IN_ORDER_TERM = 12
IN_ORDER_PHRASE = 12
# One-word terms of at least EDIT_MIN characters look up phrases at most two edits away.
EDIT_MIN = 4
EDIT_MAX = 20
CACHE_SIZE = 8
# Below this many training rows one small model is fitted on all of them and the cut-off is
# SMALL_CUTOFF: a handful of skills gives too few queries to calibrate on.
SMALL_ROWS = 2500
# Below this many training rows (a taxonomy of two or three skills without aliases) there is
# nothing to learn from: no model is fitted, and a candidate counts only when it is spelt
# nearly like one of the skill's phrases (rapidfuzz ratio, 0-100, at least LEXICAL_RATIO).
MIN_ROWS = 100
LEXICAL_RATIO = 85.0
_SPLIT = re.compile(r"[\s\-_./,;:()\[\]{}'\"&]+")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"

FEATURES = (
    "cos",
    "cos_gap",
    "rank",
    "agree",
    "agree_share",
    "phrases",
    "name_words",
    "ratio",
    "partial",
    "token_set",
    "token_sort",
    "jaro",
    "lev",
    "osa_norm",
    "wratio_gap",
    "sub_cover",
    "sub_start",
    "sub_end",
    "in_order",
    "in_order_name",
    "contains",
    "contained",
    "prefix",
    "stems_term",
    "stems_phrase",
    "term_len",
    "phrase_len",
    "len_ratio",
    "term_words",
    "phrase_words",
    "digits",
    "close",
    "is_name",
    "name_ratio",
    "from_ngrams",
    "from_words",
    "from_letters",
    "same_letters",
    "from_edits",
    "edit_share",
    "tail_of",
    "near_word",
)


_openmp: list | None = None  # threadpoolctl's controllers of the loaded OpenMP runtimes


@contextmanager
def _one_thread():
    """Run scikit-learn's OpenMP loops on one thread inside the block.

    The boosted trees are small: on a busy machine OpenMP's worker threads spun against other
    processes and made fitting ten times slower than one thread, and a prediction for one term
    tens of milliseconds. The runtime's own setter is called directly (microseconds), since
    ``threadpool_limits`` re-scans the loaded libraries each time (milliseconds).
    """
    global _openmp
    if _openmp is None:
        _openmp = list(ThreadpoolController().select(user_api="openmp").lib_controllers)
    saved = [runtime.get_num_threads() for runtime in _openmp]
    for runtime in _openmp:
        runtime.set_num_threads(1)
    try:
        yield
    finally:
        for runtime, threads in zip(_openmp, saved, strict=True):
            runtime.set_num_threads(threads)


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


def _stems(parts: list[str]) -> frozenset[str]:
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


def _heads(a: str, b: str) -> bool:
    """Whether one of two non-empty strings starts the other."""
    return bool(b) and (a.startswith(b) or b.startswith(a))


class _Row:
    """One term's cosine with every phrase, as the sparse product gives it (0 elsewhere)."""

    __slots__ = ("idx", "val")

    def __init__(self, idx: np.ndarray, val: np.ndarray) -> None:
        self.idx = idx
        self.val = val

    def __getitem__(self, pid: int) -> float:
        j = int(np.searchsorted(self.idx, pid))
        return float(self.val[j]) if j < len(self.idx) and self.idx[j] == pid else 0.0

    def many(self, pids: np.ndarray) -> np.ndarray:
        """The cosines of several phrases."""
        if len(self.idx) == 0 or len(pids) == 0:
            return np.zeros(len(pids), dtype=np.float32)
        j = np.minimum(np.searchsorted(self.idx, pids), len(self.idx) - 1)
        return np.where(self.idx[j] == pids, self.val[j], 0.0)

    def top(self, k: int) -> list[int]:
        """The (at most) k phrases of highest positive cosine, best first, ties by position."""
        val = self.val
        if len(val) > k:
            part = np.argpartition(-val, k - 1)[:k]
        else:
            part = np.arange(len(val))
        part = part[np.lexsort((self.idx[part], -val[part]))]
        return [int(self.idx[j]) for j in part if val[j] > 0]


@dataclass(frozen=True)
class _Query:
    term: str
    exclude_phrase: int = -1  # a phrase left out of every index (the held-out alias)
    exclude_skill: int = -1  # a skill left out entirely (a tool the taxonomy lacks)


class LearnedMatcher:
    """Candidate retrieval and a trained scorer over one taxonomy's names and aliases."""

    def __init__(self, pairs: Sequence[tuple[str, Sequence[str]]]) -> None:
        """Index the phrases of ``pairs`` (``(name, aliases)``); :func:`build` also trains."""
        self.skills: list[str] = []
        skill_ids: dict[str, int] = {}
        keys: dict[str, int] = {}
        spaced: list[str] = []
        phrase_skill: list[int] = []
        for name, _aliases in pairs:
            if skill_ids.setdefault(name, len(self.skills)) == len(self.skills):
                self.skills.append(name)
        # Names first, so a name keeps its phrase when an alias elsewhere folds alike.
        written = [(name, name) for name, _ in pairs]
        written += [(name, alias) for name, aliases in pairs for alias in aliases]
        for name, phrase in written:
            key = fold(phrase)
            if not key or key in keys:
                continue
            keys[key] = len(spaced)
            spaced.append(" ".join(words(phrase)))
            phrase_skill.append(skill_ids[name])
        self.keys = list(keys)
        self.skill_ids = skill_ids
        self.key_id = keys
        self.spaced = spaced
        self.phrase_skill = np.asarray(phrase_skill, dtype=np.int64)
        self.skill_phrases = np.bincount(self.phrase_skill, minlength=len(self.skills))
        self.name_words = np.asarray([len(words(s)) for s in self.skills], dtype=np.float32)
        self.name_key = [fold(s) for s in self.skills]
        self.name_phrase = [keys.get(fold(name), -1) for name in self.skills]
        self.name_phrase = [
            p if p >= 0 and phrase_skill[p] == sid else -1 for sid, p in enumerate(self.name_phrase)
        ]
        self.stems = [_stems(text.split()) for text in spaced]
        self.digits = [any(ch.isdigit() for ch in key) for key in self.keys]
        self.phrases_of: dict[int, list[int]] = defaultdict(list)
        for pid, sid in enumerate(phrase_skill):
            self.phrases_of[sid].append(pid)
        # Phrases with a qualifier in brackets, by what comes before it: "Python (computer
        # programming)" under "python", kept only when one skill claims it.
        bare: dict[str, set[int]] = defaultdict(set)
        self.bare_text: dict[str, str] = {}
        for name, aliases in pairs:
            for phrase in (name, *aliases):
                if "(" in phrase:
                    before = phrase.split("(", 1)[0]
                    base = fold(before)
                    if len(base) >= 2 and base not in keys:
                        bare[base].add(keys[fold(phrase)])
                        self.bare_text.setdefault(base, " ".join(words(before)))
        self.bare = {
            base: next(iter(pids))
            for base, pids in bare.items()
            if len({phrase_skill[p] for p in pids}) == 1
        }
        # Letters-in-order index: short phrases by their first letter and each later letter.
        # Each list is sorted by length, so the shortest phrases holding a term come first.
        self.letters: dict[tuple[str, str], list[int]] = defaultdict(list)
        for pid in sorted(range(len(self.keys)), key=lambda p: (len(self.keys[p]), p)):
            key = self.keys[pid]
            if len(key) <= IN_ORDER_PHRASE:
                for ch in set(key[1:]):
                    self.letters[(key[0], ch)].append(pid)
        # Edit index: each short phrase under itself and every one-letter deletion of it; a
        # term's deletions looked up here find the phrases at most two edits away.
        self.deletions: dict[str, list[int]] = defaultdict(list)
        for pid, key in enumerate(self.keys):
            if EDIT_MIN - 1 <= len(key) <= EDIT_MAX:
                for variant in {key, *(key[:i] + key[i + 1 :] for i in range(len(key)))}:
                    self.deletions[variant].append(pid)
        self.vectorizer = None
        self._analyze = None
        self.matrix = None
        if spaced:
            self.vectorizer = TfidfVectorizer(
                analyzer="char_wb",
                ngram_range=(2, 4),
                lowercase=False,
                sublinear_tf=True,
                # In a large taxonomy, n-grams in over 5 % of the phrases ("e ", "in") tell
                # little and make the sparse product nearly dense.
                max_df=0.05 if len(spaced) >= 2000 else 1.0,
                dtype=np.float32,
            )
            self.matrix = self.vectorizer.fit_transform(spaced).T.tocsr()
        self.models: list[HistGradientBoostingClassifier] = []
        self.cutoff = LEXICAL_RATIO / 100  # until a model is fitted: the spelling alone
        self.training_summary: dict[str, float] = {}

    # --- candidates and features ---------------------------------------------------------

    def _candidates(self, queries: Sequence[_Query]) -> tuple[np.ndarray, list[tuple[int, int]]]:
        """Feature rows and their (query index, skill id) for every candidate of each query."""
        rows: list[list[float]] = []
        owners: list[tuple[int, int]] = []
        if self.matrix is None or not queries:
            return np.zeros((0, len(FEATURES)), dtype=np.float32), owners
        texts = [" ".join(words(q.term)) for q in queries]
        for start in range(0, len(queries), 512):
            chunk = queries[start : start + 512]
            sims = (self._vectorize(texts[start : start + 512]) @ self.matrix).tocsr()
            sims.sort_indices()
            for offset, query in enumerate(chunk):
                qi = start + offset
                a, b = sims.indptr[offset], sims.indptr[offset + 1]
                idx, val = sims.indices[a:b], sims.data[a:b].copy()
                if query.exclude_phrase >= 0:
                    val[idx == query.exclude_phrase] = 0.0
                if query.exclude_skill >= 0:
                    val[self.phrase_skill[idx] == query.exclude_skill] = 0.0
                self._pairs(query, texts[qi], _Row(idx, val), qi, rows, owners)
        out = np.asarray(rows, dtype=np.float32).reshape(-1, len(FEATURES))
        return out, owners

    def _vectorize(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """``vectorizer.transform`` (sublinear tf, idf, l2), without its per-call checks."""
        if self._analyze is None:
            self._analyze = self.vectorizer.build_analyzer()
        vocabulary = self.vectorizer.vocabulary_
        idf = self.vectorizer.idf_
        indptr, indices, data = [0], [], []
        for text in texts:
            counts = Counter(
                column for column in map(vocabulary.get, self._analyze(text)) if column is not None
            )
            columns = np.fromiter(sorted(counts), dtype=np.int64, count=len(counts))
            values = (1.0 + np.log([counts[c] for c in columns.tolist()])) * idf[columns]
            norm = np.sqrt((values**2).sum())
            indices.extend(columns.tolist())
            data.extend((values / norm if norm > 0 else values).tolist())
            indptr.append(len(indices))
        return sparse.csr_matrix(
            (np.asarray(data, dtype=np.float32), np.asarray(indices, dtype=np.int64), indptr),
            shape=(len(texts), len(idf)),
        )

    def _excluded(self, query: _Query, pid: int) -> bool:
        return pid == query.exclude_phrase or (
            query.exclude_skill >= 0 and self.phrase_skill[pid] == query.exclude_skill
        )

    def _pairs(self, query, text, row, qi, rows, owners) -> None:
        """Append the feature rows of one query's candidate skills."""
        key = fold(query.term)
        if len(key) < MIN_KEY:
            return
        top = row.top(max(RETRIEVE, AGREE_TOP))
        agree: dict[int, int] = defaultdict(int)
        for pid in top[:AGREE_TOP]:
            agree[int(self.phrase_skill[pid])] += 1
        # Phrases found as whole word n-grams of the term: sid -> (pid, covered chars, start, end)
        term_words = text.split()
        whole: dict[int, tuple[int, float, int, int]] = {}
        for i in range(len(term_words)):
            for j in range(i + 1, min(len(term_words), i + 6) + 1):
                if i == 0 and j == len(term_words):
                    continue  # the whole term is the exact stage's business
                pid = self.key_id.get("".join(term_words[i:j]))
                if pid is None or self._excluded(query, pid):
                    continue
                sid = int(self.phrase_skill[pid])
                cover = sum(len(w) for w in term_words[i:j]) / max(1, len(key))
                if sid not in whole or cover > whole[sid][1]:
                    whole[sid] = (pid, cover, int(i == 0), int(j == len(term_words)))
        pid = self.bare.get(key)
        if pid is not None and not self._excluded(query, pid):
            whole[int(self.phrase_skill[pid])] = (pid, 1.0, 1, 1)
        # A word of a longer term one edit from a one-word phrase ("wordpess-filter").
        near: dict[int, tuple[int, float]] = {}
        if len(term_words) > 1:
            for word in term_words:
                if len(word) < EDIT_MIN or word in self.key_id:
                    continue
                for variant in {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}:
                    for pid in self.deletions.get(variant, ()):
                        if self._excluded(query, pid) or " " in self.spaced[pid]:
                            continue
                        if OSA.distance(word, self.keys[pid], score_cutoff=1) <= 1:
                            sid = int(self.phrase_skill[pid])
                            cover = len(word) / max(1, len(key))
                            if sid not in near or cover > near[sid][1]:
                                near[sid] = (pid, cover)
            if len(near) > 3:
                near = dict(sorted(near.items(), key=lambda item: (-item[1][1], item[0]))[:3])
        # A phrase glued to the front or back of a one-word term ("wrenlang", "ada2005").
        # At most four characters glued on: "scalability" is not "Scala" glued to "bility".
        if len(term_words) == 1:
            for cut in range(len(key) - 1, max(1, len(key) - 5), -1):
                for part, start, end in ((key[:cut], 1, 0), (key[-cut:], 0, 1)):
                    pid = self.key_id.get(part)
                    if pid is None or self._excluded(query, pid):
                        continue
                    sid = int(self.phrase_skill[pid])
                    if sid not in whole or cut / len(key) > whole[sid][1]:
                        whole[sid] = (pid, cut / len(key), start, end)
        # Letters in order, for short terms.
        letters: dict[int, int] = {}
        if 2 <= len(key) <= IN_ORDER_TERM:
            for looked, pid in enumerate(self.letters.get((key[0], key[1]), ())):
                phrase = self.keys[pid]
                if len(phrase) > 4 * len(key) + 4 or len(letters) >= 3 or looked >= 400:
                    break
                if in_order(key, phrase) and not self._excluded(query, pid):
                    letters.setdefault(int(self.phrase_skill[pid]), pid)
        # Phrases at most two edits away (the closest per skill), for terms long enough.
        edits: dict[int, tuple[int, int]] = {}
        if EDIT_MIN <= len(key) <= EDIT_MAX:
            seen: set[int] = set()
            for variant in {key, *(key[:i] + key[i + 1 :] for i in range(len(key)))}:
                for pid in self.deletions.get(variant, ()):
                    if pid in seen or self._excluded(query, pid):
                        continue
                    seen.add(pid)
                    distance = OSA.distance(key, self.keys[pid], score_cutoff=2)
                    if distance <= 2:
                        sid = int(self.phrase_skill[pid])
                        if sid not in edits or distance < edits[sid][1]:
                            edits[sid] = (pid, distance)
            if len(edits) > 4:
                edits = dict(sorted(edits.items(), key=lambda item: (item[1][1], item[0]))[:4])
        # Group by skill, best phrase first.
        best: dict[int, int] = {}
        for pid in top[:RETRIEVE]:
            best.setdefault(int(self.phrase_skill[pid]), pid)
        firsts = row.many(np.asarray(list(best.values()), dtype=np.int64)).tolist()
        best_cos = dict(zip(best, firsts, strict=True))
        by_cos = sorted(best, key=lambda s: -best_cos[s])
        chosen = by_cos[:MAX_CANDIDATES]
        for sid, info in whole.items():
            if sid not in best:
                best[sid] = info[0]
            if sid not in chosen:
                chosen.append(sid)
        for sid, pid in letters.items():
            if sid not in best:
                best[sid] = pid
            if sid not in chosen:
                chosen.append(sid)
        for sid, (pid, _cover) in near.items():
            if sid not in best:
                best[sid] = pid
            if sid not in chosen:
                chosen.append(sid)
        for sid, (pid, _distance) in edits.items():
            if sid not in best:
                best[sid] = pid
            if sid not in chosen:
                chosen.append(sid)
        if not chosen:
            return
        # Each chosen skill's best phrase over all its phrases (one vectorised look-up).
        pids = np.asarray([p for sid in chosen for p in self.phrases_of[sid][:16]], dtype=np.int64)
        cos_all = row.many(pids)
        skill_cos: dict[int, float] = {sid: 0.0 for sid in chosen}
        for pid, c in zip(pids.tolist(), cos_all.tolist(), strict=True):
            sid = int(self.phrase_skill[pid])
            if c > skill_cos[sid] and not self._excluded(query, pid):
                skill_cos[sid] = c
                best[sid] = pid
        cos_sorted = sorted(skill_cos.values(), reverse=True)
        top_cos = cos_sorted[0]
        close = sum(1 for c in cos_sorted if c >= 0.9 * top_cos and c > 0)
        rank_of = {sid: r for r, sid in enumerate(sorted(chosen, key=lambda s: -skill_cos[s]))}
        wratios = {}
        base = []
        for sid in chosen:
            pid = best[sid]
            phrase = self.spaced[pid]
            pkey = self.keys[pid]
            wr = fuzz.WRatio(text, phrase, processor=None)
            wratios[sid] = wr
            base.append((sid, pid, phrase, pkey, wr))
        term_len = len(key)
        n_words = len(term_words)
        term_stems = _stems(term_words)
        has_digit = any(ch.isdigit() for ch in key)
        top_cos_skill = max(skill_cos, key=lambda s: (skill_cos[s], -s))
        second_cos = max((c for s, c in skill_cos.items() if s != top_cos_skill), default=0.0)
        top_wr_skill = max(wratios, key=lambda s: (wratios[s], -s))
        second_wr = max((w for s, w in wratios.items() if s != top_wr_skill), default=0.0)
        for sid, pid, phrase, pkey, wr in base:
            cos = skill_cos[sid]
            other_cos = second_cos if sid == top_cos_skill else skill_cos[top_cos_skill]
            other_wr = second_wr if sid == top_wr_skill else wratios[top_wr_skill]
            phrases = int(self.skill_phrases[sid]) - (
                1
                if query.exclude_phrase >= 0 and self.phrase_skill[query.exclude_phrase] == sid
                else 0
            )
            sub = whole.get(sid)
            name_key = self.name_key[sid]
            skill_in_order = term_len <= 12 and any(
                in_order(key, self.keys[p])
                for p in self.phrases_of[sid][:8]
                if not self._excluded(query, p)
            )
            p_digit = self.digits[pid]
            # The term is a part of a one-word phrase of the skill that is not its start
            # ("sql" of "postgresql"): weak evidence, unlike a head the term holds.
            tail = any(
                key in self.keys[p] and not self.keys[p].startswith(key)
                for p in self.phrases_of[sid][:16]
                if " " not in self.spaced[p] and not self._excluded(query, p)
            )
            # The closest phrase of the skill by edits (OSA), over its first sixteen phrases.
            closest = min(
                (
                    OSA.distance(key, self.keys[p])
                    for p in self.phrases_of[sid][:16]
                    if not self._excluded(query, p)
                ),
                default=99,
            )
            # A versioned term's letters start some phrase of the skill or the other way round
            # ("css3" and "css", "win7" and "windows 7"; not "html5" and "phtml").
            term_letters = versioned(key)
            same_letters = bool(term_letters) and any(
                _heads(term_letters, letters_of(self.keys[p]))
                for p in self.phrases_of[sid][:16]
                if not self._excluded(query, p)
            )
            rows.append(
                [
                    cos,
                    cos - other_cos,
                    rank_of[sid],
                    agree.get(sid, 0),
                    agree.get(sid, 0) / max(1, min(AGREE_TOP, phrases)),
                    phrases,
                    self.name_words[sid],
                    fuzz.ratio(text, phrase, processor=None),
                    fuzz.partial_ratio(text, phrase, processor=None),
                    fuzz.token_set_ratio(text, phrase, processor=None),
                    fuzz.token_sort_ratio(text, phrase, processor=None),
                    JaroWinkler.normalized_similarity(key, pkey),
                    Levenshtein.distance(key, pkey),
                    OSA.normalized_distance(key, pkey),
                    wr - other_wr,
                    sub[1] if sub else 0.0,
                    sub[2] if sub else -1,
                    sub[3] if sub else -1,
                    float(skill_in_order),
                    float(term_len <= 12 and in_order(key, name_key)),
                    float(pkey in key),
                    float(key in pkey),
                    float(key.startswith(pkey) or pkey.startswith(key)),
                    len(term_stems & self.stems[pid]) / max(1, len(term_stems)),
                    len(term_stems & self.stems[pid]) / max(1, len(self.stems[pid])),
                    term_len,
                    len(pkey),
                    min(term_len, len(pkey)) / max(term_len, len(pkey), 1),
                    n_words,
                    len(phrase.split()),
                    (2 if has_digit and p_digit else 1 if has_digit or p_digit else 0),
                    close,
                    float(pid == self.name_phrase[sid]),
                    fuzz.ratio(text, self.spaced[self.name_phrase[sid]], processor=None)
                    if self.name_phrase[sid] >= 0
                    else 0.0,
                    float(sid in rank_of and cos > 0),
                    float(sub is not None),
                    float(sid in letters),
                    float(same_letters),
                    float(sid in edits),
                    closest / term_len if term_len >= EDIT_MIN else -1.0,
                    float(tail),
                    near[sid][1] if sid in near else 0.0,
                ]
            )
            owners.append((qi, sid))

    # --- training ----------------------------------------------------------------------------

    def _training_queries(self) -> tuple[list[_Query], list[int], list[int]]:
        """Queries, the right skill of each (-1: none is right) and its group (a skill id)."""
        rng = random.Random(SEED)  # noqa: S311 - reproducible training data, not secrets
        queries: list[_Query] = []
        truth: list[int] = []
        groups: list[int] = []

        def add(query: _Query, sid: int, group: int) -> None:
            queries.append(query)
            truth.append(sid)
            groups.append(group)

        # Aliases held out (and names of skills with aliases, the aliases answering for them).
        held = [
            (pid, sid) for sid, pids in self.phrases_of.items() if len(pids) >= 2 for pid in pids
        ]
        if len(held) > MAX_ALIAS_QUERIES:
            held = rng.sample(held, MAX_ALIAS_QUERIES)
        for pid, sid in held:
            add(_Query(self.spaced[pid], exclude_phrase=pid), sid, sid)
        # The same, misspelt: a held-out alias with one typo.
        for pid, sid in held[:MAX_HELD_TYPO_QUERIES]:
            changed = typo(self.spaced[pid], rng)
            if changed != self.spaced[pid] and fold(changed) not in self.key_id:
                add(_Query(changed, exclude_phrase=pid), sid, sid)
        # One typo of a name or alias, the phrase kept.
        typo_pids = [pid for pid, key in enumerate(self.keys) if len(key) >= 4]
        if len(typo_pids) > MAX_TYPO_QUERIES:
            typo_pids = rng.sample(typo_pids, MAX_TYPO_QUERIES)
        # A small taxonomy gives few queries of each kind: it gets more than one round.
        rounds = max(1, min(2, 300 // max(1, len(self.keys))))
        for pid in typo_pids * rounds:
            changed = typo(self.spaced[pid], rng)
            if fold(changed) not in self.key_id:
                add(_Query(changed), int(self.phrase_skill[pid]), int(self.phrase_skill[pid]))
        # A name with a word of another phrase attached ("mysql-query", "qt creator").
        vocabulary = sorted({w for s in self.spaced for w in s.split() if len(w) >= 3})
        short = [pid for pid, s in enumerate(self.spaced) if len(s.split()) <= 2]
        if vocabulary and short:
            for pid in rng.sample(short, min(MAX_ATTACHED_QUERIES, len(short))):
                word = rng.choice(vocabulary)
                phrase = self.spaced[pid]
                term = f"{phrase} {word}" if rng.random() < 0.7 else f"{word} {phrase}"
                if fold(term) not in self.key_id:
                    add(_Query(term), int(self.phrase_skill[pid]), int(self.phrase_skill[pid]))
                    # The same, misspelt (in the name or in the word attached).
                    changed = typo(term, rng)
                    if fold(changed) not in self.key_id:
                        sid = int(self.phrase_skill[pid])
                        add(_Query(changed), sid, sid)
        # A short abbreviation of a one-word phrase: its first letter and some later consonants
        # in order ("rb" for ruby, "pstgr"), when no other skill's phrase has them in order.
        for pid in rng.sample(short, min(MAX_ATTACHED_QUERIES, len(short))) * rounds:
            key = self.keys[pid]
            if " " in self.spaced[pid] or not 4 <= len(key) <= IN_ORDER_PHRASE:
                continue
            later = [i for i in range(1, len(key)) if key[i].isalpha() and key[i] not in "aeiou"]
            if not later:
                continue
            picked = sorted(rng.sample(later, min(len(later), rng.randint(1, 3))))
            term = key[0] + "".join(key[i] for i in picked)
            sid = int(self.phrase_skill[pid])
            others = self.letters.get((term[0], term[1]), ())
            if fold(term) in self.key_id or any(
                self.phrase_skill[p] != sid and in_order(term, self.keys[p]) for p in others
            ):
                continue
            add(_Query(term), sid, sid)
        # A name without its bracketed qualifier ("Python" for "Python (computer programming)").
        bare = sorted(self.bare.items())
        if len(bare) > MAX_ATTACHED_QUERIES:
            bare = rng.sample(bare, MAX_ATTACHED_QUERIES)
        for base, pid in bare:
            sid = int(self.phrase_skill[pid])
            add(_Query(self.bare_text[base]), sid, sid)
        # A skill the taxonomy lacks: its name, every phrase of it left out.
        if len(self.skills) >= 3:
            sids = [sid for sid in range(len(self.skills)) if self.phrases_of[sid]]
            for sid in rng.sample(sids, min(MAX_UNKNOWN_QUERIES, len(sids))) * rounds:
                pid = self.phrases_of[sid][rng.randrange(len(self.phrases_of[sid]))]
                text = self.spaced[pid] if rounds == 1 else typo(self.spaced[pid], rng)
                add(_Query(text, exclude_skill=sid), -1, sid)
            # Tools are mostly one word: one-word phrases, their skill left out, too.
            single = [pid for pid, text in enumerate(self.spaced) if " " not in text]
            for pid in rng.sample(single, min(MAX_UNKNOWN_QUERIES // 2, len(single))):
                sid = int(self.phrase_skill[pid])
                add(_Query(self.spaced[pid], exclude_skill=sid), -1, sid)
            # Made-up tool names: the start of one phrase glued to the end of another ("sa" +
            # "ack"), and a part of a one-word phrase that is not its start ("sql" of
            # "postgresql"). Neither names a skill, though both share letters with some.
            made_up = MAX_MADE_UP_QUERIES if rounds > 1 else MAX_MADE_UP_QUERIES * 3 // 8
            for _ in range(made_up * (rounds - 1)):
                first, second = rng.sample(range(len(self.keys)), 2)
                head, end = self.keys[first], self.keys[second]
                term = head[: rng.randint(2, 4)] + end[-rng.randint(2, 5) :]
                # Not when it abbreviates a phrase ("ob" + "jc"): that may be a skill.
                if fold(term) not in self.key_id and len(term) >= 4 and not self._abbreviates(term):
                    add(_Query(term), -1, int(self.phrase_skill[first]))
            # A one-word phrase with a version number, its skill left out ("html5" when only
            # "phtml" is near): digits do not make a near name the same tool.
            for pid in rng.sample(single, min(made_up, len(single))):
                sid = int(self.phrase_skill[pid])
                term = f"{self.spaced[pid]}{rng.randint(1, 9)}"
                add(_Query(term, exclude_skill=sid), -1, sid)
            tails = [pid for pid, key in enumerate(self.keys) if " " not in self.spaced[pid]]
            tails = [pid for pid in tails if len(self.keys[pid]) >= 6]
            for pid in rng.sample(tails, min(made_up, len(tails))) * rounds:
                key = self.keys[pid]
                term = key[rng.randint(2, len(key) - 3) :]
                if fold(term) not in self.key_id and not self._abbreviates(term):
                    add(_Query(term), -1, int(self.phrase_skill[pid]))
        return queries, truth, groups

    def _abbreviates(self, term: str) -> bool:
        """Whether ``term`` has the letters of a short phrase in order (it may be a skill)."""
        if len(term) > IN_ORDER_TERM:
            return False
        return any(
            in_order(term, self.keys[pid]) for pid in self.letters.get((term[0], term[1]), ())
        )

    def train(self) -> None:
        """Fit the scorer on this taxonomy and set the cut-off from out-of-fold scores."""
        queries, truth, groups = self._training_queries()
        features, owners = self._candidates(queries)
        if len(owners) == 0:
            return
        labels = np.asarray([int(truth[qi] == sid) for qi, sid in owners], dtype=np.int64)
        if len(labels) < MIN_ROWS:
            self.models = []
            self.cutoff = LEXICAL_RATIO / 100
            self.training_summary = {"rows": len(labels), "lexical": True}
            return
        query_of = np.asarray([qi for qi, _ in owners], dtype=np.int64)
        # Two halves by skill: a skill's queries never train the model that scores them.
        fold_of_group = {
            g: int(hashlib.blake2b(str(g).encode(), digest_size=2).digest()[0] & 1)
            for g in set(groups)
        }
        row_fold = np.asarray([fold_of_group[groups[qi]] for qi in query_of], dtype=np.int64)
        out_of_fold = np.full(len(labels), np.nan, dtype=np.float64)
        self.models = []
        if labels.min() == labels.max():
            self.cutoff = LEXICAL_RATIO / 100  # one class only: nothing to learn
            return
        if len(labels) < SMALL_ROWS:
            with _one_thread():
                self.models.append(_model(small=True).fit(features, labels))
            self.cutoff = SMALL_CUTOFF
            self.training_summary = {"rows": len(labels), "cutoff": SMALL_CUTOFF}
            return
        for half in (0, 1):
            train = row_fold != half
            if labels[train].min() == labels[train].max():
                continue
            with _one_thread():
                model = _model(small=False).fit(features[train], labels[train])
                out_of_fold[~train] = model.predict_proba(features[~train])[:, 1]
            self.models.append(model)
        if not self.models:
            return
        missing = np.isnan(out_of_fold)
        if missing.any():
            out_of_fold[missing] = self._probability(features[missing])
        self.cutoff = self._calibrate(out_of_fold, labels, query_of, truth)

    def _calibrate(self, probs, labels, query_of, truth) -> float:
        """The cut-off maximising right - WRONG_COST x wrong on each query's best candidate."""
        best_prob: dict[int, float] = {}
        best_right: dict[int, bool] = {}
        for p, label, qi in zip(probs, labels, query_of, strict=True):
            if p > best_prob.get(qi, -1.0):
                best_prob[qi] = float(p)
                best_right[qi] = bool(label)
        scores = np.asarray([best_prob[q] for q in best_prob])
        right = np.asarray([best_right[q] for q in best_prob])
        grid = np.linspace(0.2, 0.9, 36)
        gains = [
            (right & (scores >= t)).sum() - WRONG_COST * (~right & (scores >= t)).sum()
            for t in grid
        ]
        found = float(grid[int(np.argmax(gains))])
        lo, hi = CUTOFF_RANGE
        moved = CALIBRATION_WEIGHT * found + (1 - CALIBRATION_WEIGHT) * DEFAULT_CUTOFF
        cutoff = min(hi, max(lo, moved))
        known = sum(1 for q in best_prob if truth[q] >= 0)
        self.training_summary = {
            "queries": len(best_prob),
            "known_queries": known,
            "rows": len(labels),
            "found_cutoff": found,
            "cutoff": cutoff,
        }
        return cutoff

    def _probability(self, features: np.ndarray) -> np.ndarray:
        if len(features) == 0:
            return np.zeros(0)
        if not self.models:
            # Nothing learned (too few rows, or one class): the spelling alone, in [0, 1].
            return features[:, FEATURES.index("ratio")].astype(np.float64) / 100
        with _one_thread():
            return np.mean([m.predict_proba(features)[:, 1] for m in self.models], axis=0)

    # --- answering -----------------------------------------------------------------------

    def ranked(self, terms: Sequence[str], k: int) -> list[list[tuple[str, float]]]:
        """For each term, up to ``k`` (skill, probability) pairs, best first."""
        features, owners = self._candidates([_Query(t) for t in terms])
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
            _heads(key, self.keys[p]) or OSA.distance(key, self.keys[p], score_cutoff=1) <= 1
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
            if _heads(found, letters):
                return True
            # The same with a typo, from the same first letter ("pyhton3").
            if letters[:1] == found[:1] and OSA.distance(found, letters[: len(found)]) <= 1:
                return True
            if found == "".join(w[0] for w in self.spaced[pid].split() if w[0].isalpha()):
                return True
        return False


def _model(*, small: bool) -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(
        max_iter=20 if small else 100,
        learning_rate=0.15,
        max_leaf_nodes=7 if small else 15,
        min_samples_leaf=5 if small else 10,
        l2_regularization=1.0,
        early_stopping=False,
        random_state=0,
    )


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
