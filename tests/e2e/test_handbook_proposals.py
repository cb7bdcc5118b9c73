"""A policy changed by decision, in a real browser at 1280 and 390 px: a member proposes a
change from the policy's editor, the policy shows it as being voted on with its diff, three
members vote for it, its proposer closes the vote and the policy's text becomes the change, with
the decision named in its history. Every page visited fits the screen and has no serious
axe-core finding."""

import pytest
from playwright.sync_api import expect

from handbook import services
from handbook.models import Page, Proposal
from tests.e2e.test_handbook import SIZES, cast_vote, check_page
from tests.helpers import member_with_password

pytestmark = pytest.mark.e2e

ORIGINAL = "Name a colleague who covers your clients."


@pytest.fixture
def policy_and_members(transactional_db):
    first = member_with_password(display_name="Member A")
    second = member_with_password(display_name="Member B")
    third = member_with_password(display_name="Member C")
    policy = services.page_create(
        actor=first.user, title="Cover policy", body=ORIGINAL, category=Page.Category.POLICY
    )
    return policy, (first, second, third)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_policy_changes_only_when_its_vote_passes(new_page, policy_and_members, sign_in, size):
    policy, (first, second, third) = policy_and_members
    pages = [new_page(viewport=SIZES[size]) for _ in range(3)]
    for browser_page, member in zip(pages, (first, second, third), strict=True):
        sign_in(browser_page, member)
    proposer = pages[0]

    proposer.goto(f"/handbook/pages/{policy.slug}/")
    proposer.get_by_role("link", name="Propose a change").click()
    expect(proposer.locator("#governed-note")).to_contain_text("changed by decision")
    check_page(proposer, f"the proposal editor at {size}")
    changed = ORIGINAL + "\nTell the intake desk a week before you go."
    proposer.get_by_label("Markdown text").fill(changed)
    proposer.get_by_label("Summary of your change").fill("A week's notice")
    proposer.get_by_role("button", name="Propose this change").click()
    expect(proposer.get_by_role("status")).to_contain_text("Proposed your change to Cover policy")
    expect(proposer.get_by_role("heading", level=1)).to_contain_text("Proposed change")
    check_page(proposer, f"the proposed change at {size}")

    # The policy is unchanged, and says a change is being voted on, with the diff.
    proposer.goto(f"/handbook/pages/{policy.slug}/")
    expect(proposer.locator("#proposals")).to_contain_text("A change is being voted on")
    expect(proposer.locator("#proposals .diff-table")).to_contain_text("a week before you go")
    expect(proposer.locator("#page-body")).not_to_contain_text("a week before you go")
    check_page(proposer, f"a policy with a change being voted on at {size}")

    decision = Proposal.objects.get().decision
    for browser_page in pages:
        cast_vote(browser_page, decision.get_absolute_url(), "For")
    proposer.goto(decision.get_absolute_url())
    expect(proposer.locator("#decides-proposal")).to_contain_text("proposed change to Cover")
    proposer.once("dialog", lambda dialog: dialog.accept())  # "Close voting?" asked first
    proposer.get_by_role("button", name="Close voting").click()
    expect(proposer.get_by_role("status")).to_contain_text("Final outcome: Passed")

    proposer.goto(f"/handbook/pages/{policy.slug}/")
    expect(proposer.locator("#page-body")).to_contain_text("a week before you go")
    expect(proposer.locator("#proposals")).to_have_count(0)
    proposer.goto(f"/handbook/pages/{policy.slug}/history/")
    expect(proposer.locator("#revision-2")).to_contain_text(f"decision {decision.pk}")
    check_page(proposer, f"the policy's history at {size}")
