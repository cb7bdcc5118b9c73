"""The people and the data the role journeys start from (tests/e2e/test_journey_*.py), shared so
each journey sets up only what is its own: the intake desk and a consultant group, the three
members and the large request of a team bid (the cast of test_bid_journey.py), the secretary and
the handbook, and requests brought to a given stage through the workflow's one door.

Every person signs in with ``tests.helpers.PASSWORD``.
"""

from decimal import Decimal

from handbook import services as handbook_services
from handbook.models import Page
from intake import services as intake_services
from intake.models import Request
from intake.workflow import request_apply
from network import services
from network.roles import Role
from tests.factories import (
    ConsultantGroupFactory,
    ConsultantSkillFactory,
    ExternalProfessionalFactory,
    SkillFactory,
    UserFactory,
)
from tests.helpers import member_with_password

GROUP = "Databases and CRM"
PROFESSIONAL = "Bay Area Broadcast Engineering"
BID_TITLE = "A new donor CRM and an accessible website"


def staff_with_role(username: str, role: Role):
    """A staff account (a user with no member record) holding ``role``."""
    user = UserFactory(username=username)
    services.user_grant_role(user=user, role=role)
    return user


def intake_desk() -> dict:
    """The intake coordinator (a staff account), a consultant group with its coordinator and
    two members (the second with a website), and an outside professional to refer clients to."""
    services.languages_ensure()
    intake = staff_with_role("intake-desk", Role.INTAKE_COORDINATOR)
    coordinator = member_with_password(display_name="Group Lead")
    group = ConsultantGroupFactory(name=GROUP, coordinator=coordinator)
    first = member_with_password(display_name="Member A")
    second = member_with_password(display_name="Member B", website="https://member-b.example")
    group.members.add(coordinator, first, second)
    ExternalProfessionalFactory(name=PROFESSIONAL, organization="Independent practice")
    return {
        "intake": intake,
        "coordinator": coordinator,
        "first": first,
        "second": second,
        "group": group,
    }


def request_submitted(title: str, *, organization: str = "Harbour Literacy Project", **fields):
    """A request as the public form submits it; returns the submission (its ``request``, its
    ``status_token``)."""
    slug = organization.lower().replace(" ", "-")
    body = {
        "organization_name": organization,
        "contact_name": "Office Desk",
        "contact_email": f"office@{slug}.example.org",
        "title": title,
        "description": "Duplicates everywhere; the year-end appeal is soon.",
        "skills": ["CiviCRM", "Data migration"],
        **fields,
    }
    return intake_services.request_submit(**body)


def request_moved(request: Request, actor, *moves: tuple[str, dict] | str) -> Request:
    """``request`` carried through ``moves`` (an action, or an action and its fields) by
    ``actor`` (a user); returns it as stored."""
    for move in moves:
        action, fields = (move, {}) if isinstance(move, str) else move
        request_apply(request_id=request.pk, action=action, actor=actor, version=None, **fields)
    return Request.objects.get(pk=request.pk)


def request_routed(desk: dict, title: str, **fields) -> Request:
    """A new request the intake desk contacted, triaged and routed to the desk's group."""
    request = request_submitted(title, **fields).request
    return request_moved(
        request, desk["intake"], "contact", "triage", ("route", {"group": desk["group"].pk})
    )


def bid_team() -> dict:
    """The cast of test_bid_journey.py: three members with one skill each (Member A CiviCRM,
    Member B Web accessibility, Member C Drupal), an intake coordinator (a member, "Intake
    Desk"), and a large request open for team bids that needs all three skills."""
    from tests.factories import RequestFactory

    services.languages_ensure()
    members = {}
    for letter, skill_name in (("A", "CiviCRM"), ("B", "Web accessibility"), ("C", "Drupal")):
        member = member_with_password(display_name=f"Member {letter}")
        ConsultantSkillFactory(consultant=member, skill=SkillFactory(name=skill_name), level=5)
        members[letter] = member
    intake = member_with_password(display_name="Intake Desk")
    services.user_grant_role(user=intake.user, role=Role.INTAKE_COORDINATOR)
    request = RequestFactory(
        status=Request.Status.BIDDING,
        title=BID_TITLE,
        budget_max=Decimal("12000"),
        estimated_hours=90,
        skills=["CiviCRM", "Web accessibility", "Drupal"],
    )
    return {**members, "intake": intake, "request": request}


def handbook_record() -> dict:
    """The secretary (a staff account), three working members who attend meetings and vote, a
    public page and a members' procedure."""
    secretary = staff_with_role("secretary-desk", Role.SECRETARY)
    members = {
        letter: member_with_password(display_name=f"Member {letter}") for letter in ("A", "B", "C")
    }
    public = handbook_services.page_create(
        actor=members["A"].user,
        title="How we work",
        body="## Requests\n\nWe match nonprofits with members.\n\n## Bids\n\n"
        "Large projects go to a team. See [[Cover during time away]].",
        category=Page.Category.GUIDE,
        visibility=Page.Visibility.PUBLIC,
    )
    procedure = handbook_services.page_create(
        actor=members["A"].user,
        title="Cover during time away",
        body="Name a colleague who covers your clients.\nTell the intake desk before you go.",
        category=Page.Category.PROCEDURE,
    )
    return {"secretary": secretary, **members, "public": public, "procedure": procedure}
