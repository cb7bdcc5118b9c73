"""GET /api/v1/requests/status/<token>/: what the client may see, and nothing private."""

from decimal import Decimal

import pytest
from django.utils.dateparse import parse_datetime
from rest_framework.test import APIClient

from intake.models import Offer
from intake.services import request_submit
from intake.workflow import request_apply
from network.models import ConsultantGroup
from tests.factories import ConsultantFactory, ExternalProfessionalFactory

pytestmark = pytest.mark.django_db

PRIVATE_NOTE = "INTERNAL-NOTE-do-not-show"
PRIVATE_REASON = "DECLINE-REASON-do-not-show"


def status_of(token):
    return APIClient().get(f"/api/v1/requests/status/{token}/")


def submitted():
    return request_submit(
        organization_name="Harbor Literacy Project",
        contact_name="Contact One",
        contact_email="contact@harbor.example.org",
        title="Move our files to a shared drive",
        description="Twelve staff, files on personal laptops.",
    )


def move(request, action, actor, **fields):
    request.refresh_from_db()
    request_apply(
        request_id=request.pk, action=action, actor=actor, version=request.version, **fields
    )
    request.refresh_from_db()


@pytest.fixture
def group(group_coordinator) -> ConsultantGroup:
    return ConsultantGroup.objects.get(coordinator__user=group_coordinator)


@pytest.fixture
def candidates(group):
    """Two members with distinctive names and rates: the first will decline."""
    first = ConsultantFactory(display_name="Candidate Declining", hourly_rate=Decimal("123.45"))
    second = ConsultantFactory(
        display_name="Candidate Serving",
        hourly_rate=Decimal("187.65"),
        website="https://serving.example.net",
    )
    group.members.add(first, second)
    return first, second


@pytest.fixture
def engaged(intake_coordinator, group_coordinator, group, candidates):
    """A request that went through contact, triage, routing, a declined offer and an accepted
    one, with an internal note on every step."""
    first, second = candidates
    submission = submitted()
    request = submission.request
    move(request, "contact", intake_coordinator, note=PRIVATE_NOTE)
    move(request, "triage", intake_coordinator, note=PRIVATE_NOTE, urgency="high")
    move(request, "route", intake_coordinator, group=group.pk, note=PRIVATE_NOTE)
    move(request, "offer", group_coordinator, consultant=first.pk, note=PRIVATE_NOTE)
    move(request, "decline", first.user, reason=PRIVATE_REASON)
    move(request, "offer", group_coordinator, consultant=second.pk, note=PRIVATE_NOTE)
    move(request, "accept", second.user, note=PRIVATE_NOTE)
    return submission


def test_new_request_shows_stage_next_step_and_deadline():
    submission = submitted()

    response = status_of(submission.status_token)

    assert response.status_code == 200
    body = response.json()
    request = submission.request
    assert body["reference"] == request.reference
    assert body["title"] == "Move our files to a shared drive"
    assert body["stage"] == "submitted"
    assert body["stage_label"] == "Received"
    assert "contact you" in body["next_step"]
    assert parse_datetime(body["next_step_by"]) == request.response_due_at
    assert [entry["stage"] for entry in body["history"]] == ["submitted"]
    assert body["consultant"] is None
    assert body["referral"] is None
    assert response["Cache-Control"] == "no-store"


def test_engaged_request_shows_the_consultant_and_the_history(engaged, candidates):
    _, second = candidates

    body = status_of(engaged.status_token).json()

    assert body["stage"] == "engaged"
    assert body["consultant"] == {
        "display_name": "Candidate Serving",
        "email": second.user.email,
        "website": "https://serving.example.net",
    }
    assert [entry["stage"] for entry in body["history"]] == [
        "submitted",
        "contacted",
        "triaged",
        "routed",
        "offered",
        "routed",
        "offered",
        "engaged",
    ]
    assert body["next_step_by"] is None


def test_status_shows_nothing_private(
    engaged, candidates, intake_coordinator, group_coordinator, group
):
    first, _ = candidates

    text = status_of(engaged.status_token).content.decode()

    assert PRIVATE_NOTE not in text
    assert PRIVATE_REASON not in text
    assert "123.45" not in text and "187.65" not in text  # rates
    assert "Candidate Declining" not in text  # other candidates
    assert first.user.email not in text
    assert intake_coordinator.username not in text  # actors
    assert group_coordinator.username not in text
    assert group.name not in text
    assert "contact@harbor.example.org" not in text
    for private_key in ('"note"', '"data"', '"actor"', '"offers"', '"events"', "hourly_rate"):
        assert private_key not in text


def test_offered_request_says_a_member_is_considering_it(
    intake_coordinator, group_coordinator, group, candidates
):
    first, _ = candidates
    submission = submitted()
    request = submission.request
    move(request, "contact", intake_coordinator)
    move(request, "triage", intake_coordinator)
    move(request, "route", intake_coordinator, group=group.pk)
    move(request, "offer", group_coordinator, consultant=first.pk)

    response = status_of(submission.status_token)

    body = response.json()
    assert body["stage"] == "offered"
    assert body["next_step"] == "A member is considering it."
    assert parse_datetime(body["next_step_by"]) == Offer.objects.get(request=request).expires_at
    assert body["consultant"] is None
    assert "Candidate Declining" not in response.content.decode()


def test_referred_out_request_shows_the_professionals_and_the_message(intake_coordinator):
    submission = submitted()
    request = submission.request
    professional = ExternalProfessionalFactory(
        name="Outside professional A",
        organization="Bookkeeping Cooperative",
        phone="555-0100",
        website="https://books.example.com",
        notes="INTERNAL-PRO-NOTE",
    )
    move(request, "contact", intake_coordinator, note=PRIVATE_NOTE)
    move(
        request,
        "refer_out",
        intake_coordinator,
        professionals=[professional.pk],
        message="They know nonprofit payroll well.",
    )

    response = status_of(submission.status_token)

    body = response.json()
    assert body["stage"] == "referred_out"
    assert body["referral"]["message"] == "They know nonprofit payroll well."
    assert body["referral"]["professionals"] == [
        {
            "name": "Outside professional A",
            "organization": "Bookkeeping Cooperative",
            "email": professional.email,
            "phone": "555-0100",
            "website": "https://books.example.com",
        }
    ]
    assert "INTERNAL-PRO-NOTE" not in response.content.decode()
    assert PRIVATE_NOTE not in response.content.decode()


def test_unknown_and_withdrawn_tokens_answer_the_same_404(intake_coordinator):
    withdrawn = submitted()
    move(withdrawn.request, "withdraw", intake_coordinator)
    spam = submitted()
    move(spam.request, "mark_spam", intake_coordinator)

    unknown = status_of("A" * 22)
    gone = status_of(withdrawn.status_token)
    closed = status_of(spam.status_token)

    assert unknown.status_code == gone.status_code == closed.status_code == 404
    assert unknown.content == gone.content == closed.content


def test_the_stored_hash_does_not_open_the_status():
    submission = submitted()

    assert status_of(submission.request.status_token_hash).status_code == 404


def test_status_query_count(engaged, django_assert_max_num_queries):
    # 1 the request by token hash joined to the consultant and their user, 2 who covers the
    # engaged consultant's time away, 3 the events, 4 a team bid's seats (an engaged request
    # may have been won by a team).
    with django_assert_max_num_queries(4):
        response = status_of(engaged.status_token)

    assert response.status_code == 200


def test_a_request_nobody_is_engaged_on_reads_no_cover(db, django_assert_num_queries):
    # The request and its events: nobody can be covering, so the cover's subqueries are not
    # built or run.
    submission = submitted()
    with django_assert_num_queries(2) as captured:
        response = status_of(submission.status_token)

    assert response.status_code == 200 and response.json()["cover"] is None
    assert not any("timeaway" in query["sql"].lower() for query in captured.captured_queries)
