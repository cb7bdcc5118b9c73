"""Who is told of a bid's steps, by email, once the step commits (``intake.bids.notifications``):
the team's steps and the statement's."""

import datetime

import pytest
from django.utils import timezone

from intake.bids import rules, settlement, states, team, terms
from intake.bids.notifications import StatementKind
from intake.models import Notification
from tests.bids.helpers import (
    CHANGES,
    approve,
    emails,
    log,
    propose,
    sent,
    sent_bid,
    sign_all,
    signed_bid,
    start,
    team_bid,
)

pytestmark = pytest.mark.django_db


# --- notifications ---------------------------------------------------------------------------


def test_an_invitation_is_emailed_to_the_invitee(trio, django_capture_on_commit_callbacks):
    lead, second, third = trio
    with django_capture_on_commit_callbacks(execute=True):
        bid = start(lead, second)
    assert sent("bid_invitation") == emails(second)

    with django_capture_on_commit_callbacks(execute=True):
        team.bid_invite(
            bid_id=bid.pk, actor=lead.user, consultant=third, role="QA", estimated_hours="2"
        )

    assert sent("bid_invitation") == emails(second, third)
    row = Notification.objects.get(kind="bid_invitation", recipient_email=third.user.email)
    assert bid.request.reference in row.subject
    assert row.recipient_user == third.user


def test_sending_asks_the_team_but_not_the_sender_to_sign(trio, django_capture_on_commit_callbacks):
    lead, second, third = trio
    bid = team_bid(lead, second, third)

    with django_capture_on_commit_callbacks(execute=True):
        states.bid_send(bid_id=bid.pk, actor=lead.user)

    assert sent("agreement_to_sign") == emails(second, third)
    number = terms.current_agreement(bid).number
    assert all(
        f"version {number}" in subject
        for subject in Notification.objects.filter(kind="agreement_to_sign").values_list(
            "subject", flat=True
        )
    )


def test_a_draft_asks_nobody_to_sign(trio, django_capture_on_commit_callbacks):
    lead, second, _third = trio
    with django_capture_on_commit_callbacks(execute=True):
        bid = team_bid(lead, second)
        terms.bid_terms_change(bid_id=bid.pk, actor=lead.user, price="1.00")

    assert sent("agreement_to_sign") == []


@pytest.mark.parametrize("change", ["price", "hours", "remove", "accept"])
def test_a_new_version_while_out_asks_the_team_to_sign_again(
    trio, change, django_capture_on_commit_callbacks
):
    lead, second, third = trio
    bid = start(lead, second, third)
    team.bid_member_respond(bid_id=bid.pk, actor=second.user, accept=True)
    if change != "accept":
        team.bid_member_respond(bid_id=bid.pk, actor=third.user, accept=True)
    states.bid_send(bid_id=bid.pk, actor=lead.user)

    with django_capture_on_commit_callbacks(execute=True):
        CHANGES[change](bid, lead, second, third)

    expected = {
        "price": emails(second, third),  # lead made the change
        "hours": emails(second, third),
        "remove": emails(third),  # second left the team
        "accept": emails(lead, second),  # third joined and is the actor
    }[change]
    assert sent("agreement_to_sign") == expected


@pytest.mark.parametrize("change", ["due_date", "invited_hours", "invited_removed"])
def test_a_change_that_writes_no_version_asks_nobody_to_sign_again(
    trio, change, django_capture_on_commit_callbacks
):
    lead, second, third = trio
    bid = sent_bid(lead, second)
    team.bid_invite(
        bid_id=bid.pk, actor=lead.user, consultant=third, role="QA", estimated_hours="3"
    )
    number = terms.current_agreement(bid).number

    with django_capture_on_commit_callbacks(execute=True):
        if change == "due_date":
            terms.bid_terms_change(
                bid_id=bid.pk, actor=lead.user,
                due_date=timezone.localdate() + datetime.timedelta(days=3),
            )  # fmt: skip
        elif change == "invited_hours":
            team.bid_member_change(
                bid_id=bid.pk, actor=lead.user, consultant_id=third.pk, estimated_hours="9"
            )
        else:
            team.bid_member_remove(bid_id=bid.pk, actor=lead.user, consultant_id=third.pk)

    assert terms.current_agreement(bid).number == number
    assert sent("agreement_to_sign") == []


def test_the_last_signature_tells_the_whole_team_it_is_in_force(
    trio, django_capture_on_commit_callbacks
):
    lead, second, third = trio
    bid = sent_bid(lead, second, third)
    with django_capture_on_commit_callbacks(execute=True):
        sign_all(bid, lead, second)
    assert sent("agreement_in_force") == []

    with django_capture_on_commit_callbacks(execute=True):
        sign_all(bid, third)

    assert sent("agreement_in_force") == emails(lead, second, third)


def test_a_rolled_back_change_tells_nobody(trio, django_capture_on_commit_callbacks):
    lead, second, _third = trio
    bid = signed_bid(lead, second)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(rules.BidConflict):
            terms.bid_terms_change(bid_id=bid.pk, actor=lead.user, price="1.00")

    assert callbacks == []


# --- the statement -----------------------------------------------------------------------------


def test_every_step_of_the_statement_tells_the_team(working, django_capture_on_commit_callbacks):
    bid, lead, second, third = working
    log(bid, second, "5")

    with django_capture_on_commit_callbacks(execute=True):
        propose(bid, lead)
    assert sent(StatementKind.TO_APPROVE) == emails(second, third)
    body = Notification.objects.get(
        kind=StatementKind.TO_APPROVE, recipient_email=second.user.email
    ).body_text
    assert "your payout: USD\u00a09,000.00" in body and "dispute" in body
    assert "The pool of USD\u00a09,000.00 is split" in body

    with django_capture_on_commit_callbacks(execute=True):
        settlement.statement_dispute(bid_id=bid.pk, actor=third.user, reason="Hours missing")
    assert sent(StatementKind.DISPUTED) == emails(lead, second)
    assert "Hours missing" in Notification.objects.filter(kind=StatementKind.DISPUTED)[0].body_text

    with django_capture_on_commit_callbacks(execute=True):
        propose(bid, lead)
        approve(bid, second)
    assert sent(StatementKind.APPROVED) == emails(lead, third)
    assert f"Still to approve: {lead.display_name}, {third.display_name}" in (
        Notification.objects.filter(kind=StatementKind.APPROVED)[0].body_text
    )

    with django_capture_on_commit_callbacks(execute=True):
        approve(bid, lead, third)
    # The last approval says "final" to everyone, not "approved".
    assert sent(StatementKind.FINAL) == emails(lead, second, third)
    assert sent(StatementKind.APPROVED) == sorted(emails(lead, third) + emails(second, third))
