"""Rebuild the derived taxonomy files from the public data sets in ``../shared/data``.

Run from the project root (Django settings are loaded only to reuse the loader's merge rules
and ``Skill.Category``):

    DEBUG=1 .venv/bin/python -m network.data.taxonomy.build [--data ../shared/data]

It writes, next to this file:

- ``linguist.json``: mainstream programming languages from GitHub Linguist (MIT);
- ``esco.json``: ESCO ICT "knowledge" concepts with short labels (CC BY 4.0);
- ``stackoverflow/stackoverflow_aliases.csv``: Stack Overflow tag synonyms whose master tag is
  one of the skills above (CC BY-SA 4.0, kept apart because it is share-alike).

``curated.yaml`` is written by hand and only read here. The output is sorted and stable, so a
rebuild over the same inputs changes no byte. Every hand-made decision sits in a named set in
``decisions.py`` with the reason for it.
"""

import argparse
import csv
import json
import os
import re
from collections import Counter
from pathlib import Path

import yaml

from network.data.taxonomy.decisions import (
    ESCO_ALIAS_BLOCKED,
    ESCO_CATEGORIES,
    ESCO_DATA_WORDS,
    ESCO_EXCLUDED,
    ESCO_INFRASTRUCTURE_WORDS,
    ESCO_RENAMED,
    ESCO_SECURITY_TOOLS,
    ESCO_SECURITY_WORDS,
    LINGUIST_CATEGORIES,
    LINGUIST_EXCLUDED,
    LINGUIST_FORCED,
    LINGUIST_NOT_SKILL_ALIASES,
    MAX_ALIAS_CHARS,
    MAX_ALIAS_WORDS,
    MAX_LABEL_CHARS,
    MAX_LABEL_WORDS,
    MIN_QUESTIONS,
    SAFE_SHORT_ALIASES,
    SO_ALWAYS_KEPT,
    SO_BLOCKED,
    SO_QUALIFIERS,
)

HERE = Path(__file__).resolve().parent
PROJECT_ROOT = HERE.parents[2]
DEFAULT_DATA = PROJECT_ROOT.parent / "shared" / "data"


def words(text: str) -> list[str]:
    return [word for word in re.split(r"[\s\-_/.,()]+", text.casefold()) if word]


def significant(text: str) -> set[str]:
    """Content words of a label, singular, for comparing a label with its alternatives."""
    stop = {"a", "an", "and", "for", "in", "of", "on", "the", "to", "with", "ict", "it"}
    # Words every software label shares, which say nothing about which software it is.
    stop |= {"application", "program", "programme", "software", "system", "tool"}
    return {word.removesuffix("s") for word in words(text) if len(word) > 2 and word not in stop}


def initials(text: str) -> set[str]:
    every = [word for word in words(text)]
    content = [word for word in every if word not in {"and", "of", "for", "the", "to"}]
    return {"".join(word[0] for word in every), "".join(word[0] for word in content)}


def is_subsequence(short: str, long: str) -> bool:
    letters = iter(long)
    return bool(short) and short[0] == long[:1] and all(char in letters for char in short)


# --- Builders ---------------------------------------------------------------------------------


def build_linguist(data: Path, fold, question_counts: dict[str, int]) -> list[dict]:
    languages = yaml.safe_load(
        (data / "linguist-languages" / "languages.yml").read_text(encoding="utf-8")
    )
    skills = []
    for name, language in languages.items():
        aliases = language.get("aliases") or []
        if name in LINGUIST_FORCED:
            category = LINGUIST_FORCED[name]
        elif language["type"] != "programming" or name in LINGUIST_EXCLUDED:
            continue
        elif language.get("group") not in (None, name):
            continue  # a dialect or a library of another language (TSX, NumPy)
        else:
            tags = [name, *(alias for alias in aliases if len(alias) > 2)]
            if max(question_counts.get(tag.lower().replace(" ", "-"), 0) for tag in tags) < (
                MIN_QUESTIONS
            ):
                continue
            category = LINGUIST_CATEGORIES.get(name, "programming")
        kept = [
            alias
            for alias in aliases
            if alias not in LINGUIST_NOT_SKILL_ALIASES
            and (len(fold(alias)) > 2 or fold(alias) in SAFE_SHORT_ALIASES)
            and fold(alias) != fold(name)
        ]
        skills.append({"name": name, "category": category, "description": "", "aliases": kept})
    return sorted(skills, key=lambda skill: skill["name"].casefold())


def esco_name(label: str) -> str:
    if label in ESCO_RENAMED:
        return ESCO_RENAMED[label]
    name = re.sub(r"\s*\([^)]*\)\s*$", "", label).strip()
    # Fields are lower case in ESCO ("data mining"); names here start with a capital. Products
    # keep their own spelling ("iOS").
    first_word = name.split()[0]
    return name[:1].upper() + name[1:] if first_word.islower() else name


def esco_category(label: str, name: str) -> str:
    if label.endswith("(computer programming)"):
        return "programming"
    for category, labels in ESCO_CATEGORIES.items():
        if label in labels:
            return category
    if name in ESCO_SECURITY_TOOLS or any(word in label for word in ESCO_SECURITY_WORDS):
        return "security"
    if any(word.casefold() in label.casefold() for word in ESCO_DATA_WORDS):
        return "data"
    if any(word in label for word in ESCO_INFRASTRUCTURE_WORDS):
        return "infrastructure"
    return "software"


def esco_alias_kept(alt: str, label: str, name: str, fold) -> bool:
    """Keep an alternative label that is a spelling, abbreviation or expansion of the label.

    ESCO's alternative labels for fields are often examples ("computer programming" lists 200
    languages, "graphics editor software" lists products); only labels that share a content
    word with the concept, contain it, abbreviate it or spell out its initials are kept.
    """
    folded, name_folded = fold(alt), fold(name)
    if alt in ESCO_ALIAS_BLOCKED or folded in (name_folded, fold(label)):
        return False
    if len(alt) > MAX_ALIAS_CHARS or len(words(alt)) > MAX_ALIAS_WORDS:
        return False
    if len(folded) <= 2 and folded not in SAFE_SHORT_ALIASES:
        return False
    if label[:1].islower() and alt[:1].isupper() and folded not in initials(label):
        return False  # a product named as an example of a field, not another name for it
    extra = set(words(alt)) - set(words(label))
    if any(re.search(r"\d", word) for word in extra) or {"edition", "editions"} & extra:
        return False  # a version or an edition of the same product
    related = (
        significant(alt) & significant(label)
        or (len(name_folded) > 3 and (name_folded in folded or folded in name_folded))
        or folded in initials(label)
        or fold(name) in initials(alt)
    )
    return bool(related)


def build_esco(data: Path, fold) -> list[dict]:
    concepts = json.loads(
        (data / "esco-ict-skills" / "esco_ict_skills.json").read_text(encoding="utf-8")
    )
    skills = []
    for concept in concepts:
        label = " ".join(concept["label"].split())
        if concept["skillType"] != "knowledge" or label in ESCO_EXCLUDED:
            continue
        name = esco_name(label)
        if len(name) > MAX_LABEL_CHARS or len(name.split()) > MAX_LABEL_WORDS:
            continue
        aliases = [label] if fold(label) != fold(name) else []
        for alt in concept.get("altLabel") or []:
            alt = " ".join(alt.split())
            if esco_alias_kept(alt, label, name, fold) and fold(alt) not in map(fold, aliases):
                aliases.append(alt)
        description = " ".join((concept.get("description") or "").split())
        skills.append(
            {
                "name": name,
                "category": esco_category(label, name),
                "description": description,
                "aliases": aliases,
                "uri": concept["uri"],
            }
        )
    return sorted(skills, key=lambda skill: skill["name"].casefold())


def so_synonym_kept(source: str, target: str, skill, fold) -> bool:
    """Keep a tag synonym that is another way to write the skill, not a part or a version."""
    if source in SO_ALWAYS_KEPT:
        return True
    if source in SO_BLOCKED:
        return False
    folded, target_folded, name_folded = fold(source), fold(target), fold(skill.name)
    if len(folded) <= 2 and folded not in SAFE_SHORT_ALIASES:
        return False
    plural = {target_folded + "s", target_folded + "es", target_folded.removesuffix("y") + "ies"}
    if folded in plural or target_folded in {folded + "s", folded + "es"}:
        return False
    if re.sub(r"[\d.x]+$", "", folded) in (target_folded, name_folded):
        return False  # angular2, php5, python-3.x: versions of the same tag
    extra = set(words(source)) - set(words(target))
    if set(words(source)) & set(words(target)):
        return extra <= SO_QUALIFIERS  # "wordpress-plugin" is a part, "r-language" the skill
    if len(target_folded) > 1 and target_folded in folded:
        # "vuejs", "golang" are the skill; "mysqldump", "bashrc", "cudamalloc" are parts of it.
        return all(part in SO_QUALIFIERS | {""} for part in folded.split(target_folded))
    return (
        folded in target_folded
        or folded in name_folded
        or is_subsequence(folded, target_folded)
        or is_subsequence(folded, name_folded)
        or folded in initials(target)
        or folded in initials(skill.name)
        or target_folded in initials(source)
    )


def build_stackoverflow(data: Path, taxonomy, fold) -> list[tuple[str, str]]:
    folder = data / "stackoverflow-tag-synonyms"
    # A master tag maps to a skill by name, or by an alias the merged taxonomy kept.
    skill_for = {key: skill for key, skill in taxonomy.skills.items()}
    for folded, alias in taxonomy.aliases.items():
        skill_for.setdefault(folded, taxonomy.skills[alias.skill_key])
    known = set(taxonomy.aliases) | set(taxonomy.skills)
    pairs = {}
    with (folder / "TagSynonyms.csv").open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            source, target = row["SourceTagName"], row["TargetTagName"]
            skill = skill_for.get(fold(target))
            if skill is None or fold(source) in known:
                continue
            if so_synonym_kept(source, target, skill, fold):
                pairs.setdefault(fold(source), (source, skill.name))
    return sorted(pairs.values(), key=lambda pair: (pair[1].casefold(), pair[0]))


def write_json(path: Path, attribution: str, skills: list[dict]) -> None:
    document = {"attribution": attribution, "skills": skills}
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    options = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "network.settings")
    import django

    django.setup()
    from network import taxonomy
    from network.text import fold

    with (options.data / "stackoverflow-tag-synonyms" / "Tags.csv").open(
        encoding="utf-8", newline=""
    ) as stream:
        question_counts = {row["TagName"]: int(row["Count"]) for row in csv.DictReader(stream)}

    linguist = build_linguist(options.data, fold, question_counts)
    write_json(
        HERE / "linguist.json",
        "GitHub Linguist languages.yml, (c) GitHub, Inc., MIT licence; filtered, see README.md",
        linguist,
    )
    esco = build_esco(options.data, fold)
    write_json(
        HERE / "esco.json",
        "ESCO, European Commission; CC BY 4.0; labels shortened and filtered, see README.md",
        esco,
    )

    merged = taxonomy.read_taxonomy(sources=taxonomy.SKILL_SOURCES, directory=HERE)
    synonyms = build_stackoverflow(options.data, merged, fold)
    with (HERE / "stackoverflow" / "stackoverflow_aliases.csv").open(
        "w", encoding="utf-8", newline=""
    ) as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(["alias", "skill"])
        writer.writerows(synonyms)

    full = taxonomy.read_taxonomy(directory=HERE)
    by_source = Counter(skill.source for skill in full.skills.values())
    alias_sources = Counter(alias.source for alias in full.aliases.values())
    print(f"linguist.json: {len(linguist)} languages; esco.json: {len(esco)} concepts;")
    print(f"stackoverflow_aliases.csv: {len(synonyms)} synonyms.")
    for source in taxonomy.SOURCES:
        print(f"  {source:14} {by_source[source]:4} skills {alias_sources[source]:5} aliases")
    print(
        f"  merged: {len(full.skills)} skills, {len(full.aliases)} aliases; "
        f"{full.duplicates} entries merged into another; {len(full.ambiguous)} ambiguous "
        f"aliases dropped: {', '.join(full.ambiguous)}"
    )


if __name__ == "__main__":
    main()
