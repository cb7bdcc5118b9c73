"""An in-memory synthetic network for the matching benchmark and tests, no database needed.

It mirrors ``network.demo.synthetic_consultants_add`` (the ``seed_demo --scale`` generator):
skills drawn by Zipf popularity (weight 1/rank, the demo's skills first, then the taxonomy in
file order), 3 to 12 skills a member, levels mostly 2 to 4, statuses mostly active, rates around
$105 an hour rounded to $5, the Bay Area's locations and languages, a few per cent away. It
borrows those distributions from ``network.demo`` rather than restating them, so the two stay in
step; that import needs Django's apps loaded (``manage.py`` and pytest-django do it).

Members are named by number ("Synthetic member 00000042 · WordPress"), never as people.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import numpy as np

from matching.types import ConsultantProfile, ExternalProfile, RequestProfile
from network.text_rules import fold

# Requests name one to four skills, mostly two; clients write a skill the canonical way about
# half the time, by an alias a third of the time, and the rest as something no taxonomy knows.
_REQUEST_SKILL_COUNTS = ([1, 2, 3, 4], [0.25, 0.40, 0.25, 0.10])
_UNKNOWN_PHRASES = ["our old database", "the thing the board uses", "volunteer scheduling app"]
_SECTORS = [
    "food banks",
    "health clinics",
    "arts groups",
    "tenant unions",
    "youth programs",
    "land trusts",
    "immigrant legal aid",
    "literacy programs",
    "shelters",
    "environmental advocacy",
]
_NEEDS = [
    "We need help with {skills}.",
    "Our staff struggle with {skills} and we would like someone to sort it out.",
    "Looking for a consultant for {skills}; small budget, patient staff.",
    "The board asked us to fix {skills} before the next grant cycle.",
]


def _demo():
    from network import demo  # needs Django's apps; only when generating

    return demo


def default_skill_pool() -> list[tuple[str, list[str]]]:
    """The taxonomy the demo generator draws from: demo skills first, then the rest in order."""
    from network.taxonomy import read_taxonomy  # needs Django's apps

    taxonomy = read_taxonomy()
    popularity = {fold(name): rank for rank, name in enumerate(_demo().DEMO_SKILLS)}
    entries = [
        (skill.name, [text for text, _ in skill.candidates.values()])
        for skill in taxonomy.skills.values()
    ]
    entries.sort(key=lambda entry: popularity.get(fold(entry[0]), len(popularity)))
    return entries


def _zipf_cumulative(size: int) -> np.ndarray:
    weights = 1.0 / np.arange(1, size + 1)
    return np.cumsum(weights / weights.sum())


def synthetic_network(
    n: int, *, seed: int = 0, skills: Sequence[str] | None = None
) -> tuple[list[ConsultantProfile], list[ExternalProfile], list[tuple[str, list[str]]]]:
    """``n`` synthetic consultants, some outside professionals, and the taxonomy they use.

    ``skills`` (most popular first) replaces the default pool; its taxonomy entries then have
    no aliases. The same ``n``, ``seed`` and ``skills`` always give the same network.
    """
    demo = _demo()
    taxonomy = [(name, []) for name in skills] if skills is not None else default_skill_pool()
    names = [name for name, _ in taxonomy]
    rng = np.random.default_rng(seed)
    today = datetime.date(2026, 1, 15)  # fixed, so a seed gives the same time away

    statuses = [str(status) for status in demo._STATUSES[0]]
    status_draw = rng.choice(len(statuses), size=n, p=demo._STATUSES[1])
    location_names = list(demo._LOCATIONS)
    location_weights = np.array(list(demo._LOCATIONS.values()), dtype=float)
    locations = rng.choice(len(location_names), size=n, p=location_weights / location_weights.sum())
    rates = np.clip(np.round(rng.lognormal(np.log(105), 0.22, n) / 5) * 5, 60, 200)
    sliding = rng.random(n) < 0.30
    pro_bono = np.where(rng.random(n) < 0.35, rng.choice(demo._PRO_BONO, size=n), 0)
    capacities = rng.choice(demo._CAPACITIES[0], size=n, p=demo._CAPACITIES[1])
    # Not in the demo (engagements hold it there): most members have some work already.
    committed = np.round(capacities * rng.random(n) * (rng.random(n) < 0.6))
    remote = rng.random(n) < 0.85
    recent_offers = rng.poisson(0.6, n)
    member_skills = _draw_skills(n, rng, len(names), demo._LEVEL_WEIGHTS)

    languages = [code for code in demo._OTHER_LANGUAGES]
    language_chances = np.array([demo._OTHER_LANGUAGES[code] for code in languages])
    speaks_english = rng.random(n) < 0.93
    extra = rng.random((n, len(languages))) < language_chances
    sectors = rng.integers(0, len(_SECTORS), n)
    served = rng.random(n) < 0.3
    away = rng.random(n) < 0.03

    profiles = []
    for i in range(n):
        held = {names[position]: level for position, level in member_skills[i]}
        top = [names[position] for position, _ in sorted(member_skills[i], key=lambda e: -e[1])]
        spoken = (["en"] if speaks_english[i] else []) + [
            code for code, yes in zip(languages, extra[i], strict=True) if yes
        ][:2]
        away_periods: tuple[tuple[datetime.date, datetime.date], ...] = ()
        if away[i]:
            begins = today + datetime.timedelta(days=int(rng.integers(-10, 90)))
            away_periods = ((begins, begins + datetime.timedelta(days=int(rng.integers(2, 28)))),)
        profiles.append(
            ConsultantProfile(
                id=i + 1,
                name=f"Synthetic member {i + 1:08d} · {top[0]}",
                status=statuses[status_draw[i]],
                skills=held,
                text=f"Synthetic member for load tests. Works with {_SECTORS[sectors[i]]} on "
                f"{', '.join(top[:3])}.",
                languages=frozenset(spoken or ["en"]),
                location=location_names[locations[i]],
                remote_ok=bool(remote[i]),
                hourly_rate=float(rates[i]),
                sliding_scale=bool(sliding[i]),
                pro_bono_hours_per_month=int(pro_bono[i]),
                capacity_hours_per_week=int(capacities[i]),
                committed_hours_per_week=float(committed[i]),
                away=away_periods,
                clients_served=(
                    frozenset(rng.integers(1, 2000, rng.integers(1, 4)).tolist())
                    if served[i]
                    else frozenset()
                ),
                recent_offers=int(recent_offers[i]),
            )
        )

    # Outside professionals: one for every 200 members (at least ten), two to five skills each,
    # drawn by the same popularity.
    cumulative = _zipf_cumulative(len(names))
    externals = []
    for i in range(max(10, n // 200)):
        draws = np.minimum(np.searchsorted(cumulative, rng.random(8)), len(names) - 1)
        held_names = list(dict.fromkeys(names[d] for d in draws.tolist()))[
            : int(rng.integers(2, 6))
        ]
        externals.append(
            ExternalProfile(
                id=i + 1,
                name=f"Outside professional {i + 1:05d} · {held_names[0]}",
                organization=f"Synthetic practice {i + 1:05d}",
                skills=frozenset(held_names),
            )
        )
    return profiles, externals, taxonomy


def _draw_skills(
    n: int, rng: np.random.Generator, pool_size: int, level_weights: Sequence[float]
) -> list[list[tuple[int, int]]]:
    """Each member's (pool position, level): 3 to 12 distinct skills by Zipf popularity."""
    wanted = np.minimum(np.clip(np.round(rng.normal(7, 2.2, n)), 3, 12).astype(int), pool_size)
    draws = np.minimum(
        np.searchsorted(_zipf_cumulative(pool_size), rng.random((n, 32))), pool_size - 1
    ).tolist()
    levels = (rng.choice(5, size=int(wanted.sum()), p=level_weights) + 1).tolist()
    member_skills, cursor = [], 0
    for row, count in zip(draws, wanted.tolist(), strict=True):
        distinct = list(dict.fromkeys(row))[:count]
        position = 0
        while len(distinct) < count:  # draws kept repeating the head: take the next popular
            if position not in distinct:
                distinct.append(position)
            position += 1
        member_skills.append(list(zip(distinct, levels[cursor : cursor + count], strict=True)))
        cursor += count
    return member_skills


def synthetic_requests(
    q: int, taxonomy: Sequence[tuple[str, Sequence[str]]], seed: int = 0
) -> list[RequestProfile]:
    """``q`` requests written the way clients write them, over ``taxonomy`` (popular first)."""
    demo = _demo()
    rng = np.random.default_rng([seed, 1])
    cumulative = _zipf_cumulative(len(taxonomy))
    location_names = list(demo._LOCATIONS)
    today = datetime.date(2026, 1, 15)
    requests = []
    for _ in range(q):
        count = int(rng.choice(_REQUEST_SKILL_COUNTS[0], p=_REQUEST_SKILL_COUNTS[1]))
        draws = np.minimum(np.searchsorted(cumulative, rng.random(count)), len(taxonomy) - 1)
        terms = []
        for position in dict.fromkeys(draws.tolist()):
            name, aliases = taxonomy[position]
            roll = rng.random()
            if roll < 0.55 or (roll < 0.9 and not aliases):
                terms.append(name)
            elif roll < 0.9:
                terms.append(aliases[int(rng.integers(0, len(aliases)))])
            else:
                terms.append(_UNKNOWN_PHRASES[int(rng.integers(0, len(_UNKNOWN_PHRASES)))])
        hours = int(rng.choice([10, 20, 40, 80, 160]))
        pro_bono = bool(rng.random() < 0.2)
        starts = today + datetime.timedelta(days=int(rng.integers(0, 60)))
        requests.append(
            RequestProfile(
                text=f"We run {_SECTORS[int(rng.integers(0, len(_SECTORS)))]}. "
                + _NEEDS[int(rng.integers(0, len(_NEEDS)))].format(skills=" and ".join(terms)),
                skills=tuple(terms),
                budget_max=None if pro_bono else float(hours * rng.integers(60, 160)),
                estimated_hours=hours,
                pro_bono=pro_bono,
                languages=frozenset({"es"}) if rng.random() < 0.1 else frozenset(),
                remote_ok=bool(rng.random() < 0.85),
                location=location_names[int(rng.integers(0, len(location_names)))],
                window=(
                    (starts, starts + datetime.timedelta(days=int(rng.integers(14, 90))))
                    if rng.random() < 0.5
                    else None
                ),
                organization_id=int(rng.integers(1, 2000)),
            )
        )
    return requests
