"""Reads of the network that need more than one query."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext

from network import access
from network.db import FixedQuery
from network.models import Consultant, ConsultantGroup, ConsultantSkill


@dataclass(frozen=True)
class DirectoryName:
    """A skill, language or group as a directory row names it: its key and its name."""

    key: str
    name: str

    @property
    def slug(self) -> str:
        return self.key

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class DirectorySkill:
    """One skill of a member as a directory row shows it (the shape of a ``ConsultantSkill``:
    ``skill.name``, ``skill.slug``, ``level``, ``years``, ``note``)."""

    skill: DirectoryName
    level: int
    years: int | None
    note: str


def consultant_directory(user) -> QuerySet[Consultant]:
    """The consultants ``user`` may see, in the directory's order.

    Working members come first, then members on leave, applicants, alumni and former members,
    each by name (``Consultant.status_rank``); an ``ordering`` the caller asks for replaces it.
    The rows come without their skills, languages and groups: ``with_directory_details`` adds
    them to the page that is shown, and without ``search_text`` (the name, location and bio
    again, which only the search's filter reads).
    """
    return (
        access.visible_consultants(user)
        .defer("search_text")
        .order_by("status_rank", "display_name", "pk")
    )


# What a directory page shows beside each member's own fields, for the page's ids: every
# directory call reads all three, so each is compiled once per page length
# (network.db.FixedQuery).
def _for_page(model, order: tuple[str, ...], columns: tuple[str, ...]) -> FixedQuery:
    """``columns`` of ``model``'s rows for a page's member ids, by member, then ``order``."""
    return FixedQuery(
        lambda ids: (
            model.objects.filter(consultant_id__in=ids)
            .order_by("consultant_id", *order)
            .values_list("consultant_id", *columns)
        ),
        [-1],
    )


_PAGE_SKILLS = _for_page(
    ConsultantSkill,
    ("-level", "skill__name"),
    ("skill__slug", "skill__name", "level", "years", "note"),
)
_PAGE_LANGUAGES = _for_page(
    Consultant.languages.through, ("language__name",), ("language__code", "language__name")
)
_PAGE_GROUPS = _for_page(
    ConsultantGroup.members.through,
    ("consultantgroup__name",),
    ("consultantgroup__slug", "consultantgroup__name"),
)


def with_directory_details(consultants: Sequence[Consultant]) -> list[Consultant]:
    """``consultants`` with what a directory row shows beside their own fields:
    ``directory_skills`` (highest level first, then by name), ``directory_languages`` and
    ``directory_groups`` (by name) and ``directory_language_codes``.

    Three queries whatever the page's size, read as plain values: a page of 25 members has a
    couple of hundred skills, and a model instance for each (with its skill's) cost more than
    the page's queries.
    """
    consultants = list(consultants)
    ids = [consultant.pk for consultant in consultants]
    skills, languages, groups = defaultdict(list), defaultdict(list), defaultdict(list)
    for member, slug, name, level, years, note in _PAGE_SKILLS.rows(ids):
        skills[member].append(DirectorySkill(DirectoryName(slug, name), level, years, note))
    for member, code, name in _PAGE_LANGUAGES.rows(ids):
        languages[member].append(DirectoryName(code, gettext(name)))  # as Language's str
    for member, slug, name in _PAGE_GROUPS.rows(ids):
        groups[member].append(DirectoryName(slug, name))
    for consultant in consultants:
        consultant.directory_skills = skills[consultant.pk]
        consultant.directory_languages = languages[consultant.pk]
        consultant.directory_groups = groups[consultant.pk]
        consultant.directory_language_codes = [
            language.key for language in languages[consultant.pk]
        ]
    return consultants
