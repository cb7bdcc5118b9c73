"""The desk and the navigation in Chromium: signing in lands on the desk; on a phone the links
wait behind a closed Menu disclosure and the header keeps to two rows; on a desktop "Sign out"
shares the brand's row; the desk has no serious accessibility finding at either size, with the
page's scripts or without them (the menus are <details> and need none)."""

import re

import pytest
from playwright.sync_api import expect

from intake import services as intake_services
from matching import adapter
from network import services
from network.roles import Role
from tests.e2e.conftest import DESKTOP, PHONE
from tests.factories import ConsultantGroupFactory
from tests.helpers import axe_report, axe_violations, member_with_password

pytestmark = pytest.mark.e2e

SIZES = {"desktop": DESKTOP, "phone": PHONE}


@pytest.fixture
def coordinator(transactional_db):
    """An intake coordinator who is also a working member and coordinates a group: every group
    of the navigation shows. Two new requests wait in the queue."""
    services.languages_ensure()
    adapter.forget_index()
    person = member_with_password(display_name="Desk Coordinator")
    services.user_grant_role(user=person.user, role=Role.INTAKE_COORDINATOR)
    group = ConsultantGroupFactory(coordinator=person)
    group.members.add(person)
    for number, title in enumerate(("A new donor database", "An accessible website")):
        intake_services.request_submit(
            organization_name=f"Desk Client {number}",
            contact_name="Client Contact",
            contact_email=f"contact{number}@client.example.org",
            title=title,
            description="Our records live in three spreadsheets.",
        )
    yield person
    adapter.forget_index()


def _top_rows(page) -> set[int]:
    """The rows of the header's visible controls, as the rounded middles of their boxes."""
    boxes = [
        page.locator(".brand").bounding_box(),
        page.get_by_role("button", name="Sign out").bounding_box(),
        page.locator(".site-account-name").bounding_box(),
    ]
    toggle = page.locator(".nav-menu-toggle")
    if toggle.is_visible():
        boxes.append(toggle.bounding_box())
    return {round((box["y"] + box["height"] / 2) / 8) for box in boxes}


def test_signing_in_lands_on_the_desk(page, coordinator, sign_in):
    sign_in(page, coordinator)

    expect(page).to_have_url(re.compile(r"/desk/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your desk")
    queue = page.locator("#desk-intake")
    expect(queue).to_contain_text("Intake queue")
    expect(queue.get_by_role("link", name=re.compile(r"^2 Submitted"))).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Desk")).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name=re.compile(r"^Desk\W+2 waiting$"))).to_be_visible()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_on_a_phone_the_menu_is_closed_and_the_header_two_rows(
    new_page, coordinator, sign_in, javascript
):
    page = new_page(viewport=PHONE, javascript_enabled=javascript)
    sign_in(page, coordinator)
    menu = page.locator("details.nav-menu")
    nav = page.get_by_role("navigation", name="Main")

    expect(menu).not_to_have_attribute("open", re.compile(".*"))
    expect(nav.get_by_role("link", name="Desk")).to_be_hidden()
    header = page.get_by_role("banner").bounding_box()
    assert len(_top_rows(page)) <= 2, _top_rows(page)
    assert header["height"] <= 130, header
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0

    page.locator(".nav-menu-toggle").click()
    expect(menu).to_have_attribute("open", "")
    expect(nav.get_by_role("link", name="Desk")).to_be_visible()
    expect(nav.get_by_role("link", name="Queue")).to_be_hidden()
    nav.locator("summary", has_text="Coordination").click()
    nav.get_by_role("link", name="Queue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("queue", re.I))
    expect(page.locator("details.nav-menu")).not_to_have_attribute("open", re.compile(".*"))


def test_on_a_desktop_sign_out_shares_the_brands_row_and_groups_drop_down(
    page, coordinator, sign_in
):
    sign_in(page, coordinator)
    brand = page.locator(".brand").bounding_box()
    sign_out = page.get_by_role("button", name="Sign out").bounding_box()
    nav = page.get_by_role("navigation", name="Main")

    assert sign_out["y"] < brand["y"] + brand["height"], (brand, sign_out)
    assert brand["y"] < sign_out["y"] + sign_out["height"], (brand, sign_out)
    expect(page.locator(".nav-menu-toggle")).to_be_hidden()
    expect(nav.get_by_role("link", name="Request help")).to_be_visible()
    expect(nav.get_by_role("link", name="Queue")).to_be_hidden()

    nav.locator("summary", has_text="Coordination").click()
    expect(nav.get_by_role("link", name="Queue")).to_be_visible()
    # One group open at a time; Escape closes it and returns to its button.
    nav.locator("summary", has_text="My work").click()
    expect(nav.get_by_role("link", name="Queue")).to_be_hidden()
    expect(nav.get_by_role("link", name="My offers")).to_be_visible()
    page.keyboard.press("Escape")
    expect(nav.get_by_role("link", name="My offers")).to_be_hidden()
    expect(nav.locator("summary", has_text="My work")).to_be_focused()
    # A click elsewhere closes an open group too.
    nav.locator("summary", has_text="Alliance").click()
    expect(nav.get_by_role("link", name="Directory")).to_be_visible()
    page.get_by_role("heading", level=1).click()
    expect(nav.get_by_role("link", name="Directory")).to_be_hidden()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
@pytest.mark.parametrize("size", SIZES)
def test_the_desk_has_no_serious_accessibility_violation(
    new_page, coordinator, sign_in, size, javascript
):
    page = new_page(viewport=SIZES[size])
    if not javascript:
        # axe-core itself needs JavaScript (with it switched off its run never ends), so the
        # page runs without its own scripts instead: the menus as they are without them.
        page.route(re.compile(r"\.js(\?.*)?$"), lambda route: route.abort())
    sign_in(page, coordinator)
    page.goto("/desk/")
    violations = axe_violations(page)
    assert violations == [], axe_report(f"/desk/ ({size})", violations)

    # With the menus open: the phone's menu and a group inside it, or a desktop group.
    nav = page.get_by_role("navigation", name="Main")
    if size == "phone":
        page.locator(".nav-menu-toggle").click()
    nav.locator("summary", has_text="My work").click()
    expect(nav.get_by_role("link", name="My offers")).to_be_visible()
    violations = axe_violations(page)
    assert violations == [], axe_report(f"/desk/ ({size}, menus open)", violations)
