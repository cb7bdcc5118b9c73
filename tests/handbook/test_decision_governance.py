"""The integrity of the alliance's decisions, through the API and the pages: who closes a vote,
who votes and what quorum (set by the rules, never by whoever opens the decision), and what a
refused request leaves behind (nothing)."""

import datetime
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from handbook import services
from handbook.models import Decision
from handbook.record_views import CHOSEN_BY_CREATOR
from network.models import Consultant
from tests.factories import ConsultantFactory, DecisionFactory
from tests.helpers import api_schema_document, fresh, handbook_record_rows, with_status

pytestmark = pytest.mark.django_db

DECISIONS = "/api/v1/handbook/decisions/"


@pytest.fixture
def opener(db):
    """A working member who records the meeting and opens the decision."""
    return ConsultantFactory(status=Consultant.Status.ACTIVE).user


@pytest.fixture
def on_probation(db):
    """A member on probation who did not open the decision (as the outside probe's member)."""
    return ConsultantFactory(status=Consultant.Status.PROBATION).user


@pytest.fixture
def meeting(opener):
    return services.meeting_create(actor=opener, title="Spring", date=datetime.date(2030, 4, 1))


@pytest.fixture
def open_decision(opener, meeting, on_probation):
    """An open decision of ``opener``'s, its two members eligible, quorum 1. Made row by row,
    as decisions were before the rules set who votes, so it also stands for such a decision."""
    return DecisionFactory(
        meeting=meeting,
        text="Meet monthly",
        rule=Decision.Rule.CONSENSUS,
        quorum=1,
        created_by=opener,
        eligible=[opener.consultant, on_probation.consultant],
    )


def close_url(decision):
    return f"{DECISIONS}{decision.pk}/close/"


# --- Closing a vote -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["on_probation", "member", "group_coordinator"])
def test_a_member_who_did_not_open_the_decision_may_not_close_it(
    api_as, request, open_decision, role
):
    before = handbook_record_rows()

    response = api_as(fresh(request.getfixturevalue(role))).post(close_url(open_decision))

    assert response.status_code == 403
    assert "close" in response.json()["detail"]
    assert handbook_record_rows() == before


@pytest.mark.parametrize(
    "role", ["opener", "secretary", "intake_coordinator", "community_coordinator", "admin"]
)
def test_the_creator_the_secretary_and_staff_close_a_vote(api_as, request, open_decision, role):
    user = request.getfixturevalue(role)

    response = api_as(fresh(user)).post(close_url(open_decision))

    assert response.status_code == 200
    assert response.json()["closed"] is True
    open_decision.refresh_from_db()
    assert open_decision.closed_at is not None and open_decision.closed_by_id == user.pk


@pytest.mark.parametrize("status", [Consultant.Status.ON_LEAVE, Consultant.Status.ALUMNI])
def test_a_creator_who_stopped_working_may_not_close(api_as, opener, open_decision, status):
    before = handbook_record_rows()

    response = api_as(with_status(opener, status)).post(close_url(open_decision))

    assert response.status_code == 403
    assert handbook_record_rows() == before


def test_a_coordinator_whose_member_record_is_on_leave_may_not_close(
    api_as, intake_coordinator, open_decision
):
    before = handbook_record_rows()
    coordinator = with_status(intake_coordinator, Consultant.Status.ON_LEAVE)

    assert api_as(coordinator).post(close_url(open_decision)).status_code == 403
    assert handbook_record_rows() == before


def test_the_page_refuses_to_close_with_the_decision_and_changes_nothing(
    client, on_probation, open_decision
):
    client.force_login(on_probation)
    before = handbook_record_rows()

    response = client.post(reverse("handbook-close", args=[open_decision.pk]))

    assert response.status_code == 403
    assert response.context["problem"].startswith("Only the member who opened this decision")
    assert b'id="decision-problem"' in response.content
    assert reverse("handbook-close", args=[open_decision.pk]).encode() not in response.content
    assert handbook_record_rows() == before


def test_the_page_closes_for_the_secretary_and_names_who_closed(client, secretary, open_decision):
    client.force_login(secretary)

    response = client.post(reverse("handbook-close", args=[open_decision.pk]))

    assert response.status_code == 302
    page = client.get(open_decision.get_absolute_url())
    assert page.context["closed"] and page.context["closed_by"] == secretary.get_username()
    assert f"by {secretary.get_username()}" in page.content.decode()


def test_the_close_button_shows_only_to_those_who_may_close(
    client, opener, on_probation, open_decision
):
    close = reverse("handbook-close", args=[open_decision.pk]).encode()
    client.force_login(on_probation)
    assert close not in client.get(open_decision.get_absolute_url()).content
    client.force_login(opener)
    assert close in client.get(open_decision.get_absolute_url()).content


# --- Who votes and the quorum ---------------------------------------------------------------


def test_eligible_and_quorum_sent_by_the_caller_are_refused(api_as, opener, on_probation):
    """The outside probe's motion: only the caller eligible, quorum 1. Refused, not trimmed."""
    before = handbook_record_rows()
    payload = {
        "text": "Spend the reserve",
        "rule": "simple_majority",
        "eligible": [opener.consultant.pk],
        "quorum": 1,
    }

    response = api_as(fresh(opener)).post(DECISIONS, payload, format="json")

    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"eligible", "quorum"}
    assert all("Set by the alliance's rules" in body[field][0] for field in body)
    assert handbook_record_rows() == before


def test_every_working_member_votes_and_the_quorum_is_half_rounded_up(api_as, opener):
    working = [ConsultantFactory(status=status) for status in Consultant.WORKING_STATUSES * 2]
    for status in (Consultant.Status.APPLICANT, Consultant.Status.ON_LEAVE,
                   Consultant.Status.ALUMNI, Consultant.Status.FORMER):  # fmt: skip
        ConsultantFactory(status=status)

    response = api_as(fresh(opener)).post(
        DECISIONS, {"text": "Meet monthly", "rule": "consensus"}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    expected = {consultant.pk for consultant in working} | {opener.consultant.pk}
    assert {member["id"] for member in body["eligible"]} == expected
    assert (body["quorum"], body["quorum_percent"]) == (3, 50)  # half of 5, rounded up


@pytest.mark.parametrize(("percent", "working", "quorum"), [(34, 4, 2), (100, 4, 4), (1, 4, 1)])
def test_the_quorum_follows_the_setting(opener, settings, percent, working, quorum):
    settings.DECISION_QUORUM_PERCENT = percent
    for _ in range(working - 1):
        ConsultantFactory(status=Consultant.Status.ACTIVE)

    decision = services.decision_create(actor=opener, text="Meet monthly", rule="consensus")

    assert (decision.quorum, decision.quorum_percent) == (quorum, percent)


def test_a_member_alone_cannot_pass_a_motion(api_as, opener, on_probation, member):
    """Opening, voting and closing one's own motion no longer decides anything alone."""
    client = api_as(fresh(opener))
    created = client.post(DECISIONS, {"text": "Pay me", "rule": "consensus"}, format="json")
    url = f"{DECISIONS}{created.json()['id']}/"

    assert client.post(f"{url}votes/", {"choice": "for"}, format="json").status_code == 201
    closed = client.post(f"{url}close/")

    assert closed.status_code == 200
    assert closed.json()["quorum"] == 2 and closed.json()["outcome"] == "no_quorum"


def test_the_eligible_list_and_quorum_are_a_snapshot(opener, on_probation, member):
    decision = services.decision_create(actor=opener, text="Meet monthly", rule="consensus")
    eligible = set(decision.eligible.values_list("pk", flat=True))

    with_status(member, Consultant.Status.ALUMNI)
    ConsultantFactory.create_batch(4, status=Consultant.Status.ACTIVE)

    decision.refresh_from_db()
    assert set(decision.eligible.values_list("pk", flat=True)) == eligible
    assert decision.quorum == 2


@pytest.mark.parametrize("status", [Consultant.Status.ON_LEAVE, Consultant.Status.ALUMNI])
def test_a_member_who_stopped_working_after_opening_no_longer_votes(
    api_as, client, open_decision, on_probation, status
):
    voter = with_status(on_probation, status)
    before = handbook_record_rows()

    response = api_as(voter).post(
        f"{DECISIONS}{open_decision.pk}/votes/", {"choice": "for"}, format="json"
    )
    client.force_login(voter)
    page = client.post(reverse("handbook-vote", args=[open_decision.pk]), {"choice": "for"})

    assert response.status_code == 403 and "Only working members" in response.json()["detail"]
    assert page.status_code == 403
    assert handbook_record_rows() == before
    shown = client.get(open_decision.get_absolute_url())
    assert shown.context["no_longer_working"] and not shown.context["is_eligible"]


def test_a_decision_opened_before_the_rules_keeps_its_list_and_quorum(
    client, opener, open_decision
):
    ConsultantFactory.create_batch(3, status=Consultant.Status.ACTIVE)
    services.decision_create(actor=opener, text="A later motion", rule="consensus")

    open_decision.refresh_from_db()
    assert open_decision.quorum == 1 and open_decision.quorum_percent is None
    assert open_decision.eligible.count() == 2
    client.force_login(opener)
    page = html.unescape(client.get(open_decision.get_absolute_url()).content.decode())
    assert CHOSEN_BY_CREATOR.format(eligible=2, quorum=1) in page
    register = client.get(reverse("handbook-decisions")).content.decode()
    assert "2 chosen · 1 (chosen)" in register
    assert "5 working members · 3 (50 %)" in register


def test_the_decision_page_says_how_its_voters_and_quorum_were_set(client, opener, on_probation):
    decision = services.decision_create(actor=opener, text="Meet monthly", rule="consensus")
    client.force_login(opener)

    page = client.get(decision.get_absolute_url())

    opened = timezone.localdate().strftime("%-d %B %Y")
    assert page.context["how_set"].startswith("Who votes was set by the alliance's rules")
    assert f"the 2 working members (active or on probation) on {opened}" in page.context["how_set"]
    assert "The quorum is 50 % of them, rounded up: 1." in page.context["how_set"]
    assert 'id="eligibility-explanation"' in page.content.decode()


def test_the_schema_takes_neither_eligible_nor_quorum():
    schema = api_schema_document()["components"]["schemas"]
    request = schema["DecisionInputRequest"]

    assert not {"eligible", "quorum"} & set(request["properties"])
    assert "refused with 400" in request["description"]
    assert "quorum_percent" in schema["DecisionDetail"]["properties"]


def test_opening_a_decision_takes_the_same_queries_for_any_number_of_members(
    api_as, opener, django_assert_max_num_queries
):
    ConsultantFactory.create_batch(30, status=Consultant.Status.ACTIVE)
    client = api_as(fresh(opener))
    # 1 roles, 2 member record; service: 3 savepoint, 4 the working members' ids, 5 insert the
    # decision, 6 its eligible members in one insert, 7 release; answer: 8 the decision, 9 its
    # votes, 10 its eligible members.
    with django_assert_max_num_queries(10):
        response = client.post(DECISIONS, {"text": "Meet monthly", "rule": "consensus"})
    assert response.status_code == 201
    assert len(response.json()["eligible"]) == 31
