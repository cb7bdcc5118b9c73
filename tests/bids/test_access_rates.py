"""Members' standard rates on bids (intake/bid_serializers.py, intake/bid_views.py,
``bid_access.sees_bid_rate``). The directory shows a rate only to coordinators and the member
themself; a bid shows a member's rate to the team once that member has accepted their seat (they
agreed to the agreement's terms, which need it), and before that only to those who may see
rates. Every place a bid shows a rate, or a figure one follows from, is checked here.

The members' rates are unusual numbers (``77.77``), so their absence from an answer is the
absence of the rate, not of some other figure.
"""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from intake.bids import settlement, states, team, terms, work
from intake.bids.models import Bid, BidMember
from intake.bids.selectors import proposed_teams
from intake.models import Request
from network.models import Consultant, User
from tests.factories import (
    ConsultantFactory,
    ConsultantSkillFactory,
    RequestFactory,
    SkillFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_index")]

LEAD_RATE = "101.11"
SECOND_RATE = "83.33"
INVITED_RATE = "77.77"


@pytest.fixture
def people(db, intake_coordinator):
    """A lead, a second member who accepts, and a third who is only invited; each holds one
    of the request's three skills, so the engine proposes the three of them as a team."""
    members = {}
    for key, name, rate, skill in (
        ("lead", "Lead Member", LEAD_RATE, "CiviCRM"),
        ("second", "Second Member", SECOND_RATE, "Web accessibility"),
        ("invited", "Invited Member", INVITED_RATE, "Drupal"),
    ):
        consultant = ConsultantFactory(
            status=Consultant.Status.ACTIVE, display_name=name, hourly_rate=Decimal(rate)
        )
        ConsultantSkillFactory(consultant=consultant, skill=SkillFactory(name=skill), level=5)
        members[key] = consultant
    members["coordinator"] = intake_coordinator
    members["outsider"] = ConsultantFactory(status=Consultant.Status.ACTIVE)
    return members


@pytest.fixture
def bid(people) -> Bid:
    """A draft: the second member accepted, the third invited and not yet answering."""
    request = RequestFactory(
        status=Request.Status.BIDDING,
        budget_max=Decimal("15000"),
        estimated_hours=120,
        skills=["CiviCRM", "Web accessibility", "Drupal"],
    )
    created = team.bid_create(
        request_id=request.pk,
        actor=people["lead"].user,
        price="9000.00",
        lead_estimated_hours="40",
        invite=[
            {"consultant": people["second"].pk, "role": "Accessibility", "estimated_hours": "30"},
            {"consultant": people["invited"].pk, "role": "Drupal", "estimated_hours": "20"},
        ],
    )
    team.bid_member_respond(bid_id=created.pk, actor=people["second"].user, accept=True)
    return Bid.objects.get(pk=created.pk)


def user_of(people, who):
    return people[who] if who == "coordinator" else people[who].user


def rates_in_api(api_as, user, bid) -> dict[int, str | None]:
    body = api_as(user).get(f"/api/v1/bids/{bid.pk}/").json()
    return {seat["consultant"]: seat["standard_rate"] for seat in body["members"]}


def workspace(client, user, bid) -> str:
    """The workspace's team section: the team table and the proposed teams."""
    client.force_login(User.objects.get(pk=user.pk))
    return client.get(reverse("bid-workspace", args=[bid.pk]) + "?section=team").content.decode()


# --- The invitation's answer and the bid's member list (API) -----------------------------------


def test_inviting_answers_without_the_invited_members_rate(api_as, people, bid):
    newcomer = ConsultantFactory(status=Consultant.Status.ACTIVE, hourly_rate=Decimal("66.66"))

    response = api_as(people["lead"].user).post(
        f"/api/v1/bids/{bid.pk}/invite/",
        {"consultant": newcomer.pk, "role": "QA", "estimated_hours": "5", "version": bid.version},
    )

    assert response.status_code == 201
    seat = next(s for s in response.json()["members"] if s["consultant"] == newcomer.pk)
    assert seat["status"] == "invited" and seat["standard_rate"] is None
    assert "66.66" not in response.content.decode()


def test_starting_a_bid_with_invitations_answers_without_their_rates(api_as, people):
    request = RequestFactory(status=Request.Status.BIDDING)

    response = api_as(people["lead"].user).post(
        "/api/v1/bids/",
        {
            "request": request.pk,
            "price": "5000",
            "lead_estimated_hours": "10",
            "invite": [{"consultant": people["invited"].pk, "role": "QA", "estimated_hours": 5}],
        },
        format="json",
    )

    assert response.status_code == 201
    assert INVITED_RATE not in response.content.decode()
    assert LEAD_RATE in response.content.decode()  # the lead's own rate


@pytest.mark.parametrize("who", ["lead", "second"])
def test_the_team_sees_the_rates_of_accepted_members_only(api_as, people, bid, who):
    rates = rates_in_api(api_as, user_of(people, who), bid)

    assert rates == {
        people["lead"].pk: LEAD_RATE,
        people["second"].pk: SECOND_RATE,
        people["invited"].pk: None,
    }


@pytest.mark.parametrize("who", ["invited", "coordinator"])
def test_the_invited_member_and_coordinators_see_the_invited_rate(api_as, people, bid, who):
    rates = rates_in_api(api_as, user_of(people, who), bid)

    assert rates[people["invited"].pk] == INVITED_RATE


def test_a_rate_reaches_the_team_once_the_member_accepts(api_as, people, bid):
    team.bid_member_respond(bid_id=bid.pk, actor=people["invited"].user, accept=True)

    rates = rates_in_api(api_as, people["lead"].user, bid)

    assert rates[people["invited"].pk] == INVITED_RATE


def test_the_bid_list_hides_the_invited_rate_too(api_as, people, bid):
    response = api_as(people["second"].user).get("/api/v1/bids/")

    assert response.status_code == 200
    assert INVITED_RATE not in response.content.decode()
    assert SECOND_RATE in response.content.decode()


# --- The workspace: the team table and the proposed teams --------------------------------------


@pytest.mark.parametrize("who", ["lead", "second"])
def test_the_workspace_hides_the_rate_of_a_member_who_has_not_joined(client, people, bid, who):
    html = workspace(client, user_of(people, who), bid)

    assert LEAD_RATE in html and SECOND_RATE in html
    assert INVITED_RATE not in html
    assert "Shown once they join the team" in html


def test_the_workspace_hides_the_rate_of_a_member_who_declined(client, people, bid):
    team.bid_member_respond(bid_id=bid.pk, actor=people["invited"].user, accept=False)

    html = workspace(client, people["lead"].user, bid)

    assert "Invited Member" in html and INVITED_RATE not in html


def test_a_coordinator_sees_every_rate_in_the_workspace(client, people, bid):
    html = workspace(client, people["coordinator"], bid)

    assert INVITED_RATE in html


def test_the_lead_sees_no_blended_rate_or_cost_of_a_team_with_others_rates(client, people, bid):
    """Two members' blend and one member's rate give the other's: the blend and the cost of
    a proposed team are left out unless the reader may see every rate in it."""
    BidMember.objects.filter(bid=bid, consultant=people["invited"]).update(status="removed")

    html = workspace(client, people["lead"].user, bid)

    teams = html.split('class="move-list proposed-teams"', 1)[1].split("</ol>", 1)[0]
    assert "Invited Member" in teams  # the engine proposes them
    assert "Planned blended rate" not in teams and "Estimated cost" not in teams
    assert "team-rates-hidden" in teams


def test_a_coordinator_sees_the_blended_rate_and_cost_of_proposed_teams(client, people, bid):
    html = workspace(client, people["coordinator"], bid)

    teams = html.split('class="move-list proposed-teams"', 1)[1].split("</ol>", 1)[0]
    assert "Planned blended rate" in teams and "Estimated cost" in teams


def test_proposed_teams_carry_no_rate_for_a_reader_who_may_not_see_them(people, bid):
    """The values themselves, not only the page: rates, blend, cost and the engine's
    explanation (which names each member's rate) are all left out."""
    BidMember.objects.filter(bid=bid, consultant=people["invited"]).update(status="removed")
    accepted = {people["lead"].pk, people["second"].pk}

    hidden = proposed_teams(bid.request, reader=people["lead"].user, accepted=accepted)
    shown = proposed_teams(bid.request, reader=people["coordinator"], accepted=accepted)

    assert hidden and all(proposal.rates_hidden for proposal in hidden)
    for proposal in hidden:
        assert proposal.planned_blended_rate is None and proposal.estimated_cost is None
        assert proposal.explanation == [] and all(m.rate is None for m in proposal.members)
    assert not any(proposal.rates_hidden for proposal in shown)
    assert any(proposal.planned_blended_rate is not None for proposal in shown)


def test_a_team_of_accepted_members_shows_its_blend_to_the_team(people, bid):
    accepted = {people["lead"].pk, people["second"].pk, people["invited"].pk}

    teams = proposed_teams(bid.request, reader=people["lead"].user, accepted=accepted)

    assert teams and not any(proposal.rates_hidden for proposal in teams)


# --- Other places that could carry a rate ------------------------------------------------------


def test_the_agreement_draft_names_only_the_rates_of_accepted_members(api_as, people, bid):
    response = api_as(people["lead"].user).get(f"/api/v1/bids/{bid.pk}/agreement/")

    assert response.status_code == 200
    text = response.content.decode()
    assert LEAD_RATE in text and SECOND_RATE in text and INVITED_RATE not in text


def test_the_invite_list_names_members_without_their_rates(client, people, bid):
    newcomer = ConsultantFactory(
        status=Consultant.Status.ACTIVE, display_name="Candidate", hourly_rate=Decimal("66.66")
    )

    html = workspace(client, people["lead"].user, bid)

    select = html.split('id="invite_consultant"', 1)[1].split("</select>", 1)[0]
    assert newcomer.display_name in select and "66.66" not in select


@pytest.mark.parametrize("who", ["outsider", "invited"])
def test_the_bid_board_shows_no_rate(api_as, client, people, bid, who):
    user = people[who].user
    api = api_as(user).get("/api/v1/bid-board/").content.decode()
    client.force_login(User.objects.get(pk=user.pk))
    page = client.get(reverse("bid-board")).content.decode()

    for rate in (LEAD_RATE, SECOND_RATE, INVITED_RATE):
        assert rate not in api and rate not in page


def test_the_statement_csv_lists_the_rates_of_the_team_to_the_team_only(
    api_as, people, bid, intake_coordinator
):
    team.bid_member_remove(bid_id=bid.pk, actor=people["lead"].user,
                           consultant_id=people["invited"].pk)  # fmt: skip
    states.bid_send(bid_id=bid.pk, actor=people["lead"].user)
    number = terms.current_agreement(bid).number
    for who in ("lead", "second"):
        terms.agreement_sign(bid_id=bid.pk, actor=people[who].user, agreement_version=number)
    states.bid_submit(bid_id=bid.pk, actor=people["lead"].user)
    states.bid_decide(bid_id=bid.pk, actor=intake_coordinator, won=True)
    states.bid_start(bid_id=bid.pk, actor=people["lead"].user)
    work.hours_log(bid_id=bid.pk, actor=people["second"].user, date=timezone.localdate(),
                   hours="5")  # fmt: skip
    settlement.bid_settle(bid_id=bid.pk, actor=people["lead"].user)
    address = f"/api/v1/bids/{bid.pk}/statement/csv/"

    rows = list(csv.reader(io.StringIO(api_as(people["second"].user).get(address)
                                       .content.decode())))  # fmt: skip
    outsider = api_as(people["outsider"].user).get(address)
    removed = api_as(people["invited"].user).get(address)

    assert [row[2] for row in rows[1:3]] == [LEAD_RATE, SECOND_RATE]
    assert (outsider.status_code, removed.status_code) == (403, 403)
