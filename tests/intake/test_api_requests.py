"""GET /api/v1/requests/ and /api/v1/requests/<id>/: who sees which requests, and how much."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intake.models import Engagement, Offer, Request
from intake.services import request_submit
from intake.workflow import request_apply
from network.models import Consultant, ConsultantGroup, Language
from tests.factories import (
    ConsultantFactory,
    ConsultantGroupFactory,
    OfferFactory,
    OrganizationFactory,
    RequestFactory,
    UserFactory,
)
from tests.helpers import assert_matches_schema

pytestmark = pytest.mark.django_db

REQUESTS = "/api/v1/requests/"
S = Request.Status


def detail_url(request) -> str:
    return f"{REQUESTS}{request.pk}/"


def references(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["reference"] for row in response.json()["results"]]


def offer(request, consultant, status=Offer.Status.PENDING) -> Offer:
    return OfferFactory(request=request, consultant=consultant, status=status)


def move(request, action, actor, **fields) -> Request:
    request.refresh_from_db()
    request_apply(
        request_id=request.pk, action=action, actor=actor, version=request.version, **fields
    )
    request.refresh_from_db()
    return request


@pytest.fixture
def group(group_coordinator) -> ConsultantGroup:
    return ConsultantGroup.objects.get(coordinator__user=group_coordinator)


@pytest.fixture
def spread(group, member):
    """One request routed to the group, one offered to the member, one nobody else touches."""
    routed = RequestFactory(status=S.ROUTED, assigned_group=group)
    offered = RequestFactory(status=S.OFFERED)
    offer(offered, member.consultant)
    untouched = RequestFactory(status=S.SUBMITTED)
    return routed, offered, untouched


# --- Who sees which requests ----------------------------------------------------------------


def test_intake_coordinator_sees_every_request(api_as, intake_coordinator, spread):
    assert sorted(references(api_as(intake_coordinator).get(REQUESTS))) == sorted(
        request.reference for request in spread
    )


def test_group_coordinator_sees_the_groups_requests(api_as, group_coordinator, spread):
    routed, _, _ = spread

    assert references(api_as(group_coordinator).get(REQUESTS)) == [routed.reference]


def test_member_sees_requests_offered_to_them(api_as, member, spread):
    _, offered, _ = spread

    assert references(api_as(member).get(REQUESTS)) == [offered.reference]


def test_member_with_no_offers_sees_an_empty_list(api_as, other_member, spread):
    assert references(api_as(other_member).get(REQUESTS)) == []


def test_anonymous_is_refused(api, spread):
    assert api.get(REQUESTS).status_code == 401
    assert api.get(detail_url(spread[0])).status_code == 401


def test_account_without_a_member_record_is_refused(api_as, spread):
    assert api_as(UserFactory()).get(REQUESTS).status_code == 403


def test_applicant_is_refused(api_as, spread):
    applicant = ConsultantFactory(status=Consultant.Status.APPLICANT)

    assert api_as(applicant.user).get(REQUESTS).status_code == 403


# --- Filters, search, ordering, pages -------------------------------------------------------


def test_status_filter_takes_several_values(api_as, intake_coordinator, spread):
    routed, offered, _ = spread

    response = api_as(intake_coordinator).get(REQUESTS, {"status": ["routed", "offered"]})

    assert sorted(references(response)) == sorted([routed.reference, offered.reference])


def test_unknown_status_is_400(api_as, intake_coordinator):
    response = api_as(intake_coordinator).get(REQUESTS, {"status": "lost-in-space"})

    assert response.status_code == 400
    assert "status" in response.json()


def test_urgency_filter(api_as, intake_coordinator):
    urgent = RequestFactory(urgency="emergency")
    RequestFactory(urgency="low")

    response = api_as(intake_coordinator).get(REQUESTS, {"urgency": "emergency"})

    assert references(response) == [urgent.reference]


def test_group_filter(api_as, intake_coordinator, group, spread):
    RequestFactory(assigned_group=ConsultantGroupFactory(), status=S.ROUTED)

    response = api_as(intake_coordinator).get(REQUESTS, {"group": group.pk})

    assert references(response) == [spread[0].reference]


def test_overdue_filter(api_as, intake_coordinator):
    past = timezone.now() - datetime.timedelta(hours=1)
    overdue = RequestFactory(status=S.SUBMITTED, response_due_at=past)
    RequestFactory(status=S.CONTACTED, response_due_at=past)
    RequestFactory(status=S.SUBMITTED, response_due_at=timezone.now() + datetime.timedelta(1))

    response = api_as(intake_coordinator).get(REQUESTS, {"overdue": "true"})

    assert references(response) == [overdue.reference]
    assert response.json()["results"][0]["is_overdue"] is True


def test_submitted_between(api_as, intake_coordinator):
    now = timezone.now()
    RequestFactory(submitted_at=now - datetime.timedelta(days=10))
    middle = RequestFactory(submitted_at=now - datetime.timedelta(days=5))
    RequestFactory(submitted_at=now)

    response = api_as(intake_coordinator).get(
        REQUESTS,
        {
            "submitted_after": (now - datetime.timedelta(days=7)).date().isoformat(),
            "submitted_before": (now - datetime.timedelta(days=2)).isoformat(),
        },
    )

    assert references(response) == [middle.reference]


@pytest.mark.parametrize("term", ["REQ-2030-0042", "payroll", "harbor literacy"])
def test_search_by_reference_title_or_organization(api_as, intake_coordinator, term):
    wanted = RequestFactory(
        reference="REQ-2030-0042",
        title="Payroll setup",
        organization=OrganizationFactory(name="Harbor Literacy Project"),
    )
    RequestFactory()

    response = api_as(intake_coordinator).get(REQUESTS, {"search": term})

    assert references(response) == [wanted.reference]


def test_newest_first_by_default(api_as, intake_coordinator):
    now = timezone.now()
    old = RequestFactory(submitted_at=now - datetime.timedelta(days=3))
    new = RequestFactory(submitted_at=now)

    assert references(api_as(intake_coordinator).get(REQUESTS)) == [new.reference, old.reference]


def test_order_by_urgency_ranks_emergency_highest(api_as, intake_coordinator):
    for urgency in ["normal", "emergency", "low", "high"]:
        RequestFactory(urgency=urgency, title=urgency)

    response = api_as(intake_coordinator).get(REQUESTS, {"ordering": "-urgency"})

    assert [row["urgency"] for row in response.json()["results"]] == [
        "emergency",
        "high",
        "normal",
        "low",
    ]


def test_order_by_response_due(api_as, intake_coordinator):
    now = timezone.now()
    later = RequestFactory(response_due_at=now + datetime.timedelta(days=2))
    sooner = RequestFactory(response_due_at=now + datetime.timedelta(days=1))

    response = api_as(intake_coordinator).get(REQUESTS, {"ordering": "response_due_at"})

    assert references(response) == [sooner.reference, later.reference]


def test_pages(api_as, intake_coordinator):
    RequestFactory.create_batch(5)

    response = api_as(intake_coordinator).get(REQUESTS, {"page_size": 2, "page": 3})

    body = response.json()
    assert body["count"] == 5
    assert len(body["results"]) == 1
    assert body["next"] is None and body["previous"] is not None


# --- Query counts -------------------------------------------------------------------------


def fresh(user):
    """The user loaded anew, as each HTTP request does: nothing about their roles is cached."""
    return type(user).objects.get(pk=user.pk)


def many_requests(count, *, group, consultant):
    """Requests with every related row the list shows: group, offer, engagement, languages."""
    from network.services import languages_ensure

    languages_ensure()
    for _ in range(count):
        request = RequestFactory(
            status=S.ENGAGED,
            assigned_group=group,
            offered_consultant=consultant,
            engaged_consultant=consultant,
        )
        request.languages.add("es", "en")
        offer(request, consultant, status=Offer.Status.ACCEPTED)


@pytest.mark.parametrize("count", [5, 30])
def test_list_query_count_does_not_grow_with_rows(
    api_as, intake_coordinator, group, count, django_assert_max_num_queries
):
    many_requests(count, group=group, consultant=ConsultantFactory())
    client = api_as(fresh(intake_coordinator))
    # 1 the viewer's role groups, 2 count, 3 the page joined to organisation, group, offered
    # and engaged consultants, 4 languages.
    with django_assert_max_num_queries(4):
        response = client.get(REQUESTS, {"page_size": 50})

    assert len(response.json()["results"]) == count


@pytest.mark.parametrize("count", [5, 30])
def test_member_list_query_count_does_not_grow_with_rows(
    api_as, member, group, count, django_assert_max_num_queries
):
    many_requests(count, group=group, consultant=member.consultant)
    client = api_as(fresh(member))
    # 1 roles, 2 the member record, 3 whether they coordinate a group, 4 count, 5 the page
    # joined to organisation, group and consultants, 6 languages.
    with django_assert_max_num_queries(6):
        response = client.get(REQUESTS, {"page_size": 50})

    assert len(response.json()["results"]) == count


def test_member_sees_a_request_once_however_many_rows_tie_them_to_it(api_as, member, group):
    # Offered twice (declined, then offered again) and engaged: three rows that would each
    # repeat the request in a join.
    request = RequestFactory(status=S.ENGAGED, assigned_group=group)
    offer(request, member.consultant, status=Offer.Status.DECLINED)
    offer(request, member.consultant, status=Offer.Status.ACCEPTED)
    Engagement.objects.create(request=request, consultant=member.consultant)
    other = RequestFactory(status=S.ENGAGED, assigned_group=group)
    offer(other, ConsultantFactory(), status=Offer.Status.ACCEPTED)

    response = api_as(member).get(REQUESTS, {"status": [S.ENGAGED, S.SUBMITTED]})

    assert references(response) == [request.reference]
    assert response.json()["count"] == 1


@pytest.mark.parametrize("who", ["intake_coordinator", "member"])
def test_list_sql_has_no_distinct(request, who, api_as):
    """A DISTINCT over every selected column made PostgreSQL sort each page and each count; no
    filter or visibility rule may bring it back."""
    user = request.getfixturevalue(who)
    with CaptureQueriesContext(connection) as queries:
        response = api_as(user).get(REQUESTS, {"status": [S.SUBMITTED, S.ROUTED]})
    assert response.status_code == 200
    selects = [q["sql"] for q in queries.captured_queries if "intake_request" in q["sql"]]
    assert selects
    assert not [sql for sql in selects if "DISTINCT" in sql.upper()]


# --- One request ----------------------------------------------------------------------------


@pytest.fixture
def journeyed(intake_coordinator, group_coordinator, group):
    """Submitted, contacted, triaged, routed to the group, offered to one member who declined,
    then offered to another; notes on every step."""
    first, second = ConsultantFactory(), ConsultantFactory()
    group.members.add(first, second)
    request = request_submit(
        organization_name="Harbor Literacy Project",
        contact_name="Contact One",
        contact_email="contact@harbor.example.org",
        title="Move our files to a shared drive",
        description="Twelve staff, files on personal laptops.",
    ).request
    request.organization.notes = "ORG-INTERNAL"
    request.organization.save()
    move(request, "contact", intake_coordinator, note="NOTE-contact")
    move(request, "triage", intake_coordinator, note="NOTE-triage")
    move(request, "route", intake_coordinator, group=group.pk, note="NOTE-route")
    move(request, "offer", group_coordinator, consultant=first.pk, note="NOTE-offer")
    move(request, "decline", first.user, reason="REASON-decline")
    move(request, "offer", group_coordinator, consultant=second.pk, note="NOTE-offer-2")
    return request, first, second


def test_intake_coordinator_sees_everything(api_as, intake_coordinator, journeyed):
    request, first, second = journeyed

    body = api_as(intake_coordinator).get(detail_url(request)).json()

    assert body["reference"] == request.reference
    assert body["description"] == "Twelve staff, files on personal laptops."
    assert body["status"] == "offered"
    assert body["version"] == 7
    assert body["organization"]["name"] == "Harbor Literacy Project"
    assert body["organization"]["notes"] == "ORG-INTERNAL"
    assert body["contact"]["email"] == "contact@harbor.example.org"
    assert body["offered_consultant"]["id"] == second.pk
    assert [event["action"] for event in body["events"]] == [
        "submit",
        "contact",
        "triage",
        "route",
        "offer",
        "decline",
        "offer",
    ]
    contact_event = body["events"][1]
    assert contact_event["note"] == "NOTE-contact"
    assert contact_event["from_status"] == "submitted"
    assert contact_event["to_status"] == "contacted"
    assert contact_event["actor"]["id"] == intake_coordinator.pk
    assert body["events"][3]["data"]["group"] == request.assigned_group_id
    assert body["events"][0]["actor"] is None
    assert [(o["consultant"]["id"], o["status"]) for o in body["offers"]] == [
        (second.pk, "pending"),
        (first.pk, "declined"),
    ]
    assert body["offers"][1]["reason"] == "REASON-decline"
    assert body["intake_coordinator"]["id"] == intake_coordinator.pk
    assert {a["action"] for a in body["allowed_actions"]} == {"refer_out", "withdraw"}


def test_group_coordinator_sees_notes_and_may_not_offer_while_offered(
    api_as, group_coordinator, journeyed
):
    request, _, _ = journeyed

    body = api_as(group_coordinator).get(detail_url(request)).json()

    assert body["events"][1]["note"] == "NOTE-contact"
    assert body["contact"] is not None
    assert body["allowed_actions"] == []


def test_offered_member_sees_no_contact_and_no_internal_detail(api_as, journeyed):
    request, first, second = journeyed

    response = api_as(second.user).get(detail_url(request))

    body = response.json()
    text = response.content.decode()
    # The client's details reach a member when they accept, not while they decide.
    assert body["contact"] is None
    assert "contact@harbor.example.org" not in text
    assert "notes" not in body["organization"]
    assert all(e["note"] == "" and e["actor"] is None and e["data"] == {} for e in body["events"])
    assert [o["consultant"]["id"] for o in body["offers"]] == [second.pk]
    for private in ("NOTE-", "REASON-decline", "ORG-INTERNAL", first.display_name):
        assert private not in text
    assert body["intake_coordinator"] is None
    assert {a["action"] for a in body["allowed_actions"]} == {"accept", "decline"}
    accept = next(a for a in body["allowed_actions"] if a["action"] == "accept")
    assert accept["fields"] == ["note"]


def test_member_who_declined_loses_the_contact_and_learns_nothing_of_the_next(api_as, journeyed):
    request, first, second = journeyed

    response = api_as(first.user).get(detail_url(request))

    body = response.json()
    assert response.status_code == 200
    assert body["contact"] is None
    assert body["offered_consultant"] is None
    assert [o["consultant"]["id"] for o in body["offers"]] == [first.pk]
    assert second.display_name not in response.content.decode()
    assert body["allowed_actions"] == []


def test_request_you_may_not_see_is_404(api_as, other_member, journeyed):
    request, _, _ = journeyed

    assert api_as(other_member).get(detail_url(request)).status_code == 404


def test_unknown_request_is_404(api_as, intake_coordinator):
    assert api_as(intake_coordinator).get(f"{REQUESTS}987654/").status_code == 404


@pytest.mark.parametrize("moves", [1, 12])
def test_detail_query_count_does_not_grow_with_the_trail(
    api_as, intake_coordinator, group, moves, django_assert_max_num_queries
):
    consultants = ConsultantFactory.create_batch(3)
    group.members.add(*consultants)
    request = RequestFactory(status=S.TRIAGED)
    request.languages.add(*Language.objects.all()[:2])
    move(request, "route", intake_coordinator, group=group.pk)
    for n in range(moves):
        member = consultants[n % 3]
        move(request, "offer", group.coordinator.user, consultant=member.pk, note=f"{n}")
        move(request, "decline", member.user, reason="Booked.")
    client = api_as(fresh(intake_coordinator))
    # 1 the viewer's role groups, 2 the gate's lookup, 3 the request joined to organisation,
    # contact, group, consultants, intake coordinator and duplicate, 4 languages, 5 events
    # with their actors' member records, 6 offers with consultants, 7 referrals (their
    # professionals are an 8th only when there is one), 8 engagements with consultants,
    # 9 the viewer's member record (may they make offers?).
    with django_assert_max_num_queries(9):
        response = client.get(detail_url(request))

    assert len(response.json()["events"]) == 1 + 2 * moves  # route, then offer and decline


def test_member_sees_the_contact_once_they_accept(api_as, journeyed):
    request, _, second = journeyed
    client = api_as(second.user)
    version = client.get(detail_url(request)).json()["version"]

    accepted = client.post(
        detail_url(request) + "transitions/",
        {"action": "accept", "version": version},
        format="json",
    )

    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["contact"]["email"] == "contact@harbor.example.org"


# --- Answers match the schema (found by the API fuzzer, tests/fuzz) ----------------------------


@pytest.mark.parametrize(("query", "status"), [({"status": "nonsense"}, 400), ({"page": 99}, 404)])
def test_a_bad_filter_and_a_page_past_the_end_are_documented(
    api_as, intake_coordinator, query, status
):
    response = api_as(intake_coordinator).get(REQUESTS, query)

    assert response.status_code == status
    assert_matches_schema(response, "GET /api/v1/requests/")
