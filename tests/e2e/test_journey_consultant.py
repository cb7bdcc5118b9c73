"""A consultant's journey: signing in lands on the desk, which shows the offer waiting; the member
accepts it on My offers, finds the client's contact on My engagements and reports the work done;
the intake coordinator confirms it by marking the request completed, and the client's status page
says so and names the consultant. Every page is checked by the journey harness
(tests/e2e/journey.py) at 1280 px and, as it stands at that step, on the person's phone at
390 px."""

import re

import pytest
from playwright.sync_api import expect

from intake.models import Request
from tests.e2e.journeys_setup import intake_desk, request_moved, request_submitted

pytestmark = pytest.mark.e2e

TITLE = "Move our email from an old server to Microsoft 365"
CLIENT_EMAIL = "office@senior-services-network.example.org"


def test_a_consultant_accepts_an_offer_and_reports_the_work_done(
    person_at_both_sizes, transactional_db
):
    person = person_at_both_sizes
    desk = intake_desk()
    submission = request_submitted(
        TITLE, organization="Senior Services Network", skills=["Microsoft 365"]
    )
    request = request_moved(
        submission.request,
        desk["intake"],
        "contact",
        "triage",
        ("route", {"group": desk["group"].pk}),
    )
    request = request_moved(
        request, desk["coordinator"].user, ("offer", {"consultant": desk["second"].pk})
    )

    # The desk shows the offer; My offers holds it, without the client's contact.
    member = person(desk["second"])
    page = member.page
    expect(page).to_have_url(re.compile(r"/desk/$"))
    panel = page.get_by_role("region", name="Your offers and engagements")
    expect(panel).to_contain_text(TITLE)
    member.check()
    panel.get_by_role("link", name="All my offers").click()
    member.heading("My offers")
    member.check()
    card = page.locator(".offer-card", has_text=TITLE)
    expect(card).not_to_contain_text(CLIENT_EMAIL)

    # Accepted: My engagements gives the client's contact.
    member.submit("Accept", within=card)
    member.done(f"You accepted {request.reference}")
    member.check()
    member.visit("/my/engagements/")
    member.heading("My engagements")
    expect(page.get_by_role("main")).to_contain_text(CLIENT_EMAIL)

    # The member reports the work done; the request stays engaged until a coordinator confirms.
    member.submit("Report the work done", {"Note": "Mail moved; staff trained."})
    member.done(f"Work on {request.reference} reported done")
    member.check()
    request.refresh_from_db()
    assert request.status == Request.Status.ENGAGED
    assert request.done_reported_by == desk["second"].user

    # The intake coordinator confirms: the request is completed.
    intake = person(desk["intake"])
    intake.visit(f"/coordination/requests/{request.pk}/")
    intake.heading(TITLE)
    intake.submit("Mark completed", {"I understand this closes": True})
    intake.done(f"{request.reference} marked completed")
    intake.check()
    assert Request.objects.get(pk=request.pk).status == Request.Status.COMPLETED

    # The client reads it on the status page, with their consultant.
    client = person()
    client.visit(f"/status/{submission.status_token}/")
    expect(client.page.get_by_role("heading", name=re.compile("Completed"))).to_be_visible()
    consultant = client.page.get_by_role("region", name="Your consultant")
    expect(consultant).to_contain_text("Member B")
