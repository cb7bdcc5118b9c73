"""Public data for measuring skill normalization and extraction, and the scoring of both.

Used by ``manage.py evaluate_matching`` and ``tests/matching/test_quality.py``. The data sets
live in ``<project root>/../shared/data`` (their README gives sources and licences); nothing is
copied into the project. Each loader returns plain ``(canonical, aliases)`` pairs so a
:class:`matching.normalize.Normalizer` can be built from them and measured on aliases it has
never seen.

Four sources: Stack Overflow tag synonyms, GitHub Linguist aliases, ESCO ICT alternative labels
(each split below), and the TECH benchmark's annotated spans (``sub_span or span`` → ESCO label),
normalized against every ESCO v1.1.0 preferred label plus the *kept* ICT alternative labels.

The split is deterministic: an alias goes to a bucket by a CRC-32 of ``source|canonical|alias``.
Buckets 0 and 1 (about half) are given to the normalizer; buckets 2 and 3 are held back and
never given to it (bucket 3, the *test* half, was never used to choose anything).
"""

import csv
import json
import random
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from matching.types import SkillMatch
from network.text_rules import fold

DATA_DIR = Path(__file__).resolve().parents[2] / "shared" / "data"

# Stack Overflow master tags with at least this many questions (2021) count as mainstream.
MAINSTREAM_QUESTIONS = 10_000
# Every tag with at least this many questions is a canonical name too (distractors).
CANONICAL_QUESTIONS = 5_000
KEPT_BUCKETS = (0, 1)
TUNE_BUCKET = 2
TEST_BUCKET = 3
NOT_SKILLS = ("LABEL NOT PRESENT", "UNDERSPECIFIED")
NOT_PRESENT = "LABEL NOT PRESENT"
TYPO_SEED = 7


def bucket(source: str, canonical: str, alias: str) -> int:
    """The deterministic bucket (0..3) of one alias."""
    return zlib.crc32(f"{source}|{canonical}|{alias}".encode()) % 4


@dataclass
class AliasSet:
    """A taxonomy from one source: canonical names and their aliases."""

    source: str
    entries: dict[str, list[str]] = field(default_factory=dict)  # canonical -> aliases

    def split(self) -> tuple[list[tuple[str, list[str]]], list[tuple[str, str, int]]]:
        """(taxonomy with the kept aliases, held-back (alias, canonical, bucket) triples).

        Aliases that fold to their own canonical name, or that fold alike for two canonicals,
        are left out of both: they test nothing or have no single right answer.
        """
        owners: dict[str, set[str]] = defaultdict(set)
        for canonical, aliases in self.entries.items():
            owners[fold(canonical)].add(canonical)
            for alias in aliases:
                owners[fold(alias)].add(canonical)
        taxonomy: list[tuple[str, list[str]]] = []
        held: list[tuple[str, str, int]] = []
        for canonical, aliases in self.entries.items():
            kept: list[str] = []
            for alias in dict.fromkeys(aliases):
                key = fold(alias)
                if not key or key == fold(canonical) or len(owners[key]) > 1:
                    continue
                b = bucket(self.source, canonical, alias)
                if b in KEPT_BUCKETS:
                    kept.append(alias)
                else:
                    held.append((alias, canonical, b))
            taxonomy.append((canonical, kept))
        return taxonomy, held


def available(data_dir: Path = DATA_DIR) -> bool:
    """Whether the shared data sets are in ``data_dir``."""
    return (Path(data_dir) / "stackoverflow-tag-synonyms" / "TagSynonyms.csv").is_file()


def stackoverflow(data_dir: Path = DATA_DIR) -> AliasSet:
    """Tag synonyms whose master tag is mainstream; every busy tag is a canonical name."""
    folder = Path(data_dir) / "stackoverflow-tag-synonyms"
    with (folder / "Tags.csv").open(newline="", encoding="utf-8") as f:
        counts = {row["TagName"]: int(row["Count"] or 0) for row in csv.DictReader(f)}
    result = AliasSet("stackoverflow")
    for tag, count in counts.items():
        if count >= CANONICAL_QUESTIONS:
            result.entries[tag] = []
    with (folder / "TagSynonyms.csv").open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            master = row["TargetTagName"]
            if counts.get(master, 0) >= MAINSTREAM_QUESTIONS:
                result.entries.setdefault(master, []).append(row["SourceTagName"])
    return result


def linguist(data_dir: Path = DATA_DIR) -> AliasSet:
    """Programming languages (``type: programming``) and their Linguist aliases."""
    path = Path(data_dir) / "linguist-languages" / "languages.yml"
    with path.open(encoding="utf-8") as f:
        languages = yaml.safe_load(f)
    result = AliasSet("linguist")
    for name, info in languages.items():
        if info.get("type") == "programming":
            result.entries[name] = list(info.get("aliases") or [])
    return result


def esco_ict(data_dir: Path = DATA_DIR, *, knowledge_only: bool = False) -> AliasSet:
    """ESCO ICT skills, preferred label and alternative labels."""
    path = Path(data_dir) / "esco-ict-skills" / "esco_ict_skills.json"
    with path.open(encoding="utf-8") as f:
        skills = json.load(f)
    result = AliasSet("esco")
    for skill in skills:
        if knowledge_only and skill["skillType"] != "knowledge":
            continue
        result.entries[skill["label"]] = [a for a in skill["altLabel"] if a != skill["label"]]
    return result


def esco_labels(data_dir: Path = DATA_DIR) -> list[str]:
    """The 13,896 ESCO v1.1.0 preferred labels, in file order."""
    path = Path(data_dir) / "skill-extraction-benchmark" / "skills_en_label.txt"
    names = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return list(dict.fromkeys(name for name in names if name))


def esco_extraction_taxonomy(data_dir: Path = DATA_DIR) -> list[tuple[str, list[str]]]:
    """All ESCO preferred labels, with the ICT skills' *kept* alternative labels as aliases.

    The held-back ICT alternative labels (buckets 2 and 3) are left out here too, so no
    normalizer built for the evaluation ever sees them.
    """
    kept = dict(esco_ict(data_dir).split()[0])
    return [(name, kept.get(name, [])) for name in esco_labels(data_dir)]


def tech_spans(data_dir: Path = DATA_DIR, split: str = "test") -> list[tuple[str, str]]:
    """TECH ``(sub_span or span, label)`` rows; label is an ESCO label as listed, or NOT_SKILLS.

    Gold labels are matched to the label list after folding (a few carry a trailing space or
    differ in punctuation).
    """
    by_fold = {fold(name): name for name in esco_labels(data_dir)}
    path = Path(data_dir) / "skill-extraction-benchmark" / f"tech_{split}_annotations.csv"
    rows: list[tuple[str, str]] = []
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            span = (row["sub_span"] or row["span"]).strip()
            label = row["label"].strip()
            if not span or not label:
                continue
            if label not in NOT_SKILLS:
                label = by_fold.get(fold(label), label)
            rows.append((span, label))
    return rows


def tech_sentences(
    data_dir: Path = DATA_DIR, split: str = "validation"
) -> list[tuple[str, set[str]]]:
    """TECH sentences with the folded ESCO labels annotated on them (gold may be empty)."""
    path = Path(data_dir) / "skill-extraction-benchmark" / f"tech_{split}_annotations.csv"
    gold: dict[str, set[str]] = {}
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            labels = gold.setdefault(row["sentence"], set())
            label = row["label"].strip()
            if label and label not in NOT_SKILLS:
                labels.add(fold(label))
    return list(gold.items())


@dataclass(frozen=True)
class Source:
    """One evaluation source: the taxonomy a normalizer is built from and what to ask it."""

    name: str
    taxonomy: list[tuple[str, list[str]]]
    pairs: list[tuple[str, str]]  # (term, right canonical), the held-back split
    unknown: list[str] = field(default_factory=list)  # terms no skill in the taxonomy names


def load_source(name: str, data_dir: Path = DATA_DIR) -> Source:
    """``stackoverflow``, ``linguist``, ``esco`` (held-back aliases) or ``tech`` (test spans)."""
    if name == "tech":
        rows = tech_spans(data_dir, "test")
        return Source(
            name,
            esco_extraction_taxonomy(data_dir),
            [(span, label) for span, label in rows if label not in NOT_SKILLS],
            [span for span, label in rows if label == NOT_PRESENT],
        )
    loaders = {"stackoverflow": stackoverflow, "linguist": linguist, "esco": esco_ict}
    taxonomy, held = loaders[name](data_dir).split()
    return Source(name, taxonomy, [(alias, canonical) for alias, canonical, _ in held])


SOURCES = ("stackoverflow", "linguist", "esco", "tech")


# --- Scoring -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AliasScores:
    """How terms fared: right skill, wrong skill, or unknown; and right within the top 3."""

    total: int
    right: int
    wrong: int
    right_at_3: int = 0

    @property
    def answered(self) -> int:
        return self.right + self.wrong

    @property
    def unknown(self) -> int:
        return self.total - self.right - self.wrong

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 0.0

    @property
    def coverage(self) -> float:
        return self.answered / self.total if self.total else 0.0

    @property
    def precision(self) -> float:
        return self.right / self.answered if self.answered else 0.0

    @property
    def accuracy_at_3(self) -> float:
        return self.right_at_3 / self.total if self.total else 0.0

    @property
    def wrong_rate(self) -> float:
        return self.wrong / self.total if self.total else 0.0

    @property
    def unknown_rate(self) -> float:
        return self.unknown / self.total if self.total else 0.0

    def __str__(self) -> str:
        return (
            f"n={self.total} top1={self.accuracy:.3f} coverage={self.coverage:.3f} "
            f"precision={self.precision:.3f} at3={self.accuracy_at_3:.3f}"
        )


def score_batch(
    answers: Sequence[SkillMatch | None],
    gold: Sequence[str],
    ranked: Sequence[Sequence[SkillMatch]] | None = None,
) -> AliasScores:
    """Count right, wrong and unknown answers (and right within ``ranked``, when given)."""
    right = wrong = at_3 = 0
    for i, (match, canonical) in enumerate(zip(answers, gold, strict=True)):
        if match is not None:
            if fold(match.skill) == fold(canonical):
                right += 1
            else:
                wrong += 1
        if ranked is not None and any(fold(m.skill) == fold(canonical) for m in ranked[i][:3]):
            at_3 += 1
    return AliasScores(len(gold), right, wrong, at_3)


def score_aliases(
    normalize: Callable[[str], SkillMatch | None], pairs: Iterable[tuple[str, str]]
) -> AliasScores:
    """Run ``normalize`` on (alias, canonical) pairs and count right, wrong and unknown."""
    pairs = list(pairs)
    return score_batch([normalize(alias) for alias, _ in pairs], [c for _, c in pairs])


def typo_pairs(pairs: Iterable[tuple[str, str]], seed: int = TYPO_SEED) -> list[tuple[str, str]]:
    """Each (term, canonical) with one seeded random edit in the term."""
    from matching.learned_text import typo

    rng = random.Random(seed)  # noqa: S311 - a reproducible test set, not secrets
    return [(typo(term, rng), canonical) for term, canonical in pairs]


def build(entries: Iterable[tuple[str, Iterable[str]]]):
    """A normalizer over the given taxonomy."""
    from matching.normalize import Normalizer

    return Normalizer.from_taxonomy(entries)


# --- Extraction ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ExtractionScores:
    """Micro-averaged precision and recall of extracted skills against the gold labels."""

    sentences: int
    true_positives: int
    predicted: int
    gold: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __str__(self) -> str:
        return (
            f"sentences={self.sentences} gold={self.gold} predicted={self.predicted} "
            f"precision={self.precision:.3f} recall={self.recall:.3f} f1={self.f1:.3f}"
        )


def score_extraction(normalizer, sentences: Iterable[tuple[str, set[str]]]) -> ExtractionScores:
    """Extract skills from each sentence and compare with its gold labels (after folding)."""
    count = tp = predicted = gold_total = 0
    for sentence, gold in sentences:
        count += 1
        found = {fold(m.skill) for m in normalizer.extract(sentence)}
        tp += len(found & gold)
        predicted += len(found)
        gold_total += len(gold)
    return ExtractionScores(count, tp, predicted, gold_total)


# --- The plain rapidfuzz baseline ----------------------------------------------------------

# WRatio score (0-100) a baseline answer needs. Not tuned on the held-back aliases: a round
# figure between rapidfuzz's usual 80 and the 90 at which WRatio's partial matches start.
BASELINE_CUTOFF = 88.0


class RapidfuzzBaseline:
    """The exact stage of a normalizer, then ``process.extractOne(fuzz.WRatio)`` with a cut-off
    over the folded names and aliases (names first, as the exact stage ranks them)."""

    def __init__(self, taxonomy: Iterable[tuple[str, Iterable[str]]], exact) -> None:
        owner: dict[str, str] = {}
        pairs = [(name, list(aliases)) for name, aliases in taxonomy]
        for name, _ in pairs:
            owner.setdefault(fold(name), name)
        for name, aliases in pairs:
            for alias in aliases:
                if fold(alias):
                    owner.setdefault(fold(alias), name)
        self.choices = list(owner)
        self.skills = [owner[key] for key in self.choices]
        self.exact = exact

    def normalize(self, term: str) -> SkillMatch | None:
        from rapidfuzz import fuzz, process

        match = self.exact(term)
        if match is not None or not fold(term):
            return match
        hit = process.extractOne(
            fold(term),
            self.choices,
            scorer=fuzz.WRatio,
            processor=None,
            score_cutoff=BASELINE_CUTOFF,
        )
        return None if hit is None else SkillMatch(self.skills[hit[2]], round(hit[1] / 100, 4))

    def candidates(self, term: str, k: int = 3) -> list[SkillMatch]:
        from rapidfuzz import fuzz, process

        found: list[SkillMatch] = []
        match = self.exact(term)
        if match is not None:
            found.append(match)
        if fold(term):
            for _, score, index in process.extract(
                fold(term), self.choices, scorer=fuzz.WRatio, processor=None, limit=3 * k
            ):
                if all(m.skill != self.skills[index] for m in found):
                    found.append(SkillMatch(self.skills[index], round(score / 100, 4)))
        return found[:k]

    def extract(self, text: str) -> list[SkillMatch]:
        return baseline_extract(self, text)


@dataclass(frozen=True)
class SourceReport:
    """One source's figures for one normalizer."""

    scores: AliasScores
    typo: AliasScores
    abstention: float | None  # share of unknown terms answered None (TECH only)
    build_s: float
    per_second: float  # wall clock
    per_cpu_second: float = 0.0  # on this process's CPU time


def evaluate(source: Source, normalizer, build_s: float, *, baseline: bool = False):
    """Top-1, coverage, precision, accuracy@3, typo top-1, abstention and speed on a source.

    ``normalizer`` is a :class:`~matching.normalize.Normalizer` (batched calls) or, with
    ``baseline``, a :class:`RapidfuzzBaseline` (one call a term).
    """
    import time

    terms = [term for term, _ in source.pairs]
    gold = [canonical for _, canonical in source.pairs]
    typos = typo_pairs(source.pairs)
    cpu = time.process_time()
    if baseline:
        started = time.perf_counter()
        answers = [normalizer.normalize(term) for term in terms]
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu
        ranked = [normalizer.candidates(term, 3) for term in terms]
        typo_answers = [normalizer.normalize(term) for term, _ in typos]
        unknown = [normalizer.normalize(term) for term in source.unknown]
    else:
        started = time.perf_counter()
        answers = [t.match for t in normalizer.normalize_many(terms)]
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu
        ranked = normalizer.candidates_many(terms, 3)
        typo_answers = [t.match for t in normalizer.normalize_many(t for t, _ in typos)]
        unknown = [t.match for t in normalizer.normalize_many(source.unknown)]
    abstention = sum(match is None for match in unknown) / len(unknown) if source.unknown else None
    return SourceReport(
        score_batch(answers, gold, ranked),
        score_batch(typo_answers, gold),
        abstention,
        build_s,
        len(terms) / elapsed if elapsed else 0.0,
        len(terms) / cpu if cpu > 0 else 0.0,
    )


def baseline_extract(baseline: RapidfuzzBaseline, text: str, cutoff: float = 90.0):
    """Skills in prose for the baseline: word 1- to 3-grams, longest first, ``fuzz.ratio`` on the
    folded n-gram at least ``cutoff`` (after the exact stage), without overlaps."""
    import re

    from rapidfuzz import fuzz, process

    tokens = re.findall(r"[\w+#]+(?:[.\-][\w+#]+)*", text)
    found: list[SkillMatch] = []
    i = 0
    while i < len(tokens):
        for n in (3, 2, 1):
            if i + n > len(tokens):
                continue
            phrase = " ".join(tokens[i : i + n])
            match = baseline.exact(phrase)
            if match is None and len(fold(phrase)) >= 4:
                hit = process.extractOne(
                    fold(phrase),
                    baseline.choices,
                    scorer=fuzz.ratio,
                    processor=None,
                    score_cutoff=cutoff,
                )
                if hit is not None:
                    match = SkillMatch(baseline.skills[hit[2]], hit[1] / 100)
            if match is not None:
                found.append(match)
                i += n
                break
        else:
            i += 1
    return list({m.skill: m for m in found}.values())
