"""``/api/v1/bids/<id>/`` the work (``intake/bids/api_work.py``): logging and taking back hours,
proposing the statement, reading it and its CSV, approving and disputing it. Each refusal answers
with its code and changes nothing."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from intake.bids import settlement, states, team, terms, work
from intake.bids.models import Bid, HoursEntry
from intake.models import Request
from tests.bids.api_helpers import (
    bid_url,
    draft_bid,
    proposed_bid,
    signed_bid,
    snapshot,
    working_bid,
    working_member,
)
from tests.helpers import assert_matches_schema

pytestmark = pytest.mark.django_db


# --- Hours ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("0", "Hours must be above 0."),
        ("-2", "Hours must be above 0."),
        ("24.5", "A day has at most 24 hours."),
        ("8.125", "Ensure that there are no more than 2 decimal places."),
        ("eight", "A valid number is required."),
    ],
)
def test_bad_hours_are_400_and_log_nothing(
    api_as, intake_coordinator, lead, second, hours, message
):
    bid = working_bid(lead, second, coordinator=intake_coordinator)
    before = snapshot(bid)
    response = api_as(second.user).post(
        bid_url(bid.pk, "hours/"), {"date": timezone.localdate().isoformat(), "hours": hours}
    )
    assert response.status_code == 400
    assert response.json() == {"hours": [message]}
    assert snapshot(bid) == before


def test_a_day_over_24_hours_in_total_is_400(api_as, intake_coordinator, lead, second):
    """Two entries on one date may not add up to more than a day."""
    bid = working_bid(lead, second, coordinator=intake_coordinator)
    today = timezone.localdate()
    work.hours_log(bid_id=bid.pk, actor=second.user, date=today, hours="20")
    before = snapshot(bid)
    response = api_as(second.user).post(
        bid_url(bid.pk, "hours/"), {"date": today.isoformat(), "hours": "5"}
    )
    assert response.status_code == 400
    assert "a day has 24" in response.json()["hours"][0]
    assert snapshot(bid) == before


def test_hours_sent_as_a_json_number_are_accepted(api_as, intake_coordinator, lead, second):
    bid = working_bid(lead, second, coordinator=intake_coordinator)
    response = api_as(second.user).post(
        bid_url(bid.pk, "hours/"),
        {"date": timezone.localdate().isoformat(), "hours": 12.5, "note": "Data migration"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["hours"] == "12.50"
    assert HoursEntry.objects.get().hours == Decimal("12.50")


def test_hours_need_a_date(api_as, intake_coordinator, lead, second):
    bid = working_bid(lead, second, coordinator=intake_coordinator)
    response = api_as(second.user).post(bid_url(bid.pk, "hours/"), {"hours": "2"})
    assert response.status_code == 400
    assert response.json() == {"date": ["This field is required."]}
    assert not HoursEntry.objects.exists()


def test_hours_before_the_work_starts_are_409(api_as, lead, second):
    bid = signed_bid(lead, second)
    before = snapshot(bid)
    response = api_as(second.user).post(
        bid_url(bid.pk, "hours/"), {"date": timezone.localdate().isoformat(), "hours": "2"}
    )
    assert response.status_code == 409
    assert snapshot(bid) == before


def test_a_member_takes_back_only_their_own_hours(api_as, intake_coordinator, lead, second):
    bid = working_bid(lead, second, coordinator=intake_coordinator)
    entry = work.hours_log(bid_id=bid.pk, actor=second.user, date=timezone.localdate(), hours=3)
    assert api_as(lead.user).delete(bid_url(bid.pk, f"hours/{entry.pk}/")).status_code == 403
    assert HoursEntry.objects.filter(pk=entry.pk).exists()
    assert api_as(second.user).delete(bid_url(bid.pk, "hours/999999/")).status_code == 404
    assert api_as(second.user).delete(bid_url(bid.pk, f"hours/{entry.pk}/")).status_code == 204
    assert not HoursEntry.objects.exists()


@pytest.mark.parametrize("day", ["0001-01-01", "1900-01-01", "tomorrow", "before_start"])
def test_hours_outside_the_days_of_the_work_are_400_on_the_date(
    api_as, intake_coordinator, lead, second, day
):
    bid = working_bid(lead, second, coordinator=intake_coordinator)
    today = timezone.localdate()
    day = {
        "tomorrow": (today + datetime.timedelta(days=1)).isoformat(),
        "before_start": (bid.work_started_on - datetime.timedelta(days=1)).isoformat(),
    }.get(day, day)
    before = snapshot(bid)

    response = api_as(lead.user).post(bid_url(bid.pk, "hours/"), {"date": day, "hours": "24"})

    assert response.status_code == 400
    assert list(response.json()) == ["date"]
    assert bid.work_started_on.isoformat() in response.json()["date"][0]
    assert snapshot(bid) == before


# --- Settlement -----------------------------------------------------------------------------------


def test_settling_with_no_hours_is_400_and_changes_nothing(
    api_as, intake_coordinator, lead, second
):
    bid = working_bid(lead, second, coordinator=intake_coordinator)
    before = snapshot(bid)
    response = api_as(lead.user).post(bid_url(bid.pk, "settle/"), {"version": bid.version})
    assert response.status_code == 400
    assert response.json() == {"hours": ["No hours are logged: log the team's hours first."]}
    assert snapshot(bid) == before
    assert Request.objects.get(pk=bid.request_id).status == Request.Status.ENGAGED


def test_a_collector_off_the_team_is_400(api_as, intake_coordinator, lead, second, third):
    bid = working_bid(lead, second, coordinator=intake_coordinator)
    work.hours_log(bid_id=bid.pk, actor=second.user, date=timezone.localdate(), hours=3)
    before = snapshot(bid)
    response = api_as(lead.user).post(
        bid_url(bid.pk, "settle/"), {"collector": third.pk, "version": bid.version}
    )
    assert response.status_code == 400
    assert response.json() == {"collector": ["The collector must be a member of the team."]}
    assert snapshot(bid) == before


def test_the_statement_of_an_unsettled_bid_is_404(api_as, lead, second):
    bid = draft_bid(lead, second)
    assert api_as(lead.user).get(bid_url(bid.pk, "statement/")).status_code == 404
    assert api_as(lead.user).get(bid_url(bid.pk, "statement/csv/")).status_code == 404


def test_the_csv_neutralises_formulas_in_names_and_roles(api_as, intake_coordinator, lead):
    """A name a spreadsheet would run as a formula is written as text; numbers stay numbers."""
    sly = working_member("80", display_name='=HYPERLINK("http://evil.test")')
    bid = draft_bid(lead, sly, accept=False)
    team.bid_member_change(bid_id=bid.pk, actor=lead.user, consultant_id=sly.pk, role="@SUM(A1)")
    team.bid_member_respond(bid_id=bid.pk, actor=sly.user, accept=True)
    states.bid_send(bid_id=bid.pk, actor=lead.user)
    number = terms.current_agreement(bid).number
    for member in (lead, sly):
        terms.agreement_sign(bid_id=bid.pk, actor=member.user, agreement_version=number)
    states.bid_submit(bid_id=bid.pk, actor=lead.user)
    states.bid_decide(bid_id=bid.pk, actor=intake_coordinator, won=True)
    states.bid_start(bid_id=bid.pk, actor=lead.user)
    two_days_ago = timezone.localdate() - datetime.timedelta(days=2)
    Bid.objects.filter(pk=bid.pk).update(work_started_on=two_days_ago)
    work.hours_log(bid_id=bid.pk, actor=sly.user, date=timezone.localdate(), hours="10")
    for back in range(3):
        day = timezone.localdate() - datetime.timedelta(days=back)
        work.hours_log(bid_id=bid.pk, actor=lead.user, date=day, hours="20")
    settlement.bid_settle(bid_id=bid.pk, actor=lead.user, collector=sly.pk)

    rows = list(
        csv.reader(io.StringIO(api_as(lead.user).get(bid_url(bid.pk, "statement/csv/"))
                               .content.decode()))
    )  # fmt: skip
    sly_row = next(row for row in rows[1:3] if "HYPERLINK" in row[0])
    assert sly_row[0] == '\'=HYPERLINK("http://evil.test")'
    assert sly_row[1] == "'@SUM(A1)"
    assert sly_row[5] == "-20.00"  # 10 h logged against 30 planned: a number, untouched
    assert all(row[0].startswith("'=") for row in rows[7:])  # the collector pays the others


# --- The statement through the API ----------------------------------------------------------------


def test_the_statement_shows_its_state_and_who_approved(api_as, intake_coordinator, lead, second):
    bid = proposed_bid(lead, second, coordinator=intake_coordinator)
    settlement.statement_approve(bid_id=bid.pk, actor=second.user)

    response = api_as(lead.user).get(bid_url(bid.pk, "statement/"))

    assert response.status_code == 200
    body = response.json()
    assert (body["state"], body["settled_at"], body["disputed_by"]) == ("proposed", None, None)
    assert [a["consultant"] for a in body["approvals"]] == [second.pk]
    assert body["unapproved"] == [lead.display_name]
    assert_matches_schema(response, "GET /api/v1/bids/{id}/statement/")


def test_a_dispute_through_the_api_needs_a_reason(api_as, intake_coordinator, lead, second):
    bid = proposed_bid(lead, second, coordinator=intake_coordinator)
    before = snapshot(bid)

    response = api_as(second.user).post(
        bid_url(bid.pk, "statement/dispute/"), {"version": bid.version, "reason": ""}
    )

    assert response.status_code == 400
    assert response.json() == {"reason": ["This field may not be blank."]}
    assert snapshot(bid) == before


@pytest.mark.parametrize("path", ["statement/approve/", "statement/dispute/"])
def test_only_the_team_approves_or_disputes_through_the_api(
    api_as, intake_coordinator, lead, second, third, path
):
    bid = proposed_bid(lead, second, coordinator=intake_coordinator)
    before = snapshot(bid)
    body = {"version": bid.version, "reason": "Not mine to judge"}

    outsider = api_as(third.user).post(bid_url(bid.pk, path), body)
    coordinator = api_as(intake_coordinator).post(bid_url(bid.pk, path), body)

    assert (outsider.status_code, coordinator.status_code) == (403, 403)
    assert snapshot(bid) == before


def test_the_dispute_answer_matches_the_schema(api_as, intake_coordinator, lead, second):
    bid = proposed_bid(lead, second, coordinator=intake_coordinator)

    response = api_as(second.user).post(
        bid_url(bid.pk, "statement/dispute/"), {"version": bid.version, "reason": "Wrong"}
    )

    assert response.status_code == 200
    assert response.json()["dispute_reason"] == "Wrong"
    assert_matches_schema(response, "POST /api/v1/bids/{id}/statement/dispute/")
