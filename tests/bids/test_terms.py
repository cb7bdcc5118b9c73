"""The terms and the agreement of a bid (``intake.bids.terms``): every change writes one version
and voids the one before, the figures, signing, and the version in force.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from intake.bids import rules, states, team, terms
from intake.bids.models import (
    AgreementVersion,
    Bid,
    BidEvent,
    BidMember,
)
from tests.bids.helpers import (
    CHANGES,
    D,
    actions,
    assert_unchanged,
    fresh,
    member,
    sent_bid,
    sign_all,
    signed_bid,
    snapshot,
    start,
    team_bid,
    versions,
)

pytestmark = pytest.mark.django_db

B = Bid.Status
M = BidMember.Status


# --- terms and agreement versions ------------------------------------------------------------


@pytest.mark.parametrize("change", list(CHANGES))
@pytest.mark.parametrize("out", [False, True], ids=["draft", "agreement_out"])
def test_every_change_of_terms_writes_exactly_one_version_and_voids_the_one_before(
    trio, change, out
):
    lead, second, third = trio
    bid = start(lead, second, third)
    team.bid_member_respond(bid_id=bid.pk, actor=second.user, accept=True)
    if out:
        states.bid_send(bid_id=bid.pk, actor=lead.user)
    before_versions = versions(bid)
    previous = before_versions[-1]
    bid_version = fresh(bid).version

    CHANGES[change](bid, lead, second, third)

    after = versions(bid)
    assert len(after) == len(before_versions) + 1
    newest, voided = after[-1], after[-2]
    assert voided.pk == previous.pk and voided.voided_at is not None
    assert newest.number == previous.number + 1 and newest.voided_at is None
    assert [v for v in after if v.voided_at is None] == [newest]
    assert fresh(bid).version > bid_version
    bid = fresh(bid)
    assert (newest.price, newest.alliance_share_percent, newest.split_mode) == (
        bid.price, bid.alliance_share_percent, bid.split_mode
    )  # fmt: skip
    assert newest.pool == D(newest.terms["pool"])
    on_team = set(BidMember.objects.filter(bid=bid, status=M.ACCEPTED).values_list(
        "consultant_id", flat=True))  # fmt: skip
    assert {m["consultant"] for m in newest.terms["members"]} == on_team
    # Removing the only other member leaves the lead alone: the agreement goes back to draft.
    lead_alone = change == "remove"
    assert fresh(bid).status == (B.AGREEMENT_OUT if out and not lead_alone else B.DRAFT)


@pytest.mark.parametrize("mode", Bid.SplitMode.values)
@pytest.mark.parametrize(
    ("price", "share"), [("10000.01", "12.5"), ("100.00", "0"), ("0.07", "33.33"), ("999.99", "50")]
)
def test_the_planned_payouts_of_every_version_add_up_to_the_pool(trio, mode, price, share):
    lead, second, third = trio
    bid = team_bid(lead, second, third, price=price, alliance_share_percent=share, split_mode=mode)
    team.bid_member_change(
        bid_id=bid.pk, actor=lead.user, consultant_id=third.pk, estimated_hours="7.25"
    )

    for version in versions(bid):
        terms = version.terms
        payouts = [D(m["planned_payout"]) for m in terms["members"]]
        assert sum(payouts) == D(terms["pool"]) == version.pool
        assert D(terms["alliance_amount"]) + version.pool == version.price
        overrun = [D(m["overrun_payout"]) for m in terms["members"]]
        early = [D(m["early_payout"]) for m in terms["members"]]
        assert sum(overrun) == sum(early) == version.pool
        hours = sum(D(m["estimated_hours"]) for m in terms["members"])
        assert D(terms["planned_hours"]) == hours


def test_the_terms_show_the_overrun_and_early_finish_of_every_member(trio):
    lead, second, _third = trio
    bid = team_bid(lead, second, price="6000.00")

    figures = terms.current_agreement(bid).terms

    # equal_rate, 40 + 20 planned hours: 100 an hour; 20 % longer is 83.33, 20 % early 125.
    assert figures["planned_blended_rate"] == "100.00"
    lead_terms = figures["members"][0]
    assert lead_terms["lead"] is True and lead_terms["planned_payout"] == "4000.00"
    assert (lead_terms["overrun_hours"], lead_terms["overrun_rate"]) == ("48.00", "83.33")
    assert (lead_terms["early_hours"], lead_terms["early_rate"]) == ("32.00", "125.00")
    assert lead_terms["overrun_payout"] == lead_terms["early_payout"] == "4000.00"


@pytest.mark.parametrize(
    "change", ["price", "share", "mode", "hours", "role", "remove", "invite", "everything"]
)
def test_changing_the_terms_of_a_signed_bid_is_a_conflict_and_changes_nothing(trio, change):
    lead, second, third = trio
    bid = signed_bid(lead, second)
    before = snapshot()

    with pytest.raises(rules.BidConflict) as conflict:
        if change == "invite":
            team.bid_invite(
                bid_id=bid.pk, actor=lead.user, consultant=third, role="QA", estimated_hours="3"
            )
        else:
            CHANGES[change](bid, lead, second, third)

    assert conflict.value.status == B.SIGNED
    assert_unchanged(before)


def test_changing_the_due_date_alone_writes_no_version(trio):
    lead, second, _third = trio
    bid = sent_bid(lead, second)
    number = terms.current_agreement(bid).number
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    changed = terms.bid_terms_change(bid_id=bid.pk, actor=lead.user, due_date=tomorrow)

    assert fresh(bid).due_date == tomorrow and changed.version == bid.version + 1
    assert [v.number for v in versions(bid)] == list(range(1, number + 1))
    assert terms.current_agreement(bid).number == number
    assert actions(bid)[-1] == "terms_changed"


def test_the_due_date_of_a_signed_bid_may_still_move(trio):
    lead, second, _third = trio
    bid = signed_bid(lead, second)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    terms.bid_terms_change(bid_id=bid.pk, actor=lead.user, due_date=tomorrow)

    assert fresh(bid).due_date == tomorrow
    assert AgreementVersion.objects.get(bid=bid, in_force_at__isnull=False).voided_at is None


def test_a_change_to_the_same_values_is_no_change(trio):
    lead, second, _third = trio
    bid = team_bid(lead, second)
    before = snapshot()

    terms.bid_terms_change(bid_id=bid.pk, actor=lead.user, price="9000", split_mode="equal_rate")
    team.bid_member_change(bid_id=bid.pk, actor=lead.user, consultant_id=second.pk,
                           estimated_hours="20.00", role="Developer")  # fmt: skip

    assert_unchanged(before)


@pytest.mark.parametrize("change", ["hours", "remove"])
def test_changing_or_removing_an_invited_member_writes_no_version(trio, change):
    lead, second, third = trio
    bid = team_bid(lead, second)
    team.bid_invite(
        bid_id=bid.pk, actor=lead.user, consultant=third, role="QA", estimated_hours="3"
    )
    count = len(versions(bid))

    if change == "hours":
        team.bid_member_change(
            bid_id=bid.pk, actor=lead.user, consultant_id=third.pk, estimated_hours="9"
        )
    else:
        team.bid_member_remove(bid_id=bid.pk, actor=lead.user, consultant_id=third.pk)

    assert len(versions(bid)) == count


def test_the_lead_cannot_be_removed_and_only_managers_change_the_team(trio):
    lead, second, _third = trio
    bid = team_bid(lead, second)
    before = snapshot()

    with pytest.raises(ValidationError):
        team.bid_member_remove(bid_id=bid.pk, actor=lead.user, consultant_id=lead.pk)
    with pytest.raises(PermissionDenied):
        team.bid_member_remove(bid_id=bid.pk, actor=second.user, consultant_id=second.pk)
    with pytest.raises(PermissionDenied):
        terms.bid_terms_change(bid_id=bid.pk, actor=second.user, price="1.00")
    with pytest.raises(PermissionDenied):
        team.bid_member_change(
            bid_id=bid.pk, actor=second.user, consultant_id=second.pk, estimated_hours="99"
        )

    assert_unchanged(before)


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("price", {"price": "0"}),
        ("alliance_share_percent", {"alliance_share_percent": "51"}),
        ("split_mode", {"split_mode": "equal"}),
        ("due_date", {"due_date": datetime.date(2000, 1, 1)}),
    ],
)
def test_bad_changes_of_terms_are_refused_with_the_field_name(trio, field, values):
    lead, second, _third = trio
    bid = team_bid(lead, second)
    before = snapshot()

    with pytest.raises(ValidationError) as error:
        terms.bid_terms_change(bid_id=bid.pk, actor=lead.user, **values)

    assert field in error.value.message_dict
    assert_unchanged(before)


STALE_CALLS = {
    "terms": lambda bid, lead, other, v: terms.bid_terms_change(
        bid_id=bid.pk, actor=lead.user, price="1.00", version=v
    ),
    "invite": lambda bid, lead, other, v: team.bid_invite(
        bid_id=bid.pk, actor=lead.user, consultant=other, role="QA", estimated_hours="1", version=v
    ),
    "change": lambda bid, lead, other, v: team.bid_member_change(
        bid_id=bid.pk, actor=lead.user, consultant_id=lead.pk, estimated_hours="1", version=v
    ),
    "send": lambda bid, lead, other, v: states.bid_send(bid_id=bid.pk, actor=lead.user, version=v),
    "withdraw": lambda bid, lead, other, v: states.bid_withdraw(
        bid_id=bid.pk, actor=lead.user, version=v
    ),
}


@pytest.mark.parametrize("call", list(STALE_CALLS))
def test_a_change_based_on_a_stale_bid_version_is_a_conflict(trio, call):
    lead, second, third = trio
    bid = team_bid(lead, second)
    stale = bid.version - 1
    before = snapshot()

    with pytest.raises(rules.BidConflict) as conflict:
        STALE_CALLS[call](bid, lead, third, stale)

    assert conflict.value.version == bid.version
    assert_unchanged(before)


# --- sending and signing ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["outsider", "invited", "declined", "coordinator"])
def test_only_members_on_the_team_sign(trio, who, intake_coordinator):
    lead, second, third = trio
    bid = start(lead, second, third)
    team.bid_member_respond(bid_id=bid.pk, actor=second.user, accept=True)
    if who == "declined":
        team.bid_member_respond(bid_id=bid.pk, actor=third.user, accept=False)
    states.bid_send(bid_id=bid.pk, actor=lead.user)
    actor = {"outsider": member().user, "invited": third.user, "declined": third.user,
             "coordinator": intake_coordinator}[who]  # fmt: skip
    number = terms.current_agreement(bid).number
    before = snapshot()

    with pytest.raises(PermissionDenied):
        terms.agreement_sign(bid_id=bid.pk, actor=actor, agreement_version=number)

    assert_unchanged(before)


@pytest.mark.parametrize("offset", [-1, 1])
def test_signing_a_version_that_is_not_the_current_one_is_a_conflict(trio, offset):
    lead, second, _third = trio
    bid = sent_bid(lead, second)
    number = terms.current_agreement(bid).number
    before = snapshot()

    with pytest.raises(rules.BidConflict):
        terms.agreement_sign(bid_id=bid.pk, actor=second.user, agreement_version=number + offset)

    assert_unchanged(before)


def test_a_draft_agreement_cannot_be_signed_before_it_is_sent(trio):
    lead, second, _third = trio
    bid = team_bid(lead, second)
    number = terms.current_agreement(bid).number
    before = snapshot()

    with pytest.raises(rules.BidConflict):
        terms.agreement_sign(bid_id=bid.pk, actor=second.user, agreement_version=number)

    assert_unchanged(before)


def test_signing_twice_answers_the_first_signature(trio):
    lead, second, third = trio
    bid = sent_bid(lead, second, third)
    number = terms.current_agreement(bid).number
    first = terms.agreement_sign(bid_id=bid.pk, actor=second.user, agreement_version=number)
    before = snapshot()

    again = terms.agreement_sign(bid_id=bid.pk, actor=second.user, agreement_version=number)

    assert again.pk == first.pk
    assert_unchanged(before)


def test_the_last_signature_puts_the_version_in_force_and_signs_the_bid(trio):
    lead, second, third = trio
    bid = sent_bid(lead, second, third)
    agreement = terms.current_agreement(bid)
    sign_all(bid, lead, second)
    agreement.refresh_from_db()
    assert agreement.in_force_at is None and fresh(bid).status == B.AGREEMENT_OUT

    sign_all(bid, third)

    agreement.refresh_from_db()
    assert agreement.in_force_at is not None and agreement.voided_at is None
    assert fresh(bid).status == B.SIGNED
    assert set(agreement.signatures.values_list("consultant_id", flat=True)) == {
        lead.pk, second.pk, third.pk
    }  # fmt: skip
    in_force = BidEvent.objects.get(bid=bid, action="in_force")
    assert (in_force.from_status, in_force.to_status) == (B.AGREEMENT_OUT, B.SIGNED)
    assert in_force.data == {"agreement": agreement.number}
    # A signature on the signed bid answers the one already there.
    assert (
        terms.agreement_sign(
            bid_id=bid.pk, actor=lead.user, agreement_version=agreement.number
        ).version_id
        == agreement.pk
    )


def test_a_change_between_signatures_voids_them_and_keeps_them_on_the_old_version(trio):
    lead, second, third = trio
    bid = sent_bid(lead, second, third)
    old = terms.current_agreement(bid)
    sign_all(bid, lead, second)

    terms.bid_terms_change(bid_id=bid.pk, actor=lead.user, alliance_share_percent="5")

    old.refresh_from_db()
    new = terms.current_agreement(bid)
    assert old.voided_at is not None and old.in_force_at is None
    assert old.signatures.count() == 2 and new.signatures.count() == 0
    assert fresh(bid).status == B.AGREEMENT_OUT
    with pytest.raises(rules.BidConflict):
        terms.agreement_sign(bid_id=bid.pk, actor=third.user, agreement_version=old.number)
    sign_all(bid, third, lead)
    assert (
        fresh(bid).status == B.AGREEMENT_OUT
    )  # second's signature on the old one no longer counts
    sign_all(bid, second)
    assert fresh(bid).status == B.SIGNED
    new.refresh_from_db()
    assert new.in_force_at is not None


def test_removing_the_last_unsigned_member_puts_the_remaining_signatures_to_a_new_version(trio):
    """Removing a member writes a version nobody signed yet: the others sign again."""
    lead, second, third = trio
    bid = sent_bid(lead, second, third)
    sign_all(bid, lead, second)

    team.bid_member_remove(bid_id=bid.pk, actor=lead.user, consultant_id=third.pk)

    assert fresh(bid).status == B.AGREEMENT_OUT
    assert terms.current_agreement(bid).signatures.count() == 0


def test_a_team_of_the_lead_alone_never_comes_into_force(trio):
    lead, second, _third = trio
    bid = sent_bid(lead, second)
    team.bid_member_remove(bid_id=bid.pk, actor=lead.user, consultant_id=second.pk)

    number = terms.current_agreement(bid).number
    try:
        terms.agreement_sign(bid_id=bid.pk, actor=lead.user, agreement_version=number)
    except (rules.BidConflict, ValidationError):
        pass  # refusing the signature is one way to keep the rule

    assert fresh(bid).status != B.SIGNED
    assert not AgreementVersion.objects.filter(bid=bid, in_force_at__isnull=False).exists()
