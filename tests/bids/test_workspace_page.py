"""A bid's workspace as each person reads it (``intake/bids/views.py``, ``workspace.py``): who may
open it, what money each person sees, the lead's team-building forms, the skills covered and the
invite list, and what a read costs."""

import pytest

from intake.bids import terms
from tests.bids.page_helpers import (
    BOARD_CODES,
    LEAD_RATE,
    PRICE,
    SECOND_RATE,
    login_redirect,
    proposed,
    settled,
    url,
)
from tests.factories import ConsultantSkillFactory, SkillFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_index")]


# --- Who may open each page -----------------------------------------------------------------

WORKSPACE_CODES = BOARD_CODES


@pytest.mark.parametrize("role", WORKSPACE_CODES)
def test_who_may_open_the_workspace(signed_in, people, bid, role):
    client = signed_in(people[role])
    response = client.get(url("bid-workspace", bid))
    assert response.status_code == WORKSPACE_CODES[role]
    if role == "anonymous":
        assert response["Location"] == login_redirect(url("bid-workspace", bid))


def test_an_unknown_bid_is_a_404(signed_in, people):
    assert signed_in(people["lead"]).get("/bids/999999/").status_code == 404


# --- The workspace: what each person sees ---------------------------------------------------


def test_other_members_see_the_team_and_status_but_no_money(signed_in, people, bid):
    html = signed_in(people["other member"]).get(url("bid-workspace", bid)).content.decode()
    assert "Lead Member" in html and "Second Member" in html and "Draft" in html
    for money in (PRICE, LEAD_RATE, SECOND_RATE, "Planned payout", "Agreement, version"):
        assert money not in html
    assert "What happened" not in html  # the event log is the team's
    assert 'action="/bids/' not in html  # no action to take


def test_the_team_sees_the_agreement_and_rates(signed_in, people, bid):
    html = signed_in(people["team member"]).get(url("bid-workspace", bid)).content.decode()
    agreement = terms.current_agreement(bid)
    assert f"Agreement, version {agreement.number}" in html
    assert PRICE in html and LEAD_RATE in html and SECOND_RATE in html
    assert "SHARED-RISK RATE AGREEMENT" in html
    assert "What happened" in html and "Joined the team" in html
    assert "Change the terms" not in html  # the lead's


def test_the_lead_gets_the_team_building_forms(signed_in, people, bid):
    html = signed_in(people["lead"]).get(url("bid-workspace", bid)).content.decode()
    for part in (
        "Invite a member",
        "Proposed teams",
        "Change the terms",
        "Send for signature",
        "Withdraw the bid",
    ):
        assert part in html


def test_uncovered_skills_are_listed(signed_in, people, bid):
    html = signed_in(people["other member"]).get(url("bid-workspace", bid)).content.decode()
    # The lead holds CiviCRM, the second member web accessibility (any case); nobody Drupal.
    assert "CiviCRM: Lead Member" in html
    assert "web accessibility: Second Member" in html
    assert "Still uncovered by the members invited or on the team: <strong>Drupal</strong>" in html


def test_the_invite_select_is_filtered_by_skill(signed_in, people, bid):
    drupal = SkillFactory(name="Drupal")
    ConsultantSkillFactory(consultant=people["_third"], skill=drupal)
    client = signed_in(people["lead"])
    html = client.get(url("bid-workspace", bid) + "?skill=drupal").content.decode()
    select = html.split('id="invite_consultant"', 1)[1].split("</select>", 1)[0]
    assert "Third Member" in select and "Other Member" not in select
    everyone = client.get(url("bid-workspace", bid)).content.decode()
    select = everyone.split('id="invite_consultant"', 1)[1].split("</select>", 1)[0]
    assert "Other Member" in select and "Second Member" not in select  # already on the team


def test_the_workspace_runs_a_bounded_number_of_queries(
    signed_in, people, bid, django_assert_max_num_queries
):
    client = signed_in(people["lead"])
    client.get(url("bid-workspace", bid))  # builds the matching index
    # session, user, roles, member record; the bid with request and lead; the seat look-ups of
    # bid_seat and sees_bid_money; the members; their skills and the skills' aliases; the
    # current agreement, its signatures, the version history, the events with their actors;
    # the invite list; the proposed teams (index stamp, collaboration pairs, languages); the
    # volunteers; the group coordinator check: about 22, whatever the team's size.
    with django_assert_max_num_queries(24):
        response = client.get(url("bid-workspace", bid))
    assert response.status_code == 200


@pytest.mark.parametrize("stage", ["proposed", "settled"])
def test_a_settled_workspace_runs_a_bounded_number_of_queries(
    signed_in, people, bid, intake_coordinator, django_assert_max_num_queries, stage
):
    bid = {"proposed": proposed, "settled": settled}[stage](bid, people, intake_coordinator)
    client = signed_in(people["team member"])
    # as above without the team-building reads, plus the statement, its approvals, the
    # disputed statements and the hours.
    with django_assert_max_num_queries(20):
        response = client.get(url("bid-workspace", bid))
    assert response.status_code == 200
