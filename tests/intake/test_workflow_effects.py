"""The request workflow (``intake.workflow``): every move × every role, every move from every
state it does not start from, stale versions, each move's effects, and notifications on commit.

The tables below restate the rules of docs/architecture.md and the README independently of
``MOVES``, so a
change to the workflow's table that breaks a rule fails here rather than passing silently.
"""

import datetime
from dataclasses import dataclass

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from intake import notifications
from intake.models import Engagement, Offer, OutsideReferral, Request, RequestEvent
from intake.workflow import MOVES, PUBLIC_ACTIONS, WorkflowConflict, allowed_moves, request_apply
from network.models import Consultant, ConsultantGroup, ExternalProfessional
from tests.factories import (
    ConsultantFactory,
    ConsultantGroupFactory,
    ExternalProfessionalFactory,
    OfferFactory,
    RequestFactory,
)

pytestmark = pytest.mark.django_db

S = Request.Status
NOW = datetime.datetime(2026, 3, 10, 17, 0, tzinfo=datetime.UTC)

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
    "complete": S.ENGAGED,
    "submit_bid": S.BIDDING,
    "win_bid": S.BID_SUBMITTED,
    "lose_bid": S.BID_SUBMITTED,
    "settle_bid": S.ENGAGED,
}
# States in which the request is routed to a group (so the group's coordinator is involved).
ROUTED_STATES = {S.ROUTED, S.OFFERED, S.ENGAGED, S.COMPLETED, S.BIDDING, S.BID_SUBMITTED, S.LOST}


@dataclass
class Cast:
    group: ConsultantGroup
    other_group: ConsultantGroup
    group_member: Consultant
    offered: Consultant
    second_choice: Consultant
    professional: ExternalProfessional
    users: dict

    def user(self, role: str):
        return self.users[role]


@pytest.fixture
def cast(
    member, other_member, intake_coordinator, community_coordinator, group_coordinator, admin
) -> Cast:
    group = ConsultantGroup.objects.get(coordinator__user=group_coordinator)
    offered = ConsultantFactory()
    second_choice = ConsultantFactory()
    group.members.add(member.consultant, offered, second_choice)
    other_coordinator = ConsultantFactory()
    other_group = ConsultantGroupFactory(coordinator=other_coordinator)
    return Cast(
        group=group,
        other_group=other_group,
        group_member=member.consultant,
        offered=offered,
        second_choice=second_choice,
        professional=ExternalProfessionalFactory(),
        users={
            "system": None,
            "member": member,
            "offered_member": offered.user,
            "other_member": other_member,
            "group_coordinator": group_coordinator,
            "other_group_coordinator": other_coordinator.user,
            "intake_coordinator": intake_coordinator,
            "community_coordinator": community_coordinator,
            "admin": admin,
        },
    )


def fields_for(action: str, cast: Cast) -> dict:
    """Valid fields for each move."""
    return {
        "contact": {"note": "Called the director."},
        "triage": {"skills": ["CiviCRM", " Data cleanup "], "urgency": "high", "note": "Sized"},
        "route": {"group": cast.group.pk, "note": "Database work"},
        "offer": {"consultant": cast.offered.pk, "note": "Fits your skills"},
        "accept": {"note": "Happy to"},
        "decline": {"reason": "Fully booked until May."},
        "expire": {},
        "start_bidding": {"note": "Too big for one"},
        "refer_out": {"professionals": [cast.professional.pk], "message": "They can help."},
        "withdraw": {"note": "Client found help"},
        "mark_spam": {"note": "Advertising"},
        "complete": {"note": "Done"},
        "submit_bid": {"note": "Sent to the director"},
        "win_bid": {"note": "Signed by the client"},
        "lose_bid": {"note": "They chose another firm"},
        "settle_bid": {"note": "Settled"},
    }[action]


def request_in(status: str, cast: Cast, *, offered_to: Consultant | None = None, **extra):
    """A request row in ``status`` with the related rows that status implies."""
    if status in ROUTED_STATES:
        extra.setdefault("assigned_group", cast.group)
    holder = offered_to or cast.offered
    if status == S.OFFERED:
        extra.setdefault("offered_consultant", holder)
    if status in (S.ENGAGED, S.COMPLETED):
        extra.setdefault("offered_consultant", holder)
        extra.setdefault("engaged_consultant", holder)
    request = RequestFactory(status=status, **extra)
    if status == S.OFFERED:
        OfferFactory(request=request, consultant=holder)
    if status in (S.ENGAGED, S.COMPLETED):
        OfferFactory(
            request=request,
            consultant=holder,
            expires_at=timezone.now(),
            status=Offer.Status.ACCEPTED,
        )
        Engagement.objects.create(request=request, consultant=holder)
    return request


def snapshot(request: Request) -> tuple:
    """Everything a move may change; equal before and after a refused move."""
    row = Request.objects.get(pk=request.pk)
    return (
        row.status,
        row.version,
        row.assigned_group_id,
        row.offered_consultant_id,
        row.engaged_consultant_id,
        row.intake_coordinator_id,
        row.first_contact_at,
        row.closed_at,
        row.skills,
        row.urgency,
        list(RequestEvent.objects.filter(request=request).values_list("pk", flat=True)),
        list(Offer.objects.filter(request=request).values_list("pk", "status")),
        list(Engagement.objects.filter(request=request).values_list("pk", "end")),
        OutsideReferral.objects.filter(request=request).count(),
    )


def apply(request: Request, action: str, actor, *, version: int | None = -1, **fields):
    """request_apply with the row's current version unless told otherwise."""
    if version == -1:
        version = Request.objects.get(pk=request.pk).version
    return request_apply(
        request_id=request.pk, action=action, actor=actor, version=version, **fields
    )


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


# --- Each move's effects ----------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_contact_records_the_time_and_the_coordinator(cast):
    request = request_in(S.SUBMITTED, cast)
    coordinator = cast.user("intake_coordinator")
    event = apply(request, "contact", coordinator, note="Called the director.")
    request.refresh_from_db()
    assert request.first_contact_at == NOW
    assert request.intake_coordinator == coordinator
    assert (event.note, event.data, event.created_at) == ("Called the director.", {}, NOW)
    assert request.closed_at is None


def test_triage_sets_skills_and_urgency(cast):
    request = request_in(S.CONTACTED, cast)
    event = apply(request, "triage", cast.user("admin"), **fields_for("triage", cast))
    request.refresh_from_db()
    assert request.skills == ["CiviCRM", "Data cleanup"]
    assert request.urgency == Request.Urgency.HIGH
    assert event.data == {"skills": ["CiviCRM", "Data cleanup"], "urgency": "high"}
    assert event.note == "Sized"


def test_route_to_a_group_assigns_it(cast):
    request = request_in(S.TRIAGED, cast)
    event = apply(request, "route", cast.user("intake_coordinator"), group=cast.group.pk)
    request.refresh_from_db()
    assert (request.status, request.assigned_group) == (S.ROUTED, cast.group)
    assert event.data == {"group": cast.group.pk, "group_name": cast.group.name}


def test_a_routed_request_can_be_routed_to_another_group(cast):
    request = request_in(S.ROUTED, cast)
    apply(request, "route", cast.user("intake_coordinator"), group=cast.other_group.pk)
    request.refresh_from_db()
    assert (request.status, request.assigned_group) == (S.ROUTED, cast.other_group)


@time_machine.travel(NOW, tick=False)
def test_route_to_a_consultant_offers_it_straight_away(cast):
    request = request_in(S.TRIAGED, cast)
    coordinator = cast.user("intake_coordinator")
    event = apply(request, "route", coordinator, consultant=cast.offered.pk)
    request.refresh_from_db()
    offer = request.offers.get()
    assert (request.status, request.offered_consultant) == (S.OFFERED, cast.offered)
    assert (offer.status, offer.consultant, offer.offered_by) == (
        Offer.Status.PENDING,
        cast.offered,
        coordinator,
    )
    assert event.to_status == S.OFFERED
    assert event.data == {"consultant": cast.offered.pk, "offer": offer.pk}


@time_machine.travel(NOW, tick=False)
def test_offer_creates_a_pending_offer_that_expires_after_the_configured_hours(cast, settings):
    settings.OFFER_EXPIRY_HOURS = 30
    request = request_in(S.ROUTED, cast)
    coordinator = cast.user("group_coordinator")
    event = apply(request, "offer", coordinator, consultant=cast.offered.pk, note="Yours?")
    request.refresh_from_db()
    offer = request.offers.get()
    assert offer.status == Offer.Status.PENDING
    assert offer.expires_at == NOW + datetime.timedelta(hours=30)
    assert (offer.consultant, offer.offered_by) == (cast.offered, coordinator)
    assert request.offered_consultant == cast.offered
    assert (event.note, event.data) == (
        "Yours?",
        {"consultant": cast.offered.pk, "offer": offer.pk},
    )


@pytest.mark.parametrize(
    "status",
    [
        Consultant.Status.ALUMNI,
        Consultant.Status.FORMER,
        Consultant.Status.APPLICANT,
        Consultant.Status.ON_LEAVE,
    ],
)
@pytest.mark.parametrize("action", ["offer", "route"])
def test_only_working_members_can_be_offered_work(cast, action, status):
    request = request_in(S.ROUTED, cast)
    away = ConsultantFactory(status=status)
    before = snapshot(request)
    with pytest.raises(ValidationError) as refused:
        apply(request, action, cast.user("admin"), consultant=away.pk)
    assert "consultant" in refused.value.error_dict
    assert snapshot(request) == before


def test_a_member_on_probation_can_be_offered_work(cast):
    request = request_in(S.ROUTED, cast)
    newcomer = ConsultantFactory(status=Consultant.Status.PROBATION)
    apply(request, "offer", cast.user("admin"), consultant=newcomer.pk)
    assert Request.objects.get(pk=request.pk).offered_consultant == newcomer


@time_machine.travel(NOW, tick=False)
def test_accept_starts_an_engagement(cast):
    request = request_in(S.OFFERED, cast)
    event = apply(request, "accept", cast.user("offered_member"))
    request.refresh_from_db()
    offer = request.offers.get()
    engagement = request.engagements.get()
    assert request.engaged_consultant == cast.offered
    assert (offer.status, offer.responded_at) == (Offer.Status.ACCEPTED, NOW)
    assert (engagement.consultant, engagement.start, engagement.end) == (
        cast.offered,
        timezone.localdate(),
        None,
    )
    assert event.data == {"offer": offer.pk, "engagement": engagement.pk}
    assert request.closed_at is None


@time_machine.travel(NOW, tick=False)
def test_decline_records_the_reason_and_returns_the_request_to_the_group(cast):
    request = request_in(S.OFFERED, cast)
    event = apply(request, "decline", cast.user("offered_member"), reason="  Fully booked.  ")
    request.refresh_from_db()
    offer = request.offers.get()
    assert (request.status, request.offered_consultant) == (S.ROUTED, None)
    assert request.assigned_group == cast.group
    assert (offer.status, offer.reason, offer.responded_at) == (
        Offer.Status.DECLINED,
        "Fully booked.",
        NOW,
    )
    assert event.note == "Fully booked."
    assert event.data == {"offer": offer.pk, "consultant": cast.offered.pk}


def test_after_a_decline_the_request_can_be_offered_again(cast):
    request = request_in(S.OFFERED, cast)
    apply(request, "decline", cast.user("offered_member"), reason="Booked")
    apply(request, "offer", cast.user("group_coordinator"), consultant=cast.second_choice.pk)
    apply(request, "accept", cast.second_choice.user)
    request.refresh_from_db()
    assert request.engaged_consultant == cast.second_choice
    assert sorted(request.offers.values_list("status", flat=True)) == ["accepted", "declined"]


def test_the_member_who_declined_can_no_longer_answer(cast):
    request = request_in(S.OFFERED, cast)
    apply(request, "decline", cast.user("offered_member"), reason="Booked")
    apply(request, "offer", cast.user("group_coordinator"), consultant=cast.second_choice.pk)
    with pytest.raises(PermissionDenied):
        apply(request, "accept", cast.user("offered_member"))


@time_machine.travel(NOW, tick=False)
def test_expire_is_the_timers_move_and_returns_the_request_to_the_group(cast):
    request = request_in(S.OFFERED, cast)
    event = apply(request, "expire", None, version=None)
    request.refresh_from_db()
    offer = request.offers.get()
    assert (request.status, request.offered_consultant, event.actor) == (S.ROUTED, None, None)
    assert (offer.status, offer.responded_at) == (Offer.Status.EXPIRED, NOW)
    assert event.data == {"offer": offer.pk, "consultant": cast.offered.pk}


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("status", [S.SUBMITTED, S.OFFERED, S.BIDDING])
def test_refer_out_records_the_referral_and_the_professionals(cast, status):
    request = request_in(status, cast)
    second = ExternalProfessionalFactory()
    untouched = ExternalProfessionalFactory()
    coordinator = cast.user("intake_coordinator")
    event = apply(
        request,
        "refer_out",
        coordinator,
        professionals=[cast.professional.pk, second.pk],
        message="Both know donor databases well.",
    )
    request.refresh_from_db()
    referral = request.referrals.get()
    assert request.status == S.REFERRED_OUT and request.closed_at == NOW
    assert set(referral.professionals.all()) == {cast.professional, second}
    assert (referral.message, referral.sent_by) == ("Both know donor databases well.", coordinator)
    assert event.data == {
        "referral": referral.pk,
        "professionals": sorted([cast.professional.pk, second.pk]),
    }
    for professional in (cast.professional, second):
        professional.refresh_from_db()
        assert professional.last_referred_at == NOW
    untouched.refresh_from_db()
    assert untouched.last_referred_at is None
    # A pending offer does not survive the referral.
    assert not request.offers.filter(status=Offer.Status.PENDING).exists()


def test_refer_out_needs_a_message_for_the_client(cast):
    request = request_in(S.TRIAGED, cast)
    before = snapshot(request)
    with pytest.raises(ValidationError) as refused:
        apply(
            request,
            "refer_out",
            cast.user("admin"),
            professionals=[cast.professional.pk],
            message="  ",
        )
    assert "message" in refused.value.error_dict
    assert snapshot(request) == before


def test_refer_out_only_to_active_professionals(cast):
    request = request_in(S.TRIAGED, cast)
    retired = ExternalProfessionalFactory(active=False)
    before = snapshot(request)
    with pytest.raises(ValidationError) as refused:
        apply(
            request,
            "refer_out",
            cast.user("admin"),
            professionals=[cast.professional.pk, retired.pk],
            message="Try them",
        )
    assert "professionals" in refused.value.error_dict
    assert snapshot(request) == before
    retired.refresh_from_db()
    assert retired.last_referred_at is None


@time_machine.travel(NOW, tick=False)
def test_withdraw_closes_a_pending_offer(cast):
    request = request_in(S.OFFERED, cast)
    apply(request, "withdraw", cast.user("intake_coordinator"), note="Found someone")
    request.refresh_from_db()
    offer = request.offers.get()
    assert (request.status, request.closed_at, request.offered_consultant) == (
        S.WITHDRAWN,
        NOW,
        None,
    )
    assert (offer.status, offer.responded_at) == (Offer.Status.WITHDRAWN, NOW)


@time_machine.travel(NOW, tick=False)
def test_mark_spam_closes_the_request(cast):
    request = request_in(S.CONTACTED, cast)
    event = apply(request, "mark_spam", cast.user("intake_coordinator"), note="Advertising")
    request.refresh_from_db()
    assert (request.status, request.closed_at, event.note) == (S.CLOSED_SPAM, NOW, "Advertising")


@time_machine.travel(NOW, tick=False)
def test_complete_ends_the_engagement(cast):
    request = request_in(S.ENGAGED, cast)
    engagement = request.engagements.get()
    apply(request, "complete", cast.user("community_coordinator"))
    request.refresh_from_db()
    engagement.refresh_from_db()
    assert engagement.end == timezone.localdate()
    assert (request.status, request.closed_at) == (S.COMPLETED, NOW)


def test_start_bidding_opens_the_request_for_team_bids(cast):
    request = request_in(S.ROUTED, cast)
    apply(request, "start_bidding", cast.user("intake_coordinator"))
    assert Request.objects.get(pk=request.pk).status == S.BIDDING


def test_the_whole_journey_writes_one_event_per_move(cast):
    request = request_in(S.SUBMITTED, cast)
    coordinator = cast.user("intake_coordinator")
    journey = [
        ("contact", coordinator, {}),
        ("triage", coordinator, {"urgency": "low"}),
        ("route", coordinator, {"group": cast.group.pk}),
        ("offer", cast.user("group_coordinator"), {"consultant": cast.offered.pk}),
        ("decline", cast.user("offered_member"), {"reason": "Booked"}),
        ("offer", cast.user("group_coordinator"), {"consultant": cast.second_choice.pk}),
        ("accept", cast.second_choice.user, {}),
        ("complete", coordinator, {}),
    ]
    for action, actor, fields in journey:
        apply(request, action, actor, **fields)
    request.refresh_from_db()
    assert request.version == 1 + len(journey)
    trail = list(request.events.values_list("action", "from_status", "to_status"))
    assert trail == [
        ("contact", "submitted", "contacted"),
        ("triage", "contacted", "triaged"),
        ("route", "triaged", "routed"),
        ("offer", "routed", "offered"),
        ("decline", "offered", "routed"),
        ("offer", "routed", "offered"),
        ("accept", "offered", "engaged"),
        ("complete", "engaged", "completed"),
    ]


# --- Notifications go out on commit, and only then ----------------------------------------------


@pytest.fixture
def told(monkeypatch):
    sent = []
    monkeypatch.setattr(notifications, "request_event", sent.append)
    return sent


def test_a_move_notifies_once_after_commit(cast, told, django_capture_on_commit_callbacks):
    request = request_in(S.SUBMITTED, cast)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        event = apply(request, "contact", cast.user("intake_coordinator"))
    assert told == []  # nothing is said before the transaction commits
    for callback in callbacks:
        callback()
    assert told == [event.pk]


@pytest.mark.parametrize(
    ("action", "status", "role", "fields", "error"),
    [
        ("contact", S.SUBMITTED, "member", {}, PermissionDenied),
        ("accept", S.ROUTED, "offered_member", {}, WorkflowConflict),
        ("decline", S.OFFERED, "offered_member", {"reason": ""}, ValidationError),
        ("contact", S.SUBMITTED, "admin", {"colour": "red"}, ValidationError),
    ],
)
def test_a_refused_move_notifies_nobody(
    cast, told, django_capture_on_commit_callbacks, action, status, role, fields, error
):
    request = request_in(status, cast, offered_consultant=cast.offered)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(error):
            apply(request, action, cast.user(role), **fields)
    assert callbacks == []
    assert told == []


def test_a_move_rolled_back_by_its_caller_notifies_nobody(
    cast, told, django_capture_on_commit_callbacks
):
    from django.db import transaction

    request = request_in(S.SUBMITTED, cast)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            apply(request, "contact", cast.user("intake_coordinator"))
            raise RuntimeError("the caller fails after the move")
    assert callbacks == [] and told == []
    assert Request.objects.get(pk=request.pk).status == S.SUBMITTED
    assert not RequestEvent.objects.filter(request=request).exists()


def test_completing_work_tells_the_matching_index_the_member_is_free_again(intake_coordinator):
    from intake.workflow import request_apply
    from network.models import MatchingIndexVersion
    from tests.factories import ConsultantFactory, RequestFactory

    member = ConsultantFactory()
    request = RequestFactory(status=S.ENGAGED, engaged_consultant=member)
    request.engagements.create(consultant=member)
    before = MatchingIndexVersion.objects.get().value

    request_apply(
        request_id=request.pk, action="complete", actor=intake_coordinator, version=request.version
    )

    assert MatchingIndexVersion.objects.get().value > before
    assert request.engagements.get().end is not None
