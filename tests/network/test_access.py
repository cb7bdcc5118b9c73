"""Each rule in network/access.py, one behaviour per test."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import PermissionDenied
from django.http import Http404

from network import access
from network.models import Consultant
from network.roles import ROLE_PERMISSIONS, Role
from network.services import roles_ensure
from tests.factories import ConsultantFactory, ConsultantGroupFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_roles_exist_after_migrate_with_their_permissions():
    for role, names in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert held == set(names), role


def test_roles_ensure_is_idempotent():
    before = Group.objects.count()
    roles_ensure()
    roles_ensure()
    assert Group.objects.count() == before == len(Role)


def test_anonymous_is_not_a_member():
    assert access.is_member(AnonymousUser()) is False
    assert access.visible_consultants(AnonymousUser()).count() == 0


@pytest.mark.parametrize(
    ("status", "reads_directory"),
    [
        (Consultant.Status.APPLICANT, False),
        (Consultant.Status.PROBATION, True),
        (Consultant.Status.ACTIVE, True),
        (Consultant.Status.ON_LEAVE, True),
        (Consultant.Status.ALUMNI, True),
        (Consultant.Status.FORMER, False),
    ],
)
def test_directory_access_follows_member_status(status, reads_directory):
    user = ConsultantFactory(status=status).user
    assert access.is_member(user) is reads_directory


def test_a_role_holder_without_a_profile_reads_the_directory(community_coordinator):
    assert access.is_member(community_coordinator)


def test_members_do_not_see_applicants_but_coordinators_do(member, intake_coordinator):
    applicant = ConsultantFactory(status=Consultant.Status.APPLICANT)
    assert not access.visible_consultants(member).filter(pk=applicant.pk).exists()
    assert access.visible_consultants(intake_coordinator).filter(pk=applicant.pk).exists()


def test_group_coordinator_is_a_coordinator_but_not_staff(group_coordinator):
    assert access.is_coordinator(group_coordinator)
    assert not access.is_staff_coordinator(group_coordinator)


def test_rates_visible_to_self_and_coordinators_only(member, other_member, group_coordinator):
    other = other_member.consultant
    assert access.can_see_rates(other_member, other)
    assert access.can_see_rates(group_coordinator, other)
    assert not access.can_see_rates(member, other)


def test_members_edit_only_themselves(member, other_member, intake_coordinator):
    assert access.can_edit_consultant(member, member.consultant)
    assert not access.can_edit_consultant(member, other_member.consultant)
    assert access.can_edit_consultant(intake_coordinator, other_member.consultant)


def test_only_community_coordinator_and_admin_change_member_status(
    community_coordinator, intake_coordinator, admin
):
    assert access.can_change_member_status(community_coordinator)
    assert access.can_change_member_status(admin)
    assert not access.can_change_member_status(intake_coordinator)


def test_external_professionals_are_edited_by_intake(intake_coordinator, community_coordinator):
    assert access.can_edit_external_professionals(intake_coordinator)
    assert not access.can_edit_external_professionals(community_coordinator)


def test_group_coordinator_edits_own_group_only(group_coordinator):
    own = group_coordinator.consultant.coordinated_groups.get()
    other = ConsultantGroupFactory()
    assert access.can_edit_group(group_coordinator, own)
    assert not access.can_edit_group(group_coordinator, other)


def test_gate_answers_404_when_hidden_and_403_when_read_only(member, other_member):
    applicant = ConsultantFactory(status=Consultant.Status.APPLICANT)
    with pytest.raises(Http404):
        access.get_consultant_for_user(member, applicant.pk)
    assert access.get_consultant_for_user(member, other_member.consultant.pk)
    with pytest.raises(PermissionDenied):
        access.get_consultant_for_user(member, other_member.consultant.pk, write=True)
    assert access.get_consultant_for_user(member, member.consultant.pk, write=True)


def test_role_lookups_are_cached_per_request(member, django_assert_num_queries):
    user = UserFactory()
    with django_assert_num_queries(1):
        access.role_names(user)
        access.role_names(user)
