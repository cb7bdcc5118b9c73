"""``intake.access.get_request_for_user``: the request a match call, a request page or the
API's detail opens, with its organisation, contact and group, or 404; and the languages a
match call reads (``intake.selectors.request_profile_for``)."""

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from intake import access
from intake.models import Request
from intake.selectors import request_profile_for, with_language_codes
from network import access as network_access
from network.models import Language
from network.services import languages_ensure
from tests.factories import ConsultantGroupFactory, RequestFactory

pytestmark = pytest.mark.django_db


def test_a_staff_coordinator_gets_the_request_and_its_relations_in_one_query(
    intake_coordinator,
):
    group = ConsultantGroupFactory(name="Data people")
    routed = RequestFactory(assigned_group=group, title="Clean the donor list")
    network_access.role_names(intake_coordinator)  # read once per request anyway

    with CaptureQueriesContext(connection) as queries:
        found = access.get_request_for_user(intake_coordinator, routed.pk)
        assert found.title == "Clean the donor list"
        assert found.assigned_group.name == "Data people"
        assert found.organization.name == routed.organization.name
        assert found.contact.email == routed.contact.email
    assert len(queries) == 1

    unrouted = RequestFactory()
    assert access.get_request_for_user(intake_coordinator, str(unrouted.pk)).assigned_group is None


@pytest.mark.parametrize("pk", [0, -1, 999_999, 2**63, 10**30, "abc", None, "12x"])
def test_no_such_request_is_a_404_whatever_the_key(intake_coordinator, pk):
    RequestFactory()

    with pytest.raises(Http404):
        access.get_request_for_user(intake_coordinator, pk)


def test_a_member_still_sees_only_what_is_offered_to_them(member):
    hidden = RequestFactory()

    with pytest.raises(Http404):
        access.get_request_for_user(member, hidden.pk)


def test_a_request_profile_reads_its_languages_in_one_query():
    languages_ensure()
    client_request = RequestFactory()
    client_request.languages.set(Language.objects.filter(code__in=["es", "fr", "en"]))
    expected = {"en", "fr", "es"}

    with CaptureQueriesContext(connection) as queries:
        profile = request_profile_for(Request.objects.get(pk=client_request.pk))
    assert len(queries) == 2  # the request, then its languages
    assert profile.languages == expected

    prefetched = Request.objects.prefetch_related("languages").get(pk=client_request.pk)
    with CaptureQueriesContext(connection) as queries:
        assert request_profile_for(prefetched).languages == expected
    assert len(queries) == 0


def test_a_page_of_requests_gets_its_language_codes_sorted_in_one_query():
    languages_ensure()
    spoken, silent = RequestFactory(), RequestFactory()
    spoken.languages.set(Language.objects.filter(code__in=["fr", "es", "en"]))
    page = list(Request.objects.filter(pk__in=[spoken.pk, silent.pk]).order_by("pk"))

    with CaptureQueriesContext(connection) as queries:
        rows = with_language_codes(page)
    assert len(queries) == 1
    assert [row.language_codes for row in rows] == [["en", "es", "fr"], []]
    with CaptureQueriesContext(connection) as queries:
        assert with_language_codes([]) == []
    assert len(queries) == 0
