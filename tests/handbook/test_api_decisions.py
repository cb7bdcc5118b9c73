"""The decisions API: decisions whose outcome is computed from the votes, votes that replace
earlier votes on the record, and closing. Members only."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from handbook import services
from handbook.models import Decision, Vote
from network.models import Consultant
from tests.factories import ConsultantFactory
from tests.helpers import fresh
from tests.helpers import handbook_permission_cases as permission_cases
from tests.helpers import handbook_record_counts as counts

pytestmark = pytest.mark.django_db

DECISIONS = "/api/v1/handbook/decisions/"


@pytest.fixture
def latecomer(decision):
    """A member admitted after the decision was opened: not among its eligible members."""
    return ConsultantFactory(status=Consultant.Status.ACTIVE).user


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
    # 1 roles, 2 member record, 3 the decision exists, 4 whether it decides a proposed change;
    # service: 5 savepoint, 6 lock, 7 update, 8 release; answer: 9 the decision, 10 votes,
    # 11 eligible members.
    with django_assert_max_num_queries(11):
        response = client.post(decision_url(decision, "close/"))
    assert response.status_code == 200
