"""The README's tour in pictures: the demo alliance (load_skills, seed_demo, seed_demo_requests, as
``make run`` seeds it) photographed in Chromium, one PNG per page, into SCREENSHOTS_DIR.

Skipped unless SCREENSHOTS_DIR is set, so ``make test`` writes nothing; ``make screenshots`` sets
it to docs/screenshots/. The names are the ones the README links under "A tour in pictures":
home, request-form, status, desk-coordinator, queue, request, desk-member, bid-workspace and
handbook-page at 1280 px wide (the full page, cut at MAX_HEIGHT), and desk-phone at 390 px.
"""

import os
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from intake.bids.models import Bid
from intake.models import Request
from intake.services import status_token_new
from matching import adapter
from network.demo import DEMO_PASSWORD
from tests.e2e.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.e2e

FOLDER = os.environ.get("SCREENSHOTS_DIR", "")
MAX_HEIGHT = 1400  # px: a long page is cut here, so each picture stays small and readable
MAX_BYTES = 300 * 1024  # each picture's size at most, so the repository stays light

# Demo requests the pictures show, by title (intake/bids/management/commands/seed_demo_requests.py).
ENGAGED = "Move our email from an old server to Microsoft 365"
ROUTED = "Website is hard to use with a screen reader"


@pytest.fixture
def demo(transactional_db):
    """The demo alliance, seeded as ``make run`` seeds it, and its matching index; the time
    each takes is printed."""
    adapter.forget_index()
    started = time.perf_counter()
    for command in ("load_skills", "seed_demo", "seed_demo_requests"):
        call_command(command, stdout=open(os.devnull, "w"))  # noqa: SIM115
    seeded = time.perf_counter()
    # The request page reads the matching index: build it here, not in the page's first answer.
    adapter.current_index()
    print(
        f"\nSeeded the demo alliance in {seeded - started:.1f} s; built the matching index in "
        f"{time.perf_counter() - seeded:.1f} s."
    )
    yield
    adapter.forget_index()


def shoot(page, name: str) -> Path:
    """``page`` as ``name``.png: the full page, cut at MAX_HEIGHT."""
    page.wait_for_load_state("networkidle")
    height = page.evaluate("document.documentElement.scrollHeight")
    width = page.viewport_size["width"]
    path = Path(FOLDER) / f"{name}.png"
    page.screenshot(
        path=str(path),
        full_page=True,
        clip={"x": 0, "y": 0, "width": width, "height": min(height, MAX_HEIGHT)},
    )
    return path


def signed_in(new_page, username: str, viewport=DESKTOP):
    page = new_page(viewport=viewport)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return page


@pytest.mark.skipif(not FOLDER, reason="SCREENSHOTS_DIR is not set: `make screenshots` sets it.")
def test_the_tour_in_pictures(new_page, demo):
    Path(FOLDER).mkdir(parents=True, exist_ok=True)
    # The client's link is kept only as a hash: give the engaged request a link we know.
    token, digest = status_token_new()
    engaged = Request.objects.get(title=ENGAGED)
    Request.objects.filter(pk=engaged.pk).update(status_token_hash=digest)
    routed = Request.objects.get(title=ROUTED)
    bid = Bid.objects.select_related("lead__user").get()
    taken = []

    visitor = new_page()
    visitor.goto("/")
    taken.append(shoot(visitor, "home"))
    visitor.goto("/request/")
    taken.append(shoot(visitor, "request-form"))
    visitor.goto(f"/status/{token}/")
    expect(visitor.get_by_role("heading", level=1)).to_have_text(ENGAGED)
    taken.append(shoot(visitor, "status"))

    intake = signed_in(new_page, "intake")
    taken.append(shoot(intake, "desk-coordinator"))
    intake.goto("/coordination/queue/")
    taken.append(shoot(intake, "queue"))
    intake.goto(f"/coordination/requests/{routed.pk}/")
    expect(intake.get_by_role("heading", level=1)).to_have_text(ROUTED)
    taken.append(shoot(intake, "request"))

    member = signed_in(new_page, "member02")
    taken.append(shoot(member, "desk-member"))
    member.goto("/handbook/pages/team-bids-and-rate-agreements/")
    taken.append(shoot(member, "handbook-page"))

    lead = signed_in(new_page, bid.lead.user.username)
    lead.goto(f"/bids/{bid.pk}/")
    expect(lead.get_by_role("heading", level=1)).to_have_text(bid.request.title)
    taken.append(shoot(lead, "bid-workspace"))

    phone = signed_in(new_page, "member02", viewport=PHONE)
    taken.append(shoot(phone, "desk-phone"))

    for path in taken:
        print(f"{path}: {path.stat().st_size // 1024} KB")
    too_large = [path.name for path in taken if path.stat().st_size > MAX_BYTES]
    assert not too_large, f"over {MAX_BYTES // 1024} KB: {too_large}; lower MAX_HEIGHT"
