"""intake.delivery's parts: how failures are told apart, the sweep's lease, and the backlog's
figures (the behaviour they give: tests/intake/test_mail_backlog.py; the fixtures:
tests/intake/conftest.py)."""

import smtplib

import pytest

from intake import delivery
from intake.metrics import mail_backlog
from tests.intake.helpers import notification_queued

pytestmark = pytest.mark.django_db


def test_a_task_lost_with_its_broker_is_enqueued_again_once_the_lease_has_passed(
    settings, clock, enqueued
):
    settings.NOTIFICATION_RETRY_BATCH = 3
    rows = [notification_queued(f"coordinator{n}@members.test").pk for n in range(2)]

    assert delivery.notifications_retry_due() == rows
    assert delivery.notifications_retry_due() == []  # its tasks are on their way
    clock.shift(delivery.SWEEP_LEASE)
    assert delivery.notifications_retry_due() == rows
    assert len(enqueued) == 2


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (ConnectionRefusedError(111, "Connection refused"), "unavailable"),
        (TimeoutError("timed out"), "unavailable"),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), "unavailable"),
        (smtplib.SMTPConnectError(421, b"Too busy"), "unavailable"),
        (smtplib.SMTPDataError(421, b"Service not available"), "unavailable"),
        (smtplib.SMTPException("421 mail.example.test: service not available"), "unavailable"),
        (smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"No such user")}), "refused"),
        (smtplib.SMTPSenderRefused(553, b"Sender not allowed", "x@example.org"), "refused"),
        (smtplib.SMTPDataError(451, b"Too many messages, slow down"), "refused"),
        (smtplib.SMTPDataError(554, b"Message rejected"), "refused"),
    ],
)
def test_failures_are_told_apart(error, kind):
    assert delivery.failure_kind(error) == kind


def test_the_backlog_costs_two_queries_however_many_rows(backlog, django_assert_num_queries):
    for n in range(20):
        notification_queued(f"more{n}@members.test")
    # 1. counts of queued and failed rows and the oldest due time  2. the last error
    with django_assert_num_queries(2):
        figures = mail_backlog()
    assert (figures.queued, figures.failed) == (22, 1)
