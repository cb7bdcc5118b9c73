"""Every API error is JSON: a body the API cannot read (nested too deeply, too large, too many
fields), an address no route matches, a method a route does not take, a server error, a refused
host or CSRF token. Pages keep their HTML pages for the same errors.

The body tests walk every API route (tests/helpers.py ``url_routes``) with each method that takes
a body, as the admin, with real rows of the seeded demo in the path, so the view gets as far as
reading the body."""

import json
import re
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from handbook import proposals
from handbook.models import Decision, Page
from intake.bids.models import BidMember
from intake.models import Engagement, Request
from matching.adapter import forget_index
from network.api_skills import SkillViewSet
from network.authentication import api_token_issue
from network.models import (
    Consultant,
    ConsultantGroup,
    ConsultantSkill,
    ExternalProfessional,
    Skill,
    User,
)
from tests.helpers import api_schema_document, url_routes

pytestmark = pytest.mark.django_db

BODY_METHODS = ("POST", "PUT", "PATCH")
DEEP = "[" * 1000
# The API's answers, as a client reads them.
MAX_JSON_DEPTH = 32
TOO_DEEP = "JSON parse error - nested more than 32 levels deep."
NOT_FOUND = "No API operation at this address; the operations are listed at /api/docs/."
SERVER_ERROR = "Something went wrong on the server; the error is logged. Try again later."
HANDBOOK = "/api/v1/handbook/"


def nested(depth: int) -> str:
    """A JSON object whose ``terms`` is a list nested so that the whole body is ``depth``
    levels deep."""
    return '{"terms": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"


def is_json(response) -> bool:
    return response["Content-Type"].startswith("application/json")


# --- The world: the seeded demo, and a real row for every path parameter ------------------------


def _records(token: str, owner: int) -> tuple[int, int, int]:
    """A meeting with an action item, and an open decision (the demo has none), made through
    the API as the admin: their ids. A decision the API will not open with this body (its
    fields are the handbook's to change) is number 1, no row: the same 404 with any body."""
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")

    def post(path, body):
        return client.post(HANDBOOK + path, body, content_type="application/json")

    meeting = post("meetings/", {"title": "Monthly", "date": "2030-01-10"})
    assert meeting.status_code == 201, meeting.content
    meeting_id = meeting.json()["id"]
    item = post(
        f"meetings/{meeting_id}/action-items/",
        {"text": "Write it up", "owner": owner, "due": "2030-02-01"},
    )
    assert item.status_code == 201, item.content
    decision = post("decisions/", {"text": "Adopt it", "rule": Decision.Rule.SIMPLE_MAJORITY})
    decision_id = decision.json()["id"] if decision.status_code == 201 else 1
    return meeting_id, item.json()["id"], decision_id


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo alliance, seeded once for the module inside a transaction rolled back after it;
    returns the admin's API token and the path parameters of real rows."""
    with django_db_blocker.unblock(), transaction.atomic():
        quiet = StringIO()
        call_command("load_skills", stdout=quiet)
        call_command("seed_demo", stdout=quiet)
        call_command("seed_demo_requests", stdout=quiet)
        consultant = Consultant.objects.filter(
            time_away__isnull=False, skills__isnull=False
        ).first()
        seat = BidMember.objects.order_by("bid_id", "pk").first()
        admin = User.objects.get(username="admin")
        _, token = api_token_issue(user=admin)
        meeting, item, decision = _records(token, seat.consultant_id)
        policy = Page.objects.filter(category=Page.Category.POLICY).order_by("pk").first()
        proposal = proposals.proposal_create(
            actor=admin,
            page_id=policy.pk,
            base_revision=policy.latest_revision_id,
            body=policy.body + "\nA proposed line.\n",
        )
        rows = {
            "bids": {"pk": seat.bid_id, "consultant_id": seat.consultant_id},
            "bid-board": {"pk": seat.bid_id},
            "requests": {"pk": Request.objects.order_by("pk").first().pk},
            "pages": {"slug": Page.objects.order_by("pk").first().slug},
            "meetings": {"pk": meeting, "item_id": item},
            "decisions": {"pk": decision},
            "proposals": {"pk": proposal.pk},
            "consultants": {
                "pk": consultant.pk,
                "consultant_pk": consultant.pk,
                "skill_slug": ConsultantSkill.objects.filter(consultant=consultant)
                .first()
                .skill.slug,
            },
            "time-away": {"pk": consultant.time_away.first().pk},
            "skills": {"pk": Skill.objects.order_by("pk").first().pk},
            "groups": {"pk": ConsultantGroup.objects.order_by("pk").first().pk},
            "external-professionals": {
                "pk": ExternalProfessional.objects.order_by("pk").first().pk
            },
            # The demo has engagements but no rota swap: a swap's answer is refused (404) before
            # its body is read, as the test allows.
            "engagements": {"pk": Engagement.objects.order_by("pk").first().pk},
            "rota": {"pk": 0},
        }
        yield {"token": token, "rows": rows}
        transaction.set_rollback(True)
    cache.clear()
    forget_index()


PARAMETER = re.compile(r"\(\?P<(\w+)>[^)]*\)|<(?:\w+:)?(\w+)>")


def _address(route: str, rows: dict) -> str:
    """``route`` with each parameter replaced by a real row's value."""
    segments = [part.strip("^$") for part in route.removeprefix("api/v1/").split("/")]
    resource = segments[1] if segments[0] == "handbook" else segments[0]
    values = dict(rows[resource]) if resource in rows else {}
    if "time-away" in segments:
        values["pk"] = rows["time-away"]["pk"]

    def value(match):
        return str(values[match.group(1) or match.group(2)])

    return "/" + PARAMETER.sub(value, route).replace("^", "").replace("$", "")


def _methods(pattern) -> set[str]:
    view = pattern.callback
    view_class = getattr(view, "cls", None) or getattr(view, "view_class", None)
    names = getattr(view, "actions", None) or [
        name for name in getattr(view_class, "http_method_names", []) if hasattr(view_class, name)
    ]
    return {name.upper() for name in names}


def body_operations() -> list[tuple[str, str]]:
    """(method, route) for every API route and method that takes a body."""
    operations = []
    for route, pattern in url_routes():
        if not route.startswith("api/") or "format" in pattern.pattern.regex.groupindex:
            continue
        operations += [(method, route) for method in sorted(_methods(pattern) & {*BODY_METHODS})]
    return operations


def test_the_walk_finds_every_operation_that_takes_a_body():
    operations = body_operations()
    assert len(operations) > 40
    assert ("POST", "api/v1/auth/token/") in operations
    assert ("POST", "api/v1/match/") in operations
    assert ("POST", "api/v1/^requests/$") in operations


@pytest.fixture
def send(demo, settings):
    """Sends one request as the admin (by token) in a savepoint rolled back after it, so every
    request of a test meets the same rows."""
    settings.REQUEST_SUBMIT_RATE = "100000/hour"
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {demo['token']}")

    def send_one(method, route, body, content_type="application/json"):
        with transaction.atomic():
            response = client.generic(
                method, _address(route, demo["rows"]), body, content_type=content_type
            )
            transaction.set_rollback(True)
        return response

    return send_one


def assert_read_and_refused_or_refused_before(send, method, route, body, detail, **options):
    """The answer to ``body`` is a JSON 400 saying ``detail`` or, when the view refuses before
    it reads a body (no such row for the admin, a state that allows no change), the same answer
    as for an empty object: the body is never the reason for anything else."""
    answer = send(method, route, body, **options)
    label = f"{method} {route}"
    assert answer.status_code < 500, label
    assert is_json(answer), label
    if answer.status_code == 400 and detail in answer.json().get("detail", ""):
        return True
    unread = send(method, route, "{}")
    assert unread.status_code != 400, f"{label}: read the body, yet answered {answer.json()}"
    assert answer.status_code == unread.status_code, label
    return False


# --- A body nested too deeply ------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/requests/", "/api/v1/auth/token/", "/api/v1/match/"])
def test_a_thousand_nested_brackets_are_a_json_400_not_a_500(path, intake_coordinator):
    client = Client(raise_request_exception=False)
    client.force_login(intake_coordinator)
    requests_before = Request.objects.count()

    response = client.post(path, DEEP, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"detail": TOO_DEEP}
    assert Request.objects.count() == requests_before


def test_every_operation_that_takes_a_body_refuses_one_nested_too_deeply(send):
    read = [
        (method, route)
        for method, route in body_operations()
        if assert_read_and_refused_or_refused_before(send, method, route, DEEP, TOO_DEEP)
    ]
    # The rest refuse the admin before reading (a bid's member actions, a closed decision…).
    assert len(read) > 40


def test_nesting_up_to_the_limit_is_read_and_one_level_more_is_refused(intake_coordinator):
    client = Client()
    client.force_login(intake_coordinator)

    at_limit = client.post("/api/v1/skills/normalize/", nested(MAX_JSON_DEPTH), "application/json")
    beyond = client.post(
        "/api/v1/skills/normalize/", nested(MAX_JSON_DEPTH + 1), "application/json"
    )

    # A list of lists is not a list of terms: a field error, so the body was read.
    assert at_limit.status_code == 400
    assert "terms" in at_limit.json()
    assert beyond.status_code == 400
    assert beyond.json() == {"detail": TOO_DEEP}


def test_malformed_json_is_still_drfs_400(intake_coordinator):
    client = Client()
    client.force_login(intake_coordinator)

    response = client.post("/api/v1/skills/normalize/", '{"terms": [', "application/json")

    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error - ")


# --- A body too large, or with too many fields ---------------------------------------------------


def test_every_operation_that_takes_a_body_refuses_one_too_large_with_json(send, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps({"title": "x" * 20_000})
    read = [
        (method, route)
        for method, route in body_operations()
        if assert_read_and_refused_or_refused_before(
            send, method, route, body, "larger than 10,000 bytes"
        )
    ]
    assert len(read) > 40


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "multipart"])
def test_a_form_too_large_is_a_json_400(api, intake_coordinator, settings, content_type):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    api.force_authenticate(intake_coordinator)
    body = {"terms": "x" * 20_000}

    if content_type == "multipart":
        response = api.post("/api/v1/skills/normalize/", body, format="multipart")
    else:
        response = api.post(
            "/api/v1/skills/normalize/", "terms=" + "x" * 20_000, content_type=content_type
        )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The request body is larger than 10,000 bytes, the most the API reads."
    }


def test_a_form_with_too_many_fields_is_a_json_400(api, intake_coordinator, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    api.force_authenticate(intake_coordinator)
    body = "&".join(f"terms={n}" for n in range(20))

    response = api.post(
        "/api/v1/skills/normalize/", body, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The request has more than 10 fields, the most the API reads."
    }


def test_a_query_string_with_too_many_fields_is_a_json_400(api, member, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    api.force_authenticate(member)

    response = api.get("/api/v1/consultants/?" + "&".join(f"skill=s{n}" for n in range(20)))

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The request has more than 10 fields, the most the API reads."
    }


def test_a_page_form_too_large_keeps_djangos_html_400(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = Client().post("/request/", {"title": "x" * 20_000})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_every_operation_with_a_body_documents_its_400():
    operations = [
        f"{method.upper()} {path}"
        for path, item in api_schema_document()["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "requestBody" in operation
        if "400" not in operation["responses"]
    ]
    assert operations == []


# --- No such address, no such method ---------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/api/v1/no-such-thing/", "/api/v2/skills/", "/api/", "/api/v1/skills/1/extra/"]
)
def test_an_unknown_api_address_is_a_json_404(path):
    response = Client().post(path, {})

    assert response.status_code == 404
    assert response.json() == {"detail": NOT_FOUND}


def test_an_unknown_page_keeps_the_html_404():
    response = Client().get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert b"Page not found" in response.content


def test_every_api_route_answers_a_method_it_does_not_take_with_a_json_405(admin):
    client = Client()
    client.force_login(admin)
    checked = 0
    for route, pattern in url_routes():
        if not route.startswith("api/v1/") or "format" in pattern.pattern.regex.groupindex:
            continue
        allowed = _methods(pattern)
        method = next(m for m in ("DELETE", "PUT", "PATCH", "POST") if m not in allowed)
        # Any number will do: DRF refuses the method before it looks for a row.
        path = "/" + PARAMETER.sub("1", route).replace("^", "").replace("$", "")

        response = client.generic(method, path)

        assert response.status_code == 405, (method, route)
        assert is_json(response), (method, route)
        assert method not in response["Allow"]
        checked += 1
    assert checked > 50


# --- Server errors, refused hosts, CSRF ------------------------------------------------------


def test_a_server_error_in_the_api_is_json_and_on_a_page_html(member, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(SkillViewSet, "list", broken)
    monkeypatch.setattr("network.views.render", broken)
    client = Client(raise_request_exception=False)
    client.force_login(member)

    api = client.get("/api/v1/skills/")
    page = client.get("/")

    assert api.status_code == 500
    assert api.json() == {"detail": SERVER_ERROR}
    assert page.status_code == 500
    assert page["Content-Type"].startswith("text/html")
    assert b"Something went wrong" in page.content


def test_a_host_not_allowed_is_a_json_400_under_the_api(settings):
    settings.ALLOWED_HOSTS = ["switchboard.example.org"]
    client = Client(HTTP_HOST="elsewhere.example")

    api = client.get("/api/v1/skills/")
    page = client.get("/")

    assert api.status_code == 400
    assert api.json() == {"detail": "The request could not be read."}
    assert page.status_code == 400
    assert page["Content-Type"].startswith("text/html")


def test_a_session_write_without_the_csrf_token_is_a_json_403(intake_coordinator):
    skills = Skill.objects.count()
    client = Client(enforce_csrf_checks=True)
    client.force_login(intake_coordinator)

    response = client.post("/api/v1/skills/", {"name": "Django"}, content_type="application/json")

    assert response.status_code == 403
    assert response.json()["detail"].startswith("CSRF Failed")
    assert Skill.objects.count() == skills
