"""The mail backlog drains promptly and in sight: sweeps every minute, a full batch enqueues the
next at once, a send that works releases the rows an outage held back, and the metrics page and
the admin show queued, failed, the oldest due time and the last error. The stopped clock, the
mail server and the backlog are fixtures of tests/intake/conftest.py."""

import datetime
import io
import smtplib

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule

from intake import delivery, notifications, tasks
from intake.management.commands.setup_schedules import SCHEDULES
from intake.models import Notification
from tests.intake.helpers import MAIL_START, MINUTE, notification_failed, notification_queued

pytestmark = pytest.mark.django_db

# --- The sweep ----------------------------------------------------------------------------------


def test_the_sweep_runs_every_minute():
    [(_name, _task, minutes)] = [row for row in SCHEDULES if row[1].endswith("notifications_retry")]
    assert minutes == 1


def test_setup_schedules_moves_an_existing_deployment_to_every_minute(clock):
    Schedule.objects.create(
        name="Intake: retry notifications",
        func="intake.tasks.notifications_retry",
        schedule_type=Schedule.MINUTES,
        minutes=5,
        repeats=-1,
        next_run=MAIL_START + 5 * MINUTE,
    )
    output = io.StringIO()

    call_command("setup_schedules", stdout=output)

    retry = Schedule.objects.get(name="Intake: retry notifications")
    assert retry.minutes == 1 and retry.next_run == MAIL_START + MINUTE
    assert "updated minutes, next_run" in output.getvalue()
    call_command("setup_schedules", stdout=output)  # and rerunning it changes nothing more
    assert Schedule.objects.get(pk=retry.pk).next_run == MAIL_START + MINUTE


def test_a_full_batch_enqueues_the_next_sweep_behind_its_sends(settings, clock, enqueued):
    settings.NOTIFICATION_RETRY_BATCH = 3
    rows = [notification_queued(f"coordinator{n}@members.test").pk for n in range(7)]

    assert tasks.notifications_retry() == 3

    assert enqueued == [
        (notifications.SEND_BATCH_TASK, rows[:3]),
        (notifications.SWEEP_TASK,),  # behind the sends, in the queue's order
    ]


def test_a_sweep_that_is_not_full_enqueues_no_other(settings, clock, enqueued):
    settings.NOTIFICATION_RETRY_BATCH = 3
    rows = [notification_queued(f"coordinator{n}@members.test").pk for n in range(2)]

    assert tasks.notifications_retry() == 2

    assert enqueued == [(notifications.SEND_BATCH_TASK, rows)]


def test_the_chained_sweeps_take_the_next_batches_not_the_same_rows(settings, clock, enqueued):
    settings.NOTIFICATION_RETRY_BATCH = 3
    rows = [notification_queued(f"coordinator{n}@members.test").pk for n in range(7)]

    # The sends are still in the queue (recorded, not run) while the chain goes on.
    for _ in range(4):
        tasks.notifications_retry()

    sends = [args[1] for args in enqueued if args[0] == notifications.SEND_BATCH_TASK]
    assert sends == [rows[:3], rows[3:6], rows[6:]]


def test_a_backlog_larger_than_a_batch_goes_out_in_one_sweep(settings, clock, server):
    settings.NOTIFICATION_RETRY_BATCH = 4
    for n in range(11):
        notification_queued(f"coordinator{n}@members.test")

    tasks.notifications_retry()  # the tasks run inline here: every chained sweep too

    assert len(mail.outbox) == 11
    assert not Notification.objects.filter(status=Notification.Status.QUEUED).exists()


# --- After an outage: the held-back rows go out at once -----------------------------------------


def test_a_send_that_works_releases_the_rows_an_outage_held_back(
    clock, server, django_capture_on_commit_callbacks
):
    server.down = True
    held = [notification_queued(f"coordinator{n}@members.test") for n in range(3)]
    for row, failures in zip(held, (3, 5, 6), strict=True):
        notification_failed(row, failures, clock)
    delays = {
        row.pk: Notification.objects.get(pk=row.pk).next_attempt_at - timezone.now() for row in held
    }
    assert max(delays.values()) >= 15 * MINUTE  # without the rule, waiting up to 30 minutes

    server.down = False
    clock.shift(datetime.timedelta(seconds=30))
    fresh = notification_queued("client@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.notification_send(fresh.pk) == "sent"

    # Released and swept in the same breath: all went out, half a minute after the server.
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        ["client@example.org", *(row.recipient_email for row in held)]
    )
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


def test_a_row_the_server_refused_keeps_its_backoff(
    clock, server, django_capture_on_commit_callbacks
):
    server.refusing = {"gone@example.org"}
    server.error = smtplib.SMTPRecipientsRefused({"gone@example.org": (550, b"No such user")})
    refused = notification_queued("gone@example.org")
    notification_failed(refused, 3, clock)
    refused.refresh_from_db()
    assert refused.failure == Notification.Failure.REFUSED
    due = refused.next_attempt_at

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.notification_send(notification_queued("client@example.org").pk) == "sent"

    refused.refresh_from_db()
    assert (refused.next_attempt_at, refused.attempts) == (due, 3)


def test_a_failure_newer_than_the_working_send_keeps_its_delay(clock, server):
    """A server that flaps: a row that failed while the good send was under way (after it
    began) has newer evidence than that send, and keeps its delay; one that failed before it
    is released."""
    held = {"failure": Notification.Failure.UNAVAILABLE, "attempts": 4}
    before = notification_queued(
        "before@members.test",
        **held,
        last_failed_at=MAIL_START - 5 * MINUTE,
        next_attempt_at=MAIL_START + 3 * MINUTE,
    )
    during = notification_queued(
        "during@members.test", **held, last_failed_at=MAIL_START + datetime.timedelta(seconds=2),
        next_attempt_at=MAIL_START + 8 * MINUTE,
    )  # fmt: skip

    assert tasks.notification_send(notification_queued("client@example.org").pk) == "sent"

    before.refresh_from_db()
    during.refresh_from_db()
    assert before.next_attempt_at == MAIL_START  # due now: the next sweep sends it
    assert during.next_attempt_at == MAIL_START + 8 * MINUTE


def test_a_batch_releases_the_held_back_rows_once_after_its_sends(clock, server, monkeypatch):
    """A submission's two messages go in one task: the release runs once for the batch, with
    the server seen working from the batch's start (a row that failed before is released)."""
    held = notification_queued(
        "before@members.test",
        failure=Notification.Failure.UNAVAILABLE,
        attempts=4,
        last_failed_at=MAIL_START - 5 * MINUTE,
        next_attempt_at=MAIL_START + 3 * MINUTE,
    )
    releases = []
    release = delivery._release_held_back
    monkeypatch.setattr(
        delivery,
        "_release_held_back",
        lambda **when: releases.append(when) or release(**when),
    )
    batch = [notification_queued(f"client{n}@example.org").pk for n in range(2)]

    assert tasks.notifications_send(batch) == ["sent", "sent"]

    assert releases == [{"server_seen_working_at": MAIL_START}]
    held.refresh_from_db()
    assert held.next_attempt_at == MAIL_START  # due now: the next sweep sends it


def test_a_batch_that_sent_nothing_releases_nothing(clock, server, monkeypatch):
    releases = []
    monkeypatch.setattr(delivery, "_release_held_back", lambda **when: releases.append(when))
    batch = [notification_queued(f"client{n}@example.org").pk for n in range(2)]
    server.down = True

    assert tasks.notifications_send(batch) == ["retry", "retry"]

    assert releases == []


# --- Where the backlog shows ----------------------------------------------------------------------


def test_the_metrics_page_shows_the_mail_backlog(backlog, client, intake_coordinator):
    intake_coordinator.refresh_from_db()
    client.force_login(intake_coordinator)

    page = client.get(reverse("intake-metrics"))

    assert page.status_code == 200
    section = page.content.decode().split('id="mail-backlog"')[1].split("</dl>")[0]
    assert "2 messages" in section and "1 message" in section  # queued, failed
    backlog.refresh_from_db()
    oldest_due = timezone.localtime(backlog.next_attempt_at)
    assert oldest_due == timezone.localtime(MAIL_START + 3 * MINUTE)  # 09:00 + 1 + 2 minutes
    assert oldest_due.isoformat() in section
    assert "late by 8 minutes" in section  # at 09:11
    assert "ConnectionRefusedError: [Errno 111] Connection refused" in section


def test_the_admin_notification_list_shows_the_backlog_and_why(backlog, client, admin):
    admin.refresh_from_db()
    client.force_login(admin)

    page = client.get(reverse("admin:intake_notification_changelist"))

    text = page.content.decode()
    summary = text.split('id="mail-backlog-summary"')[1].split("</div>")[0]
    assert "Queued: <strong>2</strong>" in summary
    assert "failed (given up): <strong>1</strong>" in summary
    oldest_due = timezone.localtime(MAIL_START + 3 * MINUTE)  # 09:00 + 1 + 2 minutes
    assert f"{oldest_due:%d %b %Y, %H:%M}".lstrip("0") in summary
    assert "ConnectionRefusedError" in summary
    for column in ("column-next_attempt_at", "column-failure", "column-last_failed_at"):
        assert column in text
    assert "Mail server unavailable" in text
    filtered = client.get(
        reverse("admin:intake_notification_changelist"), {"failure": "unavailable"}
    )
    assert filtered.context["cl"].result_count == 1
