"""A short mail outage drains within a sweep of the server's return.

The scene that went wrong: the mail server away for 2 minutes while requests kept arriving; the
last emails left 8.7 minutes late (sweeps every 5 minutes, of a bounded batch, each row waiting
out its own doubling delay). Here the clock moves in 10-second steps, the schedule's sweep runs
at the interval ``setup_schedules`` gives it, and every task runs inline, as a cluster would run
it at once.
"""

import datetime
from collections import Counter

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.utils import timezone

from intake import tasks
from intake.management.commands.setup_schedules import SCHEDULES
from intake.models import Notification
from intake.services import request_submit
from network.roles import Role
from network.services import user_grant_role
from tests.factories import UserFactory

START = datetime.datetime(2026, 4, 14, 9, 0, tzinfo=datetime.UTC)
OUTAGE_ENDS = START + datetime.timedelta(minutes=2)
STEP = datetime.timedelta(seconds=10)
SWEEP_EVERY = datetime.timedelta(
    minutes=next(minutes for _name, task, minutes in SCHEDULES if task.endswith("_retry"))
)


class DownForTwoMinutesBackend(LocmemBackend):
    def send_messages(self, messages):
        if timezone.now() < OUTAGE_ENDS:
            raise ConnectionRefusedError(111, "Connection refused")
        return super().send_messages(messages)


@pytest.mark.django_db
def test_after_a_two_minute_outage_every_message_leaves_within_a_sweep_of_the_return(
    settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.reliability.test_mail_outage.DownForTwoMinutesBackend"
    # A batch smaller than the backlog, as 200 is against a busy desk's outage.
    settings.NOTIFICATION_RETRY_BATCH = 5
    for _ in range(2):
        user_grant_role(user=UserFactory(), role=Role.INTAKE_COORDINATOR)

    with time_machine.travel(START, tick=False) as clock:
        next_sweep = START + SWEEP_EVERY
        n = 0
        while timezone.now() < START + datetime.timedelta(minutes=15):
            with django_capture_on_commit_callbacks(execute=True):
                if timezone.now() < OUTAGE_ENDS:
                    # A request every 10 seconds while the server is away: three messages each.
                    n += 1
                    request_submit(
                        organization_name=f"Tenants Union {n}",
                        contact_name=f"Client {n}",
                        contact_email=f"client{n}@tenants{n}.example.org",
                        title="Member database",
                        description="Our member list lives in three spreadsheets.",
                    )
                if timezone.now() >= next_sweep:
                    tasks.notifications_retry()
                    next_sweep += SWEEP_EVERY
            clock.shift(STEP)

    rows = Notification.objects.all()
    assert rows.count() == 3 * 12
    assert set(rows.values_list("status", flat=True)) == {"sent"}
    # Every message failed at least once, and none went out before the server was back...
    assert all(row.attempts >= 2 and row.sent_at >= OUTAGE_ENDS for row in rows)
    # ...and all of them within one sweep interval of its return (it was 8.7 minutes).
    latest = max(row.sent_at for row in rows)
    assert latest - OUTAGE_ENDS <= datetime.timedelta(minutes=1)
    # Once each.
    sent = Counter(message.extra_headers["Message-ID"] for message in mail.outbox)
    assert sorted(sent.values()) == [1] * rows.count()
