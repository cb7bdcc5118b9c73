"""The workspace's actions: for each POST on ``bids/<pk>/<action>/``, its form, the one service it
calls and the message that says what happened to what ("Invitation sent to …").

The views (``intake.bids.views.bid_action``) parse the form, run the service and redirect back to
the section of the workspace the form lives in (``intake.bids.stages.ACTION_SECTIONS``) with the
message.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.forms import Form
from django.utils import timezone
from django.utils.text import get_text_list

from intake.bids import access as bid_access
from intake.bids import forms, settlement, states, team, terms, work
from intake.bids.models import Bid, BidMember, Settlement
from network.templatetags.money import format_money

B = Bid.Status
# The bid's fields whose change writes a new agreement version.
TERMS = ("price", "alliance_share_percent", "split_mode")


# --- How the messages write things ------------------------------------------------------------


def hours_text(hours: Decimal) -> str:
    """6.50 → "6.5", 8.00 → "8", 10.00 → "10"."""
    return f"{Decimal(hours).normalize():f}"


def day_text(date: datetime.date) -> str:
    """ "3 Dec" this year, "3 Dec 2025" in another."""
    text = f"{date.day} {date:%b}"
    return text if date.year == timezone.localdate().year else f"{text} {date.year}"


def names(seats) -> str:
    return get_text_list([seat.consultant.display_name for seat in seats], "and")


def _current_number(bid: Bid) -> int | None:
    agreement = terms.current_agreement(bid)
    return agreement.number if agreement is not None else None


def _agreement_now(bid: Bid) -> str:
    number = _current_number(bid)
    return f" The agreement is now version {number}." if number else ""


# --- The messages, one per action: (the bid before, what the service returned, the form's data)


def _invited(bid, seat: BidMember, data) -> str:
    return f"Invitation sent to {seat.consultant.display_name}."


def _team_invited(bid, seats: list[BidMember], data) -> str:
    return f"Invitations sent to {names(seats)}."


def _accepted(bid, seat, data) -> str:
    joined = f"You joined the team bidding on {bid.request.reference}."
    if Bid.objects.only("status").get(pk=bid.pk).status == B.AGREEMENT_OUT:
        return f"{joined} Version {_current_number(bid)} of the agreement waits for your signature."
    return joined


def _declined(bid, seat, data) -> str:
    return f"You declined the invitation to the bid on {bid.request.reference}; the lead is told."


def _member_changed(bid, seat: BidMember, data) -> str:
    changed = (
        f"{seat.consultant.display_name}: {seat.role}, {hours_text(seat.estimated_hours)} h "
        "planned."
    )
    if seat.status == BidMember.Status.ACCEPTED:
        return f"Saved {changed}{_agreement_now(bid)}"
    return f"Saved the invitation of {changed}"


def _removed(bid, seat: BidMember, data) -> str:
    return f"{seat.consultant.display_name} is off the team."


def _terms_changed(bid, fresh: Bid, data) -> str:
    if fresh.version == bid.version:
        return "Nothing changed: the terms were already as you sent them."
    if any(getattr(fresh, name) != getattr(bid, name) for name in TERMS):
        return (
            f"Terms saved: the agreement is now version {_current_number(fresh)}, and signatures "
            "on earlier versions no longer count."
        )
    return f"Proposal due date saved: {fresh.due_date.day} {fresh.due_date:%b %Y}."


def _sent(bid, fresh: Bid, data) -> str:
    return (
        f"Agreement version {_current_number(fresh)} sent to the team for signature; "
        "each member is emailed."
    )


def _signed(bid, signature, data) -> str:
    number = data["agreement_version"]
    fresh = Bid.objects.only("status").get(pk=bid.pk)
    if fresh.status == B.SIGNED:
        return (
            f"You signed version {number} of the agreement. Every member has signed: it is in "
            "force."
        )
    return f"You signed version {number} of the agreement."


def _withdrawn(bid, fresh, data) -> str:
    return (
        f"You withdrew the bid on {bid.request.reference}. The request stays open for other bids."
    )


def _submitted(bid, fresh, data) -> str:
    return f"The bid on {bid.request.reference} is submitted to the client."


def _decided(bid, fresh, data) -> str:
    if data["outcome"] == "won":
        return (
            f"Recorded: the client took the bid on {bid.request.reference}. The lead starts the "
            "work when the team begins."
        )
    return f"Recorded: the client turned down the bid on {bid.request.reference}."


def _started(bid, fresh: Bid, data) -> str:
    return (
        f"The work started on {day_text(fresh.work_started_on)}: the team can log hours from today."
    )


def _hours_logged(bid, entry, data) -> str:
    return f"Hours logged: {hours_text(entry.hours)} on {day_text(entry.date)}."


def _hours_taken_back(bid, entry, data) -> str:
    return f"Hours taken back: {hours_text(entry.hours)} on {day_text(entry.date)}."


def _proposed(bid, statement: Settlement, data) -> str:
    return (
        f"Statement proposed: {format_money(statement.pool, bid.currency)} split over "
        f"{hours_text(statement.total_hours)} hours. Every member of the team now approves or "
        "disputes it."
    )


def _approved(bid, approval, data) -> str:
    if Bid.objects.only("status").get(pk=bid.pk).status == B.SETTLED:
        return (
            "You approved the statement. Every member has approved it: it is final and the bid "
            "is settled."
        )
    return "You approved the statement."


def _approved_on_behalf(bid, approval, data) -> str:
    name = approval.consultant.display_name
    return f"You approved the statement on behalf of {name}; they are told by email."


def _disputed(bid, statement, data) -> str:
    return "You disputed the statement: it is withdrawn and the hours are open again."


@dataclass(frozen=True)
class BidAction:
    """One POST on the workspace: its form, the service call, and the message when done."""

    form: Callable[..., Form]
    run: Callable[[Bid, object, dict], object]
    done: Callable[[Bid, object, dict], str]
    auto_id: str = "%s"
    # Who may post it at all, checked before the form: (user, bid) -> bool. The services check
    # every right again; this only makes "you may not" a 403 whatever the form holds.
    may: Callable[[object, Bid], bool] | None = None


ACTIONS: dict[str, BidAction] = {
    "invite": BidAction(
        forms.InviteForm,
        lambda bid, actor, data: team.bid_invite(
            bid_id=bid.pk,
            actor=actor,
            version=data["version"],
            consultant=data["consultant"],
            role=data["role"],
            estimated_hours=data["estimated_hours"],
        ),
        _invited,
        "invite_%s",
    ),
    "invite-team": BidAction(
        forms.InviteTeamForm,
        lambda bid, actor, data: team.bid_invite_team(
            bid_id=bid.pk, actor=actor, version=data["version"], members=data["members"]
        ),
        _team_invited,
    ),
    "accept": BidAction(
        forms.VersionForm,
        lambda bid, actor, data: team.bid_member_respond(
            bid_id=bid.pk, actor=actor, accept=True, version=data["version"]
        ),
        _accepted,
        "accept_%s",
    ),
    "decline": BidAction(
        forms.DeclineForm,
        lambda bid, actor, data: team.bid_member_respond(
            bid_id=bid.pk,
            actor=actor,
            accept=False,
            reason=data["reason"],
            version=data["version"],
        ),
        _declined,
        "decline_%s",
    ),
    "member": BidAction(
        forms.MemberChangeForm,
        lambda bid, actor, data: team.bid_member_change(
            bid_id=bid.pk,
            actor=actor,
            version=data["version"],
            consultant_id=data["consultant"],
            role=data["role"],
            estimated_hours=data["estimated_hours"],
        ),
        _member_changed,
    ),
    "remove": BidAction(
        forms.MemberRemoveForm,
        lambda bid, actor, data: team.bid_member_remove(
            bid_id=bid.pk, actor=actor, version=data["version"], consultant_id=data["consultant"]
        ),
        _removed,
    ),
    "terms": BidAction(
        forms.TermsForm,
        lambda bid, actor, data: terms.bid_terms_change(
            bid_id=bid.pk,
            actor=actor,
            version=data["version"],
            price=data["price"],
            alliance_share_percent=data["alliance_share_percent"],
            split_mode=data["split_mode"],
            due_date=data["due_date"],
        ),
        _terms_changed,
        "terms_%s",
    ),
    "send": BidAction(
        forms.VersionForm,
        lambda bid, actor, data: states.bid_send(
            bid_id=bid.pk, actor=actor, version=data["version"]
        ),
        _sent,
    ),
    "sign": BidAction(
        forms.SignForm,
        lambda bid, actor, data: terms.agreement_sign(
            bid_id=bid.pk, actor=actor, agreement_version=data["agreement_version"]
        ),
        _signed,
    ),
    "withdraw": BidAction(
        forms.NoteForm,
        lambda bid, actor, data: states.bid_withdraw(
            bid_id=bid.pk, actor=actor, version=data["version"], note=data["note"]
        ),
        _withdrawn,
    ),
    "submit": BidAction(
        forms.NoteForm,
        lambda bid, actor, data: states.bid_submit(
            bid_id=bid.pk, actor=actor, version=data["version"], note=data["note"]
        ),
        _submitted,
    ),
    "decide": BidAction(
        forms.DecideForm,
        lambda bid, actor, data: states.bid_decide(
            bid_id=bid.pk,
            actor=actor,
            version=data["version"],
            won=data["outcome"] == "won",
            note=data["note"],
        ),
        _decided,
    ),
    "start-work": BidAction(
        forms.VersionForm,
        lambda bid, actor, data: states.bid_start(
            bid_id=bid.pk, actor=actor, version=data["version"]
        ),
        _started,
    ),
    "hours": BidAction(
        forms.HoursForm,
        lambda bid, actor, data: work.hours_log(
            bid_id=bid.pk, actor=actor, date=data["date"], hours=data["hours"], note=data["note"]
        ),
        _hours_logged,
        "hours_%s",
    ),
    "hours-delete": BidAction(
        forms.HoursDeleteForm,
        lambda bid, actor, data: work.hours_delete(
            bid_id=bid.pk, actor=actor, entry_id=data["entry"]
        ),
        _hours_taken_back,
    ),
    "settle": BidAction(
        forms.SettleForm,
        lambda bid, actor, data: settlement.bid_settle(
            bid_id=bid.pk, actor=actor, version=data["version"], collector=data["collector"]
        ),
        _proposed,
        "settle_%s",
    ),
    "approve": BidAction(
        forms.VersionForm,
        lambda bid, actor, data: settlement.statement_approve(
            bid_id=bid.pk, actor=actor, version=data["version"]
        ),
        _approved,
        "approve_%s",
    ),
    "approve-on-behalf": BidAction(
        forms.OnBehalfForm,
        lambda bid, actor, data: settlement.statement_approve_on_behalf(
            bid_id=bid.pk,
            actor=actor,
            version=data["version"],
            consultant=data["consultant"],
            reason=data["reason"],
        ),
        _approved_on_behalf,
        "onbehalf_%s",
        may=bid_access.approves_for_absent_member,
    ),
    "dispute": BidAction(
        forms.DisputeForm,
        lambda bid, actor, data: settlement.statement_dispute(
            bid_id=bid.pk, actor=actor, version=data["version"], reason=data["reason"]
        ),
        _disputed,
        "dispute_%s",
    ),
}

# What was not done when the bid refused an action (the start of the message after a refusal).
NOT_DONE = {
    "invite": "The invitation was not sent",
    "invite-team": "The team was not invited",
    "accept": "You did not join the team",
    "decline": "Your answer was not recorded",
    "member": "The member's role and hours were not saved",
    "remove": "Nobody was taken off the team",
    "terms": "The terms were not saved",
    "send": "The agreement was not sent",
    "sign": "You did not sign",
    "withdraw": "The bid was not withdrawn",
    "submit": "The bid was not submitted",
    "decide": "The client's answer was not recorded",
    "start-work": "The work was not started",
    "hours": "Your hours were not logged",
    "hours-delete": "The entry was not taken back",
    "settle": "The statement was not proposed",
    "approve": "You did not approve the statement",
    "approve-on-behalf": "The approval was not recorded",
    "dispute": "The statement was not disputed",
}
