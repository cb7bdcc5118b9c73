"""The database triggers of migrations 0003 and 0005 on whichever database the suite runs on
(SQLite locally, PostgreSQL in CI): signed agreements, signatures, a signed bid's terms, a
statement's figures, final statements and their approvals stay as written for every writer, not
only the services.

Each write here goes round the services with ``QuerySet.update()``, as a shell, a script or the
admin would. An expected refusal is wrapped in ``transaction.atomic()`` so the savepoint rolls
back and the test database stays usable afterwards (PostgreSQL aborts the whole transaction
otherwise).
"""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from intake.bids import settlement, states, terms
from intake.bids.models import (
    AgreementSignature,
    AgreementVersion,
    Bid,
    Settlement,
    StatementApproval,
)
from tests.bids.helpers import log, member, sent_bid, signed_bid, team_bid, working_bid

pytestmark = pytest.mark.django_db

D = Decimal


def refused(queryset, **values) -> None:
    """The update raises IntegrityError and leaves the row as it was."""
    before = list(queryset.values())
    with pytest.raises(IntegrityError):
        with transaction.atomic():
            queryset.update(**values)
    assert list(queryset.values()) == before


@pytest.fixture
def signed(db):
    lead, second = member("100.00"), member("80.00")
    bid = signed_bid(lead, second)
    return bid, AgreementVersion.objects.filter(bid=bid, in_force_at__isnull=False)


@pytest.mark.parametrize(
    "values",
    [
        {"price": D("1.00")},
        {"pool": D("1.00")},
        {"alliance_share_percent": D("49")},
        {"split_mode": Bid.SplitMode.RATE_WEIGHTED},
        {"terms": {"pool": "1.00"}},
        {"document": "Everyone gets a pony."},
        {"number": 99},
        {"reason": "edited afterwards"},
        {"voided_at": datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)},
        {"in_force_at": None},
    ],
    ids=lambda values: next(iter(values)),
)
def test_an_in_force_agreement_version_cannot_change(signed, values):
    _bid, in_force = signed
    assert in_force.count() == 1

    refused(in_force, **values)


@pytest.mark.parametrize(
    "values",
    [
        {"price": D("1.00")},
        {"terms": {}},
        {"document": "edited"},
        {"voided_at": None},
        {"in_force_at": datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)},
    ],
    ids=lambda values: next(iter(values)),
)
def test_a_voided_agreement_version_cannot_change(db, values):
    lead, second = member(), member()
    bid = team_bid(lead, second)
    voided = AgreementVersion.objects.filter(bid=bid, voided_at__isnull=False)
    assert voided.count() == 1

    refused(voided, **values)


@pytest.mark.parametrize(
    "values",
    [{"price": D("1.00")}, {"pool": D("1.00")}, {"terms": {}}, {"document": "edited"}],
    ids=lambda values: next(iter(values)),
)
def test_the_terms_of_a_current_version_cannot_change_either(db, values):
    lead, second = member(), member()
    bid = sent_bid(lead, second)

    refused(AgreementVersion.objects.filter(bid=bid, voided_at__isnull=True), **values)


@pytest.mark.parametrize("field", ["voided_at", "in_force_at"])
def test_a_current_version_may_be_voided_or_put_in_force(db, field):
    lead, second = member(), member()
    bid = sent_bid(lead, second)
    current = AgreementVersion.objects.filter(bid=bid, voided_at__isnull=True)
    now = timezone.now()

    assert current.update(**{field: now}) == 1

    assert getattr(AgreementVersion.objects.get(bid=bid, number=2), field) == now


@pytest.mark.parametrize("on", ["in_force", "voided"])
@pytest.mark.parametrize("field", ["signed_at", "consultant"])
def test_no_signature_can_change(db, on, field):
    lead, second, third = member(), member(), member()
    bid = sent_bid(lead, second, third)
    terms.agreement_sign(bid_id=bid.pk, actor=lead.user, agreement_version=3)
    if on == "voided":
        terms.bid_terms_change(bid_id=bid.pk, actor=lead.user, price="1.00")
    else:
        for signer in (second, third):
            terms.agreement_sign(bid_id=bid.pk, actor=signer.user, agreement_version=3)
    signature = AgreementSignature.objects.filter(version__bid=bid, consultant=lead)
    value = {"signed_at": timezone.now(), "consultant": third}[field]

    refused(signature, **{field: value})


@pytest.mark.parametrize(
    "values",
    [
        {"price": D("1.00")},
        {"alliance_share_percent": D("20")},
        {"split_mode": Bid.SplitMode.RATE_WEIGHTED},
    ],
    ids=lambda values: next(iter(values)),
)
def test_the_terms_of_a_signed_bid_cannot_change(signed, values):
    bid, _in_force = signed

    refused(Bid.objects.filter(pk=bid.pk), **values)


def test_the_terms_of_a_bid_in_progress_cannot_change(db, intake_coordinator):
    bid = working_bid(intake_coordinator, member(), member())

    refused(Bid.objects.filter(pk=bid.pk), price=D("1.00"))


@pytest.mark.parametrize("stage", ["draft", "agreement_out"])
def test_the_price_of_a_bid_not_yet_signed_may_change_in_the_database(db, stage):
    lead, second = member(), member()
    bid = team_bid(lead, second) if stage == "draft" else sent_bid(lead, second)

    assert Bid.objects.filter(pk=bid.pk).update(price=D("1234.00")) == 1

    assert Bid.objects.get(pk=bid.pk).price == D("1234.00")


def test_a_signed_bid_still_moves_on_and_its_due_date_may_change(signed):
    bid, _in_force = signed
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    Bid.objects.filter(pk=bid.pk).update(due_date=tomorrow, status=Bid.Status.SUBMITTED)

    assert Bid.objects.get(pk=bid.pk).due_date == tomorrow


@pytest.fixture
def proposed(db, intake_coordinator):
    """A two-member bid whose statement is proposed, approved by the lead so far."""
    lead, second = member(), member()
    bid = working_bid(intake_coordinator, lead, second)
    log(bid, second, "5")
    settlement.bid_settle(bid_id=bid.pk, actor=lead.user, collector=lead.pk)
    settlement.statement_approve(bid_id=bid.pk, actor=lead.user)
    return bid, lead, second


FIGURES = [
    {"pool": D("1.00")},
    {"total_hours": D("1.00")},
    {"lines": []},
    {"transfers": []},
    {"collector": None},
]


@pytest.mark.parametrize("values", FIGURES, ids=lambda values: next(iter(values)))
def test_the_figures_of_a_proposed_statement_cannot_change(proposed, values):
    bid, _lead, _second = proposed

    refused(Settlement.objects.filter(bid=bid), **values)


@pytest.mark.parametrize(
    "values",
    [*FIGURES, {"state": "proposed"}, {"decided_at": None},
     {"dispute_reason": "edited afterwards"}],
    ids=lambda values: next(iter(values)),
)  # fmt: skip
def test_a_final_statement_cannot_change_at_all(proposed, values):
    bid, _lead, second = proposed
    settlement.statement_approve(bid_id=bid.pk, actor=second.user)

    refused(Settlement.objects.filter(bid=bid, state="final"), **values)


def test_a_disputed_statement_cannot_change(proposed):
    bid, _lead, second = proposed
    settlement.statement_dispute(bid_id=bid.pk, actor=second.user, reason="My hours")

    refused(Settlement.objects.filter(bid=bid), state="proposed")


def test_a_proposed_statement_may_still_become_final_or_disputed(proposed):
    """The trigger leaves the service's own moves alone: only the state fields change."""
    bid, _lead, _second = proposed
    statement = Settlement.objects.filter(bid=bid)

    statement.update(state="disputed", dispute_reason="Wrong hours")

    assert statement.get().state == "disputed"


def test_approvals_cannot_change(proposed):
    bid, lead, second = proposed

    refused(StatementApproval.objects.filter(settlement__bid=bid), consultant=second)

    assert StatementApproval.objects.get(settlement__bid=bid).consultant == lead


def test_a_final_statement_takes_no_approval(proposed):
    bid, lead, second = proposed
    settlement.statement_approve(bid_id=bid.pk, actor=second.user)
    final = Settlement.objects.get(bid=bid)
    StatementApproval.objects.filter(settlement=final, consultant=second).delete()

    with pytest.raises(IntegrityError):
        with transaction.atomic():
            StatementApproval.objects.create(settlement=final, consultant=second)

    assert list(final.approvals.values_list("consultant", flat=True)) == [lead.pk]


def test_a_bid_with_signatures_cannot_be_deleted(signed):
    bid, _in_force = signed

    with pytest.raises(ProtectedError):
        with transaction.atomic():
            Bid.objects.get(pk=bid.pk).delete()

    assert Bid.objects.filter(pk=bid.pk).exists()
    assert AgreementSignature.objects.filter(version__bid=bid).count() == 2


def test_a_version_with_signatures_cannot_be_deleted(signed):
    _bid, in_force = signed

    with pytest.raises(ProtectedError):
        with transaction.atomic():
            in_force.get().delete()

    assert in_force.count() == 1


def test_the_database_is_still_usable_after_a_refused_write(signed):
    """The savepoint rolled back: the services go on working in the same test transaction."""
    bid, in_force = signed
    refused(in_force, price=D("1.00"))

    states.bid_withdraw(bid_id=bid.pk, actor=bid.lead.user)

    assert Bid.objects.get(pk=bid.pk).status == Bid.Status.WITHDRAWN
