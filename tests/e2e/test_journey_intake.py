"""The intake coordinator's journey: signing in lands on the desk, whose intake panel leads to the
queue; from the queue a new request, which the coordinator contacts, triages and routes to a
consultant group; a second request nobody in the alliance can serve is referred to an outside
professional, and its client's status page says who to contact. Every page is checked by the journey
harness (tests/e2e/journey.py) at 1280 px and, as it stands at that step, on the person's phone at
390 px."""

import re

import pytest
from playwright.sync_api import expect

from intake.models import Request
from tests.e2e.journeys_setup import GROUP, PROFESSIONAL, intake_desk, request_submitted

pytestmark = pytest.mark.e2e

TITLE = "Our donor database needs cleaning up"
OUTSIDE = "Custom broadcast scheduling software"


def moved(journey, said: str) -> None:
    """The request page says what the move did (``said``), and passes the checks."""
    journey.done(said)
    journey.check()


def test_the_intake_coordinator_works_the_queue(
    person_at_both_sizes, transactional_db, live_server, settings
):
    person = person_at_both_sizes
    settings.SITE_URL = live_server.url
    desk = intake_desk()
    request = request_submitted(TITLE).request
    outside = request_submitted(
        OUTSIDE,
        organization="Community Radio Cooperative",
        skills=["Broadcast automation"],
        description="Bespoke software to schedule our broadcasts.",
    )

    # Signing in lands on the desk; its intake panel counts the new requests.
    intake = person(desk["intake"])
    page = intake.page
    expect(page).to_have_url(re.compile(r"/desk/$"))
    intake.heading("Your desk")
    panel = page.get_by_role("region", name="Intake queue")
    expect(panel).to_contain_text("2")
    intake.check()

    # The queue lists both; the coordinator opens the first.
    panel.get_by_role("link", name="Open the queue").click()
    intake.heading(re.compile("queue", re.I))
    for reference in (request.reference, outside.request.reference):
        expect(page.get_by_role("main")).to_contain_text(reference)
    intake.check()
    page.get_by_role("main").get_by_role("link", name=re.compile(re.escape(TITLE))).click()
    intake.heading(TITLE)
    intake.check()

    # Contact, triage, route to the group.
    intake.submit("Record first contact", {"Note": "Called; they use CiviCRM 5."})
    moved(intake, f"First contact with the client of {request.reference} recorded")
    intake.submit("Triage", {"Urgency": "High"})
    moved(intake, f"{request.reference} triaged")
    intake.submit("Route", {"Group": GROUP})
    moved(intake, f"{request.reference} routed to")
    expect(page.get_by_role("main")).to_contain_text("Routed")
    request.refresh_from_db()
    assert (request.status, request.assigned_group) == (Request.Status.ROUTED, desk["group"])

    # The second request: nobody in the alliance builds broadcast software. Refer it out.
    intake.visit(f"/coordination/requests/{outside.request.pk}/")
    intake.heading(OUTSIDE)
    intake.submit("Record first contact")
    moved(intake, f"First contact with the client of {outside.request.reference} recorded")
    message = "Nobody in the alliance builds broadcast software; this engineer does."
    intake.submit(
        "Refer to outside professionals",
        {
            "Outside professionals to recommend": [PROFESSIONAL],
            "Message to the client": message,
            "I understand this closes": True,
        },
    )
    moved(intake, f"{outside.request.reference} referred to {PROFESSIONAL}")
    assert Request.objects.get(pk=outside.request.pk).status == Request.Status.REFERRED_OUT

    # The client reads who to contact on the status page.
    client = person()
    client.visit(f"/status/{outside.status_token}/")
    expect(
        client.page.get_by_role("heading", name=re.compile("Referred to outside professionals"))
    ).to_be_visible()
    expect(client.page.get_by_role("main")).to_contain_text(PROFESSIONAL)
    expect(client.page.get_by_role("main")).to_contain_text(message)
