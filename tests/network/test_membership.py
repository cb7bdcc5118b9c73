"""Membership applications: submitted → under review → probation → active, declined from any
open state; illegal moves are refused and change nothing; every move of a member is history."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from network.applications import (
    APPLICATION_MOVES,
    IllegalTransition,
    application_admit,
    application_confirm,
    application_decline,
    application_start_review,
    application_submit,
)
from network.models import Consultant, ConsultantStatusChange, MembershipApplication
from network.services import consultant_create, consultant_set_status
from tests.factories import MembershipApplicationFactory

pytestmark = pytest.mark.django_db

Status = MembershipApplication.Status
PACIFIC = ZoneInfo("America/Los_Angeles")


def at(year: int, month: int, day: int):
    """Pin the clock to noon in the alliance's time zone on that day."""
    return time_machine.travel(datetime.datetime(year, month, day, 12, tzinfo=PACIFIC), tick=False)


def submit(email: str = "joiner@applicants.test") -> MembershipApplication:
    return application_submit(
        name="Applicant 01 · Drupal",
        email=email,
        statement="Eight years of Drupal for food banks.",
        website="https://applicant.test",
        location="Oakland, CA",
        skills_text="Drupal, PHP",
    )


MOVES = {
    Status.UNDER_REVIEW: application_start_review,
    Status.PROBATION: application_admit,
    Status.ACTIVE: application_confirm,
    Status.DECLINED: application_decline,
}
# The path from submission to each state, through legal moves only.
PATHS = {
    Status.SUBMITTED: [],
    Status.UNDER_REVIEW: [Status.UNDER_REVIEW],
    Status.PROBATION: [Status.UNDER_REVIEW, Status.PROBATION],
    Status.ACTIVE: [Status.UNDER_REVIEW, Status.PROBATION, Status.ACTIVE],
    Status.DECLINED: [Status.DECLINED],
}


def application_in(state: str, actor) -> MembershipApplication:
    application = submit()
    for step in PATHS[state]:
        application = MOVES[step](application=application, actor=actor)
    return application


def test_an_application_goes_from_submitted_to_full_member(community_coordinator):
    application = submit()
    assert application.status == Status.SUBMITTED

    with at(2025, 3, 3):
        application = application_start_review(
            application=application, actor=community_coordinator, notes="Called two references."
        )
    assert application.status == Status.UNDER_REVIEW
    assert application.reviewer == community_coordinator
    assert application.consultant is None and application.decided_at is None

    with at(2025, 5, 31):
        application = application_admit(
            application=application, actor=community_coordinator, notes="Consensus at meeting."
        )
    consultant = application.consultant
    assert application.status == Status.PROBATION
    assert application.decided_at.astimezone(PACIFIC).date() == datetime.date(2025, 5, 31)
    assert consultant.status == Consultant.Status.PROBATION
    # Nine months from 31 May is 28 February: the end of a shorter month is clamped.
    assert consultant.probation_ends == datetime.date(2026, 2, 28)
    assert consultant.user.email == "joiner@applicants.test"
    assert consultant.display_name == application.name and consultant.location == "Oakland, CA"
    assert application.review_notes == "Called two references.\n\nConsensus at meeting."

    with at(2026, 3, 2):
        application = application_confirm(application=application, actor=community_coordinator)
    consultant.refresh_from_db()
    assert application.status == Status.ACTIVE
    assert consultant.status == Consultant.Status.ACTIVE
    assert consultant.joined_on == datetime.date(2026, 3, 2)

    history = [
        (change.from_status, change.to_status, change.changed_by, change.reason)
        for change in consultant.status_changes.order_by("pk")
    ]
    assert history == [
        ("", "probation", community_coordinator, "Admitted on probation."),
        ("probation", "active", community_coordinator, "Probation completed."),
    ]


def test_probation_lasts_as_many_months_as_the_setting(settings, community_coordinator):
    settings.PROBATION_MONTHS = 6
    with at(2025, 1, 15):
        application = application_in(Status.PROBATION, community_coordinator)
    assert application.consultant.probation_ends == datetime.date(2025, 7, 15)


def test_probation_defaults_to_nine_months(settings):
    assert settings.PROBATION_MONTHS == 9


@pytest.mark.parametrize("state", [Status.SUBMITTED, Status.UNDER_REVIEW, Status.PROBATION])
def test_an_open_application_can_be_declined(community_coordinator, state):
    application = application_in(state, community_coordinator)
    with at(2025, 4, 1):
        declined = application_decline(
            application=application, actor=community_coordinator, notes="Not a fit yet."
        )
    assert declined.status == Status.DECLINED
    assert declined.decided_at.astimezone(PACIFIC).date() == datetime.date(2025, 4, 1)
    assert declined.reviewer == community_coordinator


def test_declining_a_probationer_makes_them_a_former_member_with_history(community_coordinator):
    application = application_in(Status.PROBATION, community_coordinator)
    application_decline(application=application, actor=community_coordinator)
    consultant = Consultant.objects.get(pk=application.consultant_id)
    assert consultant.status == Consultant.Status.FORMER
    latest = consultant.status_changes.first()
    assert (latest.from_status, latest.to_status) == ("probation", "former")
    assert latest.changed_by == community_coordinator
    assert latest.reason == "Not confirmed after probation."


def test_declining_before_admission_creates_no_member(community_coordinator):
    application = application_in(Status.UNDER_REVIEW, community_coordinator)
    application_decline(application=application, actor=community_coordinator)
    assert not Consultant.objects.exists()
    assert not ConsultantStatusChange.objects.exists()


ILLEGAL = [
    (Status.SUBMITTED, Status.PROBATION),  # admission needs a review first
    (Status.SUBMITTED, Status.ACTIVE),
    (Status.UNDER_REVIEW, Status.UNDER_REVIEW),
    (Status.UNDER_REVIEW, Status.ACTIVE),
    (Status.PROBATION, Status.UNDER_REVIEW),
    (Status.PROBATION, Status.PROBATION),
    (Status.ACTIVE, Status.UNDER_REVIEW),
    (Status.ACTIVE, Status.PROBATION),
    (Status.ACTIVE, Status.ACTIVE),
    (Status.ACTIVE, Status.DECLINED),  # a full member leaves as alumni, not by a declined form
    (Status.DECLINED, Status.UNDER_REVIEW),
    (Status.DECLINED, Status.PROBATION),
    (Status.DECLINED, Status.ACTIVE),
    (Status.DECLINED, Status.DECLINED),
]


def observable(application: MembershipApplication) -> tuple:
    """Everything a move could change: the application, members and their history."""
    application.refresh_from_db()
    return (
        application.status,
        application.reviewer_id,
        application.review_notes,
        application.decided_at,
        application.consultant_id,
        list(Consultant.objects.values_list("pk", "status", "probation_ends", "joined_on")),
        ConsultantStatusChange.objects.count(),
    )


@pytest.mark.parametrize(("state", "move"), ILLEGAL, ids=lambda value: str(value))
def test_an_illegal_move_is_refused_and_changes_nothing(
    community_coordinator, intake_coordinator, state, move
):
    application = application_in(state, community_coordinator)
    before = observable(application)
    with pytest.raises(IllegalTransition) as refusal:
        MOVES[move](application=application, actor=intake_coordinator, notes="Should not stick.")
    assert refusal.value.current_status == state
    assert "cannot move to" in str(refusal.value)
    assert observable(application) == before


def test_the_legal_moves_are_exactly_the_table():
    """The tests above cover every pair the table forbids; this keeps them in step with it."""
    forbidden = {
        (state, move)
        for state in Status.values
        for move in MOVES
        if not any(
            legal.target == move and state in legal.sources for legal in APPLICATION_MOVES.values()
        )
    }
    assert forbidden == set(ILLEGAL)


def test_a_returning_member_goes_back_to_probation_on_their_own_record(community_coordinator):
    alumnus = consultant_create(
        email="joiner@applicants.test",
        display_name="Alumnus 01 · networks",
        status=Consultant.Status.ALUMNI,
        probation_ends=datetime.date(2012, 9, 1),
    )
    with at(2025, 1, 15):
        consultant_set_status(
            consultant=alumnus,
            status=Consultant.Status.PROBATION,
            actor=community_coordinator,
            reason="Back after two years away.",
        )
    alumnus.refresh_from_db()
    assert alumnus.probation_ends == datetime.date(2025, 10, 15)
    assert not MembershipApplication.objects.exists()


# --- An application never changes an existing member -----------------------------------------


def member_snapshot() -> list:
    return list(
        Consultant.objects.order_by("pk").values_list(
            "pk", "status", "probation_ends", "joined_on", "display_name", "user_id"
        )
    ) + [ConsultantStatusChange.objects.count()]


@pytest.mark.parametrize("status", [s for s, _ in Consultant.Status.choices])
@pytest.mark.parametrize("spelling", ["member03@members.test", "MEMBER03@Members.Test"])
def test_an_application_with_a_members_address_opens_nothing_and_changes_nothing(
    mailoutbox, django_capture_on_commit_callbacks, status, spelling
):
    consultant_create(email="member03@members.test", display_name="Member 03 · web", status=status)
    before = member_snapshot()

    with django_capture_on_commit_callbacks(execute=True):
        opened = submit(email=spelling)

    assert opened is None
    assert not MembershipApplication.objects.exists()
    assert member_snapshot() == before
    # The owner of the address, and nobody else, is told what happened and what to do.
    assert [message.to for message in mailoutbox] == [
        [spelling.replace("Members.Test", "members.test")]
    ]
    assert "already belongs to an account" in mailoutbox[0].body
    assert "no application was opened" in mailoutbox[0].body


def test_the_join_form_answers_a_known_address_exactly_as_a_new_one(client, mailoutbox):
    consultant_create(
        email="member03@members.test", display_name="Member 03 · web", status="active"
    )
    form = {
        "name": "Someone",
        "statement": "Eight years of Drupal.",
        "skills": "Drupal",
    }

    new = client.post("/join/", {**form, "email": "new@applicants.test"})
    known = client.post("/join/", {**form, "email": "member03@members.test"})

    assert new.status_code == known.status_code == 302
    assert new["Location"] == known["Location"]
    assert MembershipApplication.objects.get().email == "new@applicants.test"
    assert Consultant.objects.get().status == Consultant.Status.ACTIVE


def test_an_application_stored_before_is_refused_admission_and_changes_no_member(
    community_coordinator,
):
    # An application for an address that has an account by now (one stored before the form
    # refused them, or an account opened since): admitting it would move that member.
    application = application_in(Status.UNDER_REVIEW, community_coordinator)
    member = consultant_create(
        email="JOINER@applicants.test", display_name="Member 03 · web", status="active"
    )
    before = member_snapshot()

    with pytest.raises(ValidationError) as refused:
        application_admit(application=application, actor=community_coordinator)

    assert "belongs to the member record of Member 03" in refused.value.messages[0]
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW
    assert application.consultant is None
    assert member_snapshot() == before
    member.refresh_from_db()
    assert member.status == Consultant.Status.ACTIVE


def test_declining_an_application_linked_to_an_older_record_leaves_that_member(
    community_coordinator,
):
    # Data from before the refusal: an application that admission linked to an existing member.
    with at(2024, 1, 1):
        application = application_in(Status.UNDER_REVIEW, community_coordinator)
    with at(2023, 6, 1):
        member = consultant_create(
            email="joiner@applicants.test", display_name="Member 03 · web", status="probation"
        )
    MembershipApplication.objects.filter(pk=application.pk).update(
        status=Status.PROBATION, consultant=member
    )
    application.refresh_from_db()

    application_decline(application=application, actor=community_coordinator)

    member.refresh_from_db()
    assert member.status == Consultant.Status.PROBATION


# --- One door: the application's moves are a table of Move rows --------------------------------


def test_the_applications_moves_are_one_table_with_the_legal_sources():
    sources = {action: set(move.sources) for action, move in APPLICATION_MOVES.items()}
    assert sources == {
        "start_review": {Status.SUBMITTED},
        "admit": {Status.UNDER_REVIEW},
        "confirm": {Status.PROBATION},
        "decline": {Status.SUBMITTED, Status.UNDER_REVIEW, Status.PROBATION},
    }
    assert {move.target for move in APPLICATION_MOVES.values()} == {
        Status.UNDER_REVIEW, Status.PROBATION, Status.ACTIVE, Status.DECLINED
    }  # fmt: skip


@pytest.mark.django_db
def test_an_unknown_action_or_field_is_a_field_error_and_changes_nothing(intake_coordinator):
    from network.applications import application_apply

    application = MembershipApplicationFactory()
    with pytest.raises(ValidationError) as error:
        application_apply(application_id=application.pk, action="promote", actor=None)

    assert "action" in error.value.message_dict
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


@pytest.mark.django_db
def test_an_illegal_move_is_a_conflict_naming_the_current_status(intake_coordinator):
    from network.applications import application_apply
    from network.errors import Conflict

    application = MembershipApplicationFactory()
    with pytest.raises(Conflict) as refusal:
        application_apply(application_id=application.pk, action="confirm", actor=None)

    assert refusal.value.status == Status.SUBMITTED
    assert "cannot move to full member" in str(refusal.value)
