"""The meetings API: meetings and their minutes, and their action items. Members only.
Decisions and votes are in test_api_decisions.py."""

import datetime

import pytest
from django.utils import timezone

from handbook import services
from handbook.models import ActionItem, Meeting, Page
from tests.helpers import assert_matches_schema, fresh
from tests.helpers import handbook_permission_cases as permission_cases
from tests.helpers import handbook_record_counts as counts

pytestmark = pytest.mark.django_db

MEETINGS = "/api/v1/handbook/meetings/"


# --- Meetings ------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "expected"), permission_cases(200))
def test_meeting_reads_are_for_members(api_as, caller, role, expected, meeting):
    client = api_as(caller(role))
    assert client.get(MEETINGS).status_code == expected
    assert client.get(f"{MEETINGS}{meeting.pk}/").status_code == expected


@pytest.mark.parametrize(("role", "expected"), permission_cases(201))
def test_meeting_create_is_for_members(api_as, caller, role, expected):
    response = api_as(caller(role)).post(
        MEETINGS, {"date": "2026-05-01", "title": "May meeting"}, format="json"
    )
    assert response.status_code == expected
    assert Meeting.objects.count() == (1 if expected == 201 else 0)


def test_a_meeting_with_minutes_creates_the_minutes_page(api_as, member, voters):
    response = api_as(member).post(
        MEETINGS,
        {
            "date": "2026-05-01",
            "title": "May meeting",
            "attendees": [voters[0].pk, voters[1].pk],
            "agenda": "Budget",
            "minutes_body": "## Present\n\nTwo members.\n",
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    meeting = Meeting.objects.get()
    assert body["id"] == meeting.pk and body["date"] == "2026-05-01"
    assert {attendee["id"] for attendee in body["attendees"]} == {voters[0].pk, voters[1].pk}
    minutes = Page.objects.get(category=Page.Category.MINUTES)
    assert body["minutes"] == {"title": minutes.title, "slug": minutes.slug}
    assert minutes.body == "## Present\n\nTwo members.\n"
    assert body["decisions"] == [] and body["action_items"] == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"date": "2026-05-01", "title": ""}, "title"),
        ({"date": "2026-05-01", "title": "Spring\u200b meeting"}, "title"),
        ({"title": "No date"}, "date"),
        ({"date": "May first", "title": "Bad date"}, "date"),
        ({"date": "2026-05-01", "title": "Ghost", "attendees": [10**9]}, "attendees"),
        ({"date": "2026-05-01", "title": "Ghost", "attendees": "all"}, "attendees"),
        ({"date": "2026-05-01", "title": "Huge", "minutes_body": "x" * 200_001}, "minutes_body"),
    ],
)
def test_a_bad_meeting_writes_nothing(api_as, member, payload, field):
    before = counts()
    response = api_as(member).post(MEETINGS, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert counts() == before


def test_two_meetings_with_one_title_and_date_keep_their_minutes_apart(api_as, member):
    payload = {"date": "2026-05-01", "title": "May meeting", "minutes_body": "Notes"}
    client = api_as(member)
    first = client.post(MEETINGS, payload, format="json")
    second = client.post(MEETINGS, payload, format="json")
    assert (first.status_code, second.status_code) == (201, 201)
    assert Meeting.objects.get(pk=first.json()["id"]).minutes_id != (
        Meeting.objects.get(pk=second.json()["id"]).minutes_id
    )


def test_meeting_detail_lists_decisions_and_action_items(api_as, member, meeting, decision, voters):
    services.vote_cast(actor=voters[0].user, decision_id=decision.pk, choice="for")
    services.action_item_create(
        actor=member,
        meeting_id=meeting.pk,
        text="Publish the policy",
        owner=voters[1],
        due=datetime.date(2026, 5, 1),
    )
    body = api_as(member).get(f"{MEETINGS}{meeting.pk}/").json()
    assert body["agenda"] == "1. Referral policy"
    assert [row["id"] for row in body["decisions"]] == [decision.pk]
    assert body["decisions"][0]["outcome"] == "no_quorum"
    assert body["decisions"][0]["outcome_label"] == "No quorum"
    assert body["action_items"][0]["text"] == "Publish the policy"
    assert body["action_items"][0]["owner"]["id"] == voters[1].pk


def test_a_missing_meeting_is_404(api_as, member):
    assert api_as(member).get(f"{MEETINGS}999/").status_code == 404


def test_meeting_list_query_count(api_as, member, voters, django_assert_max_num_queries):
    for number in range(30):
        services.meeting_create(
            actor=member,
            title=f"Meeting {number}",
            date=datetime.date(2026, 1, 1) + datetime.timedelta(days=number),
            attendees=[voter.pk for voter in voters],
            minutes_body="Notes" if number % 2 else None,
        )
    client = api_as(fresh(member))
    # 1 roles, 2 member record, 3 count, 4 the 25 meetings with their minutes pages,
    # 5 their attendees.
    with django_assert_max_num_queries(5):
        response = client.get(MEETINGS)
    assert len(response.json()["results"]) == 25


def test_meeting_detail_query_count(
    api_as, member, meeting, decision, voters, django_assert_max_num_queries
):
    for voter in voters:
        services.vote_cast(actor=voter.user, decision_id=decision.pk, choice="for")
    services.action_item_create(
        actor=member, meeting_id=meeting.pk, text="Do it", owner=voters[0], due=timezone.localdate()
    )
    client = api_as(fresh(member))
    # 1 roles, 2 member record, 3 the meeting with its minutes, 4 attendees, 5 decisions,
    # 6 their votes with the voters, 7 action items with their owners.
    with django_assert_max_num_queries(7):
        response = client.get(f"{MEETINGS}{meeting.pk}/")
    assert response.status_code == 200


def test_meeting_create_query_count(api_as, member, voters, django_assert_max_num_queries):
    client = api_as(fresh(member))
    # 1 roles, 2 member record; service: 3 savepoint, 4 insert meeting, 5 the attendees,
    # 6 attendees already linked, 7 link attendees, 8 release (no minutes page);
    # answer: 9 the meeting, 10 attendees, 11 decisions, 12 action items.
    with django_assert_max_num_queries(12):
        response = client.post(
            MEETINGS,
            {"date": "2026-05-01", "title": "May", "attendees": [voter.pk for voter in voters]},
            format="json",
        )
    assert response.status_code == 201


# --- Action items --------------------------------------------------------------------------


def items_url(meeting, suffix=""):
    return f"{MEETINGS}{meeting.pk}/action-items/{suffix}"


@pytest.mark.parametrize(("role", "expected"), permission_cases(201))
def test_action_items_are_for_members(api_as, caller, role, expected, meeting, voters):
    client = api_as(caller(role))
    payload = {"text": "Draft the policy", "owner": voters[0].pk, "due": "2026-05-01"}
    assert client.post(items_url(meeting), payload, format="json").status_code == expected
    refused = expected in (401, 403)
    assert client.get(items_url(meeting)).status_code == (expected if refused else 200)
    assert ActionItem.objects.count() == (1 if expected == 201 else 0)


def test_an_action_item_is_added_and_marked_done(api_as, member, meeting, voters):
    client = api_as(member)
    response = client.post(
        items_url(meeting),
        {"text": "Draft the policy", "owner": voters[0].pk, "due": "2026-05-01"},
        format="json",
    )
    assert response.status_code == 201
    item = response.json()
    assert item["owner"] == {"id": voters[0].pk, "display_name": voters[0].display_name}
    assert item["done_at"] is None and item["meeting"] == meeting.pk
    assert [row["id"] for row in client.get(items_url(meeting)).json()] == [item["id"]]

    done = client.post(items_url(meeting, f"{item['id']}/done/"))
    assert done.status_code == 200
    assert done.json()["done_at"] is not None
    assert ActionItem.objects.get().done_at is not None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"text": "", "owner": "VOTER", "due": "2026-05-01"}, "text"),
        ({"text": "Do", "owner": 10**9, "due": "2026-05-01"}, "owner"),
        ({"text": "Do", "due": "2026-05-01"}, "owner"),
        ({"text": "Do", "owner": "VOTER", "due": "soon"}, "due"),
        ({"text": "x" * 501, "owner": "VOTER", "due": "2026-05-01"}, "text"),
    ],
)
def test_a_bad_action_item_writes_nothing(api_as, member, meeting, voters, payload, field):
    payload = {key: voters[0].pk if value == "VOTER" else value for key, value in payload.items()}
    before = counts()
    response = api_as(member).post(items_url(meeting), payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert counts() == before


def test_action_items_of_a_missing_meeting_or_another_meeting_are_404(
    api_as, member, meeting, voters
):
    other = services.meeting_create(actor=member, title="Other", date=datetime.date(2026, 1, 1))
    item = services.action_item_create(
        actor=member, meeting_id=other.pk, text="Do", owner=voters[0], due=timezone.localdate()
    )
    client = api_as(member)
    assert client.get(f"{MEETINGS}999/action-items/").status_code == 404
    assert client.post(items_url(meeting, f"{item.pk}/done/")).status_code == 404
    assert ActionItem.objects.get().done_at is None


@pytest.mark.parametrize(
    ("meeting_id", "item_id"), [(10**30, "ITEM"), ("MEETING", 2**63), ("MEETING", 0)]
)
def test_an_action_item_id_no_row_can_have_is_404_not_a_server_error(
    api_as, member, meeting, voters, meeting_id, item_id
):
    """SQLite's driver cannot take an integer beyond 8 bytes (found by `make fuzz`)."""
    item = services.action_item_create(
        actor=member, meeting_id=meeting.pk, text="Do", owner=voters[0], due=timezone.localdate()
    )
    meeting_id = meeting.pk if meeting_id == "MEETING" else meeting_id
    item_id = item.pk if item_id == "ITEM" else item_id

    response = api_as(member).post(f"{MEETINGS}{meeting_id}/action-items/{item_id}/done/")

    assert response.status_code == 404
    assert ActionItem.objects.get().done_at is None


def test_action_item_done_is_for_members(api_as, applicant, meeting, voters):
    item = services.action_item_create(
        actor=meeting.created_by,
        meeting_id=meeting.pk,
        text="Do",
        owner=voters[0],
        due=timezone.localdate(),
    )
    for client, refused in ((api_as(None), 401), (api_as(applicant), 403)):
        assert client.post(items_url(meeting, f"{item.pk}/done/")).status_code == refused
    assert ActionItem.objects.get().done_at is None


def test_action_items_query_count(api_as, member, meeting, voters, django_assert_max_num_queries):
    for number in range(10):
        services.action_item_create(
            actor=member,
            meeting_id=meeting.pk,
            text=f"Item {number}",
            owner=voters[number % 3],
            due=timezone.localdate(),
        )
    client = api_as(fresh(member))
    # 1 roles, 2 member record, 3 the meeting exists, 4 its items with their owners.
    with django_assert_max_num_queries(4):
        response = client.get(items_url(meeting))
    assert len(response.json()) == 10


@pytest.mark.parametrize("attendee", [2**63, -(2**63) - 1, 0])
def test_an_attendee_id_out_of_range_is_400_not_a_server_error(api_as, member, attendee):
    """SQLite's driver cannot take an integer beyond 8 bytes (found by the API fuzzer)."""
    response = api_as(member).post(
        MEETINGS,
        {"date": "2026-05-01", "title": "May meeting", "attendees": [attendee]},
        format="json",
    )

    assert response.status_code == 400
    assert "attendees" in response.json()
    assert not Meeting.objects.exists()


def test_the_action_items_list_matches_the_schema(api_as, member, meeting, voters):
    """The items come as one list; the schema documented pages (found by the API fuzzer)."""
    services.action_item_create(
        actor=member, meeting_id=meeting.pk, text="Do", owner=voters[0], due=timezone.localdate()
    )

    response = api_as(member).get(items_url(meeting))

    assert len(response.json()) == 1
    assert_matches_schema(response, "GET /api/v1/handbook/meetings/{id}/action-items/")
