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


# --- Intake ---------------------------------------------------------------------------------

from intake.models import Contact, Organization, Request  # noqa: E402
from intake.services import status_token_new  # noqa: E402


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Community Organisation {n}")
    website = factory.Sequence(lambda n: f"https://org{n}.example.org")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    email = factory.Sequence(lambda n: f"contact{n}@org.example.org")


class RequestFactory(factory.django.DjangoModelFactory):
    """A request row in any status. For a realistic history, submit with
    ``intake.services.request_submit`` and move it with ``intake.workflow.request_apply``."""

    class Meta:
        model = Request

    organization = factory.SubFactory(OrganizationFactory)
    contact = factory.SubFactory(
        ContactFactory, organization=factory.SelfAttribute("..organization")
    )
    reference = factory.Sequence(lambda n: f"REQ-2026-{n + 1:04d}")
    title = factory.Sequence(lambda n: f"Help with request {n}")
    description = "Our donor database needs cleaning up before year-end appeals."
    skills = factory.LazyFunction(lambda: ["CiviCRM"])
    status_token_hash = factory.LazyFunction(lambda: status_token_new()[1])


# --- Handbook -------------------------------------------------------------------------------

from handbook.models import Decision, Page  # noqa: E402


class PageFactory(factory.django.DjangoModelFactory):
    """A handbook page with its first revision, written by ``actor`` (a user; a new active
    member unless given) through ``handbook.services.page_create``, as a member would write it:
    create only, there is no page without a revision to build."""

    class Meta:
        model = Page

    actor = factory.LazyFunction(lambda: ConsultantFactory(status=Consultant.Status.ACTIVE).user)
    title = factory.Sequence(lambda n: f"Handbook page {n}")
    body = "Text."
    category = Page.Category.GUIDE
    visibility = Page.Visibility.MEMBERS

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from handbook import services

        return services.page_create(**kwargs)


class DecisionFactory(factory.django.DjangoModelFactory):
    """A decision written row by row: the eligible members (``eligible``, consultants) and the
    quorum are the ones given, not set by the alliance's rules as
    ``handbook.services.decision_create`` sets them, as for decisions opened before the rules."""

    class Meta:
        model = Decision
        skip_postgeneration_save = True

    text = factory.Sequence(lambda n: f"Motion {n}")
    rule = Decision.Rule.SIMPLE_MAJORITY
    quorum = 1

    @factory.post_generation
    def eligible(decision, create, extracted, **kwargs):
        if create and extracted:
            decision.eligible.set(extracted)


# --- Intake: offers ---------------------------------------------------------------------------

from intake.models import Offer  # noqa: E402


def _offer_expiry():
    import datetime

    from django.conf import settings
    from django.utils import timezone

    return timezone.now() + datetime.timedelta(hours=settings.OFFER_EXPIRY_HOURS)


class OfferFactory(factory.django.DjangoModelFactory):
    """An offer row: pending and expiring ``OFFER_EXPIRY_HOURS`` from now unless given, on a new
    request to a new member. The request's status is left as it is; to offer a request as a
    coordinator does, move it with ``intake.workflow.request_apply(action="offer")``."""

    class Meta:
        model = Offer

    request = factory.SubFactory(RequestFactory)
    consultant = factory.SubFactory(ConsultantFactory)
    expires_at = factory.LazyFunction(_offer_expiry)


# --- Team bids --------------------------------------------------------------------------------

from intake.bids.models import Bid, BidMember  # noqa: E402


class BidFactory(factory.django.DjangoModelFactory):
    """A bid row in any status, led by a new member on a new request open for bids, with its lead
    on the team (accepted). No agreement version or event is written: for a bid as the services
    make it, use the builders of ``tests/bids/helpers.py``."""

    class Meta:
        model = Bid
        skip_postgeneration_save = True

    request = factory.SubFactory(RequestFactory, status=Request.Status.BIDDING)
    lead = factory.SubFactory(ConsultantFactory)
    price = Decimal("9000.00")
    currency = factory.SelfAttribute("request.currency")
    status = Bid.Status.DRAFT

    @factory.post_generation
    def lead_seat(bid, create, extracted, **kwargs):
        if create:
            BidMemberFactory(bid=bid, consultant=bid.lead, role="Lead", estimated_hours=40)


class BidMemberFactory(factory.django.DjangoModelFactory):
    """A seat on a bid: a new member on the team (accepted) at their standard rate, 20 h."""

    class Meta:
        model = BidMember

    bid = factory.SubFactory(BidFactory)
    consultant = factory.SubFactory(ConsultantFactory)
    role = "Developer"
    estimated_hours = Decimal("20")
    standard_rate = factory.SelfAttribute("consultant.hourly_rate")
    status = BidMember.Status.ACCEPTED
