"""Queries compiled once per process (``network.db.FixedQuery``) and the look-ups every API
call makes through them: the caller's token and user, their roles, their member record."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from network import access
from network.authentication import api_token_issue, token_digest, token_with_user
from network.db import FixedQuery, joined_columns, joined_instances
from network.models import ApiToken, Consultant, ConsultantGroup, User
from network.roles import Role
from tests.factories import ConsultantFactory, ConsultantGroupFactory, UserFactory

pytestmark = pytest.mark.django_db


def _by_user(user_id):
    return Consultant.objects.filter(user_id=user_id).values_list("display_name", "joined_on")


def test_rows_answer_what_the_queryset_answers_for_each_value():
    first, second = ConsultantFactory(display_name="Ada"), ConsultantFactory(display_name="Bo")
    query = FixedQuery(_by_user, -1)

    for consultant in (first, second, first):
        assert query.rows(consultant.user_id) == list(_by_user(consultant.user_id))
    assert query.rows(first.user_id + second.user_id + 1000) == []


def test_values_come_back_converted_as_the_orm_returns_them():
    consultant = ConsultantFactory(joined_on=datetime.date(2024, 5, 6))

    [(name, joined)] = FixedQuery(_by_user, -1).rows(consultant.user_id)

    assert name == consultant.display_name
    assert joined == datetime.date(2024, 5, 6)  # not SQLite's text
    query = FixedQuery(
        lambda user_id: Consultant.objects.filter(user_id=user_id).values_list(
            "created_at", "hourly_rate"
        ),
        -1,
    )
    [(created, rate)] = query.rows(consultant.user_id)
    assert created == Consultant.objects.get(pk=consultant.pk).created_at  # aware
    assert created.tzinfo is not None
    assert rate == consultant.hourly_rate and type(rate) is type(consultant.hourly_rate)


def test_the_query_is_built_and_compiled_once_then_only_run():
    built = []

    def build(user_id):
        built.append(user_id)
        return _by_user(user_id)

    query = FixedQuery(build, -1)
    consultant = ConsultantFactory()
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            query.rows(consultant.user_id)

    assert built == [-1]
    assert len(queries) == 3
    assert all(str(consultant.user_id) in query["sql"] for query in queries.captured_queries)


def test_every_place_of_the_value_is_bound_and_no_other_parameter():
    # The user's id twice (in a subquery and in the filter), beside a constant of its own.
    def build(user_id):
        return Consultant.objects.filter(
            user_id=user_id,
            status=Consultant.Status.ACTIVE,
            pk__in=Consultant.objects.filter(user_id=user_id).values("pk"),
        ).values_list("display_name", flat=True)

    active = ConsultantFactory(status=Consultant.Status.ACTIVE, display_name="Active")
    away = ConsultantFactory(status=Consultant.Status.ON_LEAVE, display_name="Away")
    query = FixedQuery(build, -1)

    assert query.rows(active.user_id) == [("Active",)]
    assert query.rows(away.user_id) == []


def test_a_sample_that_is_not_a_parameter_is_refused():
    query = FixedQuery(lambda user_id: _by_user(7), -1)

    with pytest.raises(ValueError, match="sample value -1 is not a parameter of the query"):
        query.rows(7)


def test_a_lookup_that_rewrites_its_value_is_refused_not_run_wrong():
    # iexact and contains escape (and on some databases wrap) the value they are given.
    query = FixedQuery(lambda name: Consultant.objects.filter(display_name__contains=name), "x")

    with pytest.raises(ValueError, match="is not a parameter"):
        query.rows("Ada")


def test_several_values_each_bound_to_its_own_places():
    def build(status, name):
        return Consultant.objects.filter(status=status, display_name=name).values_list("pk")

    ada = ConsultantFactory(display_name="Ada", status=Consultant.Status.ACTIVE)
    ConsultantFactory(display_name="Ada", status=Consultant.Status.ALUMNI)
    query = FixedQuery(build, "(status)", "(name)")

    assert query.rows(Consultant.Status.ACTIVE, "Ada") == [(ada.pk,)]
    assert query.rows("Ada", Consultant.Status.ACTIVE) == []
    with pytest.raises(TypeError, match="2 values expected, 1 given"):
        query.rows("Ada")
    with pytest.raises(ValueError, match="must be different"):
        FixedQuery(build, "same", "same")


def test_a_query_without_values_runs_as_compiled():
    ConsultantFactory(display_name="Ada")
    query = FixedQuery(lambda: Consultant.objects.values_list("display_name"))

    assert query.rows() == [("Ada",)]


def test_a_token_comes_with_its_user_in_one_query():
    user = UserFactory()
    token, key = api_token_issue(user=user)

    with CaptureQueriesContext(connection) as queries:
        found = token_with_user(token_digest(key))
        assert found.user.username == user.username
    assert len(queries) == 1
    stored = ApiToken.objects.select_related("user").get(pk=token.pk)
    for field in ApiToken._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(stored, field.attname), field.name
    for field in type(user)._meta.concrete_fields:
        assert getattr(found.user, field.attname) == getattr(stored.user, field.attname), field
    assert not found._state.adding and found._state.db == "default"
    assert token_with_user(token_digest(key + "x")) is None


def test_roles_and_the_member_status_of_each_account_are_its_own():
    working = ConsultantFactory(status=Consultant.Status.ACTIVE).user
    on_leave = ConsultantFactory(status=Consultant.Status.ON_LEAVE).user
    staff = UserFactory()  # a coordinator without a member record
    intake = Group.objects.get_or_create(name=Role.INTAKE_COORDINATOR)[0]
    for user in (working, on_leave, staff):
        user.groups.add(intake)
    plain = ConsultantFactory().user

    assert access.has_role(working, Role.INTAKE_COORDINATOR)
    assert not access.has_role(on_leave, Role.INTAKE_COORDINATOR)  # not working: suspended
    assert access.has_role(staff, Role.INTAKE_COORDINATOR)
    assert access.role_names(plain) == frozenset()


def test_a_member_record_comes_whole_with_whether_it_coordinates_a_group():
    coordinator = ConsultantFactory(display_name="Coordinates", hourly_rate=95)
    ConsultantGroupFactory(coordinator=coordinator)
    member = ConsultantFactory()

    found = access.consultant_of(coordinator.user)
    assert found.pk == coordinator.pk
    assert found.display_name == "Coordinates" and found.hourly_rate == 95
    assert found.coordinates_a_group is True
    assert access.consultant_of(member.user).coordinates_a_group is False
    assert access.consultant_of(UserFactory()) is None
    with CaptureQueriesContext(connection) as queries:
        found.refresh_from_db()  # a real row: saving or reloading works as usual
    assert len(queries) == 1


def _groups_with_coordinators(group_id):
    return ConsultantGroup.objects.filter(pk=group_id).values_list(*joined_columns(_GROUP_PATHS))


_GROUP_PATHS = {"": ConsultantGroup, "coordinator": Consultant, "coordinator__user": User}


def test_joined_instances_link_each_row_to_the_one_before_it_as_select_related_does():
    coordinator = ConsultantFactory(display_name="Leads")
    led, unled = ConsultantGroupFactory(coordinator=coordinator), ConsultantGroupFactory()
    query = FixedQuery(_groups_with_coordinators, -1)

    [row] = query.rows(led.pk)
    with CaptureQueriesContext(connection) as queries:
        found = joined_instances(row, _GROUP_PATHS)
        group = found[""]
        assert group.name == led.name
        assert group.coordinator.display_name == "Leads"
        assert group.coordinator.user.username == coordinator.user.username
    assert len(queries) == 0
    assert found["coordinator__user"] is group.coordinator.user

    [row] = query.rows(unled.pk)
    with CaptureQueriesContext(connection) as queries:
        found = joined_instances(row, _GROUP_PATHS)
        assert found[""].coordinator is None
    assert len(queries) == 0
    assert found["coordinator"] is None and found["coordinator__user"] is None


def _names_of(ids):
    return Consultant.objects.filter(pk__in=ids).order_by("pk").values_list("display_name")


def test_a_list_of_ids_is_compiled_once_per_length_and_bound_whole():
    members = [ConsultantFactory(display_name=f"Member {n}") for n in range(4)]
    ids = [member.pk for member in members]
    built = []
    query = FixedQuery(lambda ids: built.append(list(ids)) or _names_of(ids), [-1])

    assert query.rows(ids[:2]) == [("Member 0",), ("Member 1",)]
    assert query.rows(ids[2:]) == [("Member 2",), ("Member 3",)]  # same length: same SQL
    assert query.rows([ids[3], 999_999, ids[0]]) == [("Member 0",), ("Member 3",)]
    assert built == [[-1, -2], [-1, -2, -3]]
    with CaptureQueriesContext(connection) as queries:
        assert query.rows([]) == []  # as pk__in=[]: nothing to ask
    assert len(queries) == 0


@pytest.mark.parametrize("sample", [[1], [-1, -2], ["-1"], []])
def test_a_list_sample_is_one_negative_int(sample):
    with pytest.raises(ValueError, match="list of one negative int"):
        FixedQuery(_names_of, sample)


def test_a_list_sample_and_a_single_one_must_differ():
    with pytest.raises(ValueError, match="must be different"):
        FixedQuery(lambda ids, pk: _names_of(ids).filter(pk=pk), [-1], -1)


def test_an_int_no_column_can_hold_answers_no_rows_without_a_query():
    member = ConsultantFactory()
    single = FixedQuery(lambda user_id: _by_user(user_id), -1)
    listed = FixedQuery(_names_of, [-1])

    with CaptureQueriesContext(connection) as queries:
        assert single.rows(2**63) == [] and single.rows(-(2**63) - 1) == []
        assert listed.rows([10**30]) == []
    assert len(queries) == 0
    assert listed.rows([member.pk, 10**30]) == [(member.display_name,)]
    assert single.rows(member.user_id) != []
