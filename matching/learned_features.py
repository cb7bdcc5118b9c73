"""Candidate retrieval and features of the learned skill stage.

A :class:`PhraseIndex` holds one taxonomy's names and aliases as *phrases* (folded, words kept
apart) under several indexes, and turns a term into candidate skills with a row of
:data:`FEATURES` each. :mod:`matching.learned_training` fits the scorer on those rows and
:class:`matching.learned.LearnedMatcher` (a ``PhraseIndex`` with the fitted scorer) answers with
them.

**Candidates.** A term's candidates come from character n-gram TF-IDF (``char_wb``, 2-4 grams,
sparse cosine, top :data:`RETRIEVE` phrases); the term's word n-grams that are a whole phrase
(``php-include`` → ``php``, ``jwt-auth`` → ``jwt``); a phrase with at most four characters glued
to a one-word term (``wrenlang``, ``ada2005``); a name without its bracketed qualifier
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
"""

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from matching.learned_text import (
    IN_ORDER_PHRASE,
    IN_ORDER_TERM,
    crude_stems,
    in_order,
    letters_of,
    starts_either,
    versioned,
    words,
)
from network.text_rules import fold

RETRIEVE = 12  # phrases taken from the n-gram index per term
MAX_CANDIDATES = 8  # skills scored per term
AGREE_TOP = 10  # phrases looked at for "how many of the top phrases name this skill"
MIN_KEY = 2  # folded terms shorter than this never reach the model
# One-word terms of at least EDIT_MIN characters look up phrases at most two edits away.
EDIT_MIN = 4
EDIT_MAX = 20

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


class Row:
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
class Query:
    term: str
    exclude_phrase: int = -1  # a phrase left out of every index (the held-out alias)
    exclude_skill: int = -1  # a skill left out entirely (a tool the taxonomy lacks)


class PhraseIndex:
    """One taxonomy's phrases under the candidate indexes, and the features of a candidate."""

    def __init__(self, pairs: Sequence[tuple[str, Sequence[str]]]) -> None:
        """Index the phrases of ``pairs`` (``(name, aliases)``)."""
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
        self.stems = [crude_stems(text.split()) for text in spaced]
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

    # --- candidates and features ---------------------------------------------------------

    def candidate_features(
        self, queries: Sequence[Query]
    ) -> tuple[np.ndarray, list[tuple[int, int]]]:
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
                self._pairs(query, texts[qi], Row(idx, val), qi, rows, owners)
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

    def _excluded(self, query: Query, pid: int) -> bool:
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
        term_stems = crude_stems(term_words)
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
                starts_either(term_letters, letters_of(self.keys[p]))
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

    def abbreviates(self, term: str) -> bool:
        """Whether ``term`` has the letters of a short phrase in order (it may be a skill)."""
        if len(term) > IN_ORDER_TERM:
            return False
        return any(
            in_order(term, self.keys[pid]) for pid in self.letters.get((term[0], term[1]), ())
        )
