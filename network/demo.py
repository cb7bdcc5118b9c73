"""Demo data: the accounts' password and domains, the skills the demo uses, and synthetic
members for load tests.

The demo alliance itself, a believable one to click through, is in ``network.demo_alliance``
(who is in it) and ``network.demo_seed`` (writing it to the database, idempotent). The synthetic
members (``synthetic_consultants_add``) are the opposite of the alliance's keyed rows: every call
adds new ones, fast, with ``bulk_create``.
"""

import datetime
import sqlite3
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from network import services
from network.models import (
    Consultant,
    ConsultantGroup,
    ConsultantSkill,
    ConsultantStatusChange,
    Language,
    Skill,
    TimeAway,
    User,
)
from network.text import fold, name_key

DEMO_PASSWORD = "switchboard-demo"  # noqa: S105 -- published on purpose: demo accounts only
DEMO_DOMAIN = "demo.switchboard.test"
SYNTHETIC_DOMAIN = "synthetic.switchboard.test"

Category = Skill.Category
Status = Consultant.Status

# The skills the demo uses, in rough order of how often nonprofit clients ask for them (the
# synthetic members draw skills with this popularity), with the category used if the taxonomy
# loader did not provide one.
DEMO_SKILLS: dict[str, str] = {
    "Google Workspace": Category.PRODUCTIVITY,
    "Microsoft 365": Category.PRODUCTIVITY,
    "WordPress": Category.WEB,
    "Salesforce Nonprofit Success Pack": Category.CRM,
    "Help desk support": Category.PRACTICE,
    "Mailchimp": Category.SOFTWARE,
    "Staff training": Category.PRACTICE,
    "Donor database management": Category.CRM,
    "Data migration": Category.DATA,
    "Backups and disaster recovery": Category.SECURITY,
    "Network administration": Category.INFRASTRUCTURE,
    "Website design": Category.WEB,
    "Salesforce": Category.CRM,
    "QuickBooks": Category.SOFTWARE,
    "Zoom": Category.PRODUCTIVITY,
    "Information security": Category.SECURITY,
    "Wi-Fi networks": Category.INFRASTRUCTURE,
    "SharePoint": Category.PRODUCTIVITY,
    "IT strategy and planning": Category.PRACTICE,
    "Slack": Category.PRODUCTIVITY,
    "Grant reporting": Category.DATA,
    "Bloomerang": Category.CRM,
    "Airtable": Category.DATA,
    "Web accessibility": Category.ACCESSIBILITY,
    "CiviCRM": Category.CRM,
    "Squarespace": Category.WEB,
    "Blackbaud Raiser's Edge": Category.CRM,
    "Firewalls": Category.SECURITY,
    "Drupal": Category.WEB,
    "DonorPerfect": Category.CRM,
    "Little Green Light": Category.CRM,
    "Neon CRM": Category.CRM,
    "Tableau": Category.DATA,
    "Power BI": Category.DATA,
    "JavaScript": Category.PROGRAMMING,
    "PHP": Category.PROGRAMMING,
    "Python": Category.PROGRAMMING,
    "MySQL": Category.DATA,
    "PostgreSQL": Category.DATA,
}


def demo_skills_ensure() -> dict[str, Skill]:
    """The demo's skills by canonical name: the taxonomy's entries, created only where missing."""
    if not Skill.objects.exists():
        call_command("load_skills", verbosity=0)
    # Matched on the folded name, so the taxonomy's "WiFi networks" is the demo's "Wi-Fi networks".
    wanted = {fold(name): name for name in DEMO_SKILLS}
    found = {
        wanted[skill.folded_name]: skill for skill in Skill.objects.filter(folded_name__in=wanted)
    }
    for name, category in DEMO_SKILLS.items():
        if name not in found:
            found[name] = services.skill_create(name=name, category=category, source="demo")
    return found


# --- Synthetic members for load tests ---------------------------------------------------------

SYNTHETIC_BATCH = 2000
# Members are generated and written this many at a time, so memory stays flat at any scale.
SYNTHETIC_CHUNK = 10_000

_STATUSES = (
    [Status.ACTIVE, Status.PROBATION, Status.ON_LEAVE, Status.ALUMNI],
    [0.80, 0.06, 0.04, 0.10],
)
# Where members work from, weighted roughly by the Bay Area's nonprofit sector.
_LOCATIONS = {
    "San Francisco, CA": 22, "Oakland, CA": 16, "San José, CA": 14, "Berkeley, CA": 8,
    "Fremont, CA": 4, "Hayward, CA": 4, "San Mateo, CA": 4, "Richmond, CA": 3,
    "Daly City, CA": 3, "Palo Alto, CA": 3, "Walnut Creek, CA": 3, "Vallejo, CA": 2,
    "Santa Rosa, CA": 3, "Santa Cruz, CA": 3, "Sacramento, CA": 4, "Los Angeles, CA": 4,
}  # fmt: skip
# Chance of each language besides English, roughly the Bay Area's mix of languages at home.
_OTHER_LANGUAGES = {
    "es": 0.22,
    "zh": 0.09,
    "tl": 0.05,
    "vi": 0.05,
    "ko": 0.02,
    "ru": 0.01,
    "fr": 0.02,
    "pt": 0.01,
    "ar": 0.01,
    "hi": 0.01,
    "asl": 0.005,
}
_LEVEL_WEIGHTS = [0.06, 0.27, 0.36, 0.23, 0.08]  # levels 1..5, most members at 2-4
_CAPACITIES = ([5, 10, 15, 20, 25, 30, 40], [0.05, 0.15, 0.20, 0.25, 0.15, 0.12, 0.08])
_PRO_BONO = [2, 4, 5, 8, 10, 16, 20]
_DRAWS = 32  # skill draws per member before de-duplication; enough for 12 distinct


@dataclass
class SyntheticResult:
    first_index: int = 0
    last_index: int = 0
    rows: Counter = field(default_factory=Counter)


@contextmanager
def _sqlite_real_parameter_limit():
    """Let ``bulk_create`` use SQLite's real limit on query parameters.

    Django 5.2 assumes the historic default of 999 and so writes a ten-column row 99 at a time,
    whatever ``batch_size`` asks for. SQLite has defaulted to 32 766 since 3.32 (Debian builds
    allow 250 000); Django 6.0 reads the limit from the connection (ticket #36143), and this
    does the same for the length of the bulk load, so a batch really is ``SYNTHETIC_BATCH`` rows.
    """
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    features = connection.features
    assumed = features.max_query_params
    features.max_query_params = max(assumed, limit)
    try:
        yield
    finally:
        features.max_query_params = assumed


def _next_synthetic_index() -> int:
    last = (
        User.objects.filter(username__startswith="scale-", email__endswith=f"@{SYNTHETIC_DOMAIN}")
        .order_by("-username")
        .values_list("username", flat=True)
        .first()
    )
    return int(last.removeprefix("scale-")) + 1 if last else 1


def _skill_pool() -> tuple[list[int], list[str], np.ndarray]:
    """Every loaded skill, most popular first, and cumulative draw probabilities by Zipf's law
    (weight 1/rank): a few skills are very common and there is a long tail."""
    rows = list(Skill.objects.order_by("pk").values_list("pk", "name"))
    rank = {fold(name): position for position, name in enumerate(DEMO_SKILLS)}
    rows.sort(key=lambda row: rank.get(fold(row[1]), len(rank)))  # stable: the rest by pk
    weights = 1.0 / np.arange(1, len(rows) + 1)
    return [pk for pk, _ in rows], [name for _, name in rows], np.cumsum(weights / weights.sum())


@dataclass
class _SyntheticContext:
    """What every chunk draws from: the skill pool, languages, and groups with their focus."""

    skill_ids: list[int]
    skill_names: list[str]
    cumulative: np.ndarray
    languages: set[str]
    groups: list[tuple[int, set[int]]]


@transaction.atomic
def synthetic_consultants_add(
    count: int, *, seed: int, progress: Callable[[int], None] | None = None
) -> SyntheticResult:
    """Add ``count`` synthetic members, with skills, languages, groups, history and time away.

    Emails continue from the highest existing index, so every call adds new members; the same
    seed on the same database gives the same members. The number of queries depends on
    ``count`` only through the number of batches of ``SYNTHETIC_BATCH`` rows. ``progress`` is
    called with the number of members added so far after each chunk of ``SYNTHETIC_CHUNK``.
    """
    result = SyntheticResult()
    skill_ids, skill_names, cumulative = _skill_pool()
    if not skill_ids:
        raise ValueError("The skills taxonomy is empty: run load_skills first.")
    first = _next_synthetic_index()
    result.first_index, result.last_index = first, first + count - 1
    rng = np.random.default_rng([seed, first])
    context = _SyntheticContext(
        skill_ids=skill_ids,
        skill_names=skill_names,
        cumulative=cumulative,
        languages=set(Language.objects.values_list("code", flat=True)),
        groups=[
            (group.pk, {skill.pk for skill in group.focus_skills.all()})
            for group in ConsultantGroup.objects.order_by("pk").prefetch_related("focus_skills")
        ],
    )
    with _sqlite_real_parameter_limit():
        for start in range(first, first + count, SYNTHETIC_CHUNK):
            size = min(SYNTHETIC_CHUNK, first + count - start)
            result.rows.update(_synthetic_chunk(start, size, rng, context))
            if progress is not None:
                progress(start + size - first)
    return result


def synthetic_tables_vacuum() -> None:
    """``VACUUM (ANALYZE)`` the tables ``synthetic_consultants_add`` fills, on PostgreSQL (a
    no-op elsewhere), once the rows are committed. Inside a caller's transaction, where VACUUM
    cannot run, only ``ANALYZE``.

    Autovacuum gets to a million new rows only after a while; until it does, the planner
    guesses from the old statistics (the directory's unfiltered page took 386 ms at a million
    members before and 26 ms after), and no page is marked all-visible, so an index cannot
    answer alone: a skill filter's capped count read every matching row's page again.
    """
    if connection.vendor != "postgresql":
        return
    models = (
        User,
        Consultant,
        ConsultantSkill,
        ConsultantStatusChange,
        TimeAway,
        Consultant.languages.through,
        ConsultantGroup.members.through,
    )
    statement = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"{statement} {connection.ops.quote_name(model._meta.db_table)}")


def _synthetic_chunk(start: int, size: int, rng, context: _SyntheticContext) -> Counter:
    rows: Counter = Counter()
    now = timezone.now()
    today = timezone.localdate()

    # Per-member attributes, drawn for the whole chunk at once (as lists: faster to index).
    statuses = rng.choice(len(_STATUSES[0]), size=size, p=_STATUSES[1]).tolist()
    location_names = list(_LOCATIONS)
    location_weights = np.array(list(_LOCATIONS.values()), dtype=float)
    locations = rng.choice(
        len(location_names), size=size, p=location_weights / location_weights.sum()
    ).tolist()
    # Bay Area independent rates centre near $105 an hour; round to $5 as people quote them.
    rates = np.clip(np.round(rng.lognormal(np.log(105), 0.22, size) / 5) * 5, 60, 200).tolist()
    sliding = (rng.random(size) < 0.30).tolist()
    pro_bono = np.where(rng.random(size) < 0.35, rng.choice(_PRO_BONO, size=size), 0).tolist()
    capacities = rng.choice(_CAPACITIES[0], size=size, p=_CAPACITIES[1]).tolist()
    remote = (rng.random(size) < 0.85).tolist()
    joined_days_ago = rng.integers(30, 22 * 365, size).tolist()
    probation_days_left = rng.integers(1, 270, size).tolist()
    member_skills = _draw_member_skills(size, rng, context)

    users, consultants = [], []
    for offset in range(size):
        index = start + offset
        username = f"scale-{index:08d}"
        users.append(
            User(
                username=username,
                email=f"{username}@{SYNTHETIC_DOMAIN}",
                # Synthetic accounts never sign in; hashing 100 000 passwords would take hours.
                password=f"{UNUSABLE_PASSWORD_PREFIX}synthetic-load-test-account",
                date_joined=now,
            )
        )
    User.objects.bulk_create(users, batch_size=SYNTHETIC_BATCH)
    rows["users"] += size

    for offset, user in enumerate(users):
        status = _STATUSES[0][statuses[offset]]
        ranked = sorted(member_skills[offset], key=lambda entry: -entry[1])
        names = [context.skill_names[position] for position, _, _ in ranked[:3]]
        display_name = f"Synthetic member {start + offset:08d} · {names[0]}"[:120]
        consultants.append(
            Consultant(
                user_id=user.pk,
                display_name=display_name,
                # bulk_create skips save(), which keeps the key for the other members
                display_name_key=name_key(display_name),
                bio=f"Synthetic member for load tests. Works with nonprofits on "
                f"{', '.join(names)}.",
                location=location_names[locations[offset]],
                remote_ok=remote[offset],
                hourly_rate=Decimal(int(rates[offset])),
                sliding_scale=sliding[offset],
                pro_bono_hours_per_month=pro_bono[offset],
                capacity_hours_per_week=capacities[offset],
                status=status,
                probation_ends=(
                    today + datetime.timedelta(days=probation_days_left[offset])
                    if status == Status.PROBATION
                    else None
                ),
                joined_on=(
                    None
                    if status == Status.PROBATION
                    else today - datetime.timedelta(days=joined_days_ago[offset])
                ),
            )
        )
    Consultant.objects.bulk_create(consultants, batch_size=SYNTHETIC_BATCH)
    rows["consultants"] += size

    skill_rows = [
        ConsultantSkill(
            consultant_id=consultant.pk,
            skill_id=context.skill_ids[position],
            level=level,
            years=years,
        )
        for consultant, skills in zip(consultants, member_skills, strict=True)
        for position, level, years in skills
    ]
    ConsultantSkill.objects.bulk_create(skill_rows, batch_size=SYNTHETIC_BATCH)
    rows["consultant skills"] += len(skill_rows)

    rows.update(_synthetic_languages(consultants, rng, context))
    rows.update(_synthetic_groups(consultants, member_skills, rng, context))

    history = [
        ConsultantStatusChange(
            consultant_id=consultant.pk,
            from_status="",
            to_status=consultant.status,
            changed_at=now,
            reason="Synthetic member created for load tests.",
        )
        for consultant in consultants
    ]
    ConsultantStatusChange.objects.bulk_create(history, batch_size=SYNTHETIC_BATCH)
    rows["status history"] += len(history)

    # A few per cent are away at some point in the next three months, half with cover.
    away_rows = []
    away_offsets = np.flatnonzero(rng.random(size) < 0.03).tolist()
    for offset in away_offsets:
        begins = today + datetime.timedelta(days=int(rng.integers(-10, 90)))
        cover = consultants[(offset + 1) % size] if size > 1 and rng.random() < 0.5 else None
        away_rows.append(
            TimeAway(
                consultant_id=consultants[offset].pk,
                start=begins,
                end=begins + datetime.timedelta(days=int(rng.integers(2, 28))),
                note="Synthetic time away.",
                covering_id=cover.pk if cover is not None else None,
            )
        )
    TimeAway.objects.bulk_create(away_rows, batch_size=SYNTHETIC_BATCH)
    rows["time away"] += len(away_rows)
    return rows


def _draw_member_skills(size: int, rng, context: _SyntheticContext) -> list[list[tuple]]:
    """Each member's skills as (pool position, level, years): 3 to 12 distinct skills drawn by
    popularity, levels mostly 2 to 4, years of practice growing with the level."""
    pool_size = len(context.skill_ids)
    wanted_counts = np.clip(np.round(rng.normal(7, 2.2, size)), 3, 12).astype(int)
    wanted_counts = np.minimum(wanted_counts, pool_size).tolist()
    draws = np.searchsorted(context.cumulative, rng.random((size, _DRAWS)))
    draws = np.minimum(draws, pool_size - 1).tolist()
    chosen: list[list[int]] = []
    for row, wanted in zip(draws, wanted_counts, strict=True):
        distinct = list(dict.fromkeys(row))[:wanted]
        # A member whose draws kept repeating the head of the list takes the next popular ones.
        position = 0
        while len(distinct) < wanted:
            if position not in distinct:
                distinct.append(position)
            position += 1
        chosen.append(distinct)
    total = sum(wanted_counts)
    levels = rng.choice(5, size=total, p=_LEVEL_WEIGHTS) + 1
    years = np.clip(levels * 2 + rng.integers(-2, 5, total), 1, 30).tolist()
    unknown_years = (rng.random(total) < 0.15).tolist()
    levels = levels.tolist()
    member_skills, cursor = [], 0
    for positions in chosen:
        member_skills.append(
            [
                (position, levels[i], None if unknown_years[i] else years[i])
                for i, position in enumerate(positions, start=cursor)
            ]
        )
        cursor += len(positions)
    return member_skills


def _synthetic_languages(consultants, rng, context: _SyntheticContext) -> Counter:
    through = Consultant.languages.through
    others = [
        (code, chance) for code, chance in _OTHER_LANGUAGES.items() if code in context.languages
    ]
    speaks_english = rng.random(len(consultants)) < 0.93
    extra = rng.random((len(consultants), len(others)))
    links = []
    for offset, consultant in enumerate(consultants):
        codes = ["en"] if speaks_english[offset] and "en" in context.languages else []
        codes += [
            code for column, (code, chance) in enumerate(others) if extra[offset, column] < chance
        ][:2]
        if not codes and context.languages:
            codes = ["en"] if "en" in context.languages else [next(iter(context.languages))]
        links.extend(through(consultant_id=consultant.pk, language_id=code) for code in codes)
    through.objects.bulk_create(links, batch_size=SYNTHETIC_BATCH)
    return Counter({"languages": len(links)})


def _synthetic_groups(consultants, member_skills, rng, context: _SyntheticContext) -> Counter:
    """Members join up to two groups whose focus matches a skill they hold at level 3 or more."""
    if not context.groups:
        return Counter()
    through = ConsultantGroup.members.through
    joins = rng.random((len(consultants), len(context.groups)))
    links = []
    for offset, consultant in enumerate(consultants):
        if consultant.status == Status.ALUMNI:
            continue
        strong = {
            context.skill_ids[position]
            for position, level, _ in member_skills[offset]
            if level >= 3
        }
        joined = 0
        for column, (group_id, focus) in enumerate(context.groups):
            # Groups without a focus take members at random, a little less often.
            fits = bool(strong & focus) if focus else joins[offset, column] < 0.25
            if fits and joins[offset, column] < 0.6 and joined < 2:
                links.append(through(consultant_id=consultant.pk, consultantgroup_id=group_id))
                joined += 1
    through.objects.bulk_create(links, batch_size=SYNTHETIC_BATCH)
    return Counter({"group memberships": len(links)})
