"""The workspace's agreement actions (``intake/bids/views.py``): changing the terms, a new version
each time, sending for signature and signing. Each action goes through and each refusal changes
nothing."""

from decimal import Decimal

import pytest

from intake.bids import terms
from intake.bids.models import Bid
from tests.bids.page_helpers import (
    fresh,
    messages_of,
    post,
    section,
    sent,
    signed,
    snapshot,
    start_bid,
    url,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_index")]


def test_change_the_terms_makes_a_new_version(signed_in, people, bid):
    client = signed_in(people["lead"])
    number = terms.current_agreement(bid).number
    response = post(
        client,
        "bid-terms",
        bid,
        {
            "version": bid.version,
            "price": "13000.00",
            "alliance_share_percent": "10",
            "split_mode": "equal_rate",
        },
    )
    assert response.status_code == 302 and response["Location"] == section(bid, "agreement")
    agreement = terms.current_agreement(bid)
    assert agreement.number == number + 1 and agreement.price == Decimal("13000.00")
    assert messages_of(response) == [
        f"Terms saved: the agreement is now version {number + 1}, and signatures on earlier "
        "versions no longer count."
    ]
    html = client.get(url("bid-workspace", bid)).content.decode()
    assert f"Agreement, version {number + 1}" in html and "Changed price, alliance share" in html


@pytest.mark.parametrize(
    ("role", "change", "code"),
    [
        ("team member", {}, 403),
        ("lead", {"version": 1}, 303),
        ("lead", {"alliance_share_percent": "51"}, 400),
        ("lead", {"price": "-5"}, 400),
    ],
)
def test_terms_refusals_change_nothing(signed_in, people, bid, role, change, code):
    before = snapshot(bid)
    data = {
        "version": bid.version,
        "price": "13000.00",
        "alliance_share_percent": "10",
        "split_mode": "equal_rate",
        **change,
    }
    assert post(signed_in(people[role]), "bid-terms", bid, data).status_code == code
    assert snapshot(bid) == before


def test_terms_of_a_signed_agreement_are_refused_409(signed_in, people, bid):
    bid = signed(bid, people)
    before = snapshot(bid)
    response = post(
        signed_in(people["lead"]),
        "bid-terms",
        bid,
        {
            "version": bid.version,
            "price": "1.00",
            "alliance_share_percent": "0",
            "split_mode": "equal_rate",
        },
    )
    assert response.status_code == 303 and response["Location"] == section(bid, "agreement")
    assert messages_of(response) == [
        "The terms were not saved. Every member has signed the agreement: it is in force and can "
        "no longer change. Withdraw the bid and start a new one to change its terms. Nothing was "
        "changed."
    ]
    assert snapshot(bid) == before


def test_send_and_sign(signed_in, people, bid):
    client = signed_in(people["lead"])
    assert post(client, "bid-send", bid, {"version": bid.version}).status_code == 302
    assert fresh(bid).status == Bid.Status.AGREEMENT_OUT
    number = terms.current_agreement(bid).number
    html = client.get(url("bid-workspace", bid)).content.decode()
    assert f"Sign version {number}" in html and "0 of 2 signed" in html
    response = post(client, "bid-sign", bid, {"agreement_version": number})
    assert response.status_code == 302
    assert messages_of(response) == [f"You signed version {number} of the agreement."]
    member = signed_in(people["team member"])
    html = member.get(url("bid-workspace", bid)).content.decode()
    assert "1 of 2 signed" in html and "Still to sign: Second Member" in html
    response = post(member, "bid-sign", bid, {"agreement_version": number})
    assert messages_of(response) == [
        f"You signed version {number} of the agreement. Every member has signed: it is in force."
    ]
    assert fresh(bid).status == Bid.Status.SIGNED


def test_send_needs_a_second_member(signed_in, people, bidding):
    bid = start_bid(bidding, people)  # the second member is only invited
    before = snapshot(bid)
    response = post(signed_in(people["lead"]), "bid-send", bid, {"version": bid.version})
    assert response.status_code == 400
    assert "at least one member besides the lead" in response.content.decode()
    assert snapshot(bid) == before


def test_sign_refusals_change_nothing(signed_in, people, bid):
    bid = sent(bid, people)
    number = terms.current_agreement(bid).number
    before = snapshot(bid)
    # A member not on the team: 403 (the gate); an old version: 409.
    response = post(
        signed_in(people["other member"]), "bid-sign", bid, {"agreement_version": number}
    )
    assert response.status_code == 403
    response = post(signed_in(people["lead"]), "bid-sign", bid, {"agreement_version": number - 1})
    assert response.status_code == 303 and response["Location"] == section(bid, "agreement")
    assert "is no longer the agreement" in messages_of(response)[0]
    assert snapshot(bid) == before


def test_a_price_change_voids_the_signatures_on_the_page(signed_in, people, bid):
    bid = sent(bid, people)
    number = terms.current_agreement(bid).number
    terms.agreement_sign(bid_id=bid.pk, actor=people["lead"], agreement_version=number)
    client = signed_in(people["lead"])
    post(
        client,
        "bid-terms",
        fresh(bid),
        {
            "version": fresh(bid).version,
            "price": "12000.00",
            "alliance_share_percent": "0",
            "split_mode": "equal_rate",
        },
    )
    html = client.get(url("bid-workspace", bid)).content.decode()
    assert f"Version {number + 1} · 0 of 2 signed" in html
    assert f"Sign version {number + 1}" in html
