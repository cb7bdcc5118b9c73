"""Emails to a bid's team about its statement: proposed, approved, disputed, final.

Sent as the other bid notices are (``intake.notifications``): once the step's transaction has
committed, one ``Notification`` row per member, each delivered by the task queue. A member's
money is at stake at every step, so every step tells the whole team, except the member who took
it; the final statement goes to everyone. An approval a coordinator recorded on behalf of a member
who no longer works tells the team who approved for whom and why, and tells that member in a
notice of their own (they can no longer open the bid, so it carries their figures).
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from intake import notifications
from intake.bids import money
from intake.bids.models import BidEvent, BidMember, Settlement
from intake.models import Notification


class StatementKind:
    """The notification kinds of a statement (the row's ``kind``)."""

    TO_APPROVE = "statement_to_approve"  # the team: read the statement, approve or dispute it
    APPROVED = "statement_approved"  # the team: a member approved; who is still to approve
    DISPUTED = "statement_disputed"  # the team: a member disputed it; the hours reopen
    FINAL = "statement_final"  # the team: every member approved; the bid is settled
    # the member a coordinator approved for: who, why, and their figures
    APPROVED_FOR_YOU = "statement_approved_for_you"


SUBJECTS = {
    StatementKind.TO_APPROVE: gettext_lazy(
        "Please approve or dispute the statement for %(reference)s"
    ),
    StatementKind.APPROVED: gettext_lazy("%(member)s approved the statement for %(reference)s"),
    StatementKind.DISPUTED: gettext_lazy("%(member)s disputed the statement for %(reference)s"),
    StatementKind.FINAL: gettext_lazy(
        "The statement for %(reference)s is final: every member approved it"
    ),
    StatementKind.APPROVED_FOR_YOU: gettext_lazy(
        "%(member)s approved the statement for %(reference)s on your behalf"
    ),
}

_KIND_OF_ACTION = {
    "settlement_proposed": StatementKind.TO_APPROVE,
    "statement_approved": StatementKind.APPROVED,
    "statement_disputed": StatementKind.DISPUTED,
    "settled": StatementKind.FINAL,
}


def _compose(kind: str, recipient, context: dict) -> Notification:
    """One message for ``recipient``, in their language (subject and both bodies)."""
    language = getattr(recipient, "language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        return _compose_in_language(kind, recipient, context)


def _compose_in_language(kind: str, recipient, context: dict) -> Notification:
    context = {**context, "kind": kind, "recipient_name": recipient.name,
               "site_url": settings.SITE_URL}  # fmt: skip
    fields = context["subject"]
    subject = SUBJECTS[kind] % {**fields, "member": fields["member"] or _("A member")}
    return Notification(
        kind=kind,
        request=context["request"],
        recipient_email=recipient.email,
        recipient_user_id=recipient.user_id,
        subject=notifications.one_line(subject)[:200],
        body_text=render_to_string(f"intake/email/{kind}.txt", context),
        body_html=render_to_string(f"intake/email/{kind}.html", context),
    )


def statement_event(event_id: int) -> list[int]:
    """Tell the team of one step of its statement; returns the notifications stored."""
    event = BidEvent.objects.select_related("bid__request", "actor__consultant").get(pk=event_id)
    kind = _KIND_OF_ACTION.get(event.action)
    statement = Settlement.objects.filter(pk=event.data.get("settlement")).first()
    if kind is None or statement is None:
        return []
    # Approved by a coordinator for a member who no longer works: that member's own notice.
    absent_id = event.data.get("consultant") if event.data.get("on_behalf") else None
    bid = event.bid
    seats = list(
        BidMember.objects.select_related("consultant__user")
        .filter(bid=bid, status=BidMember.Status.ACCEPTED)
        .order_by("invited_at", "pk")
    )
    approvals = list(statement.approvals.select_related("consultant", "recorded_by__consultant"))
    approved = {approval.consultant_id for approval in approvals}
    actor_name = notifications.person_name(event.actor)
    names = {seat.consultant_id: seat.consultant.display_name for seat in seats}
    context = {
        "bid": bid,
        "request": bid.request,
        "event": event,
        "statement": statement,
        "actor_name": actor_name,
        "on_behalf_of": names.get(absent_id, "") if absent_id else "",
        "on_behalf": [
            {
                "by": notifications.person_name(approval.recorded_by),
                "member": approval.consultant.display_name,
                "reason": approval.on_behalf_reason,
            }
            for approval in approvals
            if approval.on_behalf
        ],  # fmt: skip
        "to_approve": [
            seat.consultant.display_name for seat in seats if seat.consultant_id not in approved
        ],  # fmt: skip
        "bid_url": bid_page_url(bid),
        "subject": {"reference": bid.request.reference, "member": actor_name},
    }
    composed, seen = [], set()
    for seat in seats:
        seat_kind = kind
        if seat.consultant_id == absent_id:
            seat_kind = StatementKind.APPROVED_FOR_YOU
        elif kind == StatementKind.APPROVED and event.data.get("last"):
            continue  # the final notice says it
        elif kind != StatementKind.FINAL and seat.consultant.user_id == event.actor_id:
            continue
        for recipient in notifications.consultant_recipient(seat.consultant):
            address = recipient.email.strip().lower()
            if address in seen:
                continue
            seen.add(address)
            line = next(
                (line for line in statement.lines if line["consultant"] == seat.consultant_id),
                None,
            )
            composed.append(_compose(seat_kind, recipient, {**context, "line": line}))
    return notifications.store(composed)


# --- Team bids ------------------------------------------------------------------------------
# Bid events that change the agreement while it is out for signature ask the team to sign again;
# an invitation tells the invited member; the last signature tells the team it is in force.

_AGREEMENT_CHANGES = {"sent", "joined", "member_changed", "removed", "terms_changed"}


def bid_page_url(bid) -> str:
    return settings.SITE_URL + reverse("bid-workspace", args=[bid.pk])


def bid_event(event_id: int) -> list[int]:
    """Tell the people a bid event concerns; most events concern only the page's readers."""

    event = BidEvent.objects.select_related("bid__request", "actor__consultant").get(pk=event_id)
    bid = event.bid
    request = notifications.request_for_notice(bid.request_id)
    context = {"bid": bid, "event": event, "actor_name": notifications.person_name(event.actor),
               "bid_url": bid_page_url(bid)}  # fmt: skip
    if event.action == "invited":
        seat = (
            BidMember.objects.select_related("consultant__user")
            .filter(bid=bid, consultant_id=event.data.get("consultant"))
            .first()
        )
        if seat is None or seat.status != BidMember.Status.INVITED:
            return []
        context |= {"seat": seat, "subject": notifications.subject_fields(request)}
        return notifications.store(
            notifications.notify(
                notifications.Kind.BID_INVITATION,
                request,
                notifications.consultant_recipient(seat.consultant),
                context,
            )
        )
    agreement = bid.agreement_versions.filter(voided_at__isnull=True).order_by("-number").first()
    if agreement is None:
        return []
    if event.action == "in_force":
        kind = notifications.Kind.AGREEMENT_IN_FORCE
    elif (
        event.action in _AGREEMENT_CHANGES
        and event.data.get("agreement") == agreement.number
        and bid.status == bid.Status.AGREEMENT_OUT
    ):
        # Only a change that wrote a new version asks the team to sign again ("sent" carries
        # the version it sends); a due date or an invitation's hours change nothing to sign.
        kind = notifications.Kind.AGREEMENT_TO_SIGN
    else:
        return []
    seats = BidMember.objects.select_related("consultant__user").filter(
        bid=bid, status=BidMember.Status.ACCEPTED
    )
    actor_id = event.actor_id
    recipients = [
        recipient
        for seat in seats
        if seat.consultant.user_id != actor_id or kind == notifications.Kind.AGREEMENT_IN_FORCE
        for recipient in notifications.consultant_recipient(seat.consultant)
    ]
    subject = notifications.subject_fields(request, number=agreement.number)
    context |= {"agreement": agreement, "subject": subject}
    if kind == notifications.Kind.AGREEMENT_TO_SIGN:
        context["below_cost"] = money.below_cost_of_terms(agreement.terms)
    return notifications.store(notifications.notify(kind, request, recipients, context))
