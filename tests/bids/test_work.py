"""The hours of a bid at work (``intake.bids.work``): who logs them, on which days, and how many."""

import datetime
import importlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from intake.bids import rules, settlement, states, team, work
from intake.bids.models import (
    Bid,
    BidEvent,
    HoursEntry,
)
from tests.bids.helpers import (
    D,
    actions,
    assert_unchanged,
    fresh,
    log,
    member,
    sent_bid,
    sign_all,
    signed_bid,
    snapshot,
    won_bid,
    working_bid,
)

pytestmark = pytest.mark.django_db


# --- hours -----------------------------------------------------------------------------------


@pytest.fixture
def working(trio, intake_coordinator):
    lead, second, third = trio
    return working_bid(intake_coordinator, lead, second, third), lead, second, third


def test_members_on_the_team_log_their_hours(working):
    bid, lead, second, _third = working

    entry = log(bid, second, "7.25", days_ago=1)

    entry.refresh_from_db()
    assert (entry.consultant, entry.hours, entry.bid) == (second, D("7.25"), bid)
    event = BidEvent.objects.filter(bid=bid).latest("pk")
    assert (event.action, event.data["hours"], event.data["entry"]) == (
        "hours_logged", "7.25", entry.pk
    )  # fmt: skip


@pytest.mark.parametrize("who", ["outsider", "invited", "coordinator"])
def test_only_accepted_members_log_hours(trio, intake_coordinator, who):
    lead, second, third = trio
    bid = sent_bid(lead, second)
    team.bid_invite(
        bid_id=bid.pk, actor=lead.user, consultant=third, role="QA", estimated_hours="3"
    )
    sign_all(bid, lead, second)
    states.bid_submit(bid_id=bid.pk, actor=lead.user)
    states.bid_decide(bid_id=bid.pk, actor=intake_coordinator, won=True)
    states.bid_start(bid_id=bid.pk, actor=lead.user)
    actor = {"outsider": member().user, "invited": third.user,
             "coordinator": intake_coordinator}[who]  # fmt: skip
    before = snapshot()

    with pytest.raises(PermissionDenied):
        work.hours_log(bid_id=bid.pk, actor=actor, date=timezone.localdate(), hours="1")

    assert_unchanged(before)


@pytest.mark.parametrize("stage", ["signed", "won"])
def test_hours_are_logged_only_while_the_work_is_in_progress(trio, intake_coordinator, stage):
    lead, second, _third = trio
    bid = signed_bid(lead, second)
    if stage == "won":
        states.bid_submit(bid_id=bid.pk, actor=lead.user)
        states.bid_decide(bid_id=bid.pk, actor=intake_coordinator, won=True)
    before = snapshot()

    with pytest.raises(rules.BidConflict):
        log(bid, second, "1")

    assert_unchanged(before)


@pytest.mark.parametrize(
    ("field", "hours", "days_ago"),
    [
        ("hours", "0", 0),
        ("hours", "-1", 0),
        ("hours", "24.01", 0),
        ("hours", "25", 0),
        ("hours", "1.005", 0),
        ("hours", "many", 0),
        ("hours", 1.5, 0),
        ("date", "1", -1),
    ],
)
def test_bad_hours_are_refused_with_the_field_name(working, field, hours, days_ago):
    bid, _lead, second, _third = working
    before = snapshot()

    with pytest.raises(ValidationError) as error:
        log(bid, second, hours, days_ago=days_ago)

    assert field in error.value.message_dict
    assert_unchanged(before)


def test_starting_the_work_records_the_day_it_started(trio, intake_coordinator):
    lead, second, _third = trio
    bid = won_bid(intake_coordinator, lead, second)

    states.bid_start(bid_id=bid.pk, actor=lead.user)

    assert fresh(bid).work_started_on == timezone.localdate()
    event = BidEvent.objects.filter(bid=bid).latest("pk")
    assert event.data["work_started_on"] == timezone.localdate().isoformat()


@pytest.mark.parametrize(
    "day",
    [
        datetime.date(1, 1, 1),
        datetime.date(1900, 1, 1),
        "the day before the work started",
        "tomorrow",
    ],
    ids=["year-1", "year-1900", "day-before-start", "tomorrow"],
)
def test_hours_outside_the_days_of_the_work_are_refused_on_the_date(trio, intake_coordinator, day):
    lead, second, _third = trio
    bid = working_bid(intake_coordinator, lead, second, started_days_ago=3)
    today = timezone.localdate()
    day = {
        "the day before the work started": today - datetime.timedelta(days=4),
        "tomorrow": today + datetime.timedelta(days=1),
    }.get(day, day)
    before = snapshot()

    with pytest.raises(ValidationError) as error:
        work.hours_log(bid_id=bid.pk, actor=lead.user, date=day, hours="24")

    assert list(error.value.message_dict) == ["date"]
    assert "the day it started" in error.value.message_dict["date"][0]
    assert_unchanged(before)


@pytest.mark.parametrize("days_ago", [3, 0], ids=["first-day", "today"])
def test_hours_on_the_first_day_of_the_work_and_today_are_accepted(
    trio, intake_coordinator, days_ago
):
    lead, second, _third = trio
    bid = working_bid(intake_coordinator, lead, second, started_days_ago=3)

    entry = log(bid, second, "8", days_ago=days_ago)

    assert entry.date == timezone.localdate() - datetime.timedelta(days=days_ago)


def test_a_bid_started_today_takes_no_hours_for_yesterday(trio, intake_coordinator):
    lead, second, _third = trio
    bid = won_bid(intake_coordinator, lead, second)
    states.bid_start(bid_id=bid.pk, actor=lead.user)
    before = snapshot()

    with pytest.raises(ValidationError) as error:
        log(bid, second, "8", days_ago=1)

    assert "date" in error.value.message_dict
    assert_unchanged(before)
    assert log(bid, second, "8").date == timezone.localdate()


def test_a_bid_with_no_recorded_start_takes_hours_for_today_only(trio, intake_coordinator):
    lead, second, _third = trio
    bid = working_bid(intake_coordinator, lead, second)
    Bid.objects.filter(pk=bid.pk).update(work_started_on=None)
    before = snapshot()

    with pytest.raises(ValidationError):
        log(bid, second, "1", days_ago=1)

    assert_unchanged(before)
    assert log(bid, second, "1").date == timezone.localdate()


def test_the_migration_takes_the_start_of_existing_bids_from_their_started_event(
    trio, intake_coordinator
):
    lead, second, _third = trio
    bid = won_bid(intake_coordinator, lead, second)
    states.bid_start(bid_id=bid.pk, actor=lead.user)
    started = BidEvent.objects.get(bid=bid, action="started")
    Bid.objects.filter(pk=bid.pk).update(work_started_on=None)
    name = "0005_hours_window_and_statement_approvals"
    migration = importlib.import_module(f"intake.migrations.{name}")
    # The models as that migration saw them (bids were still intake's then).
    state = MigrationLoader(connection).project_state(("intake", name), at_end=True)

    migration.fill_work_started_and_final(state.apps, None)

    assert fresh(bid).work_started_on == timezone.localdate(started.created_at)


def test_a_datetime_instead_of_a_date_is_a_field_error(working):
    bid, _lead, second, _third = working
    before = snapshot()

    with pytest.raises(ValidationError) as error:
        work.hours_log(bid_id=bid.pk, actor=second.user, date=timezone.now(), hours="1")

    assert "date" in error.value.message_dict
    assert_unchanged(before)


def test_a_full_day_of_24_hours_is_accepted(working):
    bid, _lead, second, _third = working

    log(bid, second, "16")
    log(bid, second, "8")

    assert HoursEntry.objects.filter(consultant=second).count() == 2


def test_a_members_hours_on_one_date_across_all_their_bids_stay_within_24(
    working, intake_coordinator
):
    bid, lead, second, _third = working
    other_request_bid = working_bid(intake_coordinator, second, member())
    log(bid, second, "16")
    before = snapshot()

    with pytest.raises(ValidationError) as error:
        log(other_request_bid, second, "8.01")

    assert "hours" in error.value.message_dict
    assert_unchanged(before)
    log(other_request_bid, second, "8")
    log(bid, second, "10", days_ago=1)  # another day starts again at 0


def test_members_delete_only_their_own_entries_while_the_work_is_in_progress(working):
    bid, lead, second, _third = working
    mine, theirs = log(bid, second, "3"), log(bid, lead, "4")
    before = snapshot()

    with pytest.raises(PermissionDenied):
        work.hours_delete(bid_id=bid.pk, actor=second.user, entry_id=theirs.pk)
    with pytest.raises(ValidationError):
        work.hours_delete(bid_id=bid.pk, actor=second.user, entry_id=999_999)

    assert_unchanged(before)
    work.hours_delete(bid_id=bid.pk, actor=second.user, entry_id=mine.pk)
    assert list(HoursEntry.objects.filter(bid=bid)) == [theirs]
    assert actions(bid)[-1] == "hours_removed"
    settlement.bid_settle(bid_id=bid.pk, actor=lead.user)
    before = snapshot()
    with pytest.raises(rules.BidConflict):
        work.hours_delete(bid_id=bid.pk, actor=lead.user, entry_id=theirs.pk)
    assert_unchanged(before)
