"""factory_boy factories. Names are plain sequences: the project invents no people."""

from decimal import Decimal

import factory
from django.utils.text import slugify

from network.models import (
    Consultant,
    ConsultantGroup,
    ConsultantSkill,
    ExternalProfessional,
    MembershipApplication,
    Skill,
    SkillAlias,
    TimeAway,
    User,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@members.test")
    password = factory.django.Password("correct horse battery")


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill

    name = factory.Sequence(lambda n: f"Skill {n}")
    slug = factory.LazyAttribute(lambda skill: slugify(skill.name))
    category = Skill.Category.OTHER


class SkillAliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SkillAlias

    skill = factory.SubFactory(SkillFactory)
    alias = factory.Sequence(lambda n: f"alias {n}")


class ConsultantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consultant

    user = factory.SubFactory(UserFactory)
    display_name = factory.Sequence(lambda n: f"Consultant {n}")
    location = "San Francisco, CA"
    hourly_rate = Decimal("95.00")
    capacity_hours_per_week = 20
    status = Consultant.Status.ACTIVE


class ConsultantSkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsultantSkill

    consultant = factory.SubFactory(ConsultantFactory)
    skill = factory.SubFactory(SkillFactory)
    level = 3


class TimeAwayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimeAway

    consultant = factory.SubFactory(ConsultantFactory)
    start = factory.Faker("date_between", start_date="+1d", end_date="+30d")
    end = factory.LazyAttribute(lambda away: away.start)


class ConsultantGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsultantGroup

    name = factory.Sequence(lambda n: f"Group {n}")
    slug = factory.LazyAttribute(lambda group: slugify(group.name))


class ExternalProfessionalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExternalProfessional

    name = factory.Sequence(lambda n: f"Outside professional {n}")
    organization = "Independent practice"
    email = factory.Sequence(lambda n: f"pro{n}@outside.test")


class MembershipApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MembershipApplication

    name = factory.Sequence(lambda n: f"Applicant {n}")
    email = factory.Sequence(lambda n: f"applicant{n}@applicants.test")
    statement = "Ten years of nonprofit IT support."
