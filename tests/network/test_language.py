"""Choosing a language: the browser's Accept-Language, the footer's switcher, a member's saved
choice, and the API, which follows Accept-Language alone."""

import csv
import io
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from network.models import User
from tests.bids.api_helpers import settled_bid
from tests.factories import ConsultantFactory


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "language"),
    [("es-MX,es;q=0.9,en;q=0.5", "es"), ("fr-CA", "fr"), ("de-DE,de", "en"), ("", "en")],
)
def test_the_browser_language_chooses_the_page_language(client, header, language):
    response = client.get(reverse("request-help"), HTTP_ACCEPT_LANGUAGE=header)

    assert html_lang(response) == language
    assert response["Content-Language"] == language


@pytest.mark.django_db
def test_the_footer_offers_each_language_in_its_own_name(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    switcher = page.split('class="language-switcher"', 1)[1].split("</form>", 1)[0]

    assert 'action="/language/"' in switcher and 'method="post"' in switcher
    assert re.findall(
        r'<option value="(\w+)" lang="\w+"( selected)?>([^<]+)</option>', switcher
    ) == [
        ("en", "", "English"),
        ("es", "", "Español"),
        ("fr", " selected", "Français"),
    ]


@pytest.mark.django_db
def test_a_visitor_who_switches_keeps_the_language_by_cookie(client):
    response = client.post(reverse("set_language"), {"language": "es", "next": "/join/"})

    assert response.status_code == 302
    assert response["Location"] == "/join/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    # The cookie outranks the browser's own preference from then on.
    assert html_lang(client.get("/join/", HTTP_ACCEPT_LANGUAGE="fr")) == "es"


@pytest.mark.django_db
def test_the_switcher_refuses_to_send_a_visitor_elsewhere(client):
    response = client.post(
        reverse("set_language"), {"language": "es", "next": "https://elsewhere.example/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_a_member_who_switches_has_it_saved_on_their_account(signed_in, member):
    signed_in(member).post(reverse("set_language"), {"language": "fr", "next": "/desk/"})

    assert User.objects.get(pk=member.pk).language == "fr"


@pytest.mark.django_db
def test_a_saved_language_follows_the_member_to_a_new_browser(client, member):
    member.language = "es"
    member.save(update_fields=["language"])
    client.force_login(member)

    desk = client.get(reverse("desk"), HTTP_ACCEPT_LANGUAGE="en-US,en")

    assert html_lang(desk) == "es"


@pytest.mark.django_db
def test_an_unknown_language_changes_nothing(signed_in, member):
    response = signed_in(member).post(reverse("set_language"), {"language": "xx", "next": "/"})

    assert response.status_code == 302
    assert User.objects.get(pk=member.pk).language == ""
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


@pytest.mark.django_db
def test_the_switcher_takes_only_a_post(client):
    assert client.get(reverse("set_language"), {"language": "es"}).status_code == 405


@pytest.mark.django_db
def test_the_api_follows_accept_language_not_the_saved_choice(api_as, member):
    member.language = "fr"
    member.save(update_fields=["language"])
    api = api_as(member)

    english = api.get("/api/v1/consultants/999999/", HTTP_ACCEPT_LANGUAGE="en")
    spanish = api.get("/api/v1/consultants/999999/", HTTP_ACCEPT_LANGUAGE="es")

    assert (english["Content-Language"], spanish["Content-Language"]) == ("en", "es")
    assert list(spanish.json()) == ["detail"]  # the keys stay English
    with translation.override("es"):
        assert spanish.json()["detail"] == translation.gettext(english.json()["detail"])
    assert spanish.json()["detail"] != english.json()["detail"]


@pytest.mark.django_db
def test_an_api_validation_error_speaks_the_asked_language_with_english_field_names(
    api_as, intake_coordinator
):
    response = api_as(intake_coordinator).post(
        "/api/v1/external-professionals/", {"name": ""}, format="json", HTTP_ACCEPT_LANGUAGE="fr"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["name"]
    assert response.json()["name"] == ["Ce champ ne peut être vide."]


@pytest.mark.django_db
def test_the_statement_csv_stays_machine_readable_in_french(api_as, intake_coordinator):
    lead, second = ConsultantFactory(hourly_rate="1234.50"), ConsultantFactory()
    bid = settled_bid(lead, second, coordinator=intake_coordinator)
    address = f"/api/v1/bids/{bid.pk}/statement/csv/"

    english = api_as(lead.user).get(address, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    french = api_as(lead.user).get(address, HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert french == english
    rows = list(csv.reader(io.StringIO(french)))
    assert rows[0][:3] == ["Member", "Role", "Standard rate"]
    assert rows[1][2] == "1234.50"  # a plain number: no separators, a decimal point
