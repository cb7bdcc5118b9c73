"""Accessibility of the pages the public, the coordinators and the members use most: axe-core run in
Chromium against WCAG 2.0/2.1 A and AA, no serious or critical finding.

axe-core is vendored from the npm registry (tests/e2e/vendor/axe.min.js, axe-core 4.14.1, MPL-2.0,
its LICENSE beside it), so the check runs offline and never loads a script from a CDN. It is run
with ``page.evaluate``: the Content-Security-Policy forbids inline scripts, and an evaluated
script is not subject to it, so the page under test keeps its real policy.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from handbook import services as handbook_services
from handbook.models import Page
from intake import services as intake_services
from intake.bids import work
from intake.workflow import request_apply
from matching import adapter
from network import services
from network.roles import Role
from tests.helpers import axe_report, axe_violations, bid_at_work, member_with_password

pytestmark = pytest.mark.e2e


@pytest.fixture
def site(transactional_db):
    """A request carried to a team bid in progress, an intake coordinator, the two members of
    the bid's team and a public handbook page: the data the pages below show."""
    services.languages_ensure()
    adapter.forget_index()
    intake = member_with_password(display_name="Intake Desk")
    services.user_grant_role(user=intake.user, role=Role.INTAKE_COORDINATOR)
    lead = member_with_password(display_name="Bid Lead")
    member = member_with_password(display_name="Team Member")

    submission = intake_services.request_submit(
        organization_name="Eastside Food Bank",
        contact_name="Client Contact",
        contact_email="contact@eastside.example.org",
        title="A new donor database",
        description="Our donor records live in three spreadsheets.",
        skills=["CiviCRM", "Data migration"],
        budget_max=Decimal("12000"),
        estimated_hours=90,
    )
    request = submission.request
    for action in ("contact", "triage", "start_bidding"):
        request_apply(request_id=request.pk, action=action, actor=intake.user, version=None)
    bid = bid_at_work(request=request, lead=lead, member=member, coordinator=intake.user)
    work.hours_log(
        bid_id=bid.pk,
        actor=member.user,
        date=timezone.localdate() - datetime.timedelta(days=1),
        hours="3",
    )
    # A second request still in the queue's first column, so the queue shows more than one row.
    intake_services.request_submit(
        organization_name="Westside Arts Collective",
        contact_name="Second Contact",
        contact_email="contact@westside.example.org",
        title="An accessible website",
        description="Our site fails screen readers.",
        skills=["Web accessibility"],
    )
    page = handbook_services.page_create(
        actor=lead.user,
        title="How we work",
        body="## Requests\n\nWe match nonprofits with members.\n\n- Intake\n- Bids\n- Settlement",
        visibility=Page.Visibility.PUBLIC,
    )
    yield {
        "intake": intake,
        "member": member,
        "token": submission.status_token,
        "request": request,
        "bid": bid,
        "page": page,
    }
    adapter.forget_index()


# (what, who signs in, address built from the site)
PAGES = [
    ("public request form", None, lambda site: "/request/"),
    ("client status page", None, lambda site: f"/status/{site['token']}/"),
    ("coordinator queue", "intake", lambda site: "/coordination/queue/"),
    (
        "coordinator request page",
        "intake",
        lambda site: f"/coordination/requests/{site['request'].pk}/",
    ),
    ("bid workspace", "member", lambda site: f"/bids/{site['bid'].pk}/"),
    ("handbook page", None, lambda site: f"/handbook/pages/{site['page'].slug}/"),
    ("handbook page, signed in", "member", lambda site: f"/handbook/pages/{site['page'].slug}/"),
]


@pytest.mark.parametrize(
    ("who", "address"),
    [pytest.param(who, address, id=what) for what, who, address in PAGES],
)
def test_no_serious_accessibility_violation(page, site, sign_in, who, address):
    if who is not None:
        sign_in(page, site[who])
    target = address(site)

    response = page.goto(target)

    assert response.status == 200, target
    violations = axe_violations(page)
    assert violations == [], axe_report(target, violations)


def test_the_request_form_with_errors_has_no_serious_violation(page, site):
    """The refused form adds error messages and invalid-field markers: they must be as readable
    and as well tied to their fields as the empty form."""
    page.goto("/request/")
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.get_by_role("button", name="Send request").click()
    assert posted.value.status == 400
    page.wait_for_load_state()

    violations = axe_violations(page)
    assert violations == [], axe_report("/request/ (refused)", violations)
