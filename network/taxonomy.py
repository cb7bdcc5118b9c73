"""The skills taxonomy: canonical skills and the other ways people write them.

The taxonomy is read from committed files in ``network/data/taxonomy/`` (its README gives the
sources and licences), merged in memory, then written to ``Skill`` and ``SkillAlias`` in bulk:

=================  ==========================================  ===============================
source             file                                        gives
=================  ==========================================  ===============================
``curated``        ``curated.yaml`` (written for Switchboard)  skills with aliases
``linguist``       ``linguist.json`` (GitHub Linguist, MIT)    programming languages, aliases
``esco``           ``esco.json`` (ESCO, CC BY 4.0)             ICT knowledge skills, aliases
``stackoverflow``  ``stackoverflow/stackoverflow_aliases.csv``  aliases only (CC BY-SA 4.0)
=================  ==========================================  ===============================

``build.py`` in that folder regenerates the derived files from the public data sets; loading
needs only the committed files.
"""

import csv
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify

from network.models import Skill, SkillAlias
from network.text import fold

TAXONOMY_DIR = Path(__file__).resolve().parent / "data" / "taxonomy"

# Sources of skills in precedence order: when two name the same skill (equal after folding),
# the earlier one's name, category and description win.
SKILL_SOURCES = ("curated", "linguist", "esco")
ALIAS_SOURCES = ("stackoverflow",)
SOURCES = SKILL_SOURCES + ALIAS_SOURCES

SKILL_FILES = {
    "curated": "curated.yaml",
    "linguist": "linguist.json",
    "esco": "esco.json",
}
ALIAS_FILES = {"stackoverflow": "stackoverflow/stackoverflow_aliases.csv"}

# Rows with one of these sources were written or edited by a person (the admin sets "manual").
MANUAL_SOURCES = ("", "manual")

_BATCH_SIZE = 500


class TaxonomyError(ValueError):
    """A taxonomy file that cannot be loaded as it stands; the message names file and entry."""


@dataclass(frozen=True)
class SkillEntry:
    """One skill as a source file states it."""

    name: str
    category: str
    description: str
    aliases: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class AliasEntry:
    """One extra alias for a skill named by its canonical name (alias-only sources)."""

    alias: str
    skill_name: str
    source: str


@dataclass
class MergedSkill:
    name: str
    slug: str
    category: str
    description: str
    source: str
    # Every alias some source proposed for this skill: folded text -> (text, source), first wins.
    candidates: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class MergedAlias:
    skill_key: str  # the folded name of the skill it belongs to
    alias: str
    source: str


@dataclass
class Taxonomy:
    """The merged taxonomy, before it meets the database."""

    skills: dict[str, MergedSkill]  # by folded name, in precedence order
    aliases: dict[str, MergedAlias]  # by folded alias text
    duplicates: int = 0  # entries merged into a skill another entry already named
    ambiguous: list[str] = field(default_factory=list)  # alias texts dropped as ambiguous
    unknown_skill: int = 0  # alias rows naming a skill that is not loaded


@dataclass
class LoadReport:
    """What ``load_taxonomy`` did; a second run over the same files reports nothing created."""

    skills_created: int = 0
    skills_updated: int = 0
    skills_unchanged: int = 0
    skills_removed: int = 0
    skills_kept_in_use: int = 0
    aliases_created: int = 0
    aliases_updated: int = 0
    aliases_unchanged: int = 0
    aliases_removed: int = 0
    aliases_left_alone: int = 0
    ambiguous: list[str] = field(default_factory=list)
    duplicates_merged: int = 0
    unknown_skill: int = 0
    # source -> (skills whose entry comes from it, aliases it contributed) in the merged taxonomy
    per_source: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def aliases_ambiguous(self) -> int:
        return len(self.ambiguous)

    def summary(self) -> str:
        lines = [
            f"Skills: {self.skills_created:,} created, {self.skills_updated:,} updated, "
            f"{self.skills_unchanged:,} unchanged"
            + (f", {self.skills_removed:,} removed" if self.skills_removed else "")
            + (f", {self.skills_kept_in_use:,} kept in use" if self.skills_kept_in_use else "")
            + ".",
            f"Aliases: {self.aliases_created:,} created, {self.aliases_updated:,} updated, "
            f"{self.aliases_unchanged:,} unchanged, {self.aliases_removed:,} removed; "
            f"{self.aliases_ambiguous:,} ambiguous skipped, "
            f"{self.aliases_left_alone:,} hand-edited left alone.",
        ]
        if self.duplicates_merged or self.unknown_skill:
            lines.append(
                f"Merged {self.duplicates_merged:,} entries into skills of the same name; "
                f"{self.unknown_skill:,} aliases named a skill that is not loaded."
            )
        return "\n".join(lines)


def skill_slug(name: str) -> str:
    """The slug ``skill_create`` gives a skill, so that the loader finds skills made by hand."""
    return slugify(name.replace("+", " plus ").replace("#", " sharp "))[:140] or fold(name)


# --- Reading the files ------------------------------------------------------------------------


def read_skill_source(source: str, directory: Path = TAXONOMY_DIR) -> list[SkillEntry]:
    """Read one source's skills file (YAML or JSON, a ``skills`` list of mappings)."""
    path = directory / SKILL_FILES[source]
    with path.open(encoding="utf-8") as stream:
        if path.suffix == ".json":
            document = json.load(stream)
        else:
            document = yaml.safe_load(stream)
    if not isinstance(document, dict) or not isinstance(document.get("skills"), list):
        raise TaxonomyError(f"{path.name}: expected a mapping with a 'skills' list.")
    return [_skill_entry(item, source, path.name) for item in document["skills"]]


def _skill_entry(item, source: str, filename: str) -> SkillEntry:
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        raise TaxonomyError(f"{filename}: every skill needs a name: {item!r}")
    name = " ".join(item["name"].split())
    aliases = item.get("aliases") or []
    description = item.get("description") or ""
    problems = []
    if not fold(name) or len(name) > Skill._meta.get_field("name").max_length:
        problems.append("name is empty or longer than 120 characters")
    if item.get("category") not in Skill.Category.values:
        problems.append(f"category {item.get('category')!r} is not one of Skill.Category")
    if not isinstance(description, str):
        problems.append("description is not text")
    if not isinstance(aliases, list) or not all(isinstance(alias, str) for alias in aliases):
        problems.append("aliases must be a list of strings (quote numbers and yes/no)")
    elif any(not fold(alias) or len(alias) > 200 for alias in aliases):
        problems.append("an alias is empty after folding or longer than 200 characters")
    if problems:
        raise TaxonomyError(f"{filename}: {name!r}: {'; '.join(problems)}.")
    return SkillEntry(
        name=name,
        category=item["category"],
        description=" ".join(description.split()),
        aliases=tuple(" ".join(alias.split()) for alias in aliases),
        source=source,
    )


def read_alias_source(source: str, directory: Path = TAXONOMY_DIR) -> list[AliasEntry]:
    """Read an alias-only source: a CSV with the columns ``alias`` and ``skill``."""
    path = directory / ALIAS_FILES[source]
    with path.open(encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream)
        if reader.fieldnames is None or not {"alias", "skill"} <= set(reader.fieldnames):
            raise TaxonomyError(f"{path.name}: expected the columns alias and skill.")
        entries = []
        for line, row in enumerate(reader, start=2):
            alias, skill_name = row["alias"].strip(), row["skill"].strip()
            if not fold(alias) or not fold(skill_name) or len(alias) > 200:
                raise TaxonomyError(f"{path.name}, line {line}: bad alias or skill name.")
            entries.append(AliasEntry(alias=alias, skill_name=skill_name, source=source))
    return entries


# --- Merging ----------------------------------------------------------------------------------


def merge_taxonomy(
    skill_sources: Sequence[Sequence[SkillEntry]], alias_entries: Iterable[AliasEntry] = ()
) -> Taxonomy:
    """Merge skill lists given in precedence order, then alias-only entries.

    - A skill is identified by its folded name. An entry whose name folds to a skill already
      taken (by name, by slug, or by an alias that an earlier source gave to exactly one skill)
      is merged into that skill: its name and aliases become aliases of it, and the earlier
      entry's name, category and description stay.
    - An alias that folds to another skill's name, or that two skills both claim, is ambiguous
      and dropped for every claimant. An alias equal to its own skill's name is redundant.
    """
    skills: dict[str, MergedSkill] = {}
    by_slug: dict[str, str] = {}
    alias_owners: dict[str, set[str]] = {}  # folded alias -> skill keys, from earlier sources
    duplicates = 0

    for entries in skill_sources:
        touched: list[str] = []
        for entry in entries:
            key, slug = fold(entry.name), skill_slug(entry.name)
            owners = alias_owners.get(key, set())
            target = (
                key
                if key in skills
                else by_slug.get(slug) or (next(iter(owners)) if len(owners) == 1 else None)
            )
            if target is None:
                target = key
                skills[key] = MergedSkill(
                    name=entry.name,
                    slug=slug,
                    category=entry.category,
                    description=entry.description,
                    source=entry.source,
                )
                by_slug[slug] = key
            else:
                duplicates += 1
                _propose(skills[target], entry.name, entry.source)
            for alias in entry.aliases:
                _propose(skills[target], alias, entry.source)
            touched.append(target)
        # Names of the next (lower-precedence) source are checked against this one's aliases.
        for key in touched:
            for folded in skills[key].candidates:
                alias_owners.setdefault(folded, set()).add(key)

    unknown_skill = 0
    for entry in alias_entries:
        skill = skills.get(fold(entry.skill_name))
        if skill is None:
            unknown_skill += 1
        else:
            _propose(skill, entry.alias, entry.source)

    claims: dict[str, list[tuple[str, str, str]]] = {}
    for key, skill in skills.items():
        for folded, (text, source) in skill.candidates.items():
            claims.setdefault(folded, []).append((key, text, source))
    aliases: dict[str, MergedAlias] = {}
    ambiguous = []
    for folded, claimants in claims.items():
        others = [claim for claim in claimants if claim[0] != folded]
        if folded in skills:
            if others:
                ambiguous.append(others[0][1])
        elif len(claimants) > 1:
            ambiguous.append(claimants[0][1])
        else:
            key, text, source = claimants[0]
            aliases[folded] = MergedAlias(skill_key=key, alias=text, source=source)
    return Taxonomy(
        skills=skills,
        aliases=aliases,
        duplicates=duplicates,
        ambiguous=sorted(ambiguous, key=str.casefold),
        unknown_skill=unknown_skill,
    )


def _propose(skill: MergedSkill, alias: str, source: str) -> None:
    skill.candidates.setdefault(fold(alias), (alias, source))


def read_taxonomy(*, sources: Iterable[str] = SOURCES, directory: Path = TAXONOMY_DIR) -> Taxonomy:
    """Read and merge the given sources' files (unknown source names are refused)."""
    sources = tuple(sources)
    unknown = set(sources) - set(SOURCES)
    if unknown:
        raise TaxonomyError(f"Unknown taxonomy sources: {sorted(unknown)}; known: {SOURCES}.")
    skill_lists = [read_skill_source(s, directory) for s in SKILL_SOURCES if s in sources]
    alias_entries = [
        entry for s in ALIAS_SOURCES if s in sources for entry in read_alias_source(s, directory)
    ]
    return merge_taxonomy(skill_lists, alias_entries)


# --- Loading into the database ----------------------------------------------------------------


def load_taxonomy(
    *, sources: Iterable[str] = SOURCES, directory: Path = TAXONOMY_DIR, prune: bool = False
) -> LoadReport:
    """Upsert the taxonomy's skills and aliases in bulk, in one transaction.

    Idempotent: a second run over the same files creates, updates and removes nothing.

    Skills are matched by folded name, then by slug. A new skill is created. A matched skill
    takes the file's category and description (and its name's spelling, when only case or
    punctuation differ) only when this loader wrote the row, from the same source or from one
    the entry's source outranks (curated, then Linguist, then ESCO). Skills a person made
    (``source`` blank or ``"manual"``, or any other source such as a demo) are never changed,
    but they do receive the taxonomy's aliases.

    Aliases are matched by folded text. The loader creates, changes and removes only alias
    rows whose ``source`` is one of the ``sources`` being loaded. A row from anywhere else,
    notably one a coordinator added or edited by hand, keeps its skill: the taxonomy's alias
    for that text is skipped (``aliases_left_alone``). An alias that folds to the name of
    another skill in the database is skipped as ambiguous. Aliases this loader once wrote that
    the files no longer give are removed.

    Skills are never removed unless ``prune`` is set; then a skill from one of ``sources``
    that the files no longer name is removed only when nothing refers to it (no consultant,
    group, outside professional or request uses it).

    Two loads running at once cannot both insert a skill: the unique constraints make one of
    them fail and roll back whole, and running it again finds the other's rows.
    """
    sources = tuple(sources)
    taxonomy = read_taxonomy(sources=sources, directory=directory)
    report = LoadReport(
        ambiguous=list(taxonomy.ambiguous),
        duplicates_merged=taxonomy.duplicates,
        unknown_skill=taxonomy.unknown_skill,
        per_source=_per_source(taxonomy, sources),
    )
    with transaction.atomic():
        skill_ids = _upsert_skills(taxonomy, report)
        _upsert_aliases(taxonomy, skill_ids, sources, report)
        if prune:
            _prune_skills(skill_ids, sources, report)
    return report


def _per_source(taxonomy: Taxonomy, sources: Sequence[str]) -> dict[str, tuple[int, int]]:
    counts = {}
    for source in sources:
        skills = sum(1 for skill in taxonomy.skills.values() if skill.source == source)
        aliases = sum(1 for alias in taxonomy.aliases.values() if alias.source == source)
        counts[source] = (skills, aliases)
    return counts


def _precedence(source: str) -> int:
    return SKILL_SOURCES.index(source) if source in SKILL_SOURCES else len(SKILL_SOURCES)


def _upsert_skills(taxonomy: Taxonomy, report: LoadReport) -> dict[str, int]:
    """Create and update skills; answer each merged skill's primary key by its folded name."""
    existing = list(Skill.objects.order_by("pk"))
    by_fold: dict[str, Skill] = {}
    by_slug: dict[str, Skill] = {}
    for skill in existing:
        by_fold.setdefault(fold(skill.name), skill)
        by_slug[skill.slug] = skill

    to_create, to_update, matched = [], [], {}
    for key, merged in taxonomy.skills.items():
        row = by_fold.get(key) or by_slug.get(merged.slug)
        if row is None:
            to_create.append(
                Skill(
                    name=merged.name,
                    folded_name=key,
                    slug=merged.slug,
                    category=merged.category,
                    description=merged.description,
                    source=merged.source,
                )
            )
            continue
        matched[key] = row.pk
        owned_by_taxonomy = row.source in SKILL_SOURCES
        if not owned_by_taxonomy or _precedence(merged.source) > _precedence(row.source):
            report.skills_unchanged += 1
            continue
        wanted = {
            "category": merged.category,
            "description": merged.description,
            "source": merged.source,
        }
        # A name that differs beyond case and punctuation was changed by a person: keep it.
        if fold(row.name) == key:
            wanted["name"] = merged.name
        if all(getattr(row, name) == value for name, value in wanted.items()):
            report.skills_unchanged += 1
            continue
        for name, value in wanted.items():
            setattr(row, name, value)
        to_update.append(row)

    Skill.objects.bulk_create(to_create, batch_size=_BATCH_SIZE)
    Skill.objects.bulk_update(
        to_update, ["name", "category", "description", "source"], batch_size=_BATCH_SIZE
    )
    report.skills_created, report.skills_updated = len(to_create), len(to_update)
    # Re-read the new rows' keys (bulk_create sets them only on some databases); reading every
    # slug avoids an IN list longer than SQLite allows.
    created = dict(Skill.objects.values_list("slug", "pk"))
    for key, merged in taxonomy.skills.items():
        matched.setdefault(key, created.get(merged.slug))
    return matched


def _upsert_aliases(
    taxonomy: Taxonomy, skill_ids: dict[str, int], sources: Sequence[str], report: LoadReport
) -> None:
    name_owner = {fold(name): pk for pk, name in Skill.objects.values_list("pk", "name")}
    existing = {alias.folded: alias for alias in SkillAlias.objects.all()}
    to_create, to_update, wanted = [], [], set()
    for folded, merged in taxonomy.aliases.items():
        skill_id = skill_ids[merged.skill_key]
        owner = name_owner.get(folded)
        if owner is not None:
            # Equal to a skill's name in the database: redundant for its own skill, and
            # ambiguous for any other (typically a skill a person added by hand).
            if owner != skill_id:
                report.ambiguous.append(merged.alias)
            continue
        row = existing.get(folded)
        if row is None:
            to_create.append(
                SkillAlias(
                    skill_id=skill_id, alias=merged.alias, folded=folded, source=merged.source
                )
            )
            wanted.add(folded)
        elif row.source not in sources:
            # Hand-made or hand-edited (or another loader's): never reassigned from here.
            if row.skill_id != skill_id:
                report.aliases_left_alone += 1
            else:
                report.aliases_unchanged += 1
        else:
            wanted.add(folded)
            if (row.skill_id, row.alias, row.source) == (skill_id, merged.alias, merged.source):
                report.aliases_unchanged += 1
                continue
            row.skill_id, row.alias, row.source = skill_id, merged.alias, merged.source
            to_update.append(row)

    stale = [
        row.pk for folded, row in existing.items() if row.source in sources and folded not in wanted
    ]
    for chunk in _chunks(stale):
        SkillAlias.objects.filter(pk__in=chunk).delete()
    SkillAlias.objects.bulk_update(to_update, ["skill", "alias", "source"], batch_size=_BATCH_SIZE)
    SkillAlias.objects.bulk_create(to_create, batch_size=_BATCH_SIZE)
    report.aliases_created, report.aliases_updated = len(to_create), len(to_update)
    report.aliases_removed = len(stale)
    report.ambiguous.sort(key=str.casefold)


def _prune_skills(skill_ids: dict[str, int], sources: Sequence[str], report: LoadReport) -> None:
    kept = set(skill_ids.values())
    stale = [
        pk
        for pk in Skill.objects.filter(source__in=sources).values_list("pk", flat=True)
        if pk not in kept
    ]
    # Any row of any app that points at a skill (consultants' skills, groups' focus, outside
    # professionals, requests) counts as a use; the skill's own aliases do not.
    in_use = Q()
    for relation in Skill._meta.related_objects:
        if relation.related_model is not SkillAlias:
            in_use |= Q(**{f"{relation.name}__isnull": False})
    used: set[int] = set()
    for chunk in _chunks(stale):
        if in_use:
            used.update(Skill.objects.filter(in_use, pk__in=chunk).values_list("pk", flat=True))
    removable = [pk for pk in stale if pk not in used]
    for chunk in _chunks(removable):
        Skill.objects.filter(pk__in=chunk).delete()
    report.skills_removed, report.skills_kept_in_use = len(removable), len(used)


def _chunks(keys: list) -> Iterable[list]:
    """Slices short enough for an ``IN`` list on every supported database."""
    for start in range(0, len(keys), _BATCH_SIZE):
        yield keys[start : start + _BATCH_SIZE]
