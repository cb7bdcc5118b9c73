"""Intake in Django admin: every page answers in a bounded number of queries, the workflow's
fields are read-only, and the audit trail cannot be added to, changed or deleted by anyone."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from intake import idempotency
from intake.models import (
    Contact,
    Engagement,
    IdempotencyRecord,
    Notification,
    Offer,
    Organization,
    OutsideReferral,
    ReferenceCounter,
    Request,
    RequestEvent,
)
from intake.services import request_submit
from intake.workflow import request_apply
from network.models import Language
from tests.factories import (
    ConsultantFactory,
    ConsultantGroupFactory,
    ExternalProfessionalFactory,
    OfferFactory,
)
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db

MODELS = [
    Organization,
    Contact,
    Request,
    RequestEvent,
    Offer,
    OutsideReferral,
    Engagement,
    Notification,
    IdempotencyRecord,
    ReferenceCounter,
]


def url(model, view: str, *args) -> str:
    return reverse(f"admin:intake_{model._meta.model_name}_{view}", args=args)


def sign_in(client, user):
    # UserFactory sets the password after saving: reload the stored hash for the session.
    user.refresh_from_db()
    client.force_login(user)
    return client


@pytest.fixture
def signed_in(client, admin):
    return sign_in(client, admin)


def journey(n: int, admin) -> Request:
    """One request taken through every kind of row intake writes: events, an offer declined,
    an engagement, an outside referral on a second request, a notification, a record."""
    group = ConsultantGroupFactory()
    consultant = ConsultantFactory()
    submitted = request_submit(
        organization_name=f"Organisation {n}",
        organization_website=f"https://org{n}.example.org",
        contact_name=f"Contact {n}",
        contact_email=f"contact{n}@org{n}.example.org",
        title=f"Request number {n}",
        description="Help with our donor database.",
    ).request
    moves = [
        ("contact", {}),
        ("triage", {"skills": ["CiviCRM"], "urgency": "high"}),
        ("route", {"group": group.pk}),
        ("offer", {"consultant": consultant.pk}),
        ("accept", {}),
        ("complete", {}),
    ]
    for action, fields in moves:
        actor = consultant.user if action == "accept" else admin
        request_apply(request_id=submitted.pk, action=action, actor=actor, version=None, **fields)
    other = request_submit(
        organization_name=f"Organisation {n}",
        contact_name=f"Contact {n}",
        contact_email=f"contact{n}@org{n}.example.org",
        title=f"Something else entirely {n}",
        description="A second request.",
    ).request
    request_apply(
        request_id=other.pk,
        action="refer_out",
        actor=admin,
        version=None,
        professionals=[ExternalProfessionalFactory().pk, ExternalProfessionalFactory().pk],
        message="These professionals can help.",
    )
    Notification.objects.create(
        kind="request_submitted",
        request=submitted,
        recipient_email=f"contact{n}@org{n}.example.org",
        subject="We have your request",
        body_text="Thanks.",
    )
    idempotency.record_store(
        key=f"key-{n}", fingerprint="0" * 64, status=201, answer={"id": n}, request_id=other.pk
    )
    return submitted


def populate(count: int, admin) -> None:
    start = Request.objects.count()
    for n in range(start, start + count):
        journey(n, admin)


# --- Pages and their cost ---------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_changelist_costs_the_same_for_two_rows_or_twelve(signed_in, admin, model):
    populate(1, admin)
    few = count_queries(signed_in, url(model, "changelist"))
    populate(5, admin)
    many = count_queries(signed_in, url(model, "changelist"))
    assert many == few


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_change_page_answers_in_a_bounded_number_of_queries(
    signed_in, admin, model, django_assert_max_num_queries
):
    populate(2, admin)
    target = model.objects.order_by("pk").first()
    # The largest is a request's page: session, user, the request with its workflow people
    # joined, the organisation, the contact and languages (autocomplete widgets), one query per
    # inline (events, offers, referrals + their professionals, engagements), the content type
    # for "view on site", and the filter of the changelist it links back to.
    with django_assert_max_num_queries(20):
        response = signed_in.get(url(model, "change", target.pk))
    assert response.status_code == 200


def test_request_change_page_does_not_grow_with_its_history(signed_in, admin):
    populate(1, admin)
    few = count_queries(signed_in, url(Request, "change", Request.objects.order_by("pk")[0].pk))
    busy = Request.objects.order_by("pk")[0]
    # Five more declined offers, each with its events and offer rows.
    for _ in range(5):
        RequestEvent.objects.create(request=busy, action="note", note="Another event")
        OfferFactory(
            request=busy,
            offered_by=admin,
            expires_at=busy.submitted_at,
            status=Offer.Status.DECLINED,
        )
    assert count_queries(signed_in, url(Request, "change", busy.pk)) == few


@pytest.mark.parametrize(
    ("model", "query"),
    [
        (Request, {"status__exact": "completed"}),
        (Request, {"urgency__exact": "high"}),
        (Request, {"pro_bono__exact": "0"}),
        (Request, {"q": "REQ-"}),
        (Request, {"q": "Organisation 0"}),
        (Organization, {"q": "org0.example.org"}),
        (RequestEvent, {"action__exact": "accept"}),
    ],
)
def test_filters_and_searches_answer(signed_in, admin, model, query):
    populate(1, admin)
    response = signed_in.get(url(model, "changelist"), query)
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


def test_request_filter_by_assigned_group(signed_in, admin):
    populate(2, admin)
    routed = Request.objects.filter(assigned_group__isnull=False).order_by("pk").first()
    response = signed_in.get(
        url(Request, "changelist"), {"assigned_group__id__exact": routed.assigned_group_id}
    )
    assert list(response.context["cl"].result_list) == [routed]


def test_organization_page_lists_its_contacts_inline(signed_in, admin):
    populate(1, admin)
    organization = Organization.objects.get()
    response = signed_in.get(url(Organization, "change", organization.pk))
    assert b"contacts-TOTAL_FORMS" in response.content
    assert b"contact0@org0.example.org" in response.content


# --- The workflow's fields are read-only ------------------------------------------------------


def test_request_status_and_version_are_not_editable(signed_in, admin):
    request = journey(0, admin)
    response = signed_in.get(url(Request, "change", request.pk))
    readonly = response.context["adminform"].readonly_fields
    for name in ("status", "version", "assigned_group", "engaged_consultant", "reference"):
        assert name in readonly
        assert f'name="{name}"'.encode() not in response.content


def test_saving_a_request_in_the_admin_cannot_move_it(signed_in, admin):
    request = journey(0, admin)
    events = request.events.count()
    response = signed_in.post(
        url(Request, "change", request.pk),
        {
            "title": "Renamed in the admin",
            "organization": request.organization_id,
            "contact": request.contact_id,
            "description": request.description,
            "skills": '["CiviCRM"]',
            "currency": "USD",
            "urgency": "high",
            "remote_ok": "on",
            "status": "submitted",
            "version": 99,
            **inline_management(),
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    request.refresh_from_db()
    assert request.title == "Renamed in the admin"
    # The edit bumps the version (a page loaded before it gets a 409), but moves nothing.
    assert (request.status, request.version) == (Request.Status.COMPLETED, 8)
    assert request.events.count() == events


def change_form(client, request, **changes) -> dict:
    """The change form as the page shows it (every field at its current value), with changes."""
    form = client.get(url(Request, "change", request.pk)).context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, list):
            data[name] = [str(item) for item in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    return {**data, **inline_management(), **changes}


def test_an_admin_edit_keeps_a_workflow_move_made_while_the_form_was_open(signed_in, admin):
    request = Request.objects.get(pk=journey(0, admin).pk)
    form = change_form(signed_in, request, title="Renamed while a move landed")
    # Another process writes the row between loading the form and saving it (here the
    # overdue timer, straight in the database) and bumps the version.
    reminded = timezone.now()
    Request.objects.filter(pk=request.pk).update(
        overdue_reminded_at=reminded, version=F("version") + 1
    )

    with CaptureQueriesContext(connection) as queries:
        response = signed_in.post(url(Request, "change", request.pk), form)

    assert response.status_code == 302, response.context["adminform"].form.errors
    request.refresh_from_db()
    assert request.title == "Renamed while a move landed"
    assert (request.overdue_reminded_at, request.version) == (reminded, 9)
    update = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "intake_request"')]
    assert len(update) == 1
    assert '"status"' not in update[0] and '"overdue_reminded_at"' not in update[0]


def test_an_admin_save_without_changes_leaves_the_version(signed_in, admin):
    request = Request.objects.get(pk=journey(0, admin).pk)
    response = signed_in.post(url(Request, "change", request.pk), change_form(signed_in, request))
    assert response.status_code == 302, response.context["adminform"].form.errors
    request.refresh_from_db()
    assert request.version == 7


def inline_management() -> dict:
    return {
        f"{prefix}-{field}": value
        for prefix in ("events", "offers", "referrals", "engagements")
        for field, value in (("TOTAL_FORMS", 0), ("INITIAL_FORMS", 0))
    }


def test_requests_are_not_added_or_deleted_in_the_admin(signed_in, admin):
    request = journey(0, admin)
    assert signed_in.get(url(Request, "add")).status_code == 403
    assert signed_in.post(url(Request, "delete", request.pk), {"post": "yes"}).status_code == 403
    assert Request.objects.filter(pk=request.pk).exists()


# --- The audit trail is read-only for everyone ------------------------------------------------


def test_event_admin_grants_no_add_change_or_delete_even_to_a_superuser(rf, admin):
    from django.contrib.admin.sites import site

    model_admin = site._registry[RequestEvent]
    http_request = rf.get("/")
    http_request.user = admin
    event = RequestEvent.objects.create(
        request=journey(0, admin), action="note", from_status="", to_status=""
    )
    assert model_admin.has_add_permission(http_request) is False
    assert model_admin.has_change_permission(http_request, event) is False
    assert model_admin.has_delete_permission(http_request, event) is False
    assert model_admin.has_view_permission(http_request, event) is True


def test_events_cannot_be_added_changed_or_deleted_through_the_admin(signed_in, admin):
    request = journey(0, admin)
    event = request.events.order_by("pk").first()
    before = (event.action, event.note, RequestEvent.objects.count())
    assert signed_in.get(url(RequestEvent, "add")).status_code == 403
    assert signed_in.post(url(RequestEvent, "add"), {"action": "forged"}).status_code == 403
    page = signed_in.get(url(RequestEvent, "change", event.pk))
    assert page.status_code == 200 and b'name="_save"' not in page.content
    refused = signed_in.post(url(RequestEvent, "change", event.pk), {"note": "rewritten"})
    assert refused.status_code == 403
    assert signed_in.get(url(RequestEvent, "delete", event.pk)).status_code == 403
    deleted = signed_in.post(url(RequestEvent, "delete", event.pk), {"post": "yes"})
    assert deleted.status_code == 403
    bulk = signed_in.post(
        url(RequestEvent, "changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    event.refresh_from_db()
    assert (event.action, event.note, RequestEvent.objects.count()) == before
    listing = signed_in.get(url(RequestEvent, "changelist"))
    assert listing.context["action_form"] is None


def test_event_inline_on_a_request_is_shown_but_not_editable(signed_in, admin):
    request = journey(0, admin)
    response = signed_in.get(url(Request, "change", request.pk))
    assert b"events-TOTAL_FORMS" in response.content
    assert b"events-0-note" not in response.content
    assert b"events-0-DELETE" not in response.content
    assert b"contacted" in response.content


@pytest.mark.parametrize(
    "model",
    [Offer, Engagement, Notification, IdempotencyRecord, ReferenceCounter],
    ids=lambda model: model.__name__,
)
def test_workflow_and_machinery_rows_are_view_only(signed_in, admin, model):
    populate(1, admin)
    target = model.objects.order_by("pk").first()
    assert signed_in.get(url(model, "add")).status_code == 403
    page = signed_in.get(url(model, "change", target.pk))
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert signed_in.post(url(model, "delete", target.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=target.pk).exists()


def test_a_referrals_outcome_is_recorded_but_its_message_is_not_rewritten(signed_in, admin):
    populate(1, admin)
    referral = OutsideReferral.objects.get()
    response = signed_in.post(
        url(OutsideReferral, "change", referral.pk),
        {"outcome": "served", "outcome_note": "Working with them.", "message": "Rewritten"},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.outcome, referral.outcome_note) == ("served", "Working with them.")
    assert referral.message == "These professionals can help."


# --- The model refuses too ------------------------------------------------------------------


def test_an_event_row_cannot_be_saved_again_or_deleted(admin):
    event = journey(0, admin).events.order_by("pk").first()
    event.note = "rewritten"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    event.refresh_from_db()
    assert event.note == ""


def test_an_admin_edit_of_the_languages_alone_bumps_the_version(signed_in, admin):
    request = Request.objects.get(pk=journey(0, admin).pk)
    spanish, _ = Language.objects.get_or_create(code="es", defaults={"name": "Spanish"})
    form = change_form(signed_in, request, languages=[spanish.pk])

    response = signed_in.post(url(Request, "change", request.pk), form)

    assert response.status_code == 302, response.context["adminform"].form.errors
    request.refresh_from_db()
    assert list(request.languages.values_list("code", flat=True)) == ["es"]
    assert request.version == 8
