"""``/api/v1/bids/``: a team bid through the API from start to approved statement, and every
refusal the README names (bad input answers with the field's message and changes nothing)."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from intake.bids import settlement, states, team, terms, work
from intake.bids.models import (
    AgreementVersion,
    Bid,
    BidInterest,
    BidMember,
    HoursEntry,
)
from intake.models import Request
from network import services as network_services
from network.models import Consultant
from tests.bids.api_helpers import (
    BIDS,
    bid_url,
    bidding_request,
    draft_bid,
    proposed_bid,
    signed_bid,
    snapshot,
    working_bid,
    working_member,
)
from tests.factories import RequestFactory
from tests.helpers import api_schema_document, assert_matches_schema

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


# --- Creating a bid -------------------------------------------------------------------------------


def test_a_coordinator_names_the_lead(api_as, intake_coordinator, lead):
    """A staff coordinator may start a bid on a member's behalf."""
    response = api_as(intake_coordinator).post(
        BIDS,
        {"request": bidding_request().pk, "price": "5000", "lead": lead.pk,
         "lead_estimated_hours": "20"},
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    assert response.json()["lead"]["consultant"] == lead.pk


def test_a_member_cannot_start_a_bid_for_someone_else(api_as, lead, second):
    """Members start a bid by offering to lead it themselves: naming another lead is 403."""
    response = api_as(lead.user).post(
        BIDS,
        {"request": bidding_request().pk, "price": "5000", "lead": second.pk,
         "lead_estimated_hours": "20"},
    )  # fmt: skip
    assert response.status_code == 403
    assert not Bid.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("price", "0", "The price must be above 0."),
        ("price", "-5.00", "The price must be above 0."),
        ("price", "12,5", "A valid number is required."),
        ("price", "abc", "A valid number is required."),
        ("price", "10.001", "Ensure that there are no more than 2 decimal places."),
        ("alliance_share_percent", "50.01", "The alliance share must be between 0 and 50 %."),
        ("alliance_share_percent", "-1", "The alliance share must be between 0 and 50 %."),
        ("split_mode", "by_seniority", '"by_seniority" is not a valid choice.'),
        ("lead_estimated_hours", "0", "Estimated hours must be above 0."),
    ],
)
def test_bad_terms_on_create_are_400_and_store_nothing(api_as, lead, field, value, message):
    """Each bad value answers 400 with the field's message; no bid, member or version is
    written."""
    fields = {"request": bidding_request().pk, "price": "5000", "lead_estimated_hours": "20",
              field: value}  # fmt: skip
    response = api_as(lead.user).post(BIDS, fields, format="json")
    assert response.status_code == 400
    assert response.json()[field] == [message]
    assert not Bid.objects.exists()
    assert not BidMember.objects.exists() and not AgreementVersion.objects.exists()


def test_missing_required_fields_are_named(api_as, lead):
    """The request, the price and the lead's hours are required."""
    response = api_as(lead.user).post(BIDS, {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"request", "price", "lead_estimated_hours"}
    assert not Bid.objects.exists()


def test_a_request_not_open_for_bids_is_unknown_to_members(api_as, lead):
    """A member's create on a request not in bidding, or on no request, answers 400 on
    ``request`` and says nothing of the request."""
    engaged = RequestFactory(status=Request.Status.ENGAGED)
    for request_id in (engaged.pk, 999_999):
        response = api_as(lead.user).post(
            BIDS, {"request": request_id, "price": "5000", "lead_estimated_hours": "20"}
        )
        assert response.status_code == 400
        assert response.json() == {"request": ["No request open for bids has this id."]}
    assert not Bid.objects.exists()


def test_a_second_bid_on_one_request_is_409(api_as, lead, second):
    """One bid under way per request: the next member is told to volunteer instead."""
    bid = draft_bid(lead)
    response = api_as(second.user).post(
        BIDS, {"request": bid.request_id, "price": "5000", "lead_estimated_hours": "20"}
    )
    assert response.status_code == 409
    assert response.json()["status"] == "draft"
    assert Bid.objects.count() == 1


# --- The list -------------------------------------------------------------------------------------


def test_the_list_is_newest_first_and_filters_by_status_and_request(api_as, lead, second, third):
    """``status`` repeats; ``request`` picks one request's bids."""
    first = draft_bid(lead)
    middle = draft_bid(second)
    states.bid_withdraw(bid_id=middle.pk, actor=second.user)
    last = draft_bid(third)
    client = api_as(lead.user)

    everything = client.get(BIDS).json()
    assert [row["id"] for row in everything["results"]] == [last.pk, middle.pk, first.pk]
    drafts = client.get(BIDS, {"status": "draft"}).json()
    assert [row["id"] for row in drafts["results"]] == [last.pk, first.pk]
    both = client.get(f"{BIDS}?status=draft&status=withdrawn").json()
    assert both["count"] == 3
    one = client.get(BIDS, {"request": first.request_id}).json()
    assert [row["id"] for row in one["results"]] == [first.pk]
    assert client.get(BIDS, {"status": "nonsense"}).status_code == 400


# --- Terms and team -------------------------------------------------------------------------------


def test_a_stale_version_is_409_and_changes_nothing(api_as, lead, second):
    bid = draft_bid(lead, second)
    before = snapshot(bid)
    response = api_as(lead.user).patch(
        bid_url(bid.pk), {"version": bid.version - 1, "price": "9000"}
    )
    assert response.status_code == 409
    assert response.json()["version"] == bid.version
    assert response.json()["status"] == "draft"
    assert snapshot(bid) == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("price", "0.00", "The price must be above 0."),
        ("alliance_share_percent", "75", "The alliance share must be between 0 and 50 %."),
        ("split_mode", "by_hours", '"by_hours" is not a valid choice.'),
    ],
)
def test_bad_terms_on_change_are_400_and_change_nothing(
    api_as, lead, second, field, value, message
):
    bid = draft_bid(lead, second)
    before = snapshot(bid)
    response = api_as(lead.user).patch(bid_url(bid.pk), {"version": bid.version, field: value})
    assert response.status_code == 400
    assert response.json()[field] == [message]
    assert snapshot(bid) == before


def test_a_change_needs_the_version(api_as, lead):
    bid = draft_bid(lead)
    response = api_as(lead.user).patch(bid_url(bid.pk), {"price": "9000"})
    assert response.status_code == 400
    assert response.json()["version"] == ["This field is required."]


def test_changing_a_signed_agreement_is_409_and_changes_nothing(api_as, lead, second):
    """Once every member signed, the terms are frozen."""
    bid = signed_bid(lead, second)
    before = snapshot(bid)
    response = api_as(lead.user).patch(bid_url(bid.pk), {"version": bid.version, "price": "1"})
    assert response.status_code == 409
    assert "can no longer change" in response.json()["detail"]
    assert response.json()["status"] == "signed"
    assert snapshot(bid) == before


def test_a_team_member_may_not_change_the_terms(api_as, lead, second):
    """Only the lead and coordinators change the terms: a member on the team gets 403."""
    bid = draft_bid(lead, second)
    before = snapshot(bid)
    response = api_as(second.user).patch(bid_url(bid.pk), {"version": bid.version, "price": "1"})
    assert response.status_code == 403
    assert snapshot(bid) == before


def test_the_lead_invites_changes_and_removes_a_member(api_as, lead, second):
    """Invite (201), change the planned hours, then take them off the team."""
    bid = draft_bid(lead)
    client = api_as(lead.user)
    invited = client.post(
        bid_url(bid.pk, "invite/"),
        {"consultant": second.pk, "role": "Developer", "estimated_hours": "12.5",
         "version": bid.version},
    )  # fmt: skip
    assert invited.status_code == 201, invited.json()
    seat = invited.json()["members"][1]
    assert (seat["consultant"], seat["status"], seat["planned_payout"]) == (
        second.pk,
        "invited",
        None,
    )
    changed = client.patch(
        bid_url(bid.pk, f"members/{second.pk}/"),
        {"estimated_hours": "20", "version": invited.json()["version"]},
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["members"][1]["estimated_hours"] == "20.00"
    version = changed.json()["version"]
    removed = client.delete(bid_url(bid.pk, f"members/{second.pk}/?version={version}"))
    assert removed.status_code == 200, removed.json()
    assert [m["consultant"] for m in removed.json()["members"]] == [lead.pk]


def test_removing_with_a_stale_version_is_409(api_as, lead, second):
    bid = draft_bid(lead, second)
    before = snapshot(bid)
    response = api_as(lead.user).delete(
        bid_url(bid.pk, f"members/{second.pk}/"), {"version": 1}, format="json"
    )
    assert response.status_code == 409
    assert snapshot(bid) == before


@pytest.mark.parametrize("consultant_id", [2**63, 10**30, 0])
@pytest.mark.parametrize("method", ["patch", "delete"])
def test_a_member_id_no_row_can_have_is_404_not_a_server_error(
    api_as, lead, second, method, consultant_id
):
    """SQLite's driver cannot take an integer beyond 8 bytes (found by `make fuzz`)."""
    bid = draft_bid(lead, second)
    before = snapshot(bid)
    url = bid_url(bid.pk, f"members/{consultant_id}/")

    response = getattr(api_as(lead.user), method)(url, {"version": 1}, format="json")

    assert response.status_code == 404
    assert snapshot(bid) == before
    assert_matches_schema(
        response, f"{method.upper()} /api/v1/bids/{{id}}/members/{{consultant_id}}/"
    )


def test_inviting_an_unknown_member_is_400(api_as, lead):
    bid = draft_bid(lead)
    before = snapshot(bid)
    response = api_as(lead.user).post(
        bid_url(bid.pk, "invite/"),
        {"consultant": 999_999, "role": "Developer", "estimated_hours": "10",
         "version": bid.version},
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json() == {"consultant": ["No such member."]}
    assert snapshot(bid) == before


def test_accepting_twice_is_409(api_as, lead, second):
    bid = draft_bid(lead, second)
    before = snapshot(bid)
    response = api_as(second.user).post(bid_url(bid.pk, "accept/"), {"version": bid.version})
    assert response.status_code == 409
    assert "already answered" in response.json()["detail"]
    assert snapshot(bid) == before


def test_a_member_not_invited_cannot_accept(api_as, lead, second, other_member):
    bid = draft_bid(lead, second, accept=False)
    before = snapshot(bid)
    response = api_as(other_member).post(bid_url(bid.pk, "accept/"), {"version": bid.version})
    assert response.status_code == 403
    assert snapshot(bid) == before


def test_declining_leaves_the_team_as_it_was(api_as, lead, second):
    """A declined invitation writes no new agreement version; the decliner then sees the
    bid as any other member does."""
    bid = draft_bid(lead, second, accept=False)
    response = api_as(second.user).post(
        bid_url(bid.pk, "decline/"), {"reason": "Too busy", "version": bid.version}
    )
    assert response.status_code == 200
    assert response.json()["sees_money"] is False
    assert BidMember.objects.get(bid=bid, consultant=second).decline_reason == "Too busy"
    assert terms.current_agreement(bid).number == 1


# --- Signing ----------------------------------------------------------------------------------


def test_signing_a_version_no_longer_current_is_409(api_as, lead, second):
    bid = draft_bid(lead, second)
    states.bid_send(bid_id=bid.pk, actor=lead.user)
    stale = terms.current_agreement(bid).number - 1
    before = snapshot(bid)
    response = api_as(second.user).post(bid_url(bid.pk, "sign/"), {"version": stale})
    assert response.status_code == 409
    assert "no longer the agreement" in response.json()["detail"]
    assert snapshot(bid) == before


def test_a_non_member_cannot_sign(api_as, lead, second, other_member):
    bid = draft_bid(lead, second)
    states.bid_send(bid_id=bid.pk, actor=lead.user)
    number = terms.current_agreement(bid).number
    before = snapshot(bid)
    response = api_as(other_member).post(bid_url(bid.pk, "sign/"), {"version": number})
    assert response.status_code == 403
    assert snapshot(bid) == before


def test_an_invited_member_cannot_sign_before_accepting(api_as, lead, second, third):
    """An invitation is a seat to see the bid, not to sign it: the service answers 403."""
    bid = draft_bid(lead, second)
    team.bid_invite(bid_id=bid.pk, actor=lead.user, consultant=third.pk, role="QA",
                    estimated_hours="5")  # fmt: skip
    states.bid_send(bid_id=bid.pk, actor=lead.user)
    before = snapshot(bid)
    number = terms.current_agreement(bid).number
    response = api_as(third.user).post(bid_url(bid.pk, "sign/"), {"version": number})
    assert response.status_code == 403
    assert snapshot(bid) == before


def test_signing_needs_the_agreement_version(api_as, lead, second):
    bid = draft_bid(lead, second)
    response = api_as(second.user).post(bid_url(bid.pk, "sign/"), {})
    assert response.status_code == 400
    assert response.json() == {"version": ["This field is required."]}


# --- Outcome and the request's own refusals ---------------------------------------------------


def test_the_lead_cannot_record_the_outcome(api_as, lead, second):
    """The client's answer is recorded by intake coordinators."""
    bid = signed_bid(lead, second)
    states.bid_submit(bid_id=bid.pk, actor=lead.user)
    bid.refresh_from_db()
    before = snapshot(bid)
    response = api_as(lead.user).post(
        bid_url(bid.pk, "outcome/"), {"outcome": "won", "version": bid.version}
    )
    assert response.status_code == 403
    assert snapshot(bid) == before


def test_a_lost_bid_loses_the_request(api_as, intake_coordinator, lead, second):
    bid = signed_bid(lead, second)
    states.bid_submit(bid_id=bid.pk, actor=lead.user)
    response = api_as(intake_coordinator).post(
        bid_url(bid.pk, "outcome/"),
        {"outcome": "lost", "note": "Went with another firm", "version": bid.version + 1},
    )
    assert response.status_code == 200 and response.json()["status"] == "lost"
    assert Request.objects.get(pk=bid.request_id).status == Request.Status.LOST


def test_an_unknown_outcome_is_400(api_as, intake_coordinator, lead, second):
    bid = signed_bid(lead, second)
    response = api_as(intake_coordinator).post(
        bid_url(bid.pk, "outcome/"), {"outcome": "maybe", "version": bid.version}
    )
    assert response.status_code == 400
    assert response.json() == {"outcome": ['"maybe" is not a valid choice.']}


def test_submitting_before_everyone_signed_is_409(api_as, lead, second):
    bid = draft_bid(lead, second)
    before = snapshot(bid)
    response = api_as(lead.user).post(bid_url(bid.pk, "submit/"), {"version": bid.version})
    assert response.status_code == 409
    assert response.json()["status"] == "draft"
    assert snapshot(bid) == before


def test_withdrawing_a_draft_keeps_the_request_open(api_as, lead, second):
    bid = draft_bid(lead, second)
    response = api_as(lead.user).post(
        bid_url(bid.pk, "withdraw/"), {"note": "Too big for us", "version": bid.version}
    )
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    assert Request.objects.get(pk=bid.request_id).status == Request.Status.BIDDING


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


# --- The bid board ----------------------------------------------------------------------------


def test_the_board_shows_what_the_client_needs_never_who_they_are(api_as, lead, second):
    """Requests in bidding only, with the bid under way; no organisation, no contact."""
    request = bidding_request(title="New donor database", skills=["CiviCRM", "WordPress"])
    RequestFactory(status=Request.Status.TRIAGED)
    bid = draft_bid(lead, second)
    BidInterest.objects.create(request=request, consultant=second)

    response = api_as(second.user).get("/api/v1/bid-board/")
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    assert set(rows) == {request.pk, bid.request_id}
    assert rows[request.pk]["volunteered"] is True
    assert rows[request.pk]["open_bid"] is None
    assert rows[request.pk]["skills"] == ["CiviCRM", "WordPress"]
    assert rows[bid.request_id]["volunteered"] is False
    assert rows[bid.request_id]["open_bid"] == {
        "id": bid.pk,
        "lead": lead.display_name,
        "team": [lead.display_name, second.display_name],
        "status": "draft",
        "due_date": None,
    }
    assert set(rows[request.pk]) == {
        "id", "reference", "title", "description", "skills", "budget_max", "currency",
        "estimated_hours", "desired_start", "urgency", "open_bid", "volunteered",
    }  # fmt: skip
    text = response.content.decode()
    for secret in (request.contact.email, request.contact.name, request.organization.name):
        assert secret not in text


def test_a_member_volunteers_from_the_board(api_as, lead):
    request = bidding_request()
    response = api_as(lead.user).post(
        f"/api/v1/bid-board/{request.pk}/volunteer/", {"note": "I know CiviCRM"}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["note"] == "I know CiviCRM"
    assert BidInterest.objects.filter(request=request, consultant=lead).exists()
    board = api_as(lead.user).get("/api/v1/bid-board/").json()["results"]
    assert board[0]["volunteered"] is True


def test_volunteering_for_a_request_not_on_the_board_is_404(api_as, lead):
    closed = RequestFactory(status=Request.Status.ENGAGED)
    response = api_as(lead.user).post(f"/api/v1/bid-board/{closed.pk}/volunteer/", {})
    assert response.status_code == 404
    assert not BidInterest.objects.exists()


def test_a_move_the_request_refuses_is_409_with_the_bids_state(api_as, lead, second):
    """The request's own workflow may refuse the move (here the request left bidding behind
    the bid's back): the answer is 409 with the bid's status and version, nothing changed."""
    bid = signed_bid(lead, second)
    Request.objects.filter(pk=bid.request_id).update(status=Request.Status.TRIAGED)
    before = snapshot(bid)
    response = api_as(lead.user).post(bid_url(bid.pk, "submit/"), {"version": bid.version})
    assert response.status_code == 409
    assert response.json()["status"] == "signed"
    assert response.json()["version"] == bid.version
    assert snapshot(bid) == before


# --- Every write that changes a bid carries its version ------------------------------------------


def _stage_for(step: str, lead, second, coordinator) -> Bid:
    """A bid at the stage where ``step`` is a legal move, made by the services."""
    if step in ("accept", "decline"):
        return draft_bid(lead, second, accept=False)
    if step in ("invite", "member-patch", "member-delete", "send", "withdraw", "terms"):
        return draft_bid(lead, second)
    if step == "submit":
        return signed_bid(lead, second)
    if step == "outcome":
        bid = signed_bid(lead, second)
        states.bid_submit(bid_id=bid.pk, actor=lead.user)
        return Bid.objects.get(pk=bid.pk)
    if step == "start":
        bid = signed_bid(lead, second)
        states.bid_submit(bid_id=bid.pk, actor=lead.user)
        states.bid_decide(bid_id=bid.pk, actor=coordinator, won=True)
        return Bid.objects.get(pk=bid.pk)
    if step == "settle":
        bid = working_bid(lead, second, coordinator=coordinator)
        work.hours_log(bid_id=bid.pk, actor=second.user, date=timezone.localdate(), hours="3")
        return bid
    bid = proposed_bid(lead, second, coordinator=coordinator)  # approve, dispute
    if step == "approve-on-behalf":
        network_services.consultant_set_status(consultant=second, status=Consultant.Status.ALUMNI)
    return bid


# step: (who sends it, method, path, the body besides the version)
VERSIONED_WRITES = {
    "terms": ("lead", "patch", "", {"price": "9500.00"}),
    "invite": ("lead", "post", "invite/", {"role": "QA", "estimated_hours": "5"}),
    "accept": ("second", "post", "accept/", {}),
    "decline": ("second", "post", "decline/", {"reason": "Busy"}),
    "member-patch": ("lead", "patch", "members/{second}/", {"estimated_hours": "12"}),
    "member-delete": ("lead", "delete", "members/{second}/", {}),
    "send": ("lead", "post", "send/", {}),
    "withdraw": ("lead", "post", "withdraw/", {}),
    "submit": ("lead", "post", "submit/", {}),
    "outcome": ("coordinator", "post", "outcome/", {"outcome": "won"}),
    "start": ("lead", "post", "start/", {}),
    "settle": ("lead", "post", "settle/", {}),
    "approve": ("second", "post", "statement/approve/", {}),
    "dispute": ("second", "post", "statement/dispute/", {"reason": "Wrong hours"}),
    "approve-on-behalf": (
        "coordinator",
        "post",
        "statement/approve-on-behalf/",
        {"reason": "Confirmed the hours before leaving"},
    ),
}


def _versioned_write(api_as, step, bid, lead, second, third, coordinator, version):
    who, method, path, body = VERSIONED_WRITES[step]
    user = {"lead": lead.user, "second": second.user, "coordinator": coordinator}[who]
    body = dict(body)
    if step == "invite":
        body["consultant"] = third.pk
    if step == "approve-on-behalf":
        body["consultant"] = second.pk
    if version is not None:
        body["version"] = version
    url = bid_url(bid.pk, path.format(second=second.pk))
    return getattr(api_as(user), method)(url, body, format="json")


@pytest.mark.parametrize("step", list(VERSIONED_WRITES))
def test_every_bid_write_needs_the_bids_version(
    api_as, intake_coordinator, lead, second, third, step
):
    """Missing: 400 naming the field, as the pages' forms require it; nothing changed."""
    bid = _stage_for(step, lead, second, intake_coordinator)
    before = snapshot(bid)

    response = _versioned_write(
        api_as, step, bid, lead, second, third, intake_coordinator, version=None
    )

    assert response.status_code == 400, response.json()
    assert response.json() == {"version": ["This field is required."]}
    assert snapshot(bid) == before


@pytest.mark.parametrize("step", list(VERSIONED_WRITES))
def test_every_bid_write_with_a_stale_version_is_409(
    api_as, intake_coordinator, lead, second, third, step
):
    bid = _stage_for(step, lead, second, intake_coordinator)
    before = snapshot(bid)

    response = _versioned_write(
        api_as, step, bid, lead, second, third, intake_coordinator, version=bid.version + 5
    )

    assert response.status_code == 409, response.json()
    assert response.json()["version"] == bid.version
    assert snapshot(bid) == before


@pytest.mark.parametrize("step", list(VERSIONED_WRITES))
def test_every_bid_write_with_the_current_version_is_made(
    api_as, intake_coordinator, lead, second, third, step
):
    bid = _stage_for(step, lead, second, intake_coordinator)

    response = _versioned_write(
        api_as, step, bid, lead, second, third, intake_coordinator, version=bid.version
    )

    assert response.status_code in (200, 201), response.json()


def test_the_schema_requires_the_version_of_every_bid_write():
    document = api_schema_document()
    components = document["components"]["schemas"]
    for step, (_who, method, path, _body) in VERSIONED_WRITES.items():
        address = "/api/v1/bids/{id}/" + path.replace("{second}", "{consultant_id}")
        operation = document["paths"][address][method]
        if method == "delete":
            parameter = next(p for p in operation["parameters"] if p["name"] == "version")
            assert parameter["required"] is True, step
            continue
        reference = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        schema = components[reference.rsplit("/", 1)[-1]]
        assert "version" in schema.get("required", []), step


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


# --- Answers match the schema (found by the API fuzzer, tests/fuzz) ----------------------------


def test_a_bid_with_its_money_matches_exactly_one_documented_shape(api_as, lead, second, third):
    """A full bid has every field of the public shape too; `sees_money` tells them apart, so
    the answer is one of BidView's two shapes, not both (which `oneOf` refuses)."""
    bid = draft_bid(lead, second)

    as_team = api_as(lead.user).get(bid_url(bid.pk))
    as_outsider = api_as(third.user).get(bid_url(bid.pk))
    listed = api_as(lead.user).get(BIDS)

    assert as_team.json()["sees_money"] is True
    assert as_outsider.json()["sees_money"] is False
    assert_matches_schema(as_team, "GET /api/v1/bids/{id}/")
    assert_matches_schema(as_outsider, "GET /api/v1/bids/{id}/")
    assert_matches_schema(listed, "GET /api/v1/bids/")


def test_a_bad_status_filter_and_a_page_past_the_end_are_documented(api_as, lead):
    bad_filter = api_as(lead.user).get(BIDS, {"status": "nonsense"})
    past_the_end = api_as(lead.user).get(BIDS, {"page": 99})

    assert bad_filter.status_code == 400
    assert past_the_end.status_code == 404
    assert_matches_schema(bad_filter, "GET /api/v1/bids/")
    assert_matches_schema(past_the_end, "GET /api/v1/bids/")


@pytest.mark.parametrize("request_id", ["1e86", str(2**63), "-1"])
def test_a_request_filter_out_of_range_is_400_not_a_server_error(api_as, lead, request_id):
    """SQLite's driver cannot take an integer beyond 8 bytes (found by the API fuzzer)."""
    response = api_as(lead.user).get(BIDS, {"request": request_id})

    assert response.status_code == 400
    assert "request" in response.json()
