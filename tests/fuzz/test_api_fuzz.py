"""Schemathesis against the API's own OpenAPI schema: every operation, as anonymous and as each
role, must answer without a 5xx, with a documented status code, a documented content type and
a body that matches its schema.

The run is bounded for `make test` (FUZZ_EXAMPLES examples per operation and role, 15 by
default) and derandomized, so CI sees the same cases each time; `make fuzz` raises the count.
"""

import os
import re

import pytest
import schemathesis
from django.core.cache import cache
from django.db import transaction
from django.urls import URLPattern
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from handbook.models import ActionItem, Decision, Meeting, Page, PageRevision
from intake.bids.models import Bid, BidMember, HoursEntry
from intake.models import Request
from network.models import (
    Consultant,
    ConsultantGroup,
    ConsultantSkill,
    ExternalProfessional,
    Skill,
    TimeAway,
)
from tests.helpers import api_schema_document, url_routes

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
# The roles the fuzzer signs in as (the keys of the fuzz_world fixture's tokens); "anonymous"
# sends no credentials.
ROLES = ["anonymous", "member", "group_coordinator", "intake", "community", "admin"]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
)


SCHEMA_DOCUMENT = api_schema_document()
SCHEMA = schemathesis.openapi.from_dict(SCHEMA_DOCUMENT)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


# --- Real rows in paths ------------------------------------------------------------------------

# Generated ids almost never name a row, so most cases would stop at a 404. Half the cases
# take their path parameters from the seeded demo instead: (path prefix under /api/v1, the path
# parameters, their rows); the most specific prefix comes first.
SEEDED_PATH_PARAMETERS = [
    ("/bids/{id}/hours/{entry_id}/", ("id", "entry_id"), HoursEntry, ("bid_id", "id")),
    (
        "/bids/{id}/members/{consultant_id}/",
        ("id", "consultant_id"),
        BidMember,
        ("bid_id", "consultant_id"),
    ),
    ("/bids/{id}/", ("id",), Bid, ("id",)),
    ("/bid-board/{id}/", ("id",), Bid, ("id",)),
    (
        "/consultants/{consultant_pk}/skills/{skill_slug}/",
        ("consultant_pk", "skill_slug"),
        ConsultantSkill,
        ("consultant_id", "skill__slug"),
    ),
    (
        "/consultants/{consultant_pk}/time-away/{id}/",
        ("consultant_pk", "id"),
        TimeAway,
        ("consultant_id", "id"),
    ),
    ("/consultants/{consultant_pk}/", ("consultant_pk",), Consultant, ("id",)),
    ("/consultants/{id}/", ("id",), Consultant, ("id",)),
    ("/external-professionals/{id}/", ("id",), ExternalProfessional, ("id",)),
    ("/groups/{id}/", ("id",), ConsultantGroup, ("id",)),
    ("/skills/{id}/", ("id",), Skill, ("id",)),
    ("/handbook/decisions/{id}/", ("id",), Decision, ("id",)),
    (
        "/handbook/meetings/{id}/action-items/{item_id}/",
        ("id", "item_id"),
        ActionItem,
        ("meeting_id", "id"),
    ),
    ("/handbook/meetings/{id}/", ("id",), Meeting, ("id",)),
    (
        "/handbook/pages/{slug}/revisions/{revision_id}/",
        ("slug", "revision_id"),
        PageRevision,
        ("page__slug", "id"),
    ),
    ("/handbook/pages/{slug}/", ("slug",), Page, ("slug",)),
    ("/requests/{id}/", ("id",), Request, ("id",)),
]


def _seeded_path_parameters(path: str) -> list[dict]:
    """Path parameters naming rows of the seeded demo for ``path``, at most 20 of them."""
    relative = path.removeprefix("/api/v1")
    for prefix, names, model, fields in SEEDED_PATH_PARAMETERS:
        if relative.startswith(prefix):
            rows = model.objects.order_by("pk").values_list(*fields)[:20]
            return [dict(zip(names, row, strict=True)) for row in rows]
    return []


def _cases(operation, seeded: list[dict]):
    """Valid and invalid cases for ``operation``; with seeded rows, half of them name one."""
    generated = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )
    if not seeded:
        return generated

    def on_seeded_row(drawn):
        case, parameters = drawn
        case.path_parameters = {**case.path_parameters, **parameters}
        return case

    return st.one_of(generated, st.tuples(generated, st.sampled_from(seeded)).map(on_seeded_row))


def _open_to_anyone(operation) -> bool:
    """Whether the schema lets a caller without credentials use ``operation`` ({} in security)."""
    security = operation.definition.raw.get("security", SCHEMA_DOCUMENT.get("security", []))
    return not security or {} in security


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_operation_conforms_to_its_schema(operation, role, fuzz_world, fuzz_app):
    """No 5xx, and every answer's status, content type and body are the documented ones."""
    headers = fuzz_world.headers(role)
    examples = EXAMPLES
    if role == "anonymous" and not _open_to_anyone(operation):
        # Every such case stops at the permission check; a few show it answers as documented.
        examples = max(EXAMPLES // 5, 2)

    @settings(FUZZ_SETTINGS, max_examples=examples)
    @given(case=_cases(operation, _seeded_path_parameters(operation.path)))
    def fuzz(case):
        # A generated Authorization header would make every role an anonymous one.
        case.headers.pop("Authorization", None)
        response = case.call(app=fuzz_app, headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)

    fuzz()


# --- Stateful: links between operations ----------------------------------------------------------

# drf-spectacular writes no OpenAPI links; Schemathesis infers them from the schema (an id in
# one answer is the {id} of another path, a bid's `version` the `version` of its next change)
# and walks chains of calls: create, then read, change, act on what was created.
APIWorkflow = SCHEMA.as_state_machine()


@pytest.mark.parametrize("role", ["member", "intake", "admin"])
def test_chains_of_calls_conform_to_the_schema(role, fuzz_world, fuzz_app):
    """Calls that use what earlier answers returned still answer as documented."""
    headers = fuzz_world.headers(role)

    class Workflow(APIWorkflow):
        # Each chain starts from the seeded world: what one chain wrote is rolled back before
        # the next, so Hypothesis, replaying a chain to shrink it, sees the same answers again.
        def setup(self):
            self._chain = transaction.atomic()
            self._chain.__enter__()

        def teardown(self):
            transaction.set_rollback(True)
            self._chain.__exit__(None, None, None)
            cache.clear()

        def before_call(self, case):
            case.headers.pop("Authorization", None)

        def get_call_kwargs(self, case):
            return {"app": fuzz_app, "headers": headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS, headers=headers)

    Workflow.run(
        settings=settings(FUZZ_SETTINGS, max_examples=max(EXAMPLES // 3, 3), stateful_step_count=10)
    )


# Three chains written out, so they run every time whatever the inferred links draw: each step
# sends what the previous answer returned, and every answer is checked against the schema.


def _call(fuzz_world, fuzz_app, role: str, label: str, *, body=None, **path_parameters):
    method, path = label.split(" ", 1)
    case = SCHEMA[path][method].Case(
        path_parameters=path_parameters,
        **({"body": body, "media_type": "application/json"} if body is not None else {}),
    )
    headers = fuzz_world.headers(role)
    response = case.call(app=fuzz_app, headers=headers)
    case.validate_response(response, checks=CHECKS, headers=headers)
    return response


def test_a_page_is_edited_from_the_revision_its_answer_returned(fuzz_world, fuzz_app):
    call = lambda *args, **kwargs: _call(fuzz_world, fuzz_app, "member", *args, **kwargs)  # noqa: E731
    created = call("POST /api/v1/handbook/pages/", body={"title": "Fuzzed page", "body": "One."})
    assert created.status_code == 201
    page = created.json()
    base = {"body": "Two.", "base_revision": page["revision"]}

    edited = call("PUT /api/v1/handbook/pages/{slug}/", body=base, slug=page["slug"])
    stale = call("PUT /api/v1/handbook/pages/{slug}/", body=base, slug=page["slug"])

    assert edited.status_code == 200
    assert stale.status_code == 409


def test_a_bid_is_read_and_changed_from_its_answer(fuzz_world, fuzz_app):
    call = lambda *args, **kwargs: _call(fuzz_world, fuzz_app, "member", *args, **kwargs)  # noqa: E731
    open_request = (
        Request.objects.filter(status=Request.Status.BIDDING)
        .exclude(bids__status__in=[status for status in Bid.Status if status not in Bid.CLOSED])
        .order_by("pk")
        .first()
    )
    terms = {"request": open_request.pk, "price": "9000.00", "lead_estimated_hours": "40.00"}
    created = call("POST /api/v1/bids/", body=terms)
    assert created.status_code == 201
    bid = created.json()

    read = call("GET /api/v1/bids/{id}/", id=bid["id"])
    changed = call(
        "PATCH /api/v1/bids/{id}/",
        body={"version": bid["version"], "price": "9500.00"},
        id=bid["id"],
    )

    assert read.json()["sees_money"] is True
    assert changed.status_code == 200


def test_a_submitted_request_is_followed_by_its_status_link(fuzz_world, fuzz_app):
    call = lambda *args, **kwargs: _call(fuzz_world, fuzz_app, "anonymous", *args, **kwargs)  # noqa: E731
    submission = {
        "organization_name": "Fuzz Food Bank",
        "contact_name": "Ada",
        "contact_email": "ada@fuzz.example",
        "title": "A volunteer rota",
        "description": "Our volunteers sign up on paper; we need a shared rota.",
    }
    submitted = call("POST /api/v1/requests/", body=submission)
    assert submitted.status_code == 201
    token = submitted.json()["status_url"].rstrip("/").rsplit("/", 1)[-1]

    status = call("GET /api/v1/requests/status/{token}/", token=token)

    assert status.status_code == 200


# --- No endpoint missing from the schema ---------------------------------------------------------

# Not API operations: the DefaultRouter's browsable index of the API.
NOT_IN_SCHEMA = {"/api/v1/"}


def _shape(route: str) -> str:
    """A route or schema path with every parameter as {}: "api/v1/^bids/(?P<pk>[0-9]+)/$",
    "api/v1/consultants/<int:consultant_pk>/" and "/api/v1/bids/{id}/" compare as equals."""
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "{}", route)  # regex groups (routers, re_path)
    route = re.sub(r"<(?:\w+:)?\w+>", "{}", route)  # path converters
    route = re.sub(r"{\w+}", "{}", route)  # OpenAPI parameters
    return "/" + route.replace("^", "").replace("$", "").lstrip("/")


def _methods(pattern: URLPattern) -> set[str]:
    """The HTTP methods a route's view answers (HEAD and OPTIONS come with every DRF view)."""
    view = pattern.callback
    view_class = getattr(view, "cls", None) or getattr(view, "view_class", None)
    # A ViewSet's route maps methods to actions; another view answers what it defines.
    names = getattr(view, "actions", None) or [
        name for name in getattr(view_class, "http_method_names", []) if hasattr(view_class, name)
    ]
    return {name.upper() for name in names} - {"HEAD", "OPTIONS"}


def test_every_api_route_is_in_the_schema():
    """Every route under /api/v1/, with each method its view answers, has an operation."""
    documented = {
        (_shape(path), method.upper())
        for path, operations in SCHEMA_DOCUMENT["paths"].items()
        for method in operations
        if method != "parameters"
    }
    missing = set()
    for route, pattern in url_routes():
        # DRF's format-suffix twins (…/skills.json) are the same operations.
        if not route.startswith("api/v1/") or "format" in pattern.pattern.regex.groupindex:
            continue
        if _shape(route) in NOT_IN_SCHEMA:
            continue
        for method in _methods(pattern):
            if (_shape(route), method) not in documented:
                missing.add(f"{method} {_shape(route)}")
    assert not missing, f"API routes missing from the schema: {sorted(missing)}"
