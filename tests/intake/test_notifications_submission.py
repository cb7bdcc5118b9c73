"""The messages a submission sends (``intake.notifications``): the client's confirmation with
the status link, the alert to every intake coordinator with an address (greeted by name), a
possible duplicate named to them, the client's text escaped in HTML and the description cut at
2000 characters; and how they leave: committed with the submission (none if it rolls back, sent
by the sweep if its commit hooks never ran), in one task whose result is not kept, a backlog in
bounded batches.

Who hears about each later move: tests/intake/test_notifications.py. The ``desk`` and ``clock``
fixtures are in tests/intake/conftest.py; submitting and reading the outbox in tests/helpers.py.
"""

import datetime

import pytest
from django.core import mail
from django.db import transaction
from django_q import tasks as django_q_tasks

from intake import notifications, tasks
from intake.models import Notification
from intake.notifications import Kind
from intake.services import request_submit
from network.models import Consultant
from network.roles import Role
from network.services import user_grant_role
from tests.factories import UserFactory
from tests.intake.helpers import everything_the_client_read, html_of, outbox_for
from tests.intake.helpers import notifications_sent_to as sent_to
from tests.intake.helpers import notified_submission as submit

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
