"""Only working members (active or on probation) hold a member's rights: coordinating a group,
an alliance role, seeing others' rates. A status change away from working ends the roles and
says so in the history; a group's coordinator must be a working member."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from network import access, services
from network.models import Consultant, ConsultantGroup, ConsultantStatusChange, TimeAway
from network.roles import Role
from tests.factories import ConsultantFactory, ConsultantGroupFactory
from tests.helpers import fresh

pytestmark = pytest.mark.django_db

Status = Consultant.Status
NOT_WORKING = [Status.ON_LEAVE, Status.ALUMNI, Status.FORMER, Status.APPLICANT]


def coordinator_of_a_group(status=Status.ACTIVE):
    consultant = ConsultantFactory(status=status)
    group = ConsultantGroupFactory(coordinator=None)
    # Written around the services, so a leaver can hold the role too (stale data).
    ConsultantGroup.objects.filter(pk=group.pk).update(coordinator=consultant)
    group.refresh_from_db()
    return consultant, group


@pytest.mark.parametrize("status", [Status.ACTIVE, Status.PROBATION])
def test_a_working_coordinator_of_a_group_is_a_coordinator(status):
    consultant, group = coordinator_of_a_group(status)

    assert access.is_group_coordinator(consultant.user)
    assert access.can_edit_group(consultant.user, group)
    assert access.can_see_rates(consultant.user, ConsultantFactory())


@pytest.mark.parametrize("status", NOT_WORKING)
def test_a_coordinator_who_stopped_working_holds_no_coordinator_right(status):
    # A record left pointing at them (data from before the status change ended the role, or
    # a write that went around the services) still grants nothing.
    consultant, group = coordinator_of_a_group(status)
    other = ConsultantFactory()

    assert not access.is_group_coordinator(consultant.user)
    assert not access.is_coordinator(consultant.user)
    assert not access.can_edit_group(consultant.user, group)
    assert not access.can_see_rates(consultant.user, other)
    assert not access.visible_consultants(consultant.user).filter(status=Status.APPLICANT).exists()


@pytest.mark.parametrize("status", NOT_WORKING)
def test_a_status_change_away_from_working_ends_the_group_coordination(
    status, community_coordinator
):
    consultant, group = coordinator_of_a_group()

    services.consultant_set_status(
        consultant=consultant, status=status, actor=community_coordinator, reason="Moved."
    )

    group.refresh_from_db()
    assert group.coordinator is None
    change = consultant.status_changes.first()
    assert change.to_status == status
    assert change.ended_roles == [
        {"role": "group_coordinator", "group": group.pk, "name": group.name}
    ]
    assert change.ended_roles_text == group.name


def test_a_status_change_away_from_working_ends_the_alliance_roles(community_coordinator):
    consultant = ConsultantFactory(status=Status.ACTIVE)
    services.user_grant_role(user=consultant.user, role=Role.INTAKE_COORDINATOR)
    services.user_grant_role(user=consultant.user, role=Role.SECRETARY)
    assert access.is_staff_coordinator(fresh(consultant.user))

    services.consultant_set_status(
        consultant=consultant, status=Status.ALUMNI, actor=community_coordinator
    )

    user = fresh(consultant.user)
    assert not user.groups.exists()
    assert not access.is_staff_coordinator(user)
    ended = consultant.status_changes.first().ended_roles
    assert {entry["role"] for entry in ended} == {Role.INTAKE_COORDINATOR, Role.SECRETARY}


def test_moving_between_working_statuses_ends_nothing(community_coordinator):
    consultant, group = coordinator_of_a_group(Status.PROBATION)
    services.user_grant_role(user=consultant.user, role=Role.INTAKE_COORDINATOR)

    services.consultant_set_status(
        consultant=consultant, status=Status.ACTIVE, actor=community_coordinator
    )

    group.refresh_from_db()
    assert group.coordinator == consultant
    assert consultant.user.groups.filter(name=Role.INTAKE_COORDINATOR).exists()
    assert consultant.status_changes.first().ended_roles == []


def test_a_role_on_an_account_whose_member_stopped_working_is_not_exercised():
    consultant = ConsultantFactory(status=Status.ACTIVE)
    services.user_grant_role(user=consultant.user, role=Role.INTAKE_COORDINATOR)
    Consultant.objects.filter(pk=consultant.pk).update(status=Status.FORMER)

    user = fresh(consultant.user)
    assert not access.has_role(user, Role.INTAKE_COORDINATOR)
    assert not access.is_staff_coordinator(user)
    assert not access.is_member(user)


def test_a_staff_account_without_a_member_record_keeps_its_role(community_coordinator):
    assert access.has_role(community_coordinator, Role.COMMUNITY_COORDINATOR)
    assert access.is_member(community_coordinator)


@pytest.mark.parametrize("status", NOT_WORKING)
def test_a_role_is_not_granted_to_a_member_who_does_not_work(status):
    consultant = ConsultantFactory(status=status)

    with pytest.raises(ValidationError):
        services.user_grant_role(user=consultant.user, role=Role.INTAKE_COORDINATOR)

    assert not consultant.user.groups.exists()


@pytest.mark.parametrize("status", NOT_WORKING)
def test_a_group_coordinator_must_be_a_working_member(status):
    group = ConsultantGroupFactory(coordinator=None)
    candidate = ConsultantFactory(status=status)

    with pytest.raises(ValidationError) as refused:
        services.group_update(group=group, coordinator=candidate)

    assert "coordinator" in refused.value.message_dict
    assert ConsultantGroup.objects.get(pk=group.pk).coordinator is None


def test_a_group_coordinator_cannot_hand_the_role_to_a_former_member(api_as):
    consultant, group = coordinator_of_a_group()
    former = ConsultantFactory(status=Status.FORMER)

    response = api_as(consultant.user).patch(
        f"/api/v1/groups/{group.pk}/", {"coordinator": former.pk}, format="json"
    )

    assert response.status_code == 400
    assert "coordinator" in response.json()
    assert ConsultantGroup.objects.get(pk=group.pk).coordinator == consultant


def test_a_group_coordinator_may_hand_the_role_to_a_working_member(api_as):
    consultant, group = coordinator_of_a_group()
    successor = ConsultantFactory(status=Status.PROBATION)

    response = api_as(consultant.user).patch(
        f"/api/v1/groups/{group.pk}/", {"coordinator": successor.pk}, format="json"
    )

    assert response.status_code == 200
    assert ConsultantGroup.objects.get(pk=group.pk).coordinator == successor


def test_the_status_api_ends_the_coordinators_role_and_its_powers(api_as, community_coordinator):
    consultant, group = coordinator_of_a_group()
    client = api_as(consultant.user)
    assert client.get(f"/api/v1/requests/{0}/teams/").status_code == 404  # a coordinator now

    moved = api_as(community_coordinator).post(
        f"/api/v1/consultants/{consultant.pk}/status/",
        {"status": "former", "reason": "Left the alliance."},
        format="json",
    )

    assert moved.status_code == 200
    assert ConsultantGroup.objects.get(pk=group.pk).coordinator is None
    change = ConsultantStatusChange.objects.filter(consultant=consultant).first()
    assert change.ended_roles[0]["group"] == group.pk
    assert api_as(fresh(consultant.user)).get(f"/api/v1/requests/{0}/teams/").status_code == 403


def test_a_member_who_stops_working_no_longer_covers_time_away_still_to_come(
    community_coordinator,
):
    cover = ConsultantFactory(status=Status.ACTIVE)
    away = ConsultantFactory(status=Status.ACTIVE)
    today = timezone.localdate()
    past = services.time_away_save(
        consultant=away,
        start=today - datetime.timedelta(days=30),
        end=today - datetime.timedelta(days=20),
        covering=cover,
    )
    coming = services.time_away_save(
        consultant=away,
        start=today + datetime.timedelta(days=5),
        end=today + datetime.timedelta(days=9),
        covering=cover,
    )

    services.consultant_set_status(
        consultant=cover, status=Status.ALUMNI, actor=community_coordinator
    )

    assert TimeAway.objects.get(pk=past.pk).covering == cover  # history stays as it was
    assert TimeAway.objects.get(pk=coming.pk).covering is None
    ended = cover.status_changes.first().ended_roles
    assert [entry["time_away"] for entry in ended] == [coming.pk]


@pytest.mark.parametrize("status", NOT_WORKING)
def test_only_a_working_member_can_be_named_to_cover(status):
    away = ConsultantFactory(status=Status.ACTIVE)
    cover = ConsultantFactory(status=status)

    with pytest.raises(ValidationError) as refused:
        services.time_away_save(
            consultant=away,
            start=datetime.date(2031, 1, 1),
            end=datetime.date(2031, 1, 5),
            covering=cover,
        )

    assert "covering" in refused.value.message_dict
    assert not away.time_away.exists()
