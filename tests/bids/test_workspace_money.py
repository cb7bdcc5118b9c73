"""Money on the bid pages and in the bid emails: one format (``{{ amount|money:currency }}``,
"USD 12,345.67") with amounts in table cells of class ``num``, the CSV keeping plain numbers, and
the warning when the pool pays the team less than their standard rates for the estimated hours
(on the agreement and in the email asking the team to sign)."""

import pytest
from django.urls import reverse

from intake.bids import states, team
from intake.models import Notification
from tests.bids.helpers import named_member
from tests.bids.page_helpers import (
    LEAD_RATE,
    PRICE,
    SECOND_RATE,
    money,
    proposed,
    section,
    url,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_index")]

NBSP = "\u00a0"


def test_the_agreement_writes_every_amount_in_the_one_format(signed_in, people, bid):
    html = signed_in(people["team member"]).get(section(bid, "agreement")).content.decode()

    assert f'<dd class="money">USD{NBSP}12,345.67</dd>' in html  # price and pool
    # Each amount's cell names its column (shown on a phone, where the headings are hidden).
    assert f'<td class="num" data-label="Standard rate">{money(LEAD_RATE)}</td>' in html
    assert f'<td class="num" data-label="Standard rate">{money(SECOND_RATE)}</td>' in html
    assert f"fixed price of USD{NBSP}12,345.67." in html  # the agreement's text
    assert PRICE not in html and f"{PRICE} USD" not in html and f"USD {PRICE}" not in html


def test_the_team_table_and_the_details_write_money_alike(signed_in, people, bid):
    html = signed_in(people["lead"]).get(section(bid, "team")).content.decode()

    rate = f'<td class="num standard-rate" data-label="Standard rate">{money(LEAD_RATE)}</td>'
    assert rate in html
    assert f'<dd class="money">{money(PRICE)}</dd>' in html  # the details beside the section
    assert '<th scope="col" class="num">Standard rate</th>' in html


def test_the_statement_writes_money_in_num_cells_and_the_csv_keeps_plain_numbers(
    signed_in, people, bid, intake_coordinator
):
    bid = proposed(bid, people, intake_coordinator)
    client = signed_in(people["team member"])
    statement = bid.settlements.get()

    html = client.get(section(bid, "settlement")).content.decode()
    csv = client.get(f"/api/v1/bids/{bid.pk}/statement/csv/").content.decode()

    assert f"{money(statement.pool)}</strong>" in html
    for line in statement.lines:
        planned = money(line["planned_payout"])
        assert f'<td class="num" data-label="Planned payout">{planned}</td>' in html
        assert f">{money(line['payout'])}</td>" in html
        assert f",{line['payout']}," in csv
    assert "USD" not in csv and NBSP not in csv


def test_the_board_and_the_start_page_write_the_budget_alike(signed_in, people, bidding):
    client = signed_in(people["other member"])

    board = client.get(reverse("bid-board")).content.decode()
    start = client.get(reverse("bid-start", args=[bidding.pk])).content.decode()

    assert f"Up to USD{NBSP}15,000.00" in board and f"Up to USD{NBSP}15,000.00" in start


def test_the_bid_emails_write_money_in_the_one_format(
    people, bidding, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        team.bid_create(
            request_id=bidding.pk,
            actor=people["lead"],
            price="12000",
            lead_estimated_hours="40",
            invite=[
                {"consultant": people["_second"].pk, "role": "Design", "estimated_hours": "30"}
            ],
        )

    invitation = Notification.objects.get(kind="bid_invitation")
    for body in (invitation.body_text, invitation.body_html):
        assert f"Your standard rate as recorded: {money(SECOND_RATE)} an hour" in body
        assert f"USD {SECOND_RATE}" not in body


# --- Below the team's standard rates ---------------------------------------------------------

WARNING = (
    f"The pool pays the team 76 % of their standard rates for the estimated hours "
    f"(USD{NBSP}9,120.00 of USD{NBSP}12,000.00). Every member signs knowing this."
)


@pytest.fixture
def short_bid(bidding):
    """80 h at 100 and 50 h at 80 cost 12,000.00; 9,600 less a 5 % share pools 9,120.00."""
    lead, second = named_member("Lead Short", "100.00"), named_member("Second Short", "80.00")
    bid = team.bid_create(
        request_id=bidding.pk,
        actor=lead.user,
        price="9600.00",
        alliance_share_percent="5",
        lead_estimated_hours="80",
        invite=[{"consultant": second.pk, "role": "Developer", "estimated_hours": "50"}],
    )
    team.bid_member_respond(bid_id=bid.pk, actor=second.user, accept=True)
    return bid, lead, second


def test_a_pool_below_the_standard_rates_is_warned_on_the_agreement(signed_in, short_bid):
    bid, lead, second = short_bid

    html = signed_in(second.user).get(section(bid, "agreement")).content.decode()

    assert "Below the team's standard rates" in html
    assert WARNING in html
    # Only there: the other sections say nothing of it.
    assert WARNING not in signed_in(second.user).get(section(bid, "team")).content.decode()


def test_no_warning_when_the_pool_covers_the_standard_rates(signed_in, people, bid):
    html = signed_in(people["team member"]).get(url("bid-workspace", bid)).content.decode()

    assert "Agreement, version" in html and "standard rates for the estimated hours" not in html


def test_the_email_asking_to_sign_carries_the_warning(
    short_bid, django_capture_on_commit_callbacks
):
    bid, lead, second = short_bid

    with django_capture_on_commit_callbacks(execute=True):
        states.bid_send(bid_id=bid.pk, actor=lead.user)

    email = Notification.objects.get(kind="agreement_to_sign")
    assert email.recipient_email == second.user.email
    assert WARNING in email.body_text
    assert WARNING in email.body_html


def test_no_warning_in_the_email_when_the_pool_covers_the_rates(
    people, bid, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        states.bid_send(bid_id=bid.pk, actor=people["lead"])

    email = Notification.objects.get(kind="agreement_to_sign")
    assert "standard rates" not in email.body_text and "standard rates" not in email.body_html
