"""The bid's moves (``intake.bids.states``): sending, withdrawing, submitting, the client's answer
and starting the work, through the services the pages call, the request's workflow and the one
door (``bid_apply``) they all go through.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from intake.bids import rules, states, team, terms
from intake.bids.models import (
    Bid,
)
from intake.models import Engagement, Request, RequestEvent
from intake.workflow import WorkflowConflict, request_apply
from tests.bids.helpers import (
    actions,
    assert_unchanged,
    fresh,
    member,
    sent_bid,
    sign_all,
    signed_bid,
    snapshot,
    start,
)
from tests.factories import BidFactory, BidMemberFactory

pytestmark = pytest.mark.django_db

B = Bid.Status


# --- sending ---------------------------------------------------------------------------------


def test_sending_needs_a_second_member_on_the_team(trio):
    lead, second, _third = trio
    bid = start(lead, second)  # invited, not yet accepted
    before = snapshot()

    with pytest.raises(ValidationError) as error:
        states.bid_send(bid_id=bid.pk, actor=lead.user)

    assert "team" in error.value.message_dict
    assert_unchanged(before)


# --- the request workflow --------------------------------------------------------------------


def test_a_bid_goes_to_the_client_only_when_signed(trio, intake_coordinator):
    lead, second, _third = trio
    bid = sent_bid(lead, second)
    before = snapshot()

    with pytest.raises(rules.BidConflict):
        states.bid_submit(bid_id=bid.pk, actor=lead.user)
    with pytest.raises(WorkflowConflict):
        request_apply(
            request_id=bid.request_id, action="submit_bid", actor=intake_coordinator, version=None
        )

    assert_unchanged(before)


@pytest.mark.parametrize("who", ["lead", "intake_coordinator"])
def test_the_lead_or_an_intake_coordinator_submits_the_signed_bid(trio, who, request):
    lead, second, _third = trio
    bid = signed_bid(lead, second)
    actor = lead.user if who == "lead" else request.getfixturevalue("intake_coordinator")

    states.bid_submit(bid_id=bid.pk, actor=actor)

    bid = fresh(bid)
    assert bid.status == B.SUBMITTED and bid.submitted_at is not None
    assert bid.request.status == Request.Status.BID_SUBMITTED
    event = RequestEvent.objects.filter(request=bid.request).latest("pk")
    assert (event.action, event.actor, event.data) == ("submit_bid", actor, {"bid": bid.pk})


@pytest.mark.parametrize("who", ["member", "outsider", "community_coordinator"])
def test_other_people_may_not_submit_the_bid(trio, who, request):
    lead, second, _third = trio
    bid = signed_bid(lead, second)
    actor = {
        "member": second.user,
        "outsider": member().user,
        "community_coordinator": request.getfixturevalue("community_coordinator"),
    }[who]
    before = snapshot()

    with pytest.raises(PermissionDenied):
        states.bid_submit(bid_id=bid.pk, actor=actor)
    with pytest.raises(PermissionDenied):
        request_apply(request_id=bid.request_id, action="submit_bid", actor=actor, version=None)

    assert_unchanged(before)


def test_winning_engages_every_member_of_the_team(trio, intake_coordinator):
    lead, second, third = trio
    bid = signed_bid(lead, second, third)
    states.bid_submit(bid_id=bid.pk, actor=lead.user)

    states.bid_decide(bid_id=bid.pk, actor=intake_coordinator, won=True)

    bid = fresh(bid)
    assert bid.status == B.WON and bid.decided_at is not None
    assert bid.request.status == Request.Status.ENGAGED
    assert bid.request.engaged_consultant == lead
    engaged = Engagement.objects.filter(request=bid.request)
    assert sorted(engaged.values_list("consultant_id", flat=True)) == sorted(
        [lead.pk, second.pk, third.pk]
    )
    assert all(e.end is None for e in engaged)


def test_an_invited_member_who_never_joined_is_not_engaged(trio, intake_coordinator):
    lead, second, third = trio
    bid = sent_bid(lead, second)
    team.bid_invite(
        bid_id=bid.pk, actor=lead.user, consultant=third, role="QA", estimated_hours="3"
    )
    sign_all(bid, lead, second)
    states.bid_submit(bid_id=bid.pk, actor=lead.user)

    states.bid_decide(bid_id=bid.pk, actor=intake_coordinator, won=True)

    assert not Engagement.objects.filter(request=bid.request, consultant=third).exists()


def test_losing_marks_the_request_and_the_bid_lost(trio, intake_coordinator):
    lead, second, _third = trio
    bid = signed_bid(lead, second)
    states.bid_submit(bid_id=bid.pk, actor=lead.user)

    states.bid_decide(bid_id=bid.pk, actor=intake_coordinator, won=False, note="Went elsewhere")

    bid = fresh(bid)
    assert (bid.status, bid.request.status) == (B.LOST, Request.Status.LOST)
    assert not Engagement.objects.filter(request=bid.request).exists()
    assert actions(bid)[-1] == "lose_bid"


def test_only_intake_coordinators_record_the_clients_answer(trio):
    lead, second, _third = trio
    bid = signed_bid(lead, second)
    states.bid_submit(bid_id=bid.pk, actor=lead.user)
    before = snapshot()

    with pytest.raises(PermissionDenied):
        states.bid_decide(bid_id=bid.pk, actor=lead.user, won=True)

    assert_unchanged(before)


def test_deciding_a_bid_not_yet_submitted_is_a_conflict(trio, intake_coordinator):
    lead, second, _third = trio
    bid = signed_bid(lead, second)
    before = snapshot()

    with pytest.raises(rules.BidConflict):
        states.bid_decide(bid_id=bid.pk, actor=intake_coordinator, won=True)

    assert_unchanged(before)


def test_after_a_bid_is_withdrawn_a_new_bid_can_start_on_the_request(trio):
    lead, second, _third = trio
    bid = signed_bid(lead, second)

    states.bid_withdraw(bid_id=bid.pk, actor=lead.user, note="Could not agree")
    again = start(second, lead, request=bid.request)

    assert fresh(bid).status == B.WITHDRAWN
    assert fresh(bid).request.status == Request.Status.BIDDING
    assert again.lead == second and again.status == B.DRAFT
    assert terms.current_agreement(again).number == 1


@pytest.mark.parametrize("who", ["member", "outsider"])
def test_only_the_lead_or_a_coordinator_withdraws_a_bid(trio, who):
    lead, second, _third = trio
    bid = signed_bid(lead, second)
    actor = second.user if who == "member" else member().user
    before = snapshot()

    with pytest.raises(PermissionDenied):
        states.bid_withdraw(bid_id=bid.pk, actor=actor)

    assert_unchanged(before)


def test_a_submitted_bid_cannot_be_withdrawn_by_the_team(trio):
    lead, second, _third = trio
    bid = signed_bid(lead, second)
    states.bid_submit(bid_id=bid.pk, actor=lead.user)
    before = snapshot()

    with pytest.raises(rules.BidConflict):
        states.bid_withdraw(bid_id=bid.pk, actor=lead.user)

    assert_unchanged(before)


def test_the_work_starts_only_on_a_won_bid_by_its_managers(trio, intake_coordinator):
    lead, second, _third = trio
    bid = signed_bid(lead, second)
    before = snapshot()
    with pytest.raises(rules.BidConflict):
        states.bid_start(bid_id=bid.pk, actor=lead.user)
    assert_unchanged(before)
    states.bid_submit(bid_id=bid.pk, actor=lead.user)
    states.bid_decide(bid_id=bid.pk, actor=intake_coordinator, won=True)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        states.bid_start(bid_id=bid.pk, actor=second.user)
    assert_unchanged(before)

    states.bid_start(bid_id=bid.pk, actor=lead.user)

    assert fresh(bid).status == B.IN_PROGRESS


# --- the table and the door ------------------------------------------------------------------


def test_the_table_lists_the_moves_a_person_asks_for_by_name():
    assert list(states.BID_MOVES) == ["send", "withdraw", "submit", "win", "lose", "start"]
    assert states.BID_ACTIONS == list(states.BID_MOVES)
    assert set(states.REFUSALS) == set(states.BID_MOVES)
    for action, move in states.BID_MOVES.items():
        assert move.effect is not None, action
        assert move.target not in move.sources, action


def door_stage(action, trio, intake_coordinator) -> Bid:
    """A bid in a status ``action`` may start from, built through the services."""
    lead, second, _third = trio
    if action in ("send", "withdraw"):
        bid = start(lead, second)
        team.bid_member_respond(bid_id=bid.pk, actor=second.user, accept=True)
        return fresh(bid)
    bid = signed_bid(lead, second)
    if action == "submit":
        return bid
    states.bid_submit(bid_id=bid.pk, actor=lead.user)
    if action in ("win", "lose"):
        return fresh(bid)
    states.bid_decide(bid_id=bid.pk, actor=intake_coordinator, won=True)
    return fresh(bid)


MOVER = {"win": "coordinator", "lose": "coordinator"}  # the lead makes every other move
EVENT = {"send": "sent", "withdraw": "withdrawn", "submit": "submit_bid", "win": "win_bid",
         "lose": "lose_bid", "start": "started"}  # fmt: skip


@pytest.mark.parametrize("action", list(states.BID_MOVES))
def test_the_door_makes_each_move_bumps_the_version_and_writes_one_event(
    trio, intake_coordinator, action
):
    bid = door_stage(action, trio, intake_coordinator)
    actor = intake_coordinator if MOVER.get(action) == "coordinator" else trio[0].user
    events = len(actions(bid))
    fields = {"note": "Noted."} if "note" in states.BID_MOVES[action].fields else {}

    moved = states.bid_apply(
        bid_id=bid.pk, action=action, actor=actor, version=bid.version, **fields
    )

    assert moved.status == states.BID_MOVES[action].target
    assert fresh(bid).status == moved.status
    assert fresh(bid).version == bid.version + 1
    assert actions(bid)[events:] == [EVENT[action]]


def test_the_request_moves_with_the_bid_in_one_transaction(trio, intake_coordinator):
    bid = door_stage("win", trio, intake_coordinator)

    states.bid_apply(bid_id=bid.pk, action="win", actor=intake_coordinator, version=bid.version)

    request = Request.objects.get(pk=bid.request_id)
    assert request.status == Request.Status.ENGAGED
    assert RequestEvent.objects.filter(request=request).latest("pk").action == "win_bid"


def test_a_stale_version_is_a_conflict_and_changes_nothing():
    bid = BidFactory(status=B.WON)
    before = snapshot()

    with pytest.raises(rules.BidConflict) as conflict:
        states.bid_apply(bid_id=bid.pk, action="start", actor=bid.lead.user, version=9)

    assert (conflict.value.status, conflict.value.version) == ("won", bid.version)
    assert_unchanged(before)


def test_a_move_the_status_does_not_allow_is_a_conflict_and_changes_nothing():
    bid = BidFactory(status=B.DRAFT)
    before = snapshot()

    with pytest.raises(rules.BidConflict, match="A bid that is draft cannot start."):
        states.bid_apply(bid_id=bid.pk, action="start", actor=bid.lead.user, version=bid.version)

    assert_unchanged(before)


def test_an_actor_without_the_right_is_refused_and_nothing_changes():
    bid = BidFactory(status=B.WON)
    member_on_team = BidMemberFactory(bid=bid).consultant
    before = snapshot()

    with pytest.raises(PermissionDenied, match="lead or a coordinator may start the work"):
        states.bid_apply(
            bid_id=bid.pk, action="start", actor=member_on_team.user, version=bid.version
        )

    assert_unchanged(before)


@pytest.mark.parametrize(
    "action, fields, field",
    [("start", {"note": "Now."}, "note"), ("send", {"price": "1"}, "price"),
     ("fly", {}, "action")],
)  # fmt: skip
def test_a_field_the_move_does_not_take_is_refused_before_anything_is_read(action, fields, field):
    bid = BidFactory(status=B.WON)
    before = snapshot()

    with pytest.raises(ValidationError) as error:
        states.bid_apply(
            bid_id=bid.pk, action=action, actor=bid.lead.user, version=bid.version, **fields
        )

    assert list(error.value.message_dict) == [field]
    assert_unchanged(before)


def test_the_door_checks_the_state_before_the_right():
    """Someone acting on a bid that has moved on hears that it changed (409), as for requests."""
    bid = BidFactory(status=B.IN_PROGRESS)
    member_on_team = BidMemberFactory(bid=bid).consultant

    with pytest.raises(rules.BidConflict):
        states.bid_apply(
            bid_id=bid.pk, action="start", actor=member_on_team.user, version=bid.version
        )


def test_the_pages_services_keep_their_order_of_refusals():
    """bid_start and the others answered a caller without the right 403 whatever the state, and
    still do; recording the client's answer checks the right before the version."""
    bid = BidFactory(status=B.IN_PROGRESS)
    member_on_team = BidMemberFactory(bid=bid).consultant

    with pytest.raises(PermissionDenied):
        states.bid_start(bid_id=bid.pk, actor=member_on_team.user, version=bid.version)
    with pytest.raises(rules.BidConflict):  # a stale version before the right
        states.bid_start(bid_id=bid.pk, actor=member_on_team.user, version=bid.version + 1)
    with pytest.raises(PermissionDenied):  # the client's answer: the right before the version
        states.bid_decide(bid_id=bid.pk, actor=bid.lead.user, won=True, version=bid.version + 1)


def test_a_bid_of_a_factory_starts_through_the_door():
    bid = BidFactory(status=B.WON)

    moved = states.bid_apply(
        bid_id=bid.pk, action="start", actor=bid.lead.user, version=bid.version
    )

    assert moved.status == B.IN_PROGRESS and moved.work_started_on is not None
    assert actions(bid) == ["started"]
