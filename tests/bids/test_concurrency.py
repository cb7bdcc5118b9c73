"""Team bid services racing each other (PostgreSQL row locks; SQLite serialises whole
transactions and proves nothing, so these skip there).

Each race releases its threads at one barrier, as in ``test_concurrency.py``. The locks under
test: the bid row (``_lock``) that queues two signatures so exactly one of them sees the last
signature and puts the version in force; the request row that queues two members offering to lead
so the second sees the first's bid; the member's row that queues two hours entries for one date so
their sum is read by one writer at a time.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from intake.bids import rules, terms, work
from intake.bids.models import AgreementSignature, Bid, BidEvent, HoursEntry
from tests.bids.helpers import bidding_request, member, sent_bid, start, working_bid
from tests.intake.helpers import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 3  # a race that happens to serialise once proves little


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "row locks are exercised on PostgreSQL (set DATABASE_URL); SQLite locks the whole "
            "database, so this run on " + connection.vendor + " would prove nothing"
        )


def user_of(consultant):
    """A fresh user object per thread: access helpers cache lookups on the user."""
    return get_user_model().objects.get(pk=consultant.user_id)


def test_the_last_two_signatures_at_once_put_the_agreement_in_force_once():
    for _ in range(ROUNDS):
        lead, second, third = member(), member(), member()
        bid = sent_bid(lead, second, third)
        number = terms.current_agreement(bid).number
        terms.agreement_sign(bid_id=bid.pk, actor=lead.user, agreement_version=number)

        results, errors = race(
            [
                lambda signer=signer, bid=bid, number=number: terms.agreement_sign(
                    bid_id=bid.pk, actor=user_of(signer), agreement_version=number
                )
                for signer in (second, third)
            ]
        )

        assert errors == []
        assert len(results) == 2
        signers = AgreementSignature.objects.filter(version__bid=bid)
        assert sorted(signers.values_list("consultant_id", flat=True)) == sorted(
            [lead.pk, second.pk, third.pk]
        )
        assert BidEvent.objects.filter(bid=bid, action="in_force").count() == 1
        assert Bid.objects.get(pk=bid.pk).status == Bid.Status.SIGNED
        assert terms.current_agreement(bid).in_force_at is not None


def test_two_members_starting_a_bid_on_one_request_at_once_make_one_bid():
    for _ in range(ROUNDS):
        request = bidding_request()
        leads = [member(), member()]

        results, errors = race(
            [lambda lead=lead, request=request: start(lead, request=request) for lead in leads]
        )

        assert len(results) == 1, errors
        assert len(errors) == 1 and isinstance(errors[0], rules.BidConflict), errors
        (bid,) = Bid.objects.filter(request=request)
        assert bid.pk == results[0].pk
        assert bid.agreement_versions.count() == 1
        assert BidEvent.objects.filter(bid=bid, action="created").count() == 1


@pytest.mark.parametrize("where", ["same_bid", "two_bids"])
def test_two_entries_of_16_hours_for_one_member_and_date_at_once_store_one(
    intake_coordinator, where
):
    for _ in range(ROUNDS):
        worker = member()
        first = working_bid(intake_coordinator, member(), worker)
        second = first if where == "same_bid" else working_bid(intake_coordinator, member(), worker)
        day = timezone.localdate() - datetime.timedelta(days=1)

        results, errors = race(
            [
                lambda bid=bid, worker=worker, day=day: work.hours_log(
                    bid_id=bid.pk, actor=user_of(worker), date=day, hours="16"
                )
                for bid in (first, second)
            ]
        )

        assert len(results) == 1, errors
        assert len(errors) == 1 and isinstance(errors[0], ValidationError), errors
        assert "hours" in errors[0].message_dict
        assert HoursEntry.objects.filter(consultant=worker, date=day).count() == 1
