"""A POST, PUT, PATCH or DELETE to an API address without its trailing slash is a JSON 404 that
names the address with the slash, with DEBUG off or on: never APPEND_SLASH's redirect, which
clients follow with a GET or without the body (and which Django refuses, with a 500, when DEBUG
is on). A GET, which a redirect loses nothing of, is still redirected, as on pages."""

import json

import pytest
from django.test import Client

from network.models import Skill

pytestmark = pytest.mark.django_db

METHODS = ["POST", "PUT", "PATCH", "DELETE"]


@pytest.fixture(params=[False, True], ids=["production", "debug"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


@pytest.fixture
def admin_client(admin) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(admin)
    return client


def skill_rows() -> list[tuple]:
    return list(Skill.objects.order_by("pk").values_list())


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    "address", ["/api/v1/skills", "/api/v1/consultants/1", "/api/v1/auth/token"]
)
def test_an_api_address_without_its_slash_is_a_json_404_naming_it(
    debug, admin_client, method, address
):
    before = skill_rows()

    response = admin_client.generic(
        method, address, json.dumps({"name": "Drupal"}), content_type="application/json"
    )

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert not response.has_header("Location")
    assert response.json() == {
        "detail": "No API operation at this address; API addresses end with a slash: "
        f"{address}/ (a {method} is not redirected: clients send it again as a GET, or "
        "without its body)."
    }
    assert skill_rows() == before


def test_the_answer_names_the_path_only_not_the_query(admin_client):
    response = admin_client.post("/api/v1/skills?search=web", {}, content_type="application/json")

    assert response.status_code == 404
    assert "/api/v1/skills/ " in response.json()["detail"]
    assert "search" not in response.json()["detail"]


def test_an_api_address_no_slash_can_mend_keeps_the_plain_404(admin_client):
    response = admin_client.post("/api/v1/nothing-here", {}, content_type="application/json")

    assert response.status_code == 404
    assert response.json() == {
        "detail": "No API operation at this address; the operations are listed at /api/docs/."
    }


@pytest.mark.parametrize(
    "address", ["/accounts/password-change", "/api/docs", "/api/v1/skills", "/api/v1/consultants/1"]
)
def test_a_get_without_the_slash_is_still_redirected_on_pages_and_the_api(
    debug, admin_client, address
):
    response = admin_client.get(f"{address}?page=1")

    assert response.status_code == 301
    assert response["Location"] == f"{address}/?page=1"


def test_a_page_still_redirects_a_post_without_its_slash(admin_client):
    # Pages keep Django's APPEND_SLASH as it is; their forms post to addresses with the slash.
    response = admin_client.post("/accounts/password-change", {})

    assert response.status_code == 301
    assert response["Location"] == "/accounts/password-change/"
