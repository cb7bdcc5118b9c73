"""The teams panel the bids app adds to the coordinator's request page
(``intake/bids/receivers.py``, ``selectors.teams_panel_for``): proposed teams, the link to the
bid, when the panel shows, and what it costs."""

import pytest
from django.urls import reverse

from intake.models import Request
from tests.bids.page_helpers import url
from tests.factories import ConsultantFactory, ConsultantSkillFactory, RequestFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_index")]


# --- The teams panel on the coordinator's request page ----------------------------------------


def request_page(client_request) -> str:
    return reverse("intake-request", args=[client_request.pk])


def test_the_request_page_proposes_teams_to_coordinators(signed_in, people, bidding):
    html = signed_in(people["intake coordinator"]).get(request_page(bidding)).content.decode()
    assert "Proposed teams" in html
    assert "Lead Member" in html and "Second Member" in html
    assert "Planned blended rate" in html and "Estimated cost" in html
    assert "nobody has offered to lead yet" in html


def test_the_request_page_links_the_bid(signed_in, people, bid):
    html = signed_in(people["intake coordinator"]).get(request_page(bid.request)).content.decode()
    assert url("bid-workspace", bid) in html and "Team bid led by" in html


def test_no_teams_panel_on_a_small_request_just_submitted(signed_in, people):
    small = RequestFactory(status=Request.Status.SUBMITTED, estimated_hours=10)
    html = signed_in(people["intake coordinator"]).get(request_page(small)).content.decode()
    assert "Proposed teams" not in html


def test_a_large_request_gets_the_panel_early(signed_in, people):
    large = RequestFactory(status=Request.Status.CONTACTED, estimated_hours=200)
    html = signed_in(people["intake coordinator"]).get(request_page(large)).content.decode()
    assert "Proposed teams" in html and "Open for team bids" in html


def test_the_teams_panel_adds_a_bounded_number_of_queries(
    signed_in, people, bidding, django_assert_max_num_queries
):
    from tests.helpers import count_queries

    client = signed_in(people["intake coordinator"])
    client.get(request_page(bidding))  # builds the index
    # session, user, roles; the request twice (the gate, then with its relations) and its
    # languages; the member record; the move forms' look-ups; the suggestions panel (outside
    # professionals, index stamp, groups); the timeline, offers, referrals and engagements;
    # and the teams panel's own: the request's bid, the index stamp, the collaboration pairs.
    with django_assert_max_num_queries(20):
        client.get(request_page(bidding))
    few = count_queries(client, request_page(bidding))
    civicrm = people["_lead"].skills.get().skill
    for _ in range(10):
        ConsultantSkillFactory(consultant=ConsultantFactory(), skill=civicrm)
    client.get(request_page(bidding))  # rebuilds the index
    # Ten more candidates, the same queries: nothing in the panel reads per member.
    assert count_queries(client, request_page(bidding)) == few
