"""The group coordinator's journey, at 1280 and at 390 px: signing in lands on the desk, whose
panel of the group's requests lists the request the intake desk routed to the group; on its page
the coordinator offers it to a member of the group, and the page shows the offer waiting for that
member's answer. Every page is checked by the journey harness (tests/e2e/journey.py)."""

import re

import pytest
from playwright.sync_api import expect

from intake.models import Offer, Request
from tests.e2e.journeys_setup import intake_desk, request_routed

pytestmark = pytest.mark.e2e

TITLE = "Volunteer shift sign-ups keep double-booking"


def test_the_group_coordinator_offers_a_routed_request(person, transactional_db):
    desk = intake_desk()
    request = request_routed(desk, TITLE, skills=["Google Workspace"])

    # The desk lists the routed request among the group's.
    coordinator = person(desk["coordinator"])
    page = coordinator.page
    expect(page).to_have_url(re.compile(r"/desk/$"))
    panel = page.get_by_role("region", name="Your group's requests")
    expect(panel).to_contain_text(TITLE)
    coordinator.check()

    # Its page: the coordinator offers it to Member A.
    panel.get_by_role("link", name=re.compile(re.escape(TITLE))).first.click()
    coordinator.heading(TITLE)
    coordinator.check()
    coordinator.submit("Offer to a member", {"Member": "Member A"})
    coordinator.done(f"Offer of {request.reference} made to Member A")
    coordinator.check()
    offers = page.get_by_role("region", name="Offers")
    expect(offers).to_contain_text("Member A")

    offer = Offer.objects.get(request=request)
    assert (offer.consultant, offer.status) == (desk["first"], Offer.Status.PENDING)
    assert Request.objects.get(pk=request.pk).status == Request.Status.OFFERED
