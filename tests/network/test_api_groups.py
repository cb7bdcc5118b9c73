"""/api/v1/groups/: consultant groups, formed by staff and kept by their coordinators."""

import pytest

from network.models import Consultant, ConsultantGroup
from tests.factories import ConsultantFactory, ConsultantGroupFactory, SkillFactory
from tests.helpers import assert_matches_schema

pytestmark = pytest.mark.django_db

GROUPS = "/api/v1/groups/"


def detail_url(group) -> str:
    return f"{GROUPS}{group.pk}/"


def own_group(user) -> ConsultantGroup:
    return ConsultantGroup.objects.get(coordinator__user=user)


@pytest.fixture
def many_groups(db):
    """Thirty groups, each with a coordinator, three focus skills and five members."""
    skills = SkillFactory.create_batch(6)
    consultants = ConsultantFactory.create_batch(20)
    groups = []
    for n in range(30):
        group = ConsultantGroupFactory(coordinator=consultants[n % 20])
        group.focus_skills.add(*(skills[(n + k) % 6] for k in range(3)))
        group.members.add(*(consultants[(n + k) % 20] for k in range(5)))
        groups.append(group)
    return groups


def test_member_reads_a_group(api_as, member):
    wordpress = SkillFactory(name="WordPress", slug="wordpress")
    coordinator = ConsultantFactory(display_name="Lead")
    colleague = ConsultantFactory(display_name="Colleague")
    group = ConsultantGroupFactory(name="Web", description="Websites.", coordinator=coordinator)
    group.focus_skills.add(wordpress)
    group.members.add(coordinator, colleague)

    body = api_as(member).get(detail_url(group)).json()

    assert body == {
        "id": group.pk,
        "slug": "web",
        "name": "Web",
        "description": "Websites.",
        "focus_skills": ["wordpress"],
        "coordinator": {"id": coordinator.pk, "display_name": "Lead"},
        "members": [
            {"id": colleague.pk, "display_name": "Colleague"},
            {"id": coordinator.pk, "display_name": "Lead"},
        ],
    }


def test_group_without_a_coordinator_shows_null(api_as, member):
    group = ConsultantGroupFactory()

    assert api_as(member).get(detail_url(group)).json()["coordinator"] is None


def test_applicants_in_a_group_are_hidden_from_members(api_as, member):
    group = ConsultantGroupFactory()
    group.members.add(ConsultantFactory(status=Consultant.Status.APPLICANT))

    assert api_as(member).get(detail_url(group)).json()["members"] == []


def test_skill_filter_finds_groups_by_focus_skill(api_as, member):
    crm = SkillFactory(slug="salesforce")
    ConsultantGroupFactory(name="CRM").focus_skills.add(crm)
    ConsultantGroupFactory(name="Web")

    response = api_as(member).get(GROUPS, {"skill": "salesforce"})

    assert [row["name"] for row in response.json()["results"]] == ["CRM"]


def test_staff_coordinator_forms_a_group(api_as, community_coordinator):
    skill = SkillFactory(slug="drupal")
    lead, other = ConsultantFactory(), ConsultantFactory()

    response = api_as(community_coordinator).post(
        GROUPS,
        {
            "name": "Drupal shops",
            "focus_skills": ["drupal"],
            "coordinator": lead.pk,
            "members": [lead.pk, other.pk],
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    group = ConsultantGroup.objects.get(pk=response.json()["id"])
    assert group.slug == "drupal-shops"
    assert group.coordinator == lead
    assert set(group.members.all()) == {lead, other}
    assert list(group.focus_skills.all()) == [skill]


def test_member_may_not_form_a_group(api_as, member):
    response = api_as(member).post(GROUPS, {"name": "Mine"}, format="json")

    assert response.status_code == 403
    assert not ConsultantGroup.objects.filter(name="Mine").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Taken"}, "name"),
        ({"name": "New", "focus_skills": ["no-such-skill"]}, "focus_skills"),
        ({"name": "New", "focus_skills": ["web\x00"]}, "focus_skills"),
        ({"name": "New", "members": [999999]}, "members"),
        ({"name": "New", "coordinator": 999999}, "coordinator"),
        ({"name": "New", "slug": "taken"}, "slug"),
        ({"name": "New", "slug": "not a slug"}, "slug"),
    ],
)
def test_bad_group_is_400_and_writes_nothing(api_as, intake_coordinator, body, field):
    ConsultantGroupFactory(name="Taken")
    count = ConsultantGroup.objects.count()

    response = api_as(intake_coordinator).post(GROUPS, body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert ConsultantGroup.objects.count() == count


def test_group_coordinator_edits_own_group(api_as, group_coordinator):
    group = own_group(group_coordinator)
    newcomer = ConsultantFactory()

    response = api_as(group_coordinator).patch(
        detail_url(group),
        {"description": "We build sites.", "members": [group.coordinator.pk, newcomer.pk]},
        format="json",
    )

    assert response.status_code == 200, response.content
    group.refresh_from_db()
    assert group.description == "We build sites."
    assert set(group.members.all()) == {group.coordinator, newcomer}


def test_group_coordinator_may_not_edit_another_group(api_as, group_coordinator):
    other = ConsultantGroupFactory(description="Theirs")

    response = api_as(group_coordinator).patch(
        detail_url(other), {"description": "Mine now"}, format="json"
    )

    assert response.status_code == 403
    other.refresh_from_db()
    assert other.description == "Theirs"


def test_group_coordinator_may_not_dissolve_own_group(api_as, group_coordinator):
    group = own_group(group_coordinator)

    assert api_as(group_coordinator).delete(detail_url(group)).status_code == 403
    assert ConsultantGroup.objects.filter(pk=group.pk).exists()


def test_staff_coordinator_dissolves_a_group(api_as, intake_coordinator):
    group = ConsultantGroupFactory()
    group.members.add(ConsultantFactory())

    assert api_as(intake_coordinator).delete(detail_url(group)).status_code == 204
    assert not ConsultantGroup.objects.filter(pk=group.pk).exists()
    assert Consultant.objects.count() == 2  # the members stay


def test_group_list_has_no_per_row_queries(
    api_as, member, many_groups, django_assert_max_num_queries
):
    client = api_as(member)
    # 1 the viewer's role groups, 2 the viewer's member record, 3 whether they coordinate a
    # group (which decides the members they may see), 4 count, 5 the page joined to each
    # coordinator, 6 focus skills, 7 members.
    with django_assert_max_num_queries(7):
        response = client.get(GROUPS, {"page_size": 30})

    rows = response.json()["results"]
    assert len(rows) == 30
    assert all(len(row["members"]) == 5 and len(row["focus_skills"]) == 3 for row in rows)


def test_group_detail_query_count(api_as, member, many_groups, django_assert_max_num_queries):
    client = api_as(member)
    # 1 roles, 2 member record, 3 group coordinator check, 4 the gate's lookup, 5 the group
    # joined to its coordinator, 6 focus skills, 7 members.
    with django_assert_max_num_queries(7):
        response = client.get(detail_url(many_groups[0]))

    assert response.status_code == 200


def test_a_search_with_a_null_character_is_a_documented_400(api_as, member):
    """DRF refuses the null character in a search; the schema must say so (found by the fuzzer)."""
    response = api_as(member).get(GROUPS, {"search": "web\x00"})

    assert response.status_code == 400
    assert_matches_schema(response, "GET /api/v1/groups/")
