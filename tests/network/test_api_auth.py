"""Signing in to the API: tokens from /api/v1/auth/token/, sessions, and who counts as a member.

Anonymous requests and requests with a bad token are answered 401 with the token's challenge
(``WWW-Authenticate: Token``): the project's first authentication class is the token's, so a
client can tell "sign in" (401) from "signed in, not allowed" (403).
"""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.test import RequestFactory
from rest_framework.test import APIClient

from network.authentication import api_token_issue, token_digest
from network.models import ApiToken, Consultant
from tests.factories import ConsultantFactory, UserFactory
from tests.helpers import api_schema_document, assert_matches_schema

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
CONSULTANTS = "/api/v1/consultants/"
PASSWORD = "correct horse battery"


@pytest.fixture
def member(member):
    # UserFactory sets this password after saving and skips the save that would store it.
    member.set_password(PASSWORD)
    member.save(update_fields=["password"])
    return member


@pytest.fixture(autouse=True)
def _fresh_throttle():
    # The token endpoint's throttle counts attempts in the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


def test_token_is_issued_for_the_right_password(member):
    issued = datetime.datetime(2030, 3, 4, 10, 0, tzinfo=datetime.UTC)
    with time_machine.travel(issued, tick=False):
        response = APIClient().post(TOKEN, {"username": member.username, "password": PASSWORD})

    assert response.status_code == 200
    key = response.json()["token"]
    # The key and when it stops working (30 days on, in the site's time zone); the database
    # keeps only the key's digest.
    assert response.json() == {"token": key, "expires_at": "2030-04-03T03:00:00-07:00"}
    assert ApiToken.objects.get(user=member).digest == token_digest(key)


def test_asking_again_issues_a_new_token_and_the_first_keeps_working(member):
    client = APIClient()
    first = client.post(TOKEN, {"username": member.username, "password": PASSWORD}, format="json")
    second = client.post(TOKEN, {"username": member.username, "password": PASSWORD})

    keys = [first.json()["token"], second.json()["token"]]
    assert keys[0] != keys[1]
    for key in keys:
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        assert client.get(CONSULTANTS).status_code == 200


def test_wrong_password_is_400_and_issues_no_token(member):
    response = APIClient().post(TOKEN, {"username": member.username, "password": "wrong"})

    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert not ApiToken.objects.exists()


def test_missing_fields_are_named():
    response = APIClient().post(TOKEN, {}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}


def test_inactive_account_gets_no_token():
    user = UserFactory(is_active=False)
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])

    response = APIClient().post(TOKEN, {"username": user.username, "password": PASSWORD})

    assert response.status_code == 400


def test_token_endpoint_slows_down_password_guessing(member):
    client = APIClient()
    for _ in range(10):
        client.post(TOKEN, {"username": member.username, "password": "guess"})

    response = client.post(TOKEN, {"username": member.username, "password": PASSWORD})

    assert response.status_code == 429


def test_token_authorization_header_signs_in(member):
    _, key = api_token_issue(user=member)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = client.get(CONSULTANTS)

    assert response.status_code == 200


def test_token_issued_by_the_endpoint_works(member):
    client = APIClient()
    key = client.post(TOKEN, {"username": member.username, "password": PASSWORD}).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    assert client.get(f"{CONSULTANTS}{member.consultant.pk}/").status_code == 200


def test_bad_token_is_refused(member):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = client.get(CONSULTANTS)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_anonymous_is_told_to_authenticate():
    response = APIClient().get(CONSULTANTS)

    # 401 with the token's challenge, so a client can tell "sign in" from "not allowed" (403).
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_session_sign_in_works(member):
    client = APIClient()
    # django-axes counts sign-ins per client address, so authenticate() needs the request.
    request = RequestFactory().post("/accounts/login/")
    assert client.login(request=request, username=member.username, password=PASSWORD)

    assert client.get(CONSULTANTS).status_code == 200


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (Consultant.Status.APPLICANT, 403),
        (Consultant.Status.FORMER, 403),
        (Consultant.Status.PROBATION, 200),
        (Consultant.Status.ON_LEAVE, 200),
        (Consultant.Status.ALUMNI, 200),
    ],
)
def test_only_members_read_the_directory(api_as, status, expected):
    user = ConsultantFactory(status=status).user

    assert api_as(user).get(CONSULTANTS).status_code == expected


def test_signed_in_user_without_a_member_record_or_role_is_refused(api_as):
    assert api_as(UserFactory()).get("/api/v1/skills/").status_code == 403


def test_schema_documents_token_sign_in():
    response = APIClient().get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    assert "/api/v1/auth/token/" in schema["paths"]
    assert schema["components"]["securitySchemes"]["tokenAuth"]["name"] == "Authorization"
    assert {"/api/v1/consultants/", "/api/v1/skills/", "/api/v1/groups/"} <= set(schema["paths"])


# --- A body in a format no parser reads (found by `make fuzz`) ---------------------------------


def test_every_operation_with_a_body_documents_its_415():
    operations = [
        (f"{method.upper()} {path}", operation["responses"])
        for path, item in api_schema_document()["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "requestBody" in operation
    ]

    assert len(operations) > 40
    assert [label for label, responses in operations if "415" not in responses] == []


@pytest.mark.parametrize("content_type", ["", "text/csv", "application/xml"])
def test_a_body_no_parser_reads_is_415_as_documented(intake_coordinator, content_type):
    client = APIClient()
    client.force_authenticate(intake_coordinator)
    response = client.generic(
        "POST", "/api/v1/skills/normalize/", "terms,python", content_type=content_type
    )

    assert response.status_code == 415
    assert "Unsupported media type" in response.json()["detail"]
    assert_matches_schema(response, "POST /api/v1/skills/normalize/")
