"""Fixtures shared by the handbook's test modules: the roles the API tests name, the pages the
page tests read and write, and the meeting and decision the records API tests vote on.

A module that needs another shape of one of these (``meeting``, ``decision``, ``pages``) defines
its own, which takes precedence over the one here."""

import datetime

import pytest

from handbook import services
from handbook.models import Decision, Page
from network.models import Consultant
from tests.factories import ConsultantFactory

# --- Roles -----------------------------------------------------------------------------------


@pytest.fixture
def applicant(db):
    """Signed in, but not (yet) a member: reads public pages only, writes nothing."""
    return ConsultantFactory(status=Consultant.Status.APPLICANT).user


@pytest.fixture
def caller(request):
    """The user of a role named by a test: "anonymous" (None), or the name of a fixture
    ("applicant", "member", "admin", …)."""

    def make(role):
        return None if role == "anonymous" else request.getfixturevalue(role)

    return make


# --- Pages, as the page views read them --------------------------------------------------------


@pytest.fixture
def pages(member):
    """A public procedure, a members-only policy that links to it, and a guide."""
    public = services.page_create(
        actor=member,
        title="How intake works",
        body="# How intake works\n\nRequests arrive through the public form.",
        category=Page.Category.PROCEDURE,
        visibility=Page.Visibility.PUBLIC,
    )
    policy = services.page_create(
        actor=member,
        title="Outside referral policy",
        body="We refer out when nobody fits. See [[How intake works]] and [[Cover plan]].",
        category=Page.Category.POLICY,
    )
    guide = services.page_create(
        actor=member, title="Team bids", body="Rate agreements split the pool.", summary="First"
    )
    return {"public": public, "policy": policy, "guide": guide}


# --- Pages, as the pages API reads them --------------------------------------------------------


@pytest.fixture
def author(db):
    return ConsultantFactory(status=Consultant.Status.ACTIVE, display_name="Page Author").user


@pytest.fixture
def public_page(author):
    """A public procedure: members edit it directly (a policy changes by decision)."""
    return services.page_create(
        actor=author,
        title="Outside referrals",
        body="When nobody in the alliance fits, we refer out.\n",
        category=Page.Category.PROCEDURE,
        visibility=Page.Visibility.PUBLIC,
    )


@pytest.fixture
def public_policy(author):
    """A public policy, reviewed and changed by decision."""
    return services.page_create(
        actor=author,
        title="Outside referral policy",
        body="When nobody in the alliance fits, we refer out.\n",
        category=Page.Category.POLICY,
        visibility=Page.Visibility.PUBLIC,
    )


@pytest.fixture
def members_page(author):
    return services.page_create(
        actor=author,
        title="Rate agreements",
        body="Team bids share risk.\n\nSee [[Outside referrals]].\n",
        category=Page.Category.PROCEDURE,
        visibility=Page.Visibility.MEMBERS,
    )


# --- A meeting and a decision, as the records API reads them -----------------------------------


@pytest.fixture
def voters(db):
    """Three active members, eligible to vote on the decisions made here."""
    return [ConsultantFactory(status=Consultant.Status.ACTIVE) for _ in range(3)]


@pytest.fixture
def meeting(member, voters):
    return services.meeting_create(
        actor=member,
        title="Spring general meeting",
        date=datetime.date(2026, 4, 2),
        attendees=[voter.pk for voter in voters],
        agenda="1. Referral policy",
    )


@pytest.fixture
def decision(member, meeting, voters):
    """Opened by ``member``: the member and the three voters may vote; the quorum is 2 of 4."""
    return services.decision_create(
        actor=member,
        meeting=meeting,
        text="Adopt the outside-referral policy.",
        rule=Decision.Rule.TWO_THIRDS,
    )
