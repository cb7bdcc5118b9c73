"""Free service days pledged: the model's rules, the profile form, the API's reads and writes and
who may make them; and the on-call opt-in on the profile form."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from network import services
from network.models import Consultant, FreeServicePledge
from tests.factories import ConsultantFactory
from tests.helpers import assert_matches_schema

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_languages")]

YEAR = timezone.localdate().year
PLEDGES = "/api/v1/pledges/"
PROFILE = {
    "profile-display_name": "Pledging Member",
    "profile-bio": "",
    "profile-website": "",
    "profile-location": "Oakland, CA",
    "profile-timezone": "America/Chicago",
    "profile-remote_ok": "on",
    "profile-hourly_rate": "100",
    "profile-currency": "USD",
    "profile-pro_bono_hours_per_month": "0",
    "profile-capacity_hours_per_week": "20",
}


def consultant(user) -> Consultant:
    return Consultant.objects.get(user=user)


# --- The service ------------------------------------------------------------------------------


def test_a_pledge_is_one_row_per_member_and_year_and_a_new_one_replaces_it(member):
    pledge, created = services.pledge_set(consultant=consultant(member), year=YEAR, days="4.5")
    assert created and pledge.days == Decimal("4.5")
    again, created = services.pledge_set(consultant=consultant(member), year=YEAR, days=6)
    assert not created and again.pk == pledge.pk
    services.pledge_set(consultant=consultant(member), year=YEAR + 1, days=2)
    assert list(
        FreeServicePledge.objects.filter(consultant__user=member)
        .order_by("year")
        .values_list("year", "days")
    ) == [(YEAR, Decimal("6.0")), (YEAR + 1, Decimal("2.0"))]


@pytest.mark.parametrize("days", ["-1", "365.5", "2.3", "abc", "NaN", "Infinity", None, True])
def test_a_bad_number_of_days_is_refused_and_nothing_changes(member, days):
    services.pledge_set(consultant=consultant(member), year=YEAR, days=3)
    with pytest.raises(ValidationError) as error:
        services.pledge_set(consultant=consultant(member), year=YEAR, days=days)
    assert "days" in error.value.message_dict
    assert FreeServicePledge.objects.get(consultant__user=member).days == Decimal("3")


@pytest.mark.parametrize("status", ["on_leave", "alumni", "former", "applicant"])
def test_only_working_members_pledge(status):
    member = ConsultantFactory(status=status)
    with pytest.raises(PermissionDenied):
        services.pledge_set(consultant=member, year=YEAR, days=3)
    assert not FreeServicePledge.objects.exists()


# --- The API ----------------------------------------------------------------------------------


def test_a_member_pledges_over_the_api_and_reads_only_their_own(api_as, member, other_member):
    services.pledge_set(consultant=consultant(other_member), year=YEAR, days=9)
    api = api_as(member)
    created = api.post(PLEDGES, {"year": YEAR, "days": "2.5"}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["days"] == 2.5
    assert_matches_schema(created, "POST /api/v1/pledges/")
    replaced = api.post(PLEDGES, {"days": 3}, format="json")  # this year by default
    assert replaced.status_code == 200 and replaced.json()["days"] == 3.0

    listed = api.get(PLEDGES)
    assert listed.status_code == 200
    assert [(row["consultant"], row["days"]) for row in listed.json()["results"]] == [
        (consultant(member).pk, 3.0)
    ]
    assert_matches_schema(listed, "GET /api/v1/pledges/")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"year": YEAR, "days": 366}, "days"),
        ({"year": YEAR, "days": -0.5}, "days"),
        ({"year": YEAR, "days": "1.3"}, "days"),
        ({"year": YEAR, "days": "1.25"}, "days"),
        ({"year": YEAR, "days": "many"}, "days"),
        ({"year": YEAR}, "days"),
        ({"year": 1999, "days": 1}, "year"),
        ({"year": "this one", "days": 1}, "year"),
        ({"year": YEAR, "days": 1, "hours": 8}, "hours"),
    ],
)
def test_bad_pledges_answer_400_with_the_field_and_write_nothing(api_as, member, body, field):
    response = api_as(member).post(PLEDGES, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not FreeServicePledge.objects.exists()


def test_a_bad_year_filter_is_a_400(api_as, member):
    response = api_as(member).get(PLEDGES, {"year": "last"})
    assert response.status_code == 400 and "year" in response.json()


@pytest.mark.parametrize("status", ["on_leave", "alumni", "former"])
def test_members_who_do_not_work_may_neither_pledge_nor_read(api_as, status):
    user = ConsultantFactory(status=status).user
    api = api_as(user)
    assert api.post(PLEDGES, {"year": YEAR, "days": 1}, format="json").status_code == 403
    assert api.get(PLEDGES).status_code == 403
    assert not FreeServicePledge.objects.exists()


def test_staff_coordinators_read_every_pledge_and_filter_by_year(
    api_as, community_coordinator, intake_coordinator, member, other_member
):
    services.pledge_set(consultant=consultant(member), year=YEAR, days=4)
    services.pledge_set(consultant=consultant(other_member), year=YEAR, days=2)
    services.pledge_set(consultant=consultant(other_member), year=YEAR - 1, days=7)
    answer = api_as(community_coordinator).get(PLEDGES, {"year": YEAR})
    assert answer.status_code == 200
    assert sorted(row["days"] for row in answer.json()["results"]) == [2.0, 4.0]
    assert api_as(intake_coordinator).get(PLEDGES).json()["count"] == 3
    # A staff account without a member record reads but does not pledge.
    refused = api_as(community_coordinator).post(PLEDGES, {"days": 1}, format="json")
    assert refused.status_code == 403


def test_the_pledge_list_costs_the_same_queries_however_many(
    api_as, community_coordinator, django_assert_max_num_queries
):
    for _ in range(15):
        services.pledge_set(consultant=ConsultantFactory(status="active"), year=YEAR, days=1)
    api = api_as(community_coordinator)
    # Roles, the member record, the count, the page (members joined).
    with django_assert_max_num_queries(5):
        assert api.get(PLEDGES).json()["count"] == 15


# --- The profile page -------------------------------------------------------------------------


def test_a_member_pledges_and_joins_the_rota_on_their_profile(client, signed_in, member):
    signed_in(member)
    page = client.get(reverse("my-profile"))
    assert b"profile-free_service_days" in page.content
    assert b"profile-on_call_opt_in" in page.content
    assert b"weeks you already hold stay yours" in page.content

    data = {**PROFILE, "profile-free_service_days": "5.5", "profile-on_call_opt_in": "on"}
    response = client.post(reverse("my-profile"), data)
    assert response.status_code == 302
    saved = consultant(member)
    assert saved.on_call_opt_in is True
    assert saved.pledges.get(year=YEAR).days == Decimal("5.5")
    assert b'value="5.5"' in client.get(reverse("my-profile")).content

    # Unticked, the member leaves the rota; the pledge stays as it was.
    client.post(reverse("my-profile"), {**PROFILE, "profile-free_service_days": "5.5"})
    saved = consultant(member)
    assert saved.on_call_opt_in is False
    assert saved.pledges.get(year=YEAR).days == Decimal("5.5")


@pytest.mark.parametrize("days", ["400", "1.2", "-1"])
def test_a_bad_pledge_on_the_form_is_a_field_error_and_nothing_is_saved(
    client, signed_in, member, days
):
    signed_in(member)
    data = {**PROFILE, "profile-free_service_days": days, "profile-on_call_opt_in": "on"}
    response = client.post(reverse("my-profile"), data)
    assert response.status_code == 200
    assert response.context["profile_form"].errors["free_service_days"]
    saved = consultant(member)
    assert saved.display_name != "Pledging Member" and saved.on_call_opt_in is False
    assert not FreeServicePledge.objects.exists()


def test_a_member_on_leave_has_neither_field_and_keeps_their_choices(client, signed_in):
    on_leave = ConsultantFactory(status=Consultant.Status.ON_LEAVE, on_call_opt_in=True)
    signed_in(on_leave.user)
    page = client.get(reverse("my-profile"))
    assert b"profile-free_service_days" not in page.content
    assert b"profile-on_call_opt_in" not in page.content
    data = {**PROFILE, "profile-free_service_days": "3", "profile-on_call_opt_in": ""}
    assert client.post(reverse("my-profile"), data).status_code == 302
    assert consultant(on_leave.user).on_call_opt_in is True
    assert not FreeServicePledge.objects.exists()
