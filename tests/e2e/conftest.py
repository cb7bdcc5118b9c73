"""Real-browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

Without /usr/bin/chromium the tests are skipped with a message, except on CI (CI=true), where a
missing browser is a failure: a green run must not hide that the browser tests never ran.
"""

import os
from pathlib import Path

import pytest

from network import services
from network.models import Consultant
from tests.factories import (
    ConsultantFactory,
    ConsultantSkillFactory,
    SkillAliasFactory,
    SkillFactory,
)
from tests.helpers import PASSWORD, member_with_password

# Playwright's sync API runs an asyncio event loop in the test thread, and Django refuses ORM
# calls from a thread with a running loop. The tests touch the ORM only between browser steps,
# never at the same time as the live server's thread writes, so the check can be lifted.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module; each test gets its own context (cookies, storage)."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium package for the e2e tests."
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server, transactional_db):
    """Open a page on the live server: ``new_page(viewport=PHONE, javascript_enabled=False)``;
    ``locale="es-ES"`` for a browser that asks for Spanish pages (Accept-Language)."""
    contexts = []

    def open_page(viewport=DESKTOP, javascript_enabled=True, locale="en-US"):
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport,
            java_script_enabled=javascript_enabled,
            locale=locale,
            timezone_id="America/Los_Angeles",
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def alliance(transactional_db):
    """A small alliance: the member who signs in, two colleagues with distinct skills."""
    services.languages_ensure()
    postgres = SkillFactory(name="PostgreSQL", slug="postgresql")
    SkillAliasFactory(skill=postgres, alias="Postgres")
    wordpress = SkillFactory(name="WordPress", slug="wordpress")
    SkillFactory(name="Salesforce", slug="salesforce")

    me = member_with_password(display_name="Signed-in Member", location="Oakland, CA")
    database = member_with_password(display_name="Database Colleague")
    ConsultantSkillFactory(consultant=database, skill=postgres, level=5)
    web = member_with_password(display_name="Web Colleague", location="Berkeley, CA")
    ConsultantSkillFactory(consultant=web, skill=wordpress, level=4)
    # Enough others for a second page of the directory (25 a page).
    for number in range(25):
        ConsultantFactory(display_name=f"Member {number:02d}")
    return {"me": me, "database": database, "web": web}


@pytest.fixture
def sign_in():
    """``sign_in(page, consultant)``: through the real sign-in form."""
    from playwright.sync_api import expect

    def sign_in_as(page, consultant: Consultant) -> None:
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(consultant.user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    return sign_in_as


# --- The role journeys (tests/e2e/journey.py) -------------------------------------------------


@pytest.fixture(params=["desktop", "phone"])
def journey_size(request):
    """Each journey runs twice: at 1280 px ("desktop") and at 390 px ("phone")."""
    return request.param


@pytest.fixture
def person(new_page, journey_size):
    """``person(user=None)``: a new browser context at the journey's size, as a ``Journey``
    (tests/e2e/journey.py) that checks every page; signed in as ``user`` (a User or a member)
    through the sign-in form when given."""
    from tests.e2e.journey import SIZES, Journey

    def open_person(user=None):
        journey = Journey(new_page(viewport=SIZES[journey_size]), journey_size)
        if user is not None:
            journey.sign_in(user)
        return journey

    return open_person


@pytest.fixture
def person_at_both_sizes(new_page):
    """``person_at_both_sizes(user=None)``: a ``Journey`` at 1280 px with the same person on a
    phone beside it (390 px), which opens and checks every page the journey checks."""
    from tests.e2e.journey import SIZES, Journey

    def open_person(user=None):
        phone = Journey(new_page(viewport=SIZES["phone"]), "phone")
        journey = Journey(new_page(viewport=SIZES["desktop"]), "desktop", phone=phone)
        if user is not None:
            journey.sign_in(user)
        return journey

    return open_person
