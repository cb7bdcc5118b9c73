"""``intake.access.get_request_for_user``: the request a match call, a request page or the
API's detail opens, with its organisation, contact and group, or 404."""

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from intake import access
from network import access as network_access
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


@pytest.mark.parametrize("pk", [0, 999_999, "abc", None, "12x"])
def test_no_such_request_is_a_404_whatever_the_key(intake_coordinator, pk):
    RequestFactory()

    with pytest.raises(Http404):
        access.get_request_for_user(intake_coordinator, pk)


def test_a_member_still_sees_only_what_is_offered_to_them(member):
    hidden = RequestFactory()

    with pytest.raises(Http404):
        access.get_request_for_user(member, hidden.pk)
