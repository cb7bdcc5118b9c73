"""Who hears about what, and handing what they hear to the task queue.

The entry points run after the workflow's transaction commits (``transaction.on_commit``): each
writes one ``Notification`` row per recipient in its own short transaction and enqueues one
django-q2 task per row once those rows are committed. The row is the source of truth: if the
enqueue is lost (a broker outage, a crash between the commit and the enqueue), the retry sweep
(``intake.delivery.notifications_sweep``) finds the row and sends it. Sending, retries and the
sweep are in ``intake.delivery``.

What a client reads is rendered from the client's own templates, which are given only what the
client may see: never internal notes, other candidates or consultants' rates.
"""

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from intake import sealing
from intake.models import (
    EngagementCover,
    Notification,
    Offer,
    OutsideReferral,
    Request,
    RequestEvent,
)
from network.access import has_role
from network.db import FixedQuery
from network.language import language_of, supported
from network.roles import Role
from network.tasks import task_enqueue

logger = logging.getLogger(__name__)

SEND_TASK = "intake.tasks.notification_send"
SEND_BATCH_TASK = "intake.tasks.notifications_send"
SWEEP_TASK = "intake.tasks.notifications_retry"
# How many notifications one task sends: a submission's few go in one task (each task has a
# fixed cost in the cluster: signing, dequeuing, handing over to a worker), while a sweep's
# backlog still spreads over the workers and one task stays well inside the cluster's timeout
# (Q_CLUSTER "timeout") with a slow mail server.
SEND_BATCH_SIZE = 10
# What the client's confirmation holds in place of the status link until it is sent: the link
# is put in at send time (intake.delivery) from the row's sealed token, so the stored bodies
# never hold it. (A client who types this into their own title sees their own link there, in
# their own message; the coordinators' copy has no token, and keeps it as typed.)
STATUS_LINK = "[[status-link]]"


class Kind:
    """Notification kinds: one per message a person can receive (the row's ``kind``)."""

    REQUEST_RECEIVED = "request_received"  # client: confirmation and status link
    REQUEST_NEW = "request_new"  # intake coordinators: a new request in the queue
    REQUEST_ROUTED = "request_routed"  # group coordinator: a request to offer to a member
    OFFER_MADE = "offer_made"  # the offered member: accept or decline by the deadline
    OFFER_ACCEPTED = "offer_accepted"  # group coordinator and intake coordinator
    CONSULTANT_ASSIGNED = "consultant_assigned"  # client: the consultant's name and email
    OFFER_DECLINED = "offer_declined"  # group coordinator (or intake): needs a new offer
    OFFER_EXPIRED = "offer_expired"  # group coordinator (or intake): needs a new offer
    REFERRED_OUT = "referred_out"  # client: the outside professionals and the message
    REQUEST_COMPLETED = "request_completed"  # client: thanks
    WORK_REPORTED = "work_reported"  # intake coordinators: the member says the work is done
    OVERDUE = "overdue"  # intake coordinators: not contacted within the response target
    BID_INVITATION = "bid_invitation"  # a member invited to a bid's team: accept or decline
    AGREEMENT_TO_SIGN = "agreement_to_sign"  # the team: a (new) agreement version to sign
    AGREEMENT_IN_FORCE = "agreement_in_force"  # the team: every member signed
    COVER_NAMED = "cover_named"  # a member named to cover a client while its consultant is away


SUBJECTS = {
    Kind.REQUEST_RECEIVED: _("We received your request %(reference)s"),
    Kind.REQUEST_NEW: _("New request %(reference)s: %(title)s"),
    Kind.REQUEST_ROUTED: _(
        "Request %(reference)s routed to %(group)s: please offer it to a member"
    ),
    Kind.OFFER_MADE: _("Offer: %(reference)s %(title)s"),
    Kind.OFFER_ACCEPTED: _("%(consultant)s accepted %(reference)s"),
    Kind.CONSULTANT_ASSIGNED: _("Your request %(reference)s: your consultant is %(consultant)s"),
    Kind.OFFER_DECLINED: _("%(reference)s declined: it needs a new offer"),
    Kind.OFFER_EXPIRED: _("%(reference)s offer expired: it needs a new offer"),
    Kind.REFERRED_OUT: _("Your request %(reference)s: professionals who can help"),
    Kind.REQUEST_COMPLETED: _("Your request %(reference)s is completed: thank you"),
    Kind.WORK_REPORTED: _("%(consultant)s reported the work on %(reference)s done: please confirm"),
    Kind.OVERDUE: _("Overdue: %(reference)s not contacted yet"),
    Kind.BID_INVITATION: _("Join a team bid on %(reference)s: %(title)s"),
    Kind.AGREEMENT_TO_SIGN: _("Please sign version %(number)s of the agreement for %(reference)s"),
    Kind.AGREEMENT_IN_FORCE: _(
        "Agreement for %(reference)s signed by everyone: version %(number)s"
    ),
    Kind.COVER_NAMED: _("Please cover %(reference)s while %(consultant)s is away"),
}


# --- Recipients ---------------------------------------------------------------------------


class Recipient:
    """An address and, for people with an account, the user it belongs to; ``language`` is the
    one their messages are written in (a member's own choice, else the site's; a client's is the
    request's)."""

    def __init__(
        self,
        email: str,
        user=None,
        name: str = "",
        *,
        user_id: int | None = None,
        language: str | None = None,
    ):
        self.email = email
        self.user = user
        self.user_id = user.pk if user is not None else user_id
        self.name = name
        # The language given (a client's: their request's), else the one saved on the account.
        self.language = (
            language_of(user) if language is None else supported(language) or settings.LANGUAGE_CODE
        )


def person_name(user) -> str:
    """How the alliance names a person: their member name, else their account's name."""
    if user is None:
        return ""
    consultant = getattr(user, "consultant", None)  # a missing one raises an AttributeError
    if consultant is not None:
        return consultant.display_name
    return user.get_full_name() or user.username


# Every submission tells the intake coordinators: compiled once (network.db.FixedQuery).
_INTAKE_COORDINATORS = FixedQuery(
    lambda: (
        get_user_model()
        .objects.filter(groups__name=Role.INTAKE_COORDINATOR.value, is_active=True)
        .exclude(email="")
        .order_by("pk")
        # No DISTINCT: one group has the role's name, and a user is in it once.
        .values_list(
            "pk",
            "email",
            "consultant__display_name",
            "first_name",
            "last_name",
            "username",
            "language",
        )
    )
)


def _intake_coordinators() -> list[Recipient]:
    # Plain values, not users: a recipient needs an address, a name and the user's id.
    recipients = []
    for row in _INTAKE_COORDINATORS.rows():
        pk, email, display_name, first_name, last_name, username, language = row
        # As person_name: the member name, else the account's full name, else its username.
        if display_name is None:
            display_name = f"{first_name} {last_name}".strip() or username
        recipients.append(Recipient(email, name=display_name, user_id=pk, language=language))
    return recipients


def _user_recipient(user) -> list[Recipient]:
    if user is None or not user.is_active or not user.email:
        return []
    return [Recipient(user.email, user, person_name(user))]


def consultant_recipient(consultant) -> list[Recipient]:
    if consultant is None:
        return []
    found = _user_recipient(consultant.user)
    for recipient in found:
        recipient.name = consultant.display_name
    return found


def _group_coordinator(request: Request) -> list[Recipient]:
    group = request.assigned_group
    if group is None or group.coordinator is None:
        return []
    return consultant_recipient(group.coordinator)


def _client(request: Request) -> list[Recipient]:
    return [Recipient(request.contact.email, None, request.contact.name, language=request.language)]


# --- Composing and storing ----------------------------------------------------------------


def one_line(text: str) -> str:
    """Client-typed text goes into subjects: no line breaks (a header cannot hold one)."""
    return " ".join(str(text).split())


def status_url(token: str) -> str:
    """The client's private status link for ``token``."""
    return settings.SITE_URL + reverse("request-status", args=[token])


def request_page_url(request: Request) -> str:
    return settings.SITE_URL + reverse("intake-request", args=[request.pk])


def my_offers_url() -> str:
    return settings.SITE_URL + reverse("my-offers")


def _compose(kind: str, request: Request | None, recipient: Recipient, context: dict):
    """One message for ``recipient``, in their language (subject and both bodies)."""
    with translation.override(recipient.language):
        return _compose_in_language(kind, request, recipient, context)


def _compose_in_language(kind: str, request, recipient: Recipient, context: dict):
    context = {
        **context,
        "kind": kind,
        "request": request,
        "recipient_name": recipient.name,
        "site_url": settings.SITE_URL,
        "intake_email": getattr(settings, "INTAKE_EMAIL", settings.DEFAULT_FROM_EMAIL),
    }
    subject = str(SUBJECTS[kind]) % context.get("subject", {})
    notification = Notification(
        kind=kind,
        request=request,
        recipient_email=recipient.email,
        recipient_user_id=recipient.user_id,
        subject=one_line(subject)[:200],
        body_text=render_to_string(f"intake/email/{kind}.txt", context),
        body_html=render_to_string(f"intake/email/{kind}.html", context),
    )
    return notification


def notify(kind: str, request: Request | None, recipients: list[Recipient], context: dict):
    """Compose one message per distinct address; the caller stores them with ``store``."""
    seen = set()
    composed = []
    for recipient in recipients:
        address = recipient.email.strip().lower()
        if address in seen:  # the same person in two roles hears once per message
            continue
        seen.add(address)
        composed.append(_compose(kind, request, recipient, context))
    return composed


def store(notifications: list[Notification]) -> list[int]:
    """Save the rows in one statement; enqueue their sending once they are committed."""
    # New rows are due for the sweep only after the first retry delay: the task enqueued below
    # sends them right away, and the sweep is the safety net for an enqueue that never ran.
    due = timezone.now() + datetime.timedelta(minutes=settings.NOTIFICATION_FIRST_DELAY_MINUTES)
    valid = []
    for notification in notifications:
        notification.next_attempt_at = due
        try:
            # The only field composing does not control: the other fields are fixed kinds,
            # truncated subjects, rendered bodies and rows just read (request, recipient).
            _address_check(notification.recipient_email)
        except ValidationError as error:
            # One bad address (a hand-edited account) must not cost the others their mail.
            logger.warning(
                "Notification %s to %r not stored: %s",
                notification.kind,
                notification.recipient_email,
                error,
            )
            continue
        valid.append(notification)
    if not valid:
        return []
    stored = [notification.pk for notification in Notification.objects.bulk_create(valid)]
    transaction.on_commit(lambda: notifications_enqueue(stored))
    return stored


_RECIPIENT_EMAIL_MAX_LENGTH = Notification._meta.get_field("recipient_email").max_length


def _address_check(address: str) -> None:
    if not address or len(address) > _RECIPIENT_EMAIL_MAX_LENGTH:
        raise ValidationError("Enter a valid email address.", code="invalid")
    validate_email(address)


def notifications_enqueue(notification_ids: list[int]) -> None:
    """Hand the notifications to the task queue, up to ``SEND_BATCH_SIZE`` per task. A broker
    that refuses is logged, not raised: the workflow has committed, and the retry sweep will
    find the queued rows.

    Each task sends its rows one by one through ``notification_deliver``, which is idempotent
    per row: a batch that is redelivered, or that races the sweep, sends nothing twice.
    Successful results are not saved (``save=False``): the row records the outcome, and
    saving made the cluster prune its result table on every task.
    """
    for start in range(0, len(notification_ids), SEND_BATCH_SIZE):
        batch = list(notification_ids[start : start + SEND_BATCH_SIZE])
        # A broker that refuses is logged by task_enqueue; the rows wait for the sweep.
        task_enqueue(
            SEND_BATCH_TASK,
            batch,
            what=f"notifications {batch} (the sweep will retry them)",
            task_name=f"notifications-{batch[0]}-{batch[-1]}",
            save=False,
        )


def sweep_enqueue() -> None:
    """Run the retry sweep now instead of at its next minute: behind a full batch it just
    enqueued, or once mail goes out again after an outage (``intake.delivery``)."""
    # A broker that refuses is logged by task_enqueue; the schedule runs the sweep anyway.
    task_enqueue(
        SWEEP_TASK,
        what="a notification sweep (the schedule will run it)",
        task_name="notifications-sweep",
        save=False,
    )


# --- Entry points: submission and workflow events -----------------------------------------


def request_for_notice(request_id: int) -> Request:
    return Request.objects.select_related(
        "organization",
        "contact",
        "assigned_group__coordinator__user",
        "engaged_consultant__user",
        "offered_consultant__user",
        "intake_coordinator__consultant",
        "possible_duplicate_of",
    ).get(pk=request_id)


def subject_fields(request: Request, **more) -> dict:
    return {"reference": request.reference, "title": one_line(request.title), **more}


def submission_recipients() -> list[Recipient]:
    """Who hears of a new request besides its client: read by ``services.request_submit``
    before it takes the reference counter's lock, so the read does not hold up other
    submissions."""
    return _intake_coordinators()


def request_submitted(
    request: Request, status_token: str, coordinators: list[Recipient]
) -> list[int]:
    """The client's confirmation (with the status link) and the intake coordinators' alert
    (``coordinators``, from ``submission_recipients``).

    Called by ``services.request_submit`` inside the submission's transaction: the messages
    commit or roll back with the request, so a committed request always has them on file, even
    if the process stops before its commit hooks run (the sweep then sends them).

    The request keeps only the token's hash, and the confirmation keeps no link either: its
    bodies hold ``STATUS_LINK`` and the row holds the token sealed (``intake.sealing``) until the
    transaction that sends the message clears it.
    """
    subject = subject_fields(request)
    composed = notify(
        Kind.REQUEST_RECEIVED,
        request,
        _client(request),
        {"subject": subject, "status_url": STATUS_LINK},
    )
    for confirmation in composed:
        confirmation.sealed_status_token = sealing.seal(
            status_token, purpose=sealing.STATUS_LINK_PURPOSE
        )
    composed += notify(
        Kind.REQUEST_NEW,
        request,
        coordinators,
        {"subject": subject, "request_url": request_page_url(request)},
    )
    return store(composed)


def request_event(event_id: int) -> list[int]:
    """Tell the people a workflow move concerns (the offered member, the group coordinator...).

    Moves that concern nobody outside the desk (contact, triage, withdraw, spam, bidding) send
    nothing.
    """
    event = RequestEvent.objects.select_related("actor__consultant").get(pk=event_id)
    compose = _EVENT_MESSAGES.get(event.action)
    if compose is None:
        return []
    request = request_for_notice(event.request_id)
    return store(compose(event, request))


def request_overdue(request_id: int) -> list[int]:
    """Remind every intake coordinator of a request not contacted within the response target.
    The caller (``intake.reminders``) makes sure this happens once per request."""
    request = request_for_notice(request_id)
    return store(
        notify(
            Kind.OVERDUE,
            request,
            _intake_coordinators(),
            {"subject": subject_fields(request), "request_url": request_page_url(request)},
        )
    )


# One function per event kind: each returns the unsaved messages the move calls for.


def _routed(event: RequestEvent, request: Request) -> list[Notification]:
    if event.data.get("offer"):  # routed straight to one consultant: that is an offer
        return _offer_made(event, request)
    recipients = _group_coordinator(request) or _intake_coordinators()
    group_name = request.assigned_group.name if request.assigned_group else ""
    return notify(
        Kind.REQUEST_ROUTED,
        request,
        recipients,
        {
            "subject": subject_fields(request, group=group_name),
            "event": event,
            "actor_name": person_name(event.actor),
            "group_name": group_name,
            "has_coordinator": bool(_group_coordinator(request)),
            "request_url": request_page_url(request),
        },
    )


def _offer_made(event: RequestEvent, request: Request) -> list[Notification]:
    offer = Offer.objects.select_related("consultant__user").get(pk=event.data["offer"])
    return notify(
        Kind.OFFER_MADE,
        request,
        consultant_recipient(offer.consultant),
        {
            "subject": subject_fields(request),
            "event": event,
            "actor_name": person_name(event.actor),
            "offer": offer,
            "consultant": offer.consultant,
            "offers_url": my_offers_url(),
        },
    )


def _accepted(event: RequestEvent, request: Request) -> list[Notification]:
    consultant = request.engaged_consultant
    subject = subject_fields(request, consultant=one_line(consultant.display_name))
    staff = _group_coordinator(request)
    staff += _user_recipient(request.intake_coordinator) or _intake_coordinators()
    composed = notify(
        Kind.OFFER_ACCEPTED,
        request,
        staff,
        {
            "subject": subject,
            "event": event,
            "consultant": consultant,
            "request_url": request_page_url(request),
        },
    )
    # The client's message is given the consultant's public contact only: no rate, no note.
    composed += notify(
        Kind.CONSULTANT_ASSIGNED,
        request,
        _client(request),
        {
            "subject": subject,
            "consultant_name": consultant.display_name,
            "consultant_email": consultant.user.email,
        },
    )
    return composed


def _needs_new_offer(event: RequestEvent, request: Request) -> list[Notification]:
    kind = Kind.OFFER_DECLINED if event.action == "decline" else Kind.OFFER_EXPIRED
    offer = Offer.objects.select_related("consultant").filter(pk=event.data.get("offer")).first()
    return notify(
        kind,
        request,
        _group_coordinator(request) or _intake_coordinators(),
        {
            "subject": subject_fields(request),
            "event": event,
            "offer": offer,
            "consultant": offer.consultant if offer else None,
            "request_url": request_page_url(request),
        },
    )


def _referred_out(event: RequestEvent, request: Request) -> list[Notification]:
    referral = OutsideReferral.objects.get(pk=event.data["referral"])
    professionals = [
        # Only what the client needs to get in touch: never the directory's internal notes.
        {
            "name": professional.name,
            "organization": professional.organization,
            "email": professional.email,
            "phone": professional.phone,
            "website": professional.website,
        }
        for professional in referral.professionals.order_by("name", "pk")
    ]
    return notify(
        Kind.REFERRED_OUT,
        request,
        _client(request),
        {
            "subject": subject_fields(request),
            "professionals": professionals,
            "message": referral.message,
        },
    )


def _work_reported(event: RequestEvent, request: Request) -> list[Notification]:
    """The staff who confirm completion: the intake coordinator who took the request while
    they hold the role, else every intake coordinator."""
    coordinator = request.intake_coordinator
    staff = []
    if coordinator is not None and has_role(coordinator, Role.INTAKE_COORDINATOR):
        staff = _user_recipient(coordinator)
    reporter = person_name(event.actor) or (
        request.engaged_consultant.display_name if request.engaged_consultant else ""
    )
    return notify(
        Kind.WORK_REPORTED,
        request,
        staff or _intake_coordinators(),
        {
            "subject": subject_fields(request, consultant=one_line(reporter)),
            "event": event,
            "reporter": reporter,
            "request_url": request_page_url(request),
        },
    )


def _completed(event: RequestEvent, request: Request) -> list[Notification]:
    return notify(
        Kind.REQUEST_COMPLETED, request, _client(request), {"subject": subject_fields(request)}
    )


_EVENT_MESSAGES = {
    "route": _routed,
    "offer": _offer_made,
    "accept": _accepted,
    "decline": _needs_new_offer,
    "expire": _needs_new_offer,
    "refer_out": _referred_out,
    "report_done": _work_reported,
    "complete": _completed,
}


def cover_named(cover_id: int) -> list[int]:
    """Tell the member named to cover an engagement (``intake.cover``) whom they cover for,
    when, and how to reach the client."""
    cover = EngagementCover.objects.select_related(
        "covering__user", "time_away", "engagement__consultant"
    ).get(pk=cover_id)
    request = request_for_notice(cover.engagement.request_id)
    away = cover.engagement.consultant
    return store(
        notify(
            Kind.COVER_NAMED,
            request,
            consultant_recipient(cover.covering),
            {
                "subject": subject_fields(request, consultant=one_line(away.display_name)),
                "away_name": away.display_name,
                "away_email": away.user.email,
                "start": cover.time_away.start,
                "end": cover.time_away.end,
                "contact": request.contact,
                "organization": request.organization,
            },
        )
    )
