"""Reminders: policies due for review, and action items due soon (run daily by django-q2;
``manage.py handbook_schedules`` creates the schedules).

A policy is due when it has not been reviewed for ``HANDBOOK_REVIEW_MONTHS`` months (default
12). Its owner is reminded once; the stamp ``review_reminded_at`` stops further reminders until
the page is reviewed again (``services.page_mark_reviewed`` clears it), and the next period
starts from that review. An action item not done is reminded once, two days before it is due
(or at once if it is already late).

Delivery is at-least-once. Each reminder is one transaction: lock the row, check that it still
needs a reminder, stamp it, send the mail, commit. If sending fails (a refused address, the mail
server down), the transaction rolls back, the stamp with it, and tomorrow's run tries again; the
failure is logged and the other reminders go on. If the worker dies after the mail server took
the message but before the commit, the reminder goes out again the next day. The other order
(stamp and commit, then send) would lose that reminder for good instead; a second reminder of a
review is a nuisance, a lost one is the failure reminders exist to prevent. The Message-ID is
the same on a resend so mail clients that collapse duplicates show one. The row lock also keeps
two workers running the schedule at once from both sending.

Each reminder is written in the language its recipient chose (``User.language``); without a
choice, in the language active when the reminders run.
"""

import contextlib
import datetime
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from handbook.models import ActionItem, Page
from network.language import supported
from network.services import add_months

logger = logging.getLogger(__name__)

# Action items are reminded when they fall due within this many days (or are late).
ACTION_ITEM_NOTICE_DAYS = 2


def review_months() -> int:
    return getattr(settings, "HANDBOOK_REVIEW_MONTHS", 12)


def review_cutoff(today: datetime.date | None = None) -> datetime.date:
    """Policies last reviewed on or before this day are due."""
    return add_months(today or timezone.localdate(), -review_months())


def due_for_review_q(cutoff: datetime.date) -> Q:
    """The one rule for "due for review", as a filter: a policy last reviewed on or before
    ``cutoff`` (``review_cutoff``), or never reviewed. Pages, API and reminders all use it."""
    return Q(category=Page.Category.POLICY) & (
        Q(last_reviewed__isnull=True) | Q(last_reviewed__lte=cutoff)
    )


def is_due_for_review(page: Page, cutoff: datetime.date | None = None) -> bool:
    """``due_for_review_q`` for one loaded page."""
    if page.category != Page.Category.POLICY:
        return False
    return page.last_reviewed is None or page.last_reviewed <= (cutoff or review_cutoff())


def pages_due_for_review(today: datetime.date | None = None) -> QuerySet[Page]:
    """Policies not reviewed for ``HANDBOOK_REVIEW_MONTHS`` months, or never reviewed."""
    return Page.objects.filter(due_for_review_q(review_cutoff(today)))


def review_reminders_send(today: datetime.date | None = None) -> int:
    """Email the owner of each policy due for review that has not been reminded since its last
    review. Returns how many reminders were sent."""
    today = today or timezone.localdate()
    waiting = (
        pages_due_for_review(today)
        .filter(review_reminded_at__isnull=True, owner__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    sent = 0
    for page_id in list(waiting):
        try:
            sent += _review_reminder_send(page_id, today)
        except Exception:
            # One bad address must not stop the others; the stamp was rolled back, so the
            # next run tries this page again.
            logger.exception("Handbook review reminder for page %s failed", page_id)
    return sent


def _review_reminder_send(page_id: int, today: datetime.date) -> bool:
    with transaction.atomic():
        page = (
            pages_due_for_review(today)
            .filter(pk=page_id, review_reminded_at__isnull=True)
            .select_related("owner__user")
            .select_for_update(of=("self",))
            .first()
        )
        # Reviewed, reminded by another worker, or given away since the list was read.
        if page is None or page.owner is None:
            return False
        address = _address(page.owner)
        if not address:
            logger.warning("Handbook page %s is due for review; its owner has no email", page.pk)
            return False
        page.review_reminded_at = timezone.now()
        page.save(update_fields=["review_reminded_at"])
        context = {
            "page": page,
            "months": review_months(),
            "page_url": settings.SITE_URL + page.get_absolute_url(),
            "recipient_name": page.owner.display_name,
            "site_url": settings.SITE_URL,
        }
        reviewed = page.last_reviewed.isoformat() if page.last_reviewed else "never"
        with _in_language_of(page.owner):
            message = _message(
                subject=_("Review due: %(title)s") % {"title": page.title},
                template="review_due",
                context=context,
                to=address,
                message_key=f"review-{page.pk}-{reviewed}",
            )
        message.send()
    return True


def action_items_due(today: datetime.date | None = None) -> QuerySet[ActionItem]:
    """Action items not done that are due within ``ACTION_ITEM_NOTICE_DAYS`` days, or late."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=ACTION_ITEM_NOTICE_DAYS)
    return ActionItem.objects.filter(done_at__isnull=True, due__lte=horizon)


def action_item_reminders_send(today: datetime.date | None = None) -> int:
    """Email the owner of each action item due soon or late, once per item. Returns how many
    reminders were sent."""
    today = today or timezone.localdate()
    waiting = (
        action_items_due(today)
        .filter(reminded_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    sent = 0
    for item_id in list(waiting):
        try:
            sent += _action_item_reminder_send(item_id, today)
        except Exception:
            logger.exception("Action item reminder for item %s failed", item_id)
    return sent


def _action_item_reminder_send(item_id: int, today: datetime.date) -> bool:
    with transaction.atomic():
        item = (
            action_items_due(today)
            .filter(pk=item_id, reminded_at__isnull=True)
            .select_related("owner__user", "meeting")
            .select_for_update(of=("self",))
            .first()
        )
        if item is None:
            return False
        address = _address(item.owner)
        if not address:
            logger.warning("Action item %s is due; its owner has no email", item.pk)
            return False
        item.reminded_at = timezone.now()
        item.save(update_fields=["reminded_at"])
        overdue = item.due < today
        context = {
            "item": item,
            "overdue": overdue,
            "meeting_url": settings.SITE_URL + item.meeting.get_absolute_url(),
            "recipient_name": item.owner.display_name,
            "site_url": settings.SITE_URL,
        }
        with _in_language_of(item.owner):
            if overdue:
                subject = _("Action item overdue: %(text)s") % {"text": _shorten(item.text)}
            else:
                subject = _("Action item due: %(text)s") % {"text": _shorten(item.text)}
            message = _message(
                subject=subject,
                template="action_item_due",
                context=context,
                to=address,
                message_key=f"action-item-{item.pk}",
            )
        message.send()
    return True


def _in_language_of(consultant):
    """The recipient's chosen language for the message; else the one already active."""
    chosen = supported(getattr(consultant.user, "language", ""))
    return translation.override(chosen) if chosen else contextlib.nullcontext()


def _address(consultant) -> str:
    user = consultant.user
    return user.email.strip() if user.is_active and user.email else ""


def _shorten(text: str, length: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _message(
    *, subject: str, template: str, context: dict, to: str, message_key: str
) -> EmailMultiAlternatives:
    # The same Message-ID on a resend (see the module docstring) lets clients collapse copies.
    host = urlsplit(settings.SITE_URL).hostname or "switchboard.invalid"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"handbook/email/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"Message-ID": f"<handbook-{message_key}@{host}>"},
    )
    message.attach_alternative(
        render_to_string(f"handbook/email/{template}.html", context), "text/html"
    )
    return message
