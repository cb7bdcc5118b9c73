"""Team formation: coverage, missing skills, size, distinct teams, collaboration, budget, filters,
leaders, explanations and determinism, pruning members who add nothing, cheapest first, and teams
seeded with the members already on a bid, on small hand-made networks."""

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
    assert "Member 1 covers WordPress (level 5), held by nobody else on the team;" in text
    # Member 1 also holds Python: member 2 is its best holder but adds only Mailchimp.
    assert by_id[1].adds == ("WordPress",)
    assert by_id[2].adds == ("Mailchimp",)
    assert (
        "Member 2 covers Python (level 4), Mailchimp (level 3); only they hold Mailchimp; "
        "$100/h, 15 h/week free."
    ) in text


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


# --- Every member adds coverage -------------------------------------------------------------


def holds_something_alone(team: Team) -> bool:
    """Every member holds a covered skill nobody else on the team holds."""
    for member in team.members:
        others = set().union(*(set(m.level_by_skill) for m in team.members if m is not member))
        if not set(member.level_by_skill) & set(team.covered_skills) - others:
            return False
    return True


def test_a_member_who_covers_nothing_new_is_left_out_and_the_team_costs_less():
    # Member 1 is the WordPress expert; member 2 holds all three skills. The leader-based greedy
    # grows a team around member 1 by adding member 2, after which member 1 covers nothing
    # member 2 does not: they worked together before, so that team used to come first.
    network = [
        member(1, {"WordPress": 5}, hourly_rate=150.0),
        member(2, {"WordPress": 3, "Python": 3, "QuickBooks": 3}, hourly_rate=100.0),
    ]
    request = RequestProfile(skills=("WordPress", "Python", "QuickBooks"), estimated_hours=100)
    proposed = teams(network, (), request=request, collaborations=frozenset({(1, 2)}))
    assert [member_ids(team) for team in proposed] == [[2]]
    best = proposed[0]
    assert best.covered_skills == ["WordPress", "Python", "QuickBooks"]
    # $100 an hour for 100 hours, against $125 (the mean of 150 and 100) with member 1 in.
    assert best.estimated_cost == pytest.approx(10_000.0)
    assert best.members[0].adds == ("WordPress", "Python", "QuickBooks")


def test_a_member_made_redundant_by_a_later_joiner_is_pruned():
    # Around leader 1 (WordPress), member 3 joins first for Python at level 5 (cheap, the best
    # gain), then member 4 for QuickBooks, who also holds Python: member 3 adds nothing then.
    network = [
        member(1, {"WordPress": 5, "Mailchimp": 5}),
        member(3, {"Python": 5}, hourly_rate=60.0),
        member(4, {"QuickBooks": 2, "Python": 1}, hourly_rate=140.0),
        member(5, {"Mailchimp": 1}),
    ]
    request = RequestProfile(
        skills=("WordPress", "Python", "QuickBooks"), budget_max=10_000, estimated_hours=100
    )
    proposed = teams(network, (), request=request)
    assert proposed
    for team in proposed:
        assert team.missing_skills == []
        assert holds_something_alone(team), member_ids(team)
    assert member_ids(proposed[0]) == [1, 4]
    assert proposed[0].estimated_cost == pytest.approx(12_000.0)


def test_every_member_of_every_team_adds_a_skill_on_a_larger_network():
    network = [
        member(i, {name: 1 + (i * 7 + j) % 5 for j, name in enumerate(FIVE_SKILLS) if (i + j) % 3})
        for i in range(1, 60)
    ]
    proposed = teams(network, FIVE_SKILLS, k=10, collaborations=frozenset({(1, 2), (5, 9)}))
    assert proposed
    for team in proposed:
        assert holds_something_alone(team), member_ids(team)
        for m in team.members:
            assert m.adds
            assert f"{m.name} covers" in " ".join(team.explanation)


def test_equal_coverage_puts_the_cheapest_team_first():
    # One $200 member covers both skills, deeper than two $80 members together: the expert's
    # team scores higher (depth, and a team of one is cohesive), but for the same coverage the
    # cheaper team comes first.
    network = [
        member(1, {"WordPress": 5, "Python": 5}, hourly_rate=200.0),
        member(2, {"WordPress": 4}, hourly_rate=80.0),
        member(3, {"Python": 4}, hourly_rate=80.0),
    ]
    request = RequestProfile(skills=("WordPress", "Python"), budget_max=4000, estimated_hours=40)
    proposed = teams(network, (), request=request)
    assert [member_ids(team) for team in proposed] == [[2, 3], [1]]
    assert proposed[0].estimated_cost == pytest.approx(3_200.0)
    assert proposed[1].estimated_cost == pytest.approx(8_000.0)
    assert proposed[0].score < proposed[1].score


def test_more_coverage_still_beats_a_lower_cost():
    network = [
        member(1, {"WordPress": 3, "Python": 3}, hourly_rate=200.0),
        member(2, {"WordPress": 3}, hourly_rate=50.0),
    ]
    proposed = teams(network, ("WordPress", "Python"), max_size=1)
    assert member_ids(proposed[0]) == [1]


def test_a_team_without_any_rate_comes_after_one_with_rates():
    network = [
        member(1, {"WordPress": 5}, hourly_rate=None),
        member(2, {"WordPress": 2}, hourly_rate=300.0),
    ]
    proposed = teams(network, ("WordPress",))
    assert [member_ids(team) for team in proposed] == [[2], [1]]


# --- Seeded teams: the members already on a bid ----------------------------------------------

SEED_NETWORK = [
    member(10, {"WordPress": 4}),  # the bid's lead
    member(11, {"Mailchimp": 2}),  # on the bid
    member(12, {"Drupal": 5}),  # on the bid, holds no required skill
    member(20, {"Python": 4, "QuickBooks": 2}),
    member(21, {"Python": 5}),
    member(22, {"QuickBooks": 5}),
    member(23, {"WordPress": 5, "Python": 5, "QuickBooks": 5}),
    member(24, {"Mailchimp": 5, "Python": 3}),
]
SEED_SKILLS = ("WordPress", "Mailchimp", "Python", "QuickBooks")


def test_a_seeded_team_keeps_the_lead_first_and_the_current_members():
    proposed = teams(SEED_NETWORK, SEED_SKILLS, seed=(10, 11))
    assert len(proposed) > 1
    for team in proposed:
        ids = [m.consultant_id for m in team.members]
        assert ids[:2] == [10, 11]
        assert team.leader_id == 10
        assert team.missing_skills == []
        assert [m.seeded for m in team.members] == [True, True] + [False] * (len(ids) - 2)
        # Only members covering what the seed lacks (Python, QuickBooks) join, each adding one.
        for joiner in team.members[2:]:
            assert set(joiner.level_by_skill) & {"Python", "QuickBooks"}
            assert set(joiner.adds) <= {"Python", "QuickBooks"} and joiner.adds
        assert team.explanation[0].startswith("Leads (on the team already): Member 10 covers")
        assert team.explanation[1].startswith("On the team already: Member 11 covers")
    assert len({tuple(member_ids(team)) for team in proposed}) == len(proposed)


def test_a_seed_member_who_adds_nothing_is_kept():
    # Member 23 covers all but Mailchimp; unseeded, the best team is member 23 and a Mailchimp
    # holder.
    assert member_ids(teams(SEED_NETWORK, SEED_SKILLS)[0]) == [23, 24]
    proposed = teams(SEED_NETWORK, SEED_SKILLS, seed=(10, 12))
    for team in proposed:
        assert [m.consultant_id for m in team.members][:2] == [10, 12]
    with_23 = [team for team in proposed if 23 in member_ids(team)]
    assert with_23
    # Member 23 makes both seed members redundant; they stay, saying what they add.
    lead, drupal = with_23[0].members[:2]
    assert lead.adds == () and drupal.adds == ()
    assert (
        "On the team already: Member 12 covers no skill better than the others; adds no skill "
        "the others lack;"
    ) in " ".join(with_23[0].explanation)


def test_a_seed_covering_everything_gives_one_proposal_the_current_team():
    proposed = teams(SEED_NETWORK, ("WordPress", "Mailchimp"), seed=(10, 11, 12))
    assert [[m.consultant_id for m in team.members] for team in proposed] == [[10, 11, 12]]
    assert proposed[0].notes == (
        "The current team already covers every required skill: nobody needs to join.",
    )
    assert proposed[0].notes[0] in proposed[0].explanation


def test_a_seed_covering_what_anyone_available_holds_says_so():
    proposed = teams(SEED_NETWORK, ("WordPress", "Salesforce"), seed=(10,))
    assert [member_ids(team) for team in proposed] == [[10]]
    assert proposed[0].missing_skills == ["Salesforce"]
    assert proposed[0].notes == (
        "The current team already covers every required skill an available member holds: "
        "nobody needs to join.",
    )


def test_a_full_seed_takes_nobody_more():
    proposed = teams(SEED_NETWORK, SEED_SKILLS, seed=(10, 11), max_size=2)
    assert [member_ids(team) for team in proposed] == [[10, 11]]
    assert proposed[0].missing_skills == ["Python", "QuickBooks"]
    assert "as many as a team may have: nobody can join" in proposed[0].notes[0]


@pytest.mark.parametrize(
    ("blocked", "reason"),
    [
        ({"status": "on_leave"}, "not working (on leave)"),
        (
            {"away": ((datetime.date(2026, 1, 1), datetime.date(2026, 3, 1)),)},
            "away for the request's whole window",
        ),
        ({"committed_hours_per_week": 20.0}, "no free hours"),
    ],
)
def test_a_seed_member_who_is_not_available_is_set_aside_and_reported(blocked, reason):
    network = [
        member(10, {"WordPress": 4}),
        member(11, {"Mailchimp": 4}, **blocked),
        member(24, {"Mailchimp": 2}),
    ]
    proposed = teams(network, ("WordPress", "Mailchimp"), seed=(10, 11))
    assert proposed
    for team in proposed:
        assert 11 not in member_ids(team)
        assert team.members[0].consultant_id == 10
        assert [(s.consultant_id, s.name, s.reason) for s in team.set_aside] == [
            (11, "Member 11", reason)
        ]
        assert (
            f"Member 11 is on the team but not counted in this proposal: {reason}."
            in team.explanation
        )
    # Someone else covers what member 11 would have.
    assert member_ids(proposed[0]) == [10, 24]


def test_a_seed_member_the_index_does_not_hold_is_set_aside():
    proposed = teams(SEED_NETWORK, SEED_SKILLS, seed=(999, 10))
    assert proposed
    assert proposed[0].set_aside[0].consultant_id == 999
    assert proposed[0].set_aside[0].reason == "not a working member"
    assert proposed[0].leader_id == 10
    assert (
        "Consultant 999 is on the team but not counted in this proposal: not a working member."
        in proposed[0].explanation
    )


def test_a_lead_set_aside_leaves_the_others_leading():
    network = [*SEED_NETWORK, member(30, {"WordPress": 5}, status="alumni")]
    proposed = teams(network, SEED_SKILLS, seed=(30, 11))
    assert all(team.leader_id == 11 for team in proposed)
    assert all(team.set_aside[0].consultant_id == 30 for team in proposed)


def test_seeded_proposals_are_deterministic():
    first = teams(SEED_NETWORK, SEED_SKILLS, seed=[10, 11, 10])
    again = teams(list(reversed(SEED_NETWORK)), SEED_SKILLS, seed=(10, 11))
    assert first == again
