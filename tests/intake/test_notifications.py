"""Notifications: who hears about each move, what the client may read, and delivery that
survives a failing mail server without sending anything twice."""

import datetime
import re
import smtplib
import threading
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection, connections, transaction
from django.utils import timezone
from django_q import tasks as django_q_tasks

from intake import delivery, notifications, tasks
from intake.models import Notification, Request
from intake.notifications import Kind
from intake.services import request_submit
from intake.workflow import request_apply
from network.models import Consultant, ConsultantGroup
from network.roles import Role
from network.services import user_grant_role
from tests.factories import ConsultantFactory, ExternalProfessionalFactory, UserFactory

INTERNAL_NOTE = "INTERNAL-NOTE: board chair is hard to reach"
START = datetime.datetime(2026, 4, 14, 9, 0, tzinfo=datetime.UTC)  # a Tuesday


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
    settings.EMAIL_BACKEND = "tests.intake.test_notifications.FlakyBackend"
    FlakyBackend.failures_left = 0
    yield FlakyBackend
    FlakyBackend.failures_left = 0


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def desk(db, intake_coordinator, group_coordinator):
    """An intake coordinator, a group with its coordinator and two members, and a submitted
    request; the submission's messages are cleared."""
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


def submit(commit, **overrides) -> tuple[Request, str]:
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


def move(commit, request: Request, action: str, actor, **fields):
    request.refresh_from_db()
    with commit(execute=True):
        return request_apply(
            request_id=request.pk, action=action, actor=actor, version=request.version, **fields
        )


def to_routed(commit, request, desk):
    move(commit, request, "contact", desk["intake"], note=INTERNAL_NOTE)
    move(commit, request, "triage", desk["intake"], note=INTERNAL_NOTE)
    move(commit, request, "route", desk["intake"], group=desk["group"].pk, note=INTERNAL_NOTE)


def to_offered(commit, request, desk, consultant=None):
    to_routed(commit, request, desk)
    consultant = consultant or desk["first"]
    move(
        commit,
        request,
        "offer",
        desk["group_coordinator"],
        consultant=consultant.pk,
        note=INTERNAL_NOTE,
    )


def sent_to(kind: str) -> list[str]:
    return sorted(
        Notification.objects.filter(kind=kind, status=Notification.Status.SENT).values_list(
            "recipient_email", flat=True
        )
    )


def outbox_for(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]


def html_of(message) -> str:
    return next(body for body, mimetype in message.alternatives if mimetype == "text/html")


def shows_rate(text: str, rate: Decimal) -> bool:
    """Whether ``text`` shows ``rate`` as an amount: with its decimals ("137.45", "137,45", or
    rounded, "137.5") or after a currency sign ("$137"). The whole number alone is not looked
    for: generated names and addresses hold any number ("Consultant 137",
    user1371@members.test)."""
    whole = int(rate)
    return re.search(rf"(?<!\d){whole}[.,]\d|\$\s?{whole}(?!\d)", text) is not None


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Rate: $137.45/hour", True),
        ("137,45 an hour", True),
        ("about 137.5", True),
        ("$137", True),
        ("Consultant 137", False),
        ("user1371@members.test", False),
        ("REQ-2026-0137", False),
        ("/status/a-137_b/", False),
    ],
)
def test_a_rate_is_found_as_an_amount_not_as_digits_of_a_name(text, shown):
    assert shows_rate(text, Decimal("137.45")) is shown


def everything_the_client_read(address: str) -> str:
    texts = []
    for message in outbox_for(address):
        texts += [message.subject, message.body, html_of(message)]
    return "\n".join(texts)


# --- Submission ---------------------------------------------------------------------------


def test_submission_confirms_to_client_with_status_link(desk, django_capture_on_commit_callbacks):
    request, status_url = submit(django_capture_on_commit_callbacks)

    [message] = outbox_for("contact@food.example.org")
    assert request.reference in message.subject
    assert status_url in message.body
    assert status_url in html_of(message)
    assert sent_to(Kind.REQUEST_RECEIVED) == ["contact@food.example.org"]
    row = Notification.objects.get(kind=Kind.REQUEST_RECEIVED)
    assert row.request == request and row.recipient_user is None and row.sent_at is not None


def test_a_submissions_messages_commit_with_it_and_go_out_if_its_hooks_never_ran(
    desk, clock, django_capture_on_commit_callbacks
):
    # The process stops right after the commit: its commit hooks (the enqueue) never run.
    with django_capture_on_commit_callbacks(execute=False):
        submission = request_submit(
            organization_name="Community Food Network",
            contact_name="Client Contact",
            contact_email="contact@food.example.org",
            title="Donor database cleanup",
            description="Our donor database needs cleaning up.",
        )

    # Both messages are on file with the request, the status token sealed in the client's: it
    # is in no row in plain text (the request keeps only the token's hash).
    rows = Notification.objects.filter(request=submission.request).order_by("kind")
    assert [(row.kind, row.status) for row in rows] == [
        (Kind.REQUEST_NEW, Notification.Status.QUEUED),
        (Kind.REQUEST_RECEIVED, Notification.Status.QUEUED),
    ]
    assert submission.status_url not in rows[1].body_text and rows[1].sealed_status_token
    assert mail.outbox == []

    clock.shift(datetime.timedelta(minutes=2))
    tasks.notifications_retry()  # the sweep

    [confirmation] = outbox_for("contact@food.example.org")
    assert submission.status_url in confirmation.body
    [alert] = outbox_for(desk["intake"].email)
    assert submission.request.reference in alert.subject
    assert sent_to(Kind.REQUEST_RECEIVED) == ["contact@food.example.org"]


def test_a_rolled_back_submission_leaves_no_message(desk):
    with pytest.raises(RuntimeError), transaction.atomic():
        request_submit(
            organization_name="Community Food Network",
            contact_name="Client Contact",
            contact_email="contact@food.example.org",
            title="Donor database cleanup",
            description="Our donor database needs cleaning up.",
        )
        raise RuntimeError("the caller failed after the submission")

    assert not Notification.objects.exists() and mail.outbox == []


def test_submission_alerts_every_intake_coordinator_with_an_email(
    desk, django_capture_on_commit_callbacks
):
    second = UserFactory()
    user_grant_role(user=second, role=Role.INTAKE_COORDINATOR)
    no_address = UserFactory(email="")
    user_grant_role(user=no_address, role=Role.INTAKE_COORDINATOR)

    request, status_url = submit(django_capture_on_commit_callbacks)

    assert sent_to(Kind.REQUEST_NEW) == sorted([desk["intake"].email, second.email])
    message = outbox_for(desk["intake"].email)[0]
    assert f"/coordination/requests/{request.pk}/" in message.body
    assert request.title in message.body and "Community Food Network" in message.body
    # The client's private link is for the client only.
    assert status_url not in message.body and status_url not in html_of(message)
    row = Notification.objects.get(kind=Kind.REQUEST_NEW, recipient_email=second.email)
    assert row.recipient_user == second


def test_possible_duplicate_is_named_to_the_coordinators(desk, django_capture_on_commit_callbacks):
    first, _ = submit(django_capture_on_commit_callbacks, title="Donor database is broken")
    mail.outbox.clear()

    second, _ = submit(django_capture_on_commit_callbacks, title="Our donor database is broken")

    second.refresh_from_db()
    assert second.possible_duplicate_of == first
    [message] = outbox_for(desk["intake"].email)
    assert f"Possible duplicate of {first.reference}" in message.body
    assert first.reference in html_of(message)
    assert first.reference not in everything_the_client_read("contact@food.example.org")


def test_markup_typed_by_a_client_is_escaped_in_html_and_kept_in_text(
    desk, django_capture_on_commit_callbacks
):
    submit(django_capture_on_commit_callbacks, title="<script>alert(1)</script> & help")

    message = outbox_for(desk["intake"].email)[0]
    assert "<script>" not in html_of(message)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; help" in html_of(message)
    assert "<script>alert(1)</script> & help" in message.body


@pytest.mark.parametrize("length", [1999, 2000, 2001, 5000])
def test_the_coordinators_read_the_description_up_to_2000_characters(
    desk, django_capture_on_commit_callbacks, length
):
    description = ("Pay <b>& keep</b> " * 300)[:length]
    submit(django_capture_on_commit_callbacks, description=description)

    message = outbox_for(desk["intake"].email)[0]
    if length <= 2000:
        assert description in message.body  # whole, unchanged
    else:
        kept = description[:1999]
        assert kept + "…" in message.body and description[:2000] not in message.body
    html = html_of(message)
    assert "<b>" not in html and "Pay &lt;b&gt;&amp; keep&lt;/b&gt;" in html


def test_a_submissions_messages_go_out_in_one_task_whose_result_is_not_kept(
    desk, monkeypatch, django_capture_on_commit_callbacks
):
    enqueued = []
    with monkeypatch.context() as patch:
        patch.setattr(
            django_q_tasks, "async_task", lambda *args, **kwargs: enqueued.append((args, kwargs))
        )
        _, status_url = submit(django_capture_on_commit_callbacks)

    [(args, options)] = enqueued
    ids = sorted(Notification.objects.values_list("pk", flat=True))
    assert args == (notifications.SEND_BATCH_TASK, ids)
    # Only ids travel: the client's private link stays in the row, out of the broker.
    assert status_url.rstrip("/").rsplit("/", 1)[-1] not in repr(enqueued)
    assert options["save"] is False  # the row records the outcome
    assert tasks.notifications_send(ids) == ["sent", "sent"]
    assert tasks.notifications_send(ids) == ["skipped", "skipped"]  # a redelivered batch
    assert len(mail.outbox) == 2


def test_the_sweep_hands_a_backlog_over_in_bounded_batches(db, monkeypatch):
    enqueued = []
    monkeypatch.setattr(django_q_tasks, "async_task", lambda *args, **kwargs: enqueued.append(args))

    notifications.notifications_enqueue(list(range(1, 24)))

    assert [args[1] for args in enqueued] == [
        list(range(1, 11)),
        list(range(11, 21)),
        list(range(21, 24)),
    ]


def test_coordinators_are_greeted_by_their_member_name_else_their_account_name(
    desk, django_capture_on_commit_callbacks
):
    staff = UserFactory(first_name="Robin", last_name="Staff")
    user_grant_role(user=staff, role=Role.INTAKE_COORDINATOR)

    submit(django_capture_on_commit_callbacks)

    member = Consultant.objects.get(user=desk["intake"])
    assert f"Hello {member.display_name}," in outbox_for(desk["intake"].email)[0].body
    assert "Hello Robin Staff," in outbox_for(staff.email)[0].body


# --- Workflow moves -----------------------------------------------------------------------


def test_contact_and_triage_notify_nobody(desk, django_capture_on_commit_callbacks):
    request, _ = submit(django_capture_on_commit_callbacks)
    before = Notification.objects.count()

    move(django_capture_on_commit_callbacks, request, "contact", desk["intake"])
    move(django_capture_on_commit_callbacks, request, "triage", desk["intake"])

    assert Notification.objects.count() == before


def test_route_to_a_group_tells_its_coordinator(desk, django_capture_on_commit_callbacks):
    request, _ = submit(django_capture_on_commit_callbacks)

    to_routed(django_capture_on_commit_callbacks, request, desk)

    assert sent_to(Kind.REQUEST_ROUTED) == [desk["group_coordinator"].email]
    [message] = outbox_for(desk["group_coordinator"].email)
    assert desk["group"].name in message.subject
    assert f"/coordination/requests/{request.pk}/" in message.body
    assert INTERNAL_NOTE in message.body  # notes are for the alliance, not the client


def test_route_to_a_group_without_coordinator_tells_the_intake_coordinators(
    desk, django_capture_on_commit_callbacks
):
    leaderless = ConsultantGroup.objects.create(name="Data group", slug="data-group")
    request, _ = submit(django_capture_on_commit_callbacks)
    move(django_capture_on_commit_callbacks, request, "contact", desk["intake"])
    move(django_capture_on_commit_callbacks, request, "triage", desk["intake"])

    move(django_capture_on_commit_callbacks, request, "route", desk["intake"], group=leaderless.pk)

    assert sent_to(Kind.REQUEST_ROUTED) == [desk["intake"].email]
    assert "no coordinator" in Notification.objects.get(kind=Kind.REQUEST_ROUTED).body_text


def test_offer_tells_the_offered_member_the_deadline_and_where_to_answer(
    desk, clock, django_capture_on_commit_callbacks
):
    request, _ = submit(django_capture_on_commit_callbacks)

    to_offered(django_capture_on_commit_callbacks, request, desk)

    member = desk["first"]
    assert sent_to(Kind.OFFER_MADE) == [member.user.email]
    [message] = outbox_for(member.user.email)
    assert "/my/offers/" in message.body and "/my/offers/" in html_of(message)
    # Offered at 09:00 UTC on Tuesday 14 April; 48 h later in the member's own time zone.
    assert member.timezone == "America/Los_Angeles"
    assert "Thursday 16 April 2026, 02:00 PDT" in message.body
    assert Notification.objects.get(kind=Kind.OFFER_MADE).recipient_user == member.user


def test_route_straight_to_a_consultant_is_an_offer_to_them(
    desk, django_capture_on_commit_callbacks
):
    request, _ = submit(django_capture_on_commit_callbacks)
    move(django_capture_on_commit_callbacks, request, "contact", desk["intake"])
    move(django_capture_on_commit_callbacks, request, "triage", desk["intake"])

    move(
        django_capture_on_commit_callbacks,
        request,
        "route",
        desk["intake"],
        consultant=desk["second"].pk,
    )

    assert sent_to(Kind.OFFER_MADE) == [desk["second"].user.email]
    assert sent_to(Kind.REQUEST_ROUTED) == []


def test_accept_tells_coordinators_and_gives_the_client_the_consultant(
    desk, django_capture_on_commit_callbacks
):
    request, status_url = submit(django_capture_on_commit_callbacks)
    to_offered(django_capture_on_commit_callbacks, request, desk)
    member = desk["first"]

    move(django_capture_on_commit_callbacks, request, "accept", member.user, note=INTERNAL_NOTE)

    assert sent_to(Kind.OFFER_ACCEPTED) == sorted(
        [desk["group_coordinator"].email, desk["intake"].email]
    )
    assert sent_to(Kind.CONSULTANT_ASSIGNED) == ["contact@food.example.org"]
    message = outbox_for("contact@food.example.org")[-1]
    assert member.display_name in message.body and member.user.email in message.body
    assert member.display_name in html_of(message) and member.user.email in html_of(message)


def test_the_client_never_reads_notes_other_candidates_or_rates(
    desk, django_capture_on_commit_callbacks
):
    request, _ = submit(django_capture_on_commit_callbacks)
    to_offered(django_capture_on_commit_callbacks, request, desk, consultant=desk["first"])
    move(
        django_capture_on_commit_callbacks,
        request,
        "decline",
        desk["first"].user,
        reason=INTERNAL_NOTE,
    )
    move(
        django_capture_on_commit_callbacks,
        request,
        "offer",
        desk["group_coordinator"],
        consultant=desk["second"].pk,
        note=INTERNAL_NOTE,
    )
    move(
        django_capture_on_commit_callbacks,
        request,
        "accept",
        desk["second"].user,
        note=INTERNAL_NOTE,
    )
    move(
        django_capture_on_commit_callbacks, request, "complete", desk["intake"], note=INTERNAL_NOTE
    )

    client_kinds = set(
        Notification.objects.filter(recipient_email="contact@food.example.org").values_list(
            "kind", flat=True
        )
    )
    assert client_kinds == {Kind.REQUEST_RECEIVED, Kind.CONSULTANT_ASSIGNED, Kind.REQUEST_COMPLETED}
    read = everything_the_client_read("contact@food.example.org")
    assert desk["second"].display_name in read
    assert "INTERNAL-NOTE" not in read
    assert desk["first"].display_name not in read  # the member who declined
    assert not shows_rate(read, desk["first"].hourly_rate)
    assert not shows_rate(read, desk["second"].hourly_rate)
    assert desk["group"].name not in read


def test_decline_asks_the_group_coordinator_for_a_new_offer(
    desk, django_capture_on_commit_callbacks
):
    request, _ = submit(django_capture_on_commit_callbacks)
    to_offered(django_capture_on_commit_callbacks, request, desk)

    move(
        django_capture_on_commit_callbacks,
        request,
        "decline",
        desk["first"].user,
        reason="Fully booked until June.",
    )

    assert sent_to(Kind.OFFER_DECLINED) == [desk["group_coordinator"].email]
    row = Notification.objects.get(kind=Kind.OFFER_DECLINED)
    assert "needs a new offer" in row.subject
    assert "Fully booked until June." in row.body_text
    assert desk["first"].display_name in row.body_text


def test_decline_without_a_group_goes_to_the_intake_coordinators(
    desk, django_capture_on_commit_callbacks
):
    request, _ = submit(django_capture_on_commit_callbacks)
    move(django_capture_on_commit_callbacks, request, "contact", desk["intake"])
    move(django_capture_on_commit_callbacks, request, "triage", desk["intake"])
    move(
        django_capture_on_commit_callbacks,
        request,
        "route",
        desk["intake"],
        consultant=desk["second"].pk,
    )

    move(
        django_capture_on_commit_callbacks,
        request,
        "decline",
        desk["second"].user,
        reason="Not my field.",
    )

    assert sent_to(Kind.OFFER_DECLINED) == [desk["intake"].email]


def test_refer_out_sends_the_client_the_professionals_and_the_message(
    desk, django_capture_on_commit_callbacks
):
    pro = ExternalProfessionalFactory(
        phone="+1 415 555 0100", notes="INTERNAL-NOTE: charges a lot", website="https://pro.test"
    )
    other = ExternalProfessionalFactory()
    request, _ = submit(django_capture_on_commit_callbacks)
    move(django_capture_on_commit_callbacks, request, "contact", desk["intake"])

    move(
        django_capture_on_commit_callbacks,
        request,
        "refer_out",
        desk["intake"],
        professionals=[pro.pk, other.pk],
        message="None of our members works with this database; these two do.",
    )

    assert sent_to(Kind.REFERRED_OUT) == ["contact@food.example.org"]
    message = outbox_for("contact@food.example.org")[-1]
    for text in (message.body, html_of(message)):
        assert "None of our members works with this database; these two do." in text
        assert pro.name in text and pro.email in text and "+1 415 555 0100" in text
        assert other.name in text and other.email in text
    assert "INTERNAL-NOTE" not in everything_the_client_read("contact@food.example.org")
    assert Notification.objects.filter(recipient_email=desk["intake"].email).count() == 1


def test_complete_thanks_the_client(desk, django_capture_on_commit_callbacks):
    request, _ = submit(django_capture_on_commit_callbacks)
    to_offered(django_capture_on_commit_callbacks, request, desk)
    move(django_capture_on_commit_callbacks, request, "accept", desk["first"].user)

    move(django_capture_on_commit_callbacks, request, "complete", desk["intake"])

    assert sent_to(Kind.REQUEST_COMPLETED) == ["contact@food.example.org"]
    assert "thank you" in outbox_for("contact@food.example.org")[-1].body.lower()


@pytest.mark.parametrize("action", ["withdraw", "mark_spam"])
def test_withdraw_and_spam_notify_nobody(desk, django_capture_on_commit_callbacks, action):
    request, _ = submit(django_capture_on_commit_callbacks)
    before = Notification.objects.count()

    move(django_capture_on_commit_callbacks, request, action, desk["intake"])

    assert Notification.objects.count() == before


def test_one_person_in_two_roles_gets_one_message(desk, django_capture_on_commit_callbacks):
    user_grant_role(user=desk["group_coordinator"], role=Role.INTAKE_COORDINATOR)
    request, _ = submit(django_capture_on_commit_callbacks)
    move(django_capture_on_commit_callbacks, request, "contact", desk["group_coordinator"])
    move(django_capture_on_commit_callbacks, request, "triage", desk["intake"])
    move(
        django_capture_on_commit_callbacks, request, "route", desk["intake"], group=desk["group"].pk
    )
    move(
        django_capture_on_commit_callbacks,
        request,
        "offer",
        desk["group_coordinator"],
        consultant=desk["first"].pk,
    )

    move(django_capture_on_commit_callbacks, request, "accept", desk["first"].user)

    # Group coordinator and the request's intake coordinator are the same person here.
    assert sent_to(Kind.OFFER_ACCEPTED) == [desk["group_coordinator"].email]


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
    settings.EMAIL_BACKEND = "tests.intake.test_notifications.DyingBackend"

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
