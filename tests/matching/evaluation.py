"""Public data for the normalization and extraction evaluation (``test_quality.py``).

The data sets live in ``../shared/data`` beside the clone (their README gives sources and
licences); nothing here is copied into the project. Each loader returns plain
``(canonical, aliases)`` pairs so a :class:`matching.normalize.Normalizer` can be built from
them and measured on aliases it has never seen.

The split is deterministic: an alias goes to a bucket by a CRC-32 of ``source|canonical|alias``.
Buckets 0 and 1 (about half) are given to the normalizer; bucket 2 is the *tuning* half of the
held-back aliases (the fuzzy cut-off was chosen on it), bucket 3 the *test* half (never used to
choose anything).
"""

import csv
import json
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from matching.normalize import Normalizer
from matching.types import SkillMatch
from network.text import fold

DATA_DIR = Path(__file__).resolve().parents[3] / "shared" / "data"

# Stack Overflow master tags with at least this many questions (2021) count as mainstream.
MAINSTREAM_QUESTIONS = 10_000
# Every tag with at least this many questions is a canonical name too (distractors).
CANONICAL_QUESTIONS = 5_000
KEPT_BUCKETS = (0, 1)
TUNE_BUCKET = 2
TEST_BUCKET = 3
NOT_SKILLS = ("LABEL NOT PRESENT", "UNDERSPECIFIED")


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


def available() -> bool:
    """Whether the shared data sets are beside the clone."""
    return (DATA_DIR / "stackoverflow-tag-synonyms" / "TagSynonyms.csv").is_file()


def stackoverflow() -> AliasSet:
    """Tag synonyms whose master tag is mainstream; every busy tag is a canonical name."""
    folder = DATA_DIR / "stackoverflow-tag-synonyms"
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


def linguist() -> AliasSet:
    """Programming languages (``type: programming``) and their Linguist aliases."""
    with (DATA_DIR / "linguist-languages" / "languages.yml").open(encoding="utf-8") as f:
        languages = yaml.safe_load(f)
    result = AliasSet("linguist")
    for name, info in languages.items():
        if info.get("type") == "programming":
            result.entries[name] = list(info.get("aliases") or [])
    return result


def esco_ict(*, knowledge_only: bool = False) -> AliasSet:
    """ESCO ICT skills, preferred label and alternative labels."""
    with (DATA_DIR / "esco-ict-skills" / "esco_ict_skills.json").open(encoding="utf-8") as f:
        skills = json.load(f)
    result = AliasSet("esco")
    for skill in skills:
        if knowledge_only and skill["skillType"] != "knowledge":
            continue
        result.entries[skill["label"]] = [a for a in skill["altLabel"] if a != skill["label"]]
    return result


@dataclass(frozen=True)
class AliasScores:
    """How held-back aliases fared: right skill, wrong skill, or unknown."""

    total: int
    right: int
    wrong: int

    @property
    def unknown(self) -> int:
        return self.total - self.right - self.wrong

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 0.0

    @property
    def wrong_rate(self) -> float:
        return self.wrong / self.total if self.total else 0.0

    @property
    def unknown_rate(self) -> float:
        return self.unknown / self.total if self.total else 0.0

    def __str__(self) -> str:
        return (
            f"n={self.total} accuracy={self.accuracy:.3f} wrong={self.wrong_rate:.3f} "
            f"unknown={self.unknown_rate:.3f}"
        )


def score_aliases(
    normalize: Callable[[str], SkillMatch | None], pairs: Iterable[tuple[str, str]]
) -> AliasScores:
    """Run ``normalize`` on (alias, canonical) pairs and count right, wrong and unknown."""
    total = right = wrong = 0
    for alias, canonical in pairs:
        total += 1
        match = normalize(alias)
        if match is None:
            continue
        if match.skill == canonical:
            right += 1
        else:
            wrong += 1
    return AliasScores(total, right, wrong)


def build(entries: Iterable[tuple[str, Iterable[str]]]) -> Normalizer:
    """A normalizer over the given taxonomy."""
    return Normalizer.from_taxonomy(entries)


# --- Extraction ----------------------------------------------------------------------------


def esco_extraction_taxonomy() -> list[tuple[str, list[str]]]:
    """All ESCO v1.1.0 preferred labels, with the ICT skills' alternative labels as aliases."""
    labels = (DATA_DIR / "skill-extraction-benchmark" / "skills_en_label.txt").read_text(
        encoding="utf-8"
    )
    aliases = {k: v for k, v in esco_ict().entries.items()}
    names = [line.strip() for line in labels.splitlines() if line.strip()]
    return [(name, aliases.get(name, [])) for name in dict.fromkeys(names)]


def tech_sentences(split: str = "validation") -> list[tuple[str, set[str]]]:
    """TECH sentences with the folded ESCO labels annotated on them (gold may be empty)."""
    path = DATA_DIR / "skill-extraction-benchmark" / f"tech_{split}_annotations.csv"
    gold: dict[str, set[str]] = {}
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            labels = gold.setdefault(row["sentence"], set())
            label = row["label"].strip()
            if label and label not in NOT_SKILLS:
                labels.add(fold(label))
    return list(gold.items())


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

    def __str__(self) -> str:
        return (
            f"sentences={self.sentences} gold={self.gold} predicted={self.predicted} "
            f"precision={self.precision:.3f} recall={self.recall:.3f}"
        )


def score_extraction(
    normalizer: Normalizer, sentences: Iterable[tuple[str, set[str]]]
) -> ExtractionScores:
    """Extract skills from each sentence and compare with its gold labels (after folding)."""
    count = tp = predicted = gold_total = 0
    for sentence, gold in sentences:
        count += 1
        found = {fold(m.skill) for m in normalizer.extract(sentence)}
        tp += len(found & gold)
        predicted += len(found)
        gold_total += len(gold)
    return ExtractionScores(count, tp, predicted, gold_total)
