"""The whole journey of a request through the pages, each person in their own browser context:
a nonprofit submits the form, the intake coordinator contacts, triages and routes it, the group
coordinator offers it, one member declines, another accepts and reports the work done, staff
confirms the completion (ticking the box that says it closes the request for good), and the
client follows it all on the status page.

Screenshots of the form, the queue and the request page go to E2E_SCREENSHOT_DIR (default /tmp).
"""

import os
import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from intake.models import Offer, Request
from network import services
from network.roles import Role
from tests.factories import ConsultantGroupFactory
from tests.helpers import member_with_password

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(os.environ.get("E2E_SCREENSHOT_DIR", tempfile.gettempdir()))


@pytest.fixture
def desk(transactional_db):
    """An intake coordinator, a group with its coordinator, and two members of the group."""
    services.languages_ensure()
    intake = member_with_password(display_name="Intake Desk")
    services.user_grant_role(user=intake.user, role=Role.INTAKE_COORDINATOR)
    coordinator = member_with_password(display_name="Group Lead")
    group = ConsultantGroupFactory(name="Databases and CRM", coordinator=coordinator)
    first = member_with_password(display_name="Member A")
    second = member_with_password(display_name="Member B", website="https://member-b.example")
    group.members.add(coordinator, first, second)
    return {"intake": intake, "coordinator": coordinator, "first": first, "second": second}


def nav_to(page, group: str, link: str) -> None:
    """Follow ``link`` in the main navigation's ``group`` (a menu that opens on a click)."""
    nav = page.get_by_role("navigation", name="Main")
    nav.locator("summary", has_text=group).click()
    nav.get_by_role("link", name=link).click()


def open_request(page, title: str) -> None:
    nav_to(page, "Coordination", "Queue")
    page.get_by_role("link", name=re.compile(re.escape(title))).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def make_move(page, action: str, button: str, said: str, **fields) -> None:
    """Fill the move's card, press its button and find the message ``said`` (what happened)."""
    card = page.locator(f"#move-{action}")
    for label, value in fields.items():
        field = card.get_by_label(re.compile(rf"^{label}\b"))
        if field.evaluate("element => element.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)
    card.get_by_role("button", name=button).click()
    expect(page.get_by_role("status")).to_contain_text(said)


def test_a_request_goes_from_the_form_to_a_completed_engagement(
    new_page, desk, sign_in, live_server, settings
):
    # Status links are absolute; they must lead to the test's server.
    settings.SITE_URL = live_server.url
    title = "Our donor database needs cleaning up"

    # A nonprofit fills in the public form, anonymously.
    client = new_page()
    client.goto("/")
    client.locator(".hero").get_by_role("link", name="Request help").click()
    client.get_by_label("Organisation name").fill("Harbour Literacy Project")
    client.get_by_label("Organisation website").fill("harbour-literacy.example.org")
    client.get_by_label("Your name").fill("Office Desk")
    client.get_by_label("Your email address").fill("office@harbour-literacy.example.org")
    client.get_by_label("What do you need help with?").fill(title)
    client.get_by_label("Tell us more").fill("Duplicates everywhere; the year-end appeal is soon.")
    client.get_by_label("Systems or skills involved").fill("CiviCRM, data cleanup")
    client.get_by_label("High").check()
    client.get_by_label("Budget in US dollars").fill("2000")
    client.get_by_label("Spanish").check()
    client.screenshot(path=str(SCREENSHOTS / "intake-form.png"), full_page=True)
    client.get_by_role("button", name="Send request").click()

    expect(client.get_by_role("heading", level=1)).to_contain_text("your request has arrived")
    request = Request.objects.get()
    expect(client.locator(".panel-success")).to_contain_text(request.reference)
    client.locator(".status-link a").click()
    expect(client.get_by_role("heading", level=1)).to_have_text(title)
    expect(client.locator(".stage-panel")).to_contain_text("Received")
    status_url = client.url

    # The intake coordinator contacts the client, triages and routes to the group.
    intake = new_page()
    sign_in(intake, desk["intake"])
    nav_to(intake, "Coordination", "Queue")
    expect(intake.locator("#queue-results")).to_contain_text(request.reference)
    intake.screenshot(path=str(SCREENSHOTS / "intake-queue.png"), full_page=True)
    open_request(intake, title)
    intake.screenshot(path=str(SCREENSHOTS / "intake-request.png"), full_page=True)
    make_move(
        intake,
        "contact",
        "Record first contact",
        f"First contact with the client of {request.reference} recorded.",
        Note="Called; they use CiviCRM 5.",
    )
    make_move(intake, "triage", "Triage", f"{request.reference} triaged.", Urgency="High")
    make_move(
        intake,
        "route",
        "Route",
        f"{request.reference} routed to the Databases and CRM group.",
        Group="Databases and CRM",
    )
    expect(intake.locator(".badges")).to_contain_text("Routed")

    # The group coordinator offers it to member A, who declines with a reason.
    coordinator = new_page()
    sign_in(coordinator, desk["coordinator"])
    open_request(coordinator, title)
    make_move(
        coordinator,
        "offer",
        "Offer to a member",
        f"Offer of {request.reference} made to Member A; they have until",
        Member="Member A · in the group",
    )

    first = new_page()
    sign_in(first, desk["first"])
    nav_to(first, "My work", "My offers")
    offer_card = first.locator(".offer-card", has_text=title)
    expect(offer_card).not_to_contain_text("office@harbour-literacy.example.org")
    offer_card.get_by_text("Decline…").click()
    offer_card.get_by_role("button", name="Decline this offer").click()
    expect(first.locator("[data-error-summary]")).to_contain_text("Why are you declining?")
    first.locator(".offer-card", has_text=title).get_by_label("Why are you declining?").fill(
        "Fully booked until spring."
    )
    first.locator(".offer-card", has_text=title).get_by_role(
        "button", name="Decline this offer"
    ).click()
    expect(first.get_by_role("status")).to_contain_text(f"You declined {request.reference}")
    expect(first.locator(".data-table")).to_contain_text("Fully booked until spring.")

    # Offered again, to member B, who accepts and finds the client's contact details.
    coordinator.reload()
    make_move(
        coordinator,
        "offer",
        "Offer to a member",
        "made to Member B",
        Member="Member B · in the group",
    )
    second = new_page()
    sign_in(second, desk["second"])
    nav_to(second, "My work", "My offers")
    second.locator(".offer-card", has_text=title).get_by_role("button", name="Accept").click()
    expect(second.get_by_role("status")).to_contain_text(f"You accepted {request.reference}")
    nav_to(second, "My work", "My engagements")
    expect(second.locator(".offer-card")).to_contain_text("office@harbour-literacy.example.org")

    # Member B reports the work done; the request stays engaged until staff confirms it.
    second.locator(".offer-card", has_text=title).get_by_role(
        "button", name="Report the work done"
    ).click()
    expect(second.get_by_role("status")).to_contain_text(
        f"Work on {request.reference} reported done"
    )
    expect(second.locator(".offer-card", has_text=title)).to_contain_text(
        "waiting for a coordinator to confirm it"
    )

    # Staff confirms the completion: refused until the box is ticked, then made.
    intake.reload()
    expect(intake.locator("#work-reported")).to_contain_text("Work reported done by Member B")
    card = intake.locator("#move-complete")
    card.get_by_role("button", name="Mark completed").click()
    expect(intake.locator("[data-error-summary]")).to_contain_text("Tick the box to confirm")
    intake.locator("#move-complete").get_by_label(re.compile("closes .* for good")).check()
    intake.locator("#move-complete").get_by_role("button", name="Mark completed").click()
    expect(intake.get_by_role("status")).to_contain_text(f"{request.reference} marked completed.")
    timeline = intake.locator(".timeline")
    for step in (
        "Submitted",
        "Record first contact",
        "Triage",
        "Route",
        "Decline the offer",
        "Work reported done",
    ):
        expect(timeline).to_contain_text(step)
    expect(timeline).to_contain_text("Fully booked until spring.")

    # The client's status page shows the outcome and the consultant, and nothing internal.
    client.goto(status_url)
    expect(client.locator(".stage-panel")).to_contain_text("Completed")
    expect(client.locator('.stepper [aria-current="step"]')).to_contain_text("Done")
    heading = client.get_by_role("heading", name="Your consultant")
    consultant = client.locator("section", has=heading)
    expect(consultant).to_contain_text("Member B")
    expect(consultant).to_contain_text(desk["second"].user.email)
    expect(consultant).to_contain_text("you agree the scope and the rate with them")
    body = client.locator("body")
    for private in ("Member A", "Fully booked", "Called; they use CiviCRM"):
        expect(body).not_to_contain_text(private)

    request.refresh_from_db()
    assert request.status == Request.Status.COMPLETED
    assert request.engaged_consultant == desk["second"]
    assert list(request.offers.order_by("pk").values_list("status", flat=True)) == [
        Offer.Status.DECLINED,
        Offer.Status.ACCEPTED,
    ]
