"""Approving the statement (``intake/bids/settlement.py``, ``statement_approve``): every member on
the team approves it, and it is final, the bid settled and the request completed, only when the
last one does. Refusals are checked by the exception and a snapshot of every bid row before and
after (``tests/bids/helpers.py``)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from intake.bids import access as bid_access
from intake.bids import rules, settlement
from intake.bids.models import AgreementVersion, Bid, BidEvent, StatementApproval
from intake.models import Engagement, Request, RequestEvent
from intake.workflow import WorkflowConflict, request_apply
from network import services as network_services
from network.models import Consultant, User
from tests.bids.helpers import (
    FINAL,
    PROPOSED,
    actions,
    approve,
    assert_unchanged,
    fresh,
    log,
    member,
    propose,
    snapshot,
)

pytestmark = pytest.mark.django_db

B = Bid.Status


# --- Approving -------------------------------------------------------------------------------


def test_the_statement_is_final_only_when_every_member_approves(working):
    bid, lead, second, third = working
    log(bid, second, "5")
    statement = propose(bid, lead, collector=lead.pk, note="Done")

    approve(bid, lead, third)

    statement.refresh_from_db()
    assert statement.state == PROPOSED
    assert fresh(bid).status == B.IN_PROGRESS
    assert fresh(bid).request.status == Request.Status.ENGAGED

    approve(bid, second)

    statement.refresh_from_db()
    bid = fresh(bid)
    assert statement.state == FINAL and statement.decided_at is not None
    assert bid.status == B.SETTLED and bid.settled_at == statement.decided_at
    assert bid.collector == lead
    assert statement.agreement == AgreementVersion.objects.get(bid=bid, in_force_at__isnull=False)
    assert bid.request.status == Request.Status.COMPLETED
    assert bid.request.closed_at is not None
    ends = set(Engagement.objects.filter(request=bid.request).values_list("end", flat=True))
    assert ends == {timezone.localdate()}
    # The request's move is the last approval's, in the last approver's name.
    event = RequestEvent.objects.filter(request=bid.request).latest("pk")
    assert (event.action, event.data, event.actor) == ("settle_bid", {"bid": bid.pk}, second.user)
    assert actions(bid)[-4:] == [
        "statement_approved", "statement_approved", "statement_approved", "settled"
    ]  # fmt: skip


def test_a_statement_proposed_by_a_coordinator_who_left_the_role_still_becomes_final(
    working, community_coordinator
):
    """The members' approvals are what make the statement final, not the proposer's role: the
    request's move is the last approver's."""
    bid, lead, second, third = working
    log(bid, second, "5")
    settlement.bid_settle(bid_id=bid.pk, actor=community_coordinator)
    community_coordinator.groups.clear()

    approve(bid, lead, second, third)

    assert fresh(bid).status == B.SETTLED
    event = RequestEvent.objects.filter(request=bid.request).latest("pk")
    assert (event.action, event.actor) == ("settle_bid", third.user)


def test_the_last_approval_closes_the_request_when_the_lead_proposer_stopped_working(working):
    """The lead proposed and approved, then went on leave (their roles end with the status
    change). The last member's approval still makes the statement final and completes the
    request, in that member's name; before, the request's move was refused (403) because
    neither the proposer nor the lead could settle any more."""
    bid, lead, second, third = working
    log(bid, second, "5")
    propose(bid, lead)
    approve(bid, lead, second)
    network_services.consultant_set_status(
        consultant=lead, status=Consultant.Status.ON_LEAVE, reason="Parental leave"
    )

    approve(bid, third)

    statement = settlement.live_statement(fresh(bid))
    assert statement.state == FINAL
    assert fresh(bid).status == B.SETTLED
    assert fresh(bid).request.status == Request.Status.COMPLETED
    event = RequestEvent.objects.filter(request=bid.request).latest("pk")
    assert (event.action, event.actor) == ("settle_bid", third.user)
    settled = BidEvent.objects.get(bid=bid, action="settled")
    assert settled.actor == third.user


@pytest.mark.parametrize("status", ["on_leave", "alumni", "former"])
def test_a_member_who_stopped_working_cannot_approve_or_dispute_themself(working, status):
    """Approving is a member's right, so it needs a working member, as the bid pages do; a
    coordinator records the approval on their behalf instead (test_settlement_on_behalf)."""
    bid, lead, second, _third = working
    log(bid, second, "5")
    propose(bid, lead)
    network_services.consultant_set_status(consultant=second, status=status)
    signed_in_again = User.objects.get(pk=second.user_id)  # as a new request loads them
    before = snapshot()

    with pytest.raises(PermissionDenied):
        settlement.statement_approve(bid_id=bid.pk, actor=signed_in_again)
    with pytest.raises(PermissionDenied):
        settlement.statement_dispute(bid_id=bid.pk, actor=signed_in_again, reason="Wrong")

    assert_unchanged(before)


def test_settling_a_request_is_not_a_right_of_any_team_member(working):
    """The request's settle move admits a member of the team only once they approved its final
    statement themself: a member of a bid still at work may not make it."""
    bid, lead, second, third = working
    log(bid, second, "5")
    propose(bid, lead)
    approve(bid, second)

    assert bid_access.settles_bid(lead.user, bid.request)
    assert not bid_access.settles_bid(second.user, bid.request)
    assert not bid_access.settles_bid(member().user, bid.request)
    approve(bid, lead, third)
    request = fresh(bid).request
    assert bid_access.settles_bid(second.user, request) and bid_access.settles_bid(
        third.user, request
    )
    assert not bid_access.settles_bid(member().user, request)
    network_services.consultant_set_status(consultant=second, status=Consultant.Status.ALUMNI)
    assert not bid_access.settles_bid(User.objects.get(pk=second.user_id), request)


def test_approving_twice_answers_the_first_approval(working):
    bid, lead, second, _third = working
    log(bid, second, "5")
    propose(bid, lead)

    first = settlement.statement_approve(bid_id=bid.pk, actor=second.user)
    again = settlement.statement_approve(bid_id=bid.pk, actor=second.user)

    assert first.pk == again.pk
    assert StatementApproval.objects.filter(settlement__bid=bid).count() == 1
    assert actions(bid).count("statement_approved") == 1


@pytest.mark.parametrize("who", ["outsider", "coordinator", "closed_invitation"])
@pytest.mark.parametrize("step", ["approve", "dispute"])
def test_only_members_on_the_team_approve_or_dispute(working, who, step, intake_coordinator):
    bid, lead, second, _third = working
    log(bid, second, "5")
    propose(bid, lead)
    actor = {"outsider": member().user, "coordinator": intake_coordinator,
             "closed_invitation": lead.user}[who]  # fmt: skip
    if who == "closed_invitation":
        # Someone whose invitation closed when the agreement came into force: not on the team.
        closed = member()
        bid.members.create(consultant=closed, role="QA", estimated_hours=1, standard_rate=0,
                           status="removed")  # fmt: skip
        actor = closed.user
    before = snapshot()

    with pytest.raises(PermissionDenied):
        if step == "approve":
            settlement.statement_approve(bid_id=bid.pk, actor=actor)
        else:
            settlement.statement_dispute(bid_id=bid.pk, actor=actor, reason="No")

    assert_unchanged(before)


@pytest.mark.parametrize("stage", ["not_proposed", "final", "disputed"])
@pytest.mark.parametrize("step", ["approve", "dispute"])
def test_approving_or_disputing_with_no_statement_out_is_a_conflict(working, stage, step):
    bid, lead, second, third = working
    log(bid, second, "5")
    if stage != "not_proposed":
        propose(bid, lead)
    if stage == "final":
        approve(bid, lead, second, third)
    if stage == "disputed":
        settlement.statement_dispute(bid_id=bid.pk, actor=third.user, reason="Wrong")
    before = snapshot()

    with pytest.raises(rules.BidConflict):
        if step == "approve":
            settlement.statement_approve(bid_id=bid.pk, actor=second.user)
        else:
            settlement.statement_dispute(bid_id=bid.pk, actor=second.user, reason="Late")

    assert_unchanged(before)


def test_a_request_whose_bid_is_in_progress_is_completed_only_by_the_final_statement(
    working, intake_coordinator
):
    bid, lead, second, third = working
    log(bid, second, "5")
    propose(bid, lead)
    before = snapshot()

    with pytest.raises(WorkflowConflict):
        request_apply(
            request_id=bid.request_id, action="complete", actor=intake_coordinator, version=None
        )

    assert_unchanged(before)
    approve(bid, lead, second, third)
    assert fresh(bid).request.status == Request.Status.COMPLETED
