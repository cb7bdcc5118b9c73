"""services.organization_merge_submitted: a coordinator copies what a client typed onto the
stored organisation, with an event in the request's history; a clash changes nothing."""

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError

from intake.models import Request, RequestEvent
from intake.services import organization_merge_submitted
from tests.intake.helpers import KNOWN_ORGANISATION_SITE, organisation_rows, request_posted

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def test_a_coordinator_copies_the_typed_website_with_an_event_in_the_history(
    api, known_organisations, intake_coordinator
):
    request = request_posted(api, organization_website=KNOWN_ORGANISATION_SITE)

    changed = organization_merge_submitted(request_id=request.pk, actor=intake_coordinator)

    assert changed == ["website"]
    known_organisations["bare"].refresh_from_db()
    assert known_organisations["bare"].website == KNOWN_ORGANISATION_SITE
    assert known_organisations["bare"].website_domain == "eastside-pantry.example.org"
    event = RequestEvent.objects.get(request=request, action="organization_merged")
    assert event.actor == intake_coordinator
    assert event.data["changes"] == {"website": {"from": "", "to": KNOWN_ORGANISATION_SITE}}
    assert KNOWN_ORGANISATION_SITE in event.note
    assert (event.from_status, event.to_status) == ("", "")  # not a stage the client sees


def test_copying_again_changes_nothing_and_writes_no_event(
    api, known_organisations, intake_coordinator
):
    request = request_posted(api, organization_website=KNOWN_ORGANISATION_SITE)
    organization_merge_submitted(request_id=request.pk, actor=intake_coordinator)
    events, before = RequestEvent.objects.count(), organisation_rows()

    assert organization_merge_submitted(request_id=request.pk, actor=intake_coordinator) == []

    assert RequestEvent.objects.count() == events and organisation_rows() == before


def test_a_website_another_organisation_has_is_refused_and_nothing_changes(
    api, known_organisations, intake_coordinator
):
    request = request_posted(api, organization_website="https://westside-shelter.example.org/about")
    # Matched by the website's domain: the request belongs to the shelter, not the pantry. Move
    # it to the pantry as a coordinator might have found it to be.
    Request.objects.filter(pk=request.pk).update(organization=known_organisations["bare"])
    before, events = organisation_rows(), RequestEvent.objects.count()

    with pytest.raises(ValidationError, match="Another organisation already has this domain"):
        organization_merge_submitted(request_id=request.pk, actor=intake_coordinator)

    assert organisation_rows() == before and RequestEvent.objects.count() == events


def test_the_request_page_names_the_copy_in_words(
    client, api, known_organisations, intake_coordinator
):
    request = request_posted(api, organization_website=KNOWN_ORGANISATION_SITE)
    organization_merge_submitted(request_id=request.pk, actor=intake_coordinator)
    client.force_login(intake_coordinator)

    page = client.get(f"/coordination/requests/{request.pk}/").content.decode()

    assert "The client&#x27;s details copied onto the organisation" in page
    assert "organization_merged" not in page
