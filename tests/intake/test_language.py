"""The client's language, end to end: the public form and the API record the language the client
used (``Request.language``); every message to the client is written in it, and every message to
a member in the member's own language (else the site's); the client's status page is shown in
it unless the visitor chose another with the footer's switcher; the coordinators see it on the
request's page, in the queue and in the API.

The fixtures (languages and a fresh cache, ``desk``) are in tests/intake/conftest.py,
``signed_in`` in tests/conftest.py.
"""

import re

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation
from rest_framework.test import APIClient

from intake import notifications
from intake.models import Request
from intake.notifications import Kind, Recipient
from tests.helpers import REQUEST_FORM
from tests.intake.helpers import html_of, notified_submission, outbox_for, request_posted
from tests.intake.helpers import notified_move as move
from tests.intake.helpers import notified_to_routed as to_routed
from tests.intake.helpers import request_submitted as submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_languages_and_cache")]


def html_lang(response) -> str:
    return re.search(rb'<html lang="([^"]*)"', response.content).group(1).decode()


@pytest.fixture
def composed_in(monkeypatch):
    """The language each message body was rendered in: {(kind, address): language}."""
    seen = {}
    original = notifications._compose_in_language

    def recording(kind, request, recipient, context):
        seen[(kind, recipient.email)] = translation.get_language()
        return original(kind, request, recipient, context)

    monkeypatch.setattr(notifications, "_compose_in_language", recording)
    return seen


# --- Recording the client's language ----------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "language"),
    [
        ({}, "en"),
        ({"HTTP_ACCEPT_LANGUAGE": "es-MX,es;q=0.9"}, "es"),
        ({"HTTP_ACCEPT_LANGUAGE": "fr-CA"}, "fr"),
        ({"HTTP_ACCEPT_LANGUAGE": "de"}, "en"),
    ],
)
def test_the_form_records_the_language_it_was_shown_in(client, headers, language):
    response = client.post(reverse("request-help"), REQUEST_FORM, **headers)
    assert response.status_code == 302
    assert Request.objects.get().language == language


def test_the_form_records_the_language_chosen_with_the_switcher(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    client.post(reverse("request-help"), REQUEST_FORM, HTTP_ACCEPT_LANGUAGE="es")
    assert Request.objects.get().language == "fr"


def test_the_api_records_the_language_the_caller_asked_for():
    assert request_posted(APIClient()).language == "en"
    stored = request_posted(APIClient(HTTP_ACCEPT_LANGUAGE="es-ES"), title="Ayuda con la web")
    assert stored.language == "es"


def test_the_service_takes_an_explicit_language_or_the_active_one():
    assert submit(language="fr-FR").request.language == "fr"
    with translation.override("es"):
        assert submit(contact_email="other@harbour.example.org").request.language == "es"


# --- Messages ---------------------------------------------------------------------------------


def test_a_recipient_speaks_the_members_language_else_the_sites(member, settings):
    assert Recipient("a@example.org").language == settings.LANGUAGE_CODE
    member.language = "fr"
    assert Recipient(member.email, member).language == "fr"
    member.language = ""
    assert Recipient(member.email, member).language == settings.LANGUAGE_CODE
    assert Recipient("a@example.org", language="es").language == "es"


def test_the_client_reads_their_language_and_members_their_own(
    desk, composed_in, django_capture_on_commit_callbacks
):
    commit = django_capture_on_commit_callbacks
    desk["intake"].language = "fr"
    desk["intake"].save(update_fields=["language"])
    with translation.override("en"):
        request, _ = notified_submission(commit, language="es")
    client = request.contact.email
    assert composed_in[(Kind.REQUEST_RECEIVED, client)] == "es"
    assert composed_in[(Kind.REQUEST_NEW, desk["intake"].email)] == "fr"

    to_routed(commit, request, desk)
    assert composed_in[(Kind.REQUEST_ROUTED, desk["group_coordinator"].email)] == "en"
    move(commit, request, "offer", desk["group_coordinator"], consultant=desk["first"].pk)
    # The move is made on a page in Spanish; each reader still gets their own language.
    with translation.override("es"):
        move(commit, request, "accept", desk["first"].user)
        assert translation.get_language() == "es"  # composing leaves the caller's language
    assert composed_in[(Kind.CONSULTANT_ASSIGNED, client)] == "es"
    assert composed_in[(Kind.OFFER_ACCEPTED, desk["intake"].email)] == "fr"


def test_subjects_are_written_in_the_recipients_language(member):
    request = submit(language="es").request
    recipient = Recipient(member.email, member)
    fields = {"subject": notifications.subject_fields(request)}
    english = notifications._compose(Kind.REQUEST_RECEIVED, request, recipient, fields)
    assert english.subject == f"We received your request {request.reference}"
    with translation.override("es"):
        assert str(notifications.SUBJECTS[Kind.OVERDUE]) == translation.gettext(
            "Overdue: %(reference)s not contacted yet"
        )


# --- The status page --------------------------------------------------------------------------


def test_the_status_page_is_shown_in_the_clients_language(client):
    submission = submit(language="es")
    response = client.get(
        reverse("request-status", args=[submission.status_token]), HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 200
    assert html_lang(response) == "es"
    assert response["Content-Language"] == "es"


def test_the_status_page_follows_the_visitors_own_choice(client, settings):
    submission = submit(language="es")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.get(reverse("request-status", args=[submission.status_token]))
    assert html_lang(response) == "fr"
    assert response["Content-Language"] == "fr"


def test_an_unknown_language_in_the_cookie_is_no_choice(client, settings):
    submission = submit(language="fr")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    response = client.get(reverse("request-status", args=[submission.status_token]))
    assert html_lang(response) == "fr"


# --- What the coordinators see ----------------------------------------------------------------


def test_the_coordinator_sees_the_clients_language(signed_in, intake_coordinator):
    stored = submit(language="es").request
    page = signed_in(intake_coordinator)
    detail = page.get(reverse("intake-request", args=[stored.pk])).content.decode()
    assert "<dt>Client's language</dt><dd>Spanish</dd>" in detail
    queue = page.get(reverse("intake-queue")).content.decode()
    assert "<dt>Client's language</dt><dd>Spanish</dd>" in queue


def test_the_api_shows_the_clients_language(intake_coordinator):
    stored = submit(language="fr").request
    api = APIClient()
    api.force_authenticate(intake_coordinator)
    rows = api.get("/api/v1/requests/").json()["results"]
    assert [row["language"] for row in rows] == ["fr"]
    detail = api.get(f"/api/v1/requests/{stored.pk}/", HTTP_ACCEPT_LANGUAGE="es").json()
    assert detail["language"] == "fr"


# --- What each reader reads (the compiled catalogs: ``make messages``) -------------------------


def in_language(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


def test_the_client_and_the_coordinators_read_their_own_words(
    desk, django_capture_on_commit_callbacks
):
    request, _ = notified_submission(django_capture_on_commit_callbacks, language="fr")
    received = "We received your request %(reference)s"
    french = in_language("fr", received)
    assert french != received  # the catalog is translated
    (confirmation,) = outbox_for(request.contact.email)
    assert confirmation.subject == french % {"reference": request.reference}
    assert in_language("fr", "Follow your request") in html_of(confirmation)
    assert '<html lang="fr">' in html_of(confirmation)
    (alert,) = outbox_for(desk["intake"].email)
    assert alert.subject.startswith(f"New request {request.reference}: ")
    assert "A new request is in the queue." in alert.body


def test_the_status_page_speaks_the_clients_language(client):
    submission = submit(language="es")
    page = client.get(reverse("request-status", args=[submission.status_token])).content
    heading = in_language("es", "Where your request is")
    assert heading != "Where your request is"
    assert heading.encode() in page
    assert in_language("es", "Received").encode() in page  # the stage, from client_view


@pytest.mark.parametrize("language", ["es", "fr"])
def test_dates_on_the_status_page_and_in_the_receipt_follow_the_clients_language(
    client, django_capture_on_commit_callbacks, language
):
    request, status_url = notified_submission(django_capture_on_commit_callbacks, language=language)
    path = re.sub(r"^https?://[^/]+", "", status_url)
    page = client.get(path).content.decode()
    (receipt,) = outbox_for(request.contact.email)

    with translation.override(language):
        received_on = formats.date_format(timezone.localtime(request.submitted_at), "j M Y")
        due_weekday = formats.date_format(timezone.localtime(request.response_due_at), "l")
    with translation.override("en"):
        english_weekday = formats.date_format(timezone.localtime(request.response_due_at), "l")
    assert received_on in page  # the history's date, with the month in the client's words
    assert due_weekday in receipt.body and due_weekday != english_weekday
