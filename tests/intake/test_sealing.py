"""Sealed secrets (intake.sealing): what opens them, what does not, and what the API and the
delivery do when nothing opens them any more (a SECRET_KEY rotated away)."""

import pytest
from django.core import mail
from django.core.cache import cache

from intake import delivery, idempotency, sealing
from intake.models import IdempotencyRecord, Notification
from intake.notifications import STATUS_LINK, Kind

pytestmark = pytest.mark.django_db

NEW_SECRET_KEY = "a-new-secret-key-" + "x" * 50
BODY = {
    "organization_name": "Riverside Tenants Union",
    "contact_name": "Client Contact",
    "contact_email": "contact@riverside-tenants.example.org",
    "title": "Member database",
    "description": "Our member list lives in three spreadsheets.",
}


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def submit(api, key="first-try"):
    return api.post("/api/v1/requests/", BODY, format="json", headers={"Idempotency-Key": key})


def test_only_the_same_purpose_and_context_open_a_sealed_text():
    sealed = sealing.seal("abc", purpose=sealing.IDEMPOTENT_ANSWER, context="key-1")

    assert "abc" not in sealed
    assert sealing.unseal(sealed, purpose=sealing.IDEMPOTENT_ANSWER, context="key-1") == "abc"
    assert sealing.unseal(sealed, purpose=sealing.IDEMPOTENT_ANSWER, context="key-2") is None
    assert sealing.unseal(sealed, purpose=sealing.STATUS_LINK_PURPOSE, context="key-1") is None
    assert (
        sealing.unseal(sealed[:-4] + "AAAA", purpose=sealing.IDEMPOTENT_ANSWER, context="key-1")
        is None
    )


def test_a_stored_answer_opens_with_its_key_only(api):
    first = submit(api, key="retry-after-timeout")
    record = IdempotencyRecord.objects.get()

    assert record.key_digest == idempotency.key_digest("retry-after-timeout")
    assert idempotency.record_answer(record, "retry-after-timeout") == first.json()
    assert idempotency.record_answer(record, "another-key") is None


def test_a_replay_after_a_secret_key_rotation_opens_with_the_old_key_as_fallback(api, settings):
    first = submit(api)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = NEW_SECRET_KEY

    again = submit(api)

    assert again.status_code == 201 and again.json() == first.json()


def test_an_answer_no_key_opens_is_a_409_that_files_nothing(api, settings):
    submit(api)
    settings.SECRET_KEY = NEW_SECRET_KEY  # and the old one not kept as a fallback
    before = IdempotencyRecord.objects.count(), Notification.objects.count()

    again = submit(api)

    assert again.status_code == 409
    assert "can no longer be read" in again.json()["detail"]
    assert (IdempotencyRecord.objects.count(), Notification.objects.count()) == before


def test_a_confirmation_whose_token_no_key_opens_is_sent_without_a_link(settings):
    """The message still tells the client their request arrived; the link is the site's."""
    row = Notification.objects.create(
        kind=Kind.REQUEST_RECEIVED,
        recipient_email="client@example.org",
        subject="We received your request",
        body_text=f"Follow it at {STATUS_LINK}",
        body_html=f'<a href="{STATUS_LINK}">{STATUS_LINK}</a>',
        sealed_status_token=sealing.seal("abc", purpose=sealing.STATUS_LINK_PURPOSE),
    )
    settings.SECRET_KEY = NEW_SECRET_KEY

    assert delivery.notification_deliver(row.pk) == "sent"

    [message] = mail.outbox
    assert STATUS_LINK not in message.body and "/status/" not in message.body
    assert f"Follow it at {settings.SITE_URL}/" in message.body
    row.refresh_from_db()
    assert row.sealed_status_token == ""


def test_a_client_who_types_the_placeholder_sees_only_their_own_link(settings):
    row = Notification.objects.create(
        kind=Kind.REQUEST_NEW,  # the coordinators' copy: no token, so nothing is put in
        recipient_email="intake@alliance.example.org",
        subject="New request",
        body_text=f"Title: {STATUS_LINK}",
    )

    assert delivery.notification_deliver(row.pk) == "sent"

    assert mail.outbox[0].body == f"Title: {STATUS_LINK}"
