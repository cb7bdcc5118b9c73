"""A client's status token is stored only as its hash: no row, export or admin page holds it,
before or after its confirmation is sent, and the idempotent replay still gives it back whole
to the client who holds the same Idempotency-Key."""

import datetime
import io
import json

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import cache
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.urls import reverse

from intake import tasks
from intake.models import IdempotencyRecord, Notification
from intake.notifications import Kind
from network.roles import Role
from network.services import user_grant_role
from tests.factories import UserFactory
from tests.reliability.test_erase_client_data import every_text_in_the_database

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 4, 14, 9, 0, tzinfo=datetime.UTC)
BODY = {
    "organization_name": "Riverside Tenants Union",
    "organization_website": "https://riverside-tenants.example.org",
    "contact_name": "Client Contact",
    "contact_email": "contact@riverside-tenants.example.org",
    "title": "Member database",
    "description": "Our member list lives in three spreadsheets.",
}


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()  # the submission limit counts in the cache
    yield
    cache.clear()


@pytest.fixture
def coordinator(db):
    user = UserFactory(email="intake@alliance.example.org")
    user_grant_role(user=user, role=Role.INTAKE_COORDINATOR)
    return user


def token_of(status_url: str) -> str:
    return status_url.rstrip("/").rsplit("/", 1)[-1]


def tables_holding(token: str) -> list[str]:
    """Every table with a value holding ``token``: every column of every row, as text, and the
    sessions' decoded contents (a session stores its data encoded, not encrypted)."""
    dump = every_text_in_the_database()
    found = sorted(table for table, text in dump.items() if token.casefold() in text)
    for session in Session.objects.all():
        if token in json.dumps(session.get_decoded(), default=str):
            found.append("django_session (decoded)")
    return found


def submit(api, captured, key="first-try"):
    with captured(execute=True):
        response = api.post(
            "/api/v1/requests/", BODY, format="json", headers={"Idempotency-Key": key}
        )
    assert response.status_code == 201, response.content
    return response


class DownBackend(LocmemBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")


def test_no_row_holds_the_token_after_a_submission_and_its_sends(
    api, coordinator, django_capture_on_commit_callbacks
):
    response = submit(api, django_capture_on_commit_callbacks)
    token = token_of(response.json()["status_url"])

    # Both messages went out; the client's carries the link, whole and working.
    assert Notification.objects.filter(status=Notification.Status.SENT).count() == 2
    [confirmation] = [message for message in mail.outbox if BODY["contact_email"] in message.to]
    assert f"/status/{token}/" in confirmation.body
    assert f"/status/{token}/" in confirmation.alternatives[0][0]
    assert api.get(f"/api/v1/requests/status/{token}/").status_code == 200

    assert tables_holding(token) == []
    # What stays is the hash the status page looks the token up by, and the placeholder.
    row = Notification.objects.get(kind=Kind.REQUEST_RECEIVED)
    assert "[[status-link]]" in row.body_text and "[[status-link]]" in row.body_html
    assert row.sealed_status_token == ""


def test_a_queued_confirmation_holds_its_token_sealed_and_forgets_it_in_the_send(
    api, coordinator, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.intake.test_status_token_storage.DownBackend"
    with time_machine.travel(START, tick=False) as clock:
        response = submit(api, django_capture_on_commit_callbacks)
        token = token_of(response.json()["status_url"])
        row = Notification.objects.get(kind=Kind.REQUEST_RECEIVED)
        assert row.status == Notification.Status.QUEUED and row.attempts == 1

        # Waiting for the mail server, the token is on file only sealed.
        assert tables_holding(token) == []
        assert row.sealed_status_token

        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        clock.shift(datetime.timedelta(minutes=2))
        with django_capture_on_commit_callbacks(execute=True):
            tasks.notifications_retry()

    row.refresh_from_db()
    assert row.status == Notification.Status.SENT and row.sealed_status_token == ""
    [confirmation] = [message for message in mail.outbox if BODY["contact_email"] in message.to]
    assert f"/status/{token}/" in confirmation.body
    assert tables_holding(token) == []


def test_a_replay_returns_the_first_answer_whole_and_the_record_holds_no_token(
    api, coordinator, django_capture_on_commit_callbacks
):
    first = submit(api, django_capture_on_commit_callbacks, key="retry-after-timeout")

    again = submit(api, django_capture_on_commit_callbacks, key="retry-after-timeout")

    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert again.json()["status_url"] == first.json()["status_url"]
    assert tables_holding(token_of(first.json()["status_url"])) == []
    # The key itself is not on file either: it is what opens the answer.
    assert tables_holding("retry-after-timeout") == []
    assert IdempotencyRecord.objects.get().request_id == first.json()["id"]


def test_an_export_holds_no_token_before_or_after_the_send(
    api, coordinator, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.intake.test_status_token_storage.DownBackend"
    with time_machine.travel(START, tick=False) as clock:
        token = token_of(submit(api, django_capture_on_commit_callbacks).json()["status_url"])
        queued = io.StringIO()
        call_command("export_data", stdout=queued)

        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        clock.shift(datetime.timedelta(minutes=2))
        with django_capture_on_commit_callbacks(execute=True):
            tasks.notifications_retry()
    sent = io.StringIO()
    call_command("export_data", stdout=sent)

    assert '"model": "intake.notification"' in queued.getvalue()
    assert token not in queued.getvalue() and token not in sent.getvalue()


def test_admin_pages_show_no_token(
    api, coordinator, admin, client, django_capture_on_commit_callbacks
):
    token = token_of(submit(api, django_capture_on_commit_callbacks).json()["status_url"])
    admin.refresh_from_db()
    client.force_login(admin)
    confirmation = Notification.objects.get(kind=Kind.REQUEST_RECEIVED)
    record = IdempotencyRecord.objects.get()
    pages = [
        reverse("admin:intake_notification_changelist"),
        reverse("admin:intake_notification_change", args=[confirmation.pk]),
        reverse("admin:intake_idempotencyrecord_changelist"),
        reverse("admin:intake_idempotencyrecord_change", args=[record.pk]),
        reverse("admin:intake_request_change", args=[confirmation.request_id]),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert token not in response.content.decode(), page


def test_the_admin_finds_an_idempotency_record_by_its_key(
    api, coordinator, admin, client, django_capture_on_commit_callbacks
):
    submit(api, django_capture_on_commit_callbacks, key="find-me")
    admin.refresh_from_db()
    client.force_login(admin)

    found = client.get(reverse("admin:intake_idempotencyrecord_changelist"), {"q": "find-me"})
    missed = client.get(reverse("admin:intake_idempotencyrecord_changelist"), {"q": "find-you"})

    assert found.context["cl"].result_count == 1 and missed.context["cl"].result_count == 0


def test_a_confirmation_given_up_forgets_its_token(
    api, coordinator, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.intake.test_status_token_storage.DownBackend"
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    with time_machine.travel(START, tick=False) as clock:
        token = token_of(submit(api, django_capture_on_commit_callbacks).json()["status_url"])
        clock.shift(datetime.timedelta(hours=1))
        tasks.notifications_retry()

    row = Notification.objects.get(kind=Kind.REQUEST_RECEIVED)
    assert row.status == Notification.Status.FAILED
    assert tables_holding(token) == []
    assert row.sealed_status_token == ""


FORM = {
    "organization_name": BODY["organization_name"],
    "contact_name": BODY["contact_name"],
    "contact_email": BODY["contact_email"],
    "title": BODY["title"],
    "description": BODY["description"],
    "urgency": "normal",
}


def test_the_form_hands_the_link_to_the_thanks_page_without_storing_it(
    client, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        posted = client.post("/request/", FORM)
    assert posted.status_code == 302
    # Before the thanks page is opened, as when a browser never follows the redirect.
    [confirmation] = [message for message in mail.outbox if BODY["contact_email"] in message.to]
    token = confirmation.body.split("/status/", 1)[1].split("/", 1)[0]
    assert tables_holding(token) == []

    thanks = client.get(posted["Location"])

    assert f"/status/{token}/" in thanks.content.decode()
    assert tables_holding(token) == []
    cookie = thanks.cookies["intake_submission"]
    assert cookie.value == "" and cookie["path"] == "/request/thanks/"
    # Shown once: the link is not there on a reload.
    assert f"/status/{token}/" not in client.get(posted["Location"]).content.decode()


def test_the_thanks_cookie_is_signed_short_lived_and_for_the_thanks_page_only(client, coordinator):
    posted = client.post("/request/", FORM)

    cookie = posted.cookies["intake_submission"]
    assert cookie["path"] == "/request/thanks/"
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert int(cookie["max-age"]) == 600
    # A cookie not signed by the server shows nothing.
    client.cookies["intake_submission"] = '{"reference": "REQ-1", "status_url": "https://evil"}'
    assert "https://evil" not in client.get("/request/thanks/").content.decode()
