"""Shared pieces of the intake tests (and of the bid tests built on them): threads released at
once, organisations on file, a mail server that fails on demand, the workflow tests' cast, the
notifications a request's life sends, and requests as the page tests take them."""

import datetime
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

from tests.helpers import consultant

if TYPE_CHECKING:
    from intake.models import Request


# --- Intake: threads released at once, organisations on file ----------------------------------


def race(calls) -> tuple[list, list]:
    """Run each call in its own thread, all released at once; return (results, errors)."""

    from django.db import connections

    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def run(call):
        try:
            barrier.wait()
            results.append(call())
        except Exception as error:  # collected and asserted by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


# The organisation on file that a client's submission names (tests of submitted organisations).
KNOWN_ORGANISATION = "Eastside Food Pantry"
KNOWN_ORGANISATION_SITE = "https://eastside-pantry.example.org"


def organisation_rows() -> list[tuple]:
    """Every organisation's row, every column, in order (a submission must leave them as they
    were)."""
    from intake.models import Organization

    return list(Organization.objects.order_by("pk").values_list())


def request_posted(api, **fields):
    """The request ``POST /api/v1/requests/`` stored (it must answer 201) for a submission that
    names ``KNOWN_ORGANISATION``, with ``fields``."""
    from intake.models import Request

    body = {
        "organization_name": KNOWN_ORGANISATION,
        "contact_name": "Someone",
        "contact_email": "someone@mail.example.net",
        "title": "Help with our website",
        "description": "Please.",
        **fields,
    }
    response = api.post("/api/v1/requests/", body, format="json")
    assert response.status_code == 201, response.content
    return Request.objects.get(pk=response.json()["id"])


# --- Intake: a mail server that fails on demand -----------------------------------------------

MAIL_START = datetime.datetime(2026, 4, 14, 9, 0, tzinfo=datetime.UTC)
MINUTE = datetime.timedelta(minutes=1)


class MailOutage:
    """What the test's mail server does: raise ``error`` for the addresses in ``refusing`` (or
    for every address while ``down``), deliver the rest. The ``server`` fixture of tests/intake
    resets it."""

    down = False
    error: Exception = ConnectionRefusedError(111, "Connection refused")
    refusing: set = set()


class OutageMailBackend(LocmemBackend):
    """Django's in-memory backend, failing as ``MailOutage`` says (``EMAIL_BACKEND``)."""

    def send_messages(self, messages):
        for message in messages:
            if MailOutage.down or set(message.to) & MailOutage.refusing:
                raise MailOutage.error
        return super().send_messages(messages)


def notification_queued(address: str, **fields):
    """A queued notification to ``address``, due now unless ``fields`` say otherwise."""
    from django.utils import timezone

    from intake.models import Notification

    fields.setdefault("next_attempt_at", timezone.now())
    return Notification.objects.create(
        kind="overdue",
        recipient_email=address,
        subject="Overdue: REQ-2026-0001 not contacted yet",
        body_text="Please contact the client.",
        **fields,
    )


def notification_failed(row, attempts: int, clock) -> None:
    """Let ``row`` fail ``attempts`` times in a row, each time it is due (the outage), moving
    ``clock`` (a time-machine traveller) to each due time."""
    from django.utils import timezone

    from intake import tasks

    for _ in range(attempts):
        row.refresh_from_db()
        clock.move_to(max(row.next_attempt_at, timezone.now()))
        assert tasks.notification_send(row.pk) == "retry"


# --- Intake: the workflow tests' cast and the requests they move ------------------------------

from typing import TYPE_CHECKING  # noqa: E402

if TYPE_CHECKING:
    from intake.models import Request
    from network.models import Consultant, ConsultantGroup, ExternalProfessional


@dataclass
class WorkflowCast:
    """Who is who around a request in the workflow tests (the ``cast`` fixture of tests/intake):
    the group it is routed to and another, a member of that group, the member it is offered to
    and a second choice, a professional to refer it to, and the user of each role (``None`` for
    the timers)."""

    group: "ConsultantGroup"
    other_group: "ConsultantGroup"
    group_member: "Consultant"
    offered: "Consultant"
    second_choice: "Consultant"
    professional: "ExternalProfessional"
    users: dict

    def user(self, role: str):
        return self.users[role]


def workflow_fields(action: str, cast: WorkflowCast) -> dict:
    """Valid fields for each move."""
    return {
        "contact": {"note": "Called the director."},
        "triage": {"skills": ["CiviCRM", " Data cleanup "], "urgency": "high", "note": "Sized"},
        "route": {"group": cast.group.pk, "note": "Database work"},
        "offer": {"consultant": cast.offered.pk, "note": "Fits your skills"},
        "accept": {"note": "Happy to"},
        "decline": {"reason": "Fully booked until May."},
        "expire": {},
        "start_bidding": {"note": "Too big for one"},
        "refer_out": {"professionals": [cast.professional.pk], "message": "They can help."},
        "withdraw": {"note": "Client found help"},
        "mark_spam": {"note": "Advertising"},
        "report_done": {"note": "Delivered and handed over"},
        "complete": {"note": "Done"},
        "submit_bid": {"note": "Sent to the director"},
        "win_bid": {"note": "Signed by the client"},
        "lose_bid": {"note": "They chose another firm"},
        "settle_bid": {"note": "Settled"},
    }[action]


def workflow_request_in(
    status: str, cast: WorkflowCast, *, offered_to: "Consultant | None" = None, **extra
):
    """A request row in ``status`` with the related rows that status implies."""
    from django.utils import timezone

    from intake.models import Engagement, Offer, Request
    from tests.factories import OfferFactory, RequestFactory

    S = Request.Status
    # States in which the request is routed to a group (so the group's coordinator is involved).
    routed = {S.ROUTED, S.OFFERED, S.ENGAGED, S.COMPLETED, S.BIDDING, S.BID_SUBMITTED, S.LOST}
    if status in routed:
        extra.setdefault("assigned_group", cast.group)
    holder = offered_to or cast.offered
    if status == S.OFFERED:
        extra.setdefault("offered_consultant", holder)
    if status in (S.ENGAGED, S.COMPLETED):
        extra.setdefault("offered_consultant", holder)
        extra.setdefault("engaged_consultant", holder)
    request = RequestFactory(status=status, **extra)
    if status == S.OFFERED:
        OfferFactory(request=request, consultant=holder)
    if status in (S.ENGAGED, S.COMPLETED):
        OfferFactory(
            request=request,
            consultant=holder,
            expires_at=timezone.now(),
            status=Offer.Status.ACCEPTED,
        )
        Engagement.objects.create(request=request, consultant=holder)
    return request


def workflow_snapshot(request: "Request") -> tuple:
    """Everything a move may change; equal before and after a refused move."""
    from intake.models import Engagement, Offer, OutsideReferral, Request, RequestEvent

    row = Request.objects.get(pk=request.pk)
    return (
        row.status,
        row.version,
        row.assigned_group_id,
        row.offered_consultant_id,
        row.engaged_consultant_id,
        row.intake_coordinator_id,
        row.first_contact_at,
        row.closed_at,
        row.done_reported_at,
        row.skills,
        row.urgency,
        list(RequestEvent.objects.filter(request=request).values_list("pk", flat=True)),
        list(Offer.objects.filter(request=request).values_list("pk", "status")),
        list(Engagement.objects.filter(request=request).values_list("pk", "end")),
        OutsideReferral.objects.filter(request=request).count(),
    )


def workflow_apply(request: "Request", action: str, actor, *, version: int | None = -1, **fields):
    """request_apply with the row's current version unless told otherwise."""
    from intake.models import Request
    from intake.workflow import request_apply

    if version == -1:
        version = Request.objects.get(pk=request.pk).version
    return request_apply(
        request_id=request.pk, action=action, actor=actor, version=version, **fields
    )


# --- Intake: notifications, from a submission through the moves to the outbox -----------------

# A note the alliance writes on a move: it is for the alliance, never for the client.
INTERNAL_NOTE = "INTERNAL-NOTE: board chair is hard to reach"


def notified_submission(commit, **overrides) -> "tuple[Request, str]":
    """A request submitted with ``overrides``, its commit hooks run (``commit`` is pytest-django's
    ``django_capture_on_commit_callbacks``), so its messages go out; the request and the client's
    status address."""
    from intake.services import request_submit

    fields = {
        "organization_name": "Community Food Network",
        "organization_website": "https://food.example.org",
        "contact_name": "Client Contact",
        "contact_email": "contact@food.example.org",
        "title": "Donor database cleanup",
        "description": "Our donor database needs cleaning up before year-end appeals.",
        "skills": ["CiviCRM"],
    }
    fields.update(overrides)
    with commit(execute=True):
        submission = request_submit(**fields)
    return submission.request, submission.status_url


def notified_move(commit, request: "Request", action: str, actor, **fields):
    """``action`` on ``request`` at its current version, its commit hooks run (its messages go
    out); the event."""
    from intake.workflow import request_apply

    request.refresh_from_db()
    with commit(execute=True):
        return request_apply(
            request_id=request.pk, action=action, actor=actor, version=request.version, **fields
        )


def notified_to_routed(commit, request: "Request", desk: dict) -> None:
    """``request`` contacted, triaged and routed to ``desk``'s group (the ``desk`` fixture of
    tests/intake), each move with ``INTERNAL_NOTE``."""
    notified_move(commit, request, "contact", desk["intake"], note=INTERNAL_NOTE)
    notified_move(commit, request, "triage", desk["intake"], note=INTERNAL_NOTE)
    notified_move(
        commit, request, "route", desk["intake"], group=desk["group"].pk, note=INTERNAL_NOTE
    )


def notifications_sent_to(kind: str) -> list[str]:
    """The addresses the notifications of ``kind`` were sent to, in order."""
    from intake.models import Notification

    return sorted(
        Notification.objects.filter(kind=kind, status=Notification.Status.SENT).values_list(
            "recipient_email", flat=True
        )
    )


def outbox_for(address: str) -> list:
    """The messages in the test outbox addressed to ``address``."""
    from django.core import mail

    return [message for message in mail.outbox if address in message.to]


def html_of(message) -> str:
    """The HTML alternative of ``message``."""
    return next(body for body, mimetype in message.alternatives if mimetype == "text/html")


def everything_the_client_read(address: str) -> str:
    """Every subject, text and HTML body the outbox holds for ``address``, as one text."""
    texts = []
    for message in outbox_for(address):
        texts += [message.subject, message.body, html_of(message)]
    return "\n".join(texts)


# --- Intake: requests as the page tests take them ---------------------------------------------


def login_redirect(path: str) -> str:
    """Where a page sends an anonymous visitor of ``path``: the sign-in page, coming back."""
    from django.urls import reverse

    return f"{reverse('login')}?next={path}"


def request_submitted(**overrides):
    """A request for help submitted through the service, by Harbour Literacy Project unless
    ``overrides`` say otherwise; the submission (its request and status token)."""
    from intake.services import request_submit

    fields = {
        "organization_name": "Harbour Literacy Project",
        "contact_name": "Contact Person",
        "contact_email": "office@harbour.example.org",
        "title": "Donor database needs cleaning up",
        "description": "Duplicates everywhere in the donor records.",
        **overrides,
    }
    return request_submit(**fields)


def request_moved(request: "Request", action: str, actor, **fields):
    """``action`` on ``request`` by ``actor`` at its current version (read afresh); the event."""
    from intake.workflow import request_apply

    request.refresh_from_db()
    return request_apply(
        request_id=request.pk, action=action, actor=actor, version=request.version, **fields
    )


def routed_to_group(group_coordinator, intake_coordinator, **overrides):
    """A submitted request moved through contact and triage to the group coordinator's group."""
    from network.models import ConsultantGroup

    submission = request_submitted(**overrides)
    request = submission.request
    group = ConsultantGroup.objects.get(coordinator=consultant(group_coordinator))
    request_moved(request, "contact", intake_coordinator)
    request_moved(request, "triage", intake_coordinator)
    request_moved(request, "route", intake_coordinator, group=group.pk)
    request.refresh_from_db()
    return submission


# --- Intake: a team's proposal, as the client's status page shows it ---------------------------


def team_proposal_sent(request: "Request", *, lead, member, coordinator, price: str = "7777.00"):
    """``request`` (submitted) taken to bidding by ``coordinator`` (a user), and a two-member
    team bid led by ``lead`` with ``member`` (members), accepted, signed and sent to the client:
    the request is ``bid_submitted``. Returns the bid as stored."""
    from tests.helpers import team_bid_submitted

    for action in ("contact", "triage", "start_bidding"):
        request_moved(request, action, coordinator)
    return team_bid_submitted(request=request, lead=lead, member=member, price=price)
