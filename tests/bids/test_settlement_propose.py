"""The statement that settles a team bid (``intake/bid_statements.py``): the lead proposes it,
every member on the team approves it or disputes it, and it is final only when the last member
approves. Refusals are checked as in ``test_bids``: the exception, and a snapshot of every bid
row before and after.
"""

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from intake.bids import access as bid_access
from intake.bids import rules, settlement, work
from intake.bids.models import (
    AgreementVersion,
    Bid,
    BidEvent,
    HoursEntry,
    Settlement,
    StatementApproval,
)
from intake.bids.notifications import StatementKind
from intake.models import Engagement, Notification, Request, RequestEvent
from intake.workflow import WorkflowConflict, request_apply
from network import services as network_services
from network.models import Consultant, User
from tests.bids.helpers import (
    actions,
    assert_unchanged,
    emails,
    fresh,
    log,
    log_total,
    member,
    sent,
    snapshot,
    working_bid,
)

pytestmark = pytest.mark.django_db

D = Decimal
B = Bid.Status
# The statement's states, as stored (Settlement.State).
PROPOSED, FINAL, DISPUTED = "proposed", "final", "disputed"


@pytest.fixture
def working(db, intake_coordinator):
    """A bid at work for 30 days: a lead (100/h), two members (80/h and 60/h), price 9000."""
    lead, second, third = member("100.00"), member("80.00"), member("60.00")
    return working_bid(intake_coordinator, lead, second, third), lead, second, third


def propose(bid, lead, **fields) -> Settlement:
    return settlement.bid_settle(bid_id=bid.pk, actor=lead.user, **fields)


def approve(bid, *consultants) -> None:
    for consultant in consultants:
        settlement.statement_approve(bid_id=bid.pk, actor=consultant.user)


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


# --- Approving -------------------------------------------------------------------------------


def test_the_statement_is_final_only_when_every_member_approves(working):
    bid, lead, second, third = working
    log(bid, second, "5")
    statement = propose(bid, lead, collector=lead.pk, note="Done")

    approve(bid, lead, third)

    statement.refresh_from_db()
    assert statement.state == PROPOSED
    assert fresh(bid).status == B.IN_PROGRESS
    assert fresh(bid).request.status == Request.Status.ENGAGED

    approve(bid, second)

    statement.refresh_from_db()
    bid = fresh(bid)
    assert statement.state == FINAL and statement.decided_at is not None
    assert bid.status == B.SETTLED and bid.settled_at == statement.decided_at
    assert bid.collector == lead
    assert statement.agreement == AgreementVersion.objects.get(bid=bid, in_force_at__isnull=False)
    assert bid.request.status == Request.Status.COMPLETED
    assert bid.request.closed_at is not None
    ends = set(Engagement.objects.filter(request=bid.request).values_list("end", flat=True))
    assert ends == {timezone.localdate()}
    # The request's move is the last approval's, in the last approver's name.
    event = RequestEvent.objects.filter(request=bid.request).latest("pk")
    assert (event.action, event.data, event.actor) == ("settle_bid", {"bid": bid.pk}, second.user)
    assert actions(bid)[-4:] == [
        "statement_approved", "statement_approved", "statement_approved", "settled"
    ]  # fmt: skip


def test_a_statement_proposed_by_a_coordinator_who_left_the_role_still_becomes_final(
    working, community_coordinator
):
    """The members' approvals are what make the statement final, not the proposer's role: the
    request's move is the last approver's."""
    bid, lead, second, third = working
    log(bid, second, "5")
    settlement.bid_settle(bid_id=bid.pk, actor=community_coordinator)
    community_coordinator.groups.clear()

    approve(bid, lead, second, third)

    assert fresh(bid).status == B.SETTLED
    event = RequestEvent.objects.filter(request=bid.request).latest("pk")
    assert (event.action, event.actor) == ("settle_bid", third.user)


def test_the_last_approval_closes_the_request_when_the_lead_proposer_stopped_working(working):
    """The lead proposed and approved, then went on leave (their roles end with the status
    change). The last member's approval still makes the statement final and completes the
    request, in that member's name; before, the request's move was refused (403) because
    neither the proposer nor the lead could settle any more."""
    bid, lead, second, third = working
    log(bid, second, "5")
    propose(bid, lead)
    approve(bid, lead, second)
    network_services.consultant_set_status(
        consultant=lead, status=Consultant.Status.ON_LEAVE, reason="Parental leave"
    )

    approve(bid, third)

    statement = settlement.live_statement(fresh(bid))
    assert statement.state == FINAL
    assert fresh(bid).status == B.SETTLED
    assert fresh(bid).request.status == Request.Status.COMPLETED
    event = RequestEvent.objects.filter(request=bid.request).latest("pk")
    assert (event.action, event.actor) == ("settle_bid", third.user)
    settled = BidEvent.objects.get(bid=bid, action="settled")
    assert settled.actor == third.user


@pytest.mark.parametrize("status", ["on_leave", "alumni", "former"])
def test_a_member_who_stopped_working_cannot_approve_or_dispute_themself(working, status):
    """Approving is a member's right, so it needs a working member, as the bid pages do; a
    coordinator records the approval on their behalf instead (test_bid_statement_on_behalf)."""
    bid, lead, second, _third = working
    log(bid, second, "5")
    propose(bid, lead)
    network_services.consultant_set_status(consultant=second, status=status)
    signed_in_again = User.objects.get(pk=second.user_id)  # as a new request loads them
    before = snapshot()

    with pytest.raises(PermissionDenied):
        settlement.statement_approve(bid_id=bid.pk, actor=signed_in_again)
    with pytest.raises(PermissionDenied):
        settlement.statement_dispute(bid_id=bid.pk, actor=signed_in_again, reason="Wrong")

    assert_unchanged(before)


def test_settling_a_request_is_not_a_right_of_any_team_member(working):
    """The request's settle move admits a member of the team only once they approved its final
    statement themself: a member of a bid still at work may not make it."""
    bid, lead, second, third = working
    log(bid, second, "5")
    propose(bid, lead)
    approve(bid, second)

    assert bid_access.settles_bid(lead.user, bid.request)
    assert not bid_access.settles_bid(second.user, bid.request)
    assert not bid_access.settles_bid(member().user, bid.request)
    approve(bid, lead, third)
    request = fresh(bid).request
    assert bid_access.settles_bid(second.user, request) and bid_access.settles_bid(
        third.user, request
    )
    assert not bid_access.settles_bid(member().user, request)
    network_services.consultant_set_status(consultant=second, status=Consultant.Status.ALUMNI)
    assert not bid_access.settles_bid(User.objects.get(pk=second.user_id), request)


def test_approving_twice_answers_the_first_approval(working):
    bid, lead, second, _third = working
    log(bid, second, "5")
    propose(bid, lead)

    first = settlement.statement_approve(bid_id=bid.pk, actor=second.user)
    again = settlement.statement_approve(bid_id=bid.pk, actor=second.user)

    assert first.pk == again.pk
    assert StatementApproval.objects.filter(settlement__bid=bid).count() == 1
    assert actions(bid).count("statement_approved") == 1


@pytest.mark.parametrize("who", ["outsider", "coordinator", "closed_invitation"])
@pytest.mark.parametrize("step", ["approve", "dispute"])
def test_only_members_on_the_team_approve_or_dispute(working, who, step, intake_coordinator):
    bid, lead, second, _third = working
    log(bid, second, "5")
    propose(bid, lead)
    actor = {"outsider": member().user, "coordinator": intake_coordinator,
             "closed_invitation": lead.user}[who]  # fmt: skip
    if who == "closed_invitation":
        # Someone whose invitation closed when the agreement came into force: not on the team.
        closed = member()
        bid.members.create(consultant=closed, role="QA", estimated_hours=1, standard_rate=0,
                           status="removed")  # fmt: skip
        actor = closed.user
    before = snapshot()

    with pytest.raises(PermissionDenied):
        if step == "approve":
            settlement.statement_approve(bid_id=bid.pk, actor=actor)
        else:
            settlement.statement_dispute(bid_id=bid.pk, actor=actor, reason="No")

    assert_unchanged(before)


@pytest.mark.parametrize("stage", ["not_proposed", "final", "disputed"])
@pytest.mark.parametrize("step", ["approve", "dispute"])
def test_approving_or_disputing_with_no_statement_out_is_a_conflict(working, stage, step):
    bid, lead, second, third = working
    log(bid, second, "5")
    if stage != "not_proposed":
        propose(bid, lead)
    if stage == "final":
        approve(bid, lead, second, third)
    if stage == "disputed":
        settlement.statement_dispute(bid_id=bid.pk, actor=third.user, reason="Wrong")
    before = snapshot()

    with pytest.raises(rules.BidConflict):
        if step == "approve":
            settlement.statement_approve(bid_id=bid.pk, actor=second.user)
        else:
            settlement.statement_dispute(bid_id=bid.pk, actor=second.user, reason="Late")

    assert_unchanged(before)


def test_a_request_whose_bid_is_in_progress_is_completed_only_by_the_final_statement(
    working, intake_coordinator
):
    bid, lead, second, third = working
    log(bid, second, "5")
    propose(bid, lead)
    before = snapshot()

    with pytest.raises(WorkflowConflict):
        request_apply(
            request_id=bid.request_id, action="complete", actor=intake_coordinator, version=None
        )

    assert_unchanged(before)
    approve(bid, lead, second, third)
    assert fresh(bid).request.status == Request.Status.COMPLETED


# --- Disputing -------------------------------------------------------------------------------


def test_a_dispute_withdraws_the_statement_and_reopens_the_hours(working):
    bid, lead, second, third = working
    log(bid, second, "5")
    first = propose(bid, lead)
    approve(bid, lead)
    version = fresh(bid).version

    settlement.statement_dispute(
        bid_id=bid.pk, actor=third.user, reason="  My 6 hours on Monday are missing.  "
    )

    first.refresh_from_db()
    assert first.state == DISPUTED
    assert (first.disputed_by, first.dispute_reason) == (third, "My 6 hours on Monday are missing.")
    assert first.decided_at is not None
    bid = fresh(bid)
    assert (bid.status, bid.version) == (B.IN_PROGRESS, version + 1)
    assert settlement.live_statement(bid) is None
    event = BidEvent.objects.filter(bid=bid).latest("pk")
    assert (event.action, event.note) == ("statement_disputed", "My 6 hours on Monday are missing.")
    # The hours reopen; the next proposal starts with no approvals.
    log(bid, third, "6", days_ago=1)
    second_statement = propose(bid, lead)
    assert second_statement.pk != first.pk
    assert list(second_statement.approvals.all()) == []
    assert second_statement.total_hours == D("11.00")
    assert first.approvals.count() == 1


@pytest.mark.parametrize("reason", ["", "   ", None, "x" * 1001])
def test_a_dispute_needs_a_reason(working, reason):
    bid, lead, second, _third = working
    log(bid, second, "5")
    propose(bid, lead)
    before = snapshot()

    with pytest.raises(ValidationError) as error:
        settlement.statement_dispute(bid_id=bid.pk, actor=second.user, reason=reason)

    assert list(error.value.message_dict) == ["reason"]
    assert_unchanged(before)


def test_the_lead_may_dispute_their_own_proposal(working):
    bid, lead, second, _third = working
    log(bid, second, "5")
    propose(bid, lead)

    statement = settlement.statement_dispute(
        bid_id=bid.pk, actor=lead.user, reason="I forgot my own hours."
    )

    assert statement.state == DISPUTED


# --- Notifications ---------------------------------------------------------------------------


def test_every_step_of_the_statement_tells_the_team(working, django_capture_on_commit_callbacks):
    bid, lead, second, third = working
    log(bid, second, "5")

    with django_capture_on_commit_callbacks(execute=True):
        propose(bid, lead)
    assert sent(StatementKind.TO_APPROVE) == emails(second, third)
    body = Notification.objects.get(
        kind=StatementKind.TO_APPROVE, recipient_email=second.user.email
    ).body_text
    assert "your payout: USD 9000.00" in body and "dispute" in body

    with django_capture_on_commit_callbacks(execute=True):
        settlement.statement_dispute(bid_id=bid.pk, actor=third.user, reason="Hours missing")
    assert sent(StatementKind.DISPUTED) == emails(lead, second)
    assert "Hours missing" in Notification.objects.filter(kind=StatementKind.DISPUTED)[0].body_text

    with django_capture_on_commit_callbacks(execute=True):
        propose(bid, lead)
        approve(bid, second)
    assert sent(StatementKind.APPROVED) == emails(lead, third)
    assert f"Still to approve: {lead.display_name}, {third.display_name}" in (
        Notification.objects.filter(kind=StatementKind.APPROVED)[0].body_text
    )

    with django_capture_on_commit_callbacks(execute=True):
        approve(bid, lead, third)
    # The last approval says "final" to everyone, not "approved".
    assert sent(StatementKind.FINAL) == emails(lead, second, third)
    assert sent(StatementKind.APPROVED) == sorted(emails(lead, third) + emails(second, third))
