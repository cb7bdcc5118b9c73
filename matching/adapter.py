"""The thin adapter between the models and the matching engine.

The engine (``normalize``, ``index``, ``rank``, ``teams``) works on plain values; this module
reads them from the database, keeps one built index per process and knows when it is stale.

When the index is stale
    ``current_index()`` compares the stamp (``matching.stamp``: the version counter the signals
    bump, the highest keys of the tables the index reads, and today's date) with the one its
    cached index was built against; reading it costs one small query. Code that changes the
    indexed tables with ``QuerySet.update()`` or ``bulk_update()`` must call
    ``index_version_bump()`` itself.

Activity other apps record
    Recent offers, organisations served, hours committed to current engagements and who has
    worked with whom live in other apps' tables. ``matching`` imports none of them: they reach
    it through the functions those apps register in ``matching.providers``; with none
    registered they are left empty.

Building off the request path
    The index is built into files, one directory per version (``matching.index_files``),
    which every process of the machine maps read-only: one copy per machine. In production
    (``MATCHING_INDEX_BUILD = "background"``) a change queues ``matching.tasks.index_rebuild``
    and requests keep answering from the previous version until the new one is written; see
    ``current_index()`` and docs/architecture.md, "Matching".
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from matching import index_files, providers
from matching.index import MatchIndex
from matching.normalize import Normalizer
from matching.rank import Weights, rank
from matching.stamp import (
    IndexStamp,
    index_version_bump,
    queue_rebuild,
    read_stamp,
)
from matching.teams import Team, propose_teams
from matching.types import ConsultantProfile, ExternalProfile, MatchResult, RequestProfile
from network.models import (
    Consultant,
    ConsultantGroup,
    ConsultantSkill,
    ExternalProfessional,
    FreeServicePledge,
    Skill,
    SkillAlias,
    TimeAway,
)

logger = logging.getLogger(__name__)

__all__ = [
    "IndexStamp",
    "collaboration_pairs",
    "current_index",
    "index_version_bump",
    "match",
    "propose_teams_for",
    "read_stamp",
    "request_profile",
]

# Members ranked for work, plus members on leave, so a refer-out can say who has the skills but
# is away. Applicants, alumni and former members are never offered work and are left out.
INDEXED_STATUSES = (*Consultant.WORKING_STATUSES, Consultant.Status.ON_LEAVE)
# Fair rotation counts the offers a member received in this many days (docs/architecture.md,
# "Matching").
RECENT_OFFER_DAYS = 90
# A current engagement's hours are spread over this many weeks to estimate the hours a week it
# takes; one with no estimate is counted at a few hours a week rather than at nothing.
ENGAGEMENT_WEEKS = 4
UNKNOWN_ENGAGEMENT_HOURS_PER_WEEK = 5.0
# The window a request wants when the client gave only a start date (or none): four weeks.
DEFAULT_WINDOW_DAYS = 28
# Versions kept on disk: the current one and the one before it (which a process may still map
# while it moves to the new one; a removed version stays readable to whoever maps it).
INDEX_VERSIONS_KEPT = 2


# --- Loading the profiles -----------------------------------------------------------------


def taxonomy() -> list[tuple[str, list[str]]]:
    """Every skill's canonical name with its aliases, for ``Normalizer.from_taxonomy``."""
    aliases: dict[int, list[str]] = defaultdict(list)
    for skill_id, alias in SkillAlias.objects.values_list("skill_id", "alias").order_by("pk"):
        aliases[skill_id].append(alias)
    return [
        (name, aliases.get(skill_id, []))
        for skill_id, name in Skill.objects.values_list("pk", "name").order_by("pk")
    ]


def _activity():
    """Recent offers, organisations served and hours committed, per consultant id, from what
    other apps registered (``matching.providers``)."""
    served: dict[int, set[int]] = defaultdict(set)
    committed: dict[int, float] = defaultdict(float)
    recent = providers.recent_offers(timezone.now() - datetime.timedelta(days=RECENT_OFFER_DAYS))
    for consultant_id, organization_id, end, hours in providers.engagements():
        if organization_id is not None:
            served[consultant_id].add(organization_id)
        if end is None:
            committed[consultant_id] += (
                hours / ENGAGEMENT_WEEKS if hours else UNKNOWN_ENGAGEMENT_HOURS_PER_WEEK
            )
    return recent, served, committed


def consultant_profiles(today: datetime.date | None = None) -> list[ConsultantProfile]:
    """Every member who may be ranked, as plain values, in a fixed number of queries."""
    today = today or timezone.localdate()
    indexed = {"consultant__status__in": INDEXED_STATUSES}
    skills: dict[int, dict[str, int]] = defaultdict(dict)
    notes: dict[int, list[str]] = defaultdict(list)
    skill_rows = ConsultantSkill.objects.filter(**indexed).values_list(
        "consultant_id", "skill__name", "level", "note"
    )
    for consultant_id, skill_name, level, note in skill_rows.order_by():
        skills[consultant_id][skill_name] = level
        if note:
            notes[consultant_id].append(note)
    languages: dict[int, set[str]] = defaultdict(set)
    language_links = Consultant.languages.through.objects.filter(**indexed)
    for consultant_id, code in language_links.values_list("consultant_id", "language_id"):
        languages[consultant_id].add(code)
    away: dict[int, list[tuple[datetime.date, datetime.date]]] = defaultdict(list)
    away_rows = TimeAway.objects.filter(end__gte=today, **indexed).values_list(
        "consultant_id", "start", "end"
    )
    for consultant_id, start, end in away_rows.order_by("start", "pk"):
        away[consultant_id].append((start, end))
    groups: dict[int, set[int]] = defaultdict(set)
    group_links = ConsultantGroup.members.through.objects.filter(**indexed)
    for consultant_id, group_id in group_links.values_list("consultant_id", "consultantgroup_id"):
        groups[consultant_id].add(group_id)
    recent, served, committed = _activity()
    free_days_left = _free_days_left(today.year)

    rows = Consultant.objects.filter(status__in=INDEXED_STATUSES).values_list(
        "pk",
        "display_name",
        "status",
        "bio",
        "location",
        "remote_ok",
        "hourly_rate",
        "sliding_scale",
        "pro_bono_hours_per_month",
        "capacity_hours_per_week",
    )
    profiles = []
    for pk, name, status, bio, location, remote, rate, sliding, pro_bono, capacity in rows.order_by(
        "pk"
    ):
        profiles.append(
            ConsultantProfile(
                id=pk,
                name=name,
                status=status,
                skills=skills.get(pk, {}),
                text=" ".join([bio, *notes.get(pk, [])]).strip(),
                languages=frozenset(languages.get(pk, ())),
                location=location,
                remote_ok=remote,
                # A rate of zero means "not given" (the field's default), not "free".
                hourly_rate=float(rate) if rate else None,
                sliding_scale=sliding,
                pro_bono_hours_per_month=pro_bono,
                capacity_hours_per_week=capacity,
                committed_hours_per_week=committed.get(pk, 0.0),
                away=tuple(away.get(pk, ())),
                clients_served=frozenset(served.get(pk, ())),
                recent_offers=recent.get(pk, 0),
                groups=frozenset(groups.get(pk, ())),
                free_days_left=free_days_left.get(pk, 0.0),
            )
        )
    return profiles


def _free_days_left(year: int) -> dict[int, float]:
    """Per consultant id, the free service days pledged for ``year`` and not yet given (the
    days given come from what other apps registered, ``matching.providers``); one query for
    the pledges, plus the providers'."""
    pledged = FreeServicePledge.objects.filter(
        year=year, consultant__status__in=INDEXED_STATUSES
    ).values_list("consultant_id", "days")
    given = providers.free_days_given(year)
    return {
        consultant_id: max(0.0, float(days) - given.get(consultant_id, 0.0))
        for consultant_id, days in pledged.order_by()
    }


def external_profiles() -> list[ExternalProfile]:
    """The active outside professionals with their skills' canonical names."""
    skills: dict[int, set[str]] = defaultdict(set)
    links = ExternalProfessional.skills.through.objects.filter(externalprofessional__active=True)
    for professional_id, skill_name in links.values_list("externalprofessional_id", "skill__name"):
        skills[professional_id].add(skill_name)
    rows = ExternalProfessional.objects.filter(active=True).values_list(
        "pk", "name", "organization"
    )
    return [
        ExternalProfile(
            id=pk, name=name, organization=organization, skills=frozenset(skills.get(pk, ()))
        )
        for pk, name, organization in rows.order_by("pk")
    ]


# --- The index: built off the request path, mapped from files -----------------------------


def build(stamp: IndexStamp | None = None) -> MatchIndex:
    """Read every profile and build the engine's index, its ``version`` set to ``stamp``.

    Read the stamp before the profiles: an edit that lands during the build then leaves the
    index with an old stamp, so the next call rebuilds (never the reverse).
    """
    stamp = stamp or read_stamp()
    normalizer = Normalizer.from_taxonomy(taxonomy())
    index = MatchIndex.build(consultant_profiles(stamp.day), external_profiles(), normalizer)
    index.version = stamp
    return index


def index_directory() -> Path:
    """Where this machine's built versions live (``MATCHING_INDEX_DIR``)."""
    return Path(settings.MATCHING_INDEX_DIR)


def version_name(stamp: IndexStamp) -> str:
    """The directory name of the version built for ``stamp``: its counter, then a digest of
    the whole stamp (the counter alone does not see bulk inserts nor the day) and of the
    database's address, so two databases served from one checkout never share a version."""
    database = settings.DATABASES["default"]
    where = "|".join(str(database.get(key, "")) for key in ("ENGINE", "HOST", "PORT", "NAME"))
    digest = hashlib.sha256(f"{stamp.cache_key}|{where}".encode()).hexdigest()[:32]
    return f"v{stamp.version:012d}-{digest}"


def build_files(stamp: IndexStamp | None = None) -> Path:
    """Make sure the version for ``stamp`` (default: the current one) is built on this
    machine, and return its directory.

    Under the machine's build lock: a process that finds another building waits for it, then
    finds the version built. A build that fails raises and leaves the versions already built,
    and nothing else, in place (``matching.index_files.save``).
    """
    directory = index_directory()
    with index_files.build_lock(directory):
        stamp = stamp or read_stamp()
        path = directory / version_name(stamp)
        if index_files.info(path) is not None:
            return path
        started = time.perf_counter()
        fresh = build(stamp)
        seconds = time.perf_counter() - started
        details = {
            "version": stamp.version,
            "day": stamp.day.isoformat(),
            "built_at": time.time(),
            "build_seconds": round(seconds, 3),
            "members": fresh.size,
        }
        path = index_files.save(fresh, directory, version_name(stamp), details)
        index_files.clean(directory, keep=INDEX_VERSIONS_KEPT)
    logger.info(
        "Built the matching index of %s members (version %s) in %.2f s.",
        fresh.size,
        stamp.version,
        seconds,
    )
    return path


# This process's mapped index and the directory it was mapped from.
_built: MatchIndex | None = None
_built_path: Path | None = None
_built_info: dict | None = None
# One reader at a time per process swaps the mapped index.
_build_lock = threading.Lock()


def _map(path: Path) -> MatchIndex:
    global _built, _built_path, _built_info
    _built = index_files.load(path)
    _built_path = path
    _built_info = index_files.info(path)
    return _built


def current_index() -> MatchIndex:
    """The index to rank with: one query to read the stamp, then the mapped index while the
    stamp is unchanged.

    When the stamp has moved, the version built for it is mapped if this machine has it. If
    not, with ``MATCHING_INDEX_BUILD = "background"`` (production) a build is queued
    (``matching.stamp.queue_rebuild``) and the newest version built is mapped and answers,
    stale, until the new one is there: a request never waits for a build, except the very first
    on a machine where no version was ever built, which builds one under the machine's lock.
    With ``"inline"`` (development, tests) the request builds the current version itself.
    """
    stamp = read_stamp()
    mapped = _built
    if mapped is not None and mapped.version == stamp:
        return mapped
    with _build_lock:
        if _built is not None and _built.version == stamp:
            return _built
        path = index_directory() / version_name(stamp)
        if index_files.info(path) is not None:
            return _map(path)
        if settings.MATCHING_INDEX_BUILD == "background":
            built = index_files.versions(index_directory())
            if built and built[0][0] != _built_path:
                _map(built[0][0])  # a newer version than this process's, if not the latest
            if _built is not None:
                if _built.version != stamp:
                    queue_rebuild()
                return _built
        return _map(build_files(stamp))


def index_status() -> dict:
    """The index's health, for the health endpoint and the metrics page: the version this
    process answers from, the latest version, how old the one answering is, and whether it is
    stale or a build is running on this machine. Reads the stamp (one query)."""
    stamp = read_stamp()
    directory = index_directory()
    answering = _built_info
    if answering is None:
        built = index_files.versions(directory)
        answering = built[0][1] if built else None
    latest = index_files.info(directory / version_name(stamp))
    return {
        "mode": settings.MATCHING_INDEX_BUILD,
        "latest_version": stamp.version,
        "built_version": answering["version"] if answering else None,
        "members": answering["members"] if answering else None,
        "built_at": (
            datetime.datetime.fromtimestamp(answering["built_at"], tz=datetime.UTC)
            if answering
            else None
        ),
        "age_seconds": (
            round(max(0.0, time.time() - answering["built_at"]), 1) if answering else None
        ),
        "build_seconds": answering["build_seconds"] if answering else None,
        "stale": latest is None or (_built_info is not None and _built_info != latest),
        "building": index_files.is_building(directory),
    }


def forget_index() -> None:
    """Drop this process's mapped index (tests, and after restoring a database)."""
    global _built, _built_path, _built_info
    with _build_lock:
        _built = _built_path = _built_info = None


# --- Settings and requests ----------------------------------------------------------------


def weights_from_settings() -> Weights:
    """``settings.MATCHING_WEIGHTS`` as the engine's ``Weights``; a misspelt factor fails."""
    configured = getattr(settings, "MATCHING_WEIGHTS", None) or {}
    try:
        return Weights(**configured)
    except TypeError as error:
        raise ImproperlyConfigured(f"MATCHING_WEIGHTS: {error}") from None


def request_profile(
    *,
    title: str = "",
    description: str = "",
    skills=(),
    budget_max=None,
    estimated_hours: int | None = None,
    pro_bono: bool = False,
    remote_ok: bool = True,
    location: str = "",
    languages=(),
    desired_start: datetime.date | None = None,
    organization_id: int | None = None,
    today: datetime.date | None = None,
    confirmed_skills=(),
    dismissed_skills=(),
) -> RequestProfile:
    """A request's fields (saved or not) as the engine's ``RequestProfile``.

    ``skills`` are the named terms (as written); ``confirmed_skills`` and ``dismissed_skills``
    the canonical names of skills recognised in the text that a coordinator confirmed
    (required, like the named ones) or dismissed (ignored).

    The wanted window starts on the desired start (today when none was given) and lasts four
    weeks: long enough that a member away for a week is still ranked, short enough that one away
    for the whole month is not.
    """
    start = desired_start or today or timezone.localdate()
    return RequestProfile(
        text="\n".join(part for part in (title, description) if part),
        skills=tuple(term.strip() for term in skills if term and term.strip()),
        budget_max=float(budget_max) if budget_max is not None else None,
        estimated_hours=estimated_hours,
        pro_bono=pro_bono,
        languages=frozenset(code.lower() for code in languages),
        remote_ok=remote_ok,
        location=location or "",
        window=(start, start + datetime.timedelta(days=DEFAULT_WINDOW_DAYS)),
        organization_id=organization_id,
        confirmed=tuple(name for name in confirmed_skills if name and name.strip()),
        dismissed=frozenset(name for name in dismissed_skills if name and name.strip()),
    )


def match(profile: RequestProfile, *, limit: int | None = None) -> MatchResult:
    """Rank the network for ``profile`` with the weights and thresholds in settings."""
    return rank(
        current_index(),
        profile,
        weights=weights_from_settings(),
        limit=limit or settings.MATCHING_LIMIT,
        coverage_threshold=settings.MATCHING_COVERAGE_THRESHOLD,
        today=timezone.localdate(),
    )


# --- Teams ----------------------------------------------------------------------------------


def collaboration_pairs() -> frozenset[tuple[int, int]]:
    """Consultant id pairs (smaller id first) who have worked together, from what other apps
    registered (``matching.providers``: engaged on the same request, on the same team of a past
    bid...). One query: the providers' query sets unioned; empty with none registered."""
    queries = providers.collaboration_queries()
    if not queries:
        return frozenset()
    rows = queries[0].union(*queries[1:]) if len(queries) > 1 else queries[0].distinct()
    return frozenset((first, second) for first, second in rows)


def propose_teams_for(
    profile: RequestProfile, *, k: int = 5, seed: Sequence[int] = ()
) -> list[Team]:
    """Up to ``k`` teams for ``profile`` over the current index, preferring members who have
    worked together, with the weights in settings. ``seed``: consultant ids on the team
    already (a bid's lead first, then its members), in every team (``teams.propose_teams``)."""
    return propose_teams(
        current_index(),
        profile,
        k=k,
        collaborations=collaboration_pairs(),
        today=timezone.localdate(),
        weights=weights_from_settings(),
        seed=tuple(seed),
    )
