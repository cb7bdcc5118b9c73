"""Fixtures shared by the intake tests: the mail backlog's (a stopped clock, a mail server that
fails on demand, tasks recorded instead of run, a backlog on the metrics page), the
organisations on file that an anonymous submission must not change, the workflow tests' cast,
the notification tests' desk, and the page tests' (languages and a fresh cache, a request
offered to ``member``, a user per role; the page client signed in as someone is ``signed_in`` of
tests/conftest.py).

A module that needs another shape of one of these defines its own, which takes precedence over
the one here (``offered`` in test_timers)."""

from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django_q import tasks as django_q_tasks

from intake.models import Notification, Organization
from network import services as network_services
from network.models import Consultant, ConsultantGroup
from tests.factories import ConsultantFactory, ConsultantGroupFactory, ExternalProfessionalFactory
from tests.helpers import consultant
from tests.intake.helpers import (
    KNOWN_ORGANISATION,
    MAIL_START,
    MINUTE,
    MailOutage,
    WorkflowCast,
    notification_failed,
    notification_queued,
    request_moved,
    routed_to_group,
)

# --- Mail -------------------------------------------------------------------------------------


@pytest.fixture
def server(settings):
    """The mail server: delivers, unless the test sets ``down``, ``refusing`` or ``error``."""
    settings.EMAIL_BACKEND = "tests.intake.helpers.OutageMailBackend"
    MailOutage.down, MailOutage.refusing = False, set()
    MailOutage.error = ConnectionRefusedError(111, "Connection refused")
    yield MailOutage
    MailOutage.down, MailOutage.refusing = False, set()


@pytest.fixture
def clock():
    """The clock stopped at ``MAIL_START``; the test moves it."""
    with time_machine.travel(MAIL_START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def enqueued(monkeypatch):
    """The tasks handed to the broker, recorded instead of run."""
    calls = []
    monkeypatch.setattr(django_q_tasks, "async_task", lambda *args, **kwargs: calls.append(args))
    return calls


@pytest.fixture
def backlog(clock, server):
    """Two queued rows (one failing since 09:00), one given up, one sent."""
    server.down = True
    late = notification_queued("late@members.test")
    notification_failed(late, 2, clock)
    notification_queued("waiting@members.test", next_attempt_at=MAIL_START + 10 * MINUTE)
    notification_queued("given-up@members.test", status=Notification.Status.FAILED, attempts=12)
    server.down = False
    notification_queued("sent@members.test", status=Notification.Status.SENT)
    clock.shift(10 * MINUTE)
    return late


# --- Organisations on file --------------------------------------------------------------------


@pytest.fixture
def known_organisations(db):
    """An organisation on file, as the desk keeps it: one without a website, one with."""
    return {
        "bare": Organization.objects.create(
            name=KNOWN_ORGANISATION, mission="Groceries for the east side."
        ),
        "full": Organization.objects.create(
            name="Westside Shelter", website="https://westside-shelter.example.org"
        ),
    }


# --- The workflow tests' cast -------------------------------------------------------------------


@pytest.fixture
def cast(
    member, other_member, intake_coordinator, community_coordinator, group_coordinator, admin
) -> WorkflowCast:
    """Who is who around a request: ``group_coordinator``'s group with ``member``, the member it
    is offered to and a second choice; another group with its coordinator; a professional to
    refer to. ``cast.user(role)`` is the user of each role of tests/intake/test_workflow.py."""
    group = ConsultantGroup.objects.get(coordinator__user=group_coordinator)
    offered = ConsultantFactory()
    second_choice = ConsultantFactory()
    group.members.add(member.consultant, offered, second_choice)
    other_coordinator = ConsultantFactory()
    other_group = ConsultantGroupFactory(coordinator=other_coordinator)
    return WorkflowCast(
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


# --- The notification tests' desk ---------------------------------------------------------------


@pytest.fixture
def desk(db, intake_coordinator, group_coordinator):
    """An intake coordinator, and a group with its coordinator and two active members whose
    hourly rates the client must never read."""
    group = ConsultantGroup.objects.get(coordinator__user=group_coordinator)
    first = ConsultantFactory(status=Consultant.Status.ACTIVE, hourly_rate=Decimal("137.45"))
    second = ConsultantFactory(status=Consultant.Status.ACTIVE, hourly_rate=Decimal("142.65"))
    group.members.add(first, second)
    return {
        "intake": intake_coordinator,
        "group": group,
        "group_coordinator": group_coordinator,
        "first": first,
        "second": second,
    }


# --- The page tests -----------------------------------------------------------------------------


@pytest.fixture
def _languages_and_cache(db):
    """The languages offered and an empty cache; the page modules use it for every test
    (``pytestmark = [..., pytest.mark.usefixtures("_languages_and_cache")]``)."""
    network_services.languages_ensure()
    # The submission throttle counts in the cache; each test starts with a fresh allowance.
    cache.clear()


@pytest.fixture
def offered(group_coordinator, intake_coordinator, member):
    """A request the group coordinator offered to ``member``."""
    submission = routed_to_group(group_coordinator, intake_coordinator)
    request_moved(submission.request, "offer", group_coordinator, consultant=consultant(member).pk)
    submission.request.refresh_from_db()
    return submission


@pytest.fixture
def roles(member, other_member, group_coordinator, intake_coordinator, admin):
    """The user of each role the page access tests try (None: anonymous)."""
    return {
        "anonymous": None,
        "member without offers": other_member,
        "member with an offer": member,
        "group coordinator": group_coordinator,
        "intake coordinator": intake_coordinator,
        "admin": admin,
    }
