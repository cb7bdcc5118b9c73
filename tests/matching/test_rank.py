"""Ranking: each hard filter, each factor in isolation, ties, weights, refer-out, rotation."""

import dataclasses
import datetime

import pytest

from matching.index import MatchIndex
from matching.normalize import Normalizer
from matching.rank import Weights, rank
from matching.types import ConsultantProfile, ExternalProfile, RequestProfile

TODAY = datetime.date(2026, 2, 1)
TAXONOMY = [
    ("WordPress", ["WP"]),
    ("Drupal", []),
    ("Mailchimp", ["Mail Chimp"]),
    ("Python", []),
    ("QuickBooks", ["QBO"]),
    ("Kubernetes", ["k8s"]),
]
NORMALIZER = Normalizer.from_taxonomy(TAXONOMY)


def member(consultant_id: int, **fields) -> ConsultantProfile:
    """An active, free, English-speaking WordPress member at $100 an hour; override one thing."""
    defaults = {
        "status": "active",
        "skills": {"WordPress": 4},
        "text": "Websites for community groups",
        "languages": frozenset({"en"}),
        "location": "Oakland, CA",
        "hourly_rate": 100.0,
        "capacity_hours_per_week": 20,
    }
    return ConsultantProfile(id=consultant_id, name=f"Member {consultant_id}", **defaults | fields)


def ranked(consultants, request=None, externals=(), **options):
    index = MatchIndex.build(consultants, list(externals), NORMALIZER)
    request = request or RequestProfile(skills=("WordPress",))
    return rank(index, request, today=TODAY, **options)


def ids(result):
    return [candidate.consultant_id for candidate in result.candidates]


# --- Hard filters -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "kept"),
    [("active", True), ("probation", True), ("on_leave", False), ("alumni", False)],
)
def test_only_active_and_probation_members_are_ranked(status, kept):
    assert ids(ranked([member(1, status=status)])) == ([1] if kept else [])


def test_time_away_covering_the_whole_window_filters_and_a_partial_overlap_does_not():
    away = ((datetime.date(2026, 3, 1), datetime.date(2026, 3, 10)),)
    consultants = [member(1, away=away), member(2)]
    march = RequestProfile(
        skills=("WordPress",), window=(datetime.date(2026, 3, 2), datetime.date(2026, 3, 9))
    )
    overlapping = RequestProfile(
        skills=("WordPress",), window=(datetime.date(2026, 3, 8), datetime.date(2026, 4, 8))
    )
    assert ids(ranked(consultants, overlapping)) == [1, 2]
    april = RequestProfile(
        skills=("WordPress",), window=(datetime.date(2026, 4, 1), datetime.date(2026, 4, 30))
    )
    assert ids(ranked(consultants, march)) == [2]
    assert ids(ranked(consultants, april)) == [1, 2]


def test_time_away_today_filters_without_a_window():
    away = ((datetime.date(2026, 1, 25), datetime.date(2026, 2, 5)),)
    assert ids(ranked([member(1, away=away), member(2)])) == [2]


def test_required_languages_must_all_be_spoken():
    consultants = [member(1, languages=frozenset({"en"})), member(2, languages={"en", "es"})]
    request = RequestProfile(skills=("WordPress",), languages=frozenset({"es", "en"}))
    assert ids(ranked(consultants, request)) == [2]
    nobody = RequestProfile(skills=("WordPress",), languages=frozenset({"fr"}))
    assert ids(ranked(consultants, nobody)) == []


def test_on_site_request_needs_a_member_in_that_city():
    consultants = [member(1, location="Oakland, CA"), member(2, location="San José, CA")]
    on_site = RequestProfile(skills=("WordPress",), remote_ok=False, location="San Jose, CA")
    assert ids(ranked(consultants, on_site)) == [2]
    remote = RequestProfile(skills=("WordPress",), remote_ok=True, location="San Jose, CA")
    assert ids(ranked(consultants, remote)) == [1, 2]


def test_on_site_only_member_is_kept_off_requests_elsewhere():
    consultants = [member(1, remote_ok=False, location="Oakland, CA"), member(2)]
    elsewhere = RequestProfile(skills=("WordPress",), location="Sacramento, CA")
    assert ids(ranked(consultants, elsewhere)) == [2]
    unplaced = RequestProfile(skills=("WordPress",))
    assert ids(ranked(consultants, unplaced)) == [1, 2]


def test_members_with_no_free_hours_are_filtered():
    full = member(1, capacity_hours_per_week=10, committed_hours_per_week=10)
    assert ids(ranked([full, member(2)])) == [2]


# --- Factors, one at a time -------------------------------------------------------------------


def factors(result, consultant_id):
    return next(c for c in result.candidates if c.consultant_id == consultant_id).factors


def test_skill_coverage_is_weighted_by_level():
    result = ranked([member(1, skills={"WordPress": 5}), member(2, skills={"WordPress": 2})])
    assert ids(result) == [1, 2]
    assert factors(result, 1)["skill_coverage"] == pytest.approx(0.45 * 1.0)
    assert factors(result, 2)["skill_coverage"] == pytest.approx(0.45 * 0.4)


def test_skill_coverage_divides_by_the_required_skills():
    request = RequestProfile(skills=("WordPress", "Drupal"))
    result = ranked(
        [member(1, skills={"WordPress": 5}), member(2, skills=ws_and_drupal())], request
    )
    assert ids(result) == [2, 1]
    assert factors(result, 1)["skill_coverage"] == pytest.approx(0.45 * 0.5)
    assert result.candidates[1].missing_skills == ["Drupal"]
    assert result.candidates[0].covered_skills == ["WordPress", "Drupal"]


def ws_and_drupal():
    return {"WordPress": 5, "Drupal": 5}


def test_text_similarity_prefers_the_profile_that_reads_like_the_request():
    consultants = [
        member(1, text="Payroll and bookkeeping"),
        member(2, text="Websites for food pantries and shelters"),
    ]
    request = RequestProfile(skills=("WordPress",), text="A website for our food pantry")
    result = ranked(consultants, request)
    assert ids(result) == [2, 1]
    assert factors(result, 2)["text_similarity"] > factors(result, 1)["text_similarity"]


def test_capacity_compares_free_hours_with_the_need():
    consultants = [member(1, committed_hours_per_week=18), member(2)]
    request = RequestProfile(skills=("WordPress",), estimated_hours=80)  # 10 h/week over 8 weeks
    result = ranked(consultants, request)
    assert ids(result) == [2, 1]
    assert factors(result, 1)["capacity"] == pytest.approx(0.1 * 0.2)
    assert factors(result, 2)["capacity"] == pytest.approx(0.1)


def test_budget_fit_falls_above_the_budget_per_hour():
    consultants = [member(1, hourly_rate=160.0), member(2, hourly_rate=80.0)]
    request = RequestProfile(skills=("WordPress",), budget_max=2000, estimated_hours=20)
    result = ranked(consultants, request)
    assert ids(result) == [2, 1]
    assert factors(result, 2)["budget_fit"] == pytest.approx(0.1)
    assert factors(result, 1)["budget_fit"] == pytest.approx(0.1 * (100 / 160) ** 2, abs=1e-6)


def test_pro_bono_requests_prefer_pro_bono_then_sliding_scale():
    consultants = [
        member(1),
        member(2, sliding_scale=True),
        member(3, pro_bono_hours_per_month=4),
    ]
    result = ranked(consultants, RequestProfile(skills=("WordPress",), pro_bono=True))
    assert ids(result) == [3, 2, 1]
    # A pro bono request also has the free days factor: its seven weights are scaled to sum to 1.
    share = 1 / 1.1
    assert [c.factors["budget_fit"] for c in result.candidates] == pytest.approx(
        [0.1 * share, 0.06 * share, 0], abs=1e-6
    )


def test_continuity_favours_members_who_served_the_organisation():
    consultants = [member(1), member(2, clients_served=frozenset({42}))]
    result = ranked(consultants, RequestProfile(skills=("WordPress",), organization_id=42))
    assert ids(result) == [2, 1]
    assert factors(result, 2)["continuity"] == pytest.approx(0.1)


def test_rotation_penalises_recent_offers():
    consultants = [member(1, recent_offers=2), member(2)]
    result = ranked(consultants)
    assert ids(result) == [2, 1]
    assert factors(result, 1)["rotation"] == pytest.approx(0.1 * 0.5)


def test_factors_sum_to_the_score_and_scores_stay_in_range():
    result = ranked([member(1, skills={"WordPress": 5}, clients_served=frozenset({1}))])
    candidate = result.candidates[0]
    assert sum(candidate.factors.values()) == pytest.approx(candidate.score, abs=1e-5)
    assert 0 <= candidate.score <= 1


# --- Weights and ties -------------------------------------------------------------------------


def test_weights_change_the_order():
    consultants = [member(1, skills={"WordPress": 5}, hourly_rate=200.0), member(2, hourly_rate=50)]
    request = RequestProfile(skills=("WordPress",), budget_max=1000, estimated_hours=10)
    assert ids(ranked(consultants, request)) == [1, 2]
    budget_first = Weights(skill_coverage=0.1, budget_fit=0.45)
    assert ids(ranked(consultants, request, weights=budget_first)) == [2, 1]


def test_weights_are_normalised_to_keep_scores_in_range():
    weights = Weights(skill_coverage=2, text_similarity=0, capacity=0, budget_fit=0,
                      continuity=0, rotation=0)  # fmt: skip
    result = ranked([member(1, skills={"WordPress": 5})], weights=weights)
    assert result.candidates[0].score == pytest.approx(1.0)


def test_ties_are_broken_by_consultant_id():
    consultants = [member(5), member(2), member(9), member(3)]
    assert ids(ranked(consultants)) == [2, 3, 5, 9]
    assert ids(ranked(list(reversed(consultants)))) == [2, 3, 5, 9]


def test_limit_keeps_the_best():
    consultants = [member(i, skills={"WordPress": 1 + i % 5}) for i in range(1, 30)]
    top = ids(ranked(consultants, limit=3))
    assert top == [4, 9, 14]  # level 5 members, by id


# --- Normalization ----------------------------------------------------------------------------


def test_unknown_terms_are_reported_not_dropped():
    result = ranked([member(1)], RequestProfile(skills=("WP", "our old database")))
    assert [match.skill for match in result.normalized_skills] == ["WordPress"]
    assert result.unknown_terms == ["our old database"]
    assert ids(result) == [1]


def test_skills_mentioned_in_the_text_are_suggestions_not_requirements():
    consultants = [member(1, skills={"WordPress": 5}), member(2, skills=ws_and_drupal())]
    result = ranked(consultants, RequestProfile(skills=("WP",), text="Also some Drupal pages."))
    assert [match.skill for match in result.normalized_skills] == ["WordPress"]
    assert [match.skill for match in result.mentioned_skills] == ["Drupal"]
    # Coverage counts the named skill only; the mention lifts the member who holds it through
    # the text factor, so the Drupal member still comes first.
    assert factors(result, 1)["skill_coverage"] == factors(result, 2)["skill_coverage"]
    assert factors(result, 2)["text_similarity"] > factors(result, 1)["text_similarity"]
    assert ids(result) == [2, 1]
    assert result.candidates[0].missing_skills == []


def test_confirmed_skills_are_required_after_the_named_ones():
    consultants = [member(1, skills={"WordPress": 4}), member(2, skills=ws_and_drupal())]
    request = RequestProfile(
        skills=("WP",), text="Also some Drupal pages.", confirmed=("Drupal", "WordPress")
    )
    result = ranked(consultants, request)
    assert [match.skill for match in result.normalized_skills] == ["WordPress", "Drupal"]
    assert result.mentioned_skills == []
    assert ids(result) == [2, 1]
    assert result.candidates[1].missing_skills == ["Drupal"]


def test_dismissed_skills_are_neither_required_nor_mentioned():
    result = ranked(
        [member(1)],
        RequestProfile(skills=("WP",), text="Some Drupal pages.", dismissed=frozenset({"Drupal"})),
    )
    assert [match.skill for match in result.normalized_skills] == ["WordPress"]
    assert result.mentioned_skills == []


def test_a_confirmed_name_the_taxonomy_no_longer_has_is_reported_unknown():
    result = ranked([member(1)], RequestProfile(skills=("WP",), confirmed=("Joomla",)))
    assert [match.skill for match in result.normalized_skills] == ["WordPress"]
    assert result.unknown_terms == ["Joomla"]


def test_mentions_alone_never_refer_out():
    """Only mentions, held by nobody: no referral, members ranked by words and mentions."""
    result = ranked(
        [member(1, text="Websites"), member(2, skills={"Python": 4}, text="Scripts")],
        RequestProfile(text="Our QuickBooks and Kubernetes are a mess; maybe some Python."),
        EXTERNALS,
    )
    assert result.normalized_skills == []
    assert [m.skill for m in result.mentioned_skills] == ["QuickBooks", "Kubernetes", "Python"]
    assert not result.refer_out
    assert result.external == []
    assert result.refer_out_reason.startswith("No skills confirmed yet")
    assert ids(result) == [2]  # holds one of the mentioned skills
    assert result.unheld_skills == []


def test_the_text_factor_blends_the_cosine_with_the_mentioned_skills_held():
    consultants = [member(1, skills={"Python": 5}, text=""), member(2, skills={}, text="")]
    result = ranked(consultants, RequestProfile(text="Some Python"))
    # No words in common beyond the skill's name; half the factor is the share of mentions held.
    weight = 0.45 + 0.15  # the coverage weight moves to the text without required skills
    assert factors(result, 1)["text_similarity"] >= weight * 0.5 * (5 / 5) - 1e-6
    candidate = result.candidates[0]
    assert sum(candidate.factors.values()) == pytest.approx(candidate.score, abs=1e-5)


def test_without_skills_the_text_ranks_and_the_answer_says_so():
    consultants = [member(1, text="Payroll and bookkeeping"), member(2, text="Food pantry sites")]
    result = ranked(consultants, RequestProfile(text="Help our food pantry"))
    assert ids(result) == [2]
    assert not result.refer_out
    assert "text similarity" in result.refer_out_reason
    assert result.candidates[0].factors["skill_coverage"] == 0


# --- Refer out --------------------------------------------------------------------------------

EXTERNALS = [
    ExternalProfile(1, "Outside 1", "Bookkeepers", frozenset({"QuickBooks"})),
    ExternalProfile(2, "Outside 2", "Cloud firm", frozenset({"Kubernetes", "Python"})),
    ExternalProfile(3, "Outside 3", "Generalists", frozenset({"Kubernetes"})),
]


def test_nobody_has_the_skill():
    result = ranked([member(1)], RequestProfile(skills=("QBO",)), EXTERNALS)
    assert result.refer_out
    assert result.unheld_skills == ["QuickBooks"]
    assert "No working member holds: QuickBooks." in result.refer_out_reason
    assert "Nobody active has QuickBooks" in result.refer_out_reason
    assert [e.professional_id for e in result.external] == [1]
    assert result.external[0].covered_skills == ["QuickBooks"]


def test_only_alumni_have_the_skill():
    consultants = [member(1), member(2, status="alumni", skills={"QuickBooks": 5})]
    result = ranked(consultants, RequestProfile(skills=("QuickBooks",)), EXTERNALS)
    assert result.refer_out
    assert "Nobody active has QuickBooks (1 inactive or former member)" in result.refer_out_reason


def test_the_one_who_has_it_is_away():
    away = ((datetime.date(2026, 1, 1), datetime.date(2026, 2, 28)),)
    consultants = [member(1), member(2, skills={"Python": 5}, away=away)]
    result = ranked(consultants, RequestProfile(skills=("Python",)), EXTERNALS)
    assert result.refer_out
    assert "Python: 1 active member has it but 1 away" in result.refer_out_reason


def test_all_who_have_it_are_full():
    consultants = [
        member(i, skills={"Python": 4}, capacity_hours_per_week=10, committed_hours_per_week=12)
        for i in (1, 2)
    ]
    result = ranked(consultants, RequestProfile(skills=("Python",)), EXTERNALS)
    assert result.refer_out
    assert "Python: 2 active members have it but 2 full" in result.refer_out_reason
    assert result.candidates == []


def test_coverage_below_the_threshold_refers_out():
    consultants = [member(1, skills={"Python": 4})]  # coverage (4/5) / 2 = 0.4
    request = RequestProfile(skills=("Python", "k8s"))
    result = ranked(consultants, request, EXTERNALS)
    assert result.refer_out
    assert ids(result) == [1]  # the partial fit is still shown
    assert "Nobody active has Kubernetes" in result.refer_out_reason
    assert not ranked(consultants, request, EXTERNALS, coverage_threshold=0.4).refer_out


def test_a_threshold_of_zero_is_reached_by_a_member_who_covers_nothing():
    # The only Python member is full; a WordPress member is free but covers none of it.
    consultants = [member(1, skills={"Python": 5}, capacity_hours_per_week=0), member(2)]
    request = RequestProfile(skills=("Python",))

    assert ranked(consultants, request, EXTERNALS).refer_out
    zero = ranked(consultants, request, EXTERNALS, coverage_threshold=0.0)
    assert not zero.refer_out and zero.candidates == []
    assert zero.refer_out_reason == ""


def test_externals_are_ranked_by_coverage_then_id():
    result = ranked([member(1)], RequestProfile(skills=("k8s", "Python")), EXTERNALS)
    assert [(e.professional_id, e.coverage) for e in result.external] == [(2, 1.0), (3, 0.5)]


def test_a_good_fit_is_not_referred_out():
    result = ranked([member(1)], RequestProfile(skills=("WordPress",)), EXTERNALS)
    assert not result.refer_out
    assert result.external == []


def test_mentioned_skills_nobody_holds_do_not_refer_out_a_request_a_member_fits():
    request = RequestProfile(
        skills=("WordPress",), text="Our QuickBooks exports and Kubernetes cluster too."
    )
    result = ranked([member(1)], request, EXTERNALS)
    assert not result.refer_out
    assert [m.skill for m in result.mentioned_skills] == ["QuickBooks", "Kubernetes"]
    assert result.unheld_skills == []
    # Once confirmed they count: now nobody covers half of the three required skills.
    confirmed = dataclasses.replace(request, confirmed=("QuickBooks", "Kubernetes"))
    result = ranked([member(1)], confirmed, EXTERNALS)
    assert result.refer_out
    assert result.unheld_skills == ["QuickBooks", "Kubernetes"]
    assert "No working member holds: QuickBooks, Kubernetes." in result.refer_out_reason


def test_members_who_together_cover_the_skills_are_not_referred_out():
    """No single member reaches half of the skills, but a team of the available ones does."""
    consultants = [member(1, skills={"Python": 4}), member(2, skills={"Kubernetes": 4})]
    request = RequestProfile(skills=("Python", "k8s", "QBO"))  # singles 0.27, together 0.53
    result = ranked(consultants, request, EXTERNALS)
    assert not result.refer_out
    assert "together cover 53%: consider a team bid" in result.refer_out_reason
    assert result.unheld_skills == ["QuickBooks"]
    assert ids(result) == [1, 2]
    # A member who is away does not count towards the team.
    away = ((datetime.date(2026, 1, 1), datetime.date(2026, 2, 28)),)
    consultants[1] = member(2, skills={"Kubernetes": 4}, away=away)
    assert ranked(consultants, request, EXTERNALS).refer_out


def test_a_skill_held_only_by_a_member_on_leave_is_unheld():
    consultants = [member(1), member(2, status="on_leave", skills={"Python": 5})]
    result = ranked(consultants, RequestProfile(skills=("WordPress", "Python")))
    assert result.unheld_skills == ["Python"]


# --- Fair rotation ----------------------------------------------------------------------------


def test_consecutive_requests_rotate_among_equally_qualified_members():
    """Each top-1 gets an offer (recent_offers + 1); the next request goes to someone else."""
    consultants = {i: member(i, skills={"WordPress": 4}) for i in (1, 2, 3)}
    firsts = []
    for _ in range(6):
        result = ranked(list(consultants.values()))
        first = result.candidates[0].consultant_id
        firsts.append(first)
        offered = consultants[first]
        consultants[first] = dataclasses.replace(offered, recent_offers=offered.recent_offers + 1)
    assert firsts[:3] == [1, 2, 3]
    assert firsts[3:] == [1, 2, 3]


def test_rotation_never_beats_a_clearly_better_fit():
    """The whole rotation weight (0.1) is less than covering one more of two skills."""
    consultants = [member(1, skills={"WordPress": 3, "Drupal": 3}, recent_offers=10), member(2)]
    request = RequestProfile(skills=("WordPress", "Drupal"))
    assert ids(ranked(consultants, request)) == [1, 2]
