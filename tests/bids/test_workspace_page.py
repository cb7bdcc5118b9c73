"""A bid's workspace as each person reads it (``intake/bids/views.py``, ``workspace.py``): who may
open it, what money each person sees, the lead's team-building forms, the skills covered and the
invite list. Its sections, stages and what each section costs: ``test_workspace_sections``."""

import re

import pytest

from intake.bids import terms
from tests.bids.page_helpers import (
    BOARD_CODES,
    LEAD_RATE,
    PRICE,
    SECOND_RATE,
    login_redirect,
    money,
    section,
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


@pytest.mark.parametrize("name", ["team", "agreement", "history", "hours", "settlement"])
def test_other_members_see_the_team_and_status_but_no_money(signed_in, people, bid, name):
    html = signed_in(people["other member"]).get(section(bid, name)).content.decode()
    assert "Lead Member" in html and "Second Member" in html and "Draft" in html
    for figure in ("12,345.67", "101.11", "83.33", "Planned payout", "Agreement, version"):
        assert figure not in html
    # The team's; the page's own address (the footer's switcher returns to it) is no link.
    assert "Latest activity" not in html and not re.search(r'href="[^"]*\?section=history', html)
    assert 'action="/bids/' not in html  # no action to take


def test_the_team_sees_the_agreement_and_rates(signed_in, people, bid):
    client = signed_in(people["team member"])
    html = client.get(url("bid-workspace", bid)).content.decode()
    agreement = terms.current_agreement(bid)
    assert f"Agreement, version {agreement.number}" in html
    assert money(PRICE) in html and money(LEAD_RATE) in html and money(SECOND_RATE) in html
    assert "SHARED-RISK RATE AGREEMENT" in html
    latest = html.split('class="bid-latest"', 1)[1].split("</p>", 1)[0]
    assert "<strong>Joined the team</strong>" in latest
    # The member who joined is both the subject and the actor: named once.
    assert latest.count("Second Member") == 1
    assert "Change the terms" not in html  # the lead's
    history = client.get(section(bid, "history")).content.decode()
    assert "Joined the team" in history and "Started the bid" in history


def test_the_lead_gets_the_team_building_forms(signed_in, people, bid):
    client = signed_in(people["lead"])
    team_html = client.get(section(bid, "team")).content.decode()
    for part in ("Invite a member", "Proposed teams"):
        assert part in team_html
    agreement_html = client.get(section(bid, "agreement")).content.decode()
    for part in ("Change the terms", "Send for signature", "Withdraw the bid"):
        assert part in agreement_html


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
    html = client.get(section(bid, "team") + "&skill=drupal").content.decode()
    select = html.split('id="invite_consultant"', 1)[1].split("</select>", 1)[0]
    assert "Third Member" in select and "Other Member" not in select
    everyone = client.get(section(bid, "team")).content.decode()
    select = everyone.split('id="invite_consultant"', 1)[1].split("</select>", 1)[0]
    assert "Other Member" in select and "Second Member" not in select  # already on the team
