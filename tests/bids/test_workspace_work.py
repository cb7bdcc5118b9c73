"""The workspace's work actions (``intake/bids/views.py``): logging and taking back hours,
proposing the statement, approving and disputing it. Each action goes through and each refusal
changes nothing."""

from decimal import Decimal

import pytest
from django.utils import timezone

from intake.bids import work
from intake.bids.models import Bid, HoursEntry, Settlement
from intake.models import Request
from tests.bids.page_helpers import (
    fresh,
    in_progress,
    messages_of,
    money,
    post,
    proposed,
    section,
    snapshot,
    url,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_index")]


def test_log_and_take_back_hours(signed_in, people, bid, intake_coordinator):
    bid = in_progress(bid, people, intake_coordinator)
    client = signed_in(people["team member"])
    html = client.get(url("bid-workspace", bid)).content.decode()
    assert f'value="{timezone.localdate().isoformat()}"' in html  # the date defaults to today
    response = post(
        client,
        "bid-hours",
        bid,
        {"date": timezone.localdate().isoformat(), "hours": "6.5", "note": "Audit"},
    )
    assert response.status_code == 302 and response["Location"] == section(bid, "hours")
    today = timezone.localdate()
    assert messages_of(response) == [f"Hours logged: 6.5 on {today.day} {today:%b}."]
    entry = HoursEntry.objects.get(bid=bid)
    assert entry.hours == Decimal("6.5") and entry.consultant == people["_second"]
    # The lead sees everyone's hours and the totals against the plan.
    html = signed_in(people["lead"]).get(url("bid-workspace", bid)).content.decode()
    assert "Audit" in html and "6.50" in html
    response = post(signed_in(people["team member"]), "bid-hours-delete", bid, {"entry": entry.pk})
    assert response.status_code == 302 and not HoursEntry.objects.exists()
    assert messages_of(response) == [f"Hours taken back: 6.5 on {today.day} {today:%b}."]


@pytest.mark.parametrize(
    ("role", "hours", "code"),
    [
        ("team member", "25", 400),
        ("team member", "0", 400),
        ("other member", "3", 403),
        ("intake coordinator", "3", 403),
    ],
)
def test_hours_refusals_change_nothing(
    signed_in, people, bid, intake_coordinator, role, hours, code
):
    bid = in_progress(bid, people, intake_coordinator)
    before = snapshot(bid)
    response = post(
        signed_in(people[role]),
        "bid-hours",
        bid,
        {"date": timezone.localdate().isoformat(), "hours": hours},
    )
    assert response.status_code == code
    assert snapshot(bid) == before


def test_taking_back_someone_elses_hours_is_403(signed_in, people, bid, intake_coordinator):
    bid = in_progress(bid, people, intake_coordinator)
    entry = work.hours_log(
        bid_id=bid.pk, actor=people["lead"], date=timezone.localdate(), hours="2"
    )
    response = post(signed_in(people["team member"]), "bid-hours-delete", bid, {"entry": entry.pk})
    assert response.status_code == 403 and HoursEntry.objects.filter(pk=entry.pk).exists()


def test_propose_the_statement_and_every_member_approves_it(
    signed_in, people, bid, intake_coordinator
):
    bid = in_progress(bid, people, intake_coordinator)
    today = timezone.localdate()
    work.hours_log(bid_id=bid.pk, actor=people["lead"], date=today, hours="8")
    work.hours_log(bid_id=bid.pk, actor=people["team member"], date=today, hours="4")
    lead = signed_in(people["lead"])
    response = post(
        lead, "bid-settle", bid, {"version": bid.version, "collector": people["_lead"].pk}
    )
    assert response.status_code == 302 and response["Location"] == section(bid, "settlement")
    settlement = Settlement.objects.get(bid=bid)
    assert settlement.state == Settlement.State.PROPOSED
    assert messages_of(response) == [
        f"Statement proposed: {money(settlement.pool)} split over 12 hours. Every member of the "
        "team now approves or disputes it."
    ]
    html = lead.get(url("bid-workspace", bid)).content.decode()  # the settlement, by default
    assert "Statement" in html and f"/api/v1/bids/{bid.pk}/statement/csv/" in html
    assert "Transfers owed" in html
    for line in settlement.lines:
        payout = f'data-label="Payout" data-amount="{line["payout"]}">{money(line["payout"])}'
        assert f'<td class="num payout" {payout}' in html
    assert "Still to approve: <strong" in html and "Lead Member, Second Member" in html
    assert "Propose the statement" not in html
    hours = lead.get(section(bid, "hours")).content.decode()
    assert "Log hours" not in hours and "The hours are fixed" in hours  # hours fixed
    assert f'action="{url("bid-hours-delete", bid)}"' not in hours
    member = signed_in(people["team member"])
    html = member.get(url("bid-workspace", bid)).content.decode()
    assert "Approve the statement" in html and "Dispute the statement" in html
    assert "What protects you" in html
    assert "Nothing is paid out on this statement until every member" in html
    version = fresh(bid).version
    response = post(member, "bid-approve", bid, {"version": version})
    assert response.status_code == 302
    assert messages_of(response) == ["You approved the statement."]
    assert settlement.approvals.get().consultant == people["_second"]
    html = member.get(url("bid-workspace", bid)).content.decode()
    assert "Approve the statement" not in html and "Approved by Second Member." in html
    assert fresh(bid).request.status == Request.Status.ENGAGED
    lead = signed_in(people["lead"])
    response = post(lead, "bid-approve", bid, {"version": version})
    assert messages_of(response) == [
        "You approved the statement. Every member has approved it: it is final and the bid is "
        "settled."
    ]
    settlement.refresh_from_db()
    assert settlement.state == Settlement.State.FINAL
    assert fresh(bid).status == Bid.Status.SETTLED
    assert fresh(bid).request.status == Request.Status.COMPLETED
    html = signed_in(people["team member"]).get(url("bid-workspace", bid)).content.decode()
    assert "Final: approved by every member" in html and "Dispute the statement" not in html


def test_a_member_disputes_the_statement_with_a_reason(signed_in, people, bid, intake_coordinator):
    bid = proposed(bid, people, intake_coordinator)
    member = signed_in(people["team member"])
    before = snapshot(bid)

    refused = post(member, "bid-dispute", bid, {"version": bid.version, "reason": " "})

    assert refused.status_code == 400 and "This field is required." in refused.content.decode()
    assert snapshot(bid) == before
    assert Settlement.objects.get(bid=bid).state == Settlement.State.PROPOSED
    done = post(member, "bid-dispute", bid, {"version": bid.version, "reason": "I did 7.5 h"})
    assert done.status_code == 302
    statement = Settlement.objects.get(bid=bid)
    assert (statement.state, statement.dispute_reason) == (Settlement.State.DISPUTED, "I did 7.5 h")
    assert done["Location"] == section(bid, "settlement")
    html = member.get(url("bid-workspace", bid)).content.decode()
    assert "Log hours" in html  # the hours reopened: the workspace opens on them
    html = member.get(section(bid, "settlement")).content.decode()
    assert "I did 7.5 h" in html  # the reason shown


def test_a_stale_approval_is_refused(signed_in, people, bid, intake_coordinator):
    bid = proposed(bid, people, intake_coordinator)
    before = snapshot(bid)

    response = post(signed_in(people["team member"]), "bid-approve", bid, {"version": 1})

    assert response.status_code == 303 and response["Location"] == section(bid, "settlement")
    assert snapshot(bid) == before and not Settlement.objects.get(bid=bid).approvals.exists()


def test_hours_outside_the_days_of_the_work_are_refused_on_the_page(
    signed_in, people, bid, intake_coordinator
):
    bid = in_progress(bid, people, intake_coordinator)
    client = signed_in(people["team member"])
    html = client.get(url("bid-workspace", bid)).content.decode()
    today = timezone.localdate().isoformat()
    assert f'min="{today}"' in html and f'max="{today}"' in html
    before = snapshot(bid)

    response = post(client, "bid-hours", bid, {"date": "1900-01-01", "hours": "24"})

    assert response.status_code == 400
    assert "Hours are logged for the days of the work: from " + today in (response.content.decode())
    assert snapshot(bid) == before


def test_settling_without_hours_is_400_and_changes_nothing(
    signed_in, people, bid, intake_coordinator
):
    bid = in_progress(bid, people, intake_coordinator)
    before = snapshot(bid)
    response = post(signed_in(people["lead"]), "bid-settle", bid, {"version": bid.version})
    assert response.status_code == 400
    assert "No hours are logged" in response.content.decode()
    assert snapshot(bid) == before and not Settlement.objects.exists()


def test_settle_refusals(signed_in, people, bid, intake_coordinator):
    bid = in_progress(bid, people, intake_coordinator)
    work.hours_log(bid_id=bid.pk, actor=people["lead"], date=timezone.localdate(), hours="8")
    before = snapshot(bid)
    member = signed_in(people["team member"])
    assert post(member, "bid-settle", bid, {"version": bid.version}).status_code == 403
    lead = signed_in(people["lead"])
    assert post(lead, "bid-settle", bid, {"version": bid.version - 1}).status_code == 303
    # A collector who is not on the team is not among the choices.
    response = post(
        lead, "bid-settle", bid, {"version": bid.version, "collector": people["_other"].pk}
    )
    assert response.status_code == 400
    assert snapshot(bid) == before and not Settlement.objects.exists()


@pytest.mark.parametrize("action", ["bid-approve", "bid-dispute"])
def test_approving_or_disputing_is_for_the_team(signed_in, people, bid, intake_coordinator, action):
    bid = proposed(bid, people, intake_coordinator)
    before = snapshot(bid)
    data = {"version": bid.version, "reason": "Not mine"}
    assert post(signed_in(people["other member"]), action, bid, data).status_code == 403
    assert post(signed_in(people["intake coordinator"]), action, bid, data).status_code == 403
    assert not Settlement.objects.get(bid=bid).approvals.exists()
    assert Settlement.objects.get(bid=bid).state == Settlement.State.PROPOSED
    assert snapshot(bid) == before
