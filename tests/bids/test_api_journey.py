"""``/api/v1/bids/``: a team bid through the API from start to approved statement, every write
sending the bid's version it saw."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from intake.bids.models import Bid
from intake.models import Request
from tests.bids.api_helpers import BIDS, bid_url, bidding_request

pytestmark = pytest.mark.django_db


# --- The journey --------------------------------------------------------------------------------


def test_a_bid_goes_from_creation_to_approved_statement_through_the_api(
    api_as, intake_coordinator, lead, second, third
):
    """Create with invites, accept, send, sign, a change voids the signatures, sign again,
    submit, win, start, log hours, propose the statement with a collector, read the CSV
    (payouts add up to the pool, transfers listed), a dispute, a new proposal, and every
    member's approval making it final. Every write sends the bid's version it saw."""
    request = bidding_request()
    as_lead, as_second, as_third = api_as(lead.user), api_as(second.user), api_as(third.user)

    def version() -> int:
        return as_lead.get(bid_url(bid_id)).json()["version"]

    created = as_lead.post(
        BIDS,
        {
            "request": request.pk,
            "price": "10000.00",
            "alliance_share_percent": "10",
            "split_mode": "equal_rate",
            "lead_estimated_hours": "40",
            "invite": [
                {"consultant": second.pk, "role": "Developer", "estimated_hours": "30"},
                {"consultant": third.pk, "role": "Designer", "estimated_hours": 30},
            ],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    bid_id = body["id"]
    assert body["status"] == "draft" and body["sees_money"] is True
    assert body["lead"] == {"consultant": lead.pk, "name": lead.display_name}
    assert body["pool"] == "9000.00"
    assert [(m["consultant"], m["status"]) for m in body["members"]] == [
        (lead.pk, "accepted"),
        (second.pk, "invited"),
        (third.pk, "invited"),
    ]
    assert body["agreement"]["number"] == 1

    for client in (as_second, as_third):
        accepted = client.post(bid_url(bid_id, "accept/"), {"version": version()}, format="json")
        assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["agreement"]["number"] == 3
    assert [m["planned_payout"] for m in accepted.json()["members"]] == [
        "3600.00",
        "2700.00",
        "2700.00",
    ]

    sent = as_lead.post(bid_url(bid_id, "send/"), {"version": version()}, format="json")
    assert sent.status_code == 200 and sent.json()["status"] == "agreement_out"
    assert as_second.post(bid_url(bid_id, "sign/"), {"version": 3}).status_code == 200
    changed = as_lead.patch(bid_url(bid_id), {"version": version(), "price": "11000.00"})
    assert changed.status_code == 200, changed.json()
    assert changed.json()["agreement"]["number"] == 4
    assert changed.json()["agreement"]["signed"] == 0

    stale = as_third.post(bid_url(bid_id, "sign/"), {"version": 3})
    assert stale.status_code == 409
    for client in (as_lead, as_second, as_third):
        signed = client.post(bid_url(bid_id, "sign/"), {"version": 4})
        assert signed.status_code == 200, signed.json()
    agreement = signed.json()
    assert agreement["current"]["number"] == 4
    assert agreement["current"]["in_force_at"] is not None
    assert agreement["current"]["unsigned"] == []
    assert [v["number"] for v in agreement["history"]] == [4, 3, 2, 1]
    assert len(agreement["history"][1]["signatures"]) == 1  # the voided v3 keeps its history
    assert agreement["history"][1]["voided_at"] is not None

    submitted = as_lead.post(bid_url(bid_id, "submit/"), {"note": "Sent", "version": version()})
    assert submitted.json()["status"] == "submitted"
    won = api_as(intake_coordinator).post(
        bid_url(bid_id, "outcome/"), {"outcome": "won", "version": version()}
    )
    assert won.status_code == 200 and won.json()["status"] == "won"
    started = as_lead.post(bid_url(bid_id, "start/"), {"version": version()}).json()
    assert started["status"] == "in_progress"
    today = timezone.localdate()
    assert started["work_started_on"] == today.isoformat()
    # Hours from the day the work started to today: move the start back two days.
    Bid.objects.filter(pk=bid_id).update(work_started_on=today - datetime.timedelta(days=2))

    plan = {as_lead: ["8", "8", "8"], as_second: ["8", "7.5"], as_third: [6, 4.25]}
    for client, days in plan.items():
        for back, hours in enumerate(days):
            day = (today - datetime.timedelta(days=back)).isoformat()
            logged = client.post(bid_url(bid_id, "hours/"), {"date": day, "hours": hours},
                                 format="json")  # fmt: skip
            assert logged.status_code == 201, logged.json()
    hours = as_third.get(bid_url(bid_id, "hours/")).json()
    assert hours["total_hours"] == "49.75"
    assert len(hours["entries"]) == 7

    settled = as_lead.post(bid_url(bid_id, "settle/"), {"collector": lead.pk,
                                                        "version": version()})  # fmt: skip
    assert settled.status_code == 200, settled.json()
    statement = settled.json()
    assert (statement["state"], statement["settled_at"]) == ("proposed", None)
    assert statement["pool"] == "9900.00"
    assert statement["totals"]["payout"] == "9900.00"
    assert sum(Decimal(line["payout"]) for line in statement["lines"]) == Decimal("9900.00")
    assert [t["to_name"] for t in statement["transfers"]] == [
        second.display_name,
        third.display_name,
        "The alliance",
    ]

    download = as_second.get(bid_url(bid_id, "statement/csv/"))
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    assert download["Content-Disposition"] == (f'attachment; filename="bid-{bid_id}-statement.csv"')
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    header, members, total = rows[0], rows[1:4], rows[4]
    assert header[0] == "Member" and header[7] == "Payout"
    assert [row[0] for row in members] == [lead.display_name, second.display_name,
                                           third.display_name]  # fmt: skip
    assert sum(Decimal(row[7]) for row in members) == Decimal(total[7]) == Decimal("9900.00")
    assert total[0] == "Total" and total[4] == "49.75"
    assert rows[5] == []
    assert rows[6] == ["From", "To", "Amount"]
    transfers = rows[7:]
    assert [row[1] for row in transfers][-1] == "The alliance"
    assert transfers[-1][2] == "1100.00"

    approved = as_third.post(bid_url(bid_id, "statement/approve/"), {"version": version()})
    assert approved.status_code == 200
    assert [a["consultant"] for a in approved.json()["approvals"]] == [third.pk]
    assert set(approved.json()["unapproved"]) == {lead.display_name, second.display_name}
    assert as_lead.get(bid_url(bid_id)).json()["statement_state"] == "proposed"
    request.refresh_from_db()
    assert request.status == Request.Status.ENGAGED

    disputed = as_second.post(
        bid_url(bid_id, "statement/dispute/"),
        {"version": version(), "reason": "My 7.5 h day was 9.5 h."},
    )
    assert disputed.status_code == 200, disputed.json()
    assert disputed.json()["state"] == "disputed"
    assert disputed.json()["disputed_by"] == second.pk
    assert as_second.get(bid_url(bid_id, "statement/")).status_code == 404
    day = (today - datetime.timedelta(days=1)).isoformat()
    fixed = as_second.post(bid_url(bid_id, "hours/"), {"date": day, "hours": "2"})
    assert fixed.status_code == 201, fixed.json()
    again = as_lead.post(bid_url(bid_id, "settle/"), {"collector": lead.pk, "version": version()})
    assert again.json()["total_hours"] == "51.75" and again.json()["approvals"] == []
    for client in (as_third, as_second, as_lead):
        approved = client.post(bid_url(bid_id, "statement/approve/"), {"version": version()})
        assert approved.status_code == 200, approved.json()
    final = approved.json()
    assert final["state"] == "final" and final["settled_at"] is not None
    assert final["unapproved"] == []
    request.refresh_from_db()
    assert request.status == Request.Status.COMPLETED
    assert as_lead.get(bid_url(bid_id)).json()["status"] == "settled"
