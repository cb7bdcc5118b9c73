"""What the handbook puts on the desk (``handbook.desk``): for the record keepers the open
decisions, the action items and the policies due for review; for a working member the votes,
action items and pages that wait for them; and the navigation's counts of each."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from handbook import desk as handbook_desk
from handbook import services
from handbook.models import ActionItem, Decision, Page
from network.models import Consultant
from tests.factories import ConsultantFactory, DecisionFactory
from tests.helpers import fresh, with_status

pytestmark = pytest.mark.django_db

DESK = "/desk/"


def counts_of(panel) -> dict[str, int]:
    return {count.label: count.value for count in panel.counts}


def nav_count(client, label: str) -> int | None:
    html = client.get(reverse("home")).content.decode()
    match = re.search(rf">{label}<span class=\"nav-count\">(\d+)<", html)
    return int(match.group(1)) if match else None


@pytest.fixture
def meeting(member):
    return services.meeting_create(actor=member, title="Spring meeting", date=timezone.localdate())


def item(meeting, owner, days: int) -> ActionItem:
    """An action item due ``days`` from today (negative: overdue), written as stored."""
    due = timezone.localdate() + datetime.timedelta(days=days)
    return ActionItem.objects.create(meeting=meeting, text=f"Due in {days}", owner=owner, due=due)


def policy(actor, title: str, **fields) -> Page:
    """A policy, last reviewed two years ago (due for review) unless ``fields`` say otherwise."""
    fields.setdefault("last_reviewed", timezone.localdate() - datetime.timedelta(days=730))
    return services.page_create(
        actor=actor, title=title, body="Text.", category=Page.Category.POLICY, **fields
    )


# --- The record keepers' panel --------------------------------------------------------------


def test_the_secretary_sees_open_decisions_action_items_and_reviews_due(
    signed_in, secretary, member, meeting
):
    now = timezone.now()
    soon = now + datetime.timedelta(hours=5)
    open_vote = DecisionFactory(text="Adopt the travel policy", closes_at=soon)
    DecisionFactory(text="Closed by hand", closed_at=now)
    DecisionFactory(text="Closed by the clock", closes_at=now - datetime.timedelta(hours=1))
    late = item(meeting, member.consultant, -2)
    item(meeting, member.consultant, 10)
    ActionItem.objects.filter(pk=item(meeting, member.consultant, -5).pk).update(done_at=now)
    due = policy(member, "Rates policy")
    policy(member, "Reviewed policy", last_reviewed=timezone.localdate())

    panel = handbook_desk.record_panel(fresh(secretary))
    assert counts_of(panel) == {
        "Decisions open": 1,
        "Action items overdue": 1,
        "Action items open": 2,
        "Policies due for review": 1,
    }
    urls = [entry.url for entry in panel.items]
    assert urls == [
        open_vote.get_absolute_url(),
        late.meeting.get_absolute_url() + "#actions",
        meeting.get_absolute_url() + "#actions",
        due.get_absolute_url(),
    ]
    assert panel.items[0].urgent and panel.items[1].urgent
    assert panel.items[1].note.startswith("Was due") and member.consultant.display_name in (
        panel.items[1].note
    )
    # Each line and each count opens a page the secretary may read.
    client = signed_in(secretary)
    for url in [*urls, *(count.url for count in panel.counts if count.url)]:
        assert client.get(url).status_code == 200, url


def test_an_up_to_date_record_reads_the_empty_state(signed_in, secretary):
    html = signed_in(secretary).get(DESK).content.decode()
    assert "The record is up to date: no open decision, no action item, no review due." in html


def test_the_record_keepers_navigation_counts_late_items_and_reviews(
    signed_in, secretary, member, meeting
):
    item(meeting, member.consultant, -1)
    item(meeting, member.consultant, 1)  # due soon, but not the secretary's
    policy(member, "Rates policy")
    client = signed_in(secretary)
    assert nav_count(client, "Meetings") == 1
    assert nav_count(client, "Handbook") == 1
    assert nav_count(client, "Decisions") is None


# --- A member's panel --------------------------------------------------------------------------


def test_a_member_sees_the_votes_items_and_pages_waiting_for_them(signed_in, member, meeting):
    me = member.consultant
    other = ConsultantFactory(status=Consultant.Status.ACTIVE)
    vote = services.decision_create(
        actor=member, text="Adopt the rates page", rule=Decision.Rule.SIMPLE_MAJORITY
    )
    DecisionFactory(text="Not mine to vote on", eligible=[other])
    mine = item(meeting, me, 1)
    item(meeting, other, -3)
    page = policy(member, "My policy")
    policy(member, "Their policy", owner=other)

    panel = handbook_desk.member_panel(fresh(member), me)
    assert counts_of(panel) == {
        "Votes waiting": 1,
        "Your action items": 1,
        "Your pages due for review": 1,
    }
    assert [entry.url for entry in panel.items] == [
        vote.get_absolute_url(),
        mine.meeting.get_absolute_url() + "#actions",
        page.get_absolute_url(),
    ]
    assert panel.items[0].note.startswith("Your vote is waiting.")
    client = signed_in(member)
    assert nav_count(client, "Decisions") == 1
    assert nav_count(client, "Meetings") == 1
    assert nav_count(client, "Handbook") == 1

    services.vote_cast(actor=fresh(member), decision_id=vote.pk, choice="for")
    assert counts_of(handbook_desk.member_panel(fresh(member), me))["Votes waiting"] == 0
    assert nav_count(client, "Decisions") is None


def test_a_member_with_nothing_waiting_reads_the_empty_state(signed_in, member):
    html = signed_in(member).get(DESK).content.decode()
    assert "No vote is waiting for you, you have no open action item and no page due." in html


def test_a_member_who_is_not_working_has_no_handbook_panel(member):
    services.decision_create(actor=member, text="A motion", rule=Decision.Rule.SIMPLE_MAJORITY)
    user = with_status(member, Consultant.Status.ALUMNI)
    assert handbook_desk.panels(user) == []
    assert handbook_desk.counts(user) == []


def test_each_panel_reads_a_fixed_number_of_queries(
    secretary, member, meeting, django_assert_num_queries
):
    for number in range(8):
        DecisionFactory(text=f"Motion {number}", eligible=[member.consultant])
        item(meeting, member.consultant, number - 4)
        policy(member, f"Policy {number}")
    keeper = fresh(secretary)
    with django_assert_num_queries(4):
        panel = handbook_desk.record_panel(keeper)
    assert len(panel.items) == 15
    user = fresh(member)
    with django_assert_num_queries(4):
        panel = handbook_desk.member_panel(user, member.consultant)
    assert len(panel.items) == 15
