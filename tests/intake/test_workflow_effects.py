"""What each move of the request workflow (``intake.workflow``) does once it is allowed: the
times, people, offers, engagements, referrals and events it records, and a whole journey's trail;
then what a move sets off only after its transaction commits (its notifications, the matching
index told a member is free again).

Who may make which move, from which state, and what each refuses: tests/intake/test_workflow.py.
The cast is the ``cast`` fixture of tests/intake/conftest.py; the requests it works on come from
tests/helpers.py.
"""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from intake import notifications
from intake.models import Offer, Request, RequestEvent
from intake.workflow import WorkflowConflict
from network.models import Consultant
from tests.factories import ConsultantFactory, ExternalProfessionalFactory
from tests.intake.helpers import workflow_apply as apply
from tests.intake.helpers import workflow_fields as fields_for
from tests.intake.helpers import workflow_request_in as request_in
from tests.intake.helpers import workflow_snapshot as snapshot

pytestmark = pytest.mark.django_db

S = Request.Status
NOW = datetime.datetime(2026, 3, 10, 17, 0, tzinfo=datetime.UTC)


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
