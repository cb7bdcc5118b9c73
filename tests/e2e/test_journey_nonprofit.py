"""A nonprofit's journey, anonymous from start to end, at 1280 and at 390 px: the home page, the
request form (refused once for a missing field, then sent), the thanks page with the reference
and the private status link, and the status page, which names the stage the request is at and
follows it as the intake desk moves it. Every page is checked by the journey harness
(tests/e2e/journey.py): axe-core, no sideways scroll, no server error."""

import re

import pytest
from playwright.sync_api import expect

from intake.models import Request
from tests.e2e.journeys_setup import intake_desk, request_moved

pytestmark = pytest.mark.e2e

TITLE = "Our donor database needs cleaning up"
EMAIL = "office@harbour-literacy.example.org"
NOTE = "Called the office; they use CiviCRM 5."


def stage(client, label: str) -> None:
    """The status page names ``label`` as the request's current stage."""
    expect(client.page.get_by_role("heading", name=re.compile(re.escape(label)))).to_be_visible()


def test_a_nonprofit_asks_for_help_and_follows_its_request(
    person, transactional_db, live_server, settings
):
    # Status links are absolute; they must lead to the test's server.
    settings.SITE_URL = live_server.url
    desk = intake_desk()
    client = person()
    page = client.page

    # The home page leads to the request form.
    client.visit("/")
    page.get_by_role("main").get_by_role("link", name="Request help").first.click()
    client.heading(re.compile("request", re.I))
    client.check()

    # Sent without an email address: refused, the field says why, nothing is stored.
    page.get_by_label("Organisation name").fill("Harbour Literacy Project")
    page.get_by_label("Organisation website").fill("harbour-literacy.example.org")
    page.get_by_label("Your name").fill("Office Desk")
    page.get_by_label("What do you need help with?").fill(TITLE)
    page.get_by_label("Tell us more").fill("Duplicates everywhere; the year-end appeal is soon.")
    page.get_by_label("Systems or skills involved").fill("CiviCRM, data cleanup")
    page.get_by_label("High").check()
    page.get_by_label("Budget in US dollars").fill("2000")
    page.get_by_label("Spanish").check()
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.get_by_role("button", name="Send request").click()
    assert posted.value.status == 400
    expect(page.get_by_label("Your email address")).to_have_attribute("aria-invalid", "true")
    client.check()
    assert not Request.objects.exists()

    # Completed and sent: the thanks page gives the reference and the private link.
    page.get_by_label("Your email address").fill(EMAIL)
    page.get_by_role("button", name="Send request").click()
    client.heading(re.compile("your request has arrived"))
    client.check()
    request = Request.objects.get()
    expect(page.get_by_role("main")).to_contain_text(request.reference)
    status_link = page.get_by_role("main").get_by_role("link", name=re.compile(r"status"))
    status_link.click()

    # The status page names the stage.
    client.heading(TITLE)
    stage(client, "Received")
    client.check()
    status_path = re.sub(r"^https?://[^/]+", "", page.url)

    # The intake desk contacts the client and triages: the page follows.
    request_moved(request, desk["intake"], ("contact", {"note": NOTE}))
    client.visit(status_path, check=False)
    stage(client, "We have been in touch")
    request_moved(request, desk["intake"], "triage", ("route", {"group": desk["group"].pk}))
    client.visit(status_path)
    stage(client, "With a group of consultants")
    # Nothing internal reaches the client: notes, who moved it, the group's members.
    body = page.locator("body")
    for private in (NOTE, "Group Lead", desk["first"].display_name):
        expect(body).not_to_contain_text(private)
