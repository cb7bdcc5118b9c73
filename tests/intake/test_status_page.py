"""The client's status page (``/status/<token>/``) and its API twin tell one story for each kind
of help: one consultant (whom the client agrees the scope and rate with), a team's fixed-price
proposal (the team, the lead as the main contact, never the consultant's sentence), or a
referral; each with the stepper of its path, the current stage marked for screen readers.

The fixtures (languages and a fresh cache, ``offered``) are in tests/intake/conftest.py; the
team's proposal is ``team_proposal_sent`` in tests/intake/helpers.py.
"""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from intake.bids import states
from intake.models import Request
from tests.factories import ConsultantFactory, ExternalProfessionalFactory
from tests.helpers import consultant
from tests.intake.helpers import request_moved as move
from tests.intake.helpers import request_submitted as submit
from tests.intake.helpers import team_proposal_sent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_languages_and_cache")]

CONSULTANTS_SENTENCE = "you agree the scope and the rate with them, and pay them directly"


def page(token) -> str:
    response = APIClient().get(reverse("request-status", args=[token]))
    assert response.status_code == 200
    return response.content.decode()


def api(token) -> dict:
    response = APIClient().get(f"/api/v1/requests/status/{token}/")
    assert response.status_code == 200
    return response.json()


def stepper(html: str) -> list[tuple[str, bool]]:
    """The stepper's stages as (label, marked current), in order."""
    section = html[html.index('<ol class="stepper">') : html.index("</ol>", html.index("stepper"))]
    items = re.findall(
        r'<li class="step step-(\w+)"( aria-current="step")?>(.*?)</li>', section, re.S
    )
    return [
        (re.search(r'<span class="step-label">(.*?)</span>', body).group(1), bool(marked))
        for _, marked, body in items
    ]


@pytest.fixture
def team(intake_coordinator):
    """A request with a team's proposal sent: the lead and the second member, with rates the
    client must never read."""
    lead = ConsultantFactory(display_name="Team Lead Person", hourly_rate=Decimal("131.25"))
    second = ConsultantFactory(display_name="Team Second Person", hourly_rate=Decimal("88.75"))
    submission = submit()
    bid = team_proposal_sent(
        submission.request, lead=lead, member=second, coordinator=intake_coordinator
    )
    return submission, bid, lead, second


# --- One consultant -------------------------------------------------------------------------------


def test_one_consultant_completed_tells_the_consultants_story(offered, member, intake_coordinator):
    move(offered.request, "accept", member)
    move(offered.request, "complete", intake_coordinator)

    html = page(offered.status_token)

    assert "Your consultant" in html
    assert consultant(member).display_name in html and member.email in html
    assert CONSULTANTS_SENTENCE in html
    assert "The team's proposal" not in html
    assert stepper(html) == [
        ("Received", False),
        ("We contacted you", False),
        ("Finding your consultant", False),
        ("Work under way", False),
        ("Done", True),
    ]
    assert html.count('aria-current="step"') == 1
    assert html.count("(done)") == 4

    body = api(offered.status_token)
    assert body["kind"] == "single"
    assert body["consultant"]["email"] == member.email
    assert [step["state"] for step in body["steps"]] == ["done"] * 4 + ["current"]


def test_an_offer_under_way_shows_where_the_request_stands(offered):
    html = page(offered.status_token)

    assert ("Finding your consultant", True) in stepper(html)
    assert "Your consultant" not in html
    assert CONSULTANTS_SENTENCE not in html


# --- A team ---------------------------------------------------------------------------------------


def test_a_sent_proposal_names_the_team_and_the_lead_as_main_contact(team):
    submission, _bid, lead, second = team

    html = page(submission.status_token)

    assert "The team's proposal" in html
    assert "USD\u00a07,777.00" in html
    assert "Team Lead Person" in html and "Team Second Person" in html
    assert "Lead, your main contact" in html
    assert f'href="mailto:{lead.user.email}"' in html
    assert second.user.email not in html
    assert CONSULTANTS_SENTENCE not in html and "Your consultant" not in html
    assert ("Proposal sent", True) in stepper(html)
    for private in ("131.25", "88.75"):
        assert private not in html


def test_a_teams_completed_work_tells_only_the_teams_story(team, intake_coordinator):
    """What a completed team bid showed before: the consultant's sentence beside the team's
    proposal, and only the lead's contact."""
    submission, bid, lead, second = team
    states.bid_decide(bid_id=bid.pk, actor=intake_coordinator, won=True)
    # The settlement's own rules are tested with the bids; here only what the client reads.
    Request.objects.filter(pk=submission.request.pk).update(status=Request.Status.COMPLETED)

    html = page(submission.status_token)

    assert CONSULTANTS_SENTENCE not in html
    assert "Your consultant" not in html
    assert "The team's proposal" in html and "USD\u00a07,777.00" in html
    assert "Team Lead Person" in html and "Team Second Person" in html
    assert f'href="mailto:{lead.user.email}"' in html
    assert [label for label, _ in stepper(html)] == [
        "Received",
        "We contacted you",
        "A team is preparing a proposal",
        "Proposal sent",
        "Work under way",
        "Done",
    ]
    assert ("Done", True) in stepper(html)

    body = api(submission.status_token)
    assert body["kind"] == "team"
    assert body["consultant"] is None
    assert body["bid"]["members"] == [
        {"display_name": "Team Lead Person", "lead": True, "email": lead.user.email},
        {"display_name": "Team Second Person", "lead": False, "email": ""},
    ]


def test_an_engaged_team_reads_as_the_team_at_work(team, intake_coordinator):
    submission, bid, _lead, _second = team
    states.bid_decide(bid_id=bid.pk, actor=intake_coordinator, won=True)

    html = page(submission.status_token)

    assert "The team is working with you" in html
    assert ("Work under way", True) in stepper(html)
    assert CONSULTANTS_SENTENCE not in html


def test_a_proposal_not_taken_up_closes_the_story(team, intake_coordinator):
    submission, bid, lead, _second = team
    states.bid_decide(bid_id=bid.pk, actor=intake_coordinator, won=False)

    html = page(submission.status_token)

    assert "You did not take up this proposal, so the request is closed." in html
    assert ("Proposal not taken up", True) in stepper(html)
    assert lead.user.email not in html  # nobody to write to about a closed proposal
    assert "your main contact" not in html


# --- A referral -----------------------------------------------------------------------------------


def test_a_referral_names_who_we_recommend(intake_coordinator):
    submission = submit()
    professional = ExternalProfessionalFactory(name="Outside Bookkeeping Help")
    move(submission.request, "contact", intake_coordinator)
    move(
        submission.request,
        "refer_out",
        intake_coordinator,
        professionals=[professional.pk],
        message="They know nonprofit payroll.",
    )

    html = page(submission.status_token)

    assert "Who we recommend" in html and "Outside Bookkeeping Help" in html
    assert stepper(html) == [
        ("Received", False),
        ("We contacted you", False),
        ("Referred to other professionals", True),
    ]
    assert CONSULTANTS_SENTENCE not in html and "The team's proposal" not in html
    assert api(submission.status_token)["kind"] == "referral"


# --- What the page costs --------------------------------------------------------------------------


def test_the_status_page_reads_a_fixed_number_of_queries(
    team, offered, member, django_assert_max_num_queries
):
    move(offered.request, "accept", member)
    team_token = team[0].status_token
    # The request by its token's hash (with the consultant and their user), who covers the
    # engaged consultant's time away, its events, and a team's seats (with their bid and
    # members): the same for one consultant and a team.
    for token in (offered.status_token, team_token):
        with django_assert_max_num_queries(4):
            page(token)
