"""The bid workspace's sections that take more than a few lines to read (``intake.bids.workspace``
calls them): building the team (the lead's forms, proposed teams, volunteers), the hours, the
settlement, and the history's rows.

Each fills the ``Workspace`` it is given with what its section shows and the forms of the actions
the reader may take there.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from intake.bids import access as bid_access
from intake.bids import forms, rules, settlement, work
from intake.bids.models import Bid, BidInterest, BidMember, Settlement
from intake.bids.selectors import bid_team, proposed_teams
from network.text import fold

B = Bid.Status
M = BidMember.Status

# Hours entries shown on a page of the hours section, newest first.
HOURS_PAGE_SIZE = 50
# Where the statement's CSV is served (the bid API); the page only links to it.
STATEMENT_CSV_PATH = "/api/v1/bids/{pk}/statement/csv/"
EVENT_LABELS = {
    "created": _("Started the bid"),
    "volunteered": _("Volunteered to join"),
    "invited": _("Invited a member"),
    "joined": _("Joined the team"),
    "declined": _("Declined the invitation"),
    "member_changed": _("Changed a member's role or hours"),
    "removed": _("Took a member off the team"),
    "invitation_closed": _("Closed an unanswered invitation: the agreement came into force"),
    "terms_changed": _("Changed the terms"),
    "sent": _("Sent the agreement for signature"),
    "signed": _("Signed the agreement"),
    "in_force": _("The agreement came into force"),
    "withdrawn": _("Withdrew the bid"),
    "submit_bid": _("Submitted the bid to the client"),
    "win_bid": _("Recorded the bid as won"),
    "lose_bid": _("Recorded the bid as lost"),
    "close": _("The request was closed"),
    "started": _("Started the work"),
    "hours_logged": _("Logged hours"),
    "hours_removed": _("Took back hours"),
    "settlement_proposed": _("Proposed the statement for the team's approval"),
    "statement_approved": _("Approved the statement"),
    "statement_approved_on_behalf": _(
        "Approved the statement on behalf of a member who no longer works"
    ),
    "statement_disputed": _("Disputed the statement: the hours reopened"),
    "settled": _("Every member approved: the statement is final and the bid settled"),
}


@dataclass
class HoursTotal:
    name: str
    planned: Decimal
    logged: Decimal

    @property
    def difference(self) -> Decimal:
        return self.logged - self.planned


@dataclass
class OnBehalf:
    """An approval a coordinator recorded for a member who no longer works, as the page says it."""

    by: str
    member: str
    reason: str
    at: datetime.datetime


# --- The history ------------------------------------------------------------------------------


def actor_name(user) -> str:
    if user is None:
        return "Switchboard"
    consultant = getattr(user, "consultant", None)
    return consultant.display_name if consultant else user.get_username()


def _event_kind(event) -> str:
    """The log's name for an event: an approval a coordinator recorded for a member has its own."""
    if event.action == "statement_approved" and event.data.get("on_behalf"):
        return "statement_approved_on_behalf"
    return event.action


def event_row(event, seats: list[BidMember]) -> dict:
    """One event as the history and the "Latest activity" line say it; ``seats``: every seat of
    the bid, to name the member an event is about."""
    subject = event.data.get("consultant")
    return {
        "label": EVENT_LABELS.get(_event_kind(event), event.action.replace("_", " ").capitalize()),
        "actor": actor_name(event.actor) if event.actor_id else "Switchboard",
        "subject": next(
            (seat.consultant.display_name for seat in seats if seat.consultant_id == subject), ""
        ),
        "note": event.note,
        "at": event.created_at,
        "to_status": B(event.to_status).label if event.to_status else "",
    }


# --- Building the team ------------------------------------------------------------------------


def invite_candidates(skill_text: str, taken: set[int]):
    members = forms.working_members().exclude(pk__in=taken)
    skill_text = skill_text.strip()
    if skill_text:
        members = members.filter(
            Q(skills__skill__name__icontains=skill_text)
            | Q(skills__skill__aliases__folded__contains=fold(skill_text))
        ).distinct()
    return members.order_by("display_name", "pk")


def team_building(page, request, members: list[BidMember], team, forms_by_action) -> None:
    """The lead's (or a coordinator's) forms while the terms are open: each member's role and
    hours, inviting a member (the list filtered by ``?skill=``), the proposed teams and the
    volunteers."""
    bid, user = page.bid, request.user
    active = [member for member in members if member.status in (M.INVITED, M.ACCEPTED)]
    taken = {member.consultant_id for member in active}
    for item in page.seats:
        if item.member.status not in (M.INVITED, M.ACCEPTED):
            continue
        consultant_id = item.member.consultant_id
        auto = f"member{consultant_id}_%s"
        item.change_form = forms.MemberChangeForm(
            bid=bid,
            auto_id=auto,
            initial={
                "consultant": consultant_id,
                "role": item.member.role,
                "estimated_hours": item.member.estimated_hours,
            },
        )
        if page.me is not None and consultant_id == page.me.pk:
            item.change_form.fields["role"].help_text = _("What you do on the team.")
        elif consultant_id == bid.lead_id:
            item.change_form.fields["role"].help_text = _("What the lead does on the team.")
        if consultant_id != bid.lead_id:
            item.remove_form = forms.MemberRemoveForm(
                bid=bid, auto_id=auto, initial={"consultant": consultant_id}
            )
    page.skill_filter = request.GET.get("skill", "")[:100]
    forms_by_action["invite"] = forms.InviteForm(
        bid=bid, members=invite_candidates(page.skill_filter, taken), auto_id="invite_%s"
    )
    page.teams = proposed_teams(
        bid.request,
        taken,
        reader=user,
        accepted={member.consultant_id for member in team},
        seed=bid_team(bid, members),
    )
    page.interests = [
        interest
        for interest in BidInterest.objects.filter(request=bid.request).select_related("consultant")
        if interest.consultant_id not in taken
    ]


# --- The hours --------------------------------------------------------------------------------


def hours_section(page, request, team: list[BidMember], forms_by_action) -> None:
    """Starting the work (won), logging hours (on the team, no statement out), each member's
    total against the plan in force, and every entry, newest first, ``HOURS_PAGE_SIZE`` a page."""
    bid = page.bid
    page.can_start = page.manages and bid.status == B.WON
    page.hours_open = page.on_team and bid.status == B.IN_PROGRESS and not page.statement_out
    if page.hours_open:
        forms_by_action["hours"] = forms.HoursForm(
            auto_id="hours_%s", window=work.hours_window(bid)
        )
    if bid.status not in (B.IN_PROGRESS, B.SETTLED):
        return
    page.hours = Paginator(
        bid.hours.select_related("consultant").order_by("-date", "-pk"), HOURS_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    in_force = bid.agreement_versions.filter(in_force_at__isnull=False).first()
    planned: dict[int, Decimal] = {}
    if in_force is not None:
        planned = {
            member["consultant"]: Decimal(member["estimated_hours"])
            for member in in_force.terms["members"]
        }
    logged = dict(
        bid.hours.values("consultant")
        .annotate(total=Sum("hours"))
        .values_list("consultant", "total")
    )
    page.hours_totals = [
        HoursTotal(
            member.consultant.display_name,
            planned.get(member.consultant_id, member.estimated_hours),
            Decimal(logged.get(member.consultant_id) or 0).quantize(rules.CENT),
        )
        for member in team
    ]


# --- The settlement ---------------------------------------------------------------------------


def settlement_section(page, user, team: list[BidMember], statement, forms_by_action) -> None:
    """Proposing the statement (the lead or a coordinator, while none is out), the statement with
    who approved it, approving (a last approval asks to confirm: it makes the statement final),
    disputing, approving for a member who no longer works, and the disputed statements."""
    bid = page.bid
    if page.manages and bid.status == B.IN_PROGRESS and not page.statement_out:
        forms_by_action["settle"] = forms.SettleForm(bid=bid, team=team, auto_id="settle_%s")
    if bid.status == B.IN_PROGRESS:
        page.disputes = list(
            bid.settlements.filter(state=Settlement.State.DISPUTED)
            .select_related("disputed_by")
            .order_by("-decided_at", "-pk")
        )
    if statement is None:
        return
    page.settlement = statement
    approvals = list(statement.approvals.select_related("consultant", "recorded_by__consultant"))
    page.approved_ids = {approval.consultant_id for approval in approvals}
    page.on_behalf = [
        OnBehalf(
            by=actor_name(approval.recorded_by),
            member=approval.consultant.display_name,
            reason=approval.on_behalf_reason,
            at=approval.approved_at,
        )
        for approval in approvals
        if approval.on_behalf
    ]
    page.approvals = [
        member.consultant.display_name
        for member in team
        if member.consultant_id in page.approved_ids
    ]
    waiting = [member for member in team if member.consultant_id not in page.approved_ids]
    page.to_approve = [member.consultant.display_name for member in waiting]
    proposed = page.statement_out
    me = page.me
    page.may_approve = proposed and page.on_team and me.pk not in page.approved_ids
    page.final_approval = page.may_approve and [m.consultant_id for m in waiting] == [me.pk]
    page.may_dispute = proposed and page.on_team
    if page.may_approve:
        forms_by_action["approve"] = forms.VersionForm(bid=bid, auto_id="approve_%s")
    if page.may_dispute:
        forms_by_action["dispute"] = forms.DisputeForm(bid=bid, auto_id="dispute_%s")
    if proposed:
        page.away = settlement.members_away(team, page.approved_ids)
    if page.away and bid_access.approves_for_absent_member(user, bid):
        forms_by_action["approve-on-behalf"] = forms.OnBehalfForm(
            bid=bid, away=page.away, auto_id="onbehalf_%s"
        )
    page.statement_csv = STATEMENT_CSV_PATH.format(pk=bid.pk)
