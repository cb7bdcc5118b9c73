"""Every page of the access matrix, rendered in Spanish and in French, shows no English string
of the interface (tests/translated.py says how that is found).

Each page is opened by the first actor the matrix lets in, in the order below (the roles that
see the most first), as a visitor who chose the language in the footer's switcher. The bid
workspace's sections and a form answered with errors are added, as they are pages the matrix
opens only once.
"""

import pytest
from django.core.cache import cache
from django.utils import translation

from tests.access.matrix import ACTORS, R, Row, request_as
from tests.access.rows import bids, handbook, intake, network
from tests.translated import english_left, texts_of

LANGUAGES = ("es", "fr")
PREFERRED = (
    "intake_coordinator",
    "group_coordinator",
    "consultant",
    "secretary",
    "community_coordinator",
    "admin",
    "client",
    "anonymous",
)
ALL = (200,) * len(ACTORS)
# Routes that answer a file to save, not a page to read.
DOWNLOADS = {"handbook/export/", "rota.ics"}
EXTRA = [
    R("bids/<pk>/", "get", f"/bids/{{bid}}/?section={section}", ALL, what=section)
    for section in ("team", "agreement", "signatures", "work", "settlement", "history")
]


def reader(row: Row) -> str | None:
    allowed = {actor for actor, code in zip(ACTORS, row.codes, strict=True) if code == 200}
    return next((actor for actor in PREFERRED if actor in allowed), None)


PAGES = [
    pytest.param(row, reader(row), id=f"{row.path}{' ' + row.what if row.what else ''}")
    for rows in (network.ROWS, intake.ROWS, bids.ROWS, handbook.ROWS, EXTRA)
    for row in rows
    if row.method == "get"
    and not row.path.startswith("/api/")
    and row.pattern not in DOWNLOADS
    and reader(row)
]


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("row", "actor"), PAGES)
def test_a_page_in_spanish_or_french_shows_no_english(world, row, actor, language):
    cache.clear()

    response = request_as(world, actor, row, language=language)

    assert response.status_code == 200, response.content[:300]
    assert response["Content-Language"] == language
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert english_left(html, language) == []


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_public_form_answers_its_errors_in_the_chosen_language(world, language):
    cache.clear()
    row = R("request/", "post", "/request/", ALL, body={"title": ""})

    response = request_as(world, "anonymous", row, language=language)

    assert response.status_code == 400
    html = response.content.decode()
    assert english_left(html, language) == []
    with translation.override(language):
        required = translation.gettext("This field is required.")
    assert 'class="error-message"' in html
    assert required in html and required != "This field is required."


def test_the_check_sees_english_it_knows():
    """The finder itself: an English string of the catalogs is found, its translation is not,
    and text marked as another language is left alone."""
    page = (
        '<html lang="es"><body><h1>Request help</h1><p>Solicitar ayuda</p>'
        '<option lang="en">Request help</option><script>var s = "Request help";</script>'
        "</body></html>"
    )

    assert texts_of(page, "es") == ["Request help", "Solicitar ayuda"]
    assert english_left(page, "es") == ["Request help"]
