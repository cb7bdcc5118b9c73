"""Team formation: coverage, missing skills, size, distinct teams, collaboration, budget, filters,
leaders, explanations and determinism, on small hand-made networks."""

import dataclasses
import datetime

import pytest

from matching.index import MatchIndex
from matching.normalize import Normalizer
from matching.teams import Team, propose_teams
from matching.types import ConsultantProfile, RequestProfile

TODAY = datetime.date(2026, 2, 1)
TAXONOMY = [
    ("WordPress", ["WP"]),
    ("Drupal", []),
    ("Mailchimp", ["Mail Chimp"]),
    ("Python", []),
    ("QuickBooks", ["QBO"]),
    ("Kubernetes", ["k8s"]),
    ("Salesforce", ["SFDC"]),
]
NORMALIZER = Normalizer.from_taxonomy(TAXONOMY)


def member(consultant_id: int, skills: dict[str, int], **fields) -> ConsultantProfile:
    """An active, free, English-speaking member at $100 an hour with ``skills``."""
    defaults = {
        "status": "active",
        "text": "Technology help for community groups",
        "languages": frozenset({"en"}),
        "location": "Oakland, CA",
        "hourly_rate": 100.0,
        "capacity_hours_per_week": 20,
    }
    return ConsultantProfile(
        id=consultant_id, name=f"Member {consultant_id}", skills=skills, **defaults | fields
    )


def teams(consultants, skills, **options) -> list[Team]:
    index = MatchIndex.build(consultants, [], NORMALIZER)
    request = options.pop("request", None) or RequestProfile(skills=tuple(skills))
    return propose_teams(index, request, today=TODAY, **options)


def member_ids(team: Team) -> list[int]:
    return sorted(m.consultant_id for m in team.members)


NETWORK = [
    member(1, {"WordPress": 5, "Mailchimp": 3}),
    member(2, {"Python": 4, "Kubernetes": 3}),
    member(3, {"QuickBooks": 4}),
    member(4, {"WordPress": 3, "Python": 3}),
    member(5, {"Mailchimp": 4, "QuickBooks": 2}),
    member(6, {"Kubernetes": 5}),
    member(7, {"Drupal": 2, "WordPress": 2}),
]
FIVE_SKILLS = ("WordPress", "Mailchimp", "Python", "QuickBooks", "Kubernetes")


def test_every_team_covers_all_skills_when_some_team_can():
    proposed = teams(NETWORK, FIVE_SKILLS)
    assert proposed
    for team in proposed:
        assert team.missing_skills == []
        assert set(team.covered_skills) == set(FIVE_SKILLS)
        assert team.coverage == 1.0


def test_aliases_are_normalised_as_rank_does():
    proposed = teams(NETWORK, ("WP", "Mail Chimp", "QBO"))
    assert set(proposed[0].covered_skills) == {"WordPress", "Mailchimp", "QuickBooks"}


def test_a_skill_nobody_holds_is_missing_in_every_team():
    proposed = teams(NETWORK, ("WordPress", "Python", "Salesforce"))
    assert proposed
    for team in proposed:
        assert team.missing_skills == ["Salesforce"]
        assert team.coverage == pytest.approx(2 / 3, abs=1e-6)
        assert "Salesforce: no available member holds it." in team.explanation


def test_a_skill_held_only_by_a_filtered_member_is_missing():
    network = [*NETWORK, member(8, {"Salesforce": 5}, status="alumni")]
    for team in teams(network, ("WordPress", "Salesforce")):
        assert team.missing_skills == ["Salesforce"]


def test_teams_have_at_most_max_size_members():
    for size in (1, 2, 3):
        for team in teams(NETWORK, FIVE_SKILLS, max_size=size):
            assert 1 <= len(team.members) <= size


def test_max_size_below_one_is_refused():
    with pytest.raises(ValueError, match="max_size"):
        teams(NETWORK, FIVE_SKILLS, max_size=0)


def test_more_skills_than_seats_still_covered_when_a_cover_exists():
    # Three seats for five skills: only members 1 (WordPress, Mailchimp) and 2 (Python,
    # Kubernetes) plus one QuickBooks holder can do it; single-skill members must not take a seat
    # first.
    network = [
        member(1, {"WordPress": 2, "Mailchimp": 2}),
        member(2, {"Python": 2, "Kubernetes": 2}),
        member(3, {"QuickBooks": 2}),
        member(4, {"WordPress": 5}),
        member(5, {"Python": 5}),
        member(6, {"Kubernetes": 5}),
    ]
    proposed = teams(network, FIVE_SKILLS, max_size=3)
    assert [member_ids(team) for team in proposed] == [[1, 2, 3]]
    assert proposed[0].missing_skills == []
    # Without a team that can cover all five, the best partial covers are kept.
    partial = teams(network[2:], FIVE_SKILLS, max_size=3)
    assert partial
    assert all(len(team.missing_skills) == 2 for team in partial)


def test_k_distinct_teams():
    proposed = teams(NETWORK, ("WordPress", "Python"), k=3)
    assert len(proposed) == 3
    assert len({tuple(member_ids(team)) for team in proposed}) == 3
    assert [team.score for team in proposed] == sorted(
        (team.score for team in proposed), reverse=True
    )


def test_fewer_teams_than_k_when_the_network_is_small():
    network = [member(1, {"WordPress": 4}), member(2, {"Python": 4})]
    proposed = teams(network, ("WordPress", "Python"), k=5)
    assert [member_ids(team) for team in proposed] == [[1, 2]]


def test_no_teams_without_a_recognised_skill_or_a_holder():
    assert teams(NETWORK, ("our old database",)) == []
    assert teams(NETWORK, ("Salesforce",)) == []
    assert teams(NETWORK, FIVE_SKILLS, k=0) == []


def test_collaboration_breaks_a_tie_toward_those_who_worked_together():
    network = [
        member(1, {"WordPress": 5}),
        member(2, {"Python": 4}),
        member(3, {"Python": 4}),
    ]
    without = teams(network, ("WordPress", "Python"), k=1)
    assert member_ids(without[0]) == [1, 2]  # equal: the lower id
    with_history = teams(network, ("WordPress", "Python"), k=1, collaborations=frozenset({(3, 1)}))
    assert member_ids(with_history[0]) == [1, 3]
    assert with_history[0].collaboration_pairs == 1
    assert "Member 1 and Member 3 have worked together before." in with_history[0].explanation


def test_collaboration_pairs_of_unknown_ids_are_ignored():
    proposed = teams(NETWORK, ("WordPress",), collaborations=frozenset({(99, 1), (1, 1)}))
    assert all(team.collaboration_pairs == 0 for team in proposed)


def test_budget_pushes_toward_cheaper_members_when_coverage_is_equal():
    network = [
        member(1, {"WordPress": 5}),
        member(2, {"Python": 4}, hourly_rate=180.0),
        member(3, {"Python": 4}, hourly_rate=80.0),
    ]
    request = RequestProfile(skills=("WordPress", "Python"), budget_max=4000, estimated_hours=40)
    best = teams(network, (), request=request, k=1)[0]
    assert member_ids(best) == [1, 3]
    assert best.planned_blended_rate == pytest.approx(90.0)
    assert best.estimated_cost == pytest.approx(3600.0)
    assert "Estimated cost $3,600.00 against a budget of $4,000.00." in best.explanation


def test_blended_rate_splits_hours_evenly_and_skips_unknown_rates():
    network = [
        member(1, {"WordPress": 5}, hourly_rate=120.0),
        member(2, {"Python": 4}, hourly_rate=None),
        member(3, {"QuickBooks": 4}, hourly_rate=60.0),
    ]
    request = RequestProfile(skills=("WordPress", "Python", "QuickBooks"), estimated_hours=30)
    team = teams(network, (), request=request, k=1)[0]
    assert team.planned_blended_rate == pytest.approx(90.0)
    assert team.estimated_cost == pytest.approx(2700.0)
    assert "Planned blended rate $90.00/h (30 h split evenly, 10.0 h each)." in team.explanation


@pytest.mark.parametrize(
    "blocked",
    [
        {"status": "alumni"},
        {"status": "on_leave"},
        {"committed_hours_per_week": 20.0},  # full
        {"away": ((datetime.date(2026, 1, 1), datetime.date(2026, 3, 1)),)},
        {"languages": frozenset({"fr"})},
    ],
)
def test_filtered_members_never_appear(blocked):
    network = [
        member(1, {"WordPress": 5, "Python": 5, "QuickBooks": 5}, **blocked),
        member(2, {"WordPress": 2}),
        member(3, {"Python": 2}),
        member(4, {"QuickBooks": 2}),
    ]
    request = RequestProfile(
        skills=("WordPress", "Python", "QuickBooks"), languages=frozenset({"en"})
    )
    proposed = teams(network, (), request=request)
    assert proposed
    assert all(1 not in member_ids(team) for team in proposed)


def test_the_leader_is_a_member_and_listed_first():
    for team in teams(NETWORK, FIVE_SKILLS):
        assert team.members[0].consultant_id == team.leader_id
        assert team.explanation[0].startswith(f"Leads: Member {team.leader_id} covers")


def test_explanations_name_who_covers_which_skill():
    network = [
        member(1, {"WordPress": 5, "Python": 2}),
        member(2, {"Python": 4, "Mailchimp": 3}, committed_hours_per_week=5.0),
    ]
    team = teams(network, ("WordPress", "Python", "Mailchimp"), k=1)[0]
    by_id = {m.consultant_id: m for m in team.members}
    assert by_id[1].covers == ("WordPress",)
    assert by_id[2].covers == ("Python", "Mailchimp")  # the better Python holder is credited
    assert by_id[1].level_by_skill == {"WordPress": 5, "Python": 2}
    assert by_id[2].free_hours == 15.0
    text = " ".join(team.explanation)
    assert "Member 1 covers WordPress (level 5)" in text
    assert "Member 2 covers Python (level 4), Mailchimp (level 3); $100/h, 15 h/week free." in text


def test_unknown_terms_are_named_in_the_explanation():
    team = teams(NETWORK, ("WordPress", "our old database"))[0]
    assert "Not recognised as skills: our old database." in team.explanation


def test_same_input_gives_the_same_teams():
    network = [
        member(i, {name: 1 + (i * 7 + j) % 5 for j, name in enumerate(FIVE_SKILLS) if (i + j) % 3})
        for i in range(1, 40)
    ]
    collaborations = frozenset({(1, 2), (5, 9), (12, 3)})
    first = teams(network, FIVE_SKILLS, collaborations=collaborations)
    again = teams(list(reversed(network)), FIVE_SKILLS, collaborations=collaborations)
    assert first == again
    assert len(first) == 5


def test_a_set_of_collaborations_is_accepted():
    network = [member(1, {"WordPress": 5}), member(2, {"Python": 4}), member(3, {"Python": 4})]
    proposed = teams(network, ("WordPress", "Python"), k=1, collaborations={(1, 3)})
    assert member_ids(proposed[0]) == [1, 3]


def test_scores_stay_in_range():
    for team in teams(NETWORK, FIVE_SKILLS):
        assert 0.0 <= team.score <= 1.0
        assert 0.0 <= team.fit <= 1.0
        assert dataclasses.is_dataclass(team)
