"""The anonymous front door never edits a stored organisation: what a client typed stays on the
request, and a coordinator copies it over (admin action), with an event in the history (the
service: tests/intake/test_organization_merge.py)."""

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.urls import reverse

from intake.models import Request, RequestEvent
from intake.services import request_submit
from tests.factories import UserFactory
from tests.intake.helpers import (
    KNOWN_ORGANISATION,
    KNOWN_ORGANISATION_SITE,
    organisation_rows,
    request_posted,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize(
    "typed",
    [
        # Its name, and a website it did not have: the attacker's site would show on every
        # request of the organisation.
        {
            "organization_name": KNOWN_ORGANISATION,
            "organization_website": "https://attacker.example.com",
        },
        {
            "organization_name": KNOWN_ORGANISATION.upper(),
            "organization_website": "https://www.evil.example",
        },
        # Another's website (matched by domain), with another name.
        {
            "organization_name": "Westside Shelter (new board)",
            "organization_website": "https://www.westside-shelter.example.org/donate",
        },
        {"organization_name": "westside shelter", "organization_website": ""},
    ],
)
def test_no_field_of_an_existing_organisation_changes_on_a_submission(
    api, known_organisations, typed
):
    before = organisation_rows()

    request = request_posted(api, **typed)

    assert organisation_rows() == before
    assert request.organization in known_organisations.values()
    assert request.submitted_organization_name == typed["organization_name"]
    assert request.submitted_organization_website == typed["organization_website"]


def test_a_new_organisation_is_made_from_what_was_typed_and_kept_on_the_request(api):
    request = request_posted(
        api, organization_name="Brand New Co-op", organization_website=KNOWN_ORGANISATION_SITE
    )

    assert (request.organization.name, request.organization.website) == (
        "Brand New Co-op",
        KNOWN_ORGANISATION_SITE,
    )
    assert request.submitted_organization_website == KNOWN_ORGANISATION_SITE


def merge_action(client, action: str, request: Request):
    return client.post(
        reverse("admin:intake_request_changelist"),
        {"action": action, "_selected_action": [request.pk]},
        follow=True,
    )


def test_the_admin_action_copies_the_typed_name_and_website(
    api, known_organisations, client, admin
):
    request = request_posted(
        api,
        organization_name=KNOWN_ORGANISATION.lower(),
        organization_website=KNOWN_ORGANISATION_SITE,
    )
    admin.refresh_from_db()
    client.force_login(admin)

    merge_action(client, "copy_submitted_website", request)
    merge_action(client, "copy_submitted_name", request)

    known_organisations["bare"].refresh_from_db()
    assert (known_organisations["bare"].name, known_organisations["bare"].website) == (
        KNOWN_ORGANISATION.lower(),
        KNOWN_ORGANISATION_SITE,
    )
    assert RequestEvent.objects.filter(request=request, action="organization_merged").count() == 2
    page = client.get(reverse("admin:intake_request_change", args=[request.pk]))
    assert b"The organisation as the client typed it" in page.content


def test_staff_who_may_not_change_organisations_cannot_copy(api, known_organisations, client):
    request = request_posted(api, organization_website=KNOWN_ORGANISATION_SITE)
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_request", "change_request"])
    )
    staff.refresh_from_db()
    client.force_login(staff)
    before = organisation_rows()

    page = client.get(reverse("admin:intake_request_changelist"))
    merge_action(client, "copy_submitted_website", request)

    assert page.status_code == 200
    assert "copy_submitted_website" not in page.context["cl"].model_admin.get_actions(
        page.wsgi_request
    )
    assert organisation_rows() == before
    assert not RequestEvent.objects.filter(action="organization_merged").exists()


def test_the_service_keeps_what_a_direct_caller_typed(db, known_organisations):
    request = request_submit(
        organization_name=KNOWN_ORGANISATION,
        organization_website="eastside-pantry.example.org",
        contact_name="Someone",
        contact_email="someone@mail.example.net",
        title="A title",
        description="A description.",
    ).request

    assert request.submitted_organization_website == "eastside-pantry.example.org"
    known_organisations["bare"].refresh_from_db()
    assert known_organisations["bare"].website == ""
