"""Proposing the statement that settles a team bid (``intake/bids/settlement.py``, ``bid_settle``):
the lead or a coordinator proposes it from the hours logged, nothing is final yet, and the money
it splits. Refusals are checked by the exception and a snapshot of every bid row before and
after (``tests/bids/helpers.py``)."""

import datetime
from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from intake.bids import rules, settlement, work
from intake.bids.models import Bid, BidEvent, HoursEntry
from intake.models import Engagement, Request
from tests.bids.helpers import (
    DISPUTED,
    FINAL,
    PROPOSED,
    D,
    approve,
    assert_unchanged,
    fresh,
    log,
    log_total,
    member,
    propose,
    snapshot,
    working_bid,
)

pytestmark = pytest.mark.django_db

B = Bid.Status


# --- The repro: back-dated hours and a settlement nobody confirmed ---------------------------


def test_a_lead_cannot_take_the_pool_with_back_dated_hours(db, intake_coordinator):
    """Equal rate, pool 1,000.00: 24 h on 50 dates of 1900 are refused, and the lead's
    proposal is not final until the other member approves it; they dispute it instead."""
    lead, other = member("100.00"), member("100.00")
    bid = working_bid(intake_coordinator, lead, other, price="1000.00")
    log(bid, other, "10")
    before = snapshot()

    for day in range(50):
        with pytest.raises(ValidationError) as error:
            work.hours_log(
                bid_id=bid.pk,
                actor=lead.user,
                date=datetime.date(1900, 1, 1) + datetime.timedelta(days=day),
                hours="24",
            )
        assert "date" in error.value.message_dict

    assert_unchanged(before)
    log(bid, lead, "24")  # today: the lead claims a long day
    statement = propose(bid, lead)

    assert statement.state == PROPOSED
    assert fresh(bid).status == B.IN_PROGRESS
    assert fresh(bid).request.status == Request.Status.ENGAGED
    settlement.statement_dispute(
        bid_id=bid.pk, actor=other.user, reason="Nobody worked 24 hours today."
    )
    statement.refresh_from_db()
    assert (statement.state, statement.disputed_by) == (DISPUTED, other)
    entry = HoursEntry.objects.get(bid=bid, consultant=lead)
    work.hours_delete(bid_id=bid.pk, actor=lead.user, entry_id=entry.pk)
    log(bid, lead, "10")
    propose(bid, lead)
    approve(bid, lead, other)
    final = settlement.live_statement(bid)
    assert final.state == FINAL
    assert [line["payout"] for line in final.lines] == ["500.00", "500.00"]


# --- Proposing -------------------------------------------------------------------------------


def test_settling_proposes_the_statement_and_nothing_is_final(working):
    bid, lead, second, third = working
    log_total(bid, lead, "10")
    log(bid, second, "5")
    version = fresh(bid).version

    statement = propose(bid, lead, note="Work done")

    bid = fresh(bid)
    assert statement.state == PROPOSED and statement.decided_at is None
    assert statement.settled_by == lead.user
    assert (bid.status, bid.settled_at, bid.collector) == (B.IN_PROGRESS, None, None)
    assert bid.version == version + 1
    assert bid.request.status == Request.Status.ENGAGED
    assert not Engagement.objects.filter(request=bid.request, end__isnull=False).exists()
    event = BidEvent.objects.filter(bid=bid).latest("pk")
    assert (event.action, event.note, event.data["settlement"]) == (
        "settlement_proposed", "Work done", statement.pk
    )  # fmt: skip
    assert list(statement.approvals.all()) == []


def test_settling_with_no_hours_logged_is_refused_and_changes_nothing(working):
    bid, lead, _second, _third = working
    before = snapshot()

    with pytest.raises(ValidationError) as error:
        propose(bid, lead)

    assert "hours" in error.value.message_dict
    assert_unchanged(before)


@pytest.mark.parametrize("who", ["member", "outsider"])
def test_only_the_lead_or_a_coordinator_proposes(working, who):
    bid, _lead, second, _third = working
    log(bid, second, "5")
    actor = second if who == "member" else member()
    before = snapshot()

    with pytest.raises(PermissionDenied):
        propose(bid, actor)

    assert_unchanged(before)


def test_a_coordinator_may_propose(working, community_coordinator):
    bid, _lead, second, _third = working
    log(bid, second, "5")

    statement = settlement.bid_settle(bid_id=bid.pk, actor=community_coordinator)

    assert statement.settled_by == community_coordinator
    assert statement.state == PROPOSED


def test_a_second_proposal_while_one_is_out_is_a_conflict(working):
    bid, lead, second, _third = working
    log(bid, second, "5")
    propose(bid, lead)
    before = snapshot()

    with pytest.raises(rules.BidConflict):
        propose(bid, lead)

    assert_unchanged(before)


def test_a_stale_version_is_a_conflict_for_every_statement_step(working):
    bid, lead, second, _third = working
    log(bid, second, "5")
    stale = fresh(bid).version - 1
    before = snapshot()

    with pytest.raises(rules.BidConflict):
        propose(bid, lead, version=stale)
    assert_unchanged(before)

    propose(bid, lead)
    before = snapshot()
    with pytest.raises(rules.BidConflict):
        settlement.statement_approve(bid_id=bid.pk, actor=second.user, version=stale)
    with pytest.raises(rules.BidConflict):
        settlement.statement_dispute(
            bid_id=bid.pk, actor=second.user, reason="Too late", version=stale
        )
    assert_unchanged(before)


@pytest.mark.parametrize("collector", ["outsider", "invited", "nonsense"])
def test_a_collector_not_on_the_team_is_refused(working, collector):
    bid, lead, second, _third = working
    log(bid, second, "5")
    value = {"outsider": member().pk, "invited": lead.pk + 10_000, "nonsense": "x"}[collector]
    before = snapshot()

    with pytest.raises(ValidationError) as error:
        propose(bid, lead, collector=value)

    assert "collector" in error.value.message_dict
    assert_unchanged(before)


def test_the_hours_are_fixed_while_the_statement_is_out(working):
    bid, lead, second, _third = working
    entry = log(bid, second, "5")
    propose(bid, lead)
    before = snapshot()

    with pytest.raises(rules.BidConflict):
        log(bid, second, "1")
    with pytest.raises(rules.BidConflict):
        work.hours_delete(bid_id=bid.pk, actor=second.user, entry_id=entry.pk)

    assert_unchanged(before)


# --- The money -------------------------------------------------------------------------------


def test_equal_rate_statement_pays_everyone_the_same_rate(working):
    bid, lead, second, third = working  # price 9000, share 0, equal_rate
    for consultant, hours in ((lead, "41.5"), (second, "17.25"), (third, "23")):
        log_total(bid, consultant, hours)

    statement = propose(bid, lead)

    payouts = [D(line["payout"]) for line in statement.lines]
    assert sum(payouts) == statement.pool == D("9000.00")
    assert statement.total_hours == D("81.75")
    common = Fraction(9000) / Fraction("81.75")
    for line in statement.lines:
        assert abs(Fraction(D(line["effective_rate"])) - common) <= Fraction(1, 100)
    assert [line["consultant"] for line in statement.lines] == [lead.pk, second.pk, third.pk]
    assert statement.lines[1]["hours_difference"] == "-2.75"
    assert statement.transfers == [] and statement.collector is None


def test_rate_weighted_statement_scales_every_standard_rate_by_one_factor(db, intake_coordinator):
    lead, second, third = member("100.00"), member("80.00"), member("60.00")
    bid = working_bid(
        intake_coordinator, lead, second, third, price="12345.67", alliance_share_percent="7.5",
        split_mode=Bid.SplitMode.RATE_WEIGHTED,
    )  # fmt: skip
    worked = {lead: D("52.5"), second: D("31.25"), third: D("17")}
    for consultant, hours in worked.items():
        log_total(bid, consultant, hours)

    statement = propose(bid, lead)

    pool = statement.pool
    assert pool == D("11419.74")  # 12345.67 × 0.925, half up
    assert sum(D(line["payout"]) for line in statement.lines) == pool
    rates = {lead.pk: D("100"), second.pk: D("80"), third.pk: D("60")}
    hours = {c.pk: h for c, h in worked.items()}
    factor = Fraction(pool) / sum(Fraction(hours[pk] * rates[pk]) for pk in rates)
    for line in statement.lines:
        effective = Fraction(D(line["effective_rate"]))
        # A payout within a cent of exact, an effective rate rounded to the cent.
        tolerance = Fraction(1, 100) / Fraction(hours[line["consultant"]]) + Fraction(1, 200)
        assert abs(effective - factor * Fraction(rates[line["consultant"]])) <= tolerance


def test_a_member_with_no_hours_gets_nothing_and_no_effective_rate(working):
    bid, lead, second, third = working
    log_total(bid, lead, "10")
    log(bid, second, "5")

    statement = propose(bid, lead, collector=lead.pk)

    line = next(line for line in statement.lines if line["consultant"] == third.pk)
    assert (line["actual_hours"], line["payout"], line["effective_rate"]) == ("0.00", "0.00", None)
    assert [D(x["payout"]) for x in statement.lines if x["consultant"] != third.pk] == [
        D("6000.00"), D("3000.00")
    ]  # fmt: skip
    assert [t["to_consultant"] for t in statement.transfers] == [second.pk]


def test_the_collector_owes_every_other_paid_member_and_the_alliance(db, intake_coordinator):
    lead, second, third = member("100.00"), member("80.00"), member("60.00")
    bid = working_bid(
        intake_coordinator, lead, second, third, price="10000.00", alliance_share_percent="10"
    )
    for consultant, hours in ((lead, "40"), (second, "30"), (third, "20")):
        log_total(bid, consultant, hours)

    statement = propose(bid, lead, collector=second.pk)
    approve(bid, lead, second, third)

    assert statement.collector == second and fresh(bid).collector == second
    payouts = {line["consultant"]: line["payout"] for line in statement.lines}
    assert statement.transfers == [
        {"from_consultant": second.pk, "from_name": second.display_name,
         "to_consultant": lead.pk, "to_name": lead.display_name, "amount": payouts[lead.pk]},
        {"from_consultant": second.pk, "from_name": second.display_name,
         "to_consultant": third.pk, "to_name": third.display_name, "amount": payouts[third.pk]},
        {"from_consultant": second.pk, "from_name": second.display_name,
         "to_consultant": None, "to_name": "The alliance", "amount": "1000.00"},
    ]  # fmt: skip
    # What the collector keeps plus what they pass on is the whole price.
    owed = sum(D(t["amount"]) for t in statement.transfers)
    assert owed + D(payouts[second.pk]) == D("10000.00")
