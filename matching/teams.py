"""Propose small teams that together cover a request's required skills (docs/architecture.md,
"Matching" 5).

Team formation is set cover with costs, NP-hard in general (Lappas, Liu & Terzi, "Finding a team
of experts in social networks", KDD 2009). We follow the leader-based greedy of Kargar & An
("Discovering top-k teams of experts with/without a leader in social networks", CIKM 2011): for
each of the best few leader candidates, grow a team around the leader by repeatedly adding the
member with the best marginal gain, prune it, and keep the best ``k`` distinct member sets.

Marginal gain of adding member ``i`` to the team, over the required skills still uncovered::

    Σ_uncovered (COVER_GAIN + LEVEL_GAIN · level/5)  +  FIT_GAIN · fit_i
        −  COST_PENALTY · (1 − budget fit_i)  +  COLLABORATION_GAIN · [worked with a member]

``fit_i`` is the member's availability over the window, continuity with the client and fair
rotation, weighted as in ``rank.Weights``; the budget fit is ``rank``'s (rate against budget per
hour, pro bono, sliding scale). Only members who cover at least one uncovered skill may join, so
every step covers something and a team stops as soon as everything is covered.

Every member adds coverage
    A greedy step can make an earlier member redundant (A joins for WordPress, then B joins for
    WordPress and Python). After growing, a member is dropped while every required skill they
    hold is also held by someone else on the team, i.e. while removing them leaves the set of
    covered skills unchanged; repeated until no such member is left, so each remaining member
    is the only holder of at least one covered skill. Depth alone (holding a skill at a higher
    level than the others) does not earn a seat: the estimated hours are split over the members,
    so a seat costs money. Where several members are redundant at once, the one whose removal
    lowers depth (the best level per skill) least goes first, then the higher rate (unknown
    rates first), then the higher id. Teams are told apart only after pruning.

Seeded teams (a bid's lead and members)
    ``seed`` lists members who are on the team already, the lead first. Every proposal starts
    from them and they are never pruned, even when they add nothing; the greedy adds only
    members covering what the seed lacks, and the proposals differ by who joins first. A seed
    that already covers every skill an available member holds (or fills every seat) gives one
    proposal, the current team, saying so. A seed member who fails a hard filter (not working,
    away for the whole window, wrong language or location, no free hours) is set aside: not
    counted in the team, named in ``Team.set_aside`` with the reason, so the proposals show who
    would cover their skills instead.

Order and score
    Teams covering the most skills come first, then the cheapest; each team is scored and
    explained in ``matching.team_scoring``.

The hard filters are ``rank``'s, applied once as masks. The gain is computed for all candidates
at once with numpy over a dense (candidates × required skills) matrix of level weights, taken
from the index's CSC columns. The candidates are pruned first to the best ``POOL_PER_SKILL``
holders of each required skill, the best ``POOL_PER_SKILL`` by total initial gain, the eligible
seed members, and their collaborators who hold a required skill: the greedy would only ever pick
from near the top, and pruning keeps a 100,000-member network's query at a few hundred rows.
"""

from __future__ import annotations

import datetime
import math
import weakref
from collections.abc import Iterable, Sequence

import numpy as np

from matching.index import MatchIndex
from matching.messages import _, gettext_noop, ngettext, pgettext
from matching.rank import (
    ROTATION_OFFERS,
    Weights,
    _budget_fit,
    _capacity,
    _hard_filters,
    _required_skills,
)
from matching.team_scoring import SetAside, Team, TeamMember, build_team, order
from matching.types import RequestProfile

__all__ = ["SetAside", "Team", "TeamMember", "propose_teams"]

# Marginal-gain weights. Covering a skill dominates (a new skill is worth at least COVER_GAIN,
# more than any fit or cost difference can make up), then the level it is covered at, then the
# member's fit, cost against the budget, and having worked with someone already on the team.
COVER_GAIN = 1.0
LEVEL_GAIN = 1.0
FIT_GAIN = 0.5
COST_PENALTY = 0.5
COLLABORATION_GAIN = 0.3
# Leaders tried per team asked for, and the candidates kept per required skill. When pruning
# leaves fewer than ``k`` distinct teams, up to EXTRA_STARTS times as many leaders are tried.
LEADERS_PER_TEAM = 3
EXTRA_STARTS = 2
POOL_PER_SKILL = 40
# Why a seed member fails the hard filters, in ``rank._hard_filters``'s order of reasons (in
# English; translated when a proposal is written, see ``matching.messages``). A member who is not
# working is named with their status instead (``NOT_WORKING``).
SET_ASIDE_REASONS = {
    "not active": gettext_noop("not working"),
    "away": gettext_noop("away for the request's whole window"),
    "wrong language": gettext_noop("does not speak a language the request requires"),
    "wrong location": gettext_noop("not in the request's location"),
    "full": gettext_noop("no free hours"),
}
NOT_WORKING = gettext_noop("not working (%(status)s)")
# Collaboration histories turned into index positions, per index, for the last few histories:
# the adapter passes the same frozenset for every request of a network version, and turning
# 10,000 id pairs into positions costs more than the rest of a query.
_PAIR_CACHE: weakref.WeakKeyDictionary[MatchIndex, dict[frozenset, np.ndarray]] = (
    weakref.WeakKeyDictionary()
)
_PAIR_CACHE_SIZE = 4


def propose_teams(
    index: MatchIndex,
    request: RequestProfile,
    *,
    k: int = 5,
    max_size: int = 5,
    collaborations: frozenset[tuple[int, int]] = frozenset(),
    today: datetime.date | None = None,
    weights: Weights | None = None,
    seed: Sequence[int] = (),
) -> list[Team]:
    """Up to ``k`` distinct teams of at most ``max_size`` members for ``request``, best first.

    ``collaborations`` holds consultant id pairs who have worked together (order-free). A
    required skill no available member holds is reported missing in every team; when every
    skill has an available holder and there are no more skills than ``max_size``, every team
    covers them all, and whenever one team found covers more, the teams covering less are
    dropped. Every member adds a covered skill nobody else on the team holds (seed members
    excepted). ``weights`` (``rank``'s) set the mix of availability, continuity and rotation in a
    member's fit. ``seed``: consultant ids on the team already, the lead first; every team
    starts from those who pass the hard filters, and the others are reported in
    ``Team.set_aside``. Ties are broken by the members' ids, so the same input gives the same
    answer. No required skill recognised, or nobody available holding one (and no seed): no
    teams.
    """
    if max_size < 1:
        raise ValueError("max_size must be at least 1.")
    if k < 1:
        return []
    today = today or datetime.date.today()  # noqa: DTZ011 -- pure engine; adapter passes today
    weights = (weights or Weights()).normalised()
    required, _matches, unknown = _required_skills(index, request)
    if not required:
        return []
    eligible, reasons = _hard_filters(index, request, today)
    seed_positions, set_aside = _seed(index, seed, eligible, reasons)
    collaborations = frozenset(collaborations)  # a no-op for a frozenset; hashable for the cache

    fit_all = _member_fit(index, request, weights)
    cost_all = 1.0 - _budget_fit(index, request)
    pool, level_weights, collaborators = _candidate_pool(
        index, required, eligible, fit_all, cost_all, collaborations, seed_positions
    )
    if not len(pool):
        return []
    fit, cost = fit_all[pool], cost_all[pool]
    rate = index.hourly_rate[pool]
    holds = level_weights > 0
    coverable = holds.any(axis=0)
    seed_rows = np.searchsorted(pool, seed_positions).tolist()

    notes: list[str] = []
    if seed_rows:
        lacking = coverable & ~holds[seed_rows].any(axis=0)
        if not lacking.any():
            notes.append(
                _("The current team already covers every required skill: nobody needs to join.")
                if coverable.all()
                else _(
                    "The current team already covers every required skill an available member "
                    "holds: nobody needs to join."
                )
            )
        elif len(seed_rows) >= max_size:
            notes.append(
                ngettext(
                    "The current team has %(count)s members, as many as a team may have: "
                    "nobody can join.",
                    "The current team has %(count)s members, as many as a team may have: "
                    "nobody can join.",
                    len(seed_rows),
                )
                % {"count": len(seed_rows)}
            )
        attempts = [seed_rows]
        if not notes:
            starts = _seed_starts(seed_rows, lacking, level_weights, holds, fit, cost, pool)
            attempts += [[*seed_rows, row] for row in starts[: EXTRA_STARTS * LEADERS_PER_TEAM * k]]
    else:
        leader_value = (
            level_weights.sum(axis=1) / len(required) * (0.5 + 0.5 * fit) * (1.0 - 0.5 * cost)
        )
        leaders = np.lexsort((pool, -leader_value))
        attempts = [[leader] for leader in leaders[: EXTRA_STARTS * LEADERS_PER_TEAM * k].tolist()]

    seen: set[tuple[int, ...]] = set()
    chosen: list[list[int]] = []
    for attempt, start in enumerate(attempts):
        if attempt >= LEADERS_PER_TEAM * k and len(chosen) >= k:
            break  # the extra starts only make up for teams that pruned into the same set
        members = _grow(start, level_weights, holds, fit, cost, collaborators, max_size)
        members = _prune(members, level_weights, rate, protected=len(seed_rows))
        key = tuple(sorted(members))
        if key not in seen:
            seen.add(key)
            chosen.append(members)

    teams = [
        build_team(
            index,
            request,
            required,
            unknown,
            pool,
            level_weights,
            coverable,
            fit,
            members,
            collaborators,
            seeded=len(seed_rows),
            set_aside=set_aside,
            notes=notes,
        )
        for members in chosen
    ]
    # Coverage must be complete where any team can be: a leader who cannot reach the best
    # coverage found (more skills than seats) does not get a team.
    best_coverage = max(len(team.covered_skills) for team in teams)
    teams = [team for team in teams if len(team.covered_skills) == best_coverage]
    teams.sort(key=order)
    return teams[:k]


def _seed(
    index: MatchIndex,
    seed: Sequence[int],
    eligible: np.ndarray,
    reasons: dict[str, np.ndarray],
) -> tuple[np.ndarray, tuple[SetAside, ...]]:
    """The seed's index positions that pass the hard filters (in the seed's order, each once),
    and the others with why they are set aside."""
    ids = list(dict.fromkeys(int(consultant_id) for consultant_id in seed))
    if not ids:
        return np.empty(0, dtype=np.int64), ()
    found = np.searchsorted(index.consultant_ids, ids)
    kept, set_aside = [], []
    for consultant_id, position in zip(ids, found.tolist(), strict=True):
        if position >= index.size or int(index.consultant_ids[position]) != consultant_id:
            set_aside.append(SetAside(consultant_id, "", _("not a working member")))
        elif eligible[position]:
            kept.append(position)
        else:
            why = [
                _status_reason(index.status_of(position)) if key == "not active" else _(text)
                for key, text in SET_ASIDE_REASONS.items()
                if reasons[key][position]
            ]
            set_aside.append(SetAside(consultant_id, index.name_of(position), ", ".join(why)))
    return np.asarray(kept, dtype=np.int64), tuple(set_aside)


def _status_reason(status: str) -> str:
    """Why a member who is not working is set aside, naming their status: "not working (on
    leave)"."""
    # The member statuses (network's ``Consultant.Status`` values), in the reader's language.
    names = {
        "applicant": pgettext("member status", "applicant"),
        "probation": pgettext("member status", "probation"),
        "active": pgettext("member status", "active"),
        "on_leave": pgettext("member status", "on leave"),
        "alumni": pgettext("member status", "alumni"),
        "former": pgettext("member status", "former"),
    }
    return _(NOT_WORKING) % {"status": names.get(status) or status.replace("_", " ")}


def _seed_starts(
    seed_rows: list[int],
    lacking: np.ndarray,
    level_weights: np.ndarray,
    holds: np.ndarray,
    fit: np.ndarray,
    cost: np.ndarray,
    pool: np.ndarray,
) -> list[int]:
    """Pool rows who cover something the seed lacks, best first (value over what is lacking,
    then id): each in turn joins first, so that the seeded proposals differ."""
    if not lacking.any():
        return []
    value = level_weights[:, lacking].sum(axis=1) * (0.5 + 0.5 * fit) * (1.0 - 0.5 * cost)
    useful = holds[:, lacking].any(axis=1)
    useful[seed_rows] = False
    order = np.lexsort((pool, -value))
    return [row for row in order.tolist() if useful[row]]


def _member_fit(index: MatchIndex, request: RequestProfile, weights: Weights) -> np.ndarray:
    """Availability over the window, continuity and rotation, by their ``rank`` weights."""
    continuity = np.zeros(index.size)
    served = None if request.organization_id is None else index.clients_of(request.organization_id)
    if served is not None:
        continuity[served] = 1.0
    rotation = 1.0 - np.minimum(index.rotation_offers, ROTATION_OFFERS) / ROTATION_OFFERS
    total = weights.capacity + weights.continuity + weights.rotation
    if total <= 0:
        return np.ones(index.size)
    return (
        weights.capacity * _capacity(index, request)
        + weights.continuity * continuity
        + weights.rotation * rotation
    ) / total


def _candidate_pool(
    index: MatchIndex,
    required: list[str],
    eligible: np.ndarray,
    fit: np.ndarray,
    cost: np.ndarray,
    collaborations: frozenset[tuple[int, int]],
    seed_positions: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Positions worth considering (ascending; the seed's always among them), their level
    weights per required skill (dense, candidates × skills) and who among them has worked with
    whom (bool matrix, or None without collaborations)."""
    base = FIT_GAIN * fit - COST_PENALTY * cost
    total = np.zeros(index.size)
    columns = []
    picks = []
    for skill in required:
        positions, level = index.skill_weight_column(skill)
        keep = eligible[positions]
        positions, level = positions[keep], level[keep]
        columns.append((positions, level))
        gain = COVER_GAIN + LEVEL_GAIN * level
        total[positions] += gain
        picks.append(_best(positions, gain + base[positions]))
    holders = np.flatnonzero(total)
    picks.append(_best(holders, total[holders] + base[holders]))
    picks.append(seed_positions)
    pool = np.unique(np.concatenate(picks))

    pairs = _cached_pair_positions(index, collaborations)
    if len(pairs) and len(pool):
        # Collaborators of a pool member who hold a required skill join the pool, so that the
        # collaboration bonus can pick them even when they rank just below the cut.
        in_pool = np.zeros(index.size, dtype=bool)
        in_pool[pool] = True
        one, other = pairs[:, 0], pairs[:, 1]
        extra = np.concatenate(
            [other[in_pool[one] & (total[other] > 0)], one[in_pool[other] & (total[one] > 0)]]
        )
        if len(extra):
            pool = np.unique(np.concatenate([pool, extra]))

    local = np.full(index.size, -1, dtype=np.int64)
    local[pool] = np.arange(len(pool))
    level_weights = np.zeros((len(pool), len(required)))
    for column, (positions, level) in enumerate(columns):
        rows = local[positions]
        inside = rows >= 0
        level_weights[rows[inside], column] = level[inside]

    collaborators = None
    if len(pairs) and len(pool):
        a, b = local[pairs[:, 0]], local[pairs[:, 1]]
        both = (a >= 0) & (b >= 0) & (a != b)
        if both.any():
            collaborators = np.zeros((len(pool), len(pool)), dtype=bool)
            collaborators[a[both], b[both]] = True
            collaborators[b[both], a[both]] = True
    return pool, level_weights, collaborators


def _best(positions: np.ndarray, value: np.ndarray) -> np.ndarray:
    """The ``POOL_PER_SKILL`` positions of highest ``value`` (all of them when fewer)."""
    if len(positions) <= POOL_PER_SKILL:
        return positions.astype(np.int64)
    top = np.argpartition(-value, POOL_PER_SKILL - 1)[:POOL_PER_SKILL]
    return positions[top].astype(np.int64)


def _cached_pair_positions(index: MatchIndex, collaborations: frozenset) -> np.ndarray:
    if not collaborations:
        return np.empty((0, 2), dtype=np.int64)
    cached = _PAIR_CACHE.setdefault(index, {})
    pairs = cached.get(collaborations)
    if pairs is None:
        if len(cached) >= _PAIR_CACHE_SIZE:
            cached.pop(next(iter(cached)))
        pairs = cached[collaborations] = _pair_positions(index, collaborations)
    return pairs


def _pair_positions(index: MatchIndex, collaborations: Iterable[tuple[int, int]]) -> np.ndarray:
    """Collaboration id pairs as index positions (m × 2), dropping ids not in the index."""
    flat = np.fromiter((cid for pair in collaborations for cid in pair), dtype=np.int64)
    if not len(flat) or not index.size:
        return np.empty((0, 2), dtype=np.int64)
    pairs = flat.reshape(-1, 2)
    positions = np.searchsorted(index.consultant_ids, pairs)
    positions = np.minimum(positions, index.size - 1)
    known = (index.consultant_ids[positions] == pairs).all(axis=1)
    return positions[known]


def _grow(
    start: list[int],
    level_weights: np.ndarray,
    holds: np.ndarray,
    fit: np.ndarray,
    cost: np.ndarray,
    collaborators: np.ndarray | None,
    max_size: int,
) -> list[int]:
    """Greedy cover from ``start`` (pool rows: a leader, or the seed and maybe a first joiner):
    add the best marginal gain until every coverable skill is covered or the team is full."""
    members = list(start)
    in_team = np.zeros(len(fit), dtype=bool)
    in_team[members] = True
    uncovered = ~holds[members].any(axis=0) & holds.any(axis=0)
    static = FIT_GAIN * fit - COST_PENALTY * cost
    worked_with = (
        collaborators[members].any(axis=0)
        if collaborators is not None
        else np.zeros(len(fit), bool)
    )
    while uncovered.any() and len(members) < max_size:
        new = holds[:, uncovered].sum(axis=1)
        gain = (
            COVER_GAIN * new
            + LEVEL_GAIN * level_weights[:, uncovered].sum(axis=1)
            + static
            + COLLABORATION_GAIN * worked_with
        )
        valid = (new > 0) & ~in_team
        # More skills left than seats: only members covering enough at once can still complete
        # the team (when none can, take the best anyone can do).
        needed = int(uncovered.sum()) - (max_size - len(members)) + 1
        if needed > 1 and (valid & (new >= needed)).any():
            valid &= new >= needed
        if not valid.any():
            break
        best = int(np.argmax(np.where(valid, gain, -np.inf)))  # first maximum: lowest id
        members.append(best)
        in_team[best] = True
        uncovered &= ~holds[best]
        if collaborators is not None:
            worked_with |= collaborators[best]
    return members


def _prune(
    members: list[int], level_weights: np.ndarray, rate: np.ndarray, *, protected: int
) -> list[int]:
    """Drop members (after the first ``protected``, the seed) while one holds no covered skill
    that nobody else on the team holds; of several, the one whose removal lowers depth least,
    then the higher rate (unknown first), then the higher id (pool rows ascend with ids)."""
    members = list(members)
    while len(members) > protected:
        levels = level_weights[members]
        held = levels > 0
        alone = held & (held.sum(axis=0) == 1)
        redundant = [slot for slot in range(protected, len(members)) if not alone[slot].any()]
        if not redundant:
            break
        if len(redundant) == 1:
            members.pop(redundant[0])
            continue
        best = levels.max(axis=0)

        def cost_of_dropping(slot: int, levels=levels, best=best) -> tuple[float, float, int]:
            rest = np.delete(levels, slot, axis=0)
            loss = float((best - rest.max(axis=0)).sum())
            member_rate = rate[members[slot]]
            dearer = -math.inf if math.isnan(member_rate) else -float(member_rate)
            return (round(loss, 9), dearer, -members[slot])

        members.pop(min(redundant, key=cost_of_dropping))
    return members
