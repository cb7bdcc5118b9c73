"""The pieces behind "every API error is JSON", one by one: the JSON parser's bound on nesting
(network/parsers.py) and the handlers for errors outside any API view (network/api_errors.py).
The same behaviour through HTTP is in test_api_errors.py."""

import io
import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.test import RequestFactory
from rest_framework.exceptions import ParseError

from network import api_errors
from network.parsers import MAX_JSON_DEPTH, JSONParser, nested_deeper_than

pytestmark = pytest.mark.django_db


def parse(body: str):
    return JSONParser().parse(io.BytesIO(body.encode()), "application/json", {})


@pytest.mark.parametrize("depth", [1, 2, MAX_JSON_DEPTH])
def test_the_parser_reads_nesting_up_to_the_limit(depth):
    assert parse("[" * depth + "]" * depth) is not None


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 900, 100_000])
def test_the_parser_refuses_nesting_beyond_the_limit_however_deep(depth):
    # 900 decodes and is refused by the walk; 100,000 runs the decoder out of stack first.
    with pytest.raises(ParseError, match=f"nested more than {MAX_JSON_DEPTH} levels deep"):
        parse("[" * depth + "]" * depth)


def test_the_parser_still_reads_scalars_and_refuses_nan():
    assert parse('"a string"') == "a string"
    with pytest.raises(ParseError, match="JSON parse error"):
        parse("NaN")


def test_the_depth_walk_counts_objects_and_lists_alike_without_recursing():
    assert not nested_deeper_than({"a": [{"b": []}]}, 4)
    assert nested_deeper_than({"a": [{"b": []}]}, 3)
    assert not nested_deeper_than(17, 0)
    value: list = []
    for _ in range(5000):  # deeper than the interpreter could recurse
        value = [value]
    assert nested_deeper_than(value, MAX_JSON_DEPTH)


def test_the_csrf_failure_view_answers_json_under_the_api_and_a_page_elsewhere(settings):
    assert settings.CSRF_FAILURE_VIEW == "network.api_errors.csrf_failure"
    factory = RequestFactory()

    api = api_errors.csrf_failure(factory.post("/api/v1/skills/"), reason="CSRF token missing.")
    page = api_errors.csrf_failure(factory.post("/join/"), reason="CSRF token missing.")

    assert api.status_code == 403
    assert json.loads(api.content) == {"detail": "CSRF Failed: CSRF token missing."}
    assert page.status_code == 403
    assert page["Content-Type"].startswith("text/html")


def test_a_refusal_raised_outside_a_view_is_json_under_the_api():
    factory = RequestFactory()
    api_request, page_request = factory.get("/api/v1/skills/"), factory.get("/members/")
    page_request.user = AnonymousUser()

    api = api_errors.permission_denied(api_request, PermissionDenied())
    page = api_errors.permission_denied(page_request, PermissionDenied())

    assert api.status_code == 403
    assert json.loads(api.content) == {"detail": api_errors.FORBIDDEN}
    assert page.status_code == 403
    assert page["Content-Type"].startswith("text/html")


def test_a_bad_request_outside_a_view_names_a_refused_body_and_nothing_else():
    factory = RequestFactory()

    too_big = api_errors.bad_request(factory.post("/api/v1/match/"), RequestDataTooBig("x"))
    other = api_errors.bad_request(
        factory.get("/api/v1/skills/"), SuspiciousOperation("an internal detail")
    )

    assert too_big.status_code == 400
    assert "larger than 2,621,440 bytes" in json.loads(too_big.content)["detail"]
    assert json.loads(other.content) == {"detail": api_errors.BAD_REQUEST}
