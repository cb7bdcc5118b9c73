"""Policies change by decision: a change to a governed page is proposed, voted and adopted, or
kept as not adopted; never saved straight over the page."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from handbook import decisions, proposals, services
from handbook.models import Decision, Page, PageRevision, Proposal
from network.errors import Conflict
from network.models import Consultant
from tests.factories import ConsultantFactory
from tests.helpers import fresh, handbook_api_page_url, handbook_page_url, with_status

PROPOSALS = "/api/v1/handbook/proposals/"


@pytest.fixture
def policy(member):
    return services.page_create(
        actor=member,
        title="Outside referral policy",
        body="We refer out when nobody fits.\n",
        category=Page.Category.POLICY,
    )


@pytest.fixture
def colleagues(db):
    """Two more active members: with the proposer, three voters (quorum two at 50 %)."""
    return [ConsultantFactory(status=Consultant.Status.ACTIVE).user for _ in range(2)]


def propose(page, actor, body, **fields):
    page.refresh_from_db()
    return proposals.proposal_create(
        actor=actor, page_id=page.pk, base_revision=page.latest_revision_id, body=body, **fields
    )


def vote_all(proposal, voters, choice):
    for voter in voters:
        services.vote_cast(actor=fresh(voter), decision_id=proposal.decision_id, choice=choice)


def close(proposal, actor):
    proposals.decision_close(actor=fresh(actor), decision_id=proposal.decision_id)
    proposal.refresh_from_db()
    return proposal


# --- The service ------------------------------------------------------------------------------


def test_an_edit_of_a_policy_is_proposed_and_leaves_the_page_as_it_was(member, policy):
    proposal = propose(policy, member, "We refer out within a week.\n", summary="A deadline")

    policy.refresh_from_db()
    assert policy.body == "We refer out when nobody fits.\n"
    assert policy.latest_revision.number == 1
    assert proposal.status == Proposal.Status.OPEN
    assert proposal.base_id == policy.latest_revision_id
    decision = proposal.decision
    assert decision.rule == Decision.Rule.TWO_THIRDS
    assert decision.text == "“Outside referral policy”: A deadline"
    assert decision.closes_at > timezone.now() + datetime.timedelta(days=13)


def test_a_direct_edit_or_revert_of_a_policy_is_refused(member, policy):
    with pytest.raises(services.GovernedPage):
        services.page_edit(
            actor=member, page_id=policy.pk, base_revision=policy.latest_revision_id, body="x"
        )
    with pytest.raises(services.GovernedPage):
        services.page_revert(
            actor=member,
            page_id=policy.pk,
            revision_id=policy.latest_revision_id,
            base_revision=policy.latest_revision_id,
        )
    assert PageRevision.objects.filter(page=policy).count() == 1


def test_a_passed_proposal_becomes_the_next_revision_by_its_author(member, colleagues, policy):
    proposal = propose(policy, member, "We refer out within a week.\n", summary="A deadline")
    vote_all(proposal, [member, *colleagues], "for")

    proposal = close(proposal, member)

    policy.refresh_from_db()
    assert proposal.status == Proposal.Status.ADOPTED
    assert policy.body == "We refer out within a week.\n"
    revision = policy.latest_revision
    assert (revision.number, revision.author, revision.summary) == (2, member, "A deadline")
    assert proposal.revision == revision
    assert Decision.objects.get(pk=proposal.decision_id).adopted_revision == revision


def test_a_proposal_losing_its_decision_is_kept_as_not_adopted(member, colleagues, policy):
    proposal = propose(policy, member, "We never refer out.\n", summary="No referrals")
    vote_all(proposal, colleagues, "against")
    services.vote_cast(actor=fresh(member), decision_id=proposal.decision_id, choice="for")

    proposal = close(proposal, member)

    assert services.decision_outcome(proposal.decision) == decisions.FAILED
    assert proposal.status == Proposal.Status.NOT_ADOPTED
    assert proposal.body == "We never refer out.\n"  # the text is kept
    policy.refresh_from_db()
    assert policy.body == "We refer out when nobody fits.\n"
    assert policy.revisions.count() == 1


@pytest.mark.parametrize("choices", [["block"], []])
def test_a_blocked_or_inquorate_proposal_is_not_adopted(member, colleagues, policy, choices):
    proposal = propose(policy, member, "Changed.\n")
    proposal.decision.rule = Decision.Rule.CONSENSUS
    proposal.decision.save(update_fields=["rule"])
    for choice in choices:
        services.vote_cast(
            actor=fresh(colleagues[0]), decision_id=proposal.decision_id, choice=choice
        )

    assert close(proposal, member).status == Proposal.Status.NOT_ADOPTED


def test_the_second_proposal_on_the_same_base_is_refused_once_the_first_is_adopted(
    member, colleagues, policy
):
    voters = [member, *colleagues]
    first = propose(policy, member, "First version.\n", summary="First")
    second = propose(policy, colleagues[0], "Second version.\n", summary="Second")
    assert first.base_id == second.base_id
    vote_all(first, voters, "for")
    vote_all(second, voters, "for")

    close(first, member)
    second = close(second, colleagues[0])

    policy.refresh_from_db()
    assert policy.body == "First version.\n"
    assert second.status == Proposal.Status.SUPERSEDED
    assert second.body == "Second version.\n"  # nothing lost
    # Proposing on the old base now is a stale edit, refused with 409 and nothing saved.
    with pytest.raises(services.EditConflict):
        proposals.proposal_create(
            actor=member, page_id=policy.pk, base_revision=first.base_id, body="Third.\n"
        )
    assert Proposal.objects.count() == 2


def test_withdrawing_closes_the_vote_as_withdrawn_and_keeps_the_text(member, colleagues, policy):
    proposal = propose(policy, member, "Changed.\n")
    vote_all(proposal, colleagues, "for")

    proposal = proposals.proposal_withdraw(actor=fresh(member), proposal_id=proposal.pk)

    decision = Decision.objects.get(pk=proposal.decision_id)
    assert proposal.status == Proposal.Status.WITHDRAWN
    assert decision.withdrawn_at is not None and decision.closed_at is not None
    assert services.decision_outcome(decision) == decisions.WITHDRAWN
    with pytest.raises(proposals.ProposalClosed):
        proposals.proposal_withdraw(actor=fresh(member), proposal_id=proposal.pk)
    with pytest.raises(services.DecisionClosed):
        services.vote_cast(actor=fresh(member), decision_id=decision.pk, choice="for")
    policy.refresh_from_db()
    assert policy.revisions.count() == 1


def test_only_the_author_and_the_record_keepers_withdraw(member, other_member, secretary, policy):
    proposal = propose(policy, member, "Changed.\n")
    with pytest.raises(PermissionDenied):
        proposals.proposal_withdraw(actor=fresh(other_member), proposal_id=proposal.pk)
    # The author who is no longer a working member loses the right too.
    with pytest.raises(PermissionDenied):
        proposals.proposal_withdraw(
            actor=with_status(member, Consultant.Status.ON_LEAVE), proposal_id=proposal.pk
        )
    proposals.proposal_withdraw(actor=fresh(secretary), proposal_id=proposal.pk)
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.WITHDRAWN


def test_a_member_on_leave_edits_guides_but_does_not_propose(member, policy):
    on_leave = with_status(member, Consultant.Status.ON_LEAVE)
    with pytest.raises(PermissionDenied):
        propose(policy, on_leave, "Changed.\n")
    assert not Proposal.objects.exists()


def test_bad_proposals_change_nothing(member, policy, members_page):
    with pytest.raises(ValidationError) as same:
        propose(policy, member, policy.body)
    assert "body" in same.value.message_dict
    with pytest.raises(ValidationError) as ungoverned:
        propose(members_page, member, "Changed.\n")
    assert "page" in ungoverned.value.message_dict
    with pytest.raises(ValidationError) as past:
        propose(policy, member, "Changed.\n", closes_at=timezone.now() - datetime.timedelta(1))
    assert "closes_at" in past.value.message_dict
    assert not Proposal.objects.exists() and not Decision.objects.exists()


def test_a_vote_that_reached_its_closing_time_is_settled_by_the_task(member, colleagues, policy):
    proposal = propose(policy, member, "Changed by time.\n")
    vote_all(proposal, [member, *colleagues], "for")
    Decision.objects.filter(pk=proposal.decision_id).update(
        closes_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    first_revision = policy.latest_revision_id

    # A proposal written on the text before the vote closed settles that vote first, then is
    # refused as stale: the base it names is no longer the page's text.
    with pytest.raises(services.EditConflict):
        proposals.proposal_create(
            actor=fresh(colleagues[0]),
            page_id=policy.pk,
            base_revision=first_revision,
            body="Another change.\n",
        )
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.ADOPTED
    assert proposals.proposals_settle_due() == 0  # nothing left whose vote has ended

    still_open = propose(policy, colleagues[0], "Another change.\n")
    assert still_open.base_id == proposal.revision_id
    Decision.objects.filter(pk=still_open.decision_id).update(
        closes_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert proposals.proposals_settle_due() == 1
    still_open.refresh_from_db()
    assert still_open.status == Proposal.Status.NOT_ADOPTED  # nobody voted: no quorum


def test_a_revert_of_a_policy_is_proposed(member, colleagues, policy):
    first = policy.latest_revision
    adopted = propose(policy, member, "Second.\n")
    vote_all(adopted, [member, *colleagues], "for")
    close(adopted, member)
    policy.refresh_from_db()

    proposal = proposals.proposal_revert(
        actor=member,
        page_id=policy.pk,
        revision_id=first.pk,
        base_revision=policy.latest_revision_id,
    )

    assert proposal.body == first.body and proposal.summary == "Restore revision 1"
    policy.refresh_from_db()
    assert policy.body == "Second.\n"


# --- Governed pages ---------------------------------------------------------------------------


def test_the_secretary_marks_a_guide_as_changed_by_decision(secretary, member, members_page):
    proposals.page_governed_set(actor=fresh(secretary), page_id=members_page.pk, governed=True)
    members_page.refresh_from_db()
    assert members_page.is_governed
    proposal = propose(members_page, member, "Changed.\n")

    # It stays governed while the change is being voted on.
    with pytest.raises(Conflict):
        proposals.page_governed_set(actor=fresh(secretary), page_id=members_page.pk, governed=False)
    proposals.proposal_withdraw(actor=fresh(member), proposal_id=proposal.pk)
    proposals.page_governed_set(actor=fresh(secretary), page_id=members_page.pk, governed=False)
    members_page.refresh_from_db()
    assert not members_page.is_governed


def test_members_do_not_mark_pages_and_policies_stay_governed(secretary, member, policy):
    with pytest.raises(PermissionDenied):
        proposals.page_governed_set(actor=fresh(member), page_id=policy.pk, governed=True)
    with pytest.raises(ValidationError):
        proposals.page_governed_set(actor=fresh(secretary), page_id=policy.pk, governed=False)
    with pytest.raises(PermissionDenied):
        services.page_settings_change(actor=fresh(member), page_id=policy.pk, category="guide")
    policy.refresh_from_db()
    assert policy.is_governed and policy.category == Page.Category.POLICY


# --- Pages ------------------------------------------------------------------------------------


def test_the_editor_of_a_policy_proposes(signed_in, member, policy):
    client = signed_in(member)
    editor = client.get(handbook_page_url(policy, "handbook-edit"))
    assert b"Propose this change" in editor.content
    assert b'id="governed-note"' in editor.content

    response = client.post(
        handbook_page_url(policy, "handbook-edit"),
        {
            "base_revision": policy.latest_revision_id,
            "title": policy.title,
            "body": "We refer out within a week.",
            "summary": "A deadline",
        },
    )

    proposal = Proposal.objects.get()
    assert response.status_code == 302 and response.url == proposal.get_absolute_url()
    page = client.get(handbook_page_url(policy)).content.decode()
    assert "A change is being voted on" in page
    assert "We refer out within a week." in page  # in the diff
    assert 'id="page-body"' in page and "We refer out when nobody fits." in page
    detail = client.get(proposal.get_absolute_url())
    assert detail.status_code == 200
    assert b"Withdraw the proposal" in detail.content


def test_a_stale_proposal_on_the_page_keeps_the_text_and_answers_409(
    signed_in, member, colleagues, policy
):
    base = policy.latest_revision_id
    adopted = propose(policy, member, "Adopted first.\n")
    vote_all(adopted, [member, *colleagues], "for")
    close(adopted, member)

    response = signed_in(colleagues[0]).post(
        handbook_page_url(policy, "handbook-edit"),
        {"base_revision": base, "title": policy.title, "body": "My late text.", "summary": ""},
    )

    assert response.status_code == 409
    assert b"My late text." in response.content
    assert Proposal.objects.count() == 1


def test_withdrawing_on_the_page_and_a_second_time(signed_in, member, other_member, policy):
    proposal = propose(policy, member, "Changed.\n")
    url = reverse("handbook-proposal-withdraw", args=[policy.slug, proposal.pk])

    assert signed_in(other_member).post(url).status_code == 403
    assert signed_in(member).post(url).status_code == 302
    again = signed_in(member).post(url)
    assert again.status_code == 409
    assert b"no longer being voted on" in again.content


def test_the_history_shows_adopted_and_not_adopted_changes(signed_in, member, colleagues, policy):
    voters = [member, *colleagues]
    adopted = propose(policy, member, "Adopted.\n", summary="The good one")
    vote_all(adopted, voters, "for")
    close(adopted, member)
    lost = propose(policy, member, "Lost.\n", summary="The lost one")
    vote_all(lost, voters, "against")
    close(lost, member)

    history = signed_in(member).get(handbook_page_url(policy, "handbook-history"))

    text = history.content.decode()
    assert f"decision {adopted.decision_id}" in text
    assert 'id="not-adopted"' in text and "The lost one" in text
    assert "Not adopted" in text


def test_the_decision_page_names_the_change_it_decides(signed_in, member, policy):
    proposal = propose(policy, member, "Changed.\n")
    page = signed_in(member).get(proposal.decision.get_absolute_url())
    assert b'id="decides-proposal"' in page.content
    assert proposal.get_absolute_url().encode() in page.content


def test_propose_again_fills_the_editor_with_the_superseded_text(
    signed_in, member, colleagues, policy
):
    voters = [member, *colleagues]
    first = propose(policy, member, "First.\n")
    second = propose(policy, colleagues[0], "My second text.\n")
    vote_all(first, voters, "for")
    vote_all(second, voters, "for")
    close(first, member)
    close(second, colleagues[0])

    client = signed_in(colleagues[0])
    assert b"Propose it again" in client.get(second.get_absolute_url()).content
    editor = client.get(handbook_page_url(policy, "handbook-edit") + f"?from_proposal={second.pk}")
    assert b"My second text." in editor.content
    assert editor.context["form"].initial["base_revision"] == first.revision_id


def test_the_secretary_marks_a_page_on_its_page(signed_in, secretary, member, members_page):
    url = reverse("handbook-governed", args=[members_page.slug])
    assert signed_in(member).post(url, {"governed": "1"}).status_code == 403
    assert signed_in(secretary).post(url, {"governed": "1"}).status_code == 302
    members_page.refresh_from_db()
    assert members_page.governed
    page = signed_in(member).get(handbook_page_url(members_page))
    assert b">Propose a change<" in page.content and b'id="governed-badge"' in page.content


# --- API --------------------------------------------------------------------------------------


def test_a_put_on_a_policy_answers_202_with_the_proposal(api_as, member, policy):
    response = api_as(member).put(
        handbook_api_page_url(policy),
        {"base_revision": 1, "body": "Via the API.\n", "summary": "API"},
        format="json",
    )

    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "open" and body["base_revision"] == 1
    assert body["body"] == "Via the API.\n" and "+Via the API." in body["diff"]
    policy.refresh_from_db()
    assert policy.body == "We refer out when nobody fits.\n"
    page = api_as(member).get(handbook_api_page_url(policy)).json()
    assert page["governed"] is True


def test_the_api_lists_filters_shows_and_withdraws_proposals(
    api_as, member, other_member, policy, django_assert_max_num_queries
):
    for number in range(5):
        propose(policy, member, f"Change {number}.\n")
    client = api_as(fresh(member))
    with django_assert_max_num_queries(8):
        listed = client.get(PROPOSALS, {"slug": policy.slug, "status": "open"})
    assert listed.status_code == 200 and listed.json()["count"] == 5
    row = listed.json()["results"][0]
    assert row["outcome"] == "no_quorum" and row["page"] == policy.slug

    withdraw = f"{PROPOSALS}{row['id']}/withdraw/"
    assert api_as(other_member).post(withdraw).status_code == 403
    assert client.post(withdraw).json()["status"] == "withdrawn"
    assert client.post(withdraw).status_code == 409
    assert client.get(PROPOSALS, {"status": "nonsense"}).status_code == 400
    assert client.get(f"{PROPOSALS}999999/").status_code == 404


def test_non_members_do_not_see_proposals(api_as, applicant, member, policy):
    proposal = propose(policy, member, "Changed.\n")
    assert api_as(applicant).get(PROPOSALS).status_code == 403
    assert api_as(applicant).get(f"{PROPOSALS}{proposal.pk}/").status_code == 404
    assert api_as(None).get(PROPOSALS).status_code in (401, 403)


def test_closing_the_decision_over_the_api_adopts_the_change(api_as, member, colleagues, policy):
    proposal = propose(policy, member, "Adopted over the API.\n")
    vote_all(proposal, [member, *colleagues], "for")

    response = api_as(fresh(member)).post(
        f"/api/v1/handbook/decisions/{proposal.decision_id}/close/"
    )

    assert response.status_code == 200
    revisions = api_as(member).get(handbook_api_page_url(policy, "revisions/")).json()["results"]
    assert revisions[0]["number"] == 2
    assert revisions[0]["adopted_by_decision"] == proposal.decision_id


def test_the_governed_endpoint(api_as, secretary, member, members_page):
    url = handbook_api_page_url(members_page, "governed/")
    assert api_as(member).post(url, {"governed": True}, format="json").status_code == 403
    assert api_as(secretary).post(url, {"governed": "maybe"}, format="json").status_code == 400
    response = api_as(secretary).post(url, {"governed": True}, format="json")
    assert response.status_code == 200 and response.json() == {"governed": True}
