"""The handbook's record pages: meetings and their minutes, decisions and votes, action items.
Members only."""

import datetime
import re

import pytest
from django.urls import reverse

from handbook import services
from handbook.models import ActionItem, Decision, Meeting, Page, Vote
from handbook.record_views import RULE_EXPLANATIONS, RULES_PREVIEW
from network.models import Consultant
from tests.factories import ConsultantFactory
from tests.helpers import consultant
from tests.helpers import handbook_page_url as page_url

pytestmark = pytest.mark.django_db


def test_decisions_and_meetings_need_membership(client, signed_in, applicant, member):
    meeting = services.meeting_create(actor=member, title="Spring", date=datetime.date(2030, 4, 1))
    decision = services.decision_create(actor=member, text="Adopt", rule="consensus")
    addresses = (meeting.get_absolute_url(), decision.get_absolute_url())
    for address in addresses:
        assert client.get(address).status_code == 302
    signed_in(applicant)
    for address in addresses:
        assert client.get(address).status_code == 403
    signed_in(member)
    for address in addresses:
        assert client.get(address).status_code == 200


# --- Meetings, decisions, votes, action items -----------------------------------------------


@pytest.fixture
def trio(member, other_member):
    third = ConsultantFactory(status=Consultant.Status.ACTIVE).user
    return [member, other_member, third]


def test_a_member_records_a_meeting_with_minutes(signed_in, member, trio):
    response = signed_in(member).post(
        reverse("handbook-meetings"),
        {
            "title": "Spring meeting",
            "date": "2030-04-01",
            "attendees": [consultant(user).pk for user in trio],
            "agenda": "1. Referral policy",
            "minutes": "We met and agreed.",
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response.url == meeting.get_absolute_url()
    assert meeting.attendees.count() == 3
    assert meeting.minutes.category == Page.Category.MINUTES
    assert meeting.minutes.body == "We met and agreed."
    page = signed_in(member).get(meeting.get_absolute_url())
    assert meeting.minutes.get_absolute_url() in page.content.decode()
    # The motion form asks for neither voters nor quorum; it says what the rules will set.
    assert set(page.context["decision_form"].fields) == {"text", "rule", "adopted_revision"}
    preview = RULES_PREVIEW.format(working=3, percent=50, quorum=2)
    assert page.context["rules_preview"] == preview and preview in page.content.decode()


def test_a_bad_meeting_is_refused_with_the_form(signed_in, member):
    response = signed_in(member).post(
        reverse("handbook-meetings"), {"title": "Spring", "date": "2030-13-45"}
    )
    assert response.status_code == 400
    assert "date" in response.context["form"].errors
    assert not Meeting.objects.exists()


@pytest.fixture
def meeting(member, trio):
    meeting = services.meeting_create(
        actor=member,
        title="Spring meeting",
        date=datetime.date(2030, 4, 1),
        attendees=[consultant(user).pk for user in trio],
    )
    return meeting


def test_a_two_thirds_decision_follows_the_votes(client, signed_in, member, trio, meeting):
    response = signed_in(member).post(
        reverse("handbook-decision-new", args=[meeting.pk]),
        {"decision-text": "Adopt the referral policy", "decision-rule": "two_thirds"},
    )
    decision = Decision.objects.get()
    assert response.status_code == 302 and response.url == decision.get_absolute_url()
    # The three working members may vote; the quorum is half of them, rounded up.
    assert {voter.user for voter in decision.eligible.all()} == set(trio)
    assert (decision.quorum, decision.quorum_percent) == (2, 50)
    vote_url = reverse("handbook-vote", args=[decision.pk])

    for user, choice in zip(trio, ["for", "for", "against"], strict=True):
        client.force_login(user)
        assert client.post(vote_url, {"choice": choice}).status_code == 302
    page = client.get(decision.get_absolute_url())
    assert page.context["outcome"] == "passed"
    assert 'data-outcome="passed">Passed<' in page.content.decode()

    client.force_login(trio[1])
    client.post(vote_url, {"choice": "against", "reason": "Changed my mind"})
    page = client.get(decision.get_absolute_url())
    assert page.context["outcome"] == "failed"
    assert [vote.choice for vote in page.context["superseded"]] == ["for"]
    assert Vote.objects.filter(decision=decision).count() == 4
    register = client.get(reverse("handbook-decisions"))
    assert 'data-outcome="failed"' in register.content.decode()
    failed = client.get(reverse("handbook-decisions"), {"outcome": "passed"})
    assert list(failed.context["listing"].object_list) == []


def test_a_decision_links_the_policy_revision_it_adopted(signed_in, member, meeting, pages):
    revision = pages["policy"].latest_revision
    client = signed_in(member)
    client.post(
        reverse("handbook-decision-new", args=[meeting.pk]),
        {
            "decision-text": "Adopt the referral policy",
            "decision-rule": "consensus",
            "decision-adopted_revision": revision.pk,
        },
    )
    decision = Decision.objects.get()
    assert decision.adopted_revision == revision
    link = reverse("handbook-history", args=[pages["policy"].slug]) + "#revision-1"
    assert link in client.get(decision.get_absolute_url()).content.decode()
    assert link in client.get(reverse("handbook-decisions")).content.decode()


def test_a_bad_decision_is_refused_with_the_form(signed_in, member, meeting):
    response = signed_in(member).post(
        reverse("handbook-decision-new", args=[meeting.pk]),
        {"decision-text": "", "decision-rule": "unanimity"},
    )
    assert response.status_code == 400
    assert {"text", "rule"} <= set(response.context["decision_form"].errors)
    assert not Decision.objects.exists()


@pytest.fixture
def decision(member, meeting):
    return services.decision_create(
        actor=member, meeting=meeting, text="Adopt the cover plan", rule="simple_majority"
    )


def test_a_vote_by_a_member_not_eligible_is_forbidden(signed_in, decision):
    """A member admitted after the decision was opened is not on its list."""
    latecomer = ConsultantFactory(status=Consultant.Status.ACTIVE).user
    response = signed_in(latecomer).post(
        reverse("handbook-vote", args=[decision.pk]), {"choice": "for"}
    )
    assert response.status_code == 403
    assert b"not among the members eligible" in response.content
    assert not Vote.objects.exists()


def test_a_vote_after_the_decision_closed_answers_409(signed_in, member, decision):
    client = signed_in(member)
    assert client.post(reverse("handbook-close", args=[decision.pk])).status_code == 302
    response = client.post(reverse("handbook-vote", args=[decision.pk]), {"choice": "for"})
    assert response.status_code == 409
    assert b"Voting on this decision has closed" in response.content
    assert not Vote.objects.exists()
    again = client.post(reverse("handbook-close", args=[decision.pk]))
    assert again.status_code == 409


def test_a_bad_vote_is_refused_with_the_form(signed_in, member, decision):
    response = signed_in(member).post(
        reverse("handbook-vote", args=[decision.pk]), {"choice": "maybe"}
    )
    assert response.status_code == 400
    assert not Vote.objects.exists()


@pytest.mark.parametrize("rule", list(Decision.Rule.values))
def test_the_decision_page_states_how_abstentions_count(signed_in, member, rule):
    decision = services.decision_create(actor=member, text="Motion", rule=rule)
    content = signed_in(member).get(decision.get_absolute_url()).content.decode()
    assert RULE_EXPLANATIONS[rule] in content
    assert "abst" in RULE_EXPLANATIONS[rule].lower()
    assert "Every vote counts towards quorum (for, against, abstain and block alike)" in content


def test_action_items_are_added_and_marked_done(signed_in, member, meeting):
    client = signed_in(member)
    response = client.post(
        reverse("handbook-action-new", args=[meeting.pk]),
        {"action-text": "Draft the cover plan", "action-owner": consultant(member).pk,
         "action-due": "2030-05-01"},
    )  # fmt: skip
    assert response.status_code == 302
    item = ActionItem.objects.get()
    assert client.post(reverse("handbook-action-done", args=[item.pk])).status_code == 302
    item.refresh_from_db()
    assert item.done_at is not None
    bad = client.post(
        reverse("handbook-action-new", args=[meeting.pk]), {"action-text": "", "action-due": "x"}
    )
    assert bad.status_code == 400
    assert ActionItem.objects.count() == 1


def test_every_form_carries_a_csrf_token(signed_in, member, pages, decision):
    client = signed_in(member)
    for address in (
        reverse("handbook-new"),
        page_url(pages["guide"], "handbook-edit"),
        page_url(pages["guide"]),
        reverse("handbook-meetings"),
        decision.meeting.get_absolute_url(),
        decision.get_absolute_url(),
    ):
        content = client.get(address).content.decode()
        posts = len(re.findall(r'<form[^>]*method="post"', content))
        assert posts and content.count("csrfmiddlewaretoken") >= posts, address


def test_the_decisions_register_makes_a_bounded_number_of_queries(
    signed_in, member, trio, meeting, django_assert_max_num_queries
):
    for number in range(10):
        decision = services.decision_create(
            actor=member,
            meeting=meeting,
            text=f"Motion {number}",
            rule="two_thirds",
        )
        for user in trio:
            services.vote_cast(actor=user, decision_id=decision.pk, choice="for")
    client = signed_in(member)
    # 1-5 session, user, roles, member record, group coordinator, 6 the decisions with their
    # meeting, adopted revision's page and eligible count, 7 their current votes, 8 the
    # navigation's counts (network.desk).
    with django_assert_max_num_queries(8):
        response = client.get(reverse("handbook-decisions"))
    assert len(response.context["listing"].object_list) == 10
