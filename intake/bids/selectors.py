"""What the bid pages and the request page read: the bid board's rows, a member's own bids, the
skills a team covers, the teams the matching engine proposes, and the teams panel of the
coordinator's request page.

Reads only: the writes are the services' (``intake.bids.team``, ``terms``, ``states``, ``work``,
``settlement``). What one user sees of one bid's workspace is ``intake.bids.workspace``.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Sum,
    Value,
    When,
    prefetch_related_objects,
)
from django.utils.translation import gettext as _

from intake import access
from intake.bids import access as bid_access
from intake.bids import rules
from intake.bids.models import (
    AgreementSignature,
    AgreementVersion,
    Bid,
    BidInterest,
    BidMember,
    HoursEntry,
    Settlement,
)
from intake.forms import URGENCY_RANK
from intake.models import Request
from intake.selectors import request_profile_for
from matching import adapter
from network import access as network_access
from network.models import Consultant, ConsultantSkill, SkillAlias
from network.text import fold

M = BidMember.Status

# Proposed teams shown on the workspace and the request page.
TEAMS_SHOWN = 5
# Hours each invited member plans when the request gives no estimate to split.
DEFAULT_MEMBER_HOURS = Decimal("10")
# The request page proposes teams for requests this large even before they are triaged.
LARGE_REQUEST_HOURS = 40


# --- The bid board --------------------------------------------------------------------------


@dataclass
class BoardRow:
    request: Request
    bid: Bid | None
    team: list[str]
    on_bid: bool
    volunteered: bool


def board_rows(user) -> list[BoardRow]:
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


def board_requests(user):
    """The requests open for bids as the API's board lists them, newest first: only the fields
    the board shows (the client's organisation and contact stay behind), whether ``user``
    volunteered, and the open bid with its lead and team."""
    consultant = network_access.consultant_of(user)
    volunteered = (
        Exists(BidInterest.objects.filter(request=OuterRef("pk"), consultant=consultant))
        if consultant is not None
        else Value(False)
    )
    open_bids = (
        Bid.objects.exclude(status__in=Bid.CLOSED)
        .select_related("lead")
        .prefetch_related(
            Prefetch(
                "members",
                queryset=BidMember.objects.filter(status=BidMember.Status.ACCEPTED)
                .select_related("consultant")
                .order_by("invited_at", "pk"),
                to_attr="seats",
            )
        )
    )
    return (
        Request.objects.filter(status=Request.Status.BIDDING)
        .only(
            "id",
            "reference",
            "title",
            "description",
            "skills",
            "budget_max",
            "currency",
            "estimated_hours",
            "desired_start",
            "urgency",
            "submitted_at",
        )  # fmt: skip
        .annotate(volunteered=volunteered)
        .prefetch_related(Prefetch("bids", queryset=open_bids, to_attr="open_bids"))
        .order_by("-submitted_at", "-pk")
    )


# --- My bids --------------------------------------------------------------------------------


@dataclass
class MyBid:
    bid: Bid
    seat: BidMember | None
    leads: bool

    @property
    def answerable(self) -> bool:
        return self.seat is not None and self.seat.status == M.INVITED and self.bid.terms_open


def my_bid_rows(me) -> list[MyBid]:
    """The bids ``me`` (a member) leads, is on or is invited to, newest first. Three queries:
    the bids with request and lead, and my seats on them."""
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
    return [MyBid(bid, seats.get(bid.pk), bid.lead_id == me.pk) for bid in mine]


# --- Bids as the API shows them ---------------------------------------------------------------


def _seats_prefetch() -> Prefetch:
    return Prefetch(
        "members",
        queryset=BidMember.objects.filter(
            status__in=[BidMember.Status.INVITED, BidMember.Status.ACCEPTED]
        )
        .select_related("consultant")
        .order_by("invited_at", "pk"),
        to_attr="seats",
    )


def load_bids(bid_rows: list[Bid]) -> list[Bid]:
    """Everything the API's view of a bid shows, for a page of bids in a fixed number of
    queries: the seats with their members, the current agreement version with its signatures,
    and the hours logged per member (one aggregate for the whole page)."""
    prefetch_related_objects(
        bid_rows,
        _seats_prefetch(),
        Prefetch(
            "agreement_versions",
            queryset=AgreementVersion.objects.filter(voided_at__isnull=True)
            .order_by("-number")
            .prefetch_related(
                Prefetch("signatures", queryset=AgreementSignature.objects.order_by("pk"))
            ),
            to_attr="current_versions",
        ),
        Prefetch(
            "settlements",
            queryset=Settlement.objects.exclude(state=Settlement.State.DISPUTED).order_by("-pk"),
            to_attr="live_statements",
        ),
    )
    totals: dict[int, dict[int, Decimal]] = {bid.pk: {} for bid in bid_rows}
    if bid_rows:
        rows = (
            HoursEntry.objects.filter(bid__in=bid_rows)
            .values_list("bid_id", "consultant_id")
            .annotate(total=Sum("hours"))
            .order_by()
        )
        for bid_id, consultant_id, total in rows:
            totals[bid_id][consultant_id] = total
    for bid in bid_rows:
        bid.hours_by_member = totals[bid.pk]
    return bid_rows


# --- Skills and proposed teams --------------------------------------------------------------


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
    return max(share.quantize(rules.CENT, rounding=ROUND_HALF_UP), rules.SEAT_HOURS_MIN)


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
                role=(", ".join(member.covers) or _("Team member"))[: rules.ROLE_MAX_LENGTH],
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
    name = person.display_name if person is not None else item.name or _("A member")
    return _("%(name)s is on the bid but not counted in these teams: %(reason)s.") % {
        "name": name,
        "reason": item.reason,
    }


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


# --- The teams panel of the coordinator's request page ----------------------------------------

TEAM_STATUSES = (Request.Status.TRIAGED, Request.Status.ROUTED, Request.Status.BIDDING)


@dataclass
class TeamsPanel:
    teams: list[ProposedTeam]
    bid: Bid | None
    bidding: bool
    currency: str = ""  # the request's: the teams' rates and costs are written in it


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
        currency=client_request.currency,
    )


def request_bid(client_request: Request) -> Bid | None:
    """The request's open bid, else its latest one (one query)."""
    closed = Case(
        When(status__in=Bid.CLOSED, then=Value(1)), default=Value(0), output_field=IntegerField()
    )
    return client_request.bids.select_related("lead").order_by(closed, "-created_at", "-pk").first()
