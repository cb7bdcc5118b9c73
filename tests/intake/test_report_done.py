"""A member reports the work done; a coordinator confirms the completion (``report_done``, a
move that keeps the request engaged): through the workflow's door, its email to the intake
coordinator, "My engagements", the request page and the API; a second report, a stale page and
a team's lead (whose work ends with the bid's settlement) are refused.

The fixtures (languages and a fresh cache, ``offered``) are in tests/intake/conftest.py; the
team's proposal is ``team_proposal_sent`` in tests/intake/helpers.py.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from intake.bids import states
from intake.models import Notification, Request, RequestEvent
from intake.workflow import WorkflowConflict, allowed_moves, request_apply
from tests.factories import ConsultantFactory
from tests.helpers import assert_matches_schema, consultant
from tests.intake.helpers import request_moved as move
from tests.intake.helpers import request_submitted as submit
from tests.intake.helpers import team_proposal_sent, workflow_snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_languages_and_cache")]

S = Request.Status


@pytest.fixture
def engaged(offered, member) -> Request:
    """A request ``member`` accepted (routed and contacted by the intake coordinator)."""
    move(offered.request, "accept", member)
    offered.request.refresh_from_db()
    return offered.request


def report(request: Request, actor, *, version=None):
    request.refresh_from_db()
    return request_apply(
        request_id=request.pk,
        action="report_done",
        actor=actor,
        version=request.version if version is None else version,
        note="Handed over the new database.",
    )


def actions(user, request: Request) -> set[str]:
    request.refresh_from_db()
    return {move.action for move in allowed_moves(user, request)}


# --- The move ----------------------------------------------------------------------------------


def test_the_engaged_member_reports_the_work_done_and_the_request_stays_engaged(
    engaged, member, intake_coordinator, django_capture_on_commit_callbacks
):
    version = engaged.version
    with django_capture_on_commit_callbacks(execute=True):
        event = report(engaged, member)

    engaged.refresh_from_db()
    assert engaged.status == S.ENGAGED
    assert engaged.version == version + 1
    assert engaged.done_reported_at is not None and engaged.done_reported_by == member
    assert engaged.closed_at is None
    assert (event.action, event.from_status, event.to_status) == (
        "report_done",
        "engaged",
        "engaged",
    )
    assert event.note == "Handed over the new database."
    # The intake coordinator who took the request hears of it, and only them.
    (notice,) = Notification.objects.filter(kind="work_reported")
    assert notice.recipient_email == intake_coordinator.email
    assert engaged.reference in notice.subject
    assert consultant(member).display_name in notice.body_text
    assert "marking the request completed" in notice.body_text
    assert reverse("intake-request", args=[engaged.pk]) in notice.body_html
    # The member no longer has the move; the coordinator still confirms with "complete".
    assert "report_done" not in actions(member, engaged)
    assert "complete" in actions(intake_coordinator, engaged)


def test_a_second_report_is_a_conflict_and_changes_nothing(engaged, member):
    report(engaged, member)
    before = workflow_snapshot(engaged)

    with pytest.raises(WorkflowConflict) as refused:
        report(engaged, member)

    assert "already reported done" in str(refused.value)
    assert workflow_snapshot(engaged) == before


def test_only_the_member_serving_the_client_reports(
    engaged, other_member, group_coordinator, intake_coordinator
):
    before = workflow_snapshot(engaged)
    for someone in (other_member, group_coordinator, intake_coordinator):
        with pytest.raises(PermissionDenied):
            report(engaged, someone)
        assert "report_done" not in actions(someone, engaged)
    assert workflow_snapshot(engaged) == before


def test_a_teams_lead_does_not_report_the_work_done(intake_coordinator):
    """A team's work ends with the bid's settlement, which completes the request itself."""
    lead, second = ConsultantFactory(), ConsultantFactory()
    request = submit().request
    bid = team_proposal_sent(request, lead=lead, member=second, coordinator=intake_coordinator)
    states.bid_decide(bid_id=bid.pk, actor=intake_coordinator, won=True)
    request.refresh_from_db()
    assert request.engaged_consultant == lead
    before = workflow_snapshot(request)

    assert "report_done" not in actions(lead.user, request)
    with pytest.raises(WorkflowConflict) as refused:
        report(request, lead.user)
    assert "settling the bid" in str(refused.value)
    assert workflow_snapshot(request) == before


# --- The pages ---------------------------------------------------------------------------------


def test_my_engagements_offers_the_report_and_then_says_it_waits(
    client, signed_in, engaged, member, django_assert_max_num_queries
):
    signed_in(member)
    with django_assert_max_num_queries(10):
        html = client.get(reverse("my-engagements")).content.decode()
    action = reverse("intake-transition", args=[engaged.pk, "report_done"])
    assert f'action="{action}"' in html
    assert "Report the work done" in html

    response = client.post(
        action,
        {"report_done-version": engaged.version, "next": reverse("my-engagements")},
        follow=True,
    )

    assert response.redirect_chain == [(reverse("my-engagements"), 302)]
    html = response.content.decode()
    assert f"Work on {engaged.reference} reported done" in html
    assert "waiting for a coordinator to confirm it" in html
    assert f'action="{action}"' not in html
    engaged.refresh_from_db()
    assert engaged.done_reported_by == member


def test_a_report_from_a_stale_page_goes_back_with_the_reason(client, signed_in, engaged, member):
    stale = engaged.version
    report(engaged, member)
    before = workflow_snapshot(engaged)

    response = signed_in(member).post(
        reverse("intake-transition", args=[engaged.pk, "report_done"]),
        {"report_done-version": stale, "next": reverse("my-engagements")},
    )

    assert response.status_code == 303
    assert response["Location"] == reverse("my-engagements")
    html = client.get(response["Location"]).content.decode()
    assert f"{engaged.reference} changed while you were looking at it, so nothing was done" in html
    assert workflow_snapshot(engaged) == before


def test_the_request_page_asks_the_coordinator_to_confirm_and_completion_follows(
    client, signed_in, engaged, member, intake_coordinator
):
    report(engaged, member)
    engaged.refresh_from_db()

    html = signed_in(member).get(reverse("intake-request", args=[engaged.pk])).content.decode()
    assert "You reported the work done on" in html

    html = (
        signed_in(intake_coordinator)
        .get(reverse("intake-request", args=[engaged.pk]))
        .content.decode()
    )
    assert f"Work reported done by {consultant(member).display_name} on" in html
    assert 'href="#move-complete">confirm completion</a>' in html
    assert "Work reported done" in html[html.index("timeline-title") :]

    response = client.post(
        reverse("intake-transition", args=[engaged.pk, "complete"]),
        {"complete-version": engaged.version, "complete-confirm": "on"},
        follow=True,
    )
    assert f"{engaged.reference} marked completed." in response.content.decode()
    assert Request.objects.get(pk=engaged.pk).status == S.COMPLETED


# --- The API -----------------------------------------------------------------------------------


def transitions(request: Request) -> str:
    return f"/api/v1/requests/{request.pk}/transitions/"


def test_the_api_reports_the_work_done_and_refuses_a_second_report(api_as, engaged, member):
    api = api_as(member)

    response = api.post(
        transitions(engaged), {"action": "report_done", "version": engaged.version}, format="json"
    )

    assert response.status_code == 200, response.content
    assert_matches_schema(response, "POST /api/v1/requests/{id}/transitions/")
    body = response.json()
    assert body["status"] == "engaged" and body["done_reported_at"] is not None
    assert "report_done" not in {row["action"] for row in body["allowed_actions"]}

    events = RequestEvent.objects.count()
    again = api.post(
        transitions(engaged), {"action": "report_done", "version": body["version"]}, format="json"
    )
    stale = api.post(
        transitions(engaged), {"action": "report_done", "version": engaged.version}, format="json"
    )
    assert again.status_code == stale.status_code == 409
    assert "already reported done" in again.json()["detail"]
    assert again.json()["version"] == body["version"]
    assert RequestEvent.objects.count() == events


def test_the_api_refuses_a_report_from_anyone_else(api_as, engaged, intake_coordinator):
    response = api_as(intake_coordinator).post(
        transitions(engaged), {"action": "report_done", "version": engaged.version}, format="json"
    )
    assert response.status_code == 403
    assert Request.objects.get(pk=engaged.pk).done_reported_at is None
