"""The handbook in the reader's language: the index, a page, the decisions register and a meeting
render their headings in Spanish and French when the browser asks for them (and not in English),
and the reminder emails are written in Spanish when Spanish is active, or in the language their
recipient chose."""

import datetime

import pytest
from django.core import mail
from django.utils import translation

from handbook import reminders, services
from handbook.models import Page

pytestmark = pytest.mark.django_db

# Per language: what a heading says, and the English it replaces.
INDEX = {
    "es": ["<h1>Manual</h1>", ">Nueva página</a>", ">Filtros</h2>"],
    "fr": ["<h1>Manuel</h1>", ">Nouvelle page</a>", ">Filtres</h2>"],
    "en": ["<h1>Handbook</h1>", ">New page</a>", ">Filters</h2>"],
}
PAGE = {
    "es": [">Páginas que enlazan aquí</h2>", ">Categoría</dt>", ">Historial</a>"],
    "fr": [">Pages qui renvoient ici</h2>", ">Catégorie</dt>", ">Historique</a>"],
    "en": [">Pages that link here</h2>", ">Category</dt>", ">History</a>"],
}
DECISIONS = {
    "es": [
        "<h1>Registro de decisiones</h1>",
        ">Resultado</label>",
        ">Cualquier resultado</option>",
    ],
    "fr": ["<h1>Registre des décisions</h1>", ">Résultat</label>", ">Tous les résultats</option>"],
    "en": ["<h1>Decisions register</h1>", ">Outcome</label>", ">Any outcome</option>"],
}
MEETING = {
    "es": [
        ">Orden del día</h2>",
        ">Decisiones</h2>",
        ">Tareas pendientes</h2>",
        ">Asistentes</h2>",
    ],
    "fr": [">Ordre du jour</h2>", ">Décisions</h2>", ">Actions à mener</h2>", ">Participants</h2>"],
    "en": [">Agenda</h2>", ">Decisions</h2>", ">Action items</h2>", ">Attendees</h2>"],
}


@pytest.fixture(autouse=True)
def _language_restored():
    """The language active before each test, active again after it: a request with
    ``Accept-Language`` leaves its language active in this thread (``LocaleMiddleware``)."""
    with translation.override(translation.get_language()):
        yield


def page_in(client, url: str, language: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def assert_in_language(content: str, headings: dict, language: str) -> None:
    for heading in headings[language]:
        assert heading in content
    for heading in headings["en"]:
        assert heading not in content


@pytest.mark.parametrize("language", ["es", "fr"])
def test_the_index_speaks_the_readers_language(signed_in, member, pages, language):
    content = page_in(signed_in(member), "/handbook/", language)

    assert_in_language(content, INDEX, language)
    # The pages' own titles are members' writing: never translated.
    assert "Outside referral policy" in content


@pytest.mark.parametrize("language", ["es", "fr"])
def test_a_page_speaks_the_readers_language(signed_in, member, pages, language):
    content = page_in(signed_in(member), pages["policy"].get_absolute_url(), language)

    assert_in_language(content, PAGE, language)
    assert "We refer out when nobody fits." in content


@pytest.mark.parametrize("language", ["es", "fr"])
def test_the_decisions_register_speaks_the_readers_language(signed_in, member, decision, language):
    content = page_in(signed_in(member), "/handbook/decisions/", language)

    assert_in_language(content, DECISIONS, language)
    assert "Adopt the outside-referral policy." in content
    assert {"es": "Dos tercios", "fr": "Deux tiers"}[language] in content


@pytest.mark.parametrize("language", ["es", "fr"])
def test_a_meeting_speaks_the_readers_language(signed_in, member, meeting, decision, language):
    content = page_in(signed_in(member), meeting.get_absolute_url(), language)

    assert_in_language(content, MEETING, language)
    assert "Spring general meeting" in content


def test_english_stays_the_default(signed_in, member, meeting):
    content = page_in(signed_in(member), meeting.get_absolute_url(), "en")

    for heading in MEETING["en"]:
        assert heading in content


def _due_policy(owner_user):
    return services.page_create(
        actor=owner_user,
        title="Outside referrals",
        body="The policy.",
        category=Page.Category.POLICY,
        last_reviewed=datetime.date(2025, 1, 10),
    )


def test_a_review_reminder_is_written_in_spanish_when_spanish_is_active(member):
    _due_policy(member)

    with translation.override("es"):
        assert reminders.review_reminders_send(datetime.date(2026, 1, 12)) == 1

    [message] = mail.outbox
    assert message.subject == "Revisión pendiente: Outside referrals"
    assert "Toca revisar la política" in message.body
    assert "is due for review" not in message.body


def test_a_reminder_follows_the_language_its_recipient_chose(member):
    member.language = "fr"
    member.save(update_fields=["language"])
    _due_policy(member)

    with translation.override("es"):
        reminders.review_reminders_send(datetime.date(2026, 1, 12))

    [message] = mail.outbox
    assert message.subject == "Relecture à faire : Outside referrals"
    [(html, _mimetype)] = message.alternatives
    assert '<html lang="fr">' in html


def test_an_action_item_reminder_is_written_in_spanish(member, meeting):
    services.action_item_create(
        actor=member,
        meeting_id=meeting.pk,
        text="Circulate the draft",
        owner=member.consultant,
        due=datetime.date(2026, 4, 3),
    )

    with translation.override("es"):
        assert reminders.action_item_reminders_send(datetime.date(2026, 4, 2)) == 1

    [message] = mail.outbox
    assert message.subject == "Tarea pendiente por vencer: Circulate the draft"
    assert "Abrir la reunión" in message.body


def test_the_api_answers_its_refusals_in_the_language_asked_for(api_as, member):
    response = api_as(member).post(
        "/api/v1/handbook/decisions/",
        {"text": "Adopt the policy.", "rule": "two_thirds", "quorum": 2},
        format="json",
        HTTP_ACCEPT_LANGUAGE="es",
    )

    assert response.status_code == 400
    [message] = response.json()["quorum"]
    assert message.startswith("Lo fijan las reglas de la alianza")
