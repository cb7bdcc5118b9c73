"""The client's status page in a real browser, for each kind of help: one consultant at work, a
team's proposal at work and a referral; on a desktop (1280 px) and a phone (390 px). The
stepper shows the kind's path with the current stage marked, the page fits the screen without
sideways scrolling, and axe-core finds no serious or critical accessibility violation.

Set E2E_SCREENSHOT_DIR to keep a full-page screenshot of each page at each size.
"""

import os
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from intake import services as intake_services
from intake.workflow import request_apply
from matching import adapter
from network import services
from network.roles import Role
from tests.factories import ConsultantFactory, ExternalProfessionalFactory
from tests.helpers import axe_report, axe_violations, bid_at_work

pytestmark = pytest.mark.e2e

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def _submitted(title: str):
    return intake_services.request_submit(
        organization_name=f"Eastside {title}",
        contact_name="Client Contact",
        contact_email="contact@eastside.example.org",
        title=title,
        description="Our records live in three spreadsheets.",
        budget_max=Decimal("12000"),
    )


def _moved(request, actor, *moves):
    for action, fields in moves:
        request_apply(request_id=request.pk, action=action, actor=actor, version=None, **fields)


@pytest.fixture
def requests(transactional_db):
    """Three requests, one of each kind, and their status links."""
    services.languages_ensure()
    adapter.forget_index()
    desk = ConsultantFactory(display_name="Intake Desk")
    services.user_grant_role(user=desk.user, role=Role.INTAKE_COORDINATOR)
    intake = desk.user

    single = _submitted("A donor database")
    consultant = ConsultantFactory(display_name="Single Consultant", website="https://c.example")
    _moved(single.request, intake, ("contact", {}), ("triage", {}))
    _moved(single.request, intake, ("route", {"consultant": consultant.pk}))
    _moved(single.request, consultant.user, ("accept", {}))

    team = _submitted("A new website")
    _moved(team.request, intake, ("contact", {}), ("triage", {}), ("start_bidding", {}))
    bid_at_work(
        request=team.request,
        lead=ConsultantFactory(display_name="Team Lead"),
        member=ConsultantFactory(display_name="Team Member"),
        coordinator=intake,
        price="18500",
    )

    referral = _submitted("Payroll for volunteers")
    professional = ExternalProfessionalFactory(name="Outside Payroll Help")
    _moved(referral.request, intake, ("contact", {}))
    _moved(
        referral.request,
        intake,
        ("refer_out", {"professionals": [professional.pk], "message": "They know payroll."}),
    )
    yield {
        "single": (single.status_token, "Work under way", "Your consultant"),
        "team": (team.status_token, "Work under way", "The team's proposal"),
        "referral": (referral.status_token, "Referred to other professionals", "Who we recommend"),
    }
    adapter.forget_index()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("kind", ["single", "team", "referral"])
def test_the_status_page_tells_its_kinds_story_on_every_screen(new_page, requests, kind, size):
    token, current, story = requests[kind]
    page = new_page(viewport=SIZES[size])
    address = f"/status/{token}/"

    response = page.goto(address)

    assert response.status == 200
    expect(page.get_by_role("heading", name="Where your request is")).to_be_visible()
    expect(page.locator("ol.stepper")).to_be_visible()
    expect(page.locator('.stepper [aria-current="step"]')).to_have_count(1)
    expect(page.locator('.stepper [aria-current="step"]')).to_contain_text(current)
    expect(page.get_by_role("heading", name=story)).to_be_visible()
    if kind == "team":
        expect(page.locator(".team-contacts")).to_contain_text("Team Lead")
        expect(page.locator(".team-contacts")).to_contain_text("Team Member")
        expect(page.locator(".client-story")).to_contain_text("USD\u00a018,500.00")
        expect(page.locator("body")).not_to_contain_text("agree the scope and the rate")
    if kind == "single":
        expect(page.locator(".client-story")).to_contain_text("agree the scope and the rate")

    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the {kind} status page scrolls sideways by {overflow}px ({size})"
    folder = os.environ.get("E2E_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/status-{kind}-{size}.png", full_page=True)
    violations = axe_violations(page)
    assert violations == [], axe_report(f"{address} ({kind}, {size})", violations)
