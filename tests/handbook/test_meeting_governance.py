"""Who changes a meeting's record, through the API and the pages: its decisions and action items
are added by the member who recorded it and the record keepers (the secretary, the staff
coordinators, administrators); an action item is marked done by its owner, the meeting's creator
or a record keeper; all of them only while working members. A refusal changes nothing."""

import datetime

import pytest
from django.urls import reverse

from handbook import services
from handbook.models import ActionItem, Meeting
from network.models import Consultant
from tests.factories import ConsultantFactory

# A refusal is checked against every row of the record (meetings, action items, decisions with
# their voters, votes), as the decision tests do.
from tests.helpers import fresh, handbook_record_rows, with_status

pytestmark = pytest.mark.django_db

MEETINGS = "/api/v1/handbook/meetings/"


@pytest.fixture
def recorder(db):
    """The working member who recorded the meeting."""
    return ConsultantFactory(status=Consultant.Status.ACTIVE).user


@pytest.fixture
def owner(db):
    return ConsultantFactory(status=Consultant.Status.PROBATION).user


@pytest.fixture
def meeting(recorder):
    return services.meeting_create(
        actor=recorder, title="Spring meeting", date=datetime.date(2030, 4, 1)
    )


@pytest.fixture
def item(recorder, meeting, owner):
    return services.action_item_create(
        actor=recorder,
        meeting_id=meeting.pk,
        text="Book the room",
        owner=owner.consultant,
        due=datetime.date(2030, 5, 1),
    )


def item_payload(owner):
    return {"text": "Draft the agenda", "owner": owner.consultant.pk, "due": "2030-05-01"}


# --- Adding to a meeting --------------------------------------------------------------------


@pytest.mark.parametrize("role", ["member", "owner", "group_coordinator"])
def test_a_member_may_not_add_an_action_item_to_anothers_meeting(
    api_as, client, request, meeting, owner, role
):
    user = fresh(request.getfixturevalue(role))
    before = handbook_record_rows()

    response = api_as(user).post(
        f"{MEETINGS}{meeting.pk}/action-items/", item_payload(owner), format="json"
    )
    client.force_login(user)
    page = client.post(
        reverse("handbook-action-new", args=[meeting.pk]),
        {f"action-{key}": value for key, value in item_payload(owner).items()},
    )

    assert response.status_code == 403
    assert page.status_code == 403
    assert handbook_record_rows() == before


@pytest.mark.parametrize("role", ["recorder", "secretary", "community_coordinator", "admin"])
def test_the_recorder_and_the_record_keepers_add_action_items(
    api_as, request, meeting, owner, role
):
    response = api_as(fresh(request.getfixturevalue(role))).post(
        f"{MEETINGS}{meeting.pk}/action-items/", item_payload(owner), format="json"
    )

    assert response.status_code == 201
    assert ActionItem.objects.get().meeting == meeting


def test_a_member_may_not_put_a_motion_at_anothers_meeting(api_as, client, member, meeting):
    before = handbook_record_rows()

    response = api_as(fresh(member)).post(
        "/api/v1/handbook/decisions/",
        {"meeting": meeting.pk, "text": "Meet monthly", "rule": "consensus"},
        format="json",
    )
    client.force_login(member)
    page = client.post(
        reverse("handbook-decision-new", args=[meeting.pk]),
        {"decision-text": "Meet monthly", "decision-rule": "consensus"},
    )

    assert response.status_code == 403 and page.status_code == 403
    assert handbook_record_rows() == before


def test_the_meeting_page_offers_its_forms_only_to_those_who_may_add(
    client, recorder, member, meeting
):
    client.force_login(member)
    page = client.get(meeting.get_absolute_url())
    assert not page.context["may_change"]
    assert b'id="new-decision"' not in page.content and b'id="new-action"' not in page.content

    client.force_login(recorder)
    page = client.get(meeting.get_absolute_url())
    assert b'id="new-decision"' in page.content and b'id="new-action"' in page.content


@pytest.mark.parametrize(
    "status", [Consultant.Status.ON_LEAVE, Consultant.Status.ALUMNI, Consultant.Status.FORMER]
)
def test_an_action_item_is_owned_by_a_working_member(api_as, recorder, meeting, status):
    away = ConsultantFactory(status=status).user
    before = handbook_record_rows()

    response = api_as(fresh(recorder)).post(
        f"{MEETINGS}{meeting.pk}/action-items/", item_payload(away), format="json"
    )

    assert response.status_code == 400
    assert "working member" in response.json()["owner"][0]
    assert handbook_record_rows() == before


def test_a_member_on_leave_may_not_record_a_meeting(api_as, client, member):
    away = with_status(member, Consultant.Status.ON_LEAVE)
    payload = {"title": "Autumn", "date": "2030-10-01"}

    assert api_as(away).post(MEETINGS, payload, format="json").status_code == 403
    client.force_login(away)
    assert client.post(reverse("handbook-meetings"), payload).status_code == 403
    assert not Meeting.objects.exists()


# --- Marking an action item done ------------------------------------------------------------


def done_url(item):
    return f"{MEETINGS}{item.meeting_id}/action-items/{item.pk}/done/"


@pytest.mark.parametrize("role", ["member", "group_coordinator"])
def test_a_member_may_not_mark_anothers_action_item_done(api_as, client, request, item, role):
    user = fresh(request.getfixturevalue(role))
    before = handbook_record_rows()

    response = api_as(user).post(done_url(item))
    client.force_login(user)
    page = client.post(reverse("handbook-action-done", args=[item.pk]))

    assert response.status_code == 403 and "mark an action item done" in response.json()["detail"]
    assert page.status_code == 403
    assert handbook_record_rows() == before


@pytest.mark.parametrize(
    "role", ["owner", "recorder", "secretary", "intake_coordinator", "community_coordinator"]
)
def test_the_owner_the_recorder_and_the_record_keepers_mark_an_item_done(
    api_as, request, item, role
):
    response = api_as(fresh(request.getfixturevalue(role))).post(done_url(item))

    assert response.status_code == 200
    item.refresh_from_db()
    assert item.done_at is not None


def test_an_owner_who_went_on_leave_may_not_mark_it_done(api_as, item, owner):
    before = handbook_record_rows()

    response = api_as(with_status(owner, Consultant.Status.ON_LEAVE)).post(done_url(item))

    assert response.status_code == 403
    assert handbook_record_rows() == before


def test_the_done_button_shows_only_to_those_who_may_mark_it(client, item, owner, member):
    done = reverse("handbook-action-done", args=[item.pk]).encode()
    client.force_login(member)
    assert done not in client.get(item.meeting.get_absolute_url()).content
    client.force_login(owner)
    assert done in client.get(item.meeting.get_absolute_url()).content
