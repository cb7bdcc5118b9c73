"""/api/v1/consultants/: editing a profile, opening a member record, and changing a status."""

from decimal import Decimal

import pytest

from network.models import Consultant, ConsultantStatusChange, User
from network.services import languages_ensure
from tests.helpers import CONSULTANTS_API as CONSULTANTS
from tests.helpers import consultant_api_url as detail_url

pytestmark = pytest.mark.django_db


# --- Editing a profile ---------------------------------------------------------------------


def test_member_edits_own_profile_and_languages(api_as, member):
    languages_ensure()

    response = api_as(member).patch(
        detail_url(member.consultant),
        {"display_name": "New name", "languages": ["es", "vi"], "hourly_rate": "110.00"},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["languages"] == ["es", "vi"]  # Spanish, Vietnamese: by name
    consultant = Consultant.objects.get(pk=member.consultant.pk)
    assert consultant.display_name == "New name"
    assert consultant.hourly_rate == Decimal("110.00")
    assert set(consultant.languages.values_list("code", flat=True)) == {"es", "vi"}


def test_staff_coordinator_edits_someone_elses_profile(api_as, intake_coordinator, member):
    response = api_as(intake_coordinator).patch(
        detail_url(member.consultant), {"capacity_hours_per_week": 5}, format="json"
    )

    assert response.status_code == 200
    assert Consultant.objects.get(pk=member.consultant.pk).capacity_hours_per_week == 5


def test_member_cannot_edit_someone_elses_profile(api_as, member, other_member):
    response = api_as(member).patch(
        detail_url(other_member.consultant), {"display_name": "Hijacked"}, format="json"
    )

    assert response.status_code == 403
    assert other_member.consultant.display_name != "Hijacked"
    assert Consultant.objects.filter(display_name="Hijacked").count() == 0


def test_put_needs_the_display_name(api_as, member):
    response = api_as(member).put(detail_url(member.consultant), {"bio": "x"}, format="json")

    assert response.status_code == 400
    assert "display_name" in response.json()


def _unchanged(consultant: Consultant) -> tuple:
    consultant.refresh_from_db()
    return (
        consultant.display_name,
        consultant.hourly_rate,
        consultant.timezone,
        consultant.status,
        tuple(consultant.languages.values_list("code", flat=True)),
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"hourly_rate": "-5.00"}, "hourly_rate"),
        ({"languages": ["es", "xx"]}, "languages"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"currency": "dollars"}, "currency"),
        ({"capacity_hours_per_week": 200}, "capacity_hours_per_week"),
        ({"status": "active"}, "status"),
    ],
)
def test_bad_profile_input_is_400_and_changes_nothing(api_as, member, change, field):
    languages_ensure()
    consultant = member.consultant
    before = _unchanged(consultant)

    response = api_as(member).patch(
        detail_url(consultant), {"display_name": "Changed", **change}, format="json"
    )

    assert response.status_code == 400
    assert field in response.json()
    assert _unchanged(consultant) == before


# --- Opening a member record ---------------------------------------------------------------


def test_staff_coordinator_opens_an_applicant_record(api_as, intake_coordinator):
    response = api_as(intake_coordinator).post(
        CONSULTANTS,
        {"email": "new@members.test", "display_name": "New member", "location": "Berkeley, CA"},
        format="json",
    )

    assert response.status_code == 201, response.content
    consultant = Consultant.objects.get(pk=response.json()["id"])
    assert consultant.user.email == "new@members.test"
    assert consultant.status == Consultant.Status.APPLICANT
    history = consultant.status_changes.get()
    assert history.to_status == "applicant" and history.changed_by == intake_coordinator


def test_community_coordinator_opens_a_record_with_a_status(api_as, community_coordinator):
    response = api_as(community_coordinator).post(
        CONSULTANTS,
        {"email": "joined@members.test", "display_name": "Joined", "status": "active"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["status"] == "active"


def test_intake_coordinator_may_not_set_a_status_when_opening_a_record(api_as, intake_coordinator):
    response = api_as(intake_coordinator).post(
        CONSULTANTS,
        {"email": "joined@members.test", "display_name": "Joined", "status": "active"},
        format="json",
    )

    assert response.status_code == 403
    assert not User.objects.filter(email="joined@members.test").exists()


def test_duplicate_email_is_400_on_email(api_as, intake_coordinator, member):
    count = Consultant.objects.count()

    response = api_as(intake_coordinator).post(
        CONSULTANTS,
        {"email": member.email.upper(), "display_name": "Twin"},
        format="json",
    )

    assert response.status_code == 400
    assert "already exists" in str(response.json()["email"])
    assert Consultant.objects.count() == count


def test_bad_rate_when_opening_a_record_writes_no_account(api_as, intake_coordinator):
    users = User.objects.count()

    response = api_as(intake_coordinator).post(
        CONSULTANTS,
        {"email": "x@members.test", "display_name": "X", "hourly_rate": "-1"},
        format="json",
    )

    assert response.status_code == 400
    assert "hourly_rate" in response.json()
    assert User.objects.count() == users


# --- Status --------------------------------------------------------------------------------


def test_community_coordinator_changes_status_with_a_reason(api_as, community_coordinator, member):
    response = api_as(community_coordinator).post(
        f"{detail_url(member.consultant)}status/",
        {"status": "on_leave", "reason": "Sabbatical"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["status"] == "on_leave"
    change = ConsultantStatusChange.objects.filter(consultant=member.consultant).first()
    assert (change.from_status, change.to_status) == ("active", "on_leave")
    assert change.reason == "Sabbatical" and change.changed_by == community_coordinator


def test_member_cannot_change_own_status(api_as, member):
    response = api_as(member).post(
        f"{detail_url(member.consultant)}status/", {"status": "alumni"}, format="json"
    )

    assert response.status_code == 403
    assert Consultant.objects.get(pk=member.consultant.pk).status == "active"


def test_unknown_status_is_400(api_as, community_coordinator, member):
    response = api_as(community_coordinator).post(
        f"{detail_url(member.consultant)}status/", {"status": "emeritus"}, format="json"
    )

    assert response.status_code == 400
    assert "status" in response.json()
