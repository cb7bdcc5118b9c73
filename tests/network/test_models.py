import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from network.models import Consultant, ConsultantStatusChange, Skill
from network.services import consultant_create, consultant_set_status, skill_create
from tests.factories import ConsultantFactory, ConsultantSkillFactory, TimeAwayFactory

pytestmark = pytest.mark.django_db


def test_skill_names_are_unique_regardless_of_case():
    skill_create(name="WordPress")
    with pytest.raises(ValidationError) as error:
        skill_create(name="wordpress")
    assert "already exists" in str(error.value)


def test_level_outside_one_to_five_is_refused_by_the_database():
    entry = ConsultantSkillFactory()
    entry.level = 6
    with pytest.raises(IntegrityError):
        entry.save()


def test_time_away_that_ends_before_it_starts_is_refused():
    away = TimeAwayFactory.build(consultant=ConsultantFactory())
    away.end = away.start.replace(year=away.start.year - 1)
    with pytest.raises(ValidationError) as error:
        away.full_clean()
    assert "end" in error.value.message_dict


def test_status_change_is_recorded_with_who_and_why(admin):
    consultant = consultant_create(email="a@members.test", display_name="Consultant A")
    consultant_set_status(
        consultant=consultant, status=Consultant.Status.PROBATION, actor=admin, reason="Admitted"
    )
    history = list(ConsultantStatusChange.objects.filter(consultant=consultant))
    assert [(h.from_status, h.to_status) for h in history] == [
        ("applicant", "probation"),
        ("", "applicant"),
    ]
    assert history[0].changed_by == admin and history[0].reason == "Admitted"
    assert consultant.probation_ends is not None


def test_skill_slug_keeps_plus_and_sharp_distinct():
    assert skill_create(name="C++").slug != skill_create(name="C#").slug
    assert Skill.objects.count() == 2


def test_a_skill_is_found_by_any_spelling_of_its_name(member, api_as):
    from tests.factories import ConsultantSkillFactory as Entry

    node = skill_create(name="Node.js")
    Entry(consultant=member.consultant, skill=node, level=4)
    assert node.folded_name == "nodejs"
    with pytest.raises(ValidationError, match="already exists"):
        skill_create(name="NodeJS")
    response = api_as(member).get("/api/v1/consultants/", {"skill": "node-js"})
    assert [row["id"] for row in response.json()["results"]] == [member.consultant.pk]
