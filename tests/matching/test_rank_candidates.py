"""The ranking scores only the members with something to say for them (a covered skill, or words
in common when no skill is named) and filters only those; here it is checked against the plain
way, every factor of every member scored and sorted, on a synthetic network with its requests
(languages, places, windows, pro bono, returning clients), as written, without skills and with
thresholds that send some of them to a referral."""

import dataclasses
import datetime

import numpy as np
import pytest

import matching.rank as rank_module
from matching.index import MatchIndex
from matching.normalize import Normalizer
from matching.rank import (
    FREE_DAYS_FACTOR,
    ROTATION_OFFERS,
    Weights,
    _best_known,
    _free_days_left,
    _hard_filters,
    _mentioned_skills,
    _required_skills,
    _text_factor,
    factor_weights,
    rank,
)
from matching.synthetic import synthetic_network, synthetic_requests

TODAY = datetime.date(2026, 1, 15)
LIMIT = 10


@pytest.fixture(scope="module")
def network():
    profiles, externals, taxonomy = synthetic_network(2500, seed=7)
    index = MatchIndex.build(profiles, externals, Normalizer.from_taxonomy(taxonomy))
    requests = synthetic_requests(60, taxonomy, seed=7)
    # The same requests without named skills: ranked by their words and mentioned skills.
    requests += [dataclasses.replace(request, skills=()) for request in requests[:20]]
    # Returning clients: an organisation some member served.
    served = [int(org) for org in index.client_orgs[:10]]
    requests += [
        dataclasses.replace(request, organization_id=org)
        for request, org in zip(requests[20:30], served, strict=False)
    ]
    return index, requests


def everyone(index: MatchIndex, request, threshold: float):
    """The top ids and scores, and whether it refers out, computed over every member."""
    required = _required_skills(index, request)[0]
    mentioned = [match.skill for match in _mentioned_skills(index, request, required)]
    eligible, _reasons = _hard_filters(index, request, TODAY)
    coverage = np.zeros(index.size)
    for position in range(index.size):
        held = index.skills_of(position)
        coverage[position] = sum(held.get(skill, 0) / 5 for skill in required)
    if required:
        coverage /= len(required)
    text = _text_factor(index, request, mentioned)
    continuity = np.zeros(index.size)
    served = index.clients_of(request.organization_id)
    if served is not None:
        continuity[served] = 1.0
    needed = max(1.0, request.estimated_hours / _weeks(request)) if request.estimated_hours else 5
    if request.pro_bono:
        budget = np.where(index.pro_bono_hours > 0, 1.0, np.where(index.sliding_scale, 0.6, 0.0))
    elif request.budget_max is None or not request.estimated_hours:
        budget = np.ones(index.size)
    else:
        per_hour = request.budget_max / request.estimated_hours
        budget = np.array(
            [
                0.5
                if np.isnan(rate)
                else max(
                    min(1.0, per_hour / rate if rate > 0 else 1.0) ** 2,
                    0.6 if sliding else 0.0,
                )
                for rate, sliding in zip(index.hourly_rate, index.sliding_scale, strict=True)
            ]
        )
    values = {
        "skill_coverage": coverage,
        "text_similarity": text,
        "capacity": np.clip(index.free_hours / needed, 0, 1),
        "budget_fit": budget,
        "continuity": continuity,
        "rotation": 1 - np.minimum(index.rotation_offers, ROTATION_OFFERS) / ROTATION_OFFERS,
    }
    weight = factor_weights(Weights(), skills_named=bool(required), pro_bono=request.pro_bono)
    if FREE_DAYS_FACTOR in weight:
        values[FREE_DAYS_FACTOR] = _free_days_left(index, request)
    score = sum(weight[name] * value for name, value in values.items())
    relevant = eligible & ((coverage > 0) if required else (text > 0))
    top = sorted(np.flatnonzero(relevant).tolist(), key=lambda p: (-score[p], p))[:LIMIT]
    reached = bool(np.any(coverage[eligible] >= threshold - 1e-9))
    refers = (not reached and bool(required)) or (not required and not eligible.any())
    return [int(index.consultant_ids[p]) for p in top], [score[p] for p in top], reached, refers


def _weeks(request) -> float:
    if not request.window:
        return 8.0
    return max(1.0, ((request.window[1] - request.window[0]).days + 1) / 7)


@pytest.mark.parametrize("spaced_part", [None, 16])
@pytest.mark.parametrize("threshold", [0.5, 0.0, 0.95])
def test_the_ranking_of_the_candidates_is_the_ranking_of_everyone(
    network, threshold, spaced_part, monkeypatch
):
    index, requests = network
    if spaced_part:  # the evenly spaced first guess a pool of hundreds of thousands gets
        monkeypatch.setattr(rank_module, "SPACED_PART", spaced_part)
    referred = reached_by_nobody = 0

    for request in requests:
        result = rank(index, request, limit=LIMIT, coverage_threshold=threshold, today=TODAY)
        ids, scores, reached, refers = everyone(index, request, threshold)

        assert [candidate.consultant_id for candidate in result.candidates] == ids, request
        assert [candidate.score for candidate in result.candidates] == pytest.approx(
            scores, abs=2e-6
        )
        team_bid = "consider a team bid" in result.refer_out_reason
        assert result.refer_out or team_bid or reached or not _required_skills(index, request)[0]
        if result.refer_out or team_bid:
            assert not reached
        assert result.refer_out == (refers and not team_bid), request
        referred += result.refer_out
        reached_by_nobody += not reached

    # The thresholds do what they are here for: the highest leaves some requests unreached, and
    # a threshold of 0 is reached by anyone eligible, covering nothing or not.
    if threshold == 0.95:
        assert reached_by_nobody > 0
    if threshold == 0.0:
        assert reached_by_nobody == 0 and referred == 0


def exact_best(known: np.ndarray, sample: int) -> list[int]:
    """The plain way: the ``sample`` best values, the first in order among those tied last."""
    order = sorted(range(len(known)), key=lambda at: (-known[at], at))
    worst = known[order[sample - 1]]
    return [at for at in range(len(known)) if known[at] >= worst][:sample]


@pytest.mark.parametrize("seed", range(6))
def test_the_best_are_found_through_the_spaced_guess_as_through_a_whole_partition(
    seed, monkeypatch
):
    monkeypatch.setattr(rank_module, "SPACED_PART", 50)
    rng = np.random.default_rng(seed)
    # Coverage comes in steps and text often is 0, so many members tie.
    known = np.round(rng.random(5000) * 4) / 4 + np.where(
        rng.random(5000) < 0.5, 0, rng.random(5000)
    )

    assert _best_known(known, 30).tolist() == exact_best(known, 30)


def test_a_guess_too_few_reach_falls_back_to_the_whole_partition(monkeypatch):
    monkeypatch.setattr(rank_module, "SPACED_PART", 50)
    # Only the evenly spaced members have values: the guess (the second best of them) is
    # reached by 2 members, fewer than the sample of 30.
    known = np.zeros(5000)
    known[::100] = np.arange(1, 51)

    best = _best_known(known, 30)

    assert best.tolist() == list(range(2000, 5000, 100))  # the values 21 to 50
