"""Rank the network's consultants for one request, explain why, or refer out.

``rank`` follows docs/architecture.md, "Matching", steps 1-4:

1. the required skills: the named terms, normalized (unknown ones are reported, never
   dropped), then the skills a coordinator confirmed. Skills the normalizer finds in the
   request's text are only *mentioned* (suggestions for the coordinator to confirm or dismiss):
   they add to the text factor, never to coverage;
2. hard filters as numpy masks over every member (status, time away, languages, location,
   capacity left);
3. a score in [0, 1]: the weighted sum of six factors, each in [0, 1], each reported; a pro
   bono request has a seventh, the pledged free service days a member has left this year;
4. refer out when there are required skills and no eligible member reaches the coverage
   threshold on them, nor do the eligible members together (the best level among them for
   each skill: a team bid could do the work), or when nobody is eligible at all; saying why and
   which required skills no working member holds, with the outside professionals ranked by the
   same coverage. Mentioned skills never cause a referral.

Only the eligible members with something to say for them (a covered skill, or words in common
when no skill is named) are scored, and of those only the ones who could still make the top
``limit`` are scored in full (``_within_reach``); only the top ``limit`` get explanations. So a
request costs two sparse products and a few passes over columns of the network, then array work
over its candidates.

The arrays of a large network are megabytes each and live for one request: the process keeps
the memory it frees for them (``network.allocator``), else mapping them afresh costs as much as
the ranking itself.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import asdict, dataclass

import numpy as np

from matching.index import MatchIndex
from matching.messages import _, gettext_noop, ngettext, number
from matching.types import (
    Candidate,
    ExternalCandidate,
    MatchResult,
    RequestProfile,
    SkillMatch,
)
from network.text_rules import fold

# Offers in the last 90 days at which the rotation factor reaches 0. Small on purpose: with the
# default weight 0.1 one recent offer costs a member 0.025, enough to pass the next equally good
# request to a colleague, never enough to beat a clearly better fit.
ROTATION_OFFERS = 4
# The weekly hours assumed when a request has no estimate, and the length of an engagement
# without a window, used to turn estimated hours into hours a week.
DEFAULT_NEED_HOURS_PER_WEEK = 5.0
DEFAULT_ENGAGEMENT_WEEKS = 8.0
# Budget fit of a sliding-scale member whose rate is above the budget, and of a pro bono
# request with a member who offers a sliding scale but no pro bono hours.
SLIDING_SCALE_FIT = 0.6
# Free service days: a pro bono request with no estimate is taken to need this many days, and
# an estimate counts as this many hours a day. A member with as many pledged days left as the
# request needs scores the whole factor (docs/architecture.md, "Free service days").
DEFAULT_FREE_DAYS_NEEDED = 5.0
HOURS_PER_DAY = 8.0
EXTERNALS_SHOWN = 5
# Members left unscored only when more than this many times the limit are relevant: below it
# the floor costs more than it saves (``_within_reach``).
PRUNE_ABOVE = 20
# Holders looked at first when asking whether anyone working holds a skill.
FIRST_HOLDERS = 1024
# How many times the limit of the best on coverage and text are scored to set the floor: a few
# more than the limit give a higher floor, so fewer candidates are left to score.
PRUNE_SAMPLE = 3
# A pool larger than four times this many has the sample's worst value guessed from this many
# evenly spaced members first, aiming at SPACED_MARGIN times the sample (``_best_known``).
SPACED_PART = 65536
SPACED_MARGIN = 4
# Up to this many places matching a request's city are compared one by one; more are looked up
# (at a million members a comparison takes 0.09 ms a place, the look-up 1.4 ms).
FEW_PLACES = 8
# The share of the text factor given to the mentioned skills a member holds, when the text
# mentions some; the rest is the TF-IDF cosine. Both parts are in [0, 1], so the factor is too.
MENTIONED_SHARE = 0.5
# English here; ``rank`` translates it (``matching.messages``) when it writes the reason.
NO_SKILLS_CONFIRMED = gettext_noop(
    "No skills confirmed yet: confirm the suggestions or name skills; members ranked by the "
    "request's words and mentioned skills."
)


# The factor only a pro bono request has (see ``Weights`` and ``factor_weights``).
FREE_DAYS_FACTOR = "free_days_left"


@dataclass(frozen=True)
class Weights:
    """The weight of each factor in the score; the six every request has sum to 1 by default,
    so scores stay in [0, 1].

    ``free_days_left`` weighs the seventh factor, which only a pro bono request has: there the
    seven are scaled down together to sum to 1 (``factor_weights``); a paid request's six keep
    their weights, so its ranking does not depend on pledges at all.

    The adapter fills these from settings; weights whose six do not sum to 1 are normalised
    (the free days' weight with them, so the proportion stays).
    """

    skill_coverage: float = 0.45
    text_similarity: float = 0.15
    capacity: float = 0.10
    budget_fit: float = 0.10
    continuity: float = 0.10
    rotation: float = 0.10
    free_days_left: float = 0.10

    def normalised(self) -> Weights:
        values = asdict(self)
        total = sum(value for name, value in values.items() if name != FREE_DAYS_FACTOR)
        if total <= 0:
            return Weights()
        if abs(total - 1.0) < 1e-9:
            return self
        return Weights(**{name: value / total for name, value in values.items()})


def factor_weights(weights: Weights, *, skills_named: bool, pro_bono: bool) -> dict[str, float]:
    """The most each factor adds to a request's score, by name (they sum to 1).

    Without required skills the text carries the coverage's weight; a pro bono request adds
    the free days factor and scales all seven down to sum to 1; a paid one has no such factor.
    """
    weights = weights.normalised()
    answer = {name: value for name, value in asdict(weights).items() if name != FREE_DAYS_FACTOR}
    if not skills_named:
        answer["text_similarity"] += answer["skill_coverage"]
        answer["skill_coverage"] = 0.0
    if pro_bono and weights.free_days_left > 0:
        share = 1.0 / (1.0 + weights.free_days_left)
        answer = {name: value * share for name, value in answer.items()}
        answer[FREE_DAYS_FACTOR] = weights.free_days_left * share
    return answer


def rank(
    index: MatchIndex,
    request: RequestProfile,
    *,
    weights: Weights | None = None,
    limit: int = 10,
    coverage_threshold: float = 0.5,
    today: datetime.date | None = None,
) -> MatchResult:
    """The best ``limit`` consultants for ``request``, or a referral when nobody fits.

    Ties are broken by consultant id (ascending), so the same index and request always give
    the same answer. ``today`` (the adapter passes ``timezone.localdate()``) is the day checked
    for time away when the request has no window.
    """
    weights = (weights or Weights()).normalised()
    today = today or datetime.date.today()  # noqa: DTZ011 -- pure engine; adapter passes today
    required, normalized, unknown = _required_skills(index, request)
    mentioned = _mentioned_skills(index, request, required)

    coverage = _skill_coverage(index, required)
    text = _text_factor(index, request, [match.skill for match in mentioned])
    # Nothing to cover: the text carries the weight the skills would have had. A pro bono
    # request adds the free days factor (``factor_weights``).
    weight = factor_weights(weights, skills_named=bool(required), pro_bono=request.pro_bono)
    # Only eligible consultants with something to say for them: a covered skill, or words in
    # common when the request names no skill. The hard filters are passes over the index's
    # columns, cheaper than gathering the candidates' values; the other factors are computed for
    # the candidates alone (in position order, so a tie on score is still broken by id), and
    # only for those who could still make the top: in a large network most members are neither.
    eligible, reasons = _hard_filters(index, request, today)
    pool = np.flatnonzero(((coverage > 0) if required else (text > 0)) & eligible)
    scored = _within_reach(index, request, pool, coverage, text, weight, limit)
    factors = _factors(index, request, scored, coverage, text, weight)
    score = sum(factors.values())

    candidates = [
        _candidate(index, scored, at, score, factors, required)
        for at in _top(score, scored, limit).tolist()
    ]

    unheld = _unheld_skills(index, required)
    refer_out, reason, external = False, "", []
    if required:
        reached = bool(np.any(coverage[scored] >= coverage_threshold - 1e-9))
        if not reached:  # perhaps someone left unscored, or anyone at all for a threshold of 0
            reached = bool(np.any(coverage[eligible] >= coverage_threshold - 1e-9))
        if not reached:
            together = _team_coverage(index, required, eligible)
            if together >= coverage_threshold - 1e-9:
                reason = _(
                    "No single member covers %(threshold)s of the confirmed skills; the "
                    "available members together cover %(together)s: consider a team bid."
                ) % {"threshold": _percent(coverage_threshold), "together": _percent(together)}
            else:
                refer_out = True
                reason = _refer_out_reason(
                    index, required, unheld, eligible, reasons, coverage_threshold
                )
                external = _rank_externals(index, required)
    elif not len(scored) and (nobody := _nobody_eligible(eligible, reasons)):
        refer_out, reason = True, nobody
    elif mentioned:
        reason = _(NO_SKILLS_CONFIRMED)
    else:
        reason = _("No skills recognised in the request; candidates ranked by text similarity.")

    return MatchResult(
        normalized_skills=normalized,
        unknown_terms=unknown,
        candidates=candidates,
        refer_out=refer_out,
        refer_out_reason=reason,
        external=external,
        mentioned_skills=mentioned,
        unheld_skills=unheld,
    )


def _factors(
    index: MatchIndex,
    request: RequestProfile,
    positions: np.ndarray,
    coverage: np.ndarray,
    text: np.ndarray,
    weight: dict[str, float],
) -> dict[str, np.ndarray]:
    """Each factor times its weight, for the members at ``positions`` (``coverage`` and
    ``text`` being every member's)."""
    values = {
        "skill_coverage": coverage[positions],
        "text_similarity": text[positions],
        "capacity": _capacity(index, request, positions),
        "budget_fit": _budget_fit(index, request, positions),
        "continuity": _continuity(index, request, positions),
        "rotation": 1.0
        - np.minimum(index.rotation_offers[positions], ROTATION_OFFERS) / ROTATION_OFFERS,
    }
    if FREE_DAYS_FACTOR in weight:
        values[FREE_DAYS_FACTOR] = _free_days_left(index, request, positions)
    return {name: weight[name] * value for name, value in values.items()}


def _within_reach(
    index: MatchIndex,
    request: RequestProfile,
    candidates: np.ndarray,
    coverage: np.ndarray,
    text: np.ndarray,
    weight: dict[str, float],
    limit: int,
) -> np.ndarray:
    """The ``candidates`` (who pass the hard filters) who could still make the top ``limit``;
    the others are left unscored.

    Coverage and text are known for everyone; every other factor is at most its weight, and
    continuity is 0 but for the few who served the client, who are always kept. The candidates
    best on coverage and text, scored in full, give a floor (the final ``limit``-th score is at
    least their ``limit``-th), and a candidate whose coverage and text plus the most the other
    factors could add stays under it cannot make the top: in a large network most of those who
    hold a popular skill are left out at the cost of a few arrays.
    """
    if limit <= 0 or len(candidates) <= PRUNE_ABOVE * limit:
        return candidates
    known = (
        weight["skill_coverage"] * coverage[candidates]
        + weight["text_similarity"] * text[candidates]
    )
    best = candidates[_best_known(known, PRUNE_SAMPLE * limit)]
    scores = sum(_factors(index, request, best, coverage, text, weight).values())
    floor = float(np.partition(scores, len(scores) - limit)[len(scores) - limit])
    rest = sum(
        value
        for name, value in weight.items()
        if name not in ("skill_coverage", "text_similarity", "continuity")
    )
    keep = known + rest >= floor - 1e-9
    served = None if request.organization_id is None else index.clients_of(request.organization_id)
    if served is not None:
        keep[_found(candidates, served)] = True
    return candidates[keep]


def _best_known(known: np.ndarray, sample: int) -> np.ndarray:
    """Where in ``known`` the best ``sample`` values are (the first few in order if many tie
    at the last place).

    The sample's worst value is found by a partition, cheaper than ordering. In a large pool
    a partition of an evenly spaced part of it first gives a value a few times more members
    reach than the sample needs, and only those are partitioned: the same members, for a
    fraction of a partition over everyone. When too few reach it, the whole pool is
    partitioned.
    """
    reaching = None
    if len(known) > SPACED_PART * 4:
        step = len(known) // SPACED_PART
        spaced = known[::step]
        # As many of the spaced part as, taken ``step`` times, make SPACED_MARGIN samples.
        rank_in_part = min(len(spaced), -(-SPACED_MARGIN * sample // step))
        guess = np.partition(spaced, len(spaced) - rank_in_part)[len(spaced) - rank_in_part]
        above = np.flatnonzero(known >= guess)
        if len(above) >= sample:
            reaching = above
    values = _at(known, reaching)
    worst = np.partition(values, len(values) - sample)[len(values) - sample]
    best = np.flatnonzero(values >= worst)[:sample]
    return best if reaching is None else reaching[best]


def _nobody_eligible(eligible: np.ndarray, reasons: dict[str, np.ndarray]) -> str:
    """Why no member at all can take the request (how many each hard filter stops), or "" when
    someone can; ``eligible`` and ``reasons`` are ``_hard_filters``'s."""
    if eligible.any():
        return ""
    return _("No member can take this request: %(reasons)s") % {
        "reasons": _count_phrase(Counter({name: int(mask.sum()) for name, mask in reasons.items()}))
    }


def _required_skills(
    index: MatchIndex, request: RequestProfile
) -> tuple[list[str], list[SkillMatch], list[str]]:
    """The required canonical skills (named terms first, then confirmed ones), their matches,
    and the unknown terms.

    A confirmed name the taxonomy no longer knows (renamed or removed since it was confirmed)
    is reported with the unknown terms rather than required. Skills found in the text are not
    required: see ``_mentioned_skills``.
    """
    normalized: list[SkillMatch] = []
    unknown: list[str] = []
    seen: set[str] = set()
    for term in index.normalizer.normalize_many(list(request.skills)):
        if term.match is None:
            unknown.append(term.term)
        elif term.match.skill not in seen:
            seen.add(term.match.skill)
            normalized.append(term.match)
    for name in request.confirmed:
        # Only the exact stage: a confirmed name is canonical, never a guess.
        match = index.normalizer.exact(name)
        if match is None or (match.skill != name and match.score < 1.0):
            if name not in unknown:
                unknown.append(name)
        elif match.skill not in seen:
            seen.add(match.skill)
            normalized.append(SkillMatch(skill=match.skill, score=1.0))
    return [match.skill for match in normalized], normalized, unknown


def _mentioned_skills(
    index: MatchIndex, request: RequestProfile, required: list[str]
) -> list[SkillMatch]:
    """Skills recognised in the request's text that are neither required nor dismissed, in
    the order the text mentions them: suggestions for the coordinator."""
    if not request.text:
        return []
    excluded = set(required) | set(request.dismissed)
    mentioned: list[SkillMatch] = []
    for match in index.normalizer.extract(request.text):
        if match.skill not in excluded:
            excluded.add(match.skill)
            mentioned.append(match)
    return mentioned


def _team_coverage(index: MatchIndex, required: list[str], eligible: np.ndarray) -> float:
    """The coverage the eligible members reach together: for each required skill the best
    level / 5 among its eligible holders, averaged over the required skills."""
    if not required:
        return 0.0
    total = 0.0
    for skill in required:
        positions, weight = index.skill_weight_column(skill)
        held = weight[eligible[positions]]
        if len(held):
            total += float(held.max())
    return total / len(required)


def _unheld_skills(index: MatchIndex, required: list[str]) -> list[str]:
    """The required skills no working (active or probation) member of the index holds."""
    unheld = []
    for skill in required:
        positions, _weights = index.skill_weight_column(skill)
        # The first few holders nearly always settle it; a popular skill has a good part of the
        # network to look through otherwise.
        if not (
            index.offerable[positions[:FIRST_HOLDERS]].any() or index.offerable[positions].any()
        ):
            unheld.append(skill)
    return unheld


def _hard_filters(
    index: MatchIndex, request: RequestProfile, today: datetime.date
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Who may be offered this request, and, for explanations, who fails each filter: masks
    over every member, each a pass over a column of the index rather than a gather.

    - status active or probation;
    - no time away overlapping the request's window (or today, without a window);
    - speaks every language the request requires;
    - location, when the request cannot be done remotely: the consultant's folded location
      contains the request's folded city (the part before the first comma, so "Oakland, CA"
      matches "Oakland"); and a consultant who works only on site is kept off requests placed
      in another city (requests without a location do not filter on place);
    - some capacity left (hours a week on offer minus hours already committed).
    """
    first, last = request.window or (today, today)
    reasons = {
        "not active": ~index.offerable,
        "away": index.away_during(first, last),
        "wrong language": _language_mismatch(index, request),
        "wrong location": _location_mismatch(index, request),
        "full": index.free_hours <= 0,
    }
    blocked = np.zeros(index.size, dtype=bool)
    for mask in reasons.values():
        blocked |= mask
    return ~blocked, reasons


def _language_mismatch(index: MatchIndex, request: RequestProfile) -> np.ndarray:
    if not request.languages:
        return np.zeros(index.size, dtype=bool)
    columns = [index.language_codes.get(fold(code)) for code in request.languages]
    if any(column is None for column in columns):
        return np.ones(index.size, dtype=bool)  # nobody in the network speaks one of them
    speaks = np.ones(index.size, dtype=bool)
    for column in columns:
        speaks &= index.speaks[:, column]
    return ~speaks


def _location_mismatch(index: MatchIndex, request: RequestProfile) -> np.ndarray:
    city = fold(request.location.split(",")[0]) if request.location else ""
    if not city:
        return np.zeros(index.size, dtype=bool)
    places = np.fromiter(
        (city in place for place in index.location_names), bool, len(index.location_names)
    )
    codes = np.flatnonzero(places)
    if len(codes) <= FEW_PLACES:
        # A comparison per place is a straight pass; a look-up per member is a gather.
        in_city = np.zeros(index.size, dtype=bool)
        for code in codes.tolist():
            in_city |= index.location_code == code
    else:
        in_city = places[index.location_code]
    if request.remote_ok:
        return ~index.remote_ok & ~in_city
    return ~in_city


def _skill_coverage(index: MatchIndex, required: list[str]) -> np.ndarray:
    """Σ over required skills of level / 5, divided by the number of required skills.

    One sparse product over the required skills' columns (a skill nobody holds has none).
    """
    columns = [index.skill_column[skill] for skill in required if skill in index.skill_column]
    if not columns:
        return np.zeros(index.size)
    return _column_sum(index.level_weight_csc, columns, np.ones(len(columns))) / len(required)


def _column_sum(matrix, columns: list[int], weights: np.ndarray) -> np.ndarray:
    """Σ weights[k] × matrix[:, columns[k]], over every row, in float64: one sparse
    matrix-vector product over the gathered columns, compiled, where a numpy scatter per column
    costs several times as much in a large network."""
    return matrix[:, columns].astype(np.float64) @ weights


def _text_factor(index: MatchIndex, request: RequestProfile, mentioned: list[str]) -> np.ndarray:
    """The text factor: the TF-IDF cosine, blended with the share of the mentioned skills a
    member holds when the text mentions skills that are not required.

    ``(1 - MENTIONED_SHARE) × cosine + MENTIONED_SHARE × share``, where the share is the
    coverage of the mentioned skills (Σ level / 5 over those held, divided by how many were
    mentioned). Without mentions it is the cosine alone. Both parts are in [0, 1].
    """
    similarity = _text_similarity(index, request)
    if not mentioned:
        return similarity
    share = _skill_coverage(index, mentioned)
    return (1.0 - MENTIONED_SHARE) * similarity + MENTIONED_SHARE * share


def _text_similarity(index: MatchIndex, request: RequestProfile) -> np.ndarray:
    """Cosine of the request's TF-IDF vector against every profile: one gather per word."""
    words = " ".join([request.text, *request.skills, *request.confirmed]).strip()
    columns, weights = index.query_terms(words) if words else ([], None)
    if not columns:
        return np.zeros(index.size)
    # In the matrix's float32, as the products always were: a common word's column is a good
    # part of the network, and a float64 copy of it costs a third of the time.
    similarity = index.tfidf_csc[:, columns] @ weights.astype(index.tfidf_csc.dtype)
    return np.clip(similarity, 0.0, 1.0)


def _hours_needed_per_week(request: RequestProfile) -> float:
    if not request.estimated_hours:
        return DEFAULT_NEED_HOURS_PER_WEEK
    weeks = DEFAULT_ENGAGEMENT_WEEKS
    if request.window:
        weeks = max(1.0, ((request.window[1] - request.window[0]).days + 1) / 7)
    return max(1.0, request.estimated_hours / weeks)


def _at(values: np.ndarray, positions: np.ndarray | None) -> np.ndarray:
    """``values`` of the members at ``positions``, or of every member when it is None."""
    return values if positions is None else values[positions]


def _found(positions: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Where in ``positions`` (ascending) the members of ``wanted`` are, those not there left
    out: a binary search per wanted member (the few who served a client)."""
    if not len(positions):
        return np.empty(0, dtype=np.intp)
    at = np.minimum(np.searchsorted(positions, wanted), len(positions) - 1)
    return at[positions[at] == wanted]


def _capacity(
    index: MatchIndex, request: RequestProfile, positions: np.ndarray | None = None
) -> np.ndarray:
    """Free hours a week against the hours a week the request needs, clipped to [0, 1], for
    the members at ``positions`` (every member when None)."""
    return np.clip(_at(index.free_hours, positions) / _hours_needed_per_week(request), 0.0, 1.0)


def _continuity(index: MatchIndex, request: RequestProfile, positions: np.ndarray) -> np.ndarray:
    """1 for the members at ``positions`` who served the request's organisation before, else 0."""
    continuity = np.zeros(len(positions))
    if request.organization_id is not None:
        served = index.clients_of(request.organization_id)
        if served is not None:
            continuity[_found(positions, served)] = 1.0
    return continuity


def _budget_fit(
    index: MatchIndex, request: RequestProfile, positions: np.ndarray | None = None
) -> np.ndarray:
    """1 when the rate fits the budget per hour, falling as budget / rate above it.

    A pro bono request fits members who offer pro bono hours (1), then those with a sliding
    scale (0.6). Without a budget, or without hours to divide it by, every rate fits; an unknown
    rate counts as fitting half. For the members at ``positions`` (every member when None).
    """
    sliding_scale = _at(index.sliding_scale, positions)
    if request.pro_bono:
        return np.where(
            _at(index.pro_bono_hours, positions) > 0,
            1.0,
            np.where(sliding_scale, SLIDING_SCALE_FIT, 0.0),
        )
    if request.budget_max is None or not request.estimated_hours:
        return np.ones(len(sliding_scale))
    per_hour = float(request.budget_max) / request.estimated_hours
    rate = _at(index.hourly_rate, positions)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(rate > 0, per_hour / rate, 1.0)
    fit = np.clip(ratio, 0.0, 1.0) ** 2
    fit = np.where(sliding_scale, np.maximum(fit, SLIDING_SCALE_FIT), fit)
    return np.where(np.isnan(rate), 0.5, fit)


def _free_days_left(
    index: MatchIndex, request: RequestProfile, positions: np.ndarray | None = None
) -> np.ndarray:
    """Pledged free service days left this year against the days the request needs (its
    estimated hours over HOURS_PER_DAY, else DEFAULT_FREE_DAYS_NEEDED), clipped to [0, 1]:
    a member with no pledge, or none left, scores 0."""
    needed = DEFAULT_FREE_DAYS_NEEDED
    if request.estimated_hours:
        needed = max(0.5, request.estimated_hours / HOURS_PER_DAY)
    return np.clip(_at(index.free_days_left, positions) / needed, 0.0, 1.0)


def _top(score: np.ndarray, positions: np.ndarray, limit: int) -> np.ndarray:
    """Where in ``positions`` (ascending) the best ``limit`` of them are, ``score`` being theirs:
    score desc, then id asc.

    Positions follow consultant ids, so a tie on score is broken by position.
    """
    if limit <= 0 or not len(positions):
        return positions[:0]
    at = np.arange(len(positions))
    if len(positions) > limit:
        # Everyone scoring at least the limit-th best score, ties at the boundary included.
        boundary = np.partition(score, len(score) - limit)[len(score) - limit]
        at = np.flatnonzero(score >= boundary)
    order = np.lexsort((at, -score[at]))
    return at[order[:limit]]


def _candidate(
    index: MatchIndex,
    positions: np.ndarray,
    at: int,
    score: np.ndarray,
    factors: dict[str, np.ndarray],
    required: list[str],
) -> Candidate:
    """The member at ``positions[at]``, with their score and factors (``score`` and each
    factor's values being those of ``positions``)."""
    position = int(positions[at])
    held = index.skills_of(position)
    return Candidate(
        consultant_id=int(index.consultant_ids[position]),
        name=index.name_of(position),
        score=round(float(score[at]), 6),
        factors={name: round(float(values[at]), 6) for name, values in factors.items()},
        covered_skills=[skill for skill in required if held.get(skill, 0) > 0],
        missing_skills=[skill for skill in required if held.get(skill, 0) <= 0],
        groups=index.groups_of(position),
    )


def _refer_out_reason(
    index: MatchIndex,
    required: list[str],
    unheld: list[str],
    eligible: np.ndarray,
    reasons: dict[str, np.ndarray],
    threshold: float,
) -> str:
    """Why nobody fits: which required skills no working member holds, then skill by skill,
    nobody active has it, or who has it and what stops them."""
    sentences = [
        _("No available member covers %(threshold)s of the confirmed skills.")
        % {"threshold": _percent(threshold)}
        if eligible.any()
        else _("No member passes the filters for this request.")
    ]
    if unheld:
        sentences.append(_("No working member holds: %(skills)s.") % {"skills": ", ".join(unheld)})
    for skill in required:
        positions, _weights = index.skill_weight_column(skill)
        holders = positions[index.offerable[positions]]
        if not len(holders):
            former = len(positions)
            if former:
                sentences.append(
                    ngettext(
                        "Nobody active has %(skill)s (%(count)s inactive or former member).",
                        "Nobody active has %(skill)s (%(count)s inactive or former members).",
                        former,
                    )
                    % {"skill": skill, "count": former}
                )
            else:
                sentences.append(_("Nobody active has %(skill)s.") % {"skill": skill})
            continue
        if eligible[holders].any():
            continue
        counts = Counter()
        for name, mask in reasons.items():
            if name != "not active":
                counts[name] = int(mask[holders].sum())
        sentences.append(
            ngettext(
                "%(skill)s: %(count)s active member has it but %(reasons)s.",
                "%(skill)s: %(count)s active members have it but %(reasons)s.",
                len(holders),
            )
            % {"skill": skill, "count": len(holders), "reasons": _count_phrase(counts)}
        )
    return " ".join(sentences)


def _percent(share: float) -> str:
    """A share as a whole percentage in the reader's language: 0.5 → "50%" ("50 %" in French)."""
    return _("%(percent)s%%") % {"percent": number(share * 100, 0)}


def _count_phrase(counts: Counter) -> str:
    """How many members each hard filter stops, e.g. "2 away, 1 full"."""
    parts = [_filter_count(reason, count) for reason, count in counts.items() if count]
    return ", ".join(parts) if parts else _("none is available")


def _filter_count(reason: str, count: int) -> str:
    """How many members one hard filter of ``_hard_filters`` stops, e.g. "2 away"."""
    if reason == "not active":
        text = ngettext("%(count)s not active", "%(count)s not active", count)
    elif reason == "away":
        text = ngettext("%(count)s away", "%(count)s away", count)
    elif reason == "wrong language":
        text = ngettext("%(count)s wrong language", "%(count)s wrong language", count)
    elif reason == "wrong location":
        text = ngettext("%(count)s wrong location", "%(count)s wrong location", count)
    elif reason == "full":
        text = ngettext("%(count)s full", "%(count)s full", count)
    else:
        return f"{count} {reason}"
    return text % {"count": count}


def _rank_externals(index: MatchIndex, required: list[str]) -> list[ExternalCandidate]:
    """Outside professionals by the share of required skills they hold, then id."""
    if not index.externals or not required:
        return []
    columns = [index.skill_column[skill] for skill in required if skill in index.skill_column]
    held = np.zeros(len(index.externals))
    if columns:
        held = np.asarray(index.external_skills[:, columns].sum(axis=1)).ravel()
    coverage = held / len(required)
    positions = np.flatnonzero(coverage > 0)
    order = positions[np.lexsort((positions, -coverage[positions]))][:EXTERNALS_SHOWN]
    answer = []
    for position in order.tolist():
        professional = index.externals[position]
        answer.append(
            ExternalCandidate(
                professional_id=professional.id,
                name=professional.name,
                organization=professional.organization,
                coverage=round(float(coverage[position]), 6),
                covered_skills=[skill for skill in required if skill in professional.skills],
            )
        )
    return answer
