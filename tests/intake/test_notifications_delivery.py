"""Delivery of the notifications (``intake.delivery``, ``intake.tasks``) through a failing mail
server: the messages stay queued and the move stands; retries back off, are capped and give up;
a burst is sent exactly once; nothing is sent twice (a sent row sent again, a lost enqueue, a
worker killed while sending, a row another worker is sending); the sweep takes one bounded batch.

The mail servers that fail here are the backends below. intake.delivery's parts on their own
(failures told apart, the sweep's lease): tests/intake/test_delivery.py; the backlog in sight:
tests/intake/test_mail_backlog.py. The ``desk`` and ``clock`` fixtures are in
tests/intake/conftest.py; submitting and moving in tests/helpers.py.
"""

import datetime
import smtplib
import threading

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection, connections, transaction
from django.utils import timezone
from django_q import tasks as django_q_tasks

from intake import delivery, notifications, tasks
from intake.models import Notification, Request
from intake.notifications import Kind
from network.roles import Role
from network.services import user_grant_role
from tests.factories import UserFactory
from tests.intake.helpers import MAIL_START
from tests.intake.helpers import notified_move as move
from tests.intake.helpers import notified_submission as submit
from tests.intake.helpers import notified_to_routed as to_routed

START = MAIL_START  # the clock fixture's time: Tuesday 14 April 2026, 09:00 UTC


class FlakyBackend(LocmemBackend):
    """The locmem backend, but the first ``failures_left`` sends raise like a mail server that
    is down; then it recovers and delivers into ``mail.outbox``."""

    failures_left = 0

    def send_messages(self, messages):
        if FlakyBackend.failures_left > 0:
            FlakyBackend.failures_left -= 1
            raise smtplib.SMTPException("421 mail.example.test: service not available")
        return super().send_messages(messages)


class WorkerKilled(BaseException):
    """What a worker's death looks like from inside: not an ``Exception``, nothing catches it."""


class DyingBackend(LocmemBackend):
    def send_messages(self, messages):
        raise WorkerKilled("the worker was killed in the middle of sending")


@pytest.fixture
def flaky_mail(settings):
    settings.EMAIL_BACKEND = "tests.intake.test_notifications_delivery.FlakyBackend"
    FlakyBackend.failures_left = 0
    yield FlakyBackend
    FlakyBackend.failures_left = 0


# --- Delivery: failures, retries, idempotency ---------------------------------------------


def test_a_failing_mail_server_keeps_messages_queued_and_the_move_committed(
    desk, clock, flaky_mail, settings, django_capture_on_commit_callbacks
):
    request, _ = submit(django_capture_on_commit_callbacks)
    to_routed(django_capture_on_commit_callbacks, request, desk)
    mail.outbox.clear()
    flaky_mail.failures_left = 2

    event = move(
        django_capture_on_commit_callbacks,
        request,
        "offer",
        desk["group_coordinator"],
        consultant=desk["first"].pk,
    )

    request.refresh_from_db()
    assert request.status == Request.Status.OFFERED
    assert request.events.filter(pk=event.pk, action="offer").exists()
    row = Notification.objects.get(kind=Kind.OFFER_MADE)
    assert row.status == Notification.Status.QUEUED
    assert row.attempts == 1
    assert "SMTPException" in row.last_error and "421" in row.last_error
    assert row.next_attempt_at == START + datetime.timedelta(minutes=1)
    assert mail.outbox == []

    # The sweep before the retry is due does nothing.
    tasks.notifications_retry()
    assert Notification.objects.get(pk=row.pk).attempts == 1

    # The second attempt fails too: the delay doubles.
    clock.shift(datetime.timedelta(minutes=1, seconds=1))
    tasks.notifications_retry()
    row.refresh_from_db()
    assert row.attempts == 2 and row.status == Notification.Status.QUEUED
    assert row.next_attempt_at == timezone.now() + datetime.timedelta(minutes=2)

    # The server is back: the next sweep sends it, and later sweeps send nothing more.
    clock.shift(datetime.timedelta(minutes=2, seconds=1))
    tasks.notifications_retry()
    tasks.notifications_retry()
    clock.shift(datetime.timedelta(hours=1))
    tasks.notifications_retry()
    row.refresh_from_db()
    assert row.status == Notification.Status.SENT and row.attempts == 3
    assert row.last_error == "" and row.sent_at is not None
    assert [message.to for message in mail.outbox] == [[desk["first"].user.email]]


def test_every_message_of_a_failed_burst_is_sent_exactly_once(
    desk, clock, flaky_mail, django_capture_on_commit_callbacks
):
    flaky_mail.failures_left = 3
    second = UserFactory()
    user_grant_role(user=second, role=Role.INTAKE_COORDINATOR)

    submit(django_capture_on_commit_callbacks)  # client + two coordinators: all three fail

    assert Notification.objects.filter(status=Notification.Status.QUEUED, attempts=1).count() == 3
    clock.shift(datetime.timedelta(minutes=5))
    tasks.notifications_retry()
    tasks.notifications_retry()

    assert Notification.objects.filter(status=Notification.Status.SENT).count() == 3
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted(["contact@food.example.org", desk["intake"].email, second.email])


def test_gives_up_after_the_last_attempt(
    desk, clock, flaky_mail, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    flaky_mail.failures_left = 100
    submit(django_capture_on_commit_callbacks, contact_email="only@food.example.org")
    row = Notification.objects.get(kind=Kind.REQUEST_RECEIVED)

    for _ in range(5):
        clock.shift(datetime.timedelta(hours=1))
        tasks.notifications_retry()

    row.refresh_from_db()
    assert row.status == Notification.Status.FAILED
    assert row.attempts == 3
    assert mail.outbox == []


def test_retry_delay_doubles_from_the_first_and_is_capped(settings):
    settings.NOTIFICATION_FIRST_DELAY_MINUTES = 1
    settings.NOTIFICATION_MAX_DELAY_MINUTES = 30

    minutes = [delivery.retry_delay(n).total_seconds() / 60 for n in range(1, 8)]

    assert minutes == [1, 2, 4, 8, 16, 30, 30]


def test_sending_a_sent_notification_again_sends_nothing(desk, django_capture_on_commit_callbacks):
    submit(django_capture_on_commit_callbacks)
    row = Notification.objects.get(kind=Kind.REQUEST_RECEIVED)
    assert row.status == Notification.Status.SENT
    sent_at, count = row.sent_at, len(mail.outbox)

    assert tasks.notification_send(row.pk) == "skipped"
    notifications.notifications_enqueue([row.pk])

    row.refresh_from_db()
    assert len(mail.outbox) == count
    assert row.sent_at == sent_at and row.attempts == 1


def test_a_lost_enqueue_is_picked_up_by_the_sweep(
    desk, clock, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    # A context of its own: undoing the whole monkeypatch would also undo the sync task mode.
    with monkeypatch.context() as patch:
        patch.setattr(django_q_tasks, "async_task", broker_down)
        request, _ = submit(django_capture_on_commit_callbacks)

    assert Request.objects.filter(pk=request.pk).exists()  # the submission stands
    assert mail.outbox == []
    assert Notification.objects.filter(status=Notification.Status.QUEUED).count() == 2

    tasks.notifications_retry()
    assert mail.outbox == []  # not due yet: the first task may still be on its way
    clock.shift(datetime.timedelta(minutes=2))
    tasks.notifications_retry()
    assert len(mail.outbox) == 2


def test_the_sweep_takes_one_bounded_batch_oldest_first(
    desk, clock, flaky_mail, settings, django_capture_on_commit_callbacks
):
    flaky_mail.failures_left = 2
    submit(django_capture_on_commit_callbacks)
    clock.shift(datetime.timedelta(minutes=5))
    settings.NOTIFICATION_RETRY_BATCH = 1

    first = delivery.notifications_retry_due()
    second = delivery.notifications_retry_due()

    assert len(first) == 1 and len(second) == 1 and first != second
    assert len(mail.outbox) == 2


def queued_notification(**fields) -> Notification:
    return Notification.objects.create(
        kind=Kind.OVERDUE,
        recipient_email="coordinator@members.test",
        subject="Overdue: REQ-2026-0001 not contacted yet",
        body_text="Please contact the client.",
        body_html="<p>Please contact the client.</p>",
        **fields,
    )


def test_a_worker_killed_while_sending_loses_nothing_and_sends_once(db, clock, settings):
    row = queued_notification(next_attempt_at=START)
    settings.EMAIL_BACKEND = "tests.intake.test_notifications_delivery.DyingBackend"

    with pytest.raises(WorkerKilled):
        tasks.notification_send(row.pk)

    # The send and the "sent" mark share one transaction: the death rolled it back.
    row.refresh_from_db()
    assert (row.status, row.attempts, row.sent_at) == (Notification.Status.QUEUED, 0, None)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    clock.shift(datetime.timedelta(minutes=1))
    tasks.notifications_retry()
    tasks.notifications_retry()
    tasks.notification_send(row.pk)

    row.refresh_from_db()
    assert row.status == Notification.Status.SENT
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == f"<notification-{row.pk}@127.0.0.1>"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_notification_another_worker_is_sending_is_skipped_not_sent_twice():
    if connection.vendor != "postgresql":
        pytest.skip("row locking is exercised on PostgreSQL; this run is on " + connection.vendor)
    row = queued_notification()
    locked, release = threading.Event(), threading.Event()

    def other_worker():
        try:
            with transaction.atomic():
                Notification.objects.select_for_update().get(pk=row.pk)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_worker)
    thread.start()
    assert locked.wait(10)
    try:
        assert tasks.notification_send(row.pk) == "skipped"  # no wait on the other's SMTP
        assert mail.outbox == []
    finally:
        release.set()
        thread.join()

    assert tasks.notification_send(row.pk) == "sent"
    assert tasks.notification_send(row.pk) == "skipped"
    assert len(mail.outbox) == 1
