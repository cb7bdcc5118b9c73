"""Timers: offers expire after OFFER_EXPIRY_HOURS, requests not contacted within the response
target remind the intake coordinators once, and setup_schedules creates the schedules."""

import datetime
import importlib
import io
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django_q.models import Schedule

from intake import tasks
from intake.models import Notification, Offer, Request
from intake.notifications import Kind
from intake.reminders import requests_flag_overdue
from intake.services import request_submit
from intake.workflow import request_apply
from network.models import Consultant, ConsultantGroup
from network.roles import Role
from network.services import user_grant_role
from tests.factories import ConsultantFactory, UserFactory

PACIFIC = zoneinfo.ZoneInfo("America/Los_Angeles")
# Friday 10 April 2026, 10:00 in the site's time zone; two business days later is Tuesday.
FRIDAY_MORNING = datetime.datetime(2026, 4, 10, 10, 0, tzinfo=PACIFIC)


def submit(commit) -> Request:
    with commit(execute=True):
        return request_submit(
            organization_name="Neighbourhood Library Friends",
            contact_name="Client Contact",
            contact_email="contact@library.example.org",
            title="Volunteer scheduling system",
            description="We need a simple way to schedule volunteers.",
        ).request


def move(commit, request: Request, action: str, actor, **fields):
    request.refresh_from_db()
    with commit(execute=True):
        return request_apply(
            request_id=request.pk, action=action, actor=actor, version=request.version, **fields
        )


# --- Offer expiry -------------------------------------------------------------------------


@pytest.fixture
def offered(intake_coordinator, group_coordinator, django_capture_on_commit_callbacks):
    """A request offered to a member of a group at FRIDAY_MORNING."""
    commit = django_capture_on_commit_callbacks
    group = ConsultantGroup.objects.get(coordinator__user=group_coordinator)
    member = ConsultantFactory(status=Consultant.Status.ACTIVE)
    group.members.add(member)
    with time_machine.travel(FRIDAY_MORNING, tick=False):
        request = submit(commit)
        move(commit, request, "contact", intake_coordinator)
        move(commit, request, "triage", intake_coordinator)
        move(commit, request, "route", intake_coordinator, group=group.pk)
        move(commit, request, "offer", group_coordinator, consultant=member.pk)
    request.refresh_from_db()
    return request


def test_an_offer_unanswered_for_48_hours_expires_and_returns_to_the_group_coordinator(
    offered, group_coordinator, settings, django_capture_on_commit_callbacks
):
    assert settings.OFFER_EXPIRY_HOURS == 48
    offer = offered.offers.get()

    with time_machine.travel(FRIDAY_MORNING + datetime.timedelta(hours=47), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.offers_expire() == 0
    offered.refresh_from_db()
    assert offered.status == Request.Status.OFFERED

    with time_machine.travel(FRIDAY_MORNING + datetime.timedelta(hours=49), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.offers_expire() == 1

    offered.refresh_from_db()
    offer.refresh_from_db()
    assert offered.status == Request.Status.ROUTED
    assert offered.offered_consultant is None
    assert offer.status == Offer.Status.EXPIRED
    event = offered.events.last()
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "expire",
        "offered",
        "routed",
        None,
    )
    row = Notification.objects.get(kind=Kind.OFFER_EXPIRED)
    assert row.recipient_email == group_coordinator.email
    assert row.status == Notification.Status.SENT
    assert "needs a new offer" in row.subject
    assert offer.consultant.display_name in row.body_text


def test_an_expired_offer_is_not_expired_again(offered, django_capture_on_commit_callbacks):
    later = FRIDAY_MORNING + datetime.timedelta(hours=49)
    with time_machine.travel(later, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            tasks.offers_expire()
            assert tasks.offers_expire() == 0

    assert offered.events.filter(action="expire").count() == 1
    assert Notification.objects.filter(kind=Kind.OFFER_EXPIRED).count() == 1


def test_an_offer_answered_in_time_does_not_expire(offered, django_capture_on_commit_callbacks):
    member = offered.offered_consultant
    with time_machine.travel(FRIDAY_MORNING + datetime.timedelta(hours=30), tick=False):
        move(django_capture_on_commit_callbacks, offered, "accept", member.user)
    with time_machine.travel(FRIDAY_MORNING + datetime.timedelta(hours=49), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.offers_expire() == 0

    offered.refresh_from_db()
    assert offered.status == Request.Status.ENGAGED
    assert not Notification.objects.filter(kind=Kind.OFFER_EXPIRED).exists()


# --- Overdue reminders --------------------------------------------------------------------


@pytest.fixture
def coordinators(intake_coordinator):
    second = UserFactory()
    user_grant_role(user=second, role=Role.INTAKE_COORDINATOR)
    return sorted([intake_coordinator.email, second.email])


def overdue_reminders() -> list[str]:
    return sorted(
        Notification.objects.filter(kind=Kind.OVERDUE).values_list("recipient_email", flat=True)
    )


def run_reminders(commit, at: datetime.datetime) -> int:
    with time_machine.travel(at, tick=False):
        with commit(execute=True):
            return tasks.requests_remind_overdue()


def test_submitted_friday_is_due_tuesday(db, django_capture_on_commit_callbacks):
    with time_machine.travel(FRIDAY_MORNING, tick=False):
        request = submit(django_capture_on_commit_callbacks)

    due = request.response_due_at.astimezone(PACIFIC)
    assert (due.strftime("%A"), due.hour, due.minute) == ("Tuesday", 10, 0)


def test_a_request_not_contacted_in_two_business_days_reminds_once(
    coordinators, django_capture_on_commit_callbacks
):
    commit = django_capture_on_commit_callbacks
    with time_machine.travel(FRIDAY_MORNING, tick=False):
        request = submit(commit)
    mail.outbox.clear()
    tuesday_due = FRIDAY_MORNING + datetime.timedelta(days=4)

    # Monday, and Tuesday a minute before the deadline: not overdue yet.
    assert run_reminders(commit, FRIDAY_MORNING + datetime.timedelta(days=3)) == 0
    assert run_reminders(commit, tuesday_due - datetime.timedelta(minutes=1)) == 0
    request.refresh_from_db()
    assert request.overdue_reminded_at is None and overdue_reminders() == []

    # Past the deadline: every intake coordinator is reminded, once.
    assert run_reminders(commit, tuesday_due + datetime.timedelta(minutes=1)) == 1
    assert run_reminders(commit, tuesday_due + datetime.timedelta(minutes=16)) == 0

    request.refresh_from_db()
    assert request.overdue_reminded_at == tuesday_due + datetime.timedelta(minutes=1)
    assert request.status == Request.Status.SUBMITTED  # not a workflow move
    assert request.version == 1
    assert overdue_reminders() == coordinators
    assert sorted(address for message in mail.outbox for address in message.to) == coordinators
    assert request.reference in mail.outbox[0].subject
    assert f"/coordination/requests/{request.pk}/" in mail.outbox[0].body


def test_a_contacted_request_is_never_overdue(
    coordinators, intake_coordinator, django_capture_on_commit_callbacks
):
    commit = django_capture_on_commit_callbacks
    with time_machine.travel(FRIDAY_MORNING, tick=False):
        request = submit(commit)
    with time_machine.travel(FRIDAY_MORNING + datetime.timedelta(days=3), tick=False):
        move(commit, request, "contact", intake_coordinator)

    assert run_reminders(commit, FRIDAY_MORNING + datetime.timedelta(days=10)) == 0
    assert overdue_reminders() == []


def test_the_reminder_update_never_stamps_a_request_twice(
    coordinators, django_capture_on_commit_callbacks
):
    """Two overlapping runs: the second's UPDATE finds the stamp and changes nothing."""
    commit = django_capture_on_commit_callbacks
    with time_machine.travel(FRIDAY_MORNING, tick=False):
        request = submit(commit)
    late = FRIDAY_MORNING + datetime.timedelta(days=5)
    with time_machine.travel(late, tick=False):
        with commit(execute=True):
            first = requests_flag_overdue(at=late)
            second = requests_flag_overdue(at=late + datetime.timedelta(seconds=1))

    assert first == [request.pk] and second == []
    assert overdue_reminders() == coordinators


# --- Schedules ----------------------------------------------------------------------------


def test_setup_schedules_twice_leaves_exactly_four_schedules(db):
    first_output, second_output = io.StringIO(), io.StringIO()

    call_command("setup_schedules", stdout=first_output)
    call_command("setup_schedules", stdout=second_output)

    schedules = {
        schedule.func: (schedule.schedule_type, schedule.minutes, schedule.repeats)
        for schedule in Schedule.objects.all()
    }
    assert Schedule.objects.count() == 4
    assert schedules == {
        "intake.tasks.offers_expire": (Schedule.MINUTES, 15, -1),
        "intake.tasks.requests_remind_overdue": (Schedule.MINUTES, 15, -1),
        "intake.tasks.notifications_retry": (Schedule.MINUTES, 1, -1),
        "matching.tasks.index_rebuild": (Schedule.MINUTES, 1, -1),
    }
    assert first_output.getvalue().count("created") == 4
    assert second_output.getvalue().count("unchanged") == 4


def test_setup_schedules_repairs_a_changed_schedule_and_removes_copies(db):
    call_command("setup_schedules", stdout=io.StringIO())
    retry = Schedule.objects.get(func="intake.tasks.notifications_retry")
    retry.minutes, retry.repeats = 60, 0
    retry.save()
    Schedule.objects.create(
        name=retry.name, func=retry.func, schedule_type=Schedule.MINUTES, minutes=5
    )
    output = io.StringIO()

    call_command("setup_schedules", stdout=output)

    assert Schedule.objects.count() == 4
    retry = Schedule.objects.get(func="intake.tasks.notifications_retry")
    assert (retry.minutes, retry.repeats) == (1, -1)
    assert "updated" in output.getvalue() and "duplicate" in output.getvalue()


def test_scheduled_functions_exist():
    """Each schedule names a function the cluster can import."""
    from intake.management.commands.setup_schedules import SCHEDULES

    for _name, func, _minutes in SCHEDULES:
        module, _, attribute = func.rpartition(".")
        assert module in ("intake.tasks", "matching.tasks")
        assert callable(getattr(importlib.import_module(module), attribute))
