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
from django.utils import dateformat, timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
    same_year = date.year == timezone.localdate().year
    return dateformat.format(date, "j M" if same_year else "j M Y")


def names(seats) -> str:
    return get_text_list([seat.consultant.display_name for seat in seats], _("and"))


def _current_number(bid: Bid) -> int | None:
    agreement = terms.current_agreement(bid)
    return agreement.number if agreement is not None else None


def _agreement_now(bid: Bid) -> str:
    number = _current_number(bid)
    return (
        " " + _("The agreement is now version %(number)s.") % {"number": number} if number else ""
    )


# --- The messages, one per action: (the bid before, what the service returned, the form's data)


def _invited(bid, seat: BidMember, data) -> str:
    return _("Invitation sent to %(name)s.") % {"name": seat.consultant.display_name}


def _team_invited(bid, seats: list[BidMember], data) -> str:
    return _("Invitations sent to %(names)s.") % {"names": names(seats)}


def _accepted(bid, seat, data) -> str:
    reference = bid.request.reference
    if Bid.objects.only("status").get(pk=bid.pk).status == B.AGREEMENT_OUT:
        return _(
            "You joined the team bidding on %(reference)s. Version %(number)s of the agreement "
            "waits for your signature."
        ) % {"reference": reference, "number": _current_number(bid)}
    return _("You joined the team bidding on %(reference)s.") % {"reference": reference}


def _declined(bid, seat, data) -> str:
    return _("You declined the invitation to the bid on %(reference)s; the lead is told.") % {
        "reference": bid.request.reference
    }


def _member_changed(bid, seat: BidMember, data) -> str:
    figures = {
        "name": seat.consultant.display_name,
        "role": seat.role,
        "hours": hours_text(seat.estimated_hours),
    }
    if seat.status == BidMember.Status.ACCEPTED:
        saved = _("Saved %(name)s: %(role)s, %(hours)s h planned.") % figures
        return saved + _agreement_now(bid)
    return _("Saved the invitation of %(name)s: %(role)s, %(hours)s h planned.") % figures


def _removed(bid, seat: BidMember, data) -> str:
    return _("%(name)s is off the team.") % {"name": seat.consultant.display_name}


def _terms_changed(bid, fresh: Bid, data) -> str:
    if fresh.version == bid.version:
        return _("Nothing changed: the terms were already as you sent them.")
    if any(getattr(fresh, name) != getattr(bid, name) for name in TERMS):
        return _(
            "Terms saved: the agreement is now version %(number)s, and signatures on earlier "
            "versions no longer count."
        ) % {"number": _current_number(fresh)}
    return _("Proposal due date saved: %(date)s.") % {
        "date": dateformat.format(fresh.due_date, "j M Y")
    }


def _sent(bid, fresh: Bid, data) -> str:
    return _(
        "Agreement version %(number)s sent to the team for signature; each member is emailed."
    ) % {"number": _current_number(fresh)}


def _signed(bid, signature, data) -> str:
    number = data["agreement_version"]
    fresh = Bid.objects.only("status").get(pk=bid.pk)
    if fresh.status == B.SIGNED:
        return _(
            "You signed version %(number)s of the agreement. Every member has signed: it is in "
            "force."
        ) % {"number": number}
    return _("You signed version %(number)s of the agreement.") % {"number": number}


def _withdrawn(bid, fresh, data) -> str:
    return _("You withdrew the bid on %(reference)s. The request stays open for other bids.") % {
        "reference": bid.request.reference
    }


def _submitted(bid, fresh, data) -> str:
    return _("The bid on %(reference)s is submitted to the client.") % {
        "reference": bid.request.reference
    }


def _decided(bid, fresh, data) -> str:
    if data["outcome"] == "won":
        return _(
            "Recorded: the client took the bid on %(reference)s. The lead starts the work when "
            "the team begins."
        ) % {"reference": bid.request.reference}
    return _("Recorded: the client turned down the bid on %(reference)s.") % {
        "reference": bid.request.reference
    }


def _started(bid, fresh: Bid, data) -> str:
    return _("The work started on %(day)s: the team can log hours from today.") % {
        "day": day_text(fresh.work_started_on)
    }


def _hours_logged(bid, entry, data) -> str:
    return _("Hours logged: %(hours)s on %(day)s.") % {
        "hours": hours_text(entry.hours),
        "day": day_text(entry.date),
    }


def _hours_taken_back(bid, entry, data) -> str:
    return _("Hours taken back: %(hours)s on %(day)s.") % {
        "hours": hours_text(entry.hours),
        "day": day_text(entry.date),
    }


def _proposed(bid, statement: Settlement, data) -> str:
    return _(
        "Statement proposed: %(pool)s split over %(hours)s hours. Every member of the team now "
        "approves or disputes it."
    ) % {
        "pool": format_money(statement.pool, bid.currency),
        "hours": hours_text(statement.total_hours),
    }


def _approved(bid, approval, data) -> str:
    if Bid.objects.only("status").get(pk=bid.pk).status == B.SETTLED:
        return _(
            "You approved the statement. Every member has approved it: it is final and the bid "
            "is settled."
        )
    return _("You approved the statement.")


def _approved_on_behalf(bid, approval, data) -> str:
    name = approval.consultant.display_name
    return _("You approved the statement on behalf of %(name)s; they are told by email.") % {
        "name": name
    }


def _disputed(bid, statement, data) -> str:
    return _("You disputed the statement: it is withdrawn and the hours are open again.")


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
    "invite": gettext_lazy("The invitation was not sent"),
    "invite-team": gettext_lazy("The team was not invited"),
    "accept": gettext_lazy("You did not join the team"),
    "decline": gettext_lazy("Your answer was not recorded"),
    "member": gettext_lazy("The member's role and hours were not saved"),
    "remove": gettext_lazy("Nobody was taken off the team"),
    "terms": gettext_lazy("The terms were not saved"),
    "send": gettext_lazy("The agreement was not sent"),
    "sign": gettext_lazy("You did not sign"),
    "withdraw": gettext_lazy("The bid was not withdrawn"),
    "submit": gettext_lazy("The bid was not submitted"),
    "decide": gettext_lazy("The client's answer was not recorded"),
    "start-work": gettext_lazy("The work was not started"),
    "hours": gettext_lazy("Your hours were not logged"),
    "hours-delete": gettext_lazy("The entry was not taken back"),
    "settle": gettext_lazy("The statement was not proposed"),
    "approve": gettext_lazy("You did not approve the statement"),
    "approve-on-behalf": gettext_lazy("The approval was not recorded"),
    "dispute": gettext_lazy("The statement was not disputed"),
}
