"""The bid workspace as stages, in a real browser at 1280 and 390 px: a bid at work with 30 hours
entries opens on its hours under the stepper (the current stage marked for screen readers), the
tabs switch sections with JavaScript off, every section passes axe-core, nothing scrolls sideways
on a phone, and the page at 1280 px stays under 2,500 px tall however long the history grows.

Screenshots of each section at each size go to E2E_SCREENSHOT_DIR when it is set.
"""

import datetime
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from intake.bids import work
from intake.models import Request
from matching import adapter
from network import services
from network.roles import Role
from tests.e2e.conftest import DESKTOP, PHONE
from tests.factories import RequestFactory
from tests.helpers import axe_report, axe_violations, bid_at_work, member_with_password

pytestmark = pytest.mark.e2e

SIZES = {"1280": DESKTOP, "390": PHONE}
TITLE = "A volunteer scheduling system for three sites"
SECTIONS = ("Team", "Agreement", "Hours", "Settlement", "History")
ENTRIES = 30
MAX_HEIGHT = 2500


@pytest.fixture
def at_work(transactional_db):
    """A two-member bid at work for a week with 30 hours entries between them."""
    services.languages_ensure()
    adapter.forget_index()
    intake = member_with_password(display_name="Intake Desk")
    services.user_grant_role(user=intake.user, role=Role.INTAKE_COORDINATOR)
    lead = member_with_password(display_name="Bid Lead")
    member = member_with_password(display_name="Team Member")
    request = RequestFactory(
        status=Request.Status.BIDDING,
        title=TITLE,
        budget_max=Decimal("12000"),
        estimated_hours=90,
        skills=["CiviCRM", "Data migration"],
    )
    bid = bid_at_work(
        request=request, lead=lead, member=member, coordinator=intake.user, price="12000"
    )
    today = timezone.localdate()
    for number in range(ENTRIES):
        who = (lead, member)[number % 2]
        day = today - datetime.timedelta(days=(number // 2) % 8)
        work.hours_log(
            bid_id=bid.pk,
            actor=who.user,
            date=day,
            hours="1.5",
            note=f"Session {number + 1}: interviews, data mapping and the volunteer rota",
        )
    yield {"bid": bid, "lead": lead, "member": member}
    adapter.forget_index()


def screenshot(page, name: str, size: str) -> None:
    folder = os.environ.get("E2E_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/bid-{name}-{size}.png", full_page=True)


def fits(page, address: str) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{address} scrolls sideways by {overflow}px"


@pytest.mark.parametrize("size", SIZES)
def test_the_workspace_opens_on_the_current_stage_under_the_stepper(
    new_page, at_work, sign_in, size
):
    page = new_page(viewport=SIZES[size])
    sign_in(page, at_work["member"])
    address = f"/bids/{at_work['bid'].pk}/"

    page.goto(address)

    stepper = page.locator(".bid-stepper")
    expect(stepper).to_be_visible()
    expect(stepper.locator("li")).to_have_count(7)
    current = stepper.locator('[aria-current="step"]')
    expect(current).to_have_count(1)
    assert " ".join(current.text_content().split()) == "6 Stage 6 of 7: Work, current"
    expect(stepper.locator(".bid-stage-done")).to_have_count(5)
    expect(page.get_by_role("heading", level=2, name="Hours", exact=True)).to_be_visible()
    expect(page.locator(".hours-entries tbody tr")).to_have_count(ENTRIES)
    expect(page.locator(".bid-latest")).to_contain_text("Latest activity: Logged hours")
    tabs = page.get_by_role("navigation", name="Sections of the bid")
    expect(tabs.get_by_role("link")).to_have_text(list(SECTIONS))
    expect(tabs.locator('[aria-current="page"]')).to_have_text("Hours")
    fits(page, address)
    if size == "1280":
        height = page.evaluate("document.body.scrollHeight")
        assert height < MAX_HEIGHT, f"the workspace is {height}px tall at 1280px"


@pytest.mark.parametrize("size", SIZES)
def test_the_tabs_work_without_javascript(new_page, at_work, sign_in, size):
    page = new_page(viewport=SIZES[size], javascript_enabled=False)
    sign_in(page, at_work["lead"])
    page.goto(f"/bids/{at_work['bid'].pk}/")
    tabs = page.get_by_role("navigation", name="Sections of the bid")

    for label in ("History", "Team", "Agreement", "Settlement", "Hours"):
        tabs.get_by_role("link", name=label, exact=True).click()
        expect(page).to_have_url(f"{page.url.split('?')[0]}?section={label.lower()}")
        heading = page.locator(".bid-section > h2")
        expect(heading).to_have_count(1)
        expect(heading).to_contain_text(label)
        expect(tabs.locator('[aria-current="page"]')).to_have_text(label)

    # The history pages through every event, twenty at a time, still without JavaScript.
    tabs.get_by_role("link", name="History", exact=True).click()
    expect(page.locator(".timeline-entry")).to_have_count(20)
    page.get_by_role("navigation", name="Pages of the bid's history").get_by_role(
        "link", name="Next page"
    ).click()
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    expect(page.locator(".timeline-entry").first).to_be_visible()


@pytest.mark.parametrize("size", SIZES)
def test_every_section_passes_axe_and_fits_the_screen(new_page, at_work, sign_in, size):
    page = new_page(viewport=SIZES[size])
    sign_in(page, at_work["lead"])

    for section in SECTIONS:
        address = f"/bids/{at_work['bid'].pk}/?section={section.lower()}"
        response = page.goto(address)
        assert response.status == 200, address
        violations = axe_violations(page)
        assert violations == [], axe_report(address, violations)
        fits(page, address)
        screenshot(page, section.lower(), size)
