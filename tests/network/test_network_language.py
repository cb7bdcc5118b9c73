"""The network in the reader's language: the home page, sign-in, the desk and the member directory
render their navigation and headings in Spanish and French when the browser asks for them (and
not in English); the API's error messages follow ``Accept-Language`` while their keys stay
English; a member's language chosen on their profile is used on every page and in their mail;
the answer given while the database is away follows ``Accept-Language`` too."""

import json

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from network import api_errors
from network.middleware import database_unavailable_response
from network.models import Skill
from network.passwords import password_reset_email_send
from network.services import skill_create
from network.tasks import application_known_email_notify
from tests.factories import ConsultantSkillFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_languages")]

# Per language: what the page says, and (under "en") the English it replaces.
HOME = {
    "es": [
        ">Ayuda tecnológica para organizaciones sin fines de lucro, de la mano de consultores",
        ">Solicitar ayuda</a>",
        ">Cómo funciona</h2>",
        ">Iniciar sesión</a>",
        ">Acceso para miembros</a>",
    ],
    "fr": [
        ">De l’aide informatique pour les associations, par des consultants indépendants",
        ">Comment ça marche</h2>",
        ">Se connecter</a>",
        ">Connexion des membres</a>",
    ],
    "en": [
        ">Technology help for nonprofits, from independent consultants who know the sector<",
        ">Request help</a>",
        ">How it works</h2>",
        ">Sign in</a>",
        ">Member sign-in</a>",
    ],
}
SIGN_IN = {
    "es": ["<h1>Iniciar sesión</h1>", ">¿Olvidó su contraseña?</a>", ">Iniciar sesión</button>"],
    "fr": ["<h1>Se connecter</h1>", ">Mot de passe oublié ?</a>", ">Se connecter</button>"],
    "en": ["<h1>Sign in</h1>", ">Forgot your password?</a>", ">Sign in</button>"],
}
DESK = {
    "es": [
        "<h1>Su escritorio</h1>",
        ">Escritorio",
        ">Mi perfil</a>",
        ">Cuenta</summary>",
        ">Cerrar sesión</button>",
    ],
    "fr": [
        "<h1>Votre bureau</h1>",
        ">Bureau",
        ">Mon profil</a>",
        ">Compte</summary>",
        ">Se déconnecter</button>",
    ],
    "en": [
        "<h1>Your desk</h1>",
        ">Desk",
        ">My profile</a>",
        ">Account</summary>",
        ">Sign out</button>",
    ],
}
DIRECTORY = {
    "es": [
        "<h1>Directorio de miembros</h1>",
        ">Filtros</h2>",
        ">Aplicar filtros</button>",
        ">Directorio</a>",
        ">Habilidades principales</h4>",
    ],
    "fr": [
        "<h1>Annuaire des membres</h1>",
        ">Filtres</h2>",
        ">Appliquer les filtres</button>",
        ">Annuaire</a>",
        ">Compétences principales</h4>",
    ],
    "en": [
        "<h1>Member directory</h1>",
        ">Filters</h2>",
        ">Apply filters</button>",
        ">Directory</a>",
        ">Top skills</h4>",
    ],
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
    assert response["Content-Language"] == language
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    return html


def assert_in_language(html: str, expected: dict[str, list[str]], language: str) -> None:
    for text in expected[language]:
        assert text in html, text
    if language != "en":
        for english in expected["en"]:
            assert english not in html, english


@pytest.mark.parametrize("language", ["es", "fr", "en"])
def test_the_home_page_in_the_browsers_language(client, language):
    assert_in_language(page_in(client, "/", language), HOME, language)


@pytest.mark.parametrize("language", ["es", "fr", "en"])
def test_the_sign_in_page_in_the_browsers_language(client, language):
    assert_in_language(page_in(client, reverse("login"), language), SIGN_IN, language)


@pytest.mark.parametrize("language", ["es", "fr", "en"])
def test_the_desk_in_the_browsers_language(signed_in, member, language):
    assert_in_language(page_in(signed_in(member), reverse("desk"), language), DESK, language)


@pytest.mark.parametrize("language", ["es", "fr", "en"])
def test_the_member_directory_in_the_browsers_language(signed_in, member, language):
    ConsultantSkillFactory(consultant=member.consultant)
    html = page_in(signed_in(member), reverse("member-list"), language)
    assert_in_language(html, DIRECTORY, language)


def test_a_status_and_a_skill_level_read_in_spanish(signed_in, member, other_member):
    ConsultantSkillFactory(consultant=other_member.consultant, level=5)
    html = page_in(signed_in(member), other_member.consultant.get_absolute_url(), "es")
    assert ">Activo</span>" in html
    assert ">5 · experto</span>" in html
    assert ">Active</span>" not in html


# --- The API's errors -----------------------------------------------------------------------


def test_an_api_404_is_in_spanish_with_english_keys(client):
    response = client.get("/api/v1/no-such-operation/", HTTP_ACCEPT_LANGUAGE="es")

    assert response.status_code == 404
    assert response.json() == {
        "detail": "No hay ninguna operación de la API en esta dirección; las operaciones se "
        "enumeran en /api/docs/."
    }


def test_an_api_404_is_in_french_and_unchanged_in_english(client):
    french = client.get("/api/v1/no-such-operation/", HTTP_ACCEPT_LANGUAGE="fr")
    english = client.get("/api/v1/no-such-operation/", HTTP_ACCEPT_LANGUAGE="en")

    assert french.json() == {
        "detail": "Aucune opération de l'API à cette adresse ; les opérations sont listées sur "
        "/api/docs/."
    }
    assert english.json() == {"detail": str(api_errors.NOT_FOUND)}
    assert english.json()["detail"].startswith("No API operation at this address")


def test_a_refused_api_write_is_in_spanish_with_english_keys(api_as, member):
    response = api_as(member).post(
        "/api/v1/skills/", {"name": "CiviCRM"}, format="json", HTTP_ACCEPT_LANGUAGE="es"
    )

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Solo los coordinadores pueden cambiar la lista de habilidades."
    }
    assert not Skill.objects.exists()


def test_a_conflict_is_in_spanish_with_english_keys(api_as, intake_coordinator, member):
    skill = skill_create(name="FileMaker")
    ConsultantSkillFactory(consultant=member.consultant, skill=skill)

    response = api_as(intake_coordinator).delete(
        f"/api/v1/skills/{skill.pk}/", HTTP_ACCEPT_LANGUAGE="es"
    )

    assert response.status_code == 409
    assert list(response.json()) == ["detail"]
    assert response.json()["detail"].startswith("1 perfil(es) de miembro incluyen FileMaker;")


def test_a_missing_slash_is_explained_in_spanish(api_as, intake_coordinator):
    response = api_as(intake_coordinator).post(
        "/api/v1/skills", {"name": "CiviCRM"}, format="json", HTTP_ACCEPT_LANGUAGE="es"
    )

    assert response.status_code == 404
    assert list(response.json()) == ["detail"]
    assert "terminan con una barra: /api/v1/skills/" in response.json()["detail"]


# --- A member's own language ----------------------------------------------------------------

PROFILE = {
    "profile-display_name": "Renamed Member",
    "profile-bio": "",
    "profile-website": "",
    "profile-location": "",
    "profile-timezone": "America/Los_Angeles",
    "profile-languages": ["en"],
    "profile-hourly_rate": "90",
    "profile-currency": "USD",
    "profile-pro_bono_hours_per_month": "0",
    "profile-capacity_hours_per_week": "20",
}


def test_the_profile_offers_the_language_translated(signed_in, member):
    html = page_in(signed_in(member), reverse("my-profile"), "es")

    assert '>Idioma de las páginas y los correos <span class="optional">(opcional)</span>' in html
    assert ">Según mi navegador</option>" in html
    assert ">Francés</option>" in html


def test_a_language_chosen_on_the_profile_is_kept_on_the_account(signed_in, member):
    client = signed_in(member)

    response = client.post(
        reverse("my-profile"), {**PROFILE, "profile-language": "fr"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.language == "fr"
    # Every page follows it, whatever the browser asks for; the confirmation too.
    html = client.get(reverse("my-profile"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Votre profil est enregistré." in html
    assert '<option value="fr" selected>Français</option>' in html
    assert "<h1>Votre bureau</h1>" in client.get(reverse("desk")).content.decode()


def test_an_empty_choice_follows_the_browser_again(signed_in, member):
    member.language = "fr"
    member.save(update_fields=["language"])
    client = signed_in(member)

    client.post(reverse("my-profile"), {**PROFILE, "profile-language": ""})

    member.refresh_from_db()
    assert member.language == ""
    html = client.get(reverse("desk"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "<h1>Su escritorio</h1>" in html


def test_the_reset_email_is_in_the_accounts_language(member):
    member.language = "es"
    member.save(update_fields=["language"])

    password_reset_email_send(member.email)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Restablezca su contraseña de Switchboard"
    assert "Para elegir una contraseña nueva, abra este enlace:" in mail.outbox[0].body


def test_the_known_applicant_notice_is_in_the_accounts_language(member):
    member.language = "fr"
    member.save(update_fields=["language"])

    application_known_email_notify(member.email.upper())

    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Votre candidature pour rejoindre l'alliance"
    assert mail.outbox[0].body.startswith("Bonjour,\n\nQuelqu'un a demandé à rejoindre")


# --- The database away ----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/desk/", "/api/v1/skills/"])
def test_the_unavailable_answer_follows_accept_language(rf, path):
    response = database_unavailable_response(rf.get(path, HTTP_ACCEPT_LANGUAGE="es"))

    assert response.status_code == 503
    body = response.content.decode()
    if path.startswith("/api/"):
        assert json.loads(body) == {
            "detail": "El servicio no está disponible por un momento; vuelva a intentarlo en breve."
        }
    else:
        assert '<html lang="es">' in body
        assert "<h1>Volvemos enseguida</h1>" in body
        assert "Vuelva a intentarlo en un momento (unos 30 segundos)." in body
