# ruff: noqa: F811 -- the fixtures imported from the bid page tests are requested by name
"""Team proposals on a bid start from its team: the lead first, then the members invited or on
it, on the bid workspace, the coordinator's request page and ``GET /api/v1/requests/<id>/teams/``.
Only members covering what the bid's team lacks join; a team that covers everything is the one
proposal; members of the bid who may not take the work now are named, not silently dropped."""

from decimal import Decimal

import pytest
from django.urls import reverse

from intake.bids import states, team
from intake.bids.models import Bid, BidMember
from intake.bids.selectors import bid_team, open_bid_team, proposed_teams
from network.models import Consultant, Skill
from tests.bids.page_helpers import start_bid, url
from tests.factories import ConsultantFactory, ConsultantSkillFactory, SkillFactory
from tests.helpers import fresh

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_index")]


COVERED_ALREADY = (
    "The current team already covers every required skill an available member holds: "
    "nobody needs to join."
)


@pytest.fixture
def drupal(people):
    """A Drupal holder (the skill the bid's team lacks) and a member holding all three skills,
    who alone would be the best team without the bid."""
    skill = SkillFactory(name="Drupal")
    ConsultantSkillFactory(consultant=people["_third"], skill=skill, level=3)
    expert = ConsultantFactory(display_name="Expert Member", hourly_rate=Decimal("90"))
    for held in Skill.objects.filter(name__in=["CiviCRM", "Web accessibility", "Drupal"]):
        ConsultantSkillFactory(consultant=expert, skill=held, level=5)
    return {"skill": skill, "expert": expert}


def teams_url(request_id: int) -> str:
    return f"/api/v1/requests/{request_id}/teams/"


def member_ids(proposal) -> list[int]:
    return [member.consultant_id for member in proposal.members]


def workspace_teams(client, bid):
    response = client.get(url("bid-workspace", bid) + "?section=team")
    assert response.status_code == 200
    return response.context["page"].teams, response.content.decode()


# --- Who the proposals start from -----------------------------------------------------------


def test_the_bid_team_is_the_lead_then_members_invited_or_on_it(people, bidding):
    started = start_bid(bidding, people, invite_third=True)
    lead, second, third = people["_lead"], people["_second"], people["_third"]
    assert bid_team(started) == [lead.pk, second.pk, third.pk]
    assert open_bid_team(bidding) == [lead.pk, second.pk, third.pk]
    team.bid_member_respond(bid_id=started.pk, actor=third.user, accept=False)
    assert bid_team(Bid.objects.get(pk=started.pk)) == [lead.pk, second.pk]
    assert open_bid_team(bidding) == [lead.pk, second.pk]
    states.bid_withdraw(bid_id=started.pk, actor=people["lead"])
    assert bid_team(Bid.objects.get(pk=started.pk)) == []
    assert open_bid_team(bidding) == []


# --- The bid workspace ----------------------------------------------------------------------


def test_workspace_proposals_keep_the_lead_and_members_and_add_only_what_is_missing(
    signed_in, people, bid, drupal
):
    lead, second, third = people["_lead"], people["_second"], people["_third"]
    expert = drupal["expert"]
    # Without the bid, the expert alone covers all three skills.
    unseeded = proposed_teams(bid.request, reader=people["intake coordinator"])
    assert member_ids(unseeded[0]) == [expert.pk]

    teams, html = workspace_teams(signed_in(people["lead"]), bid)

    assert teams
    for proposal in teams:
        assert member_ids(proposal)[:2] == [lead.pk, second.pk]
        assert [member.already for member in proposal.members][:2] == [True, True]
        assert proposal.missing_skills == []
        # One member joins, for Drupal: the third member ($77.77) or the expert ($90).
        assert len(proposal.members) == 3
        assert proposal.to_invite == proposal.members[2:]
    # cheapest first
    assert [member_ids(proposal)[2] for proposal in teams] == [third.pk, expert.pk]
    invite = html.split('id="team-1"', 1)[1].split("</li>\n", 3)[-1].split("</form>", 1)[0]
    assert f'name="member" value="{third.pk}"' in invite
    assert f'name="member" value="{lead.pk}"' not in invite
    assert f'name="member" value="{second.pk}"' not in invite


def test_a_workspace_whose_team_covers_everything_proposes_the_team_itself(signed_in, people, bid):
    # Drupal is a known skill nobody holds: the lead and the second member cover all that
    # anyone can.
    SkillFactory(name="Drupal")
    teams, html = workspace_teams(signed_in(people["lead"]), bid)

    assert len(teams) == 1
    assert member_ids(teams[0]) == [people["_lead"].pk, people["_second"].pk]
    assert teams[0].notes == [COVERED_ALREADY]
    assert teams[0].missing_skills == ["Drupal"]
    assert COVERED_ALREADY in html
    assert "Everyone in this team is already on the bid." in html


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (Consultant.Status.ON_LEAVE, "not working (on leave)"),
        (Consultant.Status.ALUMNI, "not a working member"),
    ],
)
def test_a_bid_member_who_may_not_work_now_is_named_and_replaced(
    signed_in, people, bid, status, reason
):
    second = people["_second"]
    stand_in = ConsultantFactory(display_name="Stand-in Member")
    ConsultantSkillFactory(consultant=stand_in, skill=second.skills.get().skill, level=3)
    second.status = status
    second.save()

    teams, html = workspace_teams(signed_in(people["lead"]), bid)

    note = f"Second Member is on the bid but not counted in these teams: {reason}."
    assert teams
    for proposal in teams:
        assert member_ids(proposal)[0] == people["_lead"].pk
        assert second.pk not in member_ids(proposal)
        assert note in proposal.notes
    assert member_ids(teams[0]) == [people["_lead"].pk, stand_in.pk]
    assert note in html


def test_the_seeded_workspace_stays_within_its_query_budget(
    signed_in, people, bid, drupal, django_assert_max_num_queries
):
    client = signed_in(people["lead"])
    client.get(url("bid-workspace", bid) + "?section=team")  # builds the matching index
    with django_assert_max_num_queries(21):
        teams, _ = workspace_teams(client, bid)
    assert len(teams) == 2


# --- The coordinator's request page and the teams API -----------------------------------------


def test_the_request_page_proposes_teams_from_the_bid(signed_in, people, bid, drupal):
    client = signed_in(people["intake coordinator"])
    page = reverse("intake-request", args=[bid.request.pk])

    response = client.get(page)

    panel = response.context["teams_panel"]
    assert panel.bid == bid
    assert [member_ids(proposal)[:2] for proposal in panel.teams] == [
        [people["_lead"].pk, people["_second"].pk]
    ] * len(panel.teams)
    assert all(proposal.members[0].already for proposal in panel.teams)
    assert "(already on the bid)" in response.content.decode()


def test_the_request_page_with_a_bid_reads_its_team_in_one_query(
    signed_in, people, bid, drupal, django_assert_max_num_queries
):
    client = signed_in(people["intake coordinator"])
    page = reverse("intake-request", args=[bid.request.pk])
    client.get(page)  # builds the index
    # As the bid-less request page's budget (20), plus the open bid's seats.
    with django_assert_max_num_queries(21):
        assert client.get(page).status_code == 200


def test_the_teams_api_starts_from_the_bid(api_as, intake_coordinator, people, bid, drupal):
    lead, second, third = people["_lead"], people["_second"], people["_third"]

    response = api_as(intake_coordinator).get(teams_url(bid.request.pk))

    assert response.status_code == 200
    teams = response.json()["teams"]
    assert teams
    for proposal in teams:
        ids = [member["consultant"]["id"] for member in proposal["members"]]
        assert ids[:2] == [lead.pk, second.pk]
        assert proposal["leader"] == lead.pk
        assert proposal["missing_skills"] == []
        assert proposal["explanation"][0].startswith("Leads (on the team already): Lead Member")
    assert [member["consultant"]["id"] for member in teams[0]["members"]] == [
        lead.pk,
        second.pk,
        third.pk,
    ]
    assert [member["on_team"] for member in teams[0]["members"]] == [True, True, False]
    assert teams[0]["members"][2]["adds"] == ["Drupal"]


def test_the_teams_api_after_the_bid_is_withdrawn_is_unseeded(
    api_as, intake_coordinator, people, bid, drupal
):
    states.bid_withdraw(bid_id=bid.pk, actor=people["lead"])

    teams = api_as(intake_coordinator).get(teams_url(bid.request.pk)).json()["teams"]

    assert [member["consultant"]["id"] for member in teams[0]["members"]] == [drupal["expert"].pk]


def test_the_teams_api_names_a_bid_member_on_leave(api_as, intake_coordinator, people, bid):
    second = people["_second"]
    second.status = Consultant.Status.ON_LEAVE
    second.save()

    teams = api_as(intake_coordinator).get(teams_url(bid.request.pk)).json()["teams"]

    assert teams
    line = "Second Member is on the team but not counted in this proposal: not working (on leave)."
    assert all(line in proposal["explanation"] for proposal in teams)
    assert all(
        second.pk not in [member["consultant"]["id"] for member in proposal["members"]]
        for proposal in teams
    )


def test_the_teams_api_with_a_bid_reads_its_team_in_one_query(
    api_as, intake_coordinator, people, bid, drupal, django_assert_max_num_queries
):
    api_as(intake_coordinator).get(teams_url(bid.request.pk))  # builds the index
    client = api_as(fresh(intake_coordinator))
    # The request API's five (roles, the request, its languages, the index stamp, the
    # collaboration pairs) and the open bid's team.
    with django_assert_max_num_queries(6):
        response = client.get(teams_url(bid.request.pk))
    assert response.status_code == 200
    assert BidMember.objects.filter(bid=bid).count() == 2


def test_the_workspace_lists_confirmed_suggestions_among_the_skills_the_request_needs(
    signed_in, people, bid, drupal
):
    client_request = bid.request
    # The client named two skills; the coordinator confirmed Drupal from the description.
    client_request.skills = ["CiviCRM", "web accessibility"]
    client_request.confirmed_skills = ["Drupal"]
    client_request.save(update_fields=["skills", "confirmed_skills"])

    response = signed_in(people["lead"]).get(url("bid-workspace", bid) + "?section=team")

    coverage = {item.skill: item.covered_by for item in response.context["page"].coverage}
    assert list(coverage) == ["CiviCRM", "web accessibility", "Drupal"]
    assert coverage["Drupal"] == []  # nobody on the bid's team holds it yet
    assert "Drupal" in response.context["page"].uncovered
