"""How a stored ``Notification`` becomes an email: sending each at most once, backing off while
the mail server fails, and the sweep that finds what is due.

``intake.notifications`` decides who hears what, stores the rows and hands them to the task
queue; everything after that is here. The row is the source of truth: a lost enqueue, a killed
worker or a mail server that is down leaves it queued, and the sweep (``notifications_sweep``,
every minute) sends it.
"""

import datetime
import logging
import smtplib
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.html import escape

from intake import sealing
from intake.models import Notification
from intake.notifications import STATUS_LINK, notifications_enqueue, status_url, sweep_enqueue

logger = logging.getLogger(__name__)

# How much of a mail server's error is kept on the row (the admin shows it; SMTP errors are
# short, a traceback is not wanted).
LAST_ERROR_LENGTH = 1000
# How many due notifications one sweep enqueues (NOTIFICATION_RETRY_BATCH); a sweep that fills
# its batch enqueues the next sweep behind it, so a backlog drains batch by batch without ever
# putting much more than one batch in the broker.
RETRY_BATCH_DEFAULT = 200
# A row the sweep handed to the queue is not handed over again for this long: its task is in
# the queue (a chained sweep or the next minute's must not enqueue it twice). A task lost with
# a broker or a dead cluster is made up for once it passes. Five minutes is far more than a
# batch waits in the queue, since the next batch is enqueued only behind it.
SWEEP_LEASE = datetime.timedelta(minutes=5)


# --- Sending ---------------------------------------------------------------------------------


def retry_delay(attempts: int) -> datetime.timedelta:
    """The wait after the ``attempts``-th failure: the first delay, doubled after each failure,
    capped so a long outage is still retried every few minutes once it ends."""
    first = settings.NOTIFICATION_FIRST_DELAY_MINUTES
    cap = settings.NOTIFICATION_MAX_DELAY_MINUTES
    return datetime.timedelta(minutes=min(first * 2 ** max(attempts - 1, 0), cap))


def failure_kind(error: Exception) -> str:
    """Whether the server refused this one message, or could not take mail at all.

    A refusal names this message's sender, recipients or content (a bad address, a message
    rejected, too many messages for now): other messages going out says nothing about it. Any
    other failure (no connection, a timeout, a dropped connection, 421 "service not available")
    is the server's, and ends when the server comes back.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return Notification.Failure.REFUSED
    if isinstance(error, smtplib.SMTPSenderRefused | smtplib.SMTPDataError):
        if error.smtp_code != 421:
            return Notification.Failure.REFUSED
    return Notification.Failure.UNAVAILABLE


def _message_id(notification: Notification) -> str:
    # The same Message-ID on every attempt: if a crash makes us send a message twice (see
    # notification_deliver), mail servers and clients that collapse duplicates show it once.
    host = urlsplit(settings.SITE_URL).hostname or "switchboard.invalid"
    return f"<notification-{notification.pk}@{host}>"


def _status_link(notification: Notification) -> str:
    token = sealing.unseal(notification.sealed_status_token, purpose=sealing.STATUS_LINK_PURPOSE)
    if token is None:
        # Sealed under a SECRET_KEY that is gone (rotated without SECRET_KEY_FALLBACKS, or a
        # restore into another deployment): the client had the link on the answer to their
        # submission; the message still tells them their request arrived.
        logger.warning("Notification %s: its status token cannot be unsealed.", notification.pk)
        return settings.SITE_URL + "/"
    return status_url(token)


def _email(notification: Notification) -> EmailMultiAlternatives:
    body_text, body_html = notification.body_text, notification.body_html
    if notification.sealed_status_token:
        link = _status_link(notification)
        body_text = body_text.replace(STATUS_LINK, link)
        body_html = body_html.replace(STATUS_LINK, escape(link))
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient_email],
        reply_to=[getattr(settings, "INTAKE_EMAIL", settings.DEFAULT_FROM_EMAIL)],
        headers={"Message-ID": _message_id(notification)},
    )
    if body_html:
        message.attach_alternative(body_html, "text/html")
    return message


def notifications_deliver(notification_ids: list[int]) -> list[str]:
    """Send a batch one by one (``notification_deliver``), then, if one went out, release the
    rows an outage held back once for the whole batch (``_release_held_back``), not after
    each message: a submission's batch is its two messages, and the release's query cost as
    much as a send.

    The server counts as seen working from the moment the batch began: a failure recorded
    after that (by another worker, on a server that flaps) is newer evidence and keeps its
    delay, as it would for a single send.
    """
    began = timezone.now()
    outcomes = [notification_deliver(pk, release=False) for pk in notification_ids]
    if "sent" in outcomes:
        with transaction.atomic():
            _release_held_back(server_seen_working_at=began)
    return outcomes


def notification_deliver(notification_id: int, *, release: bool = True) -> str:
    """Send one notification at most once; record a failure for a later retry.

    Returns what happened ("sent", "retry", "failed", "skipped"), for the task's result.
    Never raises for a mail error: the workflow that asked for the message has committed, and
    a failing mail server must not block anything else.

    The trade-off, for a worker killed in the middle: the message is sent *inside* the
    transaction that holds the row lock, and marked sent in that same transaction. If the
    worker dies before the mail server accepts the message, the transaction rolls back and the
    row is still queued: the broker's redelivery or the sweep sends it (nothing lost). If it
    dies after the server accepted but before the commit (a window of one COMMIT), the message
    goes out again on the retry: at-least-once, with a stable Message-ID so clients collapse the
    copy. The alternative (claim the row, commit, send, mark sent) turns that same window into
    a message stuck "sending" that must either be resent after a lease (the same duplicate) or
    never (lost); it also needs a claim column. The cost of ours is a row lock and an open
    transaction for the length of one SMTP exchange (bounded by EMAIL_TIMEOUT and the task
    timeout); ``skip_locked`` keeps a second worker from waiting on it.

    The sealed status token is cleared in the same transaction that marks the row sent (or
    given up), so no row keeps a client's link once its message has gone.

    A send that works releases the rows an outage held back (``_release_held_back``), in its
    transaction; ``release=False`` leaves that to the caller (``notifications_deliver``).
    """
    with transaction.atomic():
        # The primary key finds one row at most: no ORDER BY (``first()`` would add one).
        notification = next(
            iter(
                Notification.objects.select_for_update(skip_locked=True).filter(pk=notification_id)
            ),
            None,
        )
        if notification is None:
            # Gone, or another worker is sending it right now (its lock): that worker either
            # marks it sent or rolls back and leaves it queued for the sweep.
            return "skipped"
        if notification.status != Notification.Status.QUEUED:
            return "skipped"  # already sent (or given up): sending again would duplicate it
        started = timezone.now()
        try:
            _email(notification).send(fail_silently=False)
        except Exception as error:
            return _record_failure(notification, error)
        notification.status = Notification.Status.SENT
        notification.sent_at = timezone.now()
        notification.attempts += 1
        notification.last_error = ""
        notification.failure = Notification.Failure.NONE
        notification.sealed_status_token = ""
        notification.save(
            update_fields=[
                *("status", "sent_at", "attempts", "last_error", "failure"),
                "sealed_status_token",
            ]
        )
        if release:
            _release_held_back(server_seen_working_at=started)
        return "sent"


def _record_failure(notification: Notification, error: Exception) -> str:
    now = timezone.now()
    notification.attempts += 1
    notification.last_error = f"{type(error).__name__}: {error}"[:LAST_ERROR_LENGTH]
    notification.failure = failure_kind(error)
    notification.last_failed_at = now
    notification.next_attempt_at = now + retry_delay(notification.attempts)
    notification.enqueued_at = None  # its task has run: the next sweep that finds it due takes it
    if notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
        notification.status = Notification.Status.FAILED
        # Given up: the link will never be sent, and the client had it on the answer to their
        # submission. Keeping it would keep a secret with no use.
        notification.sealed_status_token = ""
    notification.save(
        update_fields=[
            *("attempts", "last_error", "failure", "last_failed_at", "next_attempt_at"),
            *("enqueued_at", "status", "sealed_status_token"),
        ]
    )
    logger.warning(
        "Notification %s to %s failed (attempt %s): %s",
        notification.pk,
        notification.recipient_email,
        notification.attempts,
        notification.last_error,
    )
    return "failed" if notification.status == Notification.Status.FAILED else "retry"


# Chunks for the release's UPDATE: SQLite caps the parameters of one statement.
_RELEASE_CHUNK = 500


def _release_held_back(*, server_seen_working_at: datetime.datetime) -> int:
    """After a send that worked, make due at once the rows held back by the server's outage.

    The rule: a row is released when its last failure was the server being unavailable
    (``Failure.UNAVAILABLE``: no connection, a timeout, 421) and happened no later than the
    moment this successful send began. Backoff exists to spare a server that cannot take mail;
    a message it has just accepted is newer evidence than those failures, so waiting out the
    rest of a delay of up to NOTIFICATION_MAX_DELAY_MINUTES only makes clients wait. A row the
    server *refused* (``Failure.REFUSED``: a bad address, a message rejected, a rate limit) keeps
    its backoff: another message going out says nothing about it, and retrying it early would
    only spend its attempts. A failure recorded after this send began is newer evidence than
    ours (a server that flaps), so that row keeps its delay too.

    Runs in the send's transaction, after the row is marked sent; ``skip_locked`` means it never
    waits for a row another worker is sending. The released rows are swept once this commits.
    In a healthy system this is one SELECT over the few queued rows not yet due.
    """
    now = timezone.now()
    held = list(
        Notification.objects.select_for_update(skip_locked=True)
        .filter(
            status=Notification.Status.QUEUED,
            failure=Notification.Failure.UNAVAILABLE,
            next_attempt_at__gt=now,
            last_failed_at__lte=server_seen_working_at,
        )
        .values_list("pk", flat=True)
    )
    for start in range(0, len(held), _RELEASE_CHUNK):
        Notification.objects.filter(pk__in=held[start : start + _RELEASE_CHUNK]).update(
            next_attempt_at=now
        )
    if held:
        logger.info("Mail is going out again: %s held-back notifications released.", len(held))
        transaction.on_commit(sweep_enqueue)
    return len(held)


# --- The sweep -------------------------------------------------------------------------------


def notifications_retry_due(*, at: datetime.datetime | None = None, limit: int | None = None):
    """Enqueue one batch of queued notifications whose next attempt is due, oldest first.

    Returns the ids enqueued. Rows another sweep handed to the queue less than ``SWEEP_LEASE``
    ago are left alone (their task is on its way), and so are rows a worker is sending right
    now (``skip_locked``). Enqueuing one twice is harmless anyway: delivery is idempotent.
    """
    at = at or timezone.now()
    limit = limit or getattr(settings, "NOTIFICATION_RETRY_BATCH", RETRY_BATCH_DEFAULT)
    with transaction.atomic():
        due = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(status=Notification.Status.QUEUED, next_attempt_at__lte=at)
            .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=at - SWEEP_LEASE))
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        Notification.objects.filter(pk__in=due).update(enqueued_at=at)
    # After the commit (the caller is a task, outside any transaction): a worker that took a
    # task before it would find the rows locked by this sweep and skip them.
    notifications_enqueue(due)
    return due


def notifications_sweep() -> int:
    """The scheduled sweep (every minute): one batch of due rows; a full batch enqueues the
    next sweep behind its own send tasks, so a backlog drains at the speed the workers send
    instead of one batch a minute. Returns how many rows it enqueued."""
    limit = getattr(settings, "NOTIFICATION_RETRY_BATCH", RETRY_BATCH_DEFAULT)
    due = notifications_retry_due(limit=limit)
    if len(due) >= limit:
        sweep_enqueue()
    return len(due)
