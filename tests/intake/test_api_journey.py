"""The whole journey through the API: submit, contact, triage, route, offer, decline, offer
again, accept, complete; each move made by the person whose move it is."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from network.models import ConsultantGroup
from tests.factories import ConsultantFactory

pytestmark = pytest.mark.django_db

REQUESTS = "/api/v1/requests/"


def make_move(client, request_id, action, **fields) -> dict:
    """Read the request as the UI would, check the move is offered, make it at that version."""
    detail = client.get(f"{REQUESTS}{request_id}/")
    assert detail.status_code == 200, detail.content
    seen = detail.json()
    assert action in [allowed["action"] for allowed in seen["allowed_actions"]]
    response = client.post(
        f"{REQUESTS}{request_id}/transitions/",
        {"action": action, "version": seen["version"], **fields},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["version"] == seen["version"] + 1
    return body


def test_request_journey_from_submission_to_completion(
    api_as, intake_coordinator, group_coordinator
):
    cache.clear()
    group = ConsultantGroup.objects.get(coordinator__user=group_coordinator)
    declining, serving = ConsultantFactory(), ConsultantFactory(website="https://serving.test")
    group.members.add(declining, serving)
    coordinator = api_as(intake_coordinator)
    group_lead = api_as(group_coordinator)

    submitted = APIClient().post(
        REQUESTS,
        {
            "organization_name": "Eastside Youth Orchestra",
            "contact_name": "Contact One",
            "contact_email": "office@eastside-orchestra.example.org",
            "title": "Ticketing and donor records",
            "description": "We sell tickets by hand and keep donors in a spreadsheet.",
            "skills": ["CiviCRM"],
            "urgency": "normal",
        },
        format="json",
    )
    assert submitted.status_code == 201
    request_id = submitted.json()["id"]
    token = submitted.json()["status_url"].rstrip("/").rsplit("/", 1)[-1]

    assert make_move(coordinator, request_id, "contact", note="Phoned.")["status"] == "contacted"
    triaged = make_move(coordinator, request_id, "triage", skills=["CiviCRM", "Ticketing"])
    assert (triaged["status"], triaged["skills"]) == ("triaged", ["CiviCRM", "Ticketing"])
    routed = make_move(coordinator, request_id, "route", group=group.pk)
    assert (routed["status"], routed["assigned_group"]["id"]) == ("routed", group.pk)

    offered = make_move(group_lead, request_id, "offer", consultant=declining.pk)
    assert (offered["status"], offered["offered_consultant"]["id"]) == ("offered", declining.pk)
    declined = make_move(api_as(declining.user), request_id, "decline", reason="Away in May.")
    assert (declined["status"], declined["offered_consultant"]) == ("routed", None)
    # The member who declined no longer sees the client's contact.
    assert declined["contact"] is None

    offered_again = make_move(group_lead, request_id, "offer", consultant=serving.pk)
    assert offered_again["status"] == "offered"
    accepted = make_move(api_as(serving.user), request_id, "accept", note="Glad to.")
    assert (accepted["status"], accepted["engaged_consultant"]["id"]) == ("engaged", serving.pk)
    assert accepted["contact"]["email"] == "office@eastside-orchestra.example.org"

    completed = make_move(coordinator, request_id, "complete", note="Live for the season.")
    assert (completed["status"], completed["version"]) == ("completed", 9)
    assert completed["allowed_actions"] == []

    trail = coordinator.get(f"{REQUESTS}{request_id}/").json()["events"]
    assert [(e["action"], e["from_status"], e["to_status"]) for e in trail] == [
        ("submit", "", "submitted"),
        ("contact", "submitted", "contacted"),
        ("triage", "contacted", "triaged"),
        ("route", "triaged", "routed"),
        ("offer", "routed", "offered"),
        ("decline", "offered", "routed"),
        ("offer", "routed", "offered"),
        ("accept", "offered", "engaged"),
        ("complete", "engaged", "completed"),
    ]
    actors = [e["actor"]["id"] if e["actor"] else None for e in trail]
    assert actors == [
        None,
        intake_coordinator.pk,
        intake_coordinator.pk,
        intake_coordinator.pk,
        group_coordinator.pk,
        declining.user_id,
        group_coordinator.pk,
        serving.user_id,
        intake_coordinator.pk,
    ]
    assert trail[5]["note"] == "Away in May."
    assert [(o["consultant"]["id"], o["status"]) for o in completed["offers"]] == [
        (serving.pk, "accepted"),
        (declining.pk, "declined"),
    ]
    assert completed["engagements"][0]["end"] is not None

    client_view = APIClient().get(f"{REQUESTS}status/{token}/").json()
    assert client_view["stage"] == "completed"
    assert client_view["consultant"]["display_name"] == serving.display_name
    assert "Away in May." not in str(client_view)
    assert declining.display_name not in str(client_view)
