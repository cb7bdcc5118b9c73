"""``GET /api/v1/requests/<id>/teams/``: proposed teams for a saved request — their shape, who
may ask, bad input, the preference for members who have worked together, and what a call costs."""

import datetime

import pytest
from django.utils import timezone

from intake.models import Engagement
from matching import adapter
from matching.serializers import TeamMemberSerializer
from matching.teams import TeamMember
from tests.factories import (
    ConsultantFactory,
    ConsultantSkillFactory,
    RequestFactory,
    SkillFactory,
)
from tests.helpers import fresh

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_index")]


def teams_url(request_id: int, **query) -> str:
    params = "&".join(f"{key}={value}" for key, value in query.items())
    return f"/api/v1/requests/{request_id}/teams/" + (f"?{params}" if params else "")


@pytest.fixture
def network(db):
    """Two skills no one member holds both of: a request naming both needs a team of two."""
    civicrm = SkillFactory(name="CiviCRM")
    wordpress = SkillFactory(name="WordPress")
    crm = ConsultantFactory(display_name="Member 01 · CRM")
    ConsultantSkillFactory(consultant=crm, skill=civicrm, level=5)
    web = ConsultantFactory(display_name="Member 02 · Web")
    ConsultantSkillFactory(consultant=web, skill=wordpress, level=4)
    return {"civicrm": civicrm, "wordpress": wordpress, "crm": crm, "web": web}


def both_skills_request(**fields):
    return RequestFactory(
        skills=["CiviCRM", "WordPress"], estimated_hours=20, budget_max=2000, **fields
    )


def member_ids(team) -> list[int]:
    return [member["consultant"]["id"] for member in team["members"]]


# --- The answer -----------------------------------------------------------------------------


def test_a_team_of_two_covers_what_neither_covers_alone(api_as, intake_coordinator, network):
    saved = both_skills_request()

    response = api_as(intake_coordinator).get(teams_url(saved.pk))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"teams"}
    team = body["teams"][0]
    assert set(team) == {
        "leader",
        "members",
        "covered_skills",
        "missing_skills",
        "coverage",
        "fit",
        "planned_blended_rate",
        "estimated_cost",
        "collaboration_pairs",
        "score",
        "explanation",
    }
    crm, web = network["crm"], network["web"]
    assert sorted(member_ids(team)) == sorted([crm.pk, web.pk])
    assert team["leader"] == member_ids(team)[0]
    assert sorted(team["covered_skills"]) == ["CiviCRM", "WordPress"]
    assert team["missing_skills"] == []
    assert team["coverage"] == 1.0
    members = {member["consultant"]["id"]: member for member in team["members"]}
    assert members[crm.pk] == {
        "consultant": {"id": crm.pk, "name": "Member 01 · CRM"},
        "covers": ["CiviCRM"],
        "level_by_skill": {"CiviCRM": 5},
        "hourly_rate": 95.0,
        "free_hours": 20.0,
        "adds": ["CiviCRM"],
        "on_team": False,
    }
    assert members[web.pk]["covers"] == ["WordPress"]
    assert members[web.pk]["level_by_skill"] == {"WordPress": 4}
    assert team["planned_blended_rate"] == 95.0
    assert team["estimated_cost"] == 1900.0
    assert team["collaboration_pairs"] == 0
    assert 0 < team["score"] <= 1
    explanation = " ".join(team["explanation"])
    assert "Member 01 · CRM covers CiviCRM (level 5)" in explanation
    assert "Member 02 · Web covers WordPress (level 4)" in explanation
    assert "Estimated cost $1,900.00" in explanation


def test_no_recognised_skill_means_no_teams(api_as, intake_coordinator, network):
    saved = RequestFactory(skills=["Quantum knitting"])

    response = api_as(intake_coordinator).get(teams_url(saved.pk))

    assert response.status_code == 200
    assert response.json() == {"teams": []}


def test_rates_are_null_for_a_caller_who_may_not_see_them(network):
    member = TeamMember(
        consultant_id=7,
        name="Member 07",
        covers=("CiviCRM",),
        level_by_skill={"CiviCRM": 3},
        hourly_rate=80.0,
        free_hours=10.0,
    )

    assert TeamMemberSerializer(member).data["hourly_rate"] is None
    shown = TeamMemberSerializer(member, context={"show_rates": True}).data
    assert shown["hourly_rate"] == 80.0


# --- Bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize("k", ["0", "11", "-1", "five"])
def test_k_out_of_range_is_400(api_as, intake_coordinator, network, k):
    saved = both_skills_request()

    response = api_as(intake_coordinator).get(teams_url(saved.pk, k=k))

    assert response.status_code == 400
    assert "k" in response.json()


@pytest.mark.parametrize("k", [1, 10])
def test_k_at_the_limits_is_fine(api_as, intake_coordinator, network, k):
    saved = both_skills_request()

    response = api_as(intake_coordinator).get(teams_url(saved.pk, k=k))

    assert response.status_code == 200
    assert 1 <= len(response.json()["teams"]) <= k


# --- Collaboration history ------------------------------------------------------------------


def test_members_who_worked_together_win_a_tie(api_as, intake_coordinator, network):
    # A second CiviCRM holder exactly like the first: without history the lower id wins.
    twin = ConsultantFactory(display_name="Member 03 · CRM")
    ConsultantSkillFactory(consultant=twin, skill=network["civicrm"], level=5)
    crm, web = network["crm"], network["web"]
    saved = both_skills_request()
    client = api_as(intake_coordinator)

    before = client.get(teams_url(saved.pk)).json()["teams"]
    assert sorted(member_ids(before[0])) == sorted([crm.pk, web.pk])
    assert before[0]["score"] == before[1]["score"]

    # The twin and the web member were engaged on an earlier request (for another client,
    # finished, so neither continuity nor free hours change).
    today = timezone.localdate()
    earlier = RequestFactory()
    for consultant in (twin, web):
        Engagement.objects.create(
            request=earlier,
            consultant=consultant,
            start=today - datetime.timedelta(days=60),
            end=today - datetime.timedelta(days=30),
        )

    after = client.get(teams_url(saved.pk)).json()["teams"]
    assert sorted(member_ids(after[0])) == sorted([twin.pk, web.pk])
    assert after[0]["collaboration_pairs"] == 1
    assert after[0]["score"] > after[1]["score"]
    assert any("have worked together before" in line for line in after[0]["explanation"])


def test_collaboration_pairs_come_from_shared_engagements(network, django_assert_num_queries):
    crm, web = network["crm"], network["web"]
    third = ConsultantFactory()
    shared, alone = RequestFactory(), RequestFactory()
    for consultant in (web, crm):
        Engagement.objects.create(request=shared, consultant=consultant)
    Engagement.objects.create(request=alone, consultant=third)
    Engagement.objects.create(request=RequestFactory(), consultant=crm)
    Engagement.objects.create(request=RequestFactory(), consultant=web)

    with django_assert_num_queries(1):
        pairs = adapter.collaboration_pairs()

    assert pairs == frozenset({(min(crm.pk, web.pk), max(crm.pk, web.pk))})


# --- Who may call ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role",
    ["intake_coordinator", "community_coordinator", "admin"],
)
def test_coordinators_and_admins_get_teams(api_as, request, network, role):
    saved = both_skills_request()

    response = api_as(request.getfixturevalue(role)).get(teams_url(saved.pk))

    assert response.status_code == 200
    assert response.json()["teams"][0]["members"][0]["hourly_rate"] == 95.0


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_others_are_refused(api, api_as, member, network, who):
    client = api if who == "anonymous" else api_as(member)
    saved = both_skills_request()

    assert client.get(teams_url(saved.pk)).status_code == (401 if who == "anonymous" else 403)


def test_teams_of_a_request_the_coordinator_may_not_see_is_404(api_as, group_coordinator, network):
    elsewhere = both_skills_request()

    assert api_as(group_coordinator).get(teams_url(elsewhere.pk)).status_code == 404


def test_a_missing_request_is_404(api_as, intake_coordinator, network):
    assert api_as(intake_coordinator).get(teams_url(999_999)).status_code == 404


# --- What a call costs ----------------------------------------------------------------------


def test_request_teams_query_count_is_bounded(
    api_as, intake_coordinator, network, django_assert_max_num_queries
):
    for _ in range(20):
        ConsultantSkillFactory(skill=network["civicrm"])
        ConsultantSkillFactory(skill=network["wordpress"])
    earlier = RequestFactory()
    for consultant in (network["crm"], network["web"]):
        Engagement.objects.create(request=earlier, consultant=consultant)
    saved = both_skills_request()
    api_as(intake_coordinator).get(teams_url(saved.pk))  # builds the index
    client = api_as(fresh(intake_coordinator))

    # 1 roles, 2 the request through the gate, 3 its languages, 4 the index's stamp,
    # 5 the collaboration pairs.
    with django_assert_max_num_queries(5):
        response = client.get(teams_url(saved.pk, k=10))

    assert response.status_code == 200
    assert len(response.json()["teams"]) > 1
