"""What the record's pages say: a meeting's attendees as tick boxes sorted by name, its minutes
titled once ("Minutes: …", never "Minutes: Minutes: …"), and messages that say what happened
to what."""

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from handbook import services
from handbook.models import ActionItem, Decision, Meeting
from network.models import Consultant
from tests.factories import ConsultantFactory
from tests.helpers import consultant

pytestmark = pytest.mark.django_db

SPRING = datetime.date(2030, 4, 1)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- Attendees --------------------------------------------------------------------------------


def test_attendees_are_tick_boxes_in_a_fieldset_sorted_by_name(signed_in, member):
    for name in ("zora Last", "Ada First", "mid Middle"):
        ConsultantFactory(status=Consultant.Status.ACTIVE, display_name=name)
    ConsultantFactory(status=Consultant.Status.ON_LEAVE, display_name="On Leave")
    ConsultantFactory(status=Consultant.Status.ALUMNI, display_name="An Alumnus")

    content = signed_in(member).get(reverse("handbook-meetings")).content.decode()

    fieldset = re.search(r"<fieldset[^>]*>\s*<legend[^>]*>Attendees.*?</fieldset>", content, re.S)
    assert fieldset, "the attendees are a fieldset with a legend"
    box = r'<label for="id_attendees_\d+"><input type="checkbox" name="attendees"[^>]*>'
    boxes = re.findall(box + r"\s*(.*?)</label>", fieldset.group(0), re.S)
    names = [name.strip() for name in boxes]
    assert names == sorted(names, key=str.casefold)
    assert {"Ada First", "mid Middle", "zora Last", "On Leave"} <= set(names)
    assert "An Alumnus" not in names
    assert 'class="attendee-list"' in fieldset.group(0)  # scrolls when long (handbook.css)
    assert "<select" not in fieldset.group(0) and "Ctrl" not in content


def test_ticked_attendees_are_recorded(signed_in, member, other_member):
    attendees = [consultant(member).pk, consultant(other_member).pk]

    signed_in(member).post(
        reverse("handbook-meetings"),
        {"title": "Spring meeting", "date": "2030-04-01", "attendees": attendees},
    )

    assert sorted(Meeting.objects.get().attendees.values_list("pk", flat=True)) == attendees


# --- Minutes titled once -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("meeting_title", "minutes_title"),
    [
        ("December members' meeting", "Minutes: December members' meeting (2030-04-01)"),
        ("Minutes: December members' meeting", "Minutes: December members' meeting (2030-04-01)"),
        ("minutes of the AGM", "minutes of the AGM (2030-04-01)"),
    ],
)
def test_the_minutes_page_is_titled_with_one_prefix(member, meeting_title, minutes_title):
    meeting = services.meeting_create(
        actor=member, title=meeting_title, date=SPRING, minutes_body="Met."
    )

    assert meeting.minutes.title == minutes_title


def test_a_long_meeting_title_still_gives_minutes(member):
    meeting = services.meeting_create(actor=member, title="M" * 200, date=SPRING, minutes_body="x")

    assert len(meeting.minutes.title) == 200
    assert meeting.minutes.title.startswith("Minutes: MMM")
    assert meeting.minutes.title.endswith("… (2030-04-01)")


def test_the_meeting_page_names_its_minutes_once(signed_in, member):
    meeting = services.meeting_create(
        actor=member, title="December members' meeting", date=SPRING, minutes_body="Met."
    )

    content = signed_in(member).get(meeting.get_absolute_url()).content.decode()

    assert "Minutes: Minutes:" not in content
    assert content.count("Minutes: December members&#x27; meeting (2030-04-01)") == 1


def test_the_link_to_write_minutes_later_is_prefilled_once(signed_in, member):
    meeting = services.meeting_create(
        actor=member, title="Minutes: December members' meeting", date=SPRING
    )
    client = signed_in(member)

    content = client.get(meeting.get_absolute_url()).content.decode()
    address = re.search(r'href="(/handbook/new/\?title=[^"]+)"', content).group(1)
    form = client.get(address.replace("&amp;", "&")).context["form"]

    assert form["title"].value() == "Minutes: December members' meeting (2030-04-01)"
    assert form["category"].value() == "minutes"


# --- Messages ------------------------------------------------------------------------------------


def test_recording_a_meeting_says_which(signed_in, member):
    response = signed_in(member).post(
        reverse("handbook-meetings"),
        {"title": "Spring meeting", "date": "2030-04-01", "minutes": "Met."},
    )

    assert messages_of(response) == [
        "Recorded the meeting Spring meeting of 1 April 2030, with its minutes."
    ]


def test_recording_a_decision_says_who_votes_and_the_quorum(signed_in, member, other_member):
    meeting = services.meeting_create(actor=member, title="Spring", date=SPRING)

    response = signed_in(member).post(
        reverse("handbook-decision-new", args=[meeting.pk]),
        {"decision-text": "Adopt the cover policy", "decision-rule": "two_thirds"},
    )

    assert Decision.objects.get().text == "Adopt the cover policy"
    assert messages_of(response) == [
        "Recorded the decision “Adopt the cover policy”: its 2 eligible members can vote now, "
        "and 1 votes make a quorum."
    ]


def test_adding_and_finishing_an_action_item_say_which(signed_in, member):
    meeting = services.meeting_create(actor=member, title="Spring", date=SPRING)
    client = signed_in(member)

    added = client.post(
        reverse("handbook-action-new", args=[meeting.pk]),
        {
            "action-text": "Draft the cover policy",
            "action-owner": consultant(member).pk,
            "action-due": "2030-05-01",
        },
    )
    item = ActionItem.objects.get()
    done = client.post(reverse("handbook-action-done", args=[item.pk]))

    name = consultant(member).display_name
    assert messages_of(added) == [
        f"Added the action item “Draft the cover policy” for {name}, due 1 May 2030."
    ]
    # No page was shown between the two posts: the second message follows the first.
    assert messages_of(done)[-1] == "Marked the action item “Draft the cover policy” as done."


def test_voting_and_closing_say_on_what(signed_in, member):
    decision = services.decision_create(
        actor=member, text="Adopt the cover policy", rule="consensus"
    )
    client = signed_in(member)

    voted = client.post(reverse("handbook-vote", args=[decision.pk]), {"choice": "for"})
    closed = client.post(reverse("handbook-close", args=[decision.pk]))

    assert messages_of(voted) == ["Your vote on “Adopt the cover policy” is recorded: For."]
    assert messages_of(closed)[-1] == (
        "Closed the vote on “Adopt the cover policy”. Final outcome: Passed."
    )
