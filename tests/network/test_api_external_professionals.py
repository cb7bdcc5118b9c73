"""/api/v1/external-professionals/: outside professionals clients are referred to."""

import pytest

from network.models import ExternalProfessional
from tests.factories import ExternalProfessionalFactory, SkillFactory
from tests.helpers import assert_matches_schema

pytestmark = pytest.mark.django_db

PROFESSIONALS = "/api/v1/external-professionals/"


def detail_url(professional) -> str:
    return f"{PROFESSIONALS}{professional.pk}/"


def names(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


def test_member_reads_an_outside_professional(api_as, member):
    skill = SkillFactory(slug="quickbooks")
    professional = ExternalProfessionalFactory(
        name="Books practice", organization="", website="https://books.example.org"
    )
    professional.skills.add(skill)

    body = api_as(member).get(detail_url(professional)).json()

    assert body["name"] == "Books practice"
    assert body["skills"] == ["quickbooks"]
    assert body["active"] is True
    assert body["last_referred_at"] is None
    assert set(body) == {
        "id",
        "name",
        "organization",
        "email",
        "phone",
        "website",
        "skills",
        "notes",
        "active",
        "last_referred_at",
    }


def test_filters_by_skill_and_active(api_as, member):
    skill = SkillFactory(slug="accounting")
    ExternalProfessionalFactory(name="Active accountant").skills.add(skill)
    ExternalProfessionalFactory(name="Retired accountant", active=False).skills.add(skill)
    ExternalProfessionalFactory(name="Lawyer")
    client = api_as(member)

    assert names(client.get(PROFESSIONALS, {"skill": "accounting"})) == {
        "Active accountant",
        "Retired accountant",
    }
    assert names(client.get(PROFESSIONALS, {"skill": "accounting", "active": "true"})) == {
        "Active accountant"
    }


def test_search_matches_name_organization_and_notes(api_as, member):
    ExternalProfessionalFactory(name="A", organization="Grant Writers Co")
    ExternalProfessionalFactory(name="B", notes="Writes grants for arts groups.")
    ExternalProfessionalFactory(name="C")

    assert names(api_as(member).get(PROFESSIONALS, {"search": "grant"})) == {"A", "B"}


def test_intake_coordinator_adds_a_professional(api_as, intake_coordinator):
    SkillFactory(slug="payroll")

    response = api_as(intake_coordinator).post(
        PROFESSIONALS,
        {"name": "Payroll desk", "email": "desk@outside.test", "skills": ["payroll"]},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["skills"] == ["payroll"]
    assert ExternalProfessional.objects.get().email == "desk@outside.test"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "X", "email": "not an email"}, "email"),
        ({"name": "X", "website": "nowhere"}, "website"),
        ({"name": "X", "skills": ["no-such-skill"]}, "skills"),
        # PostgreSQL refuses NUL in any string: a slug holding one is simply not found.
        ({"name": "X", "skills": ["web\x00"]}, "skills"),
    ],
)
def test_bad_professional_is_400_and_writes_nothing(api_as, intake_coordinator, body, field):
    response = api_as(intake_coordinator).post(PROFESSIONALS, body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not ExternalProfessional.objects.exists()


def test_intake_coordinator_edits_and_deactivates(api_as, intake_coordinator):
    professional = ExternalProfessionalFactory()

    response = api_as(intake_coordinator).patch(
        detail_url(professional), {"active": False, "phone": "555-0100"}, format="json"
    )

    assert response.status_code == 200
    professional.refresh_from_db()
    assert (professional.active, professional.phone) == (False, "555-0100")


def test_community_coordinator_may_read_but_not_change(api_as, community_coordinator):
    professional = ExternalProfessionalFactory(name="Unchanged")
    client = api_as(community_coordinator)

    assert client.get(detail_url(professional)).status_code == 200
    response = client.patch(detail_url(professional), {"name": "Changed"}, format="json")
    assert response.status_code == 403
    professional.refresh_from_db()
    assert professional.name == "Unchanged"


def test_intake_coordinator_removes_a_professional(api_as, intake_coordinator):
    professional = ExternalProfessionalFactory()

    assert api_as(intake_coordinator).delete(detail_url(professional)).status_code == 204
    assert not ExternalProfessional.objects.exists()


def test_professional_list_has_no_per_row_queries(api_as, member, django_assert_max_num_queries):
    skills = SkillFactory.create_batch(4)
    for n in range(30):
        ExternalProfessionalFactory().skills.add(skills[n % 4], skills[(n + 1) % 4])
    client = api_as(member)
    # 1 the viewer's role groups, 2 the viewer's member record, 3 count, 4 the page, 5 skills.
    with django_assert_max_num_queries(5):
        response = client.get(PROFESSIONALS, {"page_size": 30})

    rows = response.json()["results"]
    assert len(rows) == 30 and all(len(row["skills"]) == 2 for row in rows)


def test_professional_detail_query_count(api_as, member, django_assert_max_num_queries):
    professional = ExternalProfessionalFactory()
    professional.skills.add(*SkillFactory.create_batch(3))
    client = api_as(member)
    # 1 roles, 2 member record, 3 the gate's lookup, 4 the professional again, 5 skills.
    with django_assert_max_num_queries(5):
        response = client.get(detail_url(professional))

    assert len(response.json()["skills"]) == 3


def test_a_professional_without_email_or_website_matches_the_schema(api_as, member):
    """ "" is how the API says "none on record"; the schema must allow it next to the format."""
    professional = ExternalProfessionalFactory(email="", website="")

    response = api_as(member).get(detail_url(professional))
    listed = api_as(member).get(PROFESSIONALS)

    assert (response.json()["email"], response.json()["website"]) == ("", "")
    assert_matches_schema(response, "GET /api/v1/external-professionals/{id}/")
    assert_matches_schema(listed, "GET /api/v1/external-professionals/")
