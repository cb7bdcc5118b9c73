"""Fixtures shared by the intake tests: the mail backlog's (a stopped clock, a mail server that
fails on demand, tasks recorded instead of run, a backlog on the metrics page) and the
organisations on file that an anonymous submission must not change."""

import pytest
import time_machine
from django_q import tasks as django_q_tasks

from intake.models import Notification, Organization
from tests.helpers import (
    KNOWN_ORGANISATION,
    MAIL_START,
    MINUTE,
    MailOutage,
    notification_failed,
    notification_queued,
)

# --- Mail -------------------------------------------------------------------------------------


@pytest.fixture
def server(settings):
    """The mail server: delivers, unless the test sets ``down``, ``refusing`` or ``error``."""
    settings.EMAIL_BACKEND = "tests.helpers.OutageMailBackend"
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
