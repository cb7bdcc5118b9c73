"""Switchboard in Spanish and French, in Chromium: a nonprofit whose browser asks for Spanish (or
French) sends the public form, refused once then accepted, in that language; its emails and its
status page keep the language, even opened later in an English browser; an intake coordinator
switches to French in the footer and walks the queue to a request and a first move. Every page
is checked by the journey harness (axe-core with the page's ``lang``, no sideways scroll, no
server error) and for English left on it (tests/translated.py)."""

import re

import pytest
from django.core import mail
from django.utils import translation
from playwright.sync_api import expect

from intake.models import Request
from intake.notifications import SUBJECTS, Kind, subject_fields
from network.models import User
from tests.e2e.journey import SIZES, Journey
from tests.e2e.journeys_setup import intake_desk, request_submitted
from tests.translated import english_left

pytestmark = pytest.mark.e2e

BROWSER_LOCALES = {"es": "es-ES", "fr": "fr-FR"}
EMAIL = "oficina@alfabetizacion.example.org"
TITLE = "Nuestra base de donantes necesita limpieza"


def t(language: str, english: str) -> str:
    with translation.override(language):
        return translation.gettext(english)


def in_language(journey: Journey, language: str) -> None:
    """The page says it is in ``language``, shows no English interface string, and passes the
    harness's checks (axe-core reads the page's lang)."""
    page = journey.page
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert english_left(page.content(), language) == [], page.url
    journey.check()


@pytest.mark.parametrize("language", ["es", "fr"])
def test_a_nonprofit_asks_for_help_in_its_own_language(
    new_page, transactional_db, live_server, settings, language
):
    settings.SITE_URL = live_server.url
    intake_desk()
    client = Journey(new_page(locale=BROWSER_LOCALES[language]), "desktop")
    page = client.page

    client.visit("/", check=False)
    in_language(client, language)
    page.get_by_role("main").get_by_role("link", name=t(language, "Request help")).first.click()
    in_language(client, language)

    # Refused for the missing email address, in the reader's language.
    page.get_by_label(t(language, "Organisation name")).fill("Proyecto de Alfabetización")
    page.get_by_label(t(language, "Your name")).fill("Oficina")
    page.get_by_label(t(language, "What do you need help with?")).fill(TITLE)
    page.get_by_label(t(language, "Tell us more")).fill("Duplicados por todas partes.")
    send = page.get_by_role("button", name=t(language, "Send request"))
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        send.click()
    assert posted.value.status == 400
    email_field = page.get_by_label(t(language, "Your email address"))
    expect(email_field).to_have_attribute("aria-invalid", "true")
    in_language(client, language)
    assert not Request.objects.exists()

    email_field.fill(EMAIL)
    page.get_by_role("button", name=t(language, "Send request")).click()
    client.heading(t(language, "Thank you: your request has arrived"))
    in_language(client, language)
    request = Request.objects.get()
    assert request.language == language

    # The confirmation email is in the client's language, subject and both bodies.
    (received,) = [message for message in mail.outbox if message.to == [EMAIL]]
    with translation.override(language):
        subject = str(SUBJECTS[Kind.REQUEST_RECEIVED]) % subject_fields(request)
    assert received.subject == subject
    assert received.subject != str(SUBJECTS[Kind.REQUEST_RECEIVED]) % subject_fields(request)
    html = received.alternatives[0][0]
    assert f'<html lang="{language}">' in html
    assert english_left(html, language) == []
    assert t(language, "Follow your request at any time at this private link:") in received.body

    # The status page, opened from the email in an English browser, keeps the client's language.
    link = re.search(r"https?://\S+/status/\S+/", received.body).group(0)
    reader = Journey(new_page(viewport=SIZES["phone"], locale="en-US"), "phone")
    reader.visit(re.sub(r"^https?://[^/]+", "", link), check=False)
    reader.heading(TITLE)
    in_language(reader, language)


def test_an_intake_coordinator_walks_the_queue_in_french(new_page, transactional_db, live_server):
    desk = intake_desk()
    submission = request_submitted("Site web à refaire", organization="Maison des Jeunes")
    Request.objects.filter(pk=submission.request.pk).update(language="fr")
    coordinator = Journey(new_page(locale="en-US"), "desktop")
    coordinator.sign_in(desk["intake"])
    page = coordinator.page

    # The footer's switcher, in English until it is used; the choice is kept on the account.
    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    in_language(coordinator, "fr")
    assert User.objects.get(pk=desk["intake"].pk).language == "fr"

    coordinator.visit("/coordination/queue/", check=False)
    coordinator.heading(t("fr", "Request queue"))
    in_language(coordinator, "fr")
    page.get_by_role("link", name="Site web à refaire").first.click()
    coordinator.heading("Site web à refaire")
    in_language(coordinator, "fr")
    expect(page.get_by_role("main")).to_contain_text("Français")

    coordinator.submit(
        t("fr", "Record first contact"), {t("fr", "Note"): "Appel passé, tout est clair."}
    )
    coordinator.done(re.compile("."))
    in_language(coordinator, "fr")
    assert Request.objects.get(pk=submission.request.pk).status == Request.Status.CONTACTED
