"""Training and calibration of the learned skill stage, from one taxonomy alone.

Fixed seeds, so the same taxonomy always gives the same model. Each alias (and each name of a
skill with aliases) is a query with that phrase left out of every index (so no feature counts
it), its own skill the positive and the other candidates near-miss negatives; the same with one
typo (as many as :data:`MAX_HELD_TYPO_QUERIES`: an unseen alias misspelt is what a typed typo
mostly is); one typo of names and aliases with the phrase kept, a name with a word attached
(``mysql-query``) and a name without its bracketed qualifier are positives, and so are a name
with a word attached and one typo, and a short abbreviation of a one-word phrase (its first
letter and later consonants) that abbreviates no other skill; a name queried with *all* of its
skill's phrases left out is a tool the taxonomy lacks, every candidate a negative, and so are
made-up names (the start of one phrase glued to the end of another, as many as
:data:`MAX_MADE_UP_QUERIES` in a small taxonomy, where left-out skills are few), a one-word
phrase with a version number and its skill left out, and the part of a one-word phrase after its
start. :class:`~sklearn.ensemble.HistGradientBoostingClassifier` is fitted twice, each time on
the queries of half of the skills; a pair's score is the mean of the two models' probabilities.
A taxonomy giving fewer than :data:`SMALL_ROWS` rows gets one small model on all of them and the
fixed cut-off :data:`SMALL_CUTOFF` (too few queries to calibrate on); one giving fewer than
:data:`MIN_ROWS` (two skills without aliases) gets no model at all, and a candidate counts only
when spelt nearly like one of its skill's phrases (:data:`LEXICAL_RATIO`).

**Calibration.** Each query's best candidate is scored by the model that did not see it
(out-of-fold); the cut-off maximising right - :data:`WRONG_COST` x wrong over those queries
counts for :data:`CALIBRATION_WEIGHT` and :data:`DEFAULT_CUTOFF` for the rest, kept within
:data:`CUTOFF_RANGE`: one global-ish rule across taxonomies, since the optimum alone swings with
small changes to the training data.
"""

import hashlib
import random
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import ThreadpoolController

from matching.learned_features import FEATURES, PhraseIndex, Query
from matching.learned_text import IN_ORDER_PHRASE, in_order, typo
from network.text_rules import fold

# Cut-off on the model's probability: the default and the range a taxonomy may move it in.
DEFAULT_CUTOFF = 0.3
CUTOFF_RANGE = (0.3, 0.5)
# How far a taxonomy's own best cut-off moves it from DEFAULT_CUTOFF (the rest is the default):
# the out-of-fold optimum swings by 0.1 with small changes to the training data.
CALIBRATION_WEIGHT = 0.25
# A taxonomy too small to calibrate on (under SMALL_ROWS training rows) gets this cut-off.
SMALL_CUTOFF = 0.5
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
# Below this many training rows one small model is fitted on all of them and the cut-off is
# SMALL_CUTOFF: a handful of skills gives too few queries to calibrate on.
SMALL_ROWS = 2500
# Below this many training rows (a taxonomy of two or three skills without aliases) there is
# nothing to learn from: no model is fitted, and a candidate counts only when it is spelt
# nearly like one of the skill's phrases (rapidfuzz ratio, 0-100, at least LEXICAL_RATIO).
MIN_ROWS = 100
LEXICAL_RATIO = 85.0

_openmp: list | None = None  # threadpoolctl's controllers of the loaded OpenMP runtimes


@contextmanager
def one_thread():
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


@dataclass
class Fitted:
    """What training gives a matcher: its models, its cut-off and how it got there."""

    models: list[HistGradientBoostingClassifier] = field(default_factory=list)
    # Until a model is fitted: the spelling alone.
    cutoff: float = LEXICAL_RATIO / 100
    summary: dict[str, float] = field(default_factory=dict)


def fit(index: PhraseIndex) -> Fitted:
    """Fit the scorer on ``index``'s taxonomy and set the cut-off from out-of-fold scores."""
    fitted = Fitted()
    queries, truth, groups = training_queries(index)
    features, owners = index.candidate_features(queries)
    if len(owners) == 0:
        return fitted
    labels = np.asarray([int(truth[qi] == sid) for qi, sid in owners], dtype=np.int64)
    if len(labels) < MIN_ROWS:
        fitted.summary = {"rows": len(labels), "lexical": True}
        return fitted
    query_of = np.asarray([qi for qi, _ in owners], dtype=np.int64)
    # Two halves by skill: a skill's queries never train the model that scores them.
    fold_of_group = {
        g: int(hashlib.blake2b(str(g).encode(), digest_size=2).digest()[0] & 1) for g in set(groups)
    }
    row_fold = np.asarray([fold_of_group[groups[qi]] for qi in query_of], dtype=np.int64)
    out_of_fold = np.full(len(labels), np.nan, dtype=np.float64)
    if labels.min() == labels.max():
        return fitted  # one class only: nothing to learn
    if len(labels) < SMALL_ROWS:
        with one_thread():
            fitted.models.append(new_model(small=True).fit(features, labels))
        fitted.cutoff = SMALL_CUTOFF
        fitted.summary = {"rows": len(labels), "cutoff": SMALL_CUTOFF}
        return fitted
    for half in (0, 1):
        train = row_fold != half
        if labels[train].min() == labels[train].max():
            continue
        with one_thread():
            model = new_model(small=False).fit(features[train], labels[train])
            out_of_fold[~train] = model.predict_proba(features[~train])[:, 1]
        fitted.models.append(model)
    if not fitted.models:
        return fitted
    missing = np.isnan(out_of_fold)
    if missing.any():
        out_of_fold[missing] = probability(fitted.models, features[missing])
    fitted.cutoff, fitted.summary = calibrate(out_of_fold, labels, query_of, truth)
    return fitted


def calibrate(probs, labels, query_of, truth) -> tuple[float, dict[str, float]]:
    """The cut-off maximising right - WRONG_COST x wrong on each query's best candidate, with
    a summary of the calibration."""
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
        (right & (scores >= t)).sum() - WRONG_COST * (~right & (scores >= t)).sum() for t in grid
    ]
    found = float(grid[int(np.argmax(gains))])
    lo, hi = CUTOFF_RANGE
    moved = CALIBRATION_WEIGHT * found + (1 - CALIBRATION_WEIGHT) * DEFAULT_CUTOFF
    cutoff = min(hi, max(lo, moved))
    known = sum(1 for q in best_prob if truth[q] >= 0)
    summary = {
        "queries": len(best_prob),
        "known_queries": known,
        "rows": len(labels),
        "found_cutoff": found,
        "cutoff": cutoff,
    }
    return cutoff, summary


def probability(models: list[HistGradientBoostingClassifier], features: np.ndarray) -> np.ndarray:
    """The models' mean probability for each feature row; the spelling alone without models."""
    if len(features) == 0:
        return np.zeros(0)
    if not models:
        # Nothing learned (too few rows, or one class): the spelling alone, in [0, 1].
        return features[:, FEATURES.index("ratio")].astype(np.float64) / 100
    with one_thread():
        return np.mean([m.predict_proba(features)[:, 1] for m in models], axis=0)


def new_model(*, small: bool) -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(
        max_iter=20 if small else 100,
        learning_rate=0.15,
        max_leaf_nodes=7 if small else 15,
        min_samples_leaf=5 if small else 10,
        l2_regularization=1.0,
        early_stopping=False,
        random_state=0,
    )


def training_queries(index: PhraseIndex) -> tuple[list[Query], list[int], list[int]]:
    """Queries, the right skill of each (-1: none is right) and its group (a skill id)."""
    rng = random.Random(SEED)  # noqa: S311 - reproducible training data, not secrets
    queries: list[Query] = []
    truth: list[int] = []
    groups: list[int] = []

    def add(query: Query, sid: int, group: int) -> None:
        queries.append(query)
        truth.append(sid)
        groups.append(group)

    # Aliases held out (and names of skills with aliases, the aliases answering for them).
    held = [(pid, sid) for sid, pids in index.phrases_of.items() if len(pids) >= 2 for pid in pids]
    if len(held) > MAX_ALIAS_QUERIES:
        held = rng.sample(held, MAX_ALIAS_QUERIES)
    for pid, sid in held:
        add(Query(index.spaced[pid], exclude_phrase=pid), sid, sid)
    # The same, misspelt: a held-out alias with one typo.
    for pid, sid in held[:MAX_HELD_TYPO_QUERIES]:
        changed = typo(index.spaced[pid], rng)
        if changed != index.spaced[pid] and fold(changed) not in index.key_id:
            add(Query(changed, exclude_phrase=pid), sid, sid)
    # One typo of a name or alias, the phrase kept.
    typo_pids = [pid for pid, key in enumerate(index.keys) if len(key) >= 4]
    if len(typo_pids) > MAX_TYPO_QUERIES:
        typo_pids = rng.sample(typo_pids, MAX_TYPO_QUERIES)
    # A small taxonomy gives few queries of each kind: it gets more than one round.
    rounds = max(1, min(2, 300 // max(1, len(index.keys))))
    for pid in typo_pids * rounds:
        changed = typo(index.spaced[pid], rng)
        if fold(changed) not in index.key_id:
            add(Query(changed), int(index.phrase_skill[pid]), int(index.phrase_skill[pid]))
    # A name with a word of another phrase attached ("mysql-query", "qt creator").
    vocabulary = sorted({w for s in index.spaced for w in s.split() if len(w) >= 3})
    short = [pid for pid, s in enumerate(index.spaced) if len(s.split()) <= 2]
    if vocabulary and short:
        for pid in rng.sample(short, min(MAX_ATTACHED_QUERIES, len(short))):
            word = rng.choice(vocabulary)
            phrase = index.spaced[pid]
            term = f"{phrase} {word}" if rng.random() < 0.7 else f"{word} {phrase}"
            if fold(term) not in index.key_id:
                add(Query(term), int(index.phrase_skill[pid]), int(index.phrase_skill[pid]))
                # The same, misspelt (in the name or in the word attached).
                changed = typo(term, rng)
                if fold(changed) not in index.key_id:
                    sid = int(index.phrase_skill[pid])
                    add(Query(changed), sid, sid)
    # A short abbreviation of a one-word phrase: its first letter and some later consonants
    # in order ("rb" for ruby, "pstgr"), when no other skill's phrase has them in order.
    for pid in rng.sample(short, min(MAX_ATTACHED_QUERIES, len(short))) * rounds:
        key = index.keys[pid]
        if " " in index.spaced[pid] or not 4 <= len(key) <= IN_ORDER_PHRASE:
            continue
        later = [i for i in range(1, len(key)) if key[i].isalpha() and key[i] not in "aeiou"]
        if not later:
            continue
        picked = sorted(rng.sample(later, min(len(later), rng.randint(1, 3))))
        term = key[0] + "".join(key[i] for i in picked)
        sid = int(index.phrase_skill[pid])
        others = index.letters.get((term[0], term[1]), ())
        if fold(term) in index.key_id or any(
            index.phrase_skill[p] != sid and in_order(term, index.keys[p]) for p in others
        ):
            continue
        add(Query(term), sid, sid)
    # A name without its bracketed qualifier ("Python" for "Python (computer programming)").
    bare = sorted(index.bare.items())
    if len(bare) > MAX_ATTACHED_QUERIES:
        bare = rng.sample(bare, MAX_ATTACHED_QUERIES)
    for base, pid in bare:
        sid = int(index.phrase_skill[pid])
        add(Query(index.bare_text[base]), sid, sid)
    # A skill the taxonomy lacks: its name, every phrase of it left out.
    if len(index.skills) >= 3:
        sids = [sid for sid in range(len(index.skills)) if index.phrases_of[sid]]
        for sid in rng.sample(sids, min(MAX_UNKNOWN_QUERIES, len(sids))) * rounds:
            pid = index.phrases_of[sid][rng.randrange(len(index.phrases_of[sid]))]
            text = index.spaced[pid] if rounds == 1 else typo(index.spaced[pid], rng)
            add(Query(text, exclude_skill=sid), -1, sid)
        # Tools are mostly one word: one-word phrases, their skill left out, too.
        single = [pid for pid, text in enumerate(index.spaced) if " " not in text]
        for pid in rng.sample(single, min(MAX_UNKNOWN_QUERIES // 2, len(single))):
            sid = int(index.phrase_skill[pid])
            add(Query(index.spaced[pid], exclude_skill=sid), -1, sid)
        # Made-up tool names: the start of one phrase glued to the end of another ("sa" +
        # "ack"), and a part of a one-word phrase that is not its start ("sql" of
        # "postgresql"). Neither names a skill, though both share letters with some.
        made_up = MAX_MADE_UP_QUERIES if rounds > 1 else MAX_MADE_UP_QUERIES * 3 // 8
        for _ in range(made_up * (rounds - 1)):
            first, second = rng.sample(range(len(index.keys)), 2)
            head, end = index.keys[first], index.keys[second]
            term = head[: rng.randint(2, 4)] + end[-rng.randint(2, 5) :]
            # Not when it abbreviates a phrase ("ob" + "jc"): that may be a skill.
            if fold(term) not in index.key_id and len(term) >= 4 and not index.abbreviates(term):
                add(Query(term), -1, int(index.phrase_skill[first]))
        # A one-word phrase with a version number, its skill left out ("html5" when only
        # "phtml" is near): digits do not make a near name the same tool.
        for pid in rng.sample(single, min(made_up, len(single))):
            sid = int(index.phrase_skill[pid])
            term = f"{index.spaced[pid]}{rng.randint(1, 9)}"
            add(Query(term, exclude_skill=sid), -1, sid)
        tails = [pid for pid, key in enumerate(index.keys) if " " not in index.spaced[pid]]
        tails = [pid for pid in tails if len(index.keys[pid]) >= 6]
        for pid in rng.sample(tails, min(made_up, len(tails))) * rounds:
            key = index.keys[pid]
            term = key[rng.randint(2, len(key) - 3) :]
            if fold(term) not in index.key_id and not index.abbreviates(term):
                add(Query(term), -1, int(index.phrase_skill[pid]))
    return queries, truth, groups
