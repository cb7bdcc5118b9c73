"""Who may change the alliance's record (handbook/access.py): one test per condition of each
rule, and the status every role and membership right depends on."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser

from handbook import access, services
from network.models import Consultant, User
from network.roles import Role
from network.services import user_grant_role
from tests.factories import ConsultantFactory, UserFactory
from tests.helpers import fresh, with_status

pytestmark = pytest.mark.django_db

NOT_WORKING = [
    Consultant.Status.APPLICANT,
    Consultant.Status.ON_LEAVE,
    Consultant.Status.ALUMNI,
    Consultant.Status.FORMER,
]


def member_with(status) -> User:
    return ConsultantFactory(status=status).user


@pytest.fixture
def opener(db):
    """The working member who records the meeting and opens the decision."""
    return member_with(Consultant.Status.ACTIVE)


@pytest.fixture
def owner(db):
    return member_with(Consultant.Status.PROBATION)


@pytest.fixture
def record(opener, owner):
    meeting = services.meeting_create(
        actor=opener, title="Spring meeting", date=datetime.date(2030, 4, 1)
    )
    decision = services.decision_create(
        actor=opener, meeting=meeting, text="Meet monthly", rule="consensus"
    )
    item = services.action_item_create(
        actor=opener,
        meeting_id=meeting.pk,
        text="Book the room",
        owner=owner.consultant,
        due=datetime.date(2030, 5, 1),
    )
    return meeting, decision, item


def role_holder(role: Role, status=None) -> User:
    """A staff account with ``role``; with ``status``, an account that is also a member, given
    the role while working and then moved to ``status`` by a change that left the role."""
    user = member_with(Consultant.Status.ACTIVE) if status else UserFactory()
    user_grant_role(user=user, role=role)
    return with_status(user, status) if status else fresh(user)


# --- Record keepers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", [Role.SECRETARY, Role.INTAKE_COORDINATOR, Role.COMMUNITY_COORDINATOR]
)
def test_the_secretary_and_staff_coordinators_keep_the_record(role):
    assert access.keeps_the_record(role_holder(role))


def test_an_administrator_keeps_the_record(admin):
    assert access.keeps_the_record(admin)


@pytest.mark.parametrize("role", [Role.WEBMASTER, Role.RECORDS_KEEPER])
def test_other_roles_do_not_keep_the_record(role):
    assert not access.keeps_the_record(role_holder(role))


def test_members_and_group_coordinators_do_not_keep_the_record(member, group_coordinator):
    assert not access.keeps_the_record(member)
    assert not access.keeps_the_record(group_coordinator)
    assert not access.keeps_the_record(AnonymousUser())
    assert not access.keeps_the_record(None)


@pytest.mark.parametrize("status", NOT_WORKING)
@pytest.mark.parametrize("role", [Role.SECRETARY, Role.INTAKE_COORDINATOR])
def test_a_role_lapses_while_its_member_does_not_work(role, status):
    """An account that is also a member holds its roles only while the member works."""
    assert access.keeps_the_record(role_holder(role, Consultant.Status.PROBATION))
    assert not access.keeps_the_record(role_holder(role, status))


# --- Recording ------------------------------------------------------------------------------


@pytest.mark.parametrize("status", Consultant.WORKING_STATUSES)
def test_working_members_record(status):
    assert access.may_record(member_with(status))


@pytest.mark.parametrize("status", NOT_WORKING)
def test_members_who_do_not_work_do_not_record(status):
    assert not access.may_record(member_with(status))


def test_record_keepers_record_without_a_member_record(secretary, community_coordinator, admin):
    assert all(access.may_record(user) for user in (secretary, community_coordinator, admin))
    assert not access.may_record(AnonymousUser())


# --- Closing a decision ---------------------------------------------------------------------


def test_the_creator_closes_their_decision(opener, record):
    assert access.may_close_decision(fresh(opener), record[1])


@pytest.mark.parametrize("status", NOT_WORKING)
def test_a_creator_who_stopped_working_does_not_close(opener, record, status):
    assert not access.may_close_decision(with_status(opener, status), record[1])


def test_another_member_does_not_close(record, member, group_coordinator, owner):
    """Among them a member on probation, as the outside probe's member was."""
    for user in (member, group_coordinator, owner):
        assert not access.may_close_decision(fresh(user), record[1])


def test_record_keepers_close_any_decision(record, secretary, intake_coordinator, admin):
    for user in (secretary, intake_coordinator, admin):
        assert access.may_close_decision(fresh(user), record[1])


def test_a_decision_without_a_creator_is_closed_by_record_keepers_only(record, member, secretary):
    decision = record[1]
    decision.created_by = None
    assert not access.may_close_decision(member, decision)
    assert access.may_close_decision(secretary, decision)


# --- Changing a meeting ---------------------------------------------------------------------


def test_the_creator_changes_their_meeting(opener, record):
    assert access.may_change_meeting(fresh(opener), record[0])


def test_a_creator_who_went_on_leave_does_not_change_the_meeting(opener, record):
    assert not access.may_change_meeting(with_status(opener, Consultant.Status.ON_LEAVE), record[0])


def test_another_member_does_not_change_the_meeting(record, member, owner):
    assert not access.may_change_meeting(member, record[0])
    assert not access.may_change_meeting(fresh(owner), record[0])


def test_record_keepers_change_any_meeting(record, secretary, community_coordinator):
    assert access.may_change_meeting(secretary, record[0])
    assert access.may_change_meeting(community_coordinator, record[0])


# --- Marking an action item done ------------------------------------------------------------


def test_the_owner_marks_their_item_done(owner, record):
    assert access.may_mark_done(fresh(owner), record[2])


def test_an_owner_who_went_on_leave_does_not_mark_it_done(owner, record):
    assert not access.may_mark_done(with_status(owner, Consultant.Status.ON_LEAVE), record[2])


def test_the_meetings_creator_marks_an_item_done(opener, record):
    assert access.may_mark_done(fresh(opener), record[2])


def test_another_member_does_not_mark_an_item_done(record, member, group_coordinator):
    assert not access.may_mark_done(member, record[2])
    assert not access.may_mark_done(group_coordinator, record[2])


def test_record_keepers_mark_any_item_done(record, secretary, intake_coordinator, admin):
    for user in (secretary, intake_coordinator, admin):
        assert access.may_mark_done(fresh(user), record[2])


# --- Editing pages --------------------------------------------------------------------------


def test_a_role_whose_member_has_left_no_longer_edits_pages():
    """Members on leave still edit pages; a coordinator whose member record is alumni does not
    edit through the role either."""
    assert access.may_edit(role_holder(Role.INTAKE_COORDINATOR, Consultant.Status.ON_LEAVE))
    assert not access.may_edit(role_holder(Role.INTAKE_COORDINATOR, Consultant.Status.ALUMNI))
    assert access.may_edit(role_holder(Role.SECRETARY))
