"""The bid workspace as one user sees it: the team and who signed, the agreement and its
versions, the log, the proposed teams, the hours, the statement, and the forms of the actions
that user may take (``build_workspace``).

Who sees money follows ``bid_access.sees_bid_money``: the team and staff coordinators; other
members see a bid's team and status only.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.forms import Form

from intake.bids import access as bid_access
from intake.bids import forms, settlement, terms, work
from intake.bids.models import AgreementVersion, Bid, BidInterest, BidMember, Settlement
from intake.bids.selectors import (
    ProposedTeam,
    SkillCoverage,
    bid_team,
    proposed_teams,
    skill_coverage,
)
from network import access as network_access
from network.models import Consultant
from network.text import fold

B = Bid.Status
M = BidMember.Status

# Where the statement's CSV is served (the bid API); the page only links to it.
STATEMENT_CSV_PATH = "/api/v1/bids/{pk}/statement/csv/"
EVENT_LABELS = {
    "created": "Started the bid",
    "volunteered": "Volunteered to join",
    "invited": "Invited a member",
    "joined": "Joined the team",
    "declined": "Declined the invitation",
    "member_changed": "Changed a member's role or hours",
    "removed": "Took a member off the team",
    "terms_changed": "Changed the terms",
    "sent": "Sent the agreement for signature",
    "signed": "Signed the agreement",
    "in_force": "The agreement came into force",
    "withdrawn": "Withdrew the bid",
    "submit_bid": "Submitted the bid to the client",
    "win_bid": "Recorded the bid as won",
    "lose_bid": "Recorded the bid as lost",
    "close": "The request was closed",
    "started": "Started the work",
    "hours_logged": "Logged hours",
    "hours_removed": "Took back hours",
    "settlement_proposed": "Proposed the statement for the team's approval",
    "statement_approved": "Approved the statement",
    "statement_approved_on_behalf": "Approved the statement on behalf of a member who no longer "
    "works",
    "statement_disputed": "Disputed the statement: the hours reopened",
    "settled": "Every member approved: the statement is final and the bid settled",
}


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


@dataclass
class Seat:
    member: BidMember
    change_form: Form | None = None
    remove_form: Form | None = None
    signed: bool = False
    rate_shown: bool = False


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


@dataclass
class Workspace:
    """What the workspace shows to one user, and which forms they get."""

    bid: Bid
    manages: bool
    money: bool
    seat: BidMember | None
    seats: list[Seat]
    coverage: list[SkillCoverage]
    action_forms: dict[str, Form] = field(default_factory=dict)
    agreement: AgreementVersion | None = None
    signed_count: int = 0
    team_size: int = 0
    may_sign: bool = False
    uncovered: list[str] = field(default_factory=list)
    unsigned: list[str] = field(default_factory=list)
    versions: list[AgreementVersion] = field(default_factory=list)
    teams: list[ProposedTeam] = field(default_factory=list)
    interests: list[BidInterest] = field(default_factory=list)
    skill_filter: str = ""
    events: list = field(default_factory=list)
    hours: list = field(default_factory=list)
    hours_totals: list[HoursTotal] = field(default_factory=list)
    settlement: Settlement | None = None
    approved_ids: set[int] = field(default_factory=set)
    approvals: list[str] = field(default_factory=list)
    to_approve: list[str] = field(default_factory=list)
    # Approvals a coordinator recorded for a member who no longer works: who, for whom, why.
    on_behalf: list[OnBehalf] = field(default_factory=list)
    # Team members who no longer work and have not approved: they cannot open the bid.
    away: list[Consultant] = field(default_factory=list)
    on_behalf_form: Form | None = None
    may_approve: bool = False
    may_dispute: bool = False
    disputes: list[Settlement] = field(default_factory=list)
    statement_csv: str = ""
    me: Consultant | None = None
    hours_open: bool = False  # members log and take back hours (no statement out)

    @property
    def on_team(self) -> bool:
        return self.seat is not None and self.seat.status == M.ACCEPTED

    @property
    def invited(self) -> bool:
        """Invited and still able to answer: the terms are open."""
        return self.seat is not None and self.seat.status == M.INVITED and self.bid.terms_open


def _invite_candidates(skill_text: str, taken: set[int]):
    members = forms.working_members().exclude(pk__in=taken)
    skill_text = skill_text.strip()
    if skill_text:
        members = members.filter(
            Q(skills__skill__name__icontains=skill_text)
            | Q(skills__skill__aliases__folded__contains=fold(skill_text))
        ).distinct()
    return members.order_by("display_name", "pk")


def build_workspace(request, bid: Bid, *, failed: tuple[str, Form] | None = None):
    """The workspace for ``request.user``. Reads are bounded: see the query-count test."""
    user = request.user
    me = network_access.consultant_of(user)
    seat = bid_access.bid_seat(user, bid)
    manages = bid_access.manages_bid(user, bid)
    money = bid_access.sees_bid_money(user, bid)
    members = [
        member
        for member in bid.members.select_related("consultant").order_by("invited_at", "pk")
        if member.status != M.REMOVED
    ]
    members.sort(key=lambda member: member.consultant_id != bid.lead_id)
    active = [member for member in members if member.status in (M.INVITED, M.ACCEPTED)]
    team = [member for member in members if member.status == M.ACCEPTED]
    taken = {member.consultant_id for member in active}
    page = Workspace(
        bid=bid,
        manages=manages,
        money=money,
        seat=seat,
        seats=[
            Seat(
                member,
                rate_shown=bid_access.sees_bid_rate(
                    user, member.consultant, accepted_on_bid=member.status == M.ACCEPTED
                ),
            )
            for member in members
        ],
        coverage=skill_coverage(bid.request, active),
    )
    page.team_size = len(team)
    page.uncovered = [item.skill for item in page.coverage if not item.covered_by]
    forms_by_action: dict[str, Form] = {}
    terms_open = bid.terms_open

    if money:
        page.agreement = terms.current_agreement(bid)
        if page.agreement is not None:
            signed = set(page.agreement.signatures.values_list("consultant_id", flat=True))
            page.signed_count = len(signed & {member.consultant_id for member in team})
            page.unsigned = [
                member.consultant.display_name
                for member in team
                if member.consultant_id not in signed
            ]
            for item in page.seats:
                item.signed = item.member.consultant_id in signed
            page.may_sign = (
                bid.status == B.AGREEMENT_OUT and page.on_team and seat.consultant_id not in signed
            )
        page.versions = list(
            bid.agreement_versions.annotate(signed=Count("signatures")).order_by("-number")
        )
        page.events = [
            {
                "label": EVENT_LABELS.get(_event_kind(event), event.action),
                "actor": actor_name(event.actor) if event.actor_id else "Switchboard",
                "subject": page_name(members, event.data.get("consultant")),
                "note": event.note,
                "at": event.created_at,
                "to_status": B(event.to_status).label if event.to_status else "",
            }
            for event in bid.events.select_related("actor__consultant")
        ]

    if manages and terms_open:
        for item in page.seats:
            if item.member.status in (M.INVITED, M.ACCEPTED):
                auto = f"member{item.member.consultant_id}_%s"
                item.change_form = forms.MemberChangeForm(
                    bid=bid,
                    auto_id=auto,
                    initial={
                        "consultant": item.member.consultant_id,
                        "role": item.member.role,
                        "estimated_hours": item.member.estimated_hours,
                    },
                )
                if item.member.consultant_id != bid.lead_id:
                    item.remove_form = forms.MemberRemoveForm(
                        bid=bid, auto_id=auto, initial={"consultant": item.member.consultant_id}
                    )
        page.skill_filter = request.GET.get("skill", "")[:100]
        forms_by_action["invite"] = forms.InviteForm(
            bid=bid,
            members=_invite_candidates(page.skill_filter, taken),
            auto_id="invite_%s",
        )
        forms_by_action["terms"] = forms.TermsForm(bid=bid, auto_id="terms_%s")
        page.teams = proposed_teams(
            bid.request,
            taken,
            reader=user,
            accepted={member.consultant_id for member in team},
            seed=bid_team(bid, members),
        )
        page.interests = [
            interest
            for interest in BidInterest.objects.filter(request=bid.request).select_related(
                "consultant"
            )
            if interest.consultant_id not in taken
        ]
    if page.invited:
        forms_by_action["accept"] = forms.VersionForm(bid=bid, auto_id="accept_%s")
        forms_by_action["decline"] = forms.DeclineForm(bid=bid, auto_id="decline_%s")
    statement = settlement.live_statement(bid) if money else None
    proposed = statement is not None and statement.state == Settlement.State.PROPOSED
    page.hours_open = page.on_team and bid.status == B.IN_PROGRESS and not proposed
    if page.hours_open:
        forms_by_action["hours"] = forms.HoursForm(
            auto_id="hours_%s", window=work.hours_window(bid)
        )
    if manages and bid.status == B.IN_PROGRESS and not proposed:
        forms_by_action["settle"] = forms.SettleForm(bid=bid, team=team, auto_id="settle_%s")
    if money and bid.status in (B.IN_PROGRESS, B.SETTLED):
        page.hours = list(bid.hours.select_related("consultant").order_by("-date", "-pk"))
        planned = {}
        in_force = next((v for v in page.versions if v.in_force_at is not None), None)
        if in_force is not None:
            planned = {
                member["consultant"]: Decimal(member["estimated_hours"])
                for member in in_force.terms["members"]
            }
        logged: dict[int, Decimal] = {}
        for entry in page.hours:
            logged[entry.consultant_id] = logged.get(entry.consultant_id, Decimal(0)) + entry.hours
        page.hours_totals = [
            HoursTotal(
                member.consultant.display_name,
                planned.get(member.consultant_id, member.estimated_hours),
                logged.get(member.consultant_id, Decimal(0)),
            )
            for member in team
        ]
    if statement is not None:
        page.settlement = statement
        approvals = list(
            statement.approvals.select_related("consultant", "recorded_by__consultant")
        )
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
        page.to_approve = [
            member.consultant.display_name
            for member in team
            if member.consultant_id not in page.approved_ids
        ]
        page.may_approve = proposed and page.on_team and me.pk not in page.approved_ids
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
    if money and bid.status == B.IN_PROGRESS:
        page.disputes = list(
            bid.settlements.filter(state=Settlement.State.DISPUTED)
            .select_related("disputed_by")
            .order_by("-decided_at", "-pk")
        )

    if failed is not None:
        action, form = failed
        forms_by_action[action] = form
    page.action_forms = forms_by_action
    # Its action's name has hyphens, which a template cannot look up.
    page.on_behalf_form = forms_by_action.get("approve-on-behalf")
    page.me = me
    return page


def page_name(members: list[BidMember], consultant_id) -> str:
    for member in members:
        if member.consultant_id == consultant_id:
            return member.consultant.display_name
    return ""
