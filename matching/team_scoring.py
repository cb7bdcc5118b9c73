"""A proposed team's members, score and explanation (``matching.teams`` finds the members).

Given the members the search chose, :func:`build_team` credits each covered skill to its best
holder, works out the planned blended rate and the estimated cost, and scores the team in
[0, 1]: the weighted sum of coverage, depth (the best level per required skill), the members'
fit, the estimated cost against the budget and cohesion (collaboration edges against the
size − 1 a connected team needs). It also writes the explanation, line by line.

Order
    Teams covering the most skills come first; among equal coverage the cheapest (lowest
    planned blended rate, so lowest estimated cost; unknown rates last), then the higher score,
    then the members' ids (:func:`order`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from matching.index import MatchIndex
from matching.messages import _, ngettext, number, pgettext
from matching.types import RequestProfile

# Team score weights (they sum to 1, so scores stay in [0, 1]): complete coverage matters most,
# then depth (the best level per required skill), the members' fit, the blended rate against the
# budget, and cohesion (collaboration edges against the size − 1 a connected team needs).
SCORE_COVERAGE = 0.50
SCORE_DEPTH = 0.15
SCORE_FIT = 0.15
SCORE_COST = 0.12
SCORE_COHESION = 0.08
# Cost fit of a team none of whose members states a rate.
UNKNOWN_RATE_FIT = 0.5


@dataclass(frozen=True)
class TeamMember:
    consultant_id: int
    name: str
    covers: tuple[str, ...]  # the required skills this member is the team's best holder of
    level_by_skill: dict[str, int]  # every required skill the member holds → level 1..5
    hourly_rate: float | None
    free_hours: float  # hours a week on offer minus hours committed
    adds: tuple[str, ...] = ()  # the covered skills nobody else on the team holds
    seeded: bool = False  # on the team already (the ``seed``), never pruned


@dataclass(frozen=True)
class SetAside:
    """A seed member left out of the proposals because they fail a hard filter."""

    consultant_id: int
    name: str  # empty when the index does not hold them (not a working member)
    reason: str


@dataclass(frozen=True)
class Team:
    members: tuple[TeamMember, ...]  # the leader first, then in the order they joined
    leader_id: int
    covered_skills: list[str]
    missing_skills: list[str]
    coverage: float  # share of the required skills covered, in [0, 1]
    fit: float  # mean member fit (availability, continuity, rotation), in [0, 1]
    planned_blended_rate: float | None
    estimated_cost: float | None
    collaboration_pairs: int
    score: float
    explanation: list[str]
    set_aside: tuple[SetAside, ...] = ()  # seed members not counted, with why
    # What the proposal says about the seed, without money: the current team already covers
    # everything, or has no seat left. Also in ``explanation``.
    notes: tuple[str, ...] = ()


def order(team: Team) -> tuple:
    """Most skills covered first; then the cheapest (unknown rates last), the best score, ids."""
    rate = team.planned_blended_rate
    cheapest = (0, rate) if rate is not None else (1, 0.0)
    return (
        -len(team.covered_skills),
        cheapest,
        -team.score,
        sorted(m.consultant_id for m in team.members),
    )


def build_team(
    index: MatchIndex,
    request: RequestProfile,
    required: list[str],
    unknown: list[str],
    pool: np.ndarray,
    level_weights: np.ndarray,
    coverable: np.ndarray,
    fit: np.ndarray,
    members: list[int],
    collaborators: np.ndarray | None,
    *,
    seeded: int,
    set_aside: tuple[SetAside, ...],
    notes: list[str],
) -> Team:
    rows = level_weights[members]
    # Each covered skill is credited to its best holder (the earlier member on a tie).
    best_holder = np.argmax(rows, axis=0)
    covered_mask = rows.max(axis=0) > 0
    only_holder = (rows > 0) & ((rows > 0).sum(axis=0) == 1)
    covered = [skill for skill, yes in zip(required, covered_mask.tolist(), strict=True) if yes]
    missing = [skill for skill in required if skill not in covered]
    coverage = len(covered) / len(required)
    depth = float(rows.max(axis=0).sum()) / len(required)
    team_fit = float(fit[members].mean())

    team_members = []
    for slot, row in enumerate(members):
        position = int(pool[row])
        held = index.skills_of(position)
        rate = index.hourly_rate[position]
        team_members.append(
            TeamMember(
                consultant_id=int(index.consultant_ids[position]),
                name=index.name_of(position),
                covers=tuple(
                    skill
                    for column, skill in enumerate(required)
                    if covered_mask[column] and best_holder[column] == slot
                ),
                level_by_skill={skill: held[skill] for skill in required if held.get(skill)},
                hourly_rate=None if math.isnan(rate) else float(rate),
                free_hours=float(index.free_hours[position]),
                adds=tuple(
                    skill for column, skill in enumerate(required) if only_holder[slot, column]
                ),
                seeded=slot < seeded,
            )
        )

    # Planned blended rate: the estimated hours split evenly over the members, so the blend is
    # the plain mean of the stated rates (members without a rate are left out of the mean).
    rates = [m.hourly_rate for m in team_members if m.hourly_rate is not None]
    mean_rate = sum(rates) / len(rates) if rates else None
    blended = round(mean_rate, 2) if mean_rate is not None else None
    estimated_cost = (
        round(mean_rate * request.estimated_hours, 2)
        if mean_rate is not None and request.estimated_hours
        else None
    )
    cost_fit = _team_cost_fit(request, blended, estimated_cost)

    pairs = []
    if collaborators is not None:
        for i, first in enumerate(members):
            for second in members[i + 1 :]:
                if collaborators[first, second]:
                    pairs.append((team_members[i], team_members[members.index(second)]))
    cohesion = 1.0 if len(members) == 1 else min(1.0, len(pairs) / (len(members) - 1))

    score = (
        SCORE_COVERAGE * coverage
        + SCORE_DEPTH * depth
        + SCORE_FIT * team_fit
        + SCORE_COST * cost_fit
        + SCORE_COHESION * cohesion
    )
    explanation = _explain(
        request, team_members, required, missing, coverable, unknown, blended, estimated_cost, pairs
    )
    explanation[len(team_members) : len(team_members)] = [
        *(_set_aside_line(item) for item in set_aside),
        *notes,
    ]
    return Team(
        members=tuple(team_members),
        leader_id=team_members[0].consultant_id,
        covered_skills=covered,
        missing_skills=missing,
        coverage=round(coverage, 6),
        fit=round(team_fit, 6),
        planned_blended_rate=blended,
        estimated_cost=estimated_cost,
        collaboration_pairs=len(pairs),
        score=round(score, 6),
        explanation=explanation,
        set_aside=set_aside,
        notes=tuple(notes),
    )


def _set_aside_line(item: SetAside) -> str:
    if not item.name:
        return _(
            "Consultant %(id)s is on the team but not counted in this proposal: %(reason)s."
        ) % {"id": item.consultant_id, "reason": item.reason}
    return _("%(name)s is on the team but not counted in this proposal: %(reason)s.") % {
        "name": item.name,
        "reason": item.reason,
    }


def _team_cost_fit(
    request: RequestProfile, blended: float | None, estimated_cost: float | None
) -> float:
    """1 when the estimated cost fits the budget, falling as (budget / cost)² above it."""
    if request.budget_max is None or not request.estimated_hours:
        return 1.0
    if blended is None or estimated_cost is None:
        return UNKNOWN_RATE_FIT
    if estimated_cost <= 0:
        return 1.0
    return min(1.0, float(request.budget_max) / estimated_cost) ** 2


# What a member adds: the covered skills nobody else on the team holds (a subset of those they
# are the best holder of). Only a seed member may add nothing. One whole sentence per case, with
# the member's rate and without, so that each reads naturally once translated.


def _member_line(member: TeamMember) -> str:
    if not member.covers:
        return _(
            "%(role)s: %(name)s covers no skill better than the others; adds no skill the others "
            "lack; $%(rate)s/h, %(hours)s h/week free."
        )
    if not member.adds:
        return _(
            "%(role)s: %(name)s covers %(skills)s; adds no skill the others lack; $%(rate)s/h, "
            "%(hours)s h/week free."
        )
    if member.adds == member.covers:
        return _(
            "%(role)s: %(name)s covers %(skills)s, held by nobody else on the team; $%(rate)s/h, "
            "%(hours)s h/week free."
        )
    return _(
        "%(role)s: %(name)s covers %(skills)s; only they hold %(only)s; $%(rate)s/h, "
        "%(hours)s h/week free."
    )


def _member_line_without_rate(member: TeamMember) -> str:
    if not member.covers:
        return _(
            "%(role)s: %(name)s covers no skill better than the others; adds no skill the others "
            "lack; no rate, %(hours)s h/week free."
        )
    if not member.adds:
        return _(
            "%(role)s: %(name)s covers %(skills)s; adds no skill the others lack; no rate, "
            "%(hours)s h/week free."
        )
    if member.adds == member.covers:
        return _(
            "%(role)s: %(name)s covers %(skills)s, held by nobody else on the team; no rate, "
            "%(hours)s h/week free."
        )
    return _(
        "%(role)s: %(name)s covers %(skills)s; only they hold %(only)s; no rate, "
        "%(hours)s h/week free."
    )


def _explain(
    request: RequestProfile,
    members: list[TeamMember],
    required: list[str],
    missing: list[str],
    coverable: np.ndarray,
    unknown: list[str],
    blended: float | None,
    estimated_cost: float | None,
    pairs: list[tuple[TeamMember, TeamMember]],
) -> list[str]:
    lines = []
    for slot, member in enumerate(members):
        if member.seeded:
            role = (
                pgettext("team role", "Leads (on the team already)")
                if slot == 0
                else pgettext("team role", "On the team already")
            )
        else:
            role = pgettext("team role", "Leads") if slot == 0 else pgettext("team role", "Joins")
        values = {
            "role": role,
            "name": member.name,
            "skills": ", ".join(
                _("%(skill)s (level %(level)s)")
                % {"skill": skill, "level": member.level_by_skill[skill]}
                for skill in member.covers
            ),
            "only": ", ".join(member.adds),
            "hours": number(member.free_hours),
        }
        if member.hourly_rate is None:
            line = _member_line_without_rate(member)
        else:
            line = _member_line(member)
            values["rate"] = number(member.hourly_rate, 0, grouping=True)
        lines.append(line % values)
    for skill in missing:
        held = coverable[required.index(skill)]
        lines.append(
            ngettext(
                "%(skill)s: not covered (too many skills for %(count)s members).",
                "%(skill)s: not covered (too many skills for %(count)s members).",
                len(members),
            )
            % {"skill": skill, "count": len(members)}
            if held
            else _("%(skill)s: no available member holds it.") % {"skill": skill}
        )
    if unknown:
        lines.append(_("Not recognised as skills: %(terms)s.") % {"terms": ", ".join(unknown)})
    if blended is None:
        lines.append(_("Planned blended rate unknown: no member states a rate."))
    elif request.estimated_hours:
        lines.append(
            _("Planned blended rate $%(rate)s/h (%(hours)s h split evenly, %(share)s h each).")
            % {
                "rate": number(blended, 2, grouping=True),
                "hours": request.estimated_hours,
                "share": number(request.estimated_hours / len(members), 1),
            }
        )
    else:
        lines.append(
            _("Planned blended rate $%(rate)s/h.") % {"rate": number(blended, 2, grouping=True)}
        )
    if estimated_cost is not None:
        if request.budget_max is not None:
            lines.append(
                _("Estimated cost $%(cost)s against a budget of $%(budget)s.")
                % {
                    "cost": number(estimated_cost, 2, grouping=True),
                    "budget": number(request.budget_max, 2, grouping=True),
                }
            )
        else:
            lines.append(
                _("Estimated cost $%(cost)s.") % {"cost": number(estimated_cost, 2, grouping=True)}
            )
    for first, second in pairs:
        lines.append(
            _("%(first)s and %(second)s have worked together before.")
            % {"first": first.name, "second": second.name}
        )
    return lines
