"""A statement that waits for a member who stopped working (``intake/bids/settlement.py``,
``statement_approve_on_behalf``): the member can no longer open the bid, so a staff coordinator
records their approval on their behalf, with a reason, and it is recorded as such: on the
approval, in the bid's log, on the statement (API and workspace) and in the member's email. It
is refused while the member still works, and for anyone but a staff coordinator.

Refusals are checked as in the other bid tests: the exception or the answer, and a snapshot of every
bid row before and after.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from intake.bids import rules, settlement
from intake.bids.models import BidEvent, Settlement, StatementApproval
from intake.bids.notifications import StatementKind
from intake.models import Notification, Request, RequestEvent
from network import services as network_services
from network.models import Consultant, User
from network.templatetags.money import format_money
from tests.bids.helpers import (
    assert_unchanged,
    fresh,
    log,
    member,
    snapshot,
    working_bid,
)
from tests.factories import ConsultantFactory
from tests.helpers import assert_matches_schema

pytestmark = pytest.mark.django_db

REASON = "Confirmed their 5 hours and the payout by phone before going on leave."
ON_LEAVE, ALUMNI, FORMER = "on_leave", "alumni", "former"


@pytest.fixture
def proposed(db, intake_coordinator):
    """A bid at work with a lead and two members; 5 h logged; the lead proposed the statement."""
    lead, second, third = member("100.00"), member("80.00"), member("60.00")
    bid = working_bid(intake_coordinator, lead, second, third)
    log(bid, second, "5")
    settlement.bid_settle(bid_id=bid.pk, actor=lead.user)
    return fresh(bid), lead, second, third


def stop_working(consultant, status=ON_LEAVE) -> Consultant:
    network_services.consultant_set_status(
        consultant=consultant, status=status, reason="Stepping back"
    )
    return Consultant.objects.get(pk=consultant.pk)


def as_loaded(user) -> User:
    """The account as a new request loads it (no member record cached from an earlier call)."""
    return User.objects.get(pk=user.pk)


def approve(bid, *consultants) -> None:
    for consultant in consultants:
        settlement.statement_approve(bid_id=bid.pk, actor=as_loaded(consultant.user))


def approve_for(bid, actor, consultant, reason=REASON, **fields) -> StatementApproval:
    return settlement.statement_approve_on_behalf(
        bid_id=bid.pk, actor=actor, consultant=consultant.pk, reason=reason, **fields
    )


# --- The stuck statement, and how it moves on --------------------------------------------------


def test_a_statement_waiting_for_a_member_on_leave_is_approved_on_their_behalf(
    proposed, intake_coordinator
):
    """The second member went on leave before approving and can no longer open the bid; the
    intake coordinator records the approval for them with a reason. It is the last one: the
    statement is final, the bid settled and the request completed in the coordinator's name."""
    bid, lead, second, third = proposed
    approve(bid, lead, third)
    stop_working(second)

    approval = approve_for(bid, intake_coordinator, second)

    assert (approval.consultant, approval.recorded_by) == (second, intake_coordinator)
    assert approval.on_behalf_reason == REASON and approval.on_behalf
    statement = settlement.live_statement(fresh(bid))
    assert statement.state == Settlement.State.FINAL
    assert fresh(bid).status == "settled"
    assert fresh(bid).request.status == Request.Status.COMPLETED
    event = BidEvent.objects.get(bid=bid, action="statement_approved", data__consultant=second.pk)
    assert event.actor == intake_coordinator
    assert (event.note, event.data["on_behalf"], event.data["last"]) == (REASON, True, True)
    settled = RequestEvent.objects.filter(request=bid.request).latest("pk")
    assert (settled.action, settled.actor) == ("settle_bid", intake_coordinator)


@pytest.mark.parametrize("status", [ON_LEAVE, ALUMNI, FORMER])
def test_a_member_who_stopped_working_cannot_open_the_bid_to_approve(proposed, client, status):
    """Why the statement was stuck: the bid pages and API answer them 403."""
    bid, _lead, second, _third = proposed
    stop_working(second, status)
    client.force_login(second.user)

    assert client.get(reverse("bid-workspace", args=[bid.pk])).status_code == 403
    answer = client.post(f"/api/v1/bids/{bid.pk}/statement/approve/", {"version": bid.version})
    assert answer.status_code == 403


def test_an_approval_on_behalf_that_is_not_the_last_leaves_the_statement_proposed(
    proposed, community_coordinator
):
    bid, lead, second, _third = proposed
    stop_working(second, ALUMNI)

    approve_for(bid, community_coordinator, second)

    statement = settlement.live_statement(fresh(bid))
    assert statement.state == Settlement.State.PROPOSED
    assert fresh(bid).request.status == Request.Status.ENGAGED
    approvals = list(statement.approvals.values_list("consultant", "recorded_by"))
    assert approvals == [(second.pk, community_coordinator.pk)]
    approve(bid, lead)
    assert settlement.live_statement(fresh(bid)).state == Settlement.State.PROPOSED


def test_the_lead_who_stopped_working_is_approved_for_and_the_last_member_closes_it(
    proposed, admin
):
    """The lead (the proposer) went on leave before approving: an administrator approves for
    them, and the last working member's approval closes the request in that member's name."""
    bid, lead, second, third = proposed
    stop_working(lead)

    approve_for(bid, admin, lead)
    approve(bid, second, third)

    assert fresh(bid).request.status == Request.Status.COMPLETED
    settled = RequestEvent.objects.filter(request=bid.request).latest("pk")
    assert settled.actor == third.user


def test_recording_it_again_answers_the_first_approval(proposed, intake_coordinator):
    bid, _lead, second, _third = proposed
    stop_working(second)
    first = approve_for(bid, intake_coordinator, second)

    again = approve_for(bid, intake_coordinator, second, reason="A second reason")

    assert again.pk == first.pk and again.on_behalf_reason == REASON
    assert BidEvent.objects.filter(bid=bid, action="statement_approved").count() == 1


# --- Refusals --------------------------------------------------------------------------------


def test_a_member_who_still_works_approves_themself(proposed, intake_coordinator):
    """409: the member must approve (or dispute) the figures themself."""
    bid, _lead, second, _third = proposed
    before = snapshot()

    with pytest.raises(rules.BidConflict) as conflict:
        approve_for(bid, intake_coordinator, second)

    assert "working member" in str(conflict.value)
    assert_unchanged(before)


@pytest.mark.parametrize(
    "who", ["lead", "team_member", "outsider", "group_coordinator", "secretary", "nobody"]
)
def test_only_a_staff_coordinator_approves_on_a_members_behalf(
    proposed, who, group_coordinator, secretary
):
    bid, lead, second, third = proposed
    stop_working(second)
    actor = {
        "lead": lead.user,
        "team_member": third.user,
        "outsider": member().user,
        "group_coordinator": group_coordinator,
        "secretary": secretary,
        "nobody": None,
    }[who]
    before = snapshot()

    with pytest.raises(PermissionDenied):
        approve_for(bid, actor, second)

    assert_unchanged(before)


def test_a_coordinator_who_stopped_working_holds_no_such_right(proposed, intake_coordinator):
    """The intake coordinator is also a member; on leave, they lose the role and this right."""
    bid, _lead, second, _third = proposed
    stop_working(second)
    stop_working(Consultant.objects.get(user=intake_coordinator))
    before = snapshot()

    with pytest.raises(PermissionDenied):
        approve_for(bid, as_loaded(intake_coordinator), second)

    assert_unchanged(before)


def test_nobody_approves_on_their_own_behalf(proposed, admin):
    """An administrator whose own member record sits on the team and stopped working."""
    bid, _lead, second, _third = proposed
    second.user = admin
    Consultant.objects.filter(pk=second.pk).update(user=admin, status=ON_LEAVE)
    before = snapshot()

    with pytest.raises(PermissionDenied):
        approve_for(bid, as_loaded(admin), second)

    assert_unchanged(before)


@pytest.mark.parametrize("reason", ["", "   ", None, "x" * 1001])
def test_an_approval_on_behalf_needs_a_reason(proposed, intake_coordinator, reason):
    bid, _lead, second, _third = proposed
    stop_working(second)
    before = snapshot()

    with pytest.raises(ValidationError) as error:
        approve_for(bid, intake_coordinator, second, reason=reason)

    assert list(error.value.message_dict) == ["reason"]
    assert_unchanged(before)


@pytest.mark.parametrize("whom", ["outsider", "invited", "nonsense", "flag"])
def test_an_approval_on_behalf_is_for_a_member_on_the_team(proposed, intake_coordinator, whom):
    bid, _lead, _second, _third = proposed
    invited = ConsultantFactory()
    bid.members.create(consultant=invited, role="QA", estimated_hours=1, standard_rate=0,
                       status="invited")  # fmt: skip
    Consultant.objects.filter(pk=invited.pk).update(status=ON_LEAVE)
    value = {"outsider": stop_working(member()).pk, "invited": invited.pk, "nonsense": "x",
             "flag": True}[whom]  # fmt: skip
    before = snapshot()

    with pytest.raises(ValidationError) as error:
        settlement.statement_approve_on_behalf(
            bid_id=bid.pk, actor=intake_coordinator, consultant=value, reason=REASON
        )

    assert list(error.value.message_dict) == ["consultant"]
    assert_unchanged(before)


@pytest.mark.parametrize("stage", ["stale", "disputed", "final"])
def test_an_approval_on_behalf_with_no_statement_out_or_a_stale_version_is_a_conflict(
    proposed, intake_coordinator, stage
):
    bid, lead, second, third = proposed
    version = fresh(bid).version
    if stage == "disputed":
        settlement.statement_dispute(bid_id=bid.pk, actor=third.user, reason="Wrong")
    if stage == "final":
        approve(bid, lead, second, third)
    stop_working(second)
    before = snapshot()

    with pytest.raises(rules.BidConflict):
        approve_for(bid, intake_coordinator, second, version=version - 1 if stage == "stale"
                    else None)  # fmt: skip

    assert_unchanged(before)


# --- The record: database, email ------------------------------------------------------------


def test_the_database_refuses_an_approval_on_behalf_without_its_reason_or_its_coordinator(
    proposed, intake_coordinator
):
    bid, _lead, second, third = proposed
    statement = Settlement.objects.get(bid=bid)
    for fields in (
        {"consultant": second, "recorded_by": intake_coordinator, "on_behalf_reason": ""},
        {"consultant": third, "on_behalf_reason": "Nobody recorded it"},
    ):
        with pytest.raises(IntegrityError):
            with transaction.atomic():
                StatementApproval.objects.create(settlement=statement, **fields)
    assert not statement.approvals.exists()


@pytest.mark.parametrize(
    "values", [{"on_behalf_reason": "Edited later"}, {"recorded_by": None, "on_behalf_reason": ""}]
)
def test_an_approval_on_behalf_cannot_change_in_the_database(proposed, intake_coordinator, values):
    """The triggers of migration 0005 survive the table rebuilt by 0009."""
    bid, _lead, second, _third = proposed
    stop_working(second)
    approve_for(bid, intake_coordinator, second)
    rows = StatementApproval.objects.filter(settlement__bid=bid)
    before = list(rows.values())

    with pytest.raises(IntegrityError):
        with transaction.atomic():
            rows.update(**values)

    assert list(rows.values()) == before


def test_the_member_and_the_team_are_told_who_approved_for_whom_and_why(
    proposed, intake_coordinator, django_capture_on_commit_callbacks
):
    bid, lead, second, third = proposed
    stop_working(second)

    with django_capture_on_commit_callbacks(execute=True):
        approve_for(bid, intake_coordinator, second)

    for_you = Notification.objects.get(kind=StatementKind.APPROVED_FOR_YOU)
    assert for_you.recipient_email == second.user.email
    coordinator_name = Consultant.objects.get(user=intake_coordinator).display_name
    assert for_you.subject.startswith(f"{coordinator_name} approved the statement")
    assert "on your behalf" in for_you.subject
    line = next(line for line in bid.settlements.get().lines if line["consultant"] == second.pk)
    assert REASON in for_you.body_text
    assert f"your payout: {format_money(line['payout'], 'USD')}" in for_you.body_text
    assert REASON in for_you.body_html
    told = Notification.objects.filter(kind=StatementKind.APPROVED)
    assert sorted(told.values_list("recipient_email", flat=True)) == sorted(
        [lead.user.email, third.user.email]
    )
    body = told[0].body_text
    assert f"on behalf of {second.display_name}" in body and REASON in body

    with django_capture_on_commit_callbacks(execute=True):
        approve(bid, lead, third)
    final = Notification.objects.filter(kind=StatementKind.FINAL)
    assert final.count() == 3
    assert all(
        f"approved it on behalf of {second.display_name}" in notice.body_text
        and REASON in notice.body_text
        for notice in final
    )


# --- The API -----------------------------------------------------------------------------------


def url(bid) -> str:
    return f"/api/v1/bids/{bid.pk}/statement/approve-on-behalf/"


def test_a_coordinator_approves_on_a_members_behalf_through_the_api(
    proposed, api_as, intake_coordinator
):
    bid, lead, second, _third = proposed
    stop_working(second, FORMER)

    response = api_as(intake_coordinator).post(
        url(bid), {"version": bid.version, "consultant": second.pk, "reason": REASON}
    )

    assert response.status_code == 200, response.json()
    (approval,) = response.json()["approvals"]
    coordinator_name = Consultant.objects.get(user=intake_coordinator).display_name
    assert approval["consultant"] == second.pk
    assert (approval["on_behalf"], approval["recorded_by"]) == (True, coordinator_name)
    assert approval["on_behalf_reason"] == REASON
    assert_matches_schema(response, "POST /api/v1/bids/{id}/statement/approve-on-behalf/")
    statement = api_as(lead.user).get(f"/api/v1/bids/{bid.pk}/statement/")
    assert statement.json()["approvals"][0]["recorded_by"] == coordinator_name
    assert_matches_schema(statement, "GET /api/v1/bids/{id}/statement/")


def test_a_members_own_approval_shows_no_coordinator_in_the_api(proposed, api_as):
    bid, lead, _second, _third = proposed
    approve(bid, lead)

    response = api_as(lead.user).get(f"/api/v1/bids/{bid.pk}/statement/")

    (approval,) = response.json()["approvals"]
    assert (approval["on_behalf"], approval["recorded_by"], approval["on_behalf_reason"]) == (
        False, None, ""
    )  # fmt: skip


@pytest.mark.parametrize("who", ["lead", "team_member", "outsider"])
def test_members_may_not_approve_on_a_members_behalf_through_the_api(proposed, api_as, who):
    """403 whatever the body holds: the right is checked before the body is read."""
    bid, lead, second, third = proposed
    stop_working(second)
    actor = {"lead": lead.user, "team_member": third.user, "outsider": member().user}[who]
    before = snapshot()

    empty = api_as(actor).post(url(bid), {})
    whole = api_as(actor).post(
        url(bid), {"version": bid.version, "consultant": second.pk, "reason": REASON}
    )

    assert (empty.status_code, whole.status_code) == (403, 403)
    assert_unchanged(before)


def test_the_api_refuses_a_working_member_with_409(proposed, api_as, intake_coordinator):
    bid, _lead, second, _third = proposed
    before = snapshot()

    response = api_as(intake_coordinator).post(
        url(bid), {"version": bid.version, "consultant": second.pk, "reason": REASON}
    )

    assert response.status_code == 409
    assert response.json()["version"] == bid.version
    assert_unchanged(before)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"consultant": "{second}", "reason": ""}, "reason"),
        ({"consultant": "{second}"}, "reason"),
        ({"reason": REASON}, "consultant"),
    ],
)
def test_the_api_refuses_a_missing_field_with_400(
    proposed, api_as, intake_coordinator, body, field
):
    bid, _lead, second, _third = proposed
    stop_working(second)
    body = {key: second.pk if value == "{second}" else value for key, value in body.items()}
    before = snapshot()

    response = api_as(intake_coordinator).post(url(bid), {"version": bid.version, **body})

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert_unchanged(before)


# --- The workspace -------------------------------------------------------------------------------


def page(bid) -> str:
    return reverse("bid-workspace", args=[bid.pk])


def test_the_workspace_offers_coordinators_the_approval_on_behalf_and_shows_it(
    proposed, client, intake_coordinator
):
    bid, lead, second, _third = proposed
    stop_working(second)

    client.force_login(lead.user)
    html = client.get(page(bid)).content.decode()
    assert f"{second.display_name} is no longer a working member" in html
    assert "Approve on their behalf" not in html
    client.force_login(intake_coordinator)
    html = client.get(page(bid)).content.decode()
    assert "Approve on their behalf" in html
    assert f'<option value="{second.pk}">{second.display_name} (On leave)</option>' in html

    response = client.post(
        reverse("bid-approve-on-behalf", args=[bid.pk]),
        {"version": bid.version, "consultant": second.pk, "reason": REASON},
    )

    assert response.status_code == 302
    client.force_login(lead.user)
    html = client.get(page(bid)).content.decode()
    coordinator_name = Consultant.objects.get(user=intake_coordinator).display_name
    assert f"Approved by {coordinator_name} on behalf of {second.display_name}" in html
    assert REASON in html
    assert "is no longer a working member" not in html
    history = client.get(page(bid) + "?section=history").content.decode()
    assert "Approved the statement on behalf of a member who no longer works" in history


def test_no_approval_on_behalf_is_offered_while_every_member_works(
    proposed, client, intake_coordinator
):
    bid, _lead, _second, _third = proposed
    client.force_login(intake_coordinator)

    html = client.get(page(bid)).content.decode()

    assert "Approve on their behalf" not in html and "no longer a working member" not in html


def test_the_workspace_refuses_a_working_member_and_no_reason_with_400(
    proposed, client, intake_coordinator
):
    bid, _lead, second, third = proposed
    stop_working(second)
    client.force_login(intake_coordinator)
    action = reverse("bid-approve-on-behalf", args=[bid.pk])
    before = snapshot()

    working = client.post(
        action, {"version": bid.version, "consultant": third.pk, "reason": REASON}
    )
    blank = client.post(action, {"version": bid.version, "consultant": second.pk, "reason": ""})

    assert working.status_code == 303
    assert working["Location"] == page(bid) + "?section=settlement"
    (message,) = [str(m) for m in working.wsgi_request._messages._queued_messages]
    assert message.startswith("The approval was not recorded.") and "is a working member" in message
    assert blank.status_code == 400
    assert "This field is required." in blank.content.decode()
    assert f'<option value="{second.pk}" selected>' in blank.content.decode()
    assert_unchanged(before)


def test_a_member_may_not_post_an_approval_on_behalf_from_the_workspace(proposed, client):
    bid, lead, second, _third = proposed
    stop_working(second)
    client.force_login(lead.user)
    before = snapshot()

    response = client.post(reverse("bid-approve-on-behalf", args=[bid.pk]), {})

    assert response.status_code == 403
    assert_unchanged(before)
