"""Money, warnings and refused moves as a person sees them in Chromium, at 1280 and 390 px: the
agreement's amounts read as money, right-aligned in figures of one width, each naming its column
on a phone (where the table's headings are hidden); a pool below the team's standard rates is
warned about; volunteering to join a bid is not coloured as a danger; and a move refused because
the request changed meanwhile lands back on the request's own address (not the move's), saying
what changed."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from intake import services as intake_services
from intake.bids import team
from intake.models import Request
from intake.workflow import request_apply
from matching import adapter
from network import services
from network.roles import Role
from tests.e2e.conftest import DESKTOP, PHONE
from tests.factories import RequestFactory
from tests.helpers import member_with_password

pytestmark = pytest.mark.e2e

SIZES = {"1280": DESKTOP, "390": PHONE}
NBSP = "\u00a0"
# "USD 1,234.56": the code, a no-break space, thousands separators and two decimals.
MONEY = re.compile(rf"^USD{NBSP}\d{{1,3}}(,\d{{3}})*\.\d\d$")
# Where a cell's text starts and ends on the screen (not the cell's box).
TEXT_EDGES = """cell => {
    const range = document.createRange();
    range.selectNodeContents(cell);
    const box = range.getBoundingClientRect();
    return {left: box.left, right: box.right};
}"""


@pytest.fixture
def short_bid(transactional_db):
    """A draft bid whose pool pays 76 % of the standard rates: 80 h at 100 and 50 h at 80 cost
    12,000.00; a price of 9,600 less a 5 % share pools 9,120.00. A third member, on no bid,
    reads the bid board."""
    services.languages_ensure()
    adapter.forget_index()
    lead = member_with_password(display_name="Lead Short", hourly_rate=Decimal("100.00"))
    second = member_with_password(display_name="Second Short", hourly_rate=Decimal("80.00"))
    other = member_with_password(display_name="Other Member")
    request = RequestFactory(
        status=Request.Status.BIDDING,
        title="A donor database and a new website",
        budget_max=Decimal("15000"),
        estimated_hours=130,
    )
    bid = team.bid_create(
        request_id=request.pk,
        actor=lead.user,
        price="9600.00",
        alliance_share_percent="5",
        lead_estimated_hours="80",
        invite=[{"consultant": second.pk, "role": "Developer", "estimated_hours": "50"}],
    )
    team.bid_member_respond(bid_id=bid.pk, actor=second.user, accept=True)
    yield {"bid": bid, "lead": lead, "second": second, "other": other}
    adapter.forget_index()


@pytest.mark.parametrize("size", SIZES)
def test_the_agreements_money_reads_as_money_and_warns_below_the_rates(
    new_page, short_bid, sign_in, size
):
    page = new_page(viewport=SIZES[size])
    sign_in(page, short_bid["second"])
    page.goto(f"/bids/{short_bid['bid'].pk}/?section=agreement")

    warning = page.locator(".below-cost")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Below the team's standard rates")
    expect(warning).to_contain_text(
        f"76 % of their standard rates for the estimated hours (USD{NBSP}9,120.00 of "
        f"USD{NBSP}12,000.00)"
    )
    facts = page.locator(".agreement-facts")
    expect(facts.locator("dd.money").first).to_have_text(f"USD{NBSP}9,600.00")

    cells = page.locator(".planned-table td.num")
    expect(cells).to_have_count(2 * 5)
    for cell in cells.all():
        style = cell.evaluate(
            "cell => { const s = getComputedStyle(cell);"
            " return {align: s.textAlign, figures: s.fontVariantNumeric}; }"
        )
        assert style == {"align": "right", "figures": "tabular-nums"}, (cell.inner_text(), style)
    # The standard-rate column: each amount is money and nothing else, ending at the same edge.
    rates = page.locator(".planned-table tbody tr td:nth-of-type(2)")
    assert [rate.inner_text().strip() for rate in rates.all()] == [
        f"USD{NBSP}100.00",
        f"USD{NBSP}80.00",
    ]
    assert all(MONEY.match(rate.inner_text().strip()) for rate in rates.all())
    # Right-aligned: the amounts end at one edge, whatever their length.
    edges = [rate.evaluate(TEXT_EDGES) for rate in rates.all()]
    assert abs(edges[0]["right"] - edges[1]["right"]) <= 1, edges
    assert edges[0]["left"] < edges[1]["left"], edges
    # On a phone the headings are hidden and the cells stacked: each amount says its column.
    label = rates.first.evaluate(
        "cell => { const s = getComputedStyle(cell, '::before');"
        " return {content: s.content, float: s.cssFloat}; }"
    )
    assert rates.first.get_attribute("data-label") == "Standard rate"
    if size == "390":
        assert label["content"] not in ("none", "normal") and label["float"] == "left", label
    else:
        assert label["content"] in ("none", "normal"), label
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the agreement scrolls sideways by {overflow}px"


@pytest.mark.parametrize("size", SIZES)
def test_volunteering_is_not_coloured_as_a_danger(new_page, short_bid, sign_in, size):
    page = new_page(viewport=SIZES[size])
    sign_in(page, short_bid["other"])
    page.goto("/bids/board/")

    volunteer = page.locator(".volunteer-panel > summary")
    expect(volunteer).to_have_text("Volunteer to join…")
    colour = volunteer.evaluate("summary => getComputedStyle(summary).color")
    # The colour a danger takes here: a refusal's summary, made for the comparison.
    danger = page.evaluate(
        """() => {
            const panel = document.createElement('details');
            panel.className = 'decline-panel';
            panel.append(document.createElement('summary'));
            document.querySelector('main').append(panel);
            const colour = getComputedStyle(panel.firstChild).color;
            panel.remove();
            return colour;
        }"""
    )
    assert colour != danger, (colour, danger)


@pytest.fixture
def desk(transactional_db):
    """An intake coordinator and a request just sent."""
    services.languages_ensure()
    adapter.forget_index()
    intake = member_with_password(display_name="Intake Desk")
    services.user_grant_role(user=intake.user, role=Role.INTAKE_COORDINATOR)
    submission = intake_services.request_submit(
        organization_name="Harbour Literacy Project",
        contact_name="Office Desk",
        contact_email="office@harbour-literacy.example.org",
        title="Our donor database needs cleaning up",
        description="Duplicates everywhere.",
    )
    yield {"intake": intake, "request": submission.request}
    adapter.forget_index()


@pytest.mark.parametrize("size", SIZES)
def test_a_move_refused_as_stale_lands_on_the_requests_own_address(new_page, desk, sign_in, size):
    request = desk["request"]
    page = new_page(viewport=SIZES[size])
    sign_in(page, desk["intake"])
    address = f"/coordination/requests/{request.pk}/"
    page.goto(address)
    contact = page.locator("#move-contact")
    expect(contact).to_be_visible()

    # Meanwhile another coordinator records the first contact.
    request.refresh_from_db()
    request_apply(
        request_id=request.pk, action="contact", actor=desk["intake"].user, version=request.version
    )
    contact.get_by_role("button", name="Record first contact").click()

    expect(page).to_have_url(re.compile(rf"{re.escape(address)}$"))
    assert "/transitions/" not in page.url
    expect(page.locator(".message-error")).to_contain_text(
        f"{request.reference} changed while you were looking at it, so nothing was done"
    )
    expect(page.locator("#move-contact")).to_have_count(0)
    # A reload shows the page again; it posts nothing.
    page.reload()
    expect(page).to_have_url(re.compile(rf"{re.escape(address)}$"))
    request.refresh_from_db()
    assert request.status == Request.Status.CONTACTED
