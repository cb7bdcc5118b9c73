"""The bid workspace and the bid emails in Spanish and French: the stages, the headings and the
email subjects are the catalogs' translations, not the English (``intake/bids/locale``).

The catalogs must be compiled: ``python manage.py compilemessages --ignore=.venv``."""

import pytest
from django.urls import reverse
from django.utils import translation

from intake.bids.notifications import SUBJECTS, StatementKind
from intake.models import Notification
from tests.bids.helpers import log, propose
from tests.bids.page_helpers import section

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_index")]

# What the workspace of a draft bid shows, as the reader's language says it.
WORKSPACE = {
    "en": {
        "stages": ["Team", "Agreement", "Signatures", "Submitted", "Won", "Work", "Settlement"],
        "headings": ["Where the bid stands", "Team", "Proposed teams"],
        "tabs": ["Team", "Agreement", "History"],
        "status": "Draft",
    },
    "es": {
        "stages": ["Equipo", "Acuerdo", "Firmas", "Presentada", "Ganada", "Trabajo", "Liquidación"],
        "headings": ["En qué punto está la propuesta", "Equipo", "Equipos propuestos"],
        "tabs": ["Equipo", "Acuerdo", "Historial"],
        "status": "Borrador",
    },
    "fr": {
        "stages": ["Équipe", "Accord", "Signatures", "Soumise", "Gagnée", "Travail", "Règlement"],
        "headings": ["Où en est la proposition", "Équipe", "Équipes proposées"],
        "tabs": ["Équipe", "Accord", "Historique"],
        "status": "Brouillon",
    },
}
# English a Spanish or French page must not show: words that differ in both languages ("Signatures"
# is French too).
ENGLISH_ONLY = [
    ">Team<",
    ">Agreement<",
    ">Submitted<",
    ">Won<",
    ">Work<",
    ">Settlement<",
    "Where the bid stands",
    "Proposed teams",
    ">History<",
    "Bid board",
    "Stage 1 of 7",
]


def stage_names(html: str) -> list[str]:
    """The stepper's stage names, in order (the text after the screen reader's "Stage n of 7")."""
    names = []
    for item in html.split('<span class="bid-stage-name">')[1:]:
        label = item.split("</span>", 1)[1]
        names.append(label.split("<span", 1)[0].strip())
    return names


@pytest.mark.parametrize("language", ["es", "fr"])
def test_the_workspace_shows_its_stages_and_headings_in_the_readers_language(
    signed_in, people, bid, language
):
    client = signed_in(people["lead"])

    html = client.get(section(bid, "team"), HTTP_ACCEPT_LANGUAGE=language).content.decode()

    expected = WORKSPACE[language]
    assert f'<html lang="{language}">' in html
    assert stage_names(html) == expected["stages"]
    for heading in expected["headings"]:
        assert f">{heading}</h" in html
    for tab in expected["tabs"]:
        assert f">{tab}</a>" in html
    assert f'id="bid-status">{expected["status"]}</span>' in html
    for english in ENGLISH_ONLY:
        assert english not in html, english


def test_the_workspace_in_english_is_as_it_was(signed_in, people, bid):
    html = signed_in(people["lead"]).get(section(bid, "team"), HTTP_ACCEPT_LANGUAGE="en")

    html = html.content.decode()
    expected = WORKSPACE["en"]
    assert stage_names(html) == expected["stages"]
    assert "Stage 1 of 7: " in html and ">Where the bid stands</h2>" in html
    assert ">Proposed teams</h3>" in html and 'id="bid-status">Draft</span>' in html


@pytest.mark.parametrize(
    ("language", "now", "heading", "payout"),
    [
        ("es", "Ahora:", "Acuerdo, versión", "Pago previsto"),
        ("fr", "Maintenant :", "Accord, version", "Versement prévu"),
    ],
)
def test_the_agreement_section_speaks_the_readers_language(
    signed_in, people, bid, language, now, heading, payout
):
    client = signed_in(people["team member"])

    html = client.get(section(bid, "agreement"), HTTP_ACCEPT_LANGUAGE=language).content.decode()

    assert now in html and heading in html and payout in html
    assert "Agreement, version" not in html and "Planned payout" not in html


def test_a_bid_email_subject_renders_in_spanish():
    fields = {"reference": "REQ-7", "member": "Ana"}

    with translation.override("es"):
        to_approve = str(SUBJECTS[StatementKind.TO_APPROVE] % fields)
        disputed = str(SUBJECTS[StatementKind.DISPUTED] % fields)
    with translation.override("en"):
        english = str(SUBJECTS[StatementKind.TO_APPROVE] % fields)

    assert to_approve == "Apruebe o impugne el estado de liquidación de REQ-7"
    assert disputed == "Ana impugnó el estado de liquidación de REQ-7"
    assert english == "Please approve or dispute the statement for REQ-7"


def test_a_member_who_reads_spanish_gets_the_statement_email_in_spanish(
    working, django_capture_on_commit_callbacks
):
    bid, lead, second, third = working
    second.user.language = "es"
    second.user.save(update_fields=["language"])
    log(bid, second, "5")

    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        propose(bid, lead)

    to_second = Notification.objects.get(
        kind=StatementKind.TO_APPROVE, recipient_email=second.user.email
    )
    to_third = Notification.objects.get(
        kind=StatementKind.TO_APPROVE, recipient_email=third.user.email
    )
    reference = bid.request.reference
    assert to_second.subject == f"Apruebe o impugne el estado de liquidación de {reference}"
    assert "El fondo común de USD" in to_second.body_text
    assert "se reparte entre las" in to_second.body_text
    assert to_third.subject == f"Please approve or dispute the statement for {reference}"
    assert "The pool of USD\u00a09,000.00 is split" in to_third.body_text


@pytest.mark.parametrize(
    ("language", "title"), [("es", "Tablón de propuestas"), ("fr", "Tableau des propositions")]
)
def test_the_bid_board_speaks_the_readers_language(signed_in, people, bid, language, title):
    response = signed_in(people["lead"]).get(reverse("bid-board"), HTTP_ACCEPT_LANGUAGE=language)

    html = response.content.decode()
    assert f"<h1>{title}</h1>" in html and "<h1>Bid board</h1>" not in html
