"""A group coordinator who stops working (on leave, alumni, former) loses every coordinator
power at once, and a member who stops working no longer reaches the clients they served: the
queue, the request page with the client's contact, the metrics, the matching and team API, and
the contacts on "My engagements"."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from intake.models import Engagement
from intake.services import request_submit
from intake.workflow import request_apply
from network import services as network_services
from network.models import Consultant, ConsultantGroup, User
from tests.factories import ConsultantFactory, ConsultantGroupFactory

pytestmark = pytest.mark.django_db

Status = Consultant.Status
CLIENT_EMAIL = "desk@harbour.example.org"


@pytest.fixture(autouse=True)
def _languages_and_cache(db):
    network_services.languages_ensure()
    cache.clear()


@pytest.fixture
def world(intake_coordinator):
    """A request routed to a group, offered by its coordinator to a member who accepted."""
    coordinator = ConsultantFactory(status=Status.ACTIVE)
    server = ConsultantFactory(status=Status.ACTIVE)
    group = ConsultantGroupFactory(coordinator=coordinator)
    group.members.add(coordinator, server)
    request = request_submit(
        organization_name="Harbour Literacy Project",
        contact_name="Contact Person",
        contact_email=CLIENT_EMAIL,
        title="Donor database needs cleaning up",
        description="Duplicates everywhere in the donor records.",
        skills=["CiviCRM"],
    ).request
    steps = [
        ("contact", intake_coordinator, {}),
        ("triage", intake_coordinator, {}),
        ("route", intake_coordinator, {"group": group.pk}),
        ("offer", coordinator.user, {"consultant": server.pk}),
        ("accept", server.user, {}),
    ]
    for action, actor, fields in steps:
        request_apply(request_id=request.pk, action=action, actor=actor, version=None, **fields)
    return {"request": request, "group": group, "coordinator": coordinator, "server": server}


def as_user(client, consultant):
    client.force_login(User.objects.get(pk=consultant.user_id))
    return client


def coordinator_pages(client, request_id):
    """Every coordinator page and call, answered for the signed-in ``client``."""
    calls = [
        ("get", reverse("intake-queue"), None),
        ("get", reverse("intake-request", args=[request_id]), None),
        ("get", reverse("intake-metrics"), None),
        ("get", f"/api/v1/requests/{request_id}/teams/", None),
        ("get", f"/api/v1/requests/{request_id}/matches/", None),
        ("post", "/api/v1/match/", {"skills": ["CiviCRM"], "description": "Donor database"}),
    ]
    for method, url, body in calls:
        if method == "get":
            yield url, client.get(url)
        else:
            yield url, client.post(url, body, content_type="application/json")


def test_a_working_coordinator_opens_every_coordinator_page(client, world):
    as_user(client, world["coordinator"])

    for url, response in coordinator_pages(client, world["request"].pk):
        assert response.status_code == 200, url


@pytest.mark.parametrize("status", [Status.FORMER, Status.ALUMNI, Status.ON_LEAVE])
def test_a_coordinator_moved_out_of_work_loses_every_coordinator_page(
    client, world, community_coordinator, status
):
    network_services.consultant_set_status(
        consultant=world["coordinator"], status=status, actor=community_coordinator
    )
    as_user(client, world["coordinator"])

    for url, response in coordinator_pages(client, world["request"].pk):
        assert response.status_code in (403, 404), (url, response.status_code)
        assert CLIENT_EMAIL.encode() not in response.content
    assert ConsultantGroup.objects.get(pk=world["group"].pk).coordinator is None


@pytest.mark.parametrize("status", [Status.FORMER, Status.ALUMNI])
def test_a_coordinator_record_left_pointing_at_a_leaver_grants_nothing(client, world, status):
    # The role stays recorded (a write that went around the status service): the rules
    # still look at the member's status.
    Consultant.objects.filter(pk=world["coordinator"].pk).update(status=status)
    assert ConsultantGroup.objects.get(pk=world["group"].pk).coordinator == world["coordinator"]
    as_user(client, world["coordinator"])

    for url, response in coordinator_pages(client, world["request"].pk):
        assert response.status_code in (403, 404), (url, response.status_code)
        assert CLIENT_EMAIL.encode() not in response.content
    listed = client.get("/api/v1/requests/")
    assert listed.status_code == 403 or listed.json()["count"] == 0


def test_the_member_serving_the_client_sees_the_contact_while_working(client, world):
    as_user(client, world["server"])

    assert CLIENT_EMAIL.encode() in client.get(reverse("my-engagements")).content
    page = client.get(reverse("intake-request", args=[world["request"].pk]))
    assert CLIENT_EMAIL.encode() in page.content


@pytest.mark.parametrize("status", [Status.ALUMNI, Status.ON_LEAVE])
def test_a_member_who_stopped_working_keeps_the_record_not_the_clients_details(
    client, world, community_coordinator, status
):
    network_services.consultant_set_status(
        consultant=world["server"], status=status, actor=community_coordinator
    )
    as_user(client, world["server"])

    engagements = client.get(reverse("my-engagements"))
    assert engagements.status_code == 200
    assert world["request"].reference.encode() in engagements.content
    assert CLIENT_EMAIL.encode() not in engagements.content
    assert b"shown to active members and members on probation" in engagements.content
    page = client.get(reverse("intake-request", args=[world["request"].pk]))
    assert CLIENT_EMAIL.encode() not in page.content
    detail = client.get(f"/api/v1/requests/{world['request'].pk}/")
    assert CLIENT_EMAIL not in detail.content.decode()


def test_a_former_member_has_no_member_pages(client, world, community_coordinator):
    network_services.consultant_set_status(
        consultant=world["server"], status=Status.FORMER, actor=community_coordinator
    )
    assert Engagement.objects.filter(consultant=world["server"]).exists()
    as_user(client, world["server"])

    for name in ("my-engagements", "my-offers"):
        response = client.get(reverse(name))
        assert response.status_code == 403
        assert CLIENT_EMAIL.encode() not in response.content
