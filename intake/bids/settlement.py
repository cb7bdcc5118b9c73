"""The statement that settles a team bid: proposed by the lead, final only when every member on
the team has approved it.

The pool is split by the hours the members logged (``intake.bids.money``), and in an equal-rate
split every hour one member logs is pool the others do not get. So the lead's "settle" only
proposes the statement: the hours are fixed while it is out, every member sees every member's
hours and the computed split, and approves it or disputes it with a reason. A dispute withdraws
the proposal (kept, with the reason) and reopens the hours so they can be corrected; the lead
proposes again. When the last member approves, the statement is final: the bid is settled, the
request completes, and database triggers (migration 0005) keep the statement and its approvals
as they were approved.

A member who stops working (on leave, alumni, former) can no longer open the bid, so a proposal
would wait for their approval forever. A staff coordinator may then record it on their behalf,
saying why (``statement_approve_on_behalf``): the approval, its event and the statement name who
approved for whom and why, and the member is told by email. It is refused while the member
works: they approve, or dispute, themself.

Each service locks as ``intake.bids.rules`` says (request, then bid, when the request moves),
checks the caller's right (403), the bid's version and state (409) and the values (400), writes,
and records one ``BidEvent``; the team is told of each step once the transaction commits.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from intake.bids import access as bid_access
from intake.bids import money, notifications, rules
from intake.bids.models import AgreementVersion, Bid, BidMember, Settlement, StatementApproval
from network import access as network_access
from network.models import Consultant

B = Bid.Status
M = BidMember.Status
S = Settlement.State


def live_statement(bid: Bid) -> Settlement | None:
    """The bid's statement that counts: the one out for approval, or the final one."""
    return bid.settlements.exclude(state=S.DISPUTED).order_by("-created_at", "-pk").first()


def members_away(seats: list[BidMember], approved_ids: set[int]) -> list[Consultant]:
    """The members on the team (``seats``, accepted) who have not approved and no longer work:
    they cannot open the bid, so a staff coordinator may approve for them."""
    return [
        seat.consultant
        for seat in seats
        if seat.consultant_id not in approved_ids and not seat.consultant.can_be_offered_work
    ]


def members_away_from(bid: Bid) -> list[Consultant]:
    """``members_away`` for the statement ``bid`` has out for approval (none without one)."""
    statement = bid.settlements.filter(state=S.PROPOSED).first()
    if statement is None:
        return []
    approved = set(statement.approvals.values_list("consultant_id", flat=True))
    return members_away(rules.team_members(bid), approved)


def _event(bid: Bid, actor, action: str, **fields):
    event = rules.record_event(bid, actor, action, **fields)
    event_id = event.pk
    transaction.on_commit(lambda: notifications.statement_event(event_id), robust=True)
    return event


def _team_member(actor, bid: Bid, refusal: str) -> Consultant:
    """The actor's member record when they are a working member on the bid's team (accepted);
    else 403. A member who stopped working has their approval recorded by a coordinator."""
    consultant = network_access.working_consultant_of(actor)
    if (
        consultant is None
        or not bid.members.filter(consultant=consultant, status=M.ACCEPTED).exists()
    ):
        raise PermissionDenied(refusal)
    return consultant


def _reason(reason, missing: str, limit: int) -> str:
    """The stripped ``reason``; 400 on ``reason`` when it is empty or longer than ``limit``."""
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        raise ValidationError({"reason": missing})
    if len(reason) > limit:
        raise ValidationError({"reason": rules.characters_limit(limit)})
    return reason


def _proposed(bid: Bid) -> Settlement:
    statement = Settlement.objects.select_for_update().filter(bid=bid, state=S.PROPOSED).first()
    if statement is None:
        raise rules.BidConflict(
            _("No statement is waiting for approval: it is final.")
            if bid.status == B.SETTLED
            else _(
                "No statement is waiting for approval: the lead has not proposed one, or it "
                "was disputed."
            ),
            bid=bid,
        )
    return statement


def _split_refusal(error: ValueError) -> str:
    """What a person reads when the hours logged cannot split the pool (``money.settle``)."""
    said = str(error)
    if said.startswith("no hours logged"):
        return _("No hours are logged: log the team's hours first.")
    if said.startswith("rate_weighted"):
        return _(
            "Rate weighted needs at least one member with a standard rate above 0 among those "
            "who logged hours: with every such rate 0 there is nothing to weigh the pool by."
        )
    return said


def statement_lines(bid: Bid, agreement: AgreementVersion, collector_id: int | None):
    """The statement for ``bid`` from the hours logged and the agreement in force."""
    hours_by_member = dict(
        bid.hours.values_list("consultant_id").annotate(total=Sum("hours")).order_by()
    )
    planned = agreement.terms["members"]
    shares = [
        (hours_by_member.get(member["consultant"], Decimal("0")), Decimal(member["standard_rate"]))
        for member in planned
    ]
    try:
        results = money.settle(agreement.pool, shares, agreement.split_mode)
    except ValueError as error:
        raise ValidationError({"hours": _split_refusal(error)}) from None
    ids = [member["consultant"] for member in planned]
    collector_index = ids.index(collector_id) if collector_id in ids else None
    alliance_amount = Decimal(agreement.terms["alliance_amount"])
    transfers = money.transfers_owed(
        collector_index, [payout for payout, _rate in results], alliance_amount
    )
    lines = []
    for member, (hours, _rate), (payout, rate) in zip(planned, shares, results, strict=True):
        lines.append(
            {
                "consultant": member["consultant"],
                "name": member["name"],
                "role": member["role"],
                "standard_rate": member["standard_rate"],
                "planned_hours": member["estimated_hours"],
                "planned_payout": member["planned_payout"],
                "actual_hours": rules.money_text(hours),
                "hours_difference": rules.money_text(hours - Decimal(member["estimated_hours"])),
                "payout": rules.money_text(payout),
                "effective_rate": rules.money_text(rate) if rate is not None else None,
            }
        )
    transfer_rows = [
        {
            "from_consultant": collector_id,
            "from_name": planned[collector_index]["name"],
            "to_consultant": ids[index] if index is not None else None,
            "to_name": planned[index]["name"] if index is not None else "The alliance",
            "amount": rules.money_text(amount),
        }
        for index, amount in transfers
    ]
    total_hours = sum((hours for hours, _rate in shares), Decimal("0"))
    return lines, transfer_rows, total_hours


def _on_team(bid: Bid, consultant, field: str) -> Consultant:
    """The member on the bid's team (accepted) that ``consultant`` (a record or an id) names;
    400 on ``field`` otherwise."""
    if isinstance(consultant, bool):
        raise ValidationError({field: _("Not a valid id.")})
    try:
        consultant_id = int(consultant.pk if isinstance(consultant, Consultant) else consultant)
    except (TypeError, ValueError):
        raise ValidationError({field: _("Not a valid id.")}) from None
    seat = bid.members.filter(consultant_id=consultant_id, status=M.ACCEPTED).first()
    if seat is None:
        message = (
            _("The collector must be a member of the team.")
            if field == "collector"
            else _("The consultant must be a member of the team.")
        )
        raise ValidationError({field: message})
    return seat.consultant


def bid_settle(
    *, bid_id: int, actor, collector=None, version: int | None = None, note: str = ""
) -> Settlement:
    """Propose the statement: the pool split by the hours logged (400 when none are).

    The lead or a staff coordinator. The hours are fixed from now on, and the statement waits
    for every member's approval (``statement_approve``); a dispute withdraws it. ``collector``
    names the member who collected the client's payment, if one did: the statement then lists
    what they owe each other member and the alliance.
    """
    with transaction.atomic():
        bid = rules.lock_bid(bid_id)
        rules.check_version(bid, version)
        rules.require_manager(
            actor, bid, _("Only the bid's lead or a coordinator may settle the bid.")
        )
        rules.require_status(
            bid, (B.IN_PROGRESS,), _("A bid that is %(status)s cannot be settled.")
        )
        if bid.settlements.filter(state=S.PROPOSED).exists():
            raise rules.BidConflict(
                _("A statement is already out for the team's approval."), bid=bid
            )
        agreement = bid.agreement_versions.filter(in_force_at__isnull=False).get()
        collector_id = None
        if collector not in (None, ""):
            collector_id = _on_team(bid, collector, "collector").pk
        if not bid.hours.exists():
            raise ValidationError({"hours": _("No hours are logged: log the team's hours first.")})
        lines, transfers, total_hours = statement_lines(bid, agreement, collector_id)
        statement = Settlement(
            bid=bid,
            agreement=agreement,
            pool=agreement.pool,
            total_hours=total_hours,
            lines=lines,
            transfers=transfers,
            collector_id=collector_id,
            settled_by=actor,
        )
        statement.full_clean(
            exclude=["bid", "agreement", "collector", "settled_by"], validate_constraints=False
        )
        statement.save()
        # A new version: an approval sent for an earlier proposal (or none) is stale.
        rules.save_bid(bid)
        _event(bid, actor, "settlement_proposed", note=(note or "").strip(),
               settlement=statement.pk, pool=rules.money_text(statement.pool),
               total_hours=rules.money_text(total_hours))  # fmt: skip
    return statement


def statement_approve(*, bid_id: int, actor, version: int | None = None) -> StatementApproval:
    """A member on the team approves the statement out for approval (again answers the first).

    When the last member on the team approves, the statement is final: the bid is settled and
    its request completes, in this transaction.
    """
    with transaction.atomic():
        # Request before bid: the last approval moves the request (intake.bids.rules' lock
        # order).
        bid = rules.lock_for_request_move(bid_id)
        consultant = _team_member(
            actor, bid, _("Only working members on the bid's team approve its statement.")
        )
        rules.check_version(bid, version)
        statement = _proposed(bid)
        existing = statement.approvals.filter(consultant=consultant).first()
        if existing is not None:
            return existing
        return _record_approval(bid, statement, actor, StatementApproval(consultant=consultant))


def statement_approve_on_behalf(
    *, bid_id: int, actor, consultant, reason: str, version: int | None = None
) -> StatementApproval:
    """A staff coordinator records the approval of a team member who is no longer a working
    member (on leave, alumni, former), who can no longer open the bid to approve it.

    ``reason`` (required) says why: for example that the member confirmed their figures before
    leaving. The approval names the coordinator and the reason, so does its event, and the
    member is emailed. Refused (409) while the member works: they approve, or dispute,
    themself; and (403) for anyone but a staff coordinator, or for the coordinator's own seat.
    Recording it again answers the first approval. When it is the last approval, the
    statement is final, as with any other.
    """
    with transaction.atomic():
        # Request before bid: the last approval moves the request (intake.bids.rules' lock
        # order).
        bid = rules.lock_for_request_move(bid_id)
        if not bid_access.approves_for_absent_member(actor, bid):
            raise PermissionDenied(
                _("Only a staff coordinator records an approval on a member's behalf.")
            )
        reason = _reason(
            reason,
            _("Say why you approve for them: the team and the member read it."),
            rules.ON_BEHALF_REASON_MAX,
        )
        rules.check_version(bid, version)
        statement = _proposed(bid)
        absent = _on_team(bid, consultant, "consultant")
        if absent.user_id == actor.pk:
            raise PermissionDenied(_("Nobody approves a statement on their own behalf."))
        existing = statement.approvals.filter(consultant=absent).first()
        if existing is not None:
            return existing
        # The member's row locked: a status change that would let them approve themself waits
        # for this approval, or this one sees it.
        absent = Consultant.objects.select_for_update().get(pk=absent.pk)
        if absent.can_be_offered_work:
            raise rules.BidConflict(
                _("%(member)s is a working member: they approve or dispute the statement themself.")
                % {"member": absent},
                bid=bid,
            )
        approval = StatementApproval(consultant=absent, recorded_by=actor, on_behalf_reason=reason)
        return _record_approval(bid, statement, actor, approval)


def _record_approval(
    bid: Bid, statement: Settlement, actor, approval: StatementApproval
) -> StatementApproval:
    """Save ``approval`` of ``statement``, write its event, and make the statement final when
    every member on the team has now approved it."""
    approval.settlement = statement
    approval.full_clean(
        exclude=["settlement", "consultant", "recorded_by"], validate_constraints=False
    )
    approval.save()
    team_ids = set(bid.members.filter(status=M.ACCEPTED).values_list("consultant_id", flat=True))
    approved_ids = set(statement.approvals.values_list("consultant_id", flat=True))
    last = team_ids <= approved_ids
    # On a member's behalf: the event's actor is the coordinator, its note their reason.
    _event(bid, actor, "statement_approved", note=approval.on_behalf_reason,
           consultant=approval.consultant_id, settlement=statement.pk, last=last,
           on_behalf=True if approval.on_behalf else None)  # fmt: skip
    if last:
        _make_final(bid, statement, actor)
    return approval


def _make_final(bid: Bid, statement: Settlement, actor) -> None:
    now = timezone.now()
    statement.state, statement.decided_at = S.FINAL, now
    statement.save(update_fields=["state", "decided_at"])
    from_status = bid.status
    bid.status, bid.settled_at, bid.collector_id = B.SETTLED, now, statement.collector_id
    rules.save_bid(bid, "status", "settled_at", "collector")
    _event(bid, actor, "settled", from_status=from_status, settlement=statement.pk)
    # The request is done too: its engagements end and the members' hours are free again. The
    # move is made in the name of whoever completed the statement: the last approver (a
    # working member of the team, or the coordinator recording an absent member's approval),
    # whom bid_access.settles_bid admits. The proposer and the lead may have stopped working since.
    rules.request_move(bid, "settle_bid", actor, "Every member of the team approved it.")


def statement_dispute(*, bid_id: int, actor, reason: str, version: int | None = None) -> Settlement:
    """A member on the team disputes the statement out for approval, saying what is wrong.

    The proposal is withdrawn (kept, disputed, with the reason) and the hours reopen so they
    can be corrected; the lead then proposes a new statement.
    """
    reason = _reason(
        reason, _("Say what is wrong with the statement, so the team can correct it."),
        rules.DISPUTE_REASON_MAX,
    )  # fmt: skip
    with transaction.atomic():
        bid = rules.lock_bid(bid_id)
        consultant = _team_member(
            actor, bid, _("Only working members on the bid's team dispute its statement.")
        )
        rules.check_version(bid, version)
        statement = _proposed(bid)
        statement.state, statement.decided_at = S.DISPUTED, timezone.now()
        statement.disputed_by, statement.dispute_reason = consultant, reason
        statement.save(update_fields=["state", "decided_at", "disputed_by", "dispute_reason"])
        rules.save_bid(bid)
        _event(bid, actor, "statement_disputed", note=reason, consultant=consultant.pk,
               settlement=statement.pk)  # fmt: skip
    return statement
