"""The workspace one section at a time (``intake/bids/workspace.py``, ``stages.py``): the stepper
for each of the bid's states, the tabs, the section shown by default and by ``?section=``, the
history paginated with the "Latest activity" line elsewhere, and what each section costs."""

import datetime
import re

import pytest
from django.utils import timezone
from django.utils.html import strip_tags

from intake.bids import rules, states
from intake.bids.models import Bid, BidEvent, HoursEntry
from tests.bids.page_helpers import (
    fresh,
    in_progress,
    proposed,
    section,
    sent,
    settled,
    signed,
    start_bid,
    url,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_index")]


def submitted(bid, people, intake_coordinator) -> Bid:
    bid = signed(bid, people)
    states.bid_submit(bid_id=bid.pk, actor=people["lead"])
    return fresh(bid)


def won(bid, people, intake_coordinator) -> Bid:
    bid = submitted(bid, people, intake_coordinator)
    states.bid_decide(bid_id=bid.pk, actor=intake_coordinator, won=True)
    return fresh(bid)


def lost(bid, people, intake_coordinator) -> Bid:
    bid = submitted(bid, people, intake_coordinator)
    states.bid_decide(bid_id=bid.pk, actor=intake_coordinator, won=False)
    return fresh(bid)


def withdrawn(bid, people, intake_coordinator) -> Bid:
    bid = sent(bid, people)
    states.bid_withdraw(bid_id=bid.pk, actor=people["lead"])
    return fresh(bid)


STAGES = {
    "draft": lambda bid, people, coordinator: bid,
    "agreement out": lambda bid, people, coordinator: sent(bid, people),
    "signed": lambda bid, people, coordinator: signed(bid, people),
    "submitted": submitted,
    "won": won,
    "in progress": in_progress,
    "statement proposed": proposed,
    "settled": settled,
    "lost": lost,
    "withdrawn": withdrawn,
}


def stepper(html: str) -> list[str]:
    """Each stage of the stepper as a screen reader reads it, with its state class."""
    block = html.split('<ol class="bid-stepper">', 1)[1].split("</ol>", 1)[0]
    items = re.findall(
        r'<li class="bid-stage bid-stage-(\w+)"[^>]*?( aria-current="step")?>(.*?)</li>',
        block,
        re.S,
    )
    return [
        f"{state}{' (aria-current)' if current else ''}: "
        + " ".join(strip_tags(body).split()[1:])  # the mark (a number or ✓) is hidden
        for state, current, body in items
    ]


@pytest.mark.parametrize(
    ("stage", "expected"),
    [
        ("draft", (2, "Agreement", 1)),
        ("agreement out", (3, "Signatures", 2)),
        ("signed", (4, "Submitted", 3)),
        ("submitted", (5, "Won", 4)),
        ("won", (6, "Work", 5)),
        ("in progress", (6, "Work", 5)),
        ("statement proposed", (7, "Settlement", 6)),
    ],
)
def test_the_stepper_marks_done_current_and_future_stages(
    signed_in, people, bid, intake_coordinator, stage, expected
):
    bid = STAGES[stage](bid, people, intake_coordinator)
    number, label, done = expected

    html = signed_in(people["team member"]).get(url("bid-workspace", bid)).content.decode()

    found = stepper(html)
    assert len(found) == 7
    assert found[number - 1] == (f"current (aria-current): Stage {number} of 7: {label}, current")
    assert all(item.startswith("done:") and item.endswith(", done") for item in found[:done])
    assert all(item.startswith("future:") for item in found[number:])
    assert html.count('aria-current="step"') == 1


def test_a_settled_bid_has_every_stage_done(signed_in, people, bid, intake_coordinator):
    bid = settled(bid, people, intake_coordinator)
    html = signed_in(people["lead"]).get(url("bid-workspace", bid)).content.decode()

    assert [item.split(":")[0] for item in stepper(html)] == ["done"] * 7
    assert 'aria-current="step"' not in html
    assert "every member approved the statement; the bid is settled" in html


@pytest.mark.parametrize(
    ("stage", "ended"),
    [
        ("lost", "Stage 5 of 7: Won, where the bid ended"),
        ("withdrawn", "Stage 3 of 7: Signatures, where the bid ended"),
    ],
)
def test_a_lost_or_withdrawn_bid_shows_where_it_ended(
    signed_in, people, bid, intake_coordinator, stage, ended
):
    bid = STAGES[stage](bid, people, intake_coordinator)
    html = signed_in(people["other member"]).get(url("bid-workspace", bid)).content.decode()

    assert f"stopped: {ended}" in stepper(html)
    assert 'aria-current="step"' not in html


def test_a_draft_with_the_lead_alone_is_forming_its_team(signed_in, people, bidding):
    bid = start_bid(bidding, people)  # the second member only invited
    client = signed_in(people["lead"])

    html = client.get(url("bid-workspace", bid)).content.decode()

    assert stepper(html)[0] == "current (aria-current): Stage 1 of 7: Team, current"
    assert '<h2 id="team-title">Team</h2>' in html  # the team section, by default


# --- Sections and tabs ----------------------------------------------------------------------------


def tabs(html: str) -> list[str]:
    block = html.split('<nav class="bid-tabs" aria-label="Sections of the bid">', 1)[1]
    block = block.split("</nav>", 1)[0]
    return [
        f"{label}{' (current)' if current else ''}"
        for current, label in re.findall(
            r'<a href="\?section=\w+"( aria-current="page")?>(\w+)</a>', block
        )
    ]


def heading(html: str) -> str:
    """The shown section's heading."""
    return re.search(r'<section class="section bid-section"[^>]*>\s*<h2[^>]*>([^<]+)</h2>', html)[1]


def test_the_tabs_switch_sections_one_at_a_time(signed_in, people, bid, intake_coordinator):
    bid = in_progress(bid, people, intake_coordinator)
    client = signed_in(people["team member"])

    default = client.get(url("bid-workspace", bid)).content.decode()
    assert tabs(default) == ["Team", "Agreement", "Hours (current)", "Settlement", "History"]
    assert heading(default) == "Hours"
    for name, title in [
        ("team", "Team"),
        ("agreement", "Agreement, version"),
        ("hours", "Hours"),
        ("settlement", "Settlement"),
        ("history", "History"),
    ]:
        html = client.get(section(bid, name)).content.decode()
        assert heading(html).startswith(title)
        assert html.count('class="section bid-section"') == 1  # one section at a time
        assert f"{title.split(',')[0]} (current)" in tabs(html)


def test_an_unknown_or_closed_section_shows_the_default(signed_in, people, bid):
    client = signed_in(people["team member"])  # a draft: no hours yet

    for asked in ("hours", "settlement", "nonsense", ""):
        html = client.get(section(bid, asked)).content.decode()
        assert heading(html).startswith("Agreement, version")
    assert tabs(html) == ["Team", "Agreement (current)", "History"]


def test_members_without_the_money_see_the_team_alone(signed_in, people, bid):
    html = signed_in(people["other member"]).get(section(bid, "history")).content.decode()

    assert heading(html) == "Team"
    assert 'class="bid-tabs"' not in html  # one section: no tabs


# --- The history ----------------------------------------------------------------------------


def add_events(bid, total: int, actor) -> None:
    """Events up to ``total`` for the bid: the oldest is "Started the bid"."""
    for _ in range(total - BidEvent.objects.filter(bid=bid).count()):
        rules.record_event(bid, actor, "terms_changed")


def test_the_history_shows_twenty_events_a_page_newest_first(signed_in, people, bid):
    add_events(bid, 21, people["lead"])
    client = signed_in(people["team member"])

    first = client.get(section(bid, "history")).content.decode()
    second = client.get(section(bid, "history") + "&page=2").content.decode()

    assert first.count('class="timeline-entry"') == 20
    assert second.count('class="timeline-entry"') == 1
    assert "Started the bid" in second and "Started the bid" not in first
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert 'href="?section=history&amp;page=2" rel="next"' in first
    assert "21 events" in first


def test_the_other_sections_show_the_latest_activity_only(signed_in, people, bid):
    add_events(bid, 25, people["lead"])
    html = signed_in(people["team member"]).get(section(bid, "team")).content.decode()

    assert html.count("Changed the terms") == 1
    assert "Latest activity: <strong>Changed the terms</strong>" in html
    assert '<a href="?section=history">The whole history</a>' in html
    assert 'class="timeline-entry"' not in html


def test_the_hours_show_fifty_entries_a_page_and_every_members_total(
    signed_in, people, bid, intake_coordinator
):
    bid = in_progress(bid, people, intake_coordinator)
    for days in range(51):
        day = timezone.localdate() - datetime.timedelta(days=days)
        HoursEntry.objects.create(bid=bid, consultant=people["_second"], date=day, hours=1)
    client = signed_in(people["team member"])

    first = client.get(section(bid, "hours")).content.decode()
    second = client.get(section(bid, "hours") + "&page=2").content.decode()

    assert first.count('class="hours-date"') == 50 and second.count('class="hours-date"') == 1
    assert 'href="?section=hours&amp;page=2" rel="next"' in first
    # The totals count every entry, on every page.
    logged = '<td class="num" data-label="Logged">51.00</td>'
    assert logged in first and logged in second


# --- What each section costs ----------------------------------------------------------------

# (stage, who, section): at most this many queries, whatever the number of events or hours. Every
# page: the session, the user, their roles and member record, the bid with its request and lead,
# the seat look-ups, the members, the newest event; then each section its own reads (the team: the
# skills covered and, for the lead, the invite list and the proposed teams; the agreement: its
# version, signatures and versions; the hours: a count and a page of entries, each member's total
# and the plan in force; the
# settlement: the statement, its approvals and the disputed ones; the history: a count and a page).
QUERY_LIMITS = [
    ("draft", "lead", "team", 20),
    ("draft", "lead", "agreement", 15),
    ("draft", "lead", "history", 13),
    ("draft", "other member", "team", 13),
    ("agreement out", "team member", "agreement", 15),
    ("in progress", "team member", "hours", 16),
    ("statement proposed", "team member", "settlement", 16),
    ("settled", "team member", "settlement", 15),
    ("settled", "team member", "hours", 16),
]


@pytest.mark.parametrize(("stage", "who", "name", "limit"), QUERY_LIMITS)
def test_each_section_runs_a_bounded_number_of_queries(
    signed_in,
    people,
    bid,
    intake_coordinator,
    django_assert_max_num_queries,
    stage,
    who,
    name,
    limit,
):
    bid = STAGES[stage](bid, people, intake_coordinator)
    add_events(bid, 45, people["lead"])
    if stage == "in progress":
        for days in range(12):
            day = timezone.localdate() - datetime.timedelta(days=days)
            HoursEntry.objects.create(bid=bid, consultant=people["_second"], date=day, hours=2)
    client = signed_in(people[who])
    client.get(section(bid, name))  # builds the matching index

    with django_assert_max_num_queries(limit):
        response = client.get(section(bid, name))

    assert response.status_code == 200
