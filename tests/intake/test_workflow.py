"""The request workflow's rules (``intake.workflow``): the table of moves, every move × every
role, every move from every state it does not start from, stale versions, and the input a move
refuses; each refusal changes nothing.

The tables below restate the rules of docs/architecture.md and the README independently of
``MOVES``, so a change to the workflow's table that breaks a rule fails here rather than passing
silently. What each move does once it is allowed, and what it sets off after the commit:
tests/intake/test_workflow_effects.py. The cast is the ``cast`` fixture of
tests/intake/conftest.py; the requests it works on come from tests/helpers.py.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from intake.models import Request
from intake.workflow import MOVES, PUBLIC_ACTIONS, WorkflowConflict, allowed_moves
from tests.intake.helpers import WorkflowCast as Cast
from tests.intake.helpers import workflow_apply as apply
from tests.intake.helpers import workflow_fields as fields_for
from tests.intake.helpers import workflow_request_in as request_in
from tests.intake.helpers import workflow_snapshot as snapshot

pytestmark = pytest.mark.django_db

S = Request.Status

# --- Who is who --------------------------------------------------------------------------------

ROLES = [
    "system",  # no user: the timers
    "member",  # a member of the routed group, not offered the request
    "offered_member",  # the member the request is offered to
    "other_member",  # a member of no group involved
    "group_coordinator",  # coordinator of the group the request is routed to
    "other_group_coordinator",  # coordinator of another group
    "intake_coordinator",
    "community_coordinator",
    "admin",
]

QUEUE = {"intake_coordinator", "admin"}
# Who may make each move, from the README's table of moves: intake coordinators work the queue; the
# routed group's coordinator makes offers; the offered member accepts or declines; staff
# complete; the timer alone expires. Administrators may do everything a person may, except
# answer an offer made to someone else.
ALLOWED = {
    "contact": QUEUE,
    "triage": QUEUE,
    "route": QUEUE,
    "offer": {"group_coordinator", "admin"},
    "accept": {"offered_member"},
    "decline": {"offered_member"},
    "expire": {"system"},
    "start_bidding": QUEUE,
    "refer_out": QUEUE,
    "withdraw": QUEUE,
    "mark_spam": QUEUE,
    # The member serving the client, and nobody else, says the work is done.
    "report_done": {"offered_member"},
    "complete": {"intake_coordinator", "community_coordinator", "admin"},
    # Team bids: the lead of the open bid (none in this cast) or the queue sends it; the queue
    # records the client's answer; the settlement (lead or staff) completes the request.
    "submit_bid": QUEUE,
    "win_bid": QUEUE,
    "lose_bid": QUEUE,
    "settle_bid": {"intake_coordinator", "community_coordinator", "admin"},
}
# These change a bid in the same transaction and need one in place: tests/intake/test_bids*.py
# take them through every role with a real bid; the matrix below checks permission and state.
BID_MOVES = {"submit_bid", "win_bid", "lose_bid", "settle_bid"}

OPEN = {S.SUBMITTED, S.CONTACTED, S.TRIAGED, S.ROUTED, S.OFFERED, S.BIDDING, S.BID_SUBMITTED}
# The states each move starts from and where it leads, from the diagram in docs/architecture.md.
SOURCES = {
    "contact": {S.SUBMITTED},
    "triage": {S.CONTACTED},
    "route": {S.TRIAGED, S.ROUTED},
    "offer": {S.ROUTED},
    "accept": {S.OFFERED},
    "decline": {S.OFFERED},
    "expire": {S.OFFERED},
    "start_bidding": {S.TRIAGED, S.ROUTED},
    "refer_out": OPEN,
    "withdraw": OPEN,
    "mark_spam": {S.SUBMITTED, S.CONTACTED, S.TRIAGED},
    "report_done": {S.ENGAGED},
    "complete": {S.ENGAGED},
    "submit_bid": {S.BIDDING},
    "win_bid": {S.BID_SUBMITTED},
    "lose_bid": {S.BID_SUBMITTED},
    "settle_bid": {S.ENGAGED},
}
TARGET = {
    "contact": S.CONTACTED,
    "triage": S.TRIAGED,
    "route": S.ROUTED,
    "offer": S.OFFERED,
    "accept": S.ENGAGED,
    "decline": S.ROUTED,
    "expire": S.ROUTED,
    "start_bidding": S.BIDDING,
    "refer_out": S.REFERRED_OUT,
    "withdraw": S.WITHDRAWN,
    "mark_spam": S.CLOSED_SPAM,
    "report_done": S.ENGAGED,  # the request stays engaged until a coordinator completes it
    "complete": S.COMPLETED,
    "submit_bid": S.BID_SUBMITTED,
    "win_bid": S.ENGAGED,
    "lose_bid": S.LOST,
    "settle_bid": S.COMPLETED,
}
# The state the role matrix starts each move from (the first on the happy path).
START = {
    "contact": S.SUBMITTED,
    "triage": S.CONTACTED,
    "route": S.TRIAGED,
    "offer": S.ROUTED,
    "accept": S.OFFERED,
    "decline": S.OFFERED,
    "expire": S.OFFERED,
    "start_bidding": S.TRIAGED,
    "refer_out": S.SUBMITTED,
    "withdraw": S.SUBMITTED,
    "mark_spam": S.SUBMITTED,
    "report_done": S.ENGAGED,
    "complete": S.ENGAGED,
    "submit_bid": S.BIDDING,
    "win_bid": S.BID_SUBMITTED,
    "lose_bid": S.BID_SUBMITTED,
    "settle_bid": S.ENGAGED,
}


# --- The table itself ---------------------------------------------------------------------------


def test_the_table_has_exactly_the_designed_moves():
    assert set(MOVES) == set(ALLOWED)
    assert set(PUBLIC_ACTIONS) == set(ALLOWED) - {"expire", "settle_bid"}
    for action, move in MOVES.items():
        assert set(move.sources) == SOURCES[action], action
        assert move.target == TARGET[action], action


# --- Every move × every role --------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", [action for action in ALLOWED if action not in BID_MOVES])
def test_who_may_make_each_move(cast, action, role):
    request = request_in(START[action], cast)
    actor = cast.user(role)
    before = snapshot(request)
    if role not in ALLOWED[action]:
        with pytest.raises(PermissionDenied):
            apply(request, action, actor, **fields_for(action, cast))
        assert snapshot(request) == before
        return

    event = apply(request, action, actor, **fields_for(action, cast))

    request.refresh_from_db()
    assert request.status == TARGET[action]
    # Exactly one event, recording the move, and the version moved on by one.
    assert list(request.events.all()) == [event]
    assert (event.action, event.from_status, event.to_status) == (
        action,
        START[action],
        TARGET[action],
    )
    assert event.actor == actor
    assert request.version == before[1] + 1


@pytest.mark.parametrize("role", ROLES[1:])
@pytest.mark.parametrize("status", list(S.values))
def test_allowed_moves_lists_what_the_role_may_do_from_the_state(cast, status, role):
    request = request_in(status, cast)
    expected = {
        action for action in PUBLIC_ACTIONS if status in SOURCES[action] and role in ALLOWED[action]
    }
    assert {move.action for move in allowed_moves(cast.user(role), request)} == expected


# --- Illegal moves and stale versions -----------------------------------------------------------


def actor_for(action: str, cast: Cast):
    """Someone who may make the move, so that only the state or version can refuse it."""
    if action == "expire":
        return None
    if action in ("accept", "decline"):
        return cast.user("offered_member")
    return cast.user("admin")


ILLEGAL = [
    (action, status) for action in ALLOWED for status in S.values if status not in SOURCES[action]
]


@pytest.mark.parametrize(("action", "status"), ILLEGAL, ids=[f"{a}-from-{s}" for a, s in ILLEGAL])
def test_a_move_from_a_state_it_does_not_start_from_is_a_conflict(cast, action, status):
    # The holder keeps the offer's link (as after an accept), so the state alone refuses.
    request = request_in(status, cast, offered_consultant=cast.offered, version=4)
    before = snapshot(request)
    with pytest.raises(WorkflowConflict) as refused:
        apply(request, action, actor_for(action, cast), **fields_for(action, cast))
    assert (refused.value.status, refused.value.version) == (status, 4)
    assert snapshot(request) == before


@pytest.mark.parametrize("action", list(ALLOWED))
def test_stale_version_is_refused_and_changes_nothing(cast, action):
    request = request_in(START[action], cast, version=5)
    before = snapshot(request)
    with pytest.raises(WorkflowConflict) as refused:
        apply(request, action, actor_for(action, cast), version=4, **fields_for(action, cast))
    assert (refused.value.status, refused.value.version) == (START[action], 5)
    assert "version 4" in str(refused.value)
    assert snapshot(request) == before


def test_a_newer_version_than_stored_is_refused_too(cast):
    request = request_in(S.SUBMITTED, cast)
    with pytest.raises(WorkflowConflict):
        apply(request, "contact", cast.user("admin"), version=2)


def test_the_second_of_two_moves_decided_on_the_same_page_is_refused(cast):
    request = request_in(S.SUBMITTED, cast)
    apply(request, "contact", cast.user("intake_coordinator"), version=1)
    with pytest.raises(WorkflowConflict) as refused:
        apply(request, "mark_spam", cast.user("admin"), version=1)
    assert (refused.value.status, refused.value.version) == (S.CONTACTED, 2)
    assert request.events.count() == 1


def test_answering_an_offer_that_expired_meanwhile_is_a_conflict_not_a_refusal(cast):
    """The state is checked before the role: the member who held the offer hears "this changed
    while you were looking" (409), not "you may not" (403)."""
    request = request_in(S.OFFERED, cast, version=3)
    apply(request, "expire", None)
    with pytest.raises(WorkflowConflict):
        apply(request, "accept", cast.user("offered_member"), version=3)


# --- Bad input --------------------------------------------------------------------------------


def test_unknown_action_is_a_validation_error(cast):
    request = request_in(S.SUBMITTED, cast)
    before = snapshot(request)
    with pytest.raises(ValidationError) as refused:
        apply(request, "promote", cast.user("admin"))
    assert "action" in refused.value.error_dict
    assert snapshot(request) == before


def test_a_field_the_move_does_not_take_is_a_validation_error(cast):
    request = request_in(S.SUBMITTED, cast)
    before = snapshot(request)
    with pytest.raises(ValidationError) as refused:
        apply(request, "contact", cast.user("admin"), status="completed", note="hi")
    assert list(refused.value.error_dict) == ["status"]
    assert snapshot(request) == before


@pytest.mark.parametrize(
    ("action", "status", "fields", "field"),
    [
        ("triage", S.CONTACTED, {"urgency": "whenever"}, "urgency"),
        ("triage", S.CONTACTED, {"skills": "CiviCRM"}, "skills"),
        ("route", S.TRIAGED, {}, "group"),
        ("route", S.TRIAGED, {"group": 10**6}, "group"),
        ("route", S.TRIAGED, {"group": 1, "consultant": 1}, "group"),
        ("route", S.TRIAGED, {"consultant": 10**6}, "consultant"),
        ("offer", S.ROUTED, {}, "consultant"),
        ("offer", S.ROUTED, {"consultant": 10**6}, "consultant"),
        ("decline", S.OFFERED, {}, "reason"),
        ("decline", S.OFFERED, {"reason": "   "}, "reason"),
        ("refer_out", S.TRIAGED, {"professionals": [], "message": "Try them"}, "professionals"),
        ("refer_out", S.TRIAGED, {"professionals": [10**6], "message": "Try"}, "professionals"),
        ("refer_out", S.TRIAGED, {"message": "Try them"}, "professionals"),
    ],
)
def test_wrong_fields_are_refused_with_a_field_error_and_change_nothing(
    cast, action, status, fields, field
):
    request = request_in(status, cast)
    before = snapshot(request)
    with pytest.raises(ValidationError) as refused:
        apply(request, action, actor_for(action, cast), **fields)
    assert field in refused.value.error_dict
    assert snapshot(request) == before


@pytest.mark.parametrize(
    ("action", "status", "fields"),
    [
        ("route", S.TRIAGED, {"group": "design-team"}),
        ("offer", S.ROUTED, {"consultant": "someone"}),
        ("refer_out", S.TRIAGED, {"professionals": ["x"], "message": "Try them"}),
    ],
)
def test_a_reference_that_is_not_a_number_is_a_field_error(cast, action, status, fields):
    request = request_in(status, cast)
    with pytest.raises(ValidationError):
        apply(request, action, actor_for(action, cast), **fields)
