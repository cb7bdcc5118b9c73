"""Bid pages: the bid board, offering to lead a bid, the bid workspace and its actions, and a
member's own bids; also the teams panel of the coordinator's request page.

Bids are loaded only through ``intake.bid_access.get_bid_for_user``. Each action is a POST to its
own URL that parses one form and calls one service of ``intake.bids.services``, then redirects back
with
a message; a refusal re-renders the workspace: 400 with the form's errors, 409 with the current
state when the bid changed under the user (``BidConflict``), and 403 from the service's
``PermissionDenied``. Who sees money follows ``bid_access.sees_bid_money``: the team and staff
coordinators; other members see a bid's team and status only.
"""

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Count, IntegerField, Prefetch, Q, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from intake import access
from intake.bids import access as bid_access
from intake.bids import forms as bid_forms
from intake.bids import services as bids
from intake.bids import settlement as bid_statements
from intake.bids.models import AgreementVersion, Bid, BidInterest, BidMember, Settlement
from intake.forms import URGENCY_RANK
from intake.models import Request
from intake.selectors import request_profile_for
from matching import adapter
from network import access as network_access
from network.forms import add_service_errors
from network.models import Consultant, ConsultantSkill, SkillAlias
from network.text import fold

B = Bid.Status
M = BidMember.Status

# Where the statement's CSV is served (the bid API); the page only links to it.
STATEMENT_CSV_PATH = "/api/v1/bids/{pk}/statement/csv/"
# Proposed teams shown on the workspace and the request page.
TEAMS_SHOWN = 5
# Hours each invited member plans when the request gives no estimate to split.
DEFAULT_MEMBER_HOURS = Decimal("10")
# The request page proposes teams for requests this large even before they are triaged.
LARGE_REQUEST_HOURS = 40
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


def bid_worker(view):
    """Signed-in users who work on bids (``bid_access.works_for_bids``); others get a 403."""

    @functools.wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not bid_access.works_for_bids(request.user):
            raise PermissionDenied("The bid pages are for members who may be offered work.")
        return view(request, *args, **kwargs)

    return wrapper


def _actor_name(user) -> str:
    if user is None:
        return "Switchboard"
    consultant = getattr(user, "consultant", None)
    return consultant.display_name if consultant else user.get_username()


def _event_kind(event) -> str:
    """The log's name for an event: an approval a coordinator recorded for a member has its own."""
    if event.action == "statement_approved" and event.data.get("on_behalf"):
        return "statement_approved_on_behalf"
    return event.action


def _conflict(request, error: bids.BidConflict) -> None:
    messages.error(
        request,
        f"{error} Nothing was changed; here is the bid as it is now. Check it, then try again "
        "if your action still makes sense.",
    )


# --- The bid board --------------------------------------------------------------------------


@dataclass
class BoardRow:
    request: Request
    bid: Bid | None
    team: list[str]
    on_bid: bool
    volunteered: bool


def _board_rows(user) -> list[BoardRow]:
    """Requests open for bids with their open bid and its team. Four queries whatever the
    number of requests: the requests, their open bids with the lead, the bids' seats with
    their members, and the user's own volunteer notes."""
    seats = BidMember.objects.filter(status__in=[M.INVITED, M.ACCEPTED]).select_related(
        "consultant"
    )
    open_bids = (
        Bid.objects.exclude(status__in=Bid.CLOSED)
        .select_related("lead")
        .prefetch_related(Prefetch("members", queryset=seats, to_attr="seats"))
    )
    requests = (
        Request.objects.filter(status=Request.Status.BIDDING)
        .annotate(urgency_rank=URGENCY_RANK)
        .order_by("urgency_rank", "submitted_at", "pk")
        .prefetch_related(Prefetch("bids", queryset=open_bids, to_attr="open_bids"))
    )
    me = network_access.consultant_of(user)
    volunteered = (
        set(BidInterest.objects.filter(consultant=me).values_list("request_id", flat=True))
        if me is not None
        else set()
    )
    rows = []
    for client_request in requests:
        bid = client_request.open_bids[0] if client_request.open_bids else None
        seats = bid.seats if bid is not None else []
        team = [seat.consultant.display_name for seat in seats if seat.status == M.ACCEPTED]
        on_bid = me is not None and any(seat.consultant_id == me.pk for seat in seats)
        rows.append(BoardRow(client_request, bid, team, on_bid, client_request.pk in volunteered))
    return rows


def _board_page(request, *, status=200, failed_form=None, failed_request_id=None):
    context = {
        "rows": _board_rows(request.user),
        "me": network_access.consultant_of(request.user),
        "failed_form": failed_form,
        "failed_request_id": failed_request_id,
    }
    return render(request, "bids/board.html", context, status=status)


@require_safe
@bid_worker
def board(request):
    return _board_page(request)


@require_POST
@bid_worker
def volunteer(request, request_id):
    client_request = get_object_or_404(Request, pk=request_id, status=Request.Status.BIDDING)
    form = bid_forms.VolunteerForm(request.POST, auto_id=f"volunteer{request_id}_%s")
    if form.is_valid():
        try:
            bids.bid_volunteer(
                request_id=client_request.pk, actor=request.user, note=form.cleaned_data["note"]
            )
        except bids.BidConflict as error:
            _conflict(request, error)
            return _board_page(request, status=409)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"{client_request.reference}: you volunteered; the lead sees your note.",
            )
            return redirect("bid-board")
    return _board_page(request, status=400, failed_form=form, failed_request_id=request_id)


# --- Offering to lead -----------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@bid_worker
def start(request, request_id):
    client_request = get_object_or_404(Request, pk=request_id)
    if client_request.status != Request.Status.BIDDING:
        raise PermissionDenied("This request is not open for bids.")
    user = request.user
    staff = network_access.is_staff_coordinator(user)
    own = network_access.consultant_of(user)
    arguments = {"client_request": client_request, "staff": staff, "own": own}
    form = bid_forms.BidStartForm(request.POST or None, **arguments)
    status = 200
    open_bid = client_request.bids.exclude(status__in=Bid.CLOSED).select_related("lead").first()
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                bid = bids.bid_create(
                    request_id=client_request.pk, actor=user, **form.service_arguments()
                )
            except bids.BidConflict as error:
                _conflict(request, error)
                status = 409
                open_bid = (
                    client_request.bids.exclude(status__in=Bid.CLOSED)
                    .select_related("lead")
                    .first()
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    f"{client_request.reference}: your bid is started. Invite the team next.",
                )
                return redirect(bid)
    context = {"client_request": client_request, "form": form, "open_bid": open_bid}
    return render(request, "bids/start.html", context, status=status)


# --- My bids --------------------------------------------------------------------------------


@dataclass
class MyBid:
    bid: Bid
    seat: BidMember | None
    leads: bool

    @property
    def answerable(self) -> bool:
        return self.seat is not None and self.seat.status == M.INVITED and self.bid.terms_open


@require_safe
@login_required
def my_bids(request):
    # Bids are for members who may be offered work (bid_access.works_for_bids), as every bid page.
    me = network_access.working_consultant_of(request.user)
    if me is None:
        raise PermissionDenied("This page is for active members and members on probation.")
    # Three queries: the bids with request and lead, and my seats on them.
    mine = (
        Bid.objects.filter(
            Q(lead=me) | Q(members__consultant=me, members__status__in=[M.INVITED, M.ACCEPTED])
        )
        .distinct()
        .select_related("request", "lead")
        .order_by("-created_at", "-pk")
    )
    seats = {
        seat.bid_id: seat
        for seat in BidMember.objects.filter(
            consultant=me, status__in=[M.INVITED, M.ACCEPTED], bid__in=mine
        )
    }
    rows = [MyBid(bid, seats.get(bid.pk), bid.lead_id == me.pk) for bid in mine]
    context = {
        # An invitation can only be answered while the terms are open (bids.bid_member_respond).
        "invited": [row for row in rows if row.answerable],
        "rows": [row for row in rows if not row.answerable],
        "decline_form": bid_forms.DeclineForm(),
    }
    return render(request, "bids/my_bids.html", context)


# --- The workspace --------------------------------------------------------------------------


@dataclass
class SkillCoverage:
    skill: str
    covered_by: list[str]


def skill_coverage(client_request: Request, seats: list[BidMember]) -> list[SkillCoverage]:
    """Each skill the request requires (named, then suggestions the coordinator confirmed), with
    the invited and accepted members who hold it.

    A member holds a skill when one of their skills has that name or an alias of it, compared
    folded (case, accents, punctuation). Two queries: the members' skills, and their aliases.
    """
    named = [skill for skill in (client_request.skills or []) if skill.strip()]
    confirmed = [skill for skill in (client_request.confirmed_skills or []) if skill.strip()]
    wanted: dict[str, str] = {}  # folded → as written, first one wins
    for skill in named + confirmed:
        wanted.setdefault(fold(skill), skill)
    if not wanted:
        return []
    names = {seat.consultant_id: seat.consultant.display_name for seat in seats}
    held = list(ConsultantSkill.objects.filter(consultant_id__in=names).select_related("skill"))
    folded_names: dict[int, set[str]] = {}
    for item in held:
        folded_names.setdefault(item.skill_id, {fold(item.skill.name)})
    for skill_id, folded in SkillAlias.objects.filter(skill_id__in=folded_names).values_list(
        "skill_id", "folded"
    ):
        folded_names[skill_id].add(folded)
    coverage = []
    for key, skill in wanted.items():
        holders = sorted(
            {names[item.consultant_id] for item in held if key in folded_names[item.skill_id]}
        )
        coverage.append(SkillCoverage(skill, holders))
    return coverage


def fair_hours(client_request: Request, team_size: int) -> Decimal:
    """Each member's share of the request's estimated hours (10 when it gives none)."""
    if not client_request.estimated_hours or team_size < 1:
        return DEFAULT_MEMBER_HOURS
    share = Decimal(client_request.estimated_hours) / team_size
    return max(share.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), Decimal("0.25"))


@dataclass
class ProposedMember:
    consultant_id: int
    name: str
    covers: list[str]
    role: str
    hours: Decimal
    rate: float | None
    already: bool  # the lead, or already invited or on the team


@dataclass
class ProposedTeam:
    number: int
    members: list[ProposedMember]
    missing_skills: list[str]
    planned_blended_rate: float | None
    estimated_cost: float | None
    explanation: list[str]
    # The blended rate and the cost follow from the members' rates (with two members, one's
    # rate and the blend give the other's): left out unless the reader may see every rate.
    rates_hidden: bool = False
    # About the bid's team, without money: members on it left out (with why), or that the
    # current team already covers everything.
    notes: list[str] = field(default_factory=list)

    @property
    def to_invite(self) -> list[ProposedMember]:
        return [member for member in self.members if not member.already]


def proposed_teams(
    client_request: Request,
    taken: set[int] = frozenset(),
    *,
    reader,
    accepted: set[int] = frozenset(),
    seed: list[int] | tuple[int, ...] = (),
) -> list[ProposedTeam]:
    """The engine's teams for a request, as ``reader`` may see them. ``taken`` are members
    already on the bid: the "invite this team" button leaves them out. ``accepted``: members who
    accepted a seat on the bid, whose rates the team sees; a team with anyone else whose rate
    the reader may not see (``bid_access.sees_bid_rate``) shows no rate, blend or cost. ``seed``:
    the bid's lead and members (``bid_team``), in every team; those who may not take the work
    now are named in the team's notes."""
    teams = adapter.propose_teams_for(request_profile_for(client_request), k=TEAMS_SHOWN, seed=seed)
    ids = {member.consultant_id for team in teams for member in team.members}
    ids |= {item.consultant_id for team in teams for item in team.set_aside}
    people = Consultant.objects.in_bulk(ids) if ids else {}
    shown = []
    for number, team in enumerate(teams, start=1):
        hours = fair_hours(client_request, len(team.members))
        rates_shown = all(
            member.consultant_id in people
            and bid_access.sees_bid_rate(
                reader,
                people[member.consultant_id],
                accepted_on_bid=member.consultant_id in accepted,
            )
            for member in team.members
        )
        members = [
            ProposedMember(
                consultant_id=member.consultant_id,
                name=member.name,
                covers=list(member.covers),
                role=(", ".join(member.covers) or "Team member")[:80],
                hours=hours,
                rate=member.hourly_rate if rates_shown else None,
                already=member.consultant_id in taken,
            )
            for member in team.members
        ]
        shown.append(
            ProposedTeam(
                number,
                members,
                list(team.missing_skills),
                team.planned_blended_rate if rates_shown else None,
                team.estimated_cost if rates_shown else None,
                # The engine's explanation names each member's rate.
                list(team.explanation) if rates_shown else [],
                rates_hidden=not rates_shown,
                notes=[
                    *(_set_aside_note(item, people) for item in team.set_aside),
                    *team.notes,
                ],
            )
        )
    return shown


def _set_aside_note(item, people: dict[int, Consultant]) -> str:
    person = people.get(item.consultant_id)
    name = person.display_name if person is not None else item.name or "A member"
    return f"{name} is on the bid but not counted in these teams: {item.reason}."


# Request statuses in which a request may have an open bid.
BID_REQUEST_STATUSES = (
    Request.Status.BIDDING,
    Request.Status.BID_SUBMITTED,
    Request.Status.ENGAGED,
)


def bid_team(bid: Bid | None, seats: list[BidMember] | None = None) -> list[int]:
    """The consultant ids proposals start from: an open bid's lead, then the members invited
    or on its team in the order they were invited; none for a closed bid or none. ``seats``:
    the bid's seats when already read (else one query)."""
    if bid is None or bid.status in Bid.CLOSED:
        return []
    if seats is None:
        seats = bid.members.filter(status__in=(M.INVITED, M.ACCEPTED)).order_by("invited_at", "pk")
    ids = [bid.lead_id]
    for seat in seats:
        if seat.status in (M.INVITED, M.ACCEPTED) and seat.consultant_id not in ids:
            ids.append(seat.consultant_id)
    return ids


def open_bid_team(client_request: Request) -> list[int]:
    """``bid_team`` of the request's open bid, in one query (none for a request in a status
    that has no open bid)."""
    if client_request.status not in BID_REQUEST_STATUSES:
        return []
    rows = (
        BidMember.objects.filter(bid__request=client_request, status__in=(M.INVITED, M.ACCEPTED))
        .exclude(bid__status__in=Bid.CLOSED)
        .order_by("invited_at", "pk")
        .values_list("bid__lead_id", "consultant_id")
    )
    ids: list[int] = []
    for lead_id, consultant_id in rows:
        ids = ids or [lead_id]
        if consultant_id not in ids:
            ids.append(consultant_id)
    return ids


@dataclass
class Seat:
    member: BidMember
    change_form: forms.Form | None = None
    remove_form: forms.Form | None = None
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
    action_forms: dict[str, forms.Form] = field(default_factory=dict)
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
    on_behalf_form: forms.Form | None = None
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
    members = bid_forms.working_members().exclude(pk__in=taken)
    skill_text = skill_text.strip()
    if skill_text:
        members = members.filter(
            Q(skills__skill__name__icontains=skill_text)
            | Q(skills__skill__aliases__folded__contains=fold(skill_text))
        ).distinct()
    return members.order_by("display_name", "pk")


def build_workspace(request, bid: Bid, *, failed: tuple[str, forms.Form] | None = None):
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
    forms_by_action: dict[str, forms.Form] = {}
    terms_open = bid.terms_open

    if money:
        page.agreement = bids.current_agreement(bid)
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
                "actor": _actor_name(event.actor) if event.actor_id else "Switchboard",
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
                item.change_form = bid_forms.MemberChangeForm(
                    bid=bid,
                    auto_id=auto,
                    initial={
                        "consultant": item.member.consultant_id,
                        "role": item.member.role,
                        "estimated_hours": item.member.estimated_hours,
                    },
                )
                if item.member.consultant_id != bid.lead_id:
                    item.remove_form = bid_forms.MemberRemoveForm(
                        bid=bid, auto_id=auto, initial={"consultant": item.member.consultant_id}
                    )
        page.skill_filter = request.GET.get("skill", "")[:100]
        forms_by_action["invite"] = bid_forms.InviteForm(
            bid=bid,
            members=_invite_candidates(page.skill_filter, taken),
            auto_id="invite_%s",
        )
        forms_by_action["terms"] = bid_forms.TermsForm(bid=bid, auto_id="terms_%s")
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
        forms_by_action["accept"] = bid_forms.VersionForm(bid=bid, auto_id="accept_%s")
        forms_by_action["decline"] = bid_forms.DeclineForm(bid=bid, auto_id="decline_%s")
    statement = bid_statements.live_statement(bid) if money else None
    proposed = statement is not None and statement.state == Settlement.State.PROPOSED
    page.hours_open = page.on_team and bid.status == B.IN_PROGRESS and not proposed
    if page.hours_open:
        forms_by_action["hours"] = bid_forms.HoursForm(
            auto_id="hours_%s", window=bids.hours_window(bid)
        )
    if manages and bid.status == B.IN_PROGRESS and not proposed:
        forms_by_action["settle"] = bid_forms.SettleForm(bid=bid, team=team, auto_id="settle_%s")
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
                by=_actor_name(approval.recorded_by),
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
            forms_by_action["approve"] = bid_forms.VersionForm(bid=bid, auto_id="approve_%s")
        if page.may_dispute:
            forms_by_action["dispute"] = bid_forms.DisputeForm(bid=bid, auto_id="dispute_%s")
        if proposed:
            page.away = bid_statements.members_away(team, page.approved_ids)
        if page.away and bid_access.approves_for_absent_member(user, bid):
            forms_by_action["approve-on-behalf"] = bid_forms.OnBehalfForm(
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


def _workspace_page(request, bid, *, failed=None, conflict=False, status=200):
    page = build_workspace(request, bid, failed=failed)
    context = {
        "page": page,
        "bid": bid,
        "client_request": bid.request,
        "conflict": conflict,
        "failed_form": failed[1] if failed else None,
        "can_submit": bid.status == B.SIGNED
        and (bid_access.leads_bid(request.user, bid) or access.is_intake_coordinator(request.user)),
        "can_decide": bid.status == B.SUBMITTED and access.is_intake_coordinator(request.user),
        "can_withdraw": page.manages and bid.status in (B.DRAFT, B.AGREEMENT_OUT, B.SIGNED),
        "statuses": B,
    }
    return render(request, "bids/workspace.html", context, status=status)


@require_safe
@bid_worker
def workspace(request, pk):
    return _workspace_page(request, bid_access.get_bid_for_user(request.user, pk))


# --- Workspace actions ----------------------------------------------------------------------


@dataclass(frozen=True)
class BidAction:
    """One POST on the workspace: its form, the service call, and the message when done."""

    form: Callable[..., forms.Form]
    run: Callable[[Bid, object, dict], object]
    done: str
    auto_id: str = "%s"
    # Who may post it at all, checked before the form: (user, bid) -> bool. The services check
    # every right again; this only makes "you may not" a 403 whatever the form holds.
    may: Callable[[object, Bid], bool] | None = None


def _invite_team(bid: Bid, actor, data: dict) -> None:
    """Invite the posted members one by one; all or none (one transaction around the
    services), each call expecting the version the one before it left."""
    version = data["version"]
    with transaction.atomic():
        for offset, (consultant, role, hours) in enumerate(data["members"]):
            bids.bid_invite(
                bid_id=bid.pk,
                actor=actor,
                consultant=consultant,
                role=role,
                estimated_hours=hours,
                version=version + offset,
            )


class InviteTeamForm(bid_forms.VersionForm):
    """The proposed team's members, as parallel lists (id, role, hours) of hidden inputs."""

    def clean(self):
        data = super().clean()
        ids = self.data.getlist("member")
        roles = self.data.getlist("role")
        hours = self.data.getlist("estimated_hours")
        if not ids or not (len(ids) == len(roles) == len(hours)):
            raise ValidationError("Nobody left to invite from this team.")
        data["members"] = list(zip(ids, roles, hours, strict=True))
        return data


ACTIONS: dict[str, BidAction] = {
    "invite": BidAction(
        bid_forms.InviteForm,
        lambda bid, actor, data: bids.bid_invite(
            bid_id=bid.pk,
            actor=actor,
            version=data["version"],
            consultant=data["consultant"],
            role=data["role"],
            estimated_hours=data["estimated_hours"],
        ),
        "Invitation sent.",
        "invite_%s",
    ),
    "invite-team": BidAction(InviteTeamForm, _invite_team, "The team is invited."),
    "accept": BidAction(
        bid_forms.VersionForm,
        lambda bid, actor, data: bids.bid_member_respond(
            bid_id=bid.pk, actor=actor, accept=True, version=data["version"]
        ),
        "You joined the team.",
        "accept_%s",
    ),
    "decline": BidAction(
        bid_forms.DeclineForm,
        lambda bid, actor, data: bids.bid_member_respond(
            bid_id=bid.pk,
            actor=actor,
            accept=False,
            reason=data["reason"],
            version=data["version"],
        ),
        "You declined the invitation.",
        "decline_%s",
    ),
    "member": BidAction(
        bid_forms.MemberChangeForm,
        lambda bid, actor, data: bids.bid_member_change(
            bid_id=bid.pk,
            actor=actor,
            version=data["version"],
            consultant_id=data["consultant"],
            role=data["role"],
            estimated_hours=data["estimated_hours"],
        ),
        "The member's role and hours are changed.",
    ),
    "remove": BidAction(
        bid_forms.MemberRemoveForm,
        lambda bid, actor, data: bids.bid_member_remove(
            bid_id=bid.pk, actor=actor, version=data["version"], consultant_id=data["consultant"]
        ),
        "The member is off the team.",
    ),
    "terms": BidAction(
        bid_forms.TermsForm,
        lambda bid, actor, data: bids.bid_terms_change(
            bid_id=bid.pk,
            actor=actor,
            version=data["version"],
            price=data["price"],
            alliance_share_percent=data["alliance_share_percent"],
            split_mode=data["split_mode"],
            due_date=data["due_date"],
        ),
        "The terms are changed.",
        "terms_%s",
    ),
    "send": BidAction(
        bid_forms.VersionForm,
        lambda bid, actor, data: bids.bid_send(bid_id=bid.pk, actor=actor, version=data["version"]),
        "The agreement is out for signature.",
    ),
    "sign": BidAction(
        bid_forms.SignForm,
        lambda bid, actor, data: bids.agreement_sign(
            bid_id=bid.pk, actor=actor, agreement_version=data["agreement_version"]
        ),
        "You signed the agreement.",
    ),
    "withdraw": BidAction(
        bid_forms.NoteForm,
        lambda bid, actor, data: bids.bid_withdraw(
            bid_id=bid.pk, actor=actor, version=data["version"], note=data["note"]
        ),
        "The bid is withdrawn.",
    ),
    "submit": BidAction(
        bid_forms.NoteForm,
        lambda bid, actor, data: bids.bid_submit(
            bid_id=bid.pk, actor=actor, version=data["version"], note=data["note"]
        ),
        "The bid is submitted to the client.",
    ),
    "decide": BidAction(
        bid_forms.DecideForm,
        lambda bid, actor, data: bids.bid_decide(
            bid_id=bid.pk,
            actor=actor,
            version=data["version"],
            won=data["outcome"] == "won",
            note=data["note"],
        ),
        "The client's answer is recorded.",
    ),
    "start-work": BidAction(
        bid_forms.VersionForm,
        lambda bid, actor, data: bids.bid_start(
            bid_id=bid.pk, actor=actor, version=data["version"]
        ),
        "The work has started: the team can log hours.",
    ),
    "hours": BidAction(
        bid_forms.HoursForm,
        lambda bid, actor, data: bids.hours_log(
            bid_id=bid.pk, actor=actor, date=data["date"], hours=data["hours"], note=data["note"]
        ),
        "Your hours are logged.",
        "hours_%s",
    ),
    "hours-delete": BidAction(
        bid_forms.HoursDeleteForm,
        lambda bid, actor, data: bids.hours_delete(
            bid_id=bid.pk, actor=actor, entry_id=data["entry"]
        ),
        "The entry is taken back.",
    ),
    "settle": BidAction(
        bid_forms.SettleForm,
        lambda bid, actor, data: bid_statements.bid_settle(
            bid_id=bid.pk, actor=actor, version=data["version"], collector=data["collector"]
        ),
        "The statement is proposed: every member of the team now approves or disputes it.",
        "settle_%s",
    ),
    "approve": BidAction(
        bid_forms.VersionForm,
        lambda bid, actor, data: bid_statements.statement_approve(
            bid_id=bid.pk, actor=actor, version=data["version"]
        ),
        "You approved the statement.",
        "approve_%s",
    ),
    "approve-on-behalf": BidAction(
        bid_forms.OnBehalfForm,
        lambda bid, actor, data: bid_statements.statement_approve_on_behalf(
            bid_id=bid.pk,
            actor=actor,
            version=data["version"],
            consultant=data["consultant"],
            reason=data["reason"],
        ),
        "You approved the statement on the member's behalf; they are told by email.",
        "onbehalf_%s",
        may=bid_access.approves_for_absent_member,
    ),
    "dispute": BidAction(
        bid_forms.DisputeForm,
        lambda bid, actor, data: bid_statements.statement_dispute(
            bid_id=bid.pk, actor=actor, version=data["version"], reason=data["reason"]
        ),
        "You disputed the statement: it is withdrawn and the hours are open again.",
        "dispute_%s",
    ),
}


@require_POST
@bid_worker
def bid_action(request, pk, action):
    bid = bid_access.get_bid_for_user(request.user, pk, write=True)
    spec = ACTIONS[action]
    if spec.may is not None and not spec.may(request.user, bid):
        raise PermissionDenied("You may not do this on this bid.")
    kwargs = {"auto_id": spec.auto_id}
    if spec.form is bid_forms.SettleForm:
        kwargs["team"] = bids.team(bid)
    if spec.form is bid_forms.HoursForm:
        kwargs["window"] = bids.hours_window(bid)
    if spec.form is bid_forms.OnBehalfForm:
        kwargs["away"] = bid_statements.members_away_from(bid)
    form = spec.form(request.POST, **kwargs)
    if form.is_valid():
        try:
            spec.run(bid, request.user, form.cleaned_data)
        except bids.BidConflict as error:
            _conflict(request, error)
            fresh = bid_access.get_bid_for_user(request.user, pk)
            return _workspace_page(request, fresh, conflict=True, status=409)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{bid.request.reference}: {spec.done}")
            return redirect("bid-workspace", pk=bid.pk)
    fresh = bid_access.get_bid_for_user(request.user, pk)
    return _workspace_page(request, fresh, failed=(action, form), status=400)


# --- The teams panel of the coordinator's request page ----------------------------------------

TEAM_STATUSES = (Request.Status.TRIAGED, Request.Status.ROUTED, Request.Status.BIDDING)


@dataclass
class TeamsPanel:
    teams: list[ProposedTeam]
    bid: Bid | None
    bidding: bool


def teams_panel_for(user, client_request: Request) -> TeamsPanel | None:
    """Proposed teams for coordinators on a request that may go out as a team bid (triaged,
    routed or open for bids, or large); with the request's bid when there is one, the teams
    starting from its lead and members while it is open. Queries: the request's bid (and an
    open bid's seats), and the engine's (the index stamp, collaboration pairs, the languages)."""
    if not access.sees_internal_detail(user, client_request):
        return None
    large = (client_request.estimated_hours or 0) > LARGE_REQUEST_HOURS
    if client_request.status not in TEAM_STATUSES and not large:
        return None
    bid = request_bid(client_request)
    seed = bid_team(bid)
    return TeamsPanel(
        teams=proposed_teams(client_request, set(seed), reader=user, seed=seed),
        bid=bid,
        bidding=client_request.status == Request.Status.BIDDING,
    )


def request_bid(client_request: Request) -> Bid | None:
    """The request's open bid, else its latest one (one query)."""
    closed = Case(
        When(status__in=Bid.CLOSED, then=Value(1)), default=Value(0), output_field=IntegerField()
    )
    return client_request.bids.select_related("lead").order_by(closed, "-created_at", "-pk").first()
