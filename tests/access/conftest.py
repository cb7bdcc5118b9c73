"""The access matrix's world: one real object for every placeholder of the rows, and a user for
every actor (tests/access/matrix.py)."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from handbook import proposals
from handbook import services as handbook_services
from handbook.models import Decision, Page
from intake import services as intake_services
from intake.bids import terms, work
from intake.bids.models import Bid
from intake.models import Engagement, Request
from intake.workflow import request_apply
from matching import adapter
from network import services as network_services
from network.models import Consultant
from network.roles import Role
from tests.factories import (
    ConsultantFactory,
    ConsultantGroupFactory,
    ConsultantSkillFactory,
    ExternalProfessionalFactory,
    SkillFactory,
    TimeAwayFactory,
    UserFactory,
)
from tests.helpers import bid_at_work

# --- The world ------------------------------------------------------------------------------


def _member(**fields) -> Consultant:
    return ConsultantFactory(status=Consultant.Status.ACTIVE, **fields)


def _stale_coordinator(name: str, status: str) -> Consultant:
    coordinator = _member(display_name=name)
    ConsultantGroupFactory(coordinator=coordinator)
    Consultant.objects.filter(pk=coordinator.pk).update(status=status)
    coordinator.refresh_from_db()
    return coordinator


def _build_world() -> dict:
    """Real objects for every placeholder, made through the services where there are some."""
    network_services.languages_ensure()
    adapter.forget_index()

    consultant = _member(display_name="Member T")
    lead = _member(display_name="Member L")
    outsider = _member(display_name="Member O")
    group_coordinator = _member(display_name="Member G")
    group = ConsultantGroupFactory(coordinator=group_coordinator)
    group.members.add(group_coordinator, consultant, lead)
    intake = _member(display_name="Member I")
    network_services.user_grant_role(user=intake.user, role=Role.INTAKE_COORDINATOR)
    community = UserFactory()
    network_services.user_grant_role(user=community, role=Role.COMMUNITY_COORDINATOR)
    secretary = UserFactory()
    network_services.user_grant_role(user=secretary, role=Role.SECRETARY)
    admin = UserFactory(is_staff=True, is_superuser=True)
    # Coordinators who stopped working: their groups still name them (records from before a
    # status change ended the role, or written around the services), so the rules themselves
    # must look at their status. Both also sit in the request's group and on its bid's board.
    former_coordinator = _stale_coordinator("Former Coordinator", Consultant.Status.FORMER)
    alumni_coordinator = _stale_coordinator("Alumni Coordinator", Consultant.Status.ALUMNI)
    group.members.add(former_coordinator, alumni_coordinator)

    own_skill = ConsultantSkillFactory(consultant=consultant).skill
    own_away = TimeAwayFactory(consultant=consultant)

    # The client's request: submitted, contacted, triaged, routed to the group, open for bids.
    submission = intake_services.request_submit(
        organization_name="Eastside Food Bank",
        contact_name="Client Contact",
        contact_email="contact@eastside.example.org",
        title="A new donor database",
        description="Our donor records live in three spreadsheets.",
        skills=["CiviCRM"],
        budget_max=Decimal("12000"),
        estimated_hours=90,
    )
    request = submission.request
    for action, fields in (
        ("contact", {}),
        ("triage", {}),
        ("route", {"group": group.pk}),
        ("start_bidding", {}),
    ):
        request_apply(
            request_id=request.pk, action=action, actor=intake.user, version=None, **fields
        )

    # A second request, open for bids with no bid yet: the board's and "start a bid" routes.
    open_request = intake_services.request_submit(
        organization_name="Westside Arts Collective",
        contact_name="Second Contact",
        contact_email="contact@westside.example.org",
        title="An accessible website",
        description="Our site fails screen readers.",
        skills=["Web accessibility"],
    ).request
    for action in ("contact", "triage", "start_bidding"):
        request_apply(request_id=open_request.pk, action=action, actor=intake.user, version=None)

    # A team bid carried to work in progress, with an hour logged by the team member.
    bid = bid_at_work(request=request, lead=lead, member=consultant, coordinator=intake.user)
    entry = work.hours_log(
        bid_id=bid.pk,
        actor=consultant.user,
        date=timezone.localdate() - datetime.timedelta(days=1),
        hours="3",
    )

    # The handbook: a public page, a members-only page, a meeting with an action item, and a
    # decision open for the members' votes.
    public_page = handbook_services.page_create(
        actor=intake.user,
        title="How we work",
        body="We match nonprofits with members.",
        visibility=Page.Visibility.PUBLIC,
    )
    members_page = handbook_services.page_create(
        actor=intake.user,
        title="Rates and shares",
        body="The alliance keeps a share of each bid.",
        visibility=Page.Visibility.MEMBERS,
    )
    meeting = handbook_services.meeting_create(
        actor=intake.user,
        title="Spring meeting",
        date=timezone.localdate(),
        attendees=[consultant.pk, lead.pk, intake.pk],
    )
    item = handbook_services.action_item_create(
        actor=intake.user,
        meeting_id=meeting.pk,
        text="Write the onboarding guide",
        owner=consultant,
        due=timezone.localdate() + datetime.timedelta(days=14),
    )
    policy_page = handbook_services.page_create(
        actor=intake.user,
        title="Referral policy",
        body="We refer out when nobody fits.",
        category=Page.Category.POLICY,
    )
    proposal = proposals.proposal_create(
        actor=intake.user,
        page_id=policy_page.pk,
        base_revision=policy_page.latest_revision_id,
        body="We refer out within a week when nobody fits.",
    )
    decision = handbook_services.decision_create(
        actor=intake.user,
        text="Adopt the rates page",
        rule=Decision.Rule.SIMPLE_MAJORITY,
        meeting=meeting,
    )

    return {
        "users": {
            "anonymous": None,
            "client": None,
            "consultant": consultant.user,
            "group_coordinator": group_coordinator.user,
            "intake_coordinator": intake.user,
            "community_coordinator": community,
            "secretary": secretary,
            "admin": admin,
            "former_coordinator": former_coordinator.user,
            "alumni_coordinator": alumni_coordinator.user,
        },
        "token": submission.status_token,
        "names": {
            "request": request.pk,
            "open_request": open_request.pk,
            "bid": bid.pk,
            "entry": entry.pk,
            "bid_version": Bid.objects.get(pk=bid.pk).version,
            "agreement": terms.current_agreement(bid).number,
            "request_version": Request.objects.get(pk=request.pk).version,
            "outsider": outsider.pk,
            "today": timezone.localdate().isoformat(),
            "yesterday": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
            "consultant": consultant.pk,
            "lead": lead.pk,
            "own_skill": own_skill.pk,
            "own_skill_slug": own_skill.slug,
            "own_away": own_away.pk,
            # The consultant's engagement on the team's work (their time away is ahead).
            "engagement": Engagement.objects.get(request=request, consultant=consultant).pk,
            "group": group.pk,
            "skill": SkillFactory().pk,
            "professional": ExternalProfessionalFactory().pk,
            "public_page": public_page.slug,
            "members_page": members_page.slug,
            "revision": public_page.latest_revision_id,
            "meeting": meeting.pk,
            "item": item.pk,
            "decision": decision.pk,
            "policy_page": policy_page.slug,
            "proposal": proposal.pk,
        },
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once per module (and per xdist worker) inside a transaction that is rolled back at
    the end, so nothing leaks into other modules' tests; each test's own ``db`` savepoint
    undoes whatever its request changed."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield _build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            adapter.forget_index()
