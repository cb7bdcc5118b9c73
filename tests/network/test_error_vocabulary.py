"""One error vocabulary: every state machine's conflict is a ``Conflict``; the API's exception
handler and the pages' middleware answer a service's refusals alike (400, 403, 409)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from rest_framework.request import Request as DrfRequest

from handbook.proposals import ProposalClosed
from handbook.services import DecisionClosed, EditConflict, GovernedPage
from intake.bids.rules import BidConflict
from intake.workflow import WorkflowConflict
from network.api_errors import exception_handler
from network.applications import IllegalTransition
from network.error_pages import ServiceRefusalMiddleware
from network.errors import Conflict


@pytest.mark.parametrize(
    "conflict",
    [
        IllegalTransition,
        WorkflowConflict,
        BidConflict,
        EditConflict,
        DecisionClosed,
        GovernedPage,
        ProposalClosed,
    ],
)
def test_every_state_machines_conflict_is_a_conflict(conflict):
    assert issubclass(conflict, Conflict)


def api_context(path="/api/v1/requests/1/transitions/"):
    return {"request": DrfRequest(RequestFactory().post(path)), "view": None}


def test_a_conflict_is_a_409_with_the_current_status_and_version():
    response = exception_handler(
        Conflict("Changed since you loaded it.", status="routed", version=4), api_context()
    )

    assert response.status_code == 409
    assert response.data == {"detail": "Changed since you loaded it.", "status": "routed",
                             "version": 4}  # fmt: skip


def test_a_conflict_without_a_state_is_a_409_with_its_detail_only():
    response = exception_handler(DecisionClosed("The decision is closed."), api_context())

    assert (response.status_code, response.data) == (409, {"detail": "The decision is closed."})


def test_a_services_validation_error_is_a_400_with_field_messages():
    error = ValidationError({"price": ["The price must be above 0."], "__all__": ["Not both."]})

    response = exception_handler(error, api_context())

    assert response.status_code == 400
    assert response.data == {"price": ["The price must be above 0."],
                             "non_field_errors": ["Not both."]}  # fmt: skip


def test_a_validation_error_without_fields_is_a_400_under_non_field_errors():
    response = exception_handler(ValidationError("No pending offer."), api_context())

    assert (response.status_code, response.data) == (
        400,
        {"non_field_errors": ["No pending offer."]},
    )


def test_permission_denied_is_a_403():
    response = exception_handler(PermissionDenied("You may not."), api_context())

    assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("refusal", "code", "says"),
    [
        (Conflict("The bid changed while you were looking."), 409, "The bid changed"),
        (ValidationError({"hours": ["At most 24."]}), 400, "At most 24."),
    ],
)
def test_a_refusal_escaping_a_page_view_is_a_page_with_its_message(refusal, code, says, rf):
    request = rf.post("/bids/1/sign/")
    request.user = type("Anonymous", (), {"is_authenticated": False})()

    response = ServiceRefusalMiddleware(lambda r: None).process_exception(request, refusal)

    assert response.status_code == code
    assert says in response.content.decode()
    assert "Nothing was changed" in response.content.decode()


def test_the_middleware_leaves_api_addresses_and_other_errors_alone(rf):
    middleware = ServiceRefusalMiddleware(lambda r: None)

    assert middleware.process_exception(rf.post("/api/v1/bids/1/"), Conflict("x")) is None
    assert middleware.process_exception(rf.post("/bids/1/"), KeyError("x")) is None


def test_a_views_field_map_names_the_fields_the_client_sent():
    view = type("SkillView", (), {"service_field_map": {"__all__": "name", "slug": "name"}})()
    error = ValidationError({"__all__": ["Taken."], "slug": ["Taken too."], "category": ["No."]})

    response = exception_handler(error, {**api_context(), "view": view})

    assert response.status_code == 400
    assert response.data == {"name": ["Taken.", "Taken too."], "category": ["No."]}
