"""/api/v1/consultants/<id>/skills/: a member's skills, added by slug, name or alias."""

import pytest

from network.models import ConsultantSkill
from tests.factories import ConsultantSkillFactory, SkillAliasFactory, SkillFactory
from tests.helpers import consultant_api_url as detail_url

pytestmark = pytest.mark.django_db


def skills_url(consultant) -> str:
    return f"{detail_url(consultant)}skills/"


@pytest.mark.parametrize("term", ["postgresql", "PostgreSQL", "Postgres", "postgres "])
def test_member_adds_a_skill_by_slug_name_or_alias(api_as, member, term):
    postgres = SkillFactory(name="PostgreSQL", slug="postgresql")
    SkillAliasFactory(skill=postgres, alias="Postgres")

    response = api_as(member).post(
        skills_url(member.consultant),
        {"skill": term, "level": 4, "years": 6, "note": "Replication"},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json() == {
        "skill": "postgresql",
        "name": "PostgreSQL",
        "level": 4,
        "years": 6,
        "note": "Replication",
    }
    assert member.consultant.skills.get().skill == postgres


def test_adding_a_skill_again_changes_its_level(api_as, member):
    entry = ConsultantSkillFactory(consultant=member.consultant, level=2)

    response = api_as(member).post(
        skills_url(member.consultant), {"skill": entry.skill.slug, "level": 5}, format="json"
    )

    assert response.status_code == 201
    assert ConsultantSkill.objects.get(pk=entry.pk).level == 5


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"skill": "no such thing", "level": 3}, "skill"),
        ({"skill": "django", "level": 6}, "level"),
        ({"skill": "django", "level": 0}, "level"),
        ({"skill": "django", "level": 3, "years": 99}, "years"),
    ],
)
def test_bad_skill_entry_is_400_and_writes_nothing(api_as, member, body, field):
    SkillFactory(name="Django", slug="django")

    response = api_as(member).post(skills_url(member.consultant), body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not ConsultantSkill.objects.exists()


def test_put_sets_the_level_of_a_skill_named_in_the_url(api_as, member):
    entry = ConsultantSkillFactory(consultant=member.consultant, level=2)

    response = api_as(member).put(
        f"{skills_url(member.consultant)}{entry.skill.slug}/",
        {"level": 3, "note": "Teaching it"},
        format="json",
    )

    assert response.status_code == 200
    entry.refresh_from_db()
    assert (entry.level, entry.note) == (3, "Teaching it")


def test_delete_removes_a_skill_from_the_profile(api_as, member):
    entry = ConsultantSkillFactory(consultant=member.consultant)
    url = f"{skills_url(member.consultant)}{entry.skill.slug}/"
    client = api_as(member)

    assert client.delete(url).status_code == 204
    assert not ConsultantSkill.objects.filter(pk=entry.pk).exists()
    assert client.delete(url).status_code == 404


def test_member_cannot_change_someone_elses_skills(api_as, member, other_member):
    skill = SkillFactory()

    response = api_as(member).post(
        skills_url(other_member.consultant), {"skill": skill.slug, "level": 5}, format="json"
    )

    assert response.status_code == 403
    assert not ConsultantSkill.objects.exists()


def test_skill_list_query_count(api_as, member, directory, django_assert_max_num_queries):
    client = api_as(member)
    # 1 roles, 2 member record, 3 group coordinator check, 4 the gate's lookup of the member,
    # 5 their skills joined to the skill.
    with django_assert_max_num_queries(5):
        response = client.get(skills_url(directory[0]))

    assert len(response.json()) == 3
