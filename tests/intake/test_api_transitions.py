"""POST /api/v1/requests/<id>/transitions/: every move through the API, and every refusal."""

import pytest

from intake.models import Engagement, Offer, OutsideReferral, Request, RequestEvent
from intake.services import request_submit
from intake.workflow import request_apply
from network.models import Consultant, ConsultantGroup
from tests.factories import (
    ConsultantFactory,
    ExternalProfessionalFactory,
    OfferFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

S = Request.Status


def url(request) -> str:
    return f"/api/v1/requests/{request.pk}/transitions/"


def new_request() -> Request:
    return request_submit(
        organization_name="Tenants Union",
        contact_name="Contact One",
        contact_email="contact@tenants.example.org",
        title="Volunteer scheduling tool",
        description="We schedule 80 volunteers by spreadsheet.",
    ).request


def move(request, action, actor, **fields) -> Request:
    request.refresh_from_db()
    request_apply(
        request_id=request.pk, action=action, actor=actor, version=request.version, **fields
    )
    request.refresh_from_db()
    return request


def send(client, request, action, **fields):
    request.refresh_from_db()
    return client.post(
        url(request), {"action": action, "version": request.version, **fields}, format="json"
    )


@pytest.fixture
def group(group_coordinator) -> ConsultantGroup:
    return ConsultantGroup.objects.get(coordinator__user=group_coordinator)


@pytest.fixture
def consultant(group) -> Consultant:
    member = ConsultantFactory()
    group.members.add(member)
    return member


@pytest.fixture
def at(intake_coordinator, group_coordinator, group, consultant):
    """A request walked through the workflow to the named status."""
    walk = {
        S.CONTACTED: [("contact", intake_coordinator, {})],
        S.TRIAGED: [("triage", intake_coordinator, {})],
        S.ROUTED: [("route", intake_coordinator, {"group": group.pk})],
        S.OFFERED: [("offer", group_coordinator, {"consultant": consultant.pk})],
        S.ENGAGED: [("accept", consultant.user, {})],
    }
    order = [S.CONTACTED, S.TRIAGED, S.ROUTED, S.OFFERED, S.ENGAGED]

    def make(status) -> Request:
        request = new_request()
        if status == S.SUBMITTED:
            return request
        for step in order[: order.index(status) + 1]:
            for action, actor, fields in walk[step]:
                move(request, action, actor, **fields)
        return request

    return make


# --- Each move's happy path ---------------------------------------------------------------


def test_contact_records_first_contact(api_as, at, intake_coordinator):
    request = at(S.SUBMITTED)

    response = send(api_as(intake_coordinator), request, "contact", note="Called them.")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "contacted"
    assert body["version"] == 2
    assert body["events"][-1]["action"] == "contact"
    assert body["events"][-1]["note"] == "Called them."
    request.refresh_from_db()
    assert request.first_contact_at is not None
    assert request.intake_coordinator == intake_coordinator


def test_triage_sets_skills_and_urgency(api_as, at, intake_coordinator):
    request = at(S.CONTACTED)

    response = send(
        api_as(intake_coordinator), request, "triage", skills=["CiviCRM"], urgency="emergency"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "triaged"
    assert response.json()["skills"] == ["CiviCRM"]
    assert response.json()["urgency"] == "emergency"


def test_route_to_a_group(api_as, at, intake_coordinator, group):
    request = at(S.TRIAGED)

    response = send(api_as(intake_coordinator), request, "route", group=group.pk)

    assert response.status_code == 200
    assert response.json()["status"] == "routed"
    assert response.json()["assigned_group"] == {"id": group.pk, "name": group.name}


def test_route_straight_to_a_consultant_makes_an_offer(api_as, at, intake_coordinator, consultant):
    request = at(S.TRIAGED)

    response = send(api_as(intake_coordinator), request, "route", consultant=consultant.pk)

    assert response.status_code == 200
    assert response.json()["status"] == "offered"
    assert Offer.objects.get(request=request).consultant == consultant


def test_group_coordinator_offers_to_a_member(api_as, at, group_coordinator, consultant):
    request = at(S.ROUTED)

    response = send(api_as(group_coordinator), request, "offer", consultant=consultant.pk)

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "offered"
    assert body["offered_consultant"]["id"] == consultant.pk
    assert [offer["status"] for offer in body["offers"]] == ["pending"]


def test_offered_member_accepts(api_as, at, consultant):
    request = at(S.OFFERED)

    response = send(api_as(consultant.user), request, "accept")

    assert response.status_code == 200
    assert response.json()["status"] == "engaged"
    assert response.json()["engaged_consultant"]["id"] == consultant.pk
    assert Engagement.objects.get(request=request).consultant == consultant


def test_offered_member_declines_with_a_reason(api_as, at, consultant):
    request = at(S.OFFERED)

    response = send(api_as(consultant.user), request, "decline", reason="Fully booked.")

    assert response.status_code == 200
    assert response.json()["status"] == "routed"
    assert Offer.objects.get(request=request).status == Offer.Status.DECLINED


def test_start_bidding(api_as, at, intake_coordinator):
    request = at(S.TRIAGED)

    response = send(api_as(intake_coordinator), request, "start_bidding")

    assert response.status_code == 200
    assert response.json()["status"] == "bidding"


def test_refer_out(api_as, at, intake_coordinator):
    request = at(S.CONTACTED)
    professionals = ExternalProfessionalFactory.create_batch(2)

    response = send(
        api_as(intake_coordinator),
        request,
        "refer_out",
        professionals=[p.pk for p in professionals],
        message="These two can help with payroll.",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "referred_out"
    assert body["referrals"][0]["message"] == "These two can help with payroll."
    assert {p["id"] for p in body["referrals"][0]["professionals"]} == {p.pk for p in professionals}


def test_withdraw_closes_an_open_offer(api_as, at, intake_coordinator):
    request = at(S.OFFERED)

    response = send(api_as(intake_coordinator), request, "withdraw", note="Client's wish.")

    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert Offer.objects.get(request=request).status == Offer.Status.WITHDRAWN


def test_mark_spam(api_as, at, intake_coordinator):
    request = at(S.SUBMITTED)

    response = send(api_as(intake_coordinator), request, "mark_spam")

    assert response.status_code == 200
    assert response.json()["status"] == "closed_spam"


def test_staff_completes_an_engagement(api_as, at, community_coordinator):
    request = at(S.ENGAGED)

    response = send(api_as(community_coordinator), request, "complete", note="Done.")

    assert response.status_code == 200
    assert response.json()["status"] == "completed"
    assert Engagement.objects.get(request=request).end is not None


# --- Conflicts ------------------------------------------------------------------------------


def test_stale_version_is_refused_with_the_current_status_and_version(
    api_as, at, intake_coordinator
):
    request = at(S.CONTACTED)
    events_before = RequestEvent.objects.filter(request=request).count()

    response = api_as(intake_coordinator).post(
        url(request), {"action": "triage", "version": 1, "urgency": "high"}, format="json"
    )

    assert response.status_code == 409
    body = response.json()
    assert body["status"] == "contacted"
    assert body["version"] == 2
    assert "reload" in body["detail"]
    request.refresh_from_db()
    assert (request.status, request.version, request.urgency) == ("contacted", 2, "normal")
    assert RequestEvent.objects.filter(request=request).count() == events_before


def test_illegal_move_is_refused_with_409(api_as, at, intake_coordinator):
    request = at(S.SUBMITTED)

    response = send(api_as(intake_coordinator), request, "triage")

    assert response.status_code == 409
    assert response.json()["status"] == "submitted"
    assert response.json()["version"] == 1
    assert RequestEvent.objects.filter(request=request).count() == 1


# --- Who may move what ------------------------------------------------------------------------


def test_group_coordinator_may_not_withdraw(api_as, at, group_coordinator):
    request = at(S.ROUTED)

    response = send(api_as(group_coordinator), request, "withdraw")

    assert response.status_code == 403
    assert Request.objects.get(pk=request.pk).status == "routed"


def test_intake_coordinator_may_not_accept_for_a_member(api_as, at, intake_coordinator):
    request = at(S.OFFERED)

    response = send(api_as(intake_coordinator), request, "accept")

    assert response.status_code == 403


def test_another_member_may_not_accept(api_as, at, consultant, group):
    request = at(S.OFFERED)
    # Another member who once held an offer on it can still see the request, not accept it.
    outsider = ConsultantFactory()
    OfferFactory(
        request=request,
        consultant=outsider,
        status=Offer.Status.DECLINED,
        expires_at=request.submitted_at,
    )

    response = send(api_as(outsider.user), request, "accept")

    assert response.status_code == 403


def test_member_may_not_complete(api_as, at, consultant):
    request = at(S.ENGAGED)

    response = send(api_as(consultant.user), request, "complete")

    assert response.status_code == 403


def test_request_you_may_not_see_is_404(api_as, at, member):
    request = at(S.SUBMITTED)

    response = send(api_as(member), request, "contact")

    assert response.status_code == 404


def test_anonymous_is_refused(api, at):
    request = at(S.SUBMITTED)

    response = send(api, request, "contact")

    assert response.status_code == 401


def test_user_without_a_member_record_is_refused(api_as, at):
    request = at(S.SUBMITTED)

    response = send(api_as(UserFactory()), request, "contact")

    assert response.status_code == 403


# --- Bad fields ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"action": "contact"}, "version"),
        ({"action": "contact", "version": "two"}, "version"),
        ({"action": "fly", "version": 1}, "action"),
        ({"action": "expire", "version": 1}, "action"),
        ({"version": 1}, "action"),
        ({"action": "contact", "version": 1, "colour": "red"}, "colour"),
        ({"action": "contact", "version": 1, "urgency": "high"}, "urgency"),
        ({"action": "triage", "version": 1, "urgency": "whenever"}, "urgency"),
        ({"action": "triage", "version": 1, "skills": "CiviCRM"}, "skills"),
        ({"action": "route", "version": 1, "group": "web"}, "group"),
        ({"action": "route", "version": 1, "consultant": [1]}, "consultant"),
        ({"action": "refer_out", "version": 1, "professionals": ["x"]}, "professionals"),
        ({"action": "refer_out", "version": 1, "professionals": []}, "professionals"),
    ],
)
def test_malformed_move_is_refused_with_400(api_as, at, intake_coordinator, payload, field):
    request = at(S.SUBMITTED)

    response = api_as(intake_coordinator).post(url(request), payload, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert Request.objects.get(pk=request.pk).version == 1


def test_route_needs_a_group_or_a_consultant(api_as, at, intake_coordinator):
    request = at(S.TRIAGED)

    response = send(api_as(intake_coordinator), request, "route")

    assert response.status_code == 400
    assert "group" in response.json()
    assert Request.objects.get(pk=request.pk).status == "triaged"


def test_route_to_an_unknown_group_is_400(api_as, at, intake_coordinator):
    request = at(S.TRIAGED)

    response = send(api_as(intake_coordinator), request, "route", group=987654)

    assert response.status_code == 400
    assert response.json()["group"] == ["No such group."]


def test_offer_to_an_applicant_is_400(api_as, at, group_coordinator):
    request = at(S.ROUTED)
    applicant = ConsultantFactory(status=Consultant.Status.APPLICANT)

    response = send(api_as(group_coordinator), request, "offer", consultant=applicant.pk)

    assert response.status_code == 400
    assert "consultant" in response.json()
    assert not Offer.objects.filter(request=request).exists()


def test_decline_needs_a_reason(api_as, at, consultant):
    request = at(S.OFFERED)

    response = send(api_as(consultant.user), request, "decline", reason="  ")

    assert response.status_code == 400
    assert "reason" in response.json()
    assert Offer.objects.get(request=request).status == Offer.Status.PENDING


def test_refer_out_needs_a_message(api_as, at, intake_coordinator):
    request = at(S.CONTACTED)
    professional = ExternalProfessionalFactory()

    response = send(
        api_as(intake_coordinator), request, "refer_out", professionals=[professional.pk]
    )

    assert response.status_code == 400
    assert "message" in response.json()
    assert not OutsideReferral.objects.exists()
