"""The coordinators' queue (``intake.views.queue``): who may open it, the requests a group
coordinator sees, the nav's links per role; its filters, sorting and flags (overdue, possible
duplicates), the htmx answer with the results only, pagination by 25 and a fixed number of
queries whatever the rows.

The fixtures (languages and a fresh cache, ``offered``, ``roles``) are in
tests/intake/conftest.py, ``signed_in`` in tests/conftest.py; submitting and routing a request
in tests/helpers.py.
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from network.models import ConsultantGroup
from tests.factories import RequestFactory
from tests.intake.helpers import login_redirect, routed_to_group
from tests.intake.helpers import request_submitted as submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_languages_and_cache")]


# --- Who may open the queue -------------------------------------------------------------------

QUEUE_CODES = {
    "anonymous": 302,
    "member without offers": 403,
    "member with an offer": 403,
    "group coordinator": 200,
    "intake coordinator": 200,
    "admin": 200,
}


@pytest.mark.parametrize("role", QUEUE_CODES)
def test_who_may_open_the_queue(client, signed_in, roles, offered, role):
    signed_in(roles[role])
    url = reverse("intake-queue")
    response = client.get(url)
    assert response.status_code == QUEUE_CODES[role]
    if role == "anonymous":
        assert response["Location"] == login_redirect(url)


def test_a_group_coordinator_sees_only_the_groups_requests(
    client, signed_in, group_coordinator, intake_coordinator
):
    mine = routed_to_group(group_coordinator, intake_coordinator, title="Routed to my group")
    other = submit(organization_name="Another Org", title="Not routed anywhere yet")
    response = signed_in(group_coordinator).get(reverse("intake-queue"))
    assert mine.request.reference.encode() in response.content
    assert other.request.reference.encode() not in response.content
    assert client.get(reverse("intake-request", args=[other.request.pk])).status_code == 404


def test_nav_links_follow_the_roles(client, signed_in, member, intake_coordinator, admin):
    anonymous = client.get(reverse("home")).content
    assert b">Queue<" not in anonymous and b">My offers<" not in anonymous
    as_member = signed_in(member).get(reverse("home")).content
    assert b">My offers<" in as_member and b">My engagements<" in as_member
    assert b">Queue<" not in as_member and b">Metrics<" not in as_member
    as_coordinator = signed_in(intake_coordinator).get(reverse("home")).content
    assert b">Queue<" in as_coordinator and b">Metrics<" in as_coordinator


# --- The queue ------------------------------------------------------------------------------


def test_queue_filters_by_status_urgency_group_age_overdue_and_search(
    client, signed_in, intake_coordinator, group_coordinator
):
    routed = routed_to_group(
        group_coordinator, intake_coordinator, organization_name="Routed Org", title="Routed one"
    ).request
    urgent = submit(organization_name="Urgent Org", title="Server down", urgency="emergency")
    # Factory rows take references from another year, apart from the submitted ones.
    old = RequestFactory(
        reference="REQ-2001-0001",
        title="Old and overdue",
        submitted_at=timezone.now() - datetime.timedelta(days=20),
        response_due_at=timezone.now() - datetime.timedelta(days=18),
    )
    signed_in(intake_coordinator)

    def shown(**query) -> set[str]:
        content = client.get(reverse("intake-queue"), query).content.decode()
        return set(re.findall(r"REQ-\d{4}-\d{4}", content))

    everyone = {routed.reference, urgent.request.reference, old.reference}
    assert shown() == everyone
    assert shown(status="routed") == {routed.reference}
    assert shown(status="open") == everyone
    assert shown(urgency="emergency") == {urgent.request.reference}
    assert shown(group=routed.assigned_group_id) == {routed.reference}
    assert shown(age=7) == {routed.reference, urgent.request.reference}
    assert shown(overdue="on") == {old.reference}
    assert shown(search="urgent org") == {urgent.request.reference}
    assert shown(search=old.reference) == {old.reference}
    assert shown(group=999_999) == set()  # an unreadable filter narrows, never widens


def test_queue_sorts_and_flags_overdue_and_possible_duplicates(
    client, signed_in, intake_coordinator
):
    first = submit(title="Donor database needs cleaning up")
    second = submit(title="Our donor database needs cleaning up", urgency="emergency")
    overdue = RequestFactory(
        reference="REQ-2001-0001",
        title="Waiting too long",
        response_due_at=timezone.now() - datetime.timedelta(hours=1),
    )
    signed_in(intake_coordinator)

    def order(sort) -> list[str]:
        content = client.get(reverse("intake-queue"), {"sort": sort}).content.decode()
        return list(dict.fromkeys(re.findall(r"REQ-\d{4}-\d{4}", content)))

    assert order("urgency")[0] == second.request.reference
    assert order("oldest")[-1] == order("newest")[0]
    assert order("due")[0] == overdue.reference
    content = client.get(reverse("intake-queue")).content.decode()
    assert f"Possible duplicate of {first.request.reference}" in content
    assert "badge-overdue" in content


def test_queue_answers_htmx_with_the_results_only(client, signed_in, intake_coordinator):
    submit()
    response = signed_in(intake_coordinator).get(
        reverse("intake-queue"), {"status": "submitted"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'hx-swap-oob="innerHTML"' in response.content
    assert "HX-Request" in response["Vary"]


def test_queue_paginates_by_25(client, signed_in, intake_coordinator):
    RequestFactory.create_batch(30)
    signed_in(intake_coordinator)
    first = client.get(reverse("intake-queue")).content.decode()
    second = client.get(reverse("intake-queue"), {"page": 2}).content.decode()
    assert len(set(re.findall(r"REQ-\d{4}-\d{4}", first))) == 25
    assert len(set(re.findall(r"REQ-\d{4}-\d{4}", second))) == 5
    assert "Showing 1–25 of 30 requests." in first


@pytest.mark.parametrize("rows", [5, 30])
def test_queue_runs_a_fixed_number_of_queries(
    client, signed_in, intake_coordinator, django_assert_max_num_queries, rows
):
    # Rows with every join the page shows: an organisation, a group, a possible duplicate.
    group = ConsultantGroup.objects.create(name="Databases", slug="databases")
    earlier = RequestFactory()
    RequestFactory.create_batch(rows, assigned_group=group, possible_duplicate_of=earlier)
    signed_in(intake_coordinator)
    # session, user, the user's roles, their member record, "coordinates a group?" (the nav),
    # the count, one page of rows with organisation, group and duplicate joined, the group
    # filter's choices: 8 whatever the number of rows (one spare for the session's save).
    with django_assert_max_num_queries(9):
        response = client.get(reverse("intake-queue"), {"sort": "urgency", "status": "open"})
    assert response.status_code == 200
