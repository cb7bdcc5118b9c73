"""/api/v1/skills/: the skills taxonomy, read by members and kept by staff coordinators."""

import pytest

from network.models import Consultant, Skill, SkillAlias
from network.services import skill_create
from tests.factories import ConsultantFactory, ConsultantSkillFactory, SkillFactory

pytestmark = pytest.mark.django_db

SKILLS = "/api/v1/skills/"


def detail_url(skill) -> str:
    return f"{SKILLS}{skill.pk}/"


def names(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


@pytest.fixture
def taxonomy(db):
    """Thirty skills with three aliases each, each listed by two members."""
    skills = [
        skill_create(name=f"Skill {n}", aliases=[f"alias {n} a", f"alias {n} b", f"alias {n} c"])
        for n in range(30)
    ]
    for skill in skills:
        ConsultantSkillFactory.create_batch(2, skill=skill)
    return skills


def test_member_reads_a_skill_with_aliases_and_member_count(api_as, member):
    skill = skill_create(
        name="PostgreSQL", category=Skill.Category.DATA, aliases=["Postgres", "psql"]
    )
    ConsultantSkillFactory(skill=skill)
    ConsultantSkillFactory(skill=skill, consultant__status=Consultant.Status.PROBATION)
    ConsultantSkillFactory(skill=skill, consultant__status=Consultant.Status.ALUMNI)

    body = api_as(member).get(detail_url(skill)).json()

    assert body == {
        "id": skill.pk,
        "name": "PostgreSQL",
        "slug": "postgresql",
        "category": "data",
        "description": "",
        "aliases": ["Postgres", "psql"],
        "consultant_count": 2,  # the alumnus is not offered work
    }


def test_unknown_skill_is_404(api_as, member):
    assert api_as(member).get(f"{SKILLS}999999/").status_code == 404


def test_category_filter(api_as, member):
    skill_create(name="Salesforce", category=Skill.Category.CRM)
    skill_create(name="Drupal", category=Skill.Category.WEB)

    assert names(api_as(member).get(SKILLS, {"category": "crm"})) == {"Salesforce"}


def test_search_matches_part_of_the_name(api_as, member):
    skill_create(name="Microsoft Excel")
    skill_create(name="Drupal")

    assert names(api_as(member).get(SKILLS, {"search": "excel"})) == {"Microsoft Excel"}


@pytest.mark.parametrize("term", ["node-js", "NODEJS", "node.js"])
def test_search_matches_an_alias_however_it_is_written(api_as, member, term):
    skill_create(name="JavaScript runtime", aliases=["Node.js"])
    skill_create(name="Drupal")

    assert names(api_as(member).get(SKILLS, {"search": term})) == {"JavaScript runtime"}


def test_search_does_not_repeat_a_skill_matching_several_aliases(api_as, member):
    skill_create(name="PostgreSQL", aliases=["Postgres", "Postgres DB"])

    response = api_as(member).get(SKILLS, {"search": "postgres"})

    assert response.json()["count"] == 1


def test_staff_coordinator_adds_a_skill_with_aliases(api_as, intake_coordinator):
    response = api_as(intake_coordinator).post(
        SKILLS,
        {"name": "CiviCRM", "category": "crm", "aliases": ["Civi", "civi crm"]},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["slug"] == "civicrm"
    assert sorted(body["aliases"]) == ["Civi", "civi crm"]
    assert body["consultant_count"] == 0


def test_member_may_not_add_a_skill(api_as, member):
    response = api_as(member).post(SKILLS, {"name": "CiviCRM"}, format="json")

    assert response.status_code == 403
    assert not Skill.objects.exists()


def test_duplicate_name_is_400_already_exists(api_as, community_coordinator):
    skill_create(name="WordPress")

    response = api_as(community_coordinator).post(SKILLS, {"name": "wordpress"}, format="json")

    assert response.status_code == 400
    assert "already exists" in str(response.json()["name"])
    assert Skill.objects.count() == 1


def test_alias_of_another_skill_is_400_and_writes_nothing(api_as, intake_coordinator):
    skill_create(name="PostgreSQL", aliases=["Postgres"])

    response = api_as(intake_coordinator).post(
        SKILLS, {"name": "MySQL", "aliases": ["My SQL", "postgres"]}, format="json"
    )

    assert response.status_code == 400
    assert "already an alias of PostgreSQL" in str(response.json()["aliases"])
    assert not Skill.objects.filter(name="MySQL").exists()
    assert SkillAlias.objects.count() == 1


def test_unknown_category_is_400(api_as, intake_coordinator):
    response = api_as(intake_coordinator).post(
        SKILLS, {"name": "Knitting", "category": "crafts"}, format="json"
    )

    assert response.status_code == 400
    assert "category" in response.json()


def test_rename_keeps_the_slug_and_replaces_aliases(api_as, intake_coordinator):
    skill = skill_create(name="Postgres", aliases=["pg", "psql"])

    response = api_as(intake_coordinator).patch(
        detail_url(skill), {"name": "PostgreSQL", "aliases": ["psql", "Postgres"]}, format="json"
    )

    assert response.status_code == 200, response.content
    skill.refresh_from_db()
    assert (skill.name, skill.slug) == ("PostgreSQL", "postgres")
    assert sorted(skill.aliases.values_list("alias", flat=True)) == ["Postgres", "psql"]


def test_rename_onto_another_skills_name_is_400_and_changes_nothing(api_as, intake_coordinator):
    skill_create(name="Drupal")
    skill = skill_create(name="Drupal 7")

    response = api_as(intake_coordinator).patch(
        detail_url(skill), {"name": "DRUPAL"}, format="json"
    )

    assert response.status_code == 400
    assert "already exists" in str(response.json()["name"])
    skill.refresh_from_db()
    assert skill.name == "Drupal 7"


def test_unused_skill_is_deleted(api_as, intake_coordinator):
    skill = skill_create(name="Lotus Notes", aliases=["Notes"])

    response = api_as(intake_coordinator).delete(detail_url(skill))

    assert response.status_code == 204
    assert not Skill.objects.exists()
    assert not SkillAlias.objects.exists()


def test_skill_on_member_profiles_is_not_deleted(api_as, intake_coordinator):
    skill = SkillFactory(name="FileMaker")
    ConsultantSkillFactory(skill=skill, consultant=ConsultantFactory())

    response = api_as(intake_coordinator).delete(detail_url(skill))

    assert response.status_code == 409
    assert "1 member profile(s) list FileMaker" in response.json()["detail"]
    assert Skill.objects.filter(pk=skill.pk).exists()


def test_skill_list_has_no_per_row_queries(api_as, member, taxonomy, django_assert_max_num_queries):
    client = api_as(member)
    # 1 the viewer's role groups, 2 the viewer's member record, 3 count, 4 the page with each
    # skill's member count, 5 aliases.
    with django_assert_max_num_queries(5):
        response = client.get(SKILLS, {"page_size": 30})

    rows = response.json()["results"]
    assert len(rows) == 30
    assert all(len(row["aliases"]) == 3 and row["consultant_count"] == 2 for row in rows)


def test_skill_detail_query_count(api_as, member, taxonomy, django_assert_max_num_queries):
    client = api_as(member)
    # 1 roles, 2 member record, 3 the gate's lookup, 4 the skill with its member count, 5 aliases.
    with django_assert_max_num_queries(5):
        response = client.get(detail_url(taxonomy[0]))

    assert response.status_code == 200
