"""The meetings API: meetings and their minutes, decisions whose outcome is computed from the
votes, votes that replace earlier votes on the record, and action items. Members only."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from handbook import services
from handbook.models import ActionItem, Decision, Meeting, Page, Vote
from network.models import Consultant
from tests.factories import ConsultantFactory
from tests.helpers import assert_matches_schema, fresh

pytestmark = pytest.mark.django_db

MEETINGS = "/api/v1/handbook/meetings/"
DECISIONS = "/api/v1/handbook/decisions/"
ROLES = {"anonymous": 401, "applicant": 403, "member": None, "admin": None}


@pytest.fixture
def applicant(db):
    return ConsultantFactory(status=Consultant.Status.APPLICANT).user


@pytest.fixture
def caller(request):
    def make(role):
        return None if role == "anonymous" else request.getfixturevalue(role)

    return make


@pytest.fixture
def voters(db):
    """Three active members, eligible to vote on the decisions made here."""
    return [ConsultantFactory(status=Consultant.Status.ACTIVE) for _ in range(3)]


@pytest.fixture
def meeting(member, voters):
    return services.meeting_create(
        actor=member,
        title="Spring general meeting",
        date=datetime.date(2026, 4, 2),
        attendees=[voter.pk for voter in voters],
        agenda="1. Referral policy",
    )


@pytest.fixture
def decision(member, meeting, voters):
    """Opened by ``member``: the member and the three voters may vote; the quorum is 2 of 4."""
    return services.decision_create(
        actor=member,
        meeting=meeting,
        text="Adopt the outside-referral policy.",
        rule=Decision.Rule.TWO_THIRDS,
    )


@pytest.fixture
def latecomer(decision):
    """A member admitted after the decision was opened: not among its eligible members."""
    return ConsultantFactory(status=Consultant.Status.ACTIVE).user


def permission_cases(success):
    return [(role, expected or success) for role, expected in ROLES.items()]


def counts():
    return (
        Meeting.objects.count(),
        Decision.objects.count(),
        Vote.objects.count(),
        ActionItem.objects.count(),
        Page.objects.count(),
    )


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


# --- Decisions -----------------------------------------------------------------------------


def decision_url(decision, suffix=""):
    return f"{DECISIONS}{decision.pk}/{suffix}"


@pytest.mark.parametrize(("role", "expected"), permission_cases(200))
def test_decision_reads_are_for_members(api_as, caller, role, expected, decision):
    client = api_as(caller(role))
    assert client.get(DECISIONS).status_code == expected
    assert client.get(decision_url(decision)).status_code == expected


@pytest.mark.parametrize(("role", "expected"), permission_cases(201))
def test_decision_create_is_for_members(api_as, caller, role, expected, voters):
    response = api_as(caller(role)).post(
        DECISIONS,
        {"text": "Raise the alliance share to 2 %.", "rule": "simple_majority"},
        format="json",
    )
    assert response.status_code == expected
    assert Decision.objects.count() == (1 if expected == 201 else 0)


def test_a_decision_is_created_with_its_meeting_and_adopted_revision(
    api_as, member, meeting, voters
):
    policy = services.page_create(actor=member, title="Referral policy", category="policy")
    response = api_as(member).post(
        DECISIONS,
        {
            "meeting": meeting.pk,
            "text": "Adopt the referral policy.",
            "rule": "two_thirds",
            "closes_at": "2026-05-01T17:00:00Z",
            "adopted_revision": policy.latest_revision_id,
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["meeting"] == meeting.pk and body["rule"] == "two_thirds"
    # Every working member may vote (the three voters and the member who opened it), and the
    # quorum is half of them.
    working = {voter.pk for voter in voters} | {member.consultant.pk}
    assert {member["id"] for member in body["eligible"]} == working
    assert (body["quorum"], body["quorum_percent"]) == (2, 50)
    assert body["adopted_revision"]["id"] == policy.latest_revision_id
    assert body["adopted_revision"]["page"] == {"title": "Referral policy", "slug": policy.slug}
    assert body["outcome"] == "no_quorum" and body["outcome_label"] == "No quorum"
    assert body["tally"] == {"for": 0, "against": 0, "abstain": 0, "block": 0, "voted": 0}
    assert body["votes"] == [] and body["superseded_votes"] == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"text": ""}, "text"),
        ({"rule": "unanimity"}, "rule"),
        ({"meeting": 10**9}, "meeting"),
        ({"adopted_revision": 10**9}, "adopted_revision"),
        ({"closes_at": "tomorrow"}, "closes_at"),
        # Found by `make fuzz`: answered 201 with a local time whose offset had seconds in it.
        ({"closes_at": "0001-12-31T23:59:59Z"}, "closes_at"),
        ({"closes_at": "1999-12-31T23:59:59Z"}, "closes_at"),
    ],
)
def test_a_bad_decision_writes_nothing(api_as, member, voters, change, field):
    payload = {"text": "A motion", "rule": "consensus", **change}
    before = counts()
    response = api_as(member).post(DECISIONS, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert counts() == before


def test_the_register_filters_by_meeting(api_as, member, decision, voters):
    services.decision_create(actor=member, text="Unattached", rule="consensus")
    client = api_as(member)
    assert client.get(DECISIONS).json()["count"] == 2
    rows = client.get(DECISIONS, {"meeting": decision.meeting_id}).json()["results"]
    assert [row["id"] for row in rows] == [decision.pk]


def test_decision_list_query_count(api_as, member, voters, django_assert_max_num_queries):
    for number in range(30):
        made = services.decision_create(
            actor=member,
            text=f"Motion {number}",
            rule="simple_majority",
        )
        for voter in voters[:2]:  # the quorum: 2 of the 4 working members
            services.vote_cast(actor=voter.user, decision_id=made.pk, choice="for")
    client = api_as(fresh(member))
    # 1 roles, 2 member record, 3 count, 4 the 25 decisions, 5 their votes with the voters.
    with django_assert_max_num_queries(5):
        response = client.get(DECISIONS)
    assert len(response.json()["results"]) == 25
    assert {row["outcome"] for row in response.json()["results"]} == {"passed"}


def test_decision_detail_query_count(
    api_as, member, decision, voters, django_assert_max_num_queries
):
    for voter in voters:
        services.vote_cast(actor=voter.user, decision_id=decision.pk, choice="for")
    client = api_as(fresh(member))
    # 1 roles, 2 member record, 3 the decision with its adopted revision, 4 its votes with
    # the voters, 5 the eligible members.
    with django_assert_max_num_queries(5):
        response = client.get(decision_url(decision))
    assert response.status_code == 200


# --- Votes ---------------------------------------------------------------------------------


def vote(api_as, user, decision, choice, reason=""):
    return api_as(user).post(
        decision_url(decision, "votes/"), {"choice": choice, "reason": reason}, format="json"
    )


def test_an_eligible_member_votes(api_as, decision, voters):
    response = vote(api_as, voters[0].user, decision, "for", "It is overdue.")
    assert response.status_code == 201
    body = response.json()
    assert body["tally"]["for"] == 1 and body["tally"]["voted"] == 1
    assert body["votes"][0]["member"]["id"] == voters[0].pk
    assert body["votes"][0]["reason"] == "It is overdue."


@pytest.mark.parametrize("role", ["anonymous", "applicant", "latecomer", "admin"])
def test_only_eligible_members_vote(api_as, caller, role, decision):
    """Signed-in members not on the list (one admitted after it was opened, and an
    administrator without a member record) are refused like strangers: 403 (401 without
    credentials), and no vote is recorded."""
    response = vote(api_as, caller(role), decision, "for")
    assert response.status_code == (401 if role == "anonymous" else 403)
    assert Vote.objects.count() == 0


def test_a_second_vote_replaces_the_first_and_both_stay_on_record(api_as, decision, voters):
    voter = voters[0].user
    assert vote(api_as, voter, decision, "for").status_code == 201
    response = vote(api_as, voter, decision, "against", "Changed my mind.")
    assert response.status_code == 201

    assert Vote.objects.filter(decision=decision).count() == 2
    assert Vote.objects.filter(decision=decision, superseded_at__isnull=True).count() == 1
    body = response.json()
    assert [row["choice"] for row in body["votes"]] == ["against"]
    assert [row["choice"] for row in body["superseded_votes"]] == ["for"]
    assert body["superseded_votes"][0]["superseded_at"] is not None
    assert body["tally"] == {"for": 0, "against": 1, "abstain": 0, "block": 0, "voted": 1}


def test_a_vote_after_the_decision_closed_is_409(api_as, member, decision, voters):
    vote(api_as, voters[0].user, decision, "for")
    assert api_as(member).post(decision_url(decision, "close/")).status_code == 200
    before = counts()
    response = vote(api_as, voters[1].user, decision, "for")
    assert response.status_code == 409
    assert "closed" in response.json()["detail"]
    assert counts() == before


def test_a_vote_after_the_closing_time_is_409(api_as, member, voters):
    decision = services.decision_create(
        actor=member,
        text="Timed motion",
        rule="consensus",
        closes_at=timezone.now() + datetime.timedelta(hours=1),
    )
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=2)):
        response = vote(api_as, voters[0].user, decision, "for")
        assert response.status_code == 409
        assert api_as(member).get(decision_url(decision)).json()["closed"] is True
    assert Vote.objects.count() == 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"choice": "maybe"}, "choice"),
        ({}, "choice"),
        ({"choice": "for", "reason": "r" * 2001}, "reason"),
    ],
)
def test_a_bad_vote_changes_nothing(api_as, decision, voters, payload, field):
    response = api_as(voters[0].user).post(decision_url(decision, "votes/"), payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Vote.objects.count() == 0


def test_a_vote_on_a_missing_decision_is_404(api_as, voters):
    assert vote(api_as, voters[0].user, Decision(pk=999), "for").status_code == 404


def test_a_two_thirds_decision_follows_the_votes(api_as, member, meeting, voters, settings):
    """Quorum 75 % of 4, that is 3; passes with two for and one against, fails once one of them
    changes."""
    settings.DECISION_QUORUM_PERCENT = 75
    decision = services.decision_create(
        actor=member, meeting=meeting, text="Adopt the policy.", rule=Decision.Rule.TWO_THIRDS
    )
    assert decision.quorum == 3
    first, second, third = (voter.user for voter in voters)

    def outcome():
        return api_as(member).get(decision_url(decision)).json()["outcome"]

    vote(api_as, first, decision, "for")
    vote(api_as, second, decision, "for")
    assert outcome() == "no_quorum"
    vote(api_as, third, decision, "against")
    assert outcome() == "passed"
    vote(api_as, second, decision, "against")
    assert outcome() == "failed"
    # Abstentions count towards the quorum but not towards the two-thirds share.
    vote(api_as, second, decision, "abstain")
    vote(api_as, third, decision, "abstain")
    assert outcome() == "passed"
    body = api_as(member).get(decision_url(decision)).json()
    assert body["tally"] == {"for": 1, "against": 0, "abstain": 2, "block": 0, "voted": 3}
    assert len(body["superseded_votes"]) == 3


def test_vote_query_count(api_as, decision, voters, django_assert_max_num_queries):
    client = api_as(fresh(voters[0].user))
    # 1 roles, 2 member record (the service reuses it), 3 the decision exists; service:
    # 4 savepoint, 5 lock the decision, 6 eligible?, 7 supersede an earlier vote, 8 insert the
    # vote, 9 release; answer: 10 the decision, 11 votes, 12 eligible members.
    with django_assert_max_num_queries(12):
        response = client.post(decision_url(decision, "votes/"), {"choice": "for"}, format="json")
    assert response.status_code == 201


# --- Closing -------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "expected"), permission_cases(200))
def test_the_creator_and_an_administrator_close(api_as, caller, role, expected, decision):
    """``member`` opened the decision; the other roles are in test_decision_governance.py."""
    response = api_as(caller(role)).post(decision_url(decision, "close/"))
    assert response.status_code == expected
    decision.refresh_from_db()
    assert (decision.closed_at is not None) == (expected == 200)


def test_closing_twice_is_409_and_keeps_the_first_time(api_as, member, decision):
    client = api_as(member)
    first = client.post(decision_url(decision, "close/"))
    assert first.status_code == 200 and first.json()["closed"] is True
    closed_at = Decision.objects.get().closed_at
    assert client.post(decision_url(decision, "close/")).status_code == 409
    assert Decision.objects.get().closed_at == closed_at


def test_close_query_count(api_as, member, decision, django_assert_max_num_queries):
    client = api_as(fresh(member))
    # 1 roles, 2 member record, 3 the decision exists; service: 4 savepoint, 5 lock, 6 update,
    # 7 release; answer: 8 the decision, 9 votes, 10 eligible members.
    with django_assert_max_num_queries(10):
        response = client.post(decision_url(decision, "close/"))
    assert response.status_code == 200


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
